"""Domain errors. The CLI turns each into a one-line message and an exit code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote


def excerpt(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters: an error about a 100 kB
    value should not print it back whole."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


def shortened(text: str, width: int) -> str:
    """``text`` cut at a word boundary, with an ellipsis, so a message reads naturally."""
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


_USER_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s\"']*):(?!\*\*\*@)[^@/\s\"']*@")
_PASSWORD_PARAMETER = re.compile(
    r"(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^&\s\"']*)", re.IGNORECASE
)
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://\S*")
_SECRETS: set[str] = set()
"""The passwords of the locations named in this run (see :func:`hide`)."""


def secrets_in(target: str) -> list[str]:
    """The passwords a store location holds, read leniently: a URL too malformed for
    ``urlsplit`` (``postgresql://u:pw@[::1:5432/db``) still has one, and libpq quotes it
    whole in its error."""
    found = [m.group(2).strip("'") for m in _PASSWORD_PARAMETER.finditer(target)]
    _, scheme, rest = target.partition("://")
    if scheme and "@" in rest:
        for userinfo in {rest.split("@")[0], rest.rsplit("@", 1)[0]}:
            if ":" in userinfo and "?" not in userinfo:
                found.append(userinfo.split(":", 1)[1])
    found = [s for s in found if s and s != "***"]
    return found + [unquote(s) for s in found if unquote(s) != s]


def hide(target: str) -> None:
    """Remember the passwords in ``target`` (a store location given to this run), so that
    :func:`redact` takes them out of any text, however a driver quotes them."""
    _SECRETS.update(secrets_in(target))


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """``text`` (a URL, a message, a command line) without a password: a URL's
    ``user:password@`` becomes ``user@`` (a location to type again, where libpq finds the
    password in PGPASSWORD or ~/.pgpass), ``password=...`` (URL or key-value form)
    ``password=***``, and every other password ``secrets`` or :func:`hide` name, or that a
    URL in the text holds, ``***`` wherever it appears (a driver quoting what it could not
    parse)."""
    if not text:
        return text
    found = {*secrets, *_SECRETS}
    for url in _URL.findall(text):
        found.update(secrets_in(url.strip("\"'")))
    text = _PASSWORD_PARAMETER.sub(r"\1***", _USER_PASSWORD.sub(r"\1@", text))
    for secret in sorted(found, key=len, reverse=True):
        if len(secret) >= 3:  # a shorter one would blank out ordinary words
            text = text.replace(secret, "***")
    return text


class InventoryError(Exception):
    """Base of every error a user can act on. ``exit_code`` 1: bad data."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        text: str | None = None,
        field: str | None = None,
        source: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.field = field
        self.source = source
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.source is not None:
            where = self.source + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class ParseError(InventoryError):
    """Text (a date, a place, a line, a period) that does not read as expected."""


class StoreError(InventoryError):
    """A store that cannot be found, read or written."""


class UsageError(InventoryError):
    """A command-line value of the wrong form. Exit code 2, like a usage error."""

    exit_code = 2


MAX_PROBLEMS = 1000
"""Rows or records reported before reading stops: a file of a million wrong ones needs one
look, not a million lines."""


@dataclass(frozen=True)
class Problem:
    """Something a reader should know about one line of an input."""

    message: str
    line: int | None = None
    field: str | None = None
    severity: str = "warning"  # "warning": imported anyway; "error": not imported
    source: str = ""

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line is not None else "")
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {self.severity}: {field}{self.message}"
