"""The search box's language, parsed into an FTS5 expression and article filters.

    barrier vote            both words (in any order, any column)
    "tidal barrier"         the phrase
    barr*                   words starting with "barr" (2 letters at least; the 20
                            commonest such words when the service expands it)
    tidal OR flood          either word;  -word or NOT word excludes it
    title:vote author:kim   a word in the title / in the author
    feed:NAME feed:"A B"    only feeds whose id, title or URL has NAME
    unread starred          only unread / starred articles (also is:unread, is:starred)

Every word reaches FTS5 quoted, so FTS5 syntax typed by a user (NEAR(...), column
filters, ^, +, stray quotes or parentheses) is searched for as words, never run.
Malformed input is repaired (an unclosed quote ends at the end; a lone OR, NOT or
'-' is dropped); a query that still asks for nothing gives a message instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

Expander = Callable[[str], list[str]]
_WORDLIKE = re.compile(r"\w", re.UNICODE)
_COLUMNS = {"title": "title", "author": "author", "body": "body", "text": "body"}
_FILTER_WORDS = {"unread": "unread", "is:unread": "unread", "starred": "starred",
                 "is:starred": "starred"}  # fmt: skip


@dataclass(slots=True)
class SearchQuery:
    """A parsed search: ``match`` for FTS5 (None: no words), filters, and any message."""

    match: str | None = None
    feeds: list[str] = field(default_factory=list)  # names given with feed:
    unread: bool = False
    starred: bool = False
    words: list[str] = field(default_factory=list)  # what is looked for, for "why"
    error: str | None = None  # for people: the query asks for nothing


@dataclass(slots=True)
class _Item:
    text: str  # the words, unquoted
    prefix: bool = False
    column: str = ""
    negated: bool = False


def _split(text: str) -> list[tuple[str, bool]]:
    """Raw pieces (text, was quoted); an unclosed quote runs to the end."""
    pieces: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            pieces.append((text[i + 1 : end], True))
            i = end + 1
            if i < n and text[i] == "*":  # "phrase"*
                pieces[-1] = (pieces[-1][0] + "*", True)
                i += 1
            continue
        j = i
        while j < n and not text[j].isspace():
            if text[j] == '"' and j > i and text[j - 1] == ":":  # feed:"A B" / title:"x y"
                end = text.find('"', j + 1)
                end = n if end < 0 else end
                pieces.append((text[i:j] + text[j + 1 : end], True))
                j = end + 1
                break
            j += 1
        else:
            pieces.append((text[i:j], False))
        i = j
    return pieces


def _string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _quote(item: _Item, expand: Expander | None) -> str:
    words = expand(item.text.lower()) if expand and item.prefix and " " not in item.text else []
    if words:  # the commonest words with that start, each looked up as itself
        phrase = "(" + " OR ".join(_string(w) for w in words) + ")"
    else:
        phrase = _string(item.text) + (" *" if item.prefix else "")
    return f"{item.column} : {phrase}" if item.column else phrase


def parse_query(text: str, expand: Expander | None = None) -> SearchQuery:
    """Parse what a person typed; never raises.

    ``expand(prefix)`` may turn a word prefix into the words it stands for: FTS5 would
    otherwise merge the postings of every indexed word with that start (100 ms and
    more for "con*" on 100,000 articles), or need prefix indexes (900 MB there).
    """
    query = SearchQuery()
    groups: list[list[_Item]] = []  # AND of groups; a group is an OR of items
    join_next = False
    negate_next = False
    for raw, quoted in _split(text):
        if not quoted:
            lower = raw.lower()
            if lower in _FILTER_WORDS:
                setattr(query, _FILTER_WORDS[lower], True)
                continue
            if raw == "OR" or raw == "|":
                join_next = bool(groups)
                continue
            if raw in ("AND", "&"):
                continue
            if raw in ("NOT", "-"):
                negate_next = True
                continue
        item = _Item(raw)
        name, sep, rest = raw.partition(":")
        if sep and name.lower() == "feed":
            if rest.strip():
                query.feeds.append(rest.strip())
            continue
        if sep and name.lower() in _COLUMNS and rest:
            item = _Item(rest, column=_COLUMNS[name.lower()])
        if not quoted and item.text.startswith("-") and len(item.text) > 1:
            item.text, item.negated = item.text[1:], True
        item.negated = item.negated or negate_next
        negate_next = False
        if item.text.endswith("*"):
            item.text = item.text.rstrip("*")
            item.prefix = len(item.text) >= 2  # "a*" would walk most of the index
        if not _WORDLIKE.search(item.text):
            continue
        query.words.append(item.text)
        if join_next and not item.negated and groups and not groups[-1][0].negated:
            groups[-1].append(item)
        else:
            groups.append([item])
        join_next = False
    positive = [g for g in groups if not g[0].negated]
    negative = [g for g in groups if g[0].negated]
    if positive:
        parts = ["(" + " OR ".join(_quote(i, expand) for i in g) + ")" for g in positive]
        match = " AND ".join(parts)
        for g in negative:
            match = f"({match}) NOT {_quote(g[0], expand)}"
        query.match = match
        query.words = [i.text for g in positive for i in g]
    elif negative:
        query.error = "say what to look for: a search cannot be only excluded words"
    elif not (query.feeds or query.unread or query.starred):
        query.error = (
            'nothing to search for: give words, "a phrase", prefix*, feed:NAME, unread or starred'
        )
    return query
