"""Reading the newsletter as an HTML page or an e-mail (``.eml``, its HTML part, or its text
part read as plain text) into ``layout`` events. (The page ``report --format html`` writes
is ``formats.webpage``'s.)

The markup is walked by ``markup`` (shared with Markdown's HTML blocks): table rows become
:class:`Row` s, everything else lines of :class:`Text` in document order.
"""

from __future__ import annotations

import codecs
import email
import email.parser
import email.policy
import re
from typing import Any

from ..errors import StoreError
from . import Context, Reading, Source, Text, encoding_of, limits, whole
from .layout import interpret
from .markup import events_of_html
from .newsletter import events as text_events


def read(source: Source, context: Context, kind: str = "html") -> Reading:
    data = whole(source)
    if kind == "email":
        return _read_email(data, source, context)
    return read_markup(_decode(data, source), source.label, context)


def read_markup(markup: str, label: str, context: Context) -> Reading:
    deadline = limits.Deadline(label)
    events = events_of_html(markup, label, deadline)
    return interpret(limits.timed(events, deadline), context, label)


def _decode(data: bytes, source: Source) -> str:
    try:
        return data.decode(encoding_of(data[:4]))
    except UnicodeDecodeError:
        # A page may say its encoding only in a <meta> tag; selectolax reads that itself.
        from selectolax.lexbor import LexborHTMLParser

        parsed = LexborHTMLParser(data)
        if parsed.body is None:
            raise source.error("is not UTF-8 HTML") from None
        return parsed.html or ""


_MULTIPART = re.compile(rb"^content-type:\s*multipart/", re.I | re.M)


def _read_email(data: bytes, source: Source, context: Context) -> Reading:
    # The e-mail parser recurses once per nested multipart: count them before it runs.
    if len(_MULTIPART.findall(data)) > limits.MAX_MIME_MULTIPARTS:
        raise limits.too_many(source.label, "multipart parts", limits.MAX_MIME_MULTIPARTS)
    deadline = limits.Deadline(source.label)
    parser = email.parser.BytesFeedParser(policy=email.policy.default)
    try:
        for start in range(0, len(data), 1 << 16):
            parser.feed(data[start : start + (1 << 16)])
            deadline.check()
        message: Any = parser.close()
        body: Any = message.get_body(preferencelist=("html", "plain"))
    except RecursionError:  # a header the count above missed: folded oddly
        raise source.error("is an e-mail whose parts nest too deeply; refused") from None
    if body is None:
        raise StoreError(
            "is an e-mail with no HTML or text part; expected the newsletter in its body",
            source=source.label,
        )
    # An unknown charset is refused, not decoded with replacement characters: a title
    # would come in with "?" where letters were, silently (read as written, or refused).
    charset = body.get_content_charset()
    try:
        if charset:
            codecs.lookup(charset)
        content: str = body.get_content()
    except LookupError:
        raise source.error(f"unknown charset {charset}") from None
    if body.get_content_subtype() == "html":
        reading = read_markup(content, source.label, context)
        reading.kind = "e-mail (HTML)"
        return reading
    lines = (Text(line, n) for n, line in enumerate(content.splitlines(), start=1))
    reading = interpret(text_events(lines), context, source.label)
    reading.kind = "e-mail (text)"
    return reading
