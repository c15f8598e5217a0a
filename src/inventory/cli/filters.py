"""The filter set of the questions, declared once: the options ``list`` offers to choose
activities, the subsets the other questions offer (:data:`PICTURE`, :data:`REPORT`,
:data:`UPCOMING`), and :func:`filter_options`, which puts them on a command in place of its
``filters`` parameter (as sqlite-utils' ``output_options`` does for its output options).

A new filter is a field of :class:`Filters`, an entry in :data:`OPTIONS` and a field of
``query.Criteria``; every command offering the set gets it (tests/test_filters.py checks that
the commands offering ``--project`` offer ``list``'s set or one of the subsets here)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from ..months import Period
from ..query import Criteria
from ..store import Store
from ..vocab import Certainty, Status
from .options import (
    CertaintyOpt,
    CityOpt,
    CountryOpt,
    DeadlinesOpt,
    F,
    FromOpt,
    LimitOpt,
    MonthOpt,
    ProjectOpt,
    QuarterOpt,
    SearchOpt,
    StatusOpt,
    ToOpt,
    YearOpt,
    build_criteria,
    resolve_period,
)


@dataclass(frozen=True)
class Filters:
    """The filters as the command line gave them (None: not given)."""

    project: list[str] | None = None
    month: str | None = None
    quarter: str | None = None
    year: str | None = None
    start: str | None = None
    end: str | None = None
    country: list[str] | None = None
    city: str | None = None
    search: str | None = None
    certainty: list[Certainty] | None = None
    deadlines: bool | None = None
    status: list[Status] | None = None
    limit: int | None = None

    def period(self) -> tuple[Period | None, str | None]:
        """The period named (``--month`` ... ``--from``/``--to``) and its label."""
        return resolve_period(self.month, self.quarter, self.year, self.start, self.end)

    def criteria(self, store: Store) -> Criteria:
        """What to select, the period included (unclamped: ``options.clamp`` cuts an open
        end to the store); a command drawing its own period replaces it with ``but``."""
        return build_criteria(
            store,
            project=self.project,
            period=self.period()[0],
            country=self.country,
            city=self.city,
            search=self.search,
            certainty=self.certainty,
            deadlines=self.deadlines,
            status=self.status,
        )


NO_FILTERS = Filters()
"""The default of a command's ``filters`` parameter (:func:`filter_options` replaces it)."""

OPTIONS: dict[str, Any] = {
    "project": ProjectOpt,
    "month": MonthOpt,
    "quarter": QuarterOpt,
    "year": YearOpt,
    "start": FromOpt,
    "end": ToOpt,
    "country": CountryOpt,
    "city": CityOpt,
    "search": SearchOpt,
    "certainty": CertaintyOpt,
    "deadlines": DeadlinesOpt,
    "status": StatusOpt,
    "limit": LimitOpt,
}
"""Each filter's option, by its :class:`Filters` field."""

PERIOD = ("month", "quarter", "year", "start", "end")
LIST = tuple(f.name for f in fields(Filters))
"""``list`` and ``export``: every filter."""
PICTURE = (*PERIOD, "project", "country")
"""``calendar``, ``timeline``, ``clashes``: a picture is of a period; project and country
choose what is drawn (the other filters would leave holes in a month)."""
REPORT = (*PERIOD, "project")
"""``report``: a period's totals per project."""
UPCOMING = ("project", "country", "limit")
"""``upcoming``: its period is from the reference date (``--as-of``, ``--days``, ``--until``)."""
SUBSETS = {"list": LIST, "picture": PICTURE, "report": REPORT, "upcoming": UPCOMING}


def filter_options(names: tuple[str, ...] = LIST) -> Callable[[F], F]:
    """Offer the filters ``names`` (one of the sets above) where the command has its
    ``filters: Filters`` parameter, and hand the command the :class:`Filters` they make."""
    unknown = set(names) - set(OPTIONS)
    if unknown:
        raise ValueError(f"not filters: {sorted(unknown)}")

    def decorate(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        params: list[inspect.Parameter] = []
        for param in signature.parameters.values():
            if param.name != "filters":
                params.append(param)
                continue
            params += [
                inspect.Parameter(name, param.kind, default=None, annotation=OPTIONS[name])
                for name in names
            ]
        if len(params) == len(signature.parameters):
            raise TypeError(f"{func.__name__} has no 'filters' parameter")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = Filters(**{name: kwargs.pop(name, None) for name in names})
            return func(*args, filters=given, **kwargs)

        # Typer reads the command's options from its signature and type hints.
        wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        wrapper.__annotations__["return"] = signature.return_annotation
        return wrapper  # type: ignore[return-value]

    return decorate
