"""A real HTTP server on 127.0.0.1 with programmable routes, and small feed builders."""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    """What the test server answers on one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # enables If-None-Match -> 304
    last_modified: str | None = None  # enables If-Modified-Since -> 304
    encoding: str = ""  # "gzip" or "deflate": compress the body
    delay: float = 0.0  # seconds before answering
    trickle: float = 0.0  # seconds between single bytes of the body
    hits: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)


class FeedServer:
    """A threaded HTTP server on 127.0.0.1 with programmable routes."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server.lock:
                    server.active += 1
                    server.max_active = max(server.max_active, server.active)
                try:
                    server.answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with server.lock:
                        server.active -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", **kw: object) -> Route:
        data = body.encode() if isinstance(body, str) else body
        route = Route(body=data, **kw)  # type: ignore[arg-type]
        self.routes[path] = route
        return route

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(h.path)
        if route is None:
            h.send_response(404)
            h.send_header("Content-Length", "9")
            h.end_headers()
            h.wfile.write(b"not found")
            return
        route.hits += 1
        route.requests.append(dict(h.headers.items()))
        if route.delay:
            time.sleep(route.delay)
        if (route.etag and h.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and h.headers.get("If-Modified-Since") == route.last_modified
        ):
            h.send_response(304)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        body = route.body
        if route.encoding == "gzip":
            body = gzip.compress(body)
        elif route.encoding == "deflate":
            body = zlib.compress(body)
        h.send_response(route.status)
        headers = {"Content-Type": "application/xml; charset=utf-8", **route.headers}
        if route.encoding:
            headers["Content-Encoding"] = route.encoding
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if route.trickle:
            for i in range(len(body)):
                h.wfile.write(body[i : i + 1])
                h.wfile.flush()
                time.sleep(route.trickle)
        else:
            h.wfile.write(body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def rss(title: str, items: list[tuple[str, str]], link: str = "http://example.org/") -> str:
    """A small RSS 2.0 document; items are (guid, title)."""
    body = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><link>{link}{g}</link>"
        f"<description>&lt;p&gt;Body of {t}&lt;/p&gt;</description>"
        f"<pubDate>Wed, 25 Nov 2026 10:0{i % 10}:00 GMT</pubDate></item>"
        for i, (g, t) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>{link}</link>{body}</channel></rss>"
    )
