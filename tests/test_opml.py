"""OPML import and export with nested folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from termnews.fetch.opml import OpmlError, Subscription, read_opml, write_opml

SAMPLE = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>x</title></head><body>
  <outline text="Loose" type="rss" xmlUrl="http://a.example/feed"/>
  <outline text="News">
    <outline text="World &amp; More" title="World &amp; More" type="rss" xmlUrl="http://b.example/rss"/>
    <outline text="Europe">
      <outline text="Euro" type="rss" xmlURL="http://c.example/atom.xml"/>
    </outline>
  </outline>
  <outline text="Empty folder"/>
</body></opml>"""


def test_read_nested_folders() -> None:
    subs = read_opml(SAMPLE)
    assert subs == [
        Subscription("http://a.example/feed", "Loose", ""),
        Subscription("http://b.example/rss", "World & More", "News"),
        Subscription("http://c.example/atom.xml", "Euro", "News/Europe"),
    ]


def test_export_then_import_is_identity() -> None:
    subs = read_opml(SAMPLE)
    assert read_opml(write_opml(subs).encode()) == subs


@pytest.mark.parametrize(
    "data",
    [b"<html><body>hi</body></html>", b"not xml at all <", b"<opml><head/></opml>"],
)
def test_not_opml(data: bytes) -> None:
    with pytest.raises(OpmlError):
        read_opml(data)


def test_entities_are_not_expanded() -> None:
    doc = b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&x;" xmlUrl="http://a.example/f"/></body></opml>"""
    try:
        subs = read_opml(doc)
    except OpmlError as exc:  # refusing the document is as good as not expanding
        assert "root:" not in str(exc)
    else:
        assert "root:" not in subs[0].title
    bomb = b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>
<opml version="2.0"><body><outline text="&e;" xmlUrl="http://a.example/f"/></body></opml>"""
    try:
        subs = read_opml(bomb)
    except OpmlError:
        pass
    else:
        assert len(subs[0].title) < 1000


def test_cli_import_export_roundtrip(cli, tmp_path: Path) -> None:
    src = tmp_path / "in.opml"
    src.write_bytes(SAMPLE)
    result = cli("import", str(src))
    assert result.code == 0, result.err
    assert "3 new feeds" in result.out
    assert "0 new feeds (3 already" in cli("import", str(src)).out
    out = tmp_path / "out.opml"
    assert cli("export", str(out)).code == 0
    assert sorted(read_opml(out.read_bytes()), key=lambda s: s.url) == sorted(
        read_opml(SAMPLE), key=lambda s: s.url
    )
    # export to stdout too
    assert "http://c.example/atom.xml" in cli("export").out


def test_cli_import_bad_file(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text("<html/>")
    result = cli("import", str(bad))
    assert result.code == 2 and "bad.opml" in result.err and "OPML" in result.err
    assert cli("import", str(tmp_path / "missing.opml")).code == 2
