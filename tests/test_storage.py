"""The SQLite cache: schema, upserts without duplicates, flags kept, bad files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from termnews.fetch.model import Enclosure, ParsedEntry
from termnews.storage.articles import entry_key, list_articles, set_flag, upsert_entries
from termnews.storage.db import StorageError, connect, transaction
from termnews.storage.feeds import add_feed, find_feed, list_feeds, remove_feed
from termnews.storage.schema import MIGRATIONS


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = connect(tmp_path / "cache.db")
    yield c
    c.close()


def store(conn: sqlite3.Connection, feed_id: int, entries: list[ParsedEntry]):
    with transaction(conn):
        return upsert_entries(conn, feed_id, entries, int(time.time()))


def test_schema_is_versioned_and_wal(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_reopen_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    connect(path).close()
    c = connect(path)
    assert c.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_keys_fall_back_from_guid_to_link_to_hash() -> None:
    assert entry_key(ParsedEntry(guid="g1", link="http://x")) == "g:g1"
    assert entry_key(ParsedEntry(link="http://x")) == "l:http://x"
    a = entry_key(ParsedEntry(title="t", summary="s"))
    assert a.startswith("h:") and a == entry_key(ParsedEntry(title="t", summary="s"))
    assert a != entry_key(ParsedEntry(title="t", summary="other"))


def test_refresh_never_duplicates_and_edits_keep_flags(conn: sqlite3.Connection) -> None:
    fid = add_feed(conn, "http://example.org/feed")
    entries = [
        ParsedEntry(guid="1", title="One", published=100),
        ParsedEntry(link="http://example.org/2", title="Two", published=200),
        ParsedEntry(title="Three", summary="no guid, no link"),
        ParsedEntry(guid="1", title="One again in the same document"),
    ]
    counts = store(conn, fid, entries)
    assert (counts.new, counts.updated) == (3, 0)
    counts = store(conn, fid, entries)
    assert (counts.new, counts.updated) == (0, 0)
    first = next(a for a in list_articles(conn) if a.guid == "1")
    set_flag(conn, [first.id], "read", True)
    set_flag(conn, [first.id], "starred", True)
    edited = [
        ParsedEntry(guid="1", title="One (corrected)", published=100,
                    enclosures=[Enclosure("http://example.org/a.mp3", "audio/mpeg", 12)]),
        *entries[1:3],
    ]
    counts = store(conn, fid, edited)
    assert (counts.new, counts.updated) == (0, 1)
    articles = list_articles(conn)
    assert len(articles) == 3
    again = next(a for a in articles if a.guid == "1")
    assert again.id == first.id and again.title == "One (corrected)"
    assert again.read and again.starred
    assert again.enclosures == [{"url": "http://example.org/a.mp3", "type": "audio/mpeg",
                                 "length": 12}]


def test_same_guid_in_two_feeds_is_two_articles(conn: sqlite3.Connection) -> None:
    a = add_feed(conn, "http://a.example/feed")
    b = add_feed(conn, "http://b.example/feed")
    store(conn, a, [ParsedEntry(guid="x", title="A")])
    store(conn, b, [ParsedEntry(guid="x", title="B")])
    assert len(list_articles(conn)) == 2
    counts = {f.url: (f.unread, f.total) for f in list_feeds(conn)}
    assert counts == {"http://a.example/feed": (1, 1), "http://b.example/feed": (1, 1)}


def test_remove_feed_drops_articles(conn: sqlite3.Connection) -> None:
    fid = add_feed(conn, "http://a.example/feed", folder="News")
    assert add_feed(conn, "http://a.example/feed") == fid
    store(conn, fid, [ParsedEntry(guid="x")])
    assert find_feed(conn, str(fid)).folder == "News"
    remove_feed(conn, fid)
    assert find_feed(conn, "http://a.example/feed") is None
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0


def test_not_a_database_says_where_and_how(tmp_path: Path) -> None:
    path = tmp_path / "termnews.db"
    path.write_bytes(b"this is a text file, not SQLite\n" * 100)
    with pytest.raises(StorageError) as err:
        connect(path)
    message = str(err.value)
    assert str(path) in message and "start fresh" in message and "mv " in message


def test_corrupt_database_says_where(tmp_path: Path) -> None:
    path = tmp_path / "termnews.db"
    c = connect(path)
    fid = add_feed(c, "http://a.example/feed")
    store(c, fid, [ParsedEntry(guid=str(i), content="x" * 2000) for i in range(200)])
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    data = bytearray(path.read_bytes())
    data[4096:4096 * 6] = b"\xde\xad\xbe\xef" * (4096 * 5 // 4)  # smash pages after the header
    path.write_bytes(bytes(data))
    with pytest.raises((StorageError, sqlite3.DatabaseError)) as err:
        c = connect(path)
        list_articles(c)
    if isinstance(err.value, StorageError):
        assert str(path) in str(err.value)


def test_cli_corrupt_database_exit_3(cli, isolated_home: Path) -> None:
    db = isolated_home / "data" / "termnews.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"garbage" * 1000)
    result = cli("feeds")
    assert result.code == 3
    assert str(db) in result.err and "start fresh" in result.err
    assert "Traceback" not in result.err


def test_cli_smashed_database_exit_3(cli, isolated_home: Path, tmp_path: Path) -> None:
    src = tmp_path / "feeds.opml"
    src.write_text('<opml version="2.0"><body>'
                   + "".join(f'<outline text="f{i}" xmlUrl="http://h{i}.example/f"/>'
                             for i in range(300))
                   + "</body></opml>")
    assert cli("import", str(src)).code == 0
    db = isolated_home / "data" / "termnews.db"
    data = bytearray(db.read_bytes())
    data[4096 * 2:] = b"\x00\xff" * ((len(data) - 4096 * 2) // 2)
    db.write_bytes(bytes(data))
    for name in ("termnews.db-wal", "termnews.db-shm"):
        (db.parent / name).unlink(missing_ok=True)
    result = cli("feeds")
    assert result.code == 3, result
    assert str(db) in result.err and "Traceback" not in result.err


WRITER = """
import sys, time
from termnews.storage.db import connect, transaction
from termnews.storage.articles import upsert_entries, set_flag
from termnews.storage.feeds import add_feed
from termnews.fetch.model import ParsedEntry
c = connect(__import__("pathlib").Path(sys.argv[1]))
tag = sys.argv[2]
fid = add_feed(c, "http://shared.example/feed")
for round in range(30):
    with transaction(c):
        upsert_entries(c, fid, [ParsedEntry(guid=f"{tag}-{round}-{i}", content="x" * 500)
                                for i in range(20)], int(time.time()))
    ids = [r[0] for r in c.execute("SELECT id FROM articles ORDER BY random() LIMIT 10")]
    set_flag(c, ids, "read", round % 2 == 0)
print("ok")
"""


def test_two_processes_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for tag in ("a", "b", "c")
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert out.strip() == "ok"
    c = connect(path)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert c.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 3 * 30 * 20
    assert c.execute("SELECT COUNT(*) FROM feeds").fetchone()[0] == 1
