"""Rows of the cache as typed records, for the services, the CLI and the UI."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def iso(ts: int | None) -> str | None:
    """Epoch seconds as ISO 8601 UTC (``2026-11-27T09:30:00Z``), or None."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Feed:
    """A subscription with its last refresh outcome and unread count."""

    id: int
    url: str
    title: str
    site_url: str
    folder: str
    last_status: str
    last_error: str | None
    last_attempt: int | None
    last_success: int | None
    unread: int = 0
    total: int = 0

    @property
    def name(self) -> str:
        """What to call the feed: its title, else its URL."""
        return self.title or self.url

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Feed:
        keys = row.keys()
        return cls(
            id=row["id"], url=row["url"], title=row["title"], site_url=row["site_url"],
            folder=row["folder"], last_status=row["last_status"], last_error=row["last_error"],
            last_attempt=row["last_attempt"], last_success=row["last_success"],
            unread=row["unread"] if "unread" in keys else 0,
            total=row["total"] if "total" in keys else 0,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "url": self.url, "title": self.title, "site_url": self.site_url,
            "folder": self.folder, "unread": self.unread, "total": self.total,
            "error": self.last_error, "status": self.last_status,
            "last_attempt": iso(self.last_attempt), "last_success": iso(self.last_success),
        }


@dataclass(slots=True)
class Article:
    """A cached article."""

    id: int
    feed_id: int
    guid: str
    link: str
    title: str
    author: str
    published: int | None
    updated: int | None
    summary: str
    content: str
    read: bool
    starred: bool
    first_seen: int
    sort_date: int
    comments_url: str = ""
    comments_count: int | None = None
    enclosures: list[dict[str, Any]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    feed_title: str = ""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Article:
        keys = row.keys()
        return cls(
            id=row["id"], feed_id=row["feed_id"], guid=row["guid"], link=row["link"],
            title=row["title"], author=row["author"], published=row["published"],
            updated=row["updated"], summary=row["summary"], content=row["content"],
            read=bool(row["read"]), starred=bool(row["starred"]), first_seen=row["first_seen"],
            sort_date=row["sort_date"], comments_url=row["comments_url"],
            comments_count=row["comments_count"], enclosures=json.loads(row["enclosures"]),
            categories=json.loads(row["categories"]),
            feed_title=row["feed_title"] if "feed_title" in keys else "",
        )

    def to_json(self, body: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "feed_id": self.feed_id, "feed": self.feed_title,
            "title": self.title, "link": self.link, "author": self.author,
            "published": iso(self.published), "updated": iso(self.updated),
            "read": self.read, "starred": self.starred, "guid": self.guid,
            "categories": self.categories, "enclosures": self.enclosures,
            "comments_url": self.comments_url, "comments_count": self.comments_count,
        }
        if body:
            data["summary"] = self.summary
            data["content"] = self.content
        return data
