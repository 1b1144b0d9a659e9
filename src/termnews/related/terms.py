"""Article text to index terms: HTML to text, tokens, light stemming, weights, keys.

Pure functions shared by indexing and querying, so both see the same terms.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from urllib.parse import urlsplit

from termnews.related.stopwords import STOP_WORDS

TERMS_VERSION = "t2"  # change with any rule here: indexed articles are then re-indexed
TITLE_WEIGHT = 3.0  # a title word counts like this many body words
MAX_BODY_CHARS = 60_000  # text past this adds little and costs time

_SKIPPED_BLOCKS = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W\d_]{2,}")
_TITLE_WORD = re.compile(r"\w+")


def html_text(markup: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded (fast, no parser)."""
    if "<" not in markup and "&" not in markup:
        return markup
    text = _TAG.sub(" ", _SKIPPED_BLOCKS.sub(" ", markup))
    return html.unescape(text) if "&" in text else text


def stem(word: str) -> str:
    """Fold plurals and verbs' -s (``barriers`` -> ``barrier``, ``cities`` -> ``city``,
    ``reaches`` -> ``reach``); words stay readable for the "why" line."""
    if word.endswith("s") and len(word) > 3:
        if word.endswith("ies") and len(word) > 4:
            return word[:-3] + "y"
        if word.endswith(("ches", "shes", "xes", "sses", "zzes")):
            return word[:-2]
        if not word.endswith(("ss", "us", "is", "ous")):
            return word[:-1]
    return word


_STEMS: dict[str, str] = {}  # memo: news reuses its words, stemming each once is cheaper


def tokens(text: str) -> list[str]:
    """Index terms of ``text`` in order: lower-cased words of 2+ letters, no stop words."""
    stems = _STEMS
    out = []
    for w in _WORD.findall(text.lower()):
        if w in STOP_WORDS:
            continue
        s = stems.get(w)
        if s is None:
            if len(stems) > 200_000:
                stems.clear()
            s = stems[w] = stem(w)
        out.append(s)
    return out


def term_weights(title: str, body: str) -> dict[str, float]:
    """Each term's weight in an article: 1 + ln(count), title words counting TITLE_WEIGHT."""
    counts: Counter[str] = Counter(tokens(body[:MAX_BODY_CHARS]))
    for term in tokens(title):
        counts[term] += TITLE_WEIGHT
    return {t: 1.0 + math.log(c) for t, c in counts.items()}


def title_key(title: str) -> str:
    """A normalised title for spotting the same story under another URL ('' if too short)."""
    words = _TITLE_WORD.findall(title.lower())
    return " ".join(words) if len(words) >= 4 else ""


def link_key(url: str) -> str:
    """A normalised article URL: host without ``www.``, path without trailing slash, no query
    tracking or fragment; '' for a URL that names no article."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    if not host or not path:
        return ""
    query = "&".join(
        p for p in parts.query.split("&") if p and not p.lower().startswith(("utm_", "ref="))
    )
    return f"{host}{path}?{query}" if query else f"{host}{path}"
