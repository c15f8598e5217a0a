"""The model refuses what cannot be, and says which field and why."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from inventory.model import Activity, Certainty, Precision, Schedule, Segment

GOOD_SCHEDULE: dict[str, Any] = {
    "segments": [{"start": "2019-10-01", "end": "2019-10-02"}],
    "month": "2019-10",
    "text": "1-2 October",
}


def error_of(data: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        Activity.model_validate(data)
    first = caught.value.errors()[0]
    return ".".join(str(p) for p in first["loc"]), str(first["msg"])


def activity(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "s0x6ftjt", "title": "Workshop", "schedule": GOOD_SCHEDULE}
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        (
            activity(
                schedule={
                    **GOOD_SCHEDULE,
                    "segments": [{"start": "2019-10-02", "end": "2019-10-01"}],
                }
            ),
            "schedule.segments.0",
            "end 2019-10-01 is before start 2019-10-02",
        ),
        (
            activity(schedule={**GOOD_SCHEDULE, "certainty": "maybe"}),
            "schedule.certainty",
            "'confirmed', 'tentative' or 'unscheduled'",
        ),
        (
            activity(
                schedule={
                    **GOOD_SCHEDULE,
                    "segments": [{"start": "2019-02-30", "end": "2019-03-01"}],
                }
            ),
            "schedule.segments.0.start",
            "day value is outside expected range",
        ),
        (
            activity(schedule={**GOOD_SCHEDULE, "month": "2019-13"}),
            "schedule.month",
            "should match pattern",
        ),
        (
            activity(schedule={**GOOD_SCHEDULE, "month": "2019-11"}),
            "schedule",
            "month 2019-11 does not match the first day 2019-10-01",
        ),
        (
            activity(schedule={"month": "2019-10", "precision": "month"}),
            "schedule",
            "a schedule with no days known is 'unscheduled'",
        ),
        (
            activity(
                schedule={
                    **GOOD_SCHEDULE,
                    "segments": [
                        {"start": "2019-10-21", "end": "2019-10-22"},
                        {"start": "2019-10-22", "end": "2019-10-23"},
                    ],
                }
            ),
            "schedule",
            "segments must be in order and apart",
        ),
        (activity(title=""), "", "title is empty"),
        (activity(id="Not An Id"), "id", "'Not An Id' is not an id; expected 4 to 16"),
        (activity(status="done"), "status", "'planned', 'held', 'cancelled' or 'postponed'"),
    ],
    ids=[
        "end-before-start",
        "unknown-certainty",
        "impossible-date",
        "bad-month",
        "month-mismatch",
        "month-precision-confirmed",
        "overlapping-segments",
        "empty-title",
        "bad-id",
        "unknown-status",
    ],
)
def test_rejections_name_the_field_and_the_reason(
    data: dict[str, Any], field: str, reason: str
) -> None:
    where, message = error_of(data)
    assert where == field
    assert reason in message


def test_month_precision_window_and_overlap() -> None:
    schedule = Schedule(
        precision=Precision.MONTH,
        certainty=Certainty.UNSCHEDULED,
        month="2020-02",
        text="dates TBD",
    )
    assert (schedule.start, schedule.end) == (date(2020, 2, 1), date(2020, 2, 29))
    assert schedule.overlaps(date(2020, 2, 29), date(2020, 3, 5))
    assert not schedule.overlaps(date(2020, 3, 1), date(2020, 3, 5))
    assert schedule.days() == []


def test_gap_between_segments_does_not_overlap() -> None:
    schedule = Schedule(
        segments=(
            Segment(start=date(2019, 10, 21), end=date(2019, 10, 22)),
            Segment(start=date(2019, 10, 28), end=date(2019, 10, 29)),
        ),
        month="2019-10",
    )
    assert not schedule.overlaps(date(2019, 10, 23), date(2019, 10, 27))
    assert schedule.overlaps(date(2019, 10, 27), date(2019, 10, 28))
    assert len(schedule.days()) == 4
