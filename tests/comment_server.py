"""A loopback HTTP server for comment tests: programmable answers to any method.

Each route (method, path) answers from a list of replies (the last one repeats)
or a function of the request; every request is recorded with its body.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (longer than the client's timeout: a hang)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, dict | list):
            return json.dumps(self.body).encode(), "application/json; charset=UTF-8"
        if isinstance(self.body, str):
            return self.body.encode(), "text/html; charset=UTF-8"
        return self.body, "text/html; charset=UTF-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


Answer = list[Reply] | Callable[[Request], Reply]


class CommentServer:
    """Programmable answers on 127.0.0.1; ``requests`` holds what came in."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Answer] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    server.answer(self)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}{path}"

    def on(self, method: str, path: str, *replies: Reply | Callable[[Request], Reply]) -> None:
        if len(replies) == 1 and callable(replies[0]):
            self.routes[(method, path)] = replies[0]
        else:
            self.routes[(method, path)] = list(replies)  # type: ignore[arg-type]

    def got(self, method: str, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        req = Request(h.command, parts.path, parse_qs(parts.query), dict(h.headers.items()), body)
        with self.lock:
            self.requests.append(req)
            answer = self.routes.get((h.command, parts.path))
            if isinstance(answer, list):
                reply = answer.pop(0) if len(answer) > 1 else answer[0]
            elif answer is not None:
                reply = None
            else:
                reply = Reply(404, "not found")
        if reply is None:
            reply = answer(req)  # type: ignore[operator]
        if reply.delay:
            time.sleep(reply.delay)
        data, ctype = reply.encoded()
        h.send_response(reply.status)
        headers = {"Content-Type": ctype, **reply.headers}
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def seed_article(news: Any, link: str, title: str = "An article", guid: str = "") -> int:
    """Put one article in ``news``'s cache (as a refresh would) and return its id."""
    from termnews.fetch.model import ParsedEntry
    from termnews.storage import articles, feeds
    from termnews.storage.db import transaction

    feed_id = feeds.add_feed(news.conn, "http://feeds.invalid/seed.xml", "Seed feed")
    entry = ParsedEntry(guid=guid or link, link=link, title=title, summary="<p>Body.</p>")
    with transaction(news.conn):
        articles.upsert_entries(news.conn, feed_id, [entry], int(time.time()))
    row = news.conn.execute("SELECT id FROM articles WHERE link = ?", (link,)).fetchone()
    return int(row[0])
