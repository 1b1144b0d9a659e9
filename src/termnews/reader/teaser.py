"""Is a feed item only a teaser of its article? Pure text checks, cheap enough
to run on every new article (refresh runs them in its parse workers)."""

from __future__ import annotations

import html as htmlmod
import re

SUMMARY_MAX_WORDS = 100  # feed text shorter than this is taken for a teaser

TAG = re.compile(r"<[^>]*>")
_TRUNCATED = re.compile(
    r"(\.\.\.|…|\[…]|\[\.\.\.]|\[&hellip;]|\bread more|\bcontinue reading|\bkeep reading"
    r"|\bread the (full|whole|rest of the) (story|article|post)|\bmore\s*»|\(more\))"
    r"[\s\])»›→\"'”’]*$",  # only closers after the marker: "…." ends a sentence
    re.IGNORECASE,
)

_HEAD_CHARS = 2_000  # usually holds SUMMARY_MAX_WORDS words of prose HTML
_TAIL_CHARS = 400  # enough to see a "Read more" marker


def _count_words(html: str) -> int:
    """Words of an HTML fragment, counting no further than SUMMARY_MAX_WORDS."""
    return min(len(TAG.sub(" ", html).split(None, SUMMARY_MAX_WORDS)), SUMMARY_MAX_WORDS)


def looks_like_summary(content: str, summary: str) -> bool:
    """True when an item carries no body, or only a teaser of the article.

    Runs for every new article of a refresh, so it counts words only up to
    SUMMARY_MAX_WORDS and reads only the end of the body for a "Read more".
    """
    raw = content or summary
    if _count_words(raw[:_HEAD_CHARS]) < SUMMARY_MAX_WORDS and (
        len(raw) <= _HEAD_CHARS or _count_words(raw) < SUMMARY_MAX_WORDS
    ):
        return True
    tail = " ".join(htmlmod.unescape(TAG.sub(" ", raw[-_TAIL_CHARS:])).split())
    return _TRUNCATED.search(tail[-80:]) is not None
