"""Where a WordPress article takes comments: its REST root and its post id.

Sources, cheapest first: the feed item's guid (``?p=N``), then the article's
page: HTTP ``Link`` headers (rel="https://api.w.org/", rel="alternate"
type="application/json", rel=shortlink) and the same ``<link>`` tags in the
HTML, the comment form's ``comment_post_ID`` field and its action URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from termnews.comments.http import host_of, request, server_trouble
from termnews.comments.outbox import SendFailure, rejected

API_REL = "https://api.w.org/"
_POSTS_PATH = re.compile(r"/wp/v2/(?:posts|pages)/(\d+)/?$")
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_PARAM = re.compile(r';\s*([A-Za-z*-]+)\s*=\s*("([^"]*)"|[^;,\s]+)')


@dataclass(slots=True)
class PageHints:
    """What an article page says about its WordPress site."""

    root: str = ""  # the REST API root, e.g. https://site/wp-json/
    post_id: int | None = None
    form_action: str = ""  # the classic comment form's action URL


@dataclass(frozen=True, slots=True)
class WordPressTarget:
    root: str
    post_id: int
    form_action: str


def post_id_from_url(url: str) -> int | None:
    """N from ``?p=N`` / ``?page_id=N`` links, or from a REST ``/wp/v2/posts/N`` URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    query = parse_qs(parts.query)
    for key in ("p", "page_id"):
        value = query.get(key, [""])[0]
        if value.isdigit() and int(value) > 0:
            return int(value)
    route = query.get("rest_route", [""])[0]
    for path in (parts.path, route):
        m = _POSTS_PATH.search(path)
        if m:
            return int(m.group(1))
    return None


def parse_link_header(values: list[str]) -> list[dict[str, str]]:
    """RFC 8288 Link headers as dicts with "url" and lower-cased parameters."""
    links = []
    for value in values:
        for m in _LINK.finditer(value):
            link = {"url": m.group(1).strip()}
            for p in _PARAM.finditer(m.group(2)):
                link[p.group(1).lower()] = p.group(3) if p.group(3) is not None else p.group(2)
            links.append(link)
    return links


def _apply_links(hints: PageHints, links: list[dict[str, str]], base: str) -> None:
    for link in links:
        rels = link.get("rel", "").split()
        url = urljoin(base, link["url"])
        json_alternate = "alternate" in rels and link.get("type", "").lower() == "application/json"
        if API_REL in rels and not hints.root:
            hints.root = url
        elif (json_alternate or "shortlink" in rels) and hints.post_id is None:
            hints.post_id = post_id_from_url(url)


def page_hints(body: bytes, base: str, link_headers: list[str] | None = None) -> PageHints:
    """Find the REST root, post id and comment form in a page and its Link headers."""
    import lxml.html

    hints = PageHints()
    _apply_links(hints, parse_link_header(link_headers or []), base)
    if not body.strip():
        return hints
    try:
        doc = lxml.html.document_fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return hints
    tags = [
        {"url": el.get("href", ""), "rel": el.get("rel", "").lower(), "type": el.get("type", "")}
        for el in doc.iter("link")
        if el.get("href")
    ]
    _apply_links(hints, tags, base)
    for el in doc.iter("input"):
        if el.get("name") == "comment_post_ID":
            value = (el.get("value") or "").strip()
            if value.isdigit() and hints.post_id is None:
                hints.post_id = int(value)
    for form in doc.iter("form"):
        action = form.get("action") or ""
        if "wp-comments-post.php" in action or form.get("id") == "commentform":
            hints.form_action = urljoin(base, action) if action else ""
            break
    return hints


def rest_url(root: str, route: str, params: dict[str, object] | None = None) -> str:
    """``route`` (like ``wp/v2/comments``) under a REST root, pretty or ``?rest_route=``."""
    parts = urlsplit(root)
    query = parse_qs(parts.query)
    if "rest_route" in query:
        base = query.pop("rest_route")[0].rstrip("/")
        query_items = [(k, v) for k, vs in query.items() for v in vs]
        query_items.append(("rest_route", f"{base}/{route}"))
        query_items += list((params or {}).items())
        return urlunsplit(parts._replace(query=urlencode(query_items)))
    url = urljoin(root if root.endswith("/") else root + "/", route)
    return f"{url}?{urlencode(list((params or {}).items()))}" if params else url


def site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def discover_wordpress(
    client: httpx.Client, article_url: str, guid: str, site_url: str, page_cap: int
) -> WordPressTarget:
    """The REST root, post id and form action for an article; raises SendFailure."""
    if not article_url.startswith(("http://", "https://")):
        raise SendFailure(rejected("This article has no web address to comment on."))
    post_id = None
    if guid and host_of(guid) == host_of(article_url):
        post_id = post_id_from_url(guid)
    hints = _fetch_hints(client, article_url, page_cap)
    post_id = post_id or hints.post_id
    if post_id is None:
        raise SendFailure(
            rejected(
                f"Could not find the WordPress post behind {article_url}: the page has no"
                " comment form, shortlink or REST link (is it a WordPress site?)."
            )
        )
    base = site_url or site_root(article_url)
    root = hints.root or urljoin(base if base.endswith("/") else base + "/", "wp-json/")
    action = hints.form_action or urljoin(site_root(root), "wp-comments-post.php")
    return WordPressTarget(root, post_id, action)


def _fetch_hints(client: httpx.Client, url: str, cap: int) -> PageHints:
    """GET the article page (following up to 5 redirects) and read its hints."""
    for _ in range(6):
        resp = request(client, "GET", url, cap=cap, headers={"Accept": "text/html"})
        if resp.status_code in (301, 302, 303, 307, 308) and "location" in resp.headers:
            url = urljoin(url, resp.headers["location"])
            continue
        if resp.status_code >= 500 or resp.status_code == 429:
            raise SendFailure(server_trouble(resp, "article page"))
        if resp.status_code >= 400:
            raise SendFailure(rejected(f"The article page {url} answered HTTP {resp.status_code}."))
        return page_hints(resp.content, url, resp.headers.get_list("link"))
    raise SendFailure(rejected(f"The article page {url} redirects too many times."))
