"""The [comments] table: defaults, backends, and clear messages for mistakes."""

from __future__ import annotations

import pytest

from termnews.config import ConfigError, parse_config

GOOD = """
[comments]
name = "Ada"
email = "ada@example.org"

[[comments.backends]]
match = "news.example.org"      # host[:port] of the article's URL
kind = "wordpress"
url = "https://news.example.org"
user = "ada"
password_env = "TERMNEWS_WP_PASSWORD"

[[comments.backends]]
match = "blog.example.net:8080"
kind = "isso"
url = "https://comments.example.net"

[[comments.backends]]
match = "*.example.com"
kind = "webhook"
url = "https://hooks.example.com/comments"
password_file = "~/.config/termnews/hook-token"
"""


def test_the_issue_example_parses() -> None:
    config = parse_config(GOOD)
    c = config.comments
    assert (c.name, c.email) == ("Ada", "ada@example.org")
    assert [b.kind for b in c.backends] == ["wordpress", "isso", "webhook"]
    wp = c.backends[0]
    assert (wp.match, wp.url, wp.user, wp.password_env) == (
        "news.example.org", "https://news.example.org", "ada", "TERMNEWS_WP_PASSWORD",
    )  # fmt: skip


def test_no_comments_table_means_no_backends() -> None:
    c = parse_config("").comments
    assert (c.name, c.email, c.backends) == ("", "", [])


def backend(**kw: str) -> str:
    lines = "\n".join(f'{k} = "{v}"' for k, v in kw.items())
    return f"[[comments.backends]]\n{lines}\n"


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        (backend(match="a.org", kind="blogger"),
         ["comments.backends[0].kind", '"wordpress" | "wordpress-form" | "isso" | "webhook"',
          "'blogger'"]),
        (backend(kind="isso", url="https://c.org"), ["comments.backends[0].match", "missing"]),
        (backend(match="https://a.org/x", kind="wordpress"),
         ["comments.backends[0].match", "host (or host:port)"]),
        (backend(match="a.org", kind="isso"),
         ["comments.backends[0].url", "Isso server's root URL"]),
        (backend(match="a.org", kind="webhook"), ["comments.backends[0].url", "endpoint"]),
        (backend(match="a.org", kind="wordpress", url="ftp://a.org"),
         ["comments.backends[0].url", "http://"]),
        (backend(match="a.org", kind="wordpress", user="ada"),
         ["comments.backends[0]", "user 'ada' needs a password", "password_env"]),
        (backend(match="a.org", kind="wordpress", password_env="X"),
         ["comments.backends[0]", "needs a user"]),
        (backend(match="a.org", kind="wordpress", user="a", password_env="X", password_file="f"),
         ["not both"]),
        (backend(match="a.org", kind="wordpress-form", user="a", password_env="X"),
         ["wordpress-form", "guest"]),
        (backend(match="a.org", kind="wordpress", passwd="x"),
         ["comments.backends[0].passwd", "unknown key", "password_env"]),
        (backend(match="a.org", kind="isso", url="https://c.org", user="x"),
         ["isso takes no user"]),
        ('[comments]\nemail = "ada-at-example"\n', ["comments.email", "not an email address"]),
        ("[comments]\nbackends = 3\n", ["comments.backends", "a list of tables"]),
        ("[comments]\nname = 1\n", ["comments.name", "expected a string"]),
        ("[[comments.backends]]\nmatch = 'a.org'\nkind = 'isso'\nurl = 'https://c.org'\n"
         "[[comments.backends]]\nmatch = 'b.org'\nkind = 'wp'\n",
         ["comments.backends[1].kind"]),
    ],
)  # fmt: skip
def test_mistakes_name_the_key_and_what_is_expected(text: str, needles: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "/home/ada/.config/termnews/config.toml")
    message = str(info.value)
    assert message.startswith("/home/ada/.config/termnews/config.toml: ")
    for needle in needles:
        assert needle in message


def test_a_bad_comments_table_is_a_config_error_at_the_cli(cli, isolated_home) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "config.toml").write_text(backend(match="a.org", kind="blogger"))
    result = cli("drafts")
    assert result.code == 2
    assert "config error" in result.err and "comments.backends[0].kind" in result.err
