"""What the related and search commands return: articles with a score and a reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from termnews.storage.records import Article


@dataclass(slots=True)
class RelatedItem:
    """A related article, its score (0..1), and why it is related."""

    article: Article
    score: float
    same_story: bool = False  # the same story as the article asked about
    terms: list[str] = field(default_factory=list)  # key terms both articles share
    also: list[Article] = field(default_factory=list)  # the same story in other feeds / URLs
    linked: bool = False  # the article's own page lists it as related

    @property
    def why(self) -> str:
        """A short reason: ``same story``, the shared key terms, whether the page links it."""
        reason = "same story" if self.same_story else ", ".join(self.terms[:3]) or "similar words"
        if self.linked:
            reason = "linked from the article" + ("" if not self.terms else f"; {reason}")
        if self.also:
            feeds = sorted({a.feed_title or str(a.feed_id) for a in self.also})
            reason += f" (also in {len(self.also)} more: {', '.join(feeds[:3])})"
        return reason

    def to_json(self) -> dict[str, Any]:
        data = self.article.to_json()
        data.update(
            score=self.score,
            why=self.why,
            same_story=self.same_story,
            linked=self.linked,
            terms=self.terms,
            also=[a.id for a in self.also],
        )
        return data


@dataclass(slots=True)
class SearchItem:
    """An article found by a search, with its BM25 relevance (higher is better)."""

    article: Article
    score: float
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        data = self.article.to_json()
        data.update(score=round(self.score, 4), why=self.why)
        return data
