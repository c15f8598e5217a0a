"""Domain errors. The CLI turns each into a one-line message and an exit code."""

from __future__ import annotations

from dataclasses import dataclass


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
