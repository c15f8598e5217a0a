"""The filter set of the questions, declared once: the options ``list`` offers to choose
activities, the subsets the other questions offer (:data:`PICTURE`, :data:`REPORT`,
:data:`UPCOMING`), and :func:`filter_options`, which puts them on a command in place of its
``filters`` parameter (as sqlite-utils' ``output_options`` does for its output options).

A new filter is a field of :class:`~inventory.filters.Filters` (where its words become a
``query.Criteria``), an entry in :data:`OPTIONS` and a field of ``Criteria``; every command
offering the set gets it (tests/test_filters.py checks that the commands offering
``--project`` offer ``list``'s set or one of the subsets here)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..filters import Filters as Filters
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
LIST = tuple(OPTIONS)
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
