"""Concurrent writers, written once for the tests and the benchmark (bench/run.py): ``count``
``inventory add`` processes started together on one store, each adding its own activity.

Only the standard library, so bench/run.py can import it without the test dependencies.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 120
"""Seconds one writer may take: the machine is shared, and slow when busy."""


def inventory_command() -> list[str]:
    """The installed ``inventory`` beside this Python (as a user runs it), else the module."""
    script = Path(sys.executable).parent / "inventory"
    return [str(script)] if script.exists() else [sys.executable, "-m", "inventory"]


@dataclass(frozen=True)
class Writer:
    title: str
    returncode: int
    stderr: bytes


def concurrent_adds(
    store: Path | str,
    count: int,
    *,
    title: str = "Concurrent writer",
    dates: Callable[[int], str] = lambda n: f"{n + 1} May 2021",
    location: str | None = "Ghana",
    command: Sequence[str] | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = TIMEOUT,
) -> list[Writer]:
    """Start ``count`` adds at once (titles ``"{title} {n}"``, GLACY+), wait for them all."""
    argv = list(command or inventory_command())
    where = ["-l", location] if location is not None else []
    titles = [f"{title} {n}" for n in range(count)]
    procs = [
        subprocess.Popen(
            [
                *argv,
                "add",
                "--store",
                str(store),
                "-p",
                "GLACY+",
                "-t",
                name,
                *where,
                "-d",
                dates(n),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
        for n, name in enumerate(titles)
    ]
    errors = [proc.communicate(timeout=timeout)[1] for proc in procs]
    return [
        Writer(name, proc.returncode, err)
        for name, proc, err in zip(titles, procs, errors, strict=True)
    ]
