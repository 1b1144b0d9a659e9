"""The bundled offline demo: a throwaway home seeded from feeds shipped in the package.

Feeds and linked pages are served from ``demo/data`` through an httpx
transport, so the demo runs the real refresh code with no network. Dates are
shifted so the newest demo article is an hour old.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import httpx

from termnews.config import Config
from termnews.paths import home_paths
from termnews.services import NewsService
from termnews.storage.articles import shift_dates

CONTENT_TYPES = {".xml": "application/xml; charset=utf-8", ".json": "application/feed+json",
                 ".html": "text/html; charset=utf-8", ".atom": "application/atom+xml"}


def data_dir() -> Traversable:
    return resources.files("termnews.demo") / "data"


def manifest() -> dict:
    """The demo's feeds (url, file, title, folder) and pages (url -> file)."""
    return json.loads((data_dir() / "manifest.json").read_text(encoding="utf-8"))


class DemoTransport(httpx.AsyncBaseTransport):
    """Answers GETs for the demo's URLs from the bundle; anything else is a 404."""

    def __init__(self) -> None:
        info = manifest()
        self.files: dict[str, str] = {f["url"]: f["file"] for f in info["feeds"]}
        self.files.update(info.get("pages", {}))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        name = self.files.get(url) or self.files.get(url.rstrip("/") + "/")
        if name is None:
            return httpx.Response(404, text="not part of the offline demo", request=request)
        body = (data_dir() / name).read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return httpx.Response(304, headers={"ETag": etag}, request=request)
        ctype = CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream")
        return httpx.Response(
            200, headers={"Content-Type": ctype, "ETag": etag}, stream=httpx.ByteStream(body),
            request=request,
        )


@dataclass
class DemoHome:
    """A temporary TERMNEWS_HOME holding the seeded demo; removed by :meth:`cleanup`."""

    root: Path

    @classmethod
    def create(cls) -> DemoHome:
        home = cls(Path(tempfile.mkdtemp(prefix="termnews-demo-")))
        try:
            home.seed()
        except BaseException:
            home.cleanup()
            raise
        return home

    def service(self) -> NewsService:
        return NewsService(home_paths(self.root), Config(), transport=DemoTransport())

    def seed(self) -> None:
        service = self.service()
        try:
            feeds = manifest()["feeds"]
            for feed in feeds:
                service.subscribe(feed["url"], feed.get("title", ""), feed.get("folder", ""))
            for feed in feeds:  # one by one, so article ids are the same in every demo
                service.refresh([feed["url"]])
            newest = max((a.sort_date for a in service.articles(limit=1)), default=None)
            if newest is not None:
                shift_dates(service.conn, int(time.time()) - 3600 - newest)
        finally:
            service.close()

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
