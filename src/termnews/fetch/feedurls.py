"""URL resolution inside feeds, matching feedparser's (xml:base, relative links)."""

from __future__ import annotations

import re
import urllib.parse

# The schemes feedparser accepts for a base URI (anything else is ignored).
_SAFE_SCHEMES = frozenset(
    """file ftp gopher h323 hdl http https imap magnet mailto mms news nntp prospero rsync
    rtsp rtspu sftp shttp sip sips snews svn svn+ssh telnet wais aim callto cvs facetime
    feed git gtalk irc ircs irc6 itms msnim skype ssh smb ymsg""".split()  # noqa: SIM905
)
_EXTRA_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")


def join_url(base: str, url: str) -> str:
    """Resolve url against base ("" when it cannot be parsed)."""
    if ":///" in url:
        url = _EXTRA_SLASHES.sub(r"\1\3", url)
    if not base:
        return url
    try:
        return urllib.parse.urljoin(base, url)
    except ValueError:
        return ""


def absolute(base: str, url: str) -> str:
    """url against the feed's own URL, skipping the work for already-absolute web URLs."""
    if not base or url.startswith(("http://", "https://")):
        return url
    return join_url(base, url)


def safe_base(base: str, xml_base: str | None) -> str:
    """The base URI in effect inside an element carrying xml:base (if any)."""
    if not xml_base:
        return base
    if not base:
        return join_url("", xml_base)
    joined = join_url(base, xml_base)
    if joined.strip().split(":", 1)[0] not in _SAFE_SCHEMES:
        return base
    return joined


_SCRIPT_SCHEMES = ("javascript", "vbscript", "data", "file")


def safe_link(url: str) -> str:
    """url, or "" if it would run code or read local files when opened."""
    head = url[:16]
    if ":" in head and head.split(":", 1)[0].strip().lower() in _SCRIPT_SCHEMES:
        return ""
    return url
