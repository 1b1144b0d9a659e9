"""The checks a site's own comment form makes, with the words such forms use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# Limits WordPress enforces (wp_check_comment_data_max_lengths).
MAX_NAME = 245
MAX_EMAIL = 100
MAX_URL = 200
MAX_TEXT = 65525

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field of the comment form."""

    field: str  # "name", "email", "url" or "text"
    message: str


def is_email(text: str) -> bool:
    """A plausible address: local@domain.tld, as WordPress's is_email() accepts."""
    if len(text) < 6 or text.count("@") != 1:
        return False
    local, domain = text.split("@")
    if not local or not _LOCAL.match(local) or ".." in domain:
        return False
    labels = domain.split(".")
    if len(labels) < 2:
        return False
    try:
        labels = [lbl.encode("idna").decode("ascii") for lbl in labels]
    except UnicodeError:
        return False
    return all(_LABEL.match(lbl) for lbl in labels)


def is_web_address(text: str) -> bool:
    """An http(s) URL with a host."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in text


def check_comment(name: str, email: str, url: str, text: str) -> list[FieldError]:
    """Everything wrong with a comment, in form order; empty when it can be sent."""
    errors: list[FieldError] = []
    if not text.strip():
        errors.append(FieldError("text", "Please enter your comment!"))
    elif len(text) > MAX_TEXT:
        errors.append(FieldError("text", "Your comment is too long."))
    if not name.strip():
        errors.append(FieldError("name", "Please enter your name here"))
    elif len(name) > MAX_NAME:
        errors.append(FieldError("name", "Your name is too long."))
    if not email.strip():
        errors.append(FieldError("email", "Please enter your email address here"))
    elif not is_email(email.strip()):
        errors.append(FieldError("email", "You have entered an incorrect email address!"))
    elif len(email) > MAX_EMAIL:
        errors.append(FieldError("email", "Your email address is too long."))
    if url.strip() and not is_web_address(url.strip()):
        errors.append(
            FieldError(
                "url", "Please enter a valid website address (starting http:// or https://)."
            )
        )
    elif len(url) > MAX_URL:
        errors.append(FieldError("url", "Your website address is too long."))
    return errors
