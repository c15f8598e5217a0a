"""Plain text: the characters no stored text may hold, and how to show them when text from
outside the gate (a message quoting input, a file name, a setting) reaches a reader.

No dependencies, so the command layer can use it on its way out without loading the models.
"""

from __future__ import annotations

import re

FORBIDDEN = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
    r"\ud800-\udfff]"
)
"""C0 and C1 controls but tab and newline (ESC, BEL, NUL: terminal escapes), bidirectional
overrides and isolates, zero-width spaces, line separators and the byte-order mark (text
that reads differently from what it is), and lone surrogates (bytes that were not UTF-8)."""

_NAMES = {
    "\x1b": "an escape character (ESC)",
    "\x07": "a bell character (BEL)",
    "\x00": "a NUL character",
    "\r": "a carriage return",
    "\u202e": "a right-to-left override (U+202E)",
    "\u200b": "a zero-width space (U+200B)",
    "\u2028": "a line separator (U+2028)",
}


def _undecodable(char: str) -> bool:
    return "\udc80" <= char <= "\udcff"  # how Python reads a byte that is not UTF-8


def describe_char(char: str) -> str:
    """A forbidden character in words, for a message."""
    if _undecodable(char):
        return f"a byte that is not UTF-8 (0x{ord(char) - 0xDC00:02x})"
    return _NAMES.get(char, f"a control character (U+{ord(char):04X})")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if _undecodable(char):
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")


def printable(text: str) -> str:
    """``text`` with every forbidden character shown as its escape (``\\x1b``, ``\\u202e``);
    tabs and newlines are kept."""
    return FORBIDDEN.sub(_escape, text)


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet shows as text: a leading ``'`` before a formula character (and
    before a text that already looks neutralised, so that :func:`unneutralise` gives back
    exactly what was written)."""
    if cell.startswith(FORMULA_PREFIXES) or _looks_neutralised(cell):
        return "'" + cell
    return cell


def _looks_neutralised(cell: str) -> bool:
    return cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_PREFIXES)


def unneutralise(cell: str) -> str:
    """Inverse of :func:`neutralise`, so an export read back is what was exported."""
    return cell[1:] if _looks_neutralised(cell) else cell
