"""Feed dates to UTC epoch seconds.

The two shapes nearly every feed uses (RFC 822 and ISO 8601 / RFC 3339) are read
here with one regex each; anything else goes to feedparser's forgiving date parser,
imported only then. Results agree with feedparser's for the shapes handled here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_TZ_HOURS = {
    "gmt": 0, "ut": 0, "utc": 0, "z": 0,
    "edt": -4, "est": -5, "cdt": -5, "cst": -6, "mdt": -6, "mst": -7, "pdt": -7, "pst": -8,
}  # fmt: skip
_RFC822 = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    r"(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+(\d{4})\s+"
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s+([+-]\d{4}|[a-z]+)",
    re.IGNORECASE,
)
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*([Zz]|[+-]\d{2}:\d{2})?"
)


def parse_date(value: str | None) -> int | None:
    """UTC seconds since the epoch for a feed date string, or None if unreadable."""
    if not value:
        return None
    s = value.strip()
    if not s:
        return None
    stamp = _fast(s)
    if stamp is not None:
        return stamp
    return _slow(s)


def _fast(s: str) -> int | None:
    m = _ISO.fullmatch(s)
    if m:
        y, mo, d, hh, mm, ss, tz = m.groups()
        offset = 0
        if tz and tz not in "Zz":
            sign = -1 if tz[0] == "-" else 1
            offset = sign * (int(tz[1:3]) * 60 + int(tz[4:6]))
        return _epoch(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), offset)
    m = _RFC822.fullmatch(s)
    if m:
        d, mon, y, hh, mm, ss, tz = m.groups()
        tz = tz.lower()
        if tz[0] in "+-":
            sign = -1 if tz[0] == "-" else 1
            offset = sign * (int(tz[1:3]) * 60 + int(tz[3:5]))
        elif tz in _TZ_HOURS:
            offset = _TZ_HOURS[tz] * 60
        else:
            return None
        month = _MONTHS[mon.lower()]
        return _epoch(int(y), month, int(d), int(hh), int(mm), int(ss or 0), offset)
    return None


def _epoch(y: int, mo: int, d: int, hh: int, mm: int, ss: int, offset_min: int) -> int | None:
    try:
        stamp = dt.datetime(y, mo, d, hh, mm, ss)
    except ValueError:
        return None
    return calendar.timegm(stamp.timetuple()) - offset_min * 60


def _slow(s: str) -> int | None:
    from feedparser.datetimes import _parse_date  # lazy: heavy import

    parsed = _parse_date(s)
    if parsed is None:
        return None
    try:
        return calendar.timegm(parsed)
    except (OverflowError, ValueError):
        return None
