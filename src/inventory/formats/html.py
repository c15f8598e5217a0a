"""``report`` and ``projects`` ``--format html``: the page to publish, made by ``webpage``.
(Reading HTML pages and e-mails is ``readers.html``'s.)"""

from __future__ import annotations

from typing import Any

from . import Output


def write(result: Any, out: Output) -> None:
    """``--format html``: the report or the project registry as a web page."""
    from .webpage import write_page

    write_page(result, out)
