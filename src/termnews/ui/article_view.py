"""What the reader panel shows for one article, prepared off the UI thread.

:func:`prepare` turns a cached :class:`Article` (and the body the reader chose
for it: the feed's text or the extracted page) into an :class:`ArticleView`:
one Markdown document (metadata header, body with numbered links ``text [n]``)
and the list of links the keys 1-9 open. Pure: data in, data out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from termnews.reader.convert import convert
from termnews.reader.header import article_header
from termnews.storage.records import Article
from termnews.text import escape_markdown, one_line


@dataclass(slots=True)
class ArticleView:
    """An article ready to show."""

    article: Article
    markdown: str  # header, a rule, then the body
    links: list[str] = field(default_factory=list)  # link N is links[N - 1]
    from_page: bool = False  # the body is the extracted linked page, not the feed's text
    note: str = ""  # one line about the body (why the full text is missing, ...)


def prepare(
    article: Article,
    html: str | None = None,
    base_url: str | None = None,
    note: str = "",
    from_page: bool = False,
) -> ArticleView:
    """The view of ``article``; ``html`` replaces the feed's text (e.g. the full page)."""
    body = convert(
        html if html is not None else (article.content or article.summary),
        base_url or article.link,
    )
    header = article_header(article, words=body.word_count)
    parts = [header.markdown]
    if note:
        parts.append(f"*{escape_markdown(one_line(note))}*")
    parts.append("---")
    parts.append(body.markdown or "*This article has no text; `o` opens it in a browser.*")
    return ArticleView(article, "\n\n".join(parts), list(body.links), from_page, note)
