"""``inventory serve``: the store, live, as web pages, a calendar to subscribe to and a JSON
API, on Starlette. Every request opens the store, asks it once and closes it, so a change
made by the command line, a colleague or a spreadsheet shows on the next request, and each
answer is of one version of the store. Nothing here writes: a request has no way to change
the store (only GET and HEAD are routed).

The pages are the published page's templates (``formats/templates``) extended, with its
stylesheet served rather than inlined; the API answers are the command line's writers', so
``/api/activities?...`` is byte for byte ``inventory list --json ...``."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from importlib import resources
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..errors import InventoryError, StoreError, UsageError, redact
from ..filters import Filters
from ..formats import Format, Listing, Output, Summary, write
from ..formats.json import records as json_records
from ..months import ENV_TODAY, parse_day
from ..store import Location, Store, open_store
from . import pages
from .params import NAMES, read_query

THREADS = 4
"""Requests a server process answers at once (one per worker process with ``--workers``)."""
MAX_PICTURE_DAYS = 3_660
"""A picture (report, timeline) of more than ten years is a mistake in a URL, not a plan."""
NDJSON = "application/x-ndjson"
log = logging.getLogger("inventory.serve")

HEADERS = {
    # The pages need nothing but themselves: no script, no frame, no other origin.
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


class SecurityHeaders:
    """The headers every answer carries, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                for name, value in HEADERS.items():
                    if name.encode() not in have:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, sending)


class Site:
    """The store behind the pages, and the reference day of their 'as of'."""

    def __init__(self, location: Location, today: Callable[[], date] | None = None) -> None:
        self.location = location
        self._today = today

    @contextmanager
    def store(self) -> Iterator[Store]:
        opened = open_store(self.location, create=False, progress=None)
        try:
            yield opened
        finally:
            opened.close()

    def today(self) -> date:
        if self._today is not None:
            return self._today()
        env = os.environ.get(ENV_TODAY)
        return parse_day(env) if env else date.today()


def refusal(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse((redact(message).splitlines() or [""])[0] + "\n", status_code=status)


def make_app(location: Location, *, today: Callable[[], date] | None = None) -> Starlette:
    """The web application over the store at ``location``."""
    site = Site(location, today)

    def guarded(handler: Callable[[Request, Site], Response]) -> Callable[[Request], Response]:
        # Starlette runs a plain function in its thread pool: a slow store blocks no one else.
        def endpoint(request: Request) -> Response:
            pages.HOST.set(request.url.netloc)
            try:
                return handler(request, site)
            except UsageError as error:
                return refusal(400, error.message)
            except HTTPException:
                raise
            except StoreError as error:
                return refusal(503, f"the store cannot be read: {error.message}")
            except InventoryError as error:
                return refusal(422, error.message)
            except Exception:
                # Never a traceback in a page (the log has it), and the headers still on.
                log.exception("%s failed", request.url.path)
                return refusal(500, "internal error; the server's log says more")

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint

    routes = [
        Route("/", guarded(index)),
        Route("/activity/{ident:path}", guarded(activity)),
        Route("/report", guarded(report_asked)),
        Route("/report/{period}", guarded(report)),
        Route("/projects", guarded(all_projects)),
        Route("/projects/{name}", guarded(project)),
        Route("/timeline", guarded(timeline_view)),
        Route("/calendar.ics", guarded(calendar)),
        Route("/api", api_docs),
        Route("/api/openapi.json", openapi),
        Route("/api/activities", guarded(api_activities)),
        Route("/api/report", guarded(api_report)),
        Route("/static/{name}", static),
        Route("/favicon.ico", no_icon),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        detail = getattr(exc, "detail", "not found")
        return refusal(status, f"{detail}: {request.url.path[:200]}" if status == 404 else detail)

    async def failed(request: Request, exc: Exception) -> Response:
        # Never a traceback in a page: the server's log has it.
        return refusal(500, "internal error; the server's log says more")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # A page is Python work under one lock (the GIL): forty threads a process (anyio's
        # default) answer no sooner than four, and each holds a store of its own open.
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield

    app = Starlette(
        routes=routes,
        middleware=[],
        exception_handlers={404: not_found, 405: not_found, Exception: failed},
        lifespan=lifespan,
    )
    app.add_middleware(SecurityHeaders)
    return app


def from_environment() -> Starlette:
    """The app over the store ``$INVENTORY_STORE`` names (or the settings, as for any
    command): what each worker of ``inventory serve --workers N`` runs, and what
    ``uvicorn --factory inventory.web.app:from_environment`` serves behind a proxy."""
    from ..store import find_store

    return make_app(find_store(None))


# --- pages ---------------------------------------------------------------------------------


def _tidied(request: Request, filters: Filters, **extra: str | None) -> Response | None:
    """The form sends every field, the empty ones too: the address bar, and a link copied
    from it, should hold only the filters asked for (``/?project=GLACY%2B&month=2019-11``)."""
    if not any(not value.strip() for _, value in request.query_params.multi_items()):
        return None
    return RedirectResponse(pages.link(request.url.path, filters, **extra), 303)


def index(request: Request, site: Site) -> Response:
    asked = read_query(request.query_params.multi_items(), request.url.query, ("sort", "page"))
    tidy = _tidied(request, asked.filters, **asked.extra)
    if tidy is not None:
        return tidy
    with site.store() as store:
        answer = _answer(store, asked.filters)
        records = list(json_records(answer))
        stored = store.count() if not records else None
    page = _page_number(asked.extra.get("page"))
    html = pages.index_page(asked.filters, records, asked.extra.get("sort"), page, stored)
    return HTMLResponse(html)


def _page_number(text: str | None) -> int:
    if text is None:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise UsageError(f"invalid value for page: {text!r}; expected a whole number from 1")
    return int(text)


_ID = re.compile(r"[0-9a-z]{1,40}")


def activity(request: Request, site: Site) -> Response:
    read_query(request.query_params.multi_items(), request.url.query, only=("limit",))
    ident = request.path_params["ident"]
    if not _ID.fullmatch(ident):
        raise UsageError(f"{ident[:40]!r} is not an activity id; expected letters and digits")
    with site.store() as store:
        found = store.by_ids([ident])
        if ident not in found:
            return refusal(404, f"no activity with id {ident!r}")
        history = store.history(ident=ident)
    return HTMLResponse(pages.activity_page(found[ident], history))


def _period_words(text: str) -> Filters:
    """``/report/Q4-2019``, ``/report/2019-11``, ``/report/2020``."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return Filters(year=text, spelling=NAMES)
    if re.fullmatch(r"\d{4}-\d{1,2}", text) or (
        re.fullmatch(r"[A-Za-z]+-?\d{4}", text) and text[:1] not in "qQ"
    ):
        return Filters(month=text, spelling=NAMES)
    return Filters(quarter=text, spelling=NAMES)


def _bounded(filters: Filters, period: tuple[date, date] | None = None) -> None:
    """Refuse a picture of more than ten years: ``from``/``to`` as given, or ``period`` (one
    already cut to the store's activities)."""
    if period is None and filters.start is not None and filters.end is not None:
        period = filters.period()[0]
    if period is not None:
        days = (period[1] - period[0]).days + 1
        if days > MAX_PICTURE_DAYS:
            raise UsageError(
                f"a period of {days:,} days; expected at most {MAX_PICTURE_DAYS:,} (ten years)"
            )


def _report(request: Request, site: Site, filters: Filters | None) -> Summary:
    """The report of the period ``filters`` names (``/report/Q4-2019``), or of the one the
    query string names (``/report?from=...&to=...``), and the projects it asks for."""
    from ..report import report_for

    asked = read_query(
        request.query_params.multi_items(),
        request.url.query,
        ("as-of",),
        only=("project",) if filters is not None else REPORT_PARAMS,
    )
    chosen = asked.filters
    if filters is not None:
        chosen = Filters(**{**_fields(filters), "project": chosen.project}, spelling=NAMES)
    _bounded(chosen)
    today = _as_of(asked.extra.get("as-of"), site)
    period, label = chosen.period()
    with site.store() as store:
        built, activities = report_for(store, chosen.criteria(store), period, label)
    return Summary(built, activities, today=today)


REPORT_PARAMS = ("month", "quarter", "year", "from", "to", "project")
"""The filters of ``report``."""


def _fields(filters: Filters) -> dict[str, Any]:
    return {name: getattr(filters, name) for name in NAMES}


def _as_of(text: str | None, site: Site) -> date:
    if text is None:
        return site.today()
    try:
        return parse_day(text)
    except UsageError as error:
        raise UsageError(f"invalid value for as-of: {error.message}") from None


def report(request: Request, site: Site) -> Response:
    period = _period_words(request.path_params["period"])
    summary = _report(request, site, period)
    return HTMLResponse(pages.report_page(summary, pages.link("/calendar.ics", period)))


def report_asked(request: Request, site: Site) -> Response:
    """``/report?from=...&to=...`` (any period ``report`` takes); with none, the current
    quarter's."""
    asked = read_query(
        request.query_params.multi_items(), request.url.query, ("as-of",), only=REPORT_PARAMS
    )
    if asked.filters.period()[0] is None:
        today = _as_of(asked.extra.get("as-of"), site)
        quarter = f"Q{(today.month - 1) // 3 + 1}-{today.year}"
        return RedirectResponse(pages.link(f"/report/{quarter}", asked.filters, **asked.extra), 302)
    tidy = _tidied(request, asked.filters, **asked.extra)
    if tidy is not None:
        return tidy
    summary = _report(request, site, None)
    return HTMLResponse(pages.report_page(summary, pages.link("/calendar.ics", asked.filters)))


def all_projects(request: Request, site: Site) -> Response:
    read_query(request.query_params.multi_items(), request.url.query, only=("limit",))
    with site.store() as store:
        result = pages.projects_result(store, None)
    return HTMLResponse(pages.projects_page(result))


def project(request: Request, site: Site) -> Response:
    read_query(request.query_params.multi_items(), request.url.query, only=("limit",))
    name = request.path_params["name"]
    with site.store() as store:
        try:
            result = pages.projects_result(store, name)
        except pages.NotFound as missing:
            return refusal(404, str(missing))
    return HTMLResponse(pages.projects_page(result, one=True))


def timeline_view(request: Request, site: Site) -> Response:
    asked = read_query(
        request.query_params.multi_items(),
        request.url.query,
        ("as-of",),
        only=("month", "quarter", "year", "from", "to", "project", "country"),
    )
    filters = asked.filters
    tidy = _tidied(request, filters, **asked.extra)
    if tidy is not None:
        return tidy
    today = _as_of(asked.extra.get("as-of"), site)
    if filters.period()[0] is None:
        quarter = f"Q{(today.month - 1) // 3 + 1}-{today.year}"
        filters = Filters(**{**_fields(filters), "quarter": quarter}, spelling=NAMES)
    _bounded(filters)
    period, label = filters.period()
    from ..report import report_for

    with site.store() as store:
        built, activities = report_for(store, filters.criteria(store), period, label)
    _bounded(filters, built.period)
    return HTMLResponse(pages.timeline_page(Summary(built, activities, today=today), filters))


# --- the calendar --------------------------------------------------------------------------


def calendar(request: Request, site: Site) -> Response:
    asked = read_query(request.query_params.multi_items(), request.url.query)
    with site.store() as store:
        where = asked.filters.criteria(store)
        found = store.select(where, asked.filters.limit)
        from ..changes import versions

        listing = Listing(
            found,
            title=_calendar_name(asked.filters),
            versions=dict(versions(store.history(edits=True))),
        )
        changed = _last_change(store)
    body = _written(listing, Format.ICS).encode("utf-8")
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"etag": tag, "cache-control": "no-cache"}
    if changed is not None:
        headers["last-modified"] = format_datetime(changed, usegmt=True)
    if _not_modified(request, tag, changed):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


def _calendar_name(filters: Filters) -> str:
    _, label = filters.period()
    return "Activity inventory" + (f" ({label})" if label else "")


def _last_change(store: Store) -> datetime | None:
    """When the store last changed: its newest change in the history, or its files' last
    write (a spreadsheet save leaves no history), to the second as HTTP dates have it."""
    newest = store.history(limit=1, edits=False)
    times = [newest[0].at] if newest else []
    for path in store.own_files():
        try:
            times.append(datetime.fromtimestamp(path.stat().st_mtime, UTC))
        except OSError:
            continue
    return max(times).replace(microsecond=0) if times else None


def _not_modified(request: Request, tag: str, changed: datetime | None) -> bool:
    given = request.headers.get("if-none-match")
    if given is not None:  # the tag decides when there is one (RFC 9110, 13.2.2)
        return tag in [t.strip() for t in given.split(",")] or given.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since is None or changed is None:
        return False
    try:
        return changed <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _answer(store: Store, filters: Filters) -> Listing:
    """What ``inventory list`` finds for ``filters``, asked as it asks: one Selection, whose
    records the JSON writers copy without building a model."""
    return Listing(store.select(filters.criteria(store), filters.limit))


# --- the API -------------------------------------------------------------------------------


def _written(result: Any, fmt: Format) -> str:
    stream = io.StringIO()
    write(result, fmt, Output(stream, terminal=False, note=lambda _: None))
    return stream.getvalue()


def api_activities(request: Request, site: Site) -> Response:
    """``inventory list --json`` for the same filters; NDJSON, streamed, when asked for."""
    asked = read_query(request.query_params.multi_items(), request.url.query)
    with site.store() as store:
        answer = _answer(store, asked.filters)
    if NDJSON in request.headers.get("accept", ""):
        return StreamingResponse((r + "\n" for r in json_records(answer)), media_type=NDJSON)
    body = _written(answer, Format.JSON)
    return Response(body, media_type="application/json")


def api_report(request: Request, site: Site) -> Response:
    """``inventory report --json`` for the same period and projects."""
    asked = read_query(
        request.query_params.multi_items(),
        request.url.query,
        only=REPORT_PARAMS,
    )
    _bounded(asked.filters)
    from ..report import report_for

    period, label = asked.filters.period()
    with site.store() as store:
        built, activities = report_for(store, asked.filters.criteria(store), period, label)
    body = _written(Summary(built, activities), Format.JSON)
    return Response(body, media_type="application/json")


async def openapi(request: Request) -> Response:
    return JSONResponse(pages.openapi_document())


async def api_docs(request: Request) -> Response:
    return HTMLResponse(pages.api_page())


# --- files ---------------------------------------------------------------------------------

_STATIC = {"page.css": "text/css; charset=utf-8"}


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in _STATIC:
        return refusal(404, f"no such file: {name[:80]}")
    css = resources.files("inventory.formats").joinpath("templates", "page.css")
    web = resources.files("inventory.web").joinpath("templates", "web.css")
    body = css.read_text(encoding="utf-8") + "\n" + web.read_text(encoding="utf-8")
    return Response(
        body,
        media_type=_STATIC[name],
        headers={"cache-control": "public, max-age=3600", "etag": f'"{__version__}"'},
    )


async def no_icon(request: Request) -> Response:
    return Response(status_code=204)
