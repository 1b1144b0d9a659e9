"""The comment form's checks use the words of the site's own form."""

from __future__ import annotations

import pytest

from termnews.comments.validate import check_comment, is_email, is_web_address


def messages(**kw: str) -> dict[str, str]:
    fields = {"name": "Ada", "email": "ada@example.org", "url": "", "text": "Hello", **kw}
    return {e.field: e.message for e in check_comment(**fields)}


def test_a_complete_comment_passes() -> None:
    assert messages() == {}
    assert messages(url="https://ada.example.org/blog") == {}


def test_empty_fields_say_what_the_site_form_says() -> None:
    assert messages(text="  \n ") == {"text": "Please enter your comment!"}
    assert messages(name=" ") == {"name": "Please enter your name here"}
    assert messages(email="") == {"email": "Please enter your email address here"}


@pytest.mark.parametrize(
    "email", ["ada", "ada@", "@example.org", "ada@example", "a b@example.org", "ada@@x.org",
              "ada@exa mple.org", "ada@-x.org", "ada@x..org"],
)  # fmt: skip
def test_malformed_email_says_so(email: str) -> None:
    assert not is_email(email)
    assert messages(email=email) == {"email": "You have entered an incorrect email address!"}


@pytest.mark.parametrize(
    "email", ["ada@example.org", "a.b+c@sub.example.co.uk", "x_y@bücher.example"]
)
def test_good_emails(email: str) -> None:
    assert is_email(email)


def test_all_problems_are_listed_in_form_order() -> None:
    errors = check_comment("", "nope", "ftp://x", "")
    assert [e.field for e in errors] == ["text", "name", "email", "url"]


def test_website_must_be_http() -> None:
    assert is_web_address("http://x.example")
    assert not is_web_address("javascript:alert(1)")
    assert "website" in messages(url="javascript:alert(1)")["url"]


def test_lengths_as_wordpress_limits_them() -> None:
    assert messages(text="x" * 65526) == {"text": "Your comment is too long."}
    assert messages(name="n" * 246) == {"name": "Your name is too long."}
