"""How bench/run.py times a command: fresh processes, their wall and CPU time and peak
resident set from ``wait4``, medians, the commands compared taking turns, a limit after
which a run is stopped (and reported as such, never as a figure)."""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CPU = False
"""Ratios of CPU time (user + system, children included) instead of wall time: steadier on
a shared machine, unfair to a tool that uses several cores (DuckDB). Set by --cpu."""


@dataclass
class Timing:
    label: str
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_kb: int = 0
    stopped: float | None = None
    """The limit in seconds, when a run of it was stopped there."""

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    @property
    def value(self) -> float:
        """What a ratio compares: the median wall time, or CPU time with --cpu."""
        return self.cpu_median if CPU else self.median

    def add(self, run: Run) -> None:
        if run.stopped:
            self.stopped = run.limit
            return
        self.times.append(run.wall)
        self.cpu.append(run.cpu)
        self.peak_kb = max(self.peak_kb, run.peak_kb)


@dataclass
class Run:
    wall: float
    cpu: float
    peak_kb: int
    status: int
    stopped: bool = False
    limit: float | None = None
    output: str = ""


Command = tuple[Sequence[str], dict[str, str]]


def run_once(
    argv: Sequence[str], env: dict[str, str], *, keep: bool = False, limit: float | None = None
) -> Run:
    """One fresh process: its wall and CPU time (its children's included, as a cache build
    spreads over worker processes), peak resident set (kB) and exit status; its standard
    output when ``keep``. Past ``limit`` seconds its process group is killed."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE if keep else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
        start_new_session=limit is not None,
    )
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(limit, kill) if limit is not None else None
    if timer is not None:
        timer.start()
    output = ""
    if keep:
        assert process.stdout is not None
        output = process.stdout.read().decode()
        process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if timer is not None:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        elapsed,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss,
        process.returncode,
        stopped=killed.is_set(),
        limit=limit,
        output=output,
    )


def checked(label: str, argv: Sequence[str], run: Run) -> Run:
    if run.status != 0 and not run.stopped:
        raise SystemExit(f"{label}: exit status {run.status}: {' '.join(argv)}")
    return run


def side_by_side(
    commands: dict[str, Command], runs: int, *, slow: float, limit: float | None = None
) -> dict[str, Timing]:
    """Each command ``runs`` times, taking turns, after one warm-up run each. A command whose
    warm-up took longer than ``slow`` seconds (or was stopped at ``limit``) is not run
    again: its warm-up is its one measurement, so a slow row costs one run, not ``runs``."""
    timings = {label: Timing(label) for label in commands}
    again: list[str] = []
    for label, (argv, env) in commands.items():
        run = checked(label, argv, run_once(argv, env, limit=limit))
        if run.stopped or run.wall > slow:
            timings[label].add(run)
        else:
            again.append(label)
    for _ in range(runs):
        for label in again:
            argv, env = commands[label]
            timings[label].add(checked(label, argv, run_once(argv, env, limit=limit)))
    return timings


def in_process(label: str, function: Callable[[], object], runs: int) -> Timing:
    """A floor with no start-up: ``function`` timed in this process (CPU: this thread's)."""
    timing = Timing(label)
    function()
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.thread_time()
        function()
        timing.times.append(time.perf_counter() - start)
        timing.cpu.append(time.thread_time() - cpu)
    return timing
