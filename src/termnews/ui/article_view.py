"""What the reader panel shows for one article, prepared off the UI thread.

:func:`prepare` turns a cached :class:`Article` into an :class:`ArticleView`:
header lines, the body as Markdown (the reader converter) or plain text (its
fallback), and the numbered links the keys 1-9 open. Pure: data in, data out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from termnews.storage.records import Article
from termnews.ui.format import age, clean

_LINK_LINE = re.compile(r"^\[(\d+)\] (\S+)$")


@dataclass(slots=True)
class HeaderLine:
    """One line of the article header; ``role`` picks its style."""

    text: str
    role: str = "meta"  # "title" | "meta" | "link" | "note"


@dataclass(slots=True)
class ArticleView:
    """An article ready to show."""

    article: Article
    header: list[HeaderLine]
    markdown: str | None = None  # the body as Markdown, when the converter is available
    text: str = ""  # the body as plain text otherwise
    links: list[str] = field(default_factory=list)  # link N is links[N - 1]
    full_text: bool = False  # the body is the extracted page, not the feed's text


def header_lines(article: Article, note: str | None = None) -> list[HeaderLine]:
    """Title, source, author, date and age, categories, comments, attachments, link."""
    lines = [HeaderLine(clean(article.title, "(untitled)"), "title")]
    meta = [clean(article.feed_title)]
    if article.author:
        meta.append(clean(article.author))
    when = article.published or article.updated
    if when:
        stamp = datetime.fromtimestamp(when).strftime("%a %d %b %Y %H:%M")
        meta.append(f"{stamp} ({age(when)} ago)" if age(when) != "now" else stamp)
    lines.append(HeaderLine(" · ".join(m for m in meta if m)))
    extra = []
    if article.categories:
        extra.append(", ".join(clean(c) for c in article.categories[:6]))
    if article.comments_count is not None:
        extra.append(f"{article.comments_count} comments")
    if extra:
        lines.append(HeaderLine(" · ".join(extra)))
    for enc in article.enclosures:
        kind = clean(str(enc.get("type", ""))) or "attachment"
        lines.append(HeaderLine(f"{kind}: {clean(str(enc.get('url', '')))}", "link"))
    if article.link:
        lines.append(HeaderLine(clean(article.link), "link"))
    if note:
        lines.append(HeaderLine(clean(note), "note"))
    return lines


def split_plain_links(text: str) -> tuple[str, list[str]]:
    """The plain converter's ``Links:`` list taken off the end of its text."""
    head, sep, tail = text.rpartition("\n\nLinks:\n")
    if not sep:
        return text, []
    links = []
    for line in tail.splitlines():
        match = _LINK_LINE.match(line.strip())
        if match is None:
            return text, []
        links.append(match.group(2))
    return head, links


def prepare(
    article: Article,
    html: str | None = None,
    base_url: str | None = None,
    note: str | None = None,
    from_page: bool = False,
) -> ArticleView:
    """The view of ``article``; ``html`` replaces the feed's text (e.g. the full page)."""
    body = html if html is not None else (article.content or article.summary)
    base = base_url or article.link
    view = ArticleView(article, header_lines(article, note), full_text=from_page)
    try:
        from termnews.reader.convert import convert
    except ImportError:  # the converter is optional: fall back to plain text
        convert = None
    if convert is not None:
        rendered = convert(body, base)
        view.markdown = rendered.markdown
        view.links = list(rendered.links)
        return view
    from termnews.reader.plain import html_to_text

    view.text = html_to_text(body, base, width=100)
    view.links = split_plain_links(view.text)[1]
    return view
