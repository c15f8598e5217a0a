"""Standard output as the best command-line tools handle it: one console decides terminal,
colour and width from the environment (``FORCE_COLOR``, ``TTY_COMPATIBLE``, ``NO_COLOR``
when not empty, ``COLUMNS``); piped, nothing is fitted or cut; on a terminal, output longer
than the screen goes through a pager (``$INVENTORY_PAGER``, ``$PAGER``, ``less``), off with
``--no-pager`` or a pager of ``cat``."""

from __future__ import annotations

import re
import stat
import sys
from pathlib import Path

import pytest

from inventory.cli import app
from inventory.views.console import pager_command
from tests.helpers import BUNDLED_STORE, REPO, run, runner

ANSI = re.compile(r"\x1b\[([0-9;]*)m")


def coloured(text: str) -> bool:
    """Whether ``text`` sets a colour (NO_COLOR leaves bold and dim, which are not one)."""
    codes = [int(c) for found in ANSI.findall(text) for c in found.split(";") if c]
    return any(30 <= c <= 49 or 90 <= c <= 107 for c in codes)


LONGEST_TITLE = (
    "Piloting a training module that will focus on child-friendly practices, victim-centred "
    "approach and electronic evidence. Participants: Pilot country experts working in: law "
    "enforcement, criminal justice, including law enforcement officers, judges and prosecutors"
)


def test_piped_output_is_plain_and_whole() -> None:
    result = run("list", "--month", "2020-03")
    assert not ANSI.search(result.stdout)
    assert any(LONGEST_TITLE in line for line in result.stdout.splitlines())
    assert all(line == line.rstrip() for line in result.stdout.splitlines())


def test_columns_is_the_width_even_piped() -> None:
    result = run("list", "--month", "2020-03", env={"COLUMNS": "70"})
    assert max(len(line) for line in result.stdout.splitlines()) <= 70


@pytest.mark.parametrize(
    ("env", "colour"),
    [
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ({"FORCE_COLOR": "1", "NO_COLOR": ""}, True),  # empty means unset (no-color.org)
        ({"TTY_COMPATIBLE": "1", "TERM": "xterm-256color"}, True),
        ({"TTY_COMPATIBLE": "1", "NO_COLOR": "yes"}, False),
        ({}, False),
    ],
    ids=lambda v: " ".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else str(v),
)
def test_colour_follows_the_environment(env: dict[str, str], colour: bool) -> None:
    env = {"INVENTORY_PAGER": "cat", "COLUMNS": "120", **env}
    for args in (["list", "--month", "2020-01"], ["calendar", "--month", "2020-03"]):
        result = run(*args, env=env)
        assert result.exit_code == 0
        assert coloured(result.stdout) is colour, args


def test_ascii_turns_colour_off_even_when_forced() -> None:
    result = run("timeline", "--month", "2020-01", "--ascii", env={"FORCE_COLOR": "1"})
    assert not ANSI.search(result.stdout) and result.stdout.isascii()


@pytest.fixture
def pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that writes down what it was given."""
    caught = tmp_path / "paged.txt"
    script = tmp_path / "pager.py"
    script.write_text(
        "import os, sys\n"
        f"open({str(caught)!r}, 'w').write(os.environ.get('LESS', '') + '\\n' + "
        "sys.stdin.read())\n"
    )
    wrapper = tmp_path / "pager"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {script}\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    return str(wrapper), caught


@pytest.mark.skipif(sys.platform == "win32", reason="a shell-script pager")
def test_long_output_on_a_terminal_goes_through_the_pager(pager: tuple[str, Path]) -> None:
    command, caught = pager
    terminal = {"TTY_COMPATIBLE": "1", "LINES": "20", "COLUMNS": "100"}
    result = run("list", "--month", "2019-11", env={**terminal, "INVENTORY_PAGER": command})
    assert result.exit_code == 0 and result.stdout == ""
    less, paged = caught.read_text().split("\n", 1)
    assert less == "FRX"  # as git: quit if it fits, keep colours, leave the screen
    assert paged.count("\x1b[") and len(ANSI.sub("", paged).splitlines()) > 20
    caught.unlink()
    short = run("list", "--month", "2019-11", "--project", "T-CY", "--project", "octopus",
                env={**terminal, "INVENTORY_PAGER": command})  # fmt: skip
    assert "Cybercrime@Octopus" in short.stdout and not caught.exists()  # fits: no pager
    direct = runner.invoke(
        app,
        ["--no-pager", "list", "--month", "2019-11", "--store", str(BUNDLED_STORE)],
        env={**terminal, "INVENTORY_PAGER": command},
    )
    assert "INTERPOL" in direct.stdout and not caught.exists()
    piped = run("list", "--month", "2019-11", env={"INVENTORY_PAGER": command, "LINES": "20"})
    assert "INTERPOL" in piped.stdout and not caught.exists()  # never when piped


def test_the_pager_is_chosen_as_git_chooses_it() -> None:
    assert pager_command({"INVENTORY_PAGER": "cat"}) is None
    assert pager_command({"INVENTORY_PAGER": "", "PAGER": "less"}) is None
    assert pager_command({"PAGER": "no-such-pager-here"}) is None  # then no pager at all
    found = pager_command({"PAGER": f"{sys.executable} -c pass"})
    assert found is not None and found[1:] == ["-c", "pass"]


def test_one_console_decides() -> None:
    # Only views/console.py reads the terminal environment; every view is drawn on it.
    deciding = re.compile(r"NO_COLOR|FORCE_COLOR|TTY_COMPATIBLE|\"COLUMNS\"|stdout\.isatty")
    found = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "src" / "inventory").rglob("*.py"))
        if deciding.search(path.read_text(encoding="utf-8"))
    ]
    assert found == ["src/inventory/views/console.py"]
