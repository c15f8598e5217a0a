"""``serve``: the store as web pages, a calendar feed and a JSON API (``web/``)."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from ..errors import UsageError
from ..store import ENV_STORE
from .options import command, location, module_app, reading, say, shown_path
from .root import StoreOpt
from .typer_compat import whole_number

app = module_app()

LOCAL = {"localhost", "127.0.0.1", "::1"}
FACTORY = "inventory.web.app:from_environment"


@command(app, "serve")
def serve_cmd(
    store: StoreOpt = None,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="Listen on this address. Default: this machine only; 0.0.0.0 for everyone "
            "who can reach it.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", parser=whole_number(0), metavar="PORT", help="TCP port."),
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            parser=whole_number(1),
            metavar="N",
            help="Processes answering requests (one per core serves more at once).",
        ),
    ] = 1,
) -> None:
    """Serve the store to browsers and calendars: pages, a feed and an API, read-only.

    The inventory with the filters of list, reports, projects, a timeline, a calendar
    to subscribe to (/calendar.ics) and a JSON API (/api). Every page answers from
    the store as it is at that request: a change made with the command line, by a
    colleague or in a spreadsheet shows on the next one.
    Nothing a browser sends can change the store. Ctrl-C stops the server.

    \b
    Examples:
      inventory serve
      inventory serve --store postgresql://inventory@db/office --host 0.0.0.0 --port 8080
      inventory serve --workers 2
    """
    if port > 65535:
        raise UsageError(f"invalid value for --port: {port}; expected 0 to 65535")
    try:
        if host not in LOCAL:
            ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(
            f"invalid value for --host: {host!r}; expected an address such as 127.0.0.1 or 0.0.0.0"
        ) from None
    where = location(store)
    with reading(store) as opened:  # a missing or unreadable store is said now, not per page
        count = opened.count()
    import uvicorn

    from ..web.app import make_app

    shown = f"[{host}]" if ":" in host else host
    say(f"serving {shown_path(where.target)} ({count} activities) on http://{shown}:{port}/")
    if host not in LOCAL and not ipaddress.ip_address(host).is_loopback:
        say(
            f"anyone who can reach this machine on port {port} can now read the inventory; "
            "put it behind the office's proxy with sign-in (docs/serve.md)"
        )
    say("press Ctrl-C to stop")
    settings = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "server_header": False,
        "proxy_headers": True,
    }
    if workers == 1:
        uvicorn.run(make_app(where), **settings)  # type: ignore[arg-type]
        return
    # Each worker is a process of its own that imports the app by name and finds the store
    # as any command does: through $INVENTORY_STORE, set here for them.
    os.environ[ENV_STORE] = where.target
    uvicorn.run(FACTORY, factory=True, workers=workers, **settings)  # type: ignore[arg-type]
