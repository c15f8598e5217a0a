"""The one table bench/run.py prints: a row per measurement, a column per size, each cell a
ratio to the row's floor or peer measured in the same run, the issue's target beside it
and misses marked, and the growth from the first size to the last."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from measure import Timing


def ms(seconds: float) -> str:
    if seconds != seconds:
        return "-"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def took(timing: Timing) -> str:
    if not timing.times and timing.stopped is not None:
        return f"> {ms(timing.stopped)} (stopped)"
    return ms(timing.value)


@dataclass
class Cell:
    text: str
    value: float | None = None
    """The figure the growth column divides (a time, or a cost per row)."""
    misses: list[bool] = field(default_factory=list)
    """One entry per target judged at this size: True for a miss."""

    def render(self) -> str:
        if not self.misses:
            return self.text
        return f"{self.text} {'**✗**' if any(self.misses) else '✓'}"


@dataclass
class Row:
    name: str
    peer: str
    target: str
    growth_limit: float | None = None
    cells: dict[str, Cell] = field(default_factory=dict)


class Report:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Row] = {}
        self.order: list[tuple[str, str]] = []

    def put(
        self, name: str, peer: str, target: str, size: str, cell: Cell, growth: float | None = None
    ) -> None:
        key = (name, peer)
        if key not in self.rows:
            self.rows[key] = Row(name, peer, target, growth)
            self.order.append(key)
        self.rows[key].cells[size] = cell

    def markdown(self, sizes: list[str], *, growth: bool = True) -> list[str]:
        title = f" growth {'→'.join(sizes)} |"
        lines = [
            "| row | ÷ floor or peer | target | "
            + " | ".join(sizes)
            + " |"
            + (title if growth else ""),
            "|---|---|---|" + "---|" * (len(sizes) + growth),
        ]
        for key in self.order:
            row = self.rows[key]
            cells = [row.cells[s].render() if s in row.cells else "" for s in sizes]
            trend = f" {self.growth(row, sizes)} |" if growth else ""
            lines.append(f"| {row.name} | {row.peer} | {row.target} | {' | '.join(cells)} |{trend}")
        return lines

    @staticmethod
    def growth(row: Row, sizes: list[str]) -> str:
        """The row's figure at each size ÷ at the size before (×10 the activities each step):
        about ×10 for a cost linear in the store. A per-row figure (a cost per row or per
        event) should stay about ×1; the row's ``growth_limit`` judges it."""
        steps = []
        for first, last in itertools.pairwise(sizes):
            a, b = row.cells.get(first), row.cells.get(last)
            if not a or not b or not a.value or b.value is None:
                steps.append("-")
                continue
            factor = b.value / a.value
            text = f"×{factor:.2f}"
            if row.growth_limit is not None:
                text += " **✗**" if factor > row.growth_limit else " ✓"
            steps.append(text)
        return " · ".join(steps)


def ratio_cell(
    top: Timing,
    bottom: Timing | float,
    *,
    limit: float | None = None,
    peak: bool = True,
    peak_limit_mb: float | None = None,
    extra: str = "",
) -> Cell:
    """``top`` ÷ ``bottom`` (a Timing or seconds), its times and peak, judged against
    ``limit`` (a ratio) and ``peak_limit_mb``."""
    below = bottom.value if isinstance(bottom, Timing) else bottom
    stopped = not top.times
    value = top.stopped if stopped and top.stopped else top.value
    factor = (value or float("nan")) / below if below else float("nan")
    shown = f"> {factor:.2f}×" if stopped else f"{factor:.2f}×"
    detail = f"{took(top)} / {ms(below)}"
    if peak and top.peak_kb:
        detail += f", {mb(top.peak_kb)}"
    cell = Cell(f"{shown} ({detail}{extra})", None if stopped else top.value)
    if limit is not None:
        cell.misses.append(stopped or not factor <= limit)
    if peak_limit_mb is not None and top.peak_kb:
        cell.misses.append(top.peak_kb / 1024 > peak_limit_mb)
    return cell
