"""The docs cannot drift: every console example is run, the reference and the man page are
generated from the command tree, and the README keeps its two set-up commands on top.

How a console example is run and compared (README.md, CONTRIBUTING.md, bench/README.md and
docs/*.md; every fenced block marked ``console``):

- Each block runs in a fresh temporary folder holding a copy of the bundled store as
  ``activities.csv`` in a ``data`` folder (so every command finds it, as in a checkout) and the next
  issue, ``tests/fixtures/newsletter-2020-q1.txt``, as ``cybercrime-coe-update-2020-q1.txt``.
  The commands of one block share that folder, in order: an ``add`` then an ``edit`` of it.
- A line starting ``$ `` is a command (a line ending ``\\`` continues it on the next); it
  runs through ``bash -c`` with the installed ``inventory`` first on PATH, as piped output
  (not a terminal), ``COLUMNS=100``, ``NO_COLOR=1``, no pager, ``INVENTORY_TODAY=2026-11-28``
  and a home folder of its own (no user settings). An example that shows what a terminal
  draws says so in its command (``TTY_COMPATIBLE=1``, ``COLUMNS=150``).
- The lines under a command, up to the next command or the end of the block, are what it
  prints. Lines starting ``inventory:`` are its standard error, the others its standard
  output; each stream is compared on its own, in order, so a page may show the two
  interleaved as a terminal does. Trailing spaces are ignored.
- A line that is only ``…`` stands for any number of lines (none included) of the stream of
  the line above it (standard output at the top). Inside a line ``…`` is literal: the tool
  cuts titles with it.
- Bold and dim (what ``NO_COLOR`` leaves on a terminal) are taken out of the output.
- The example's folder is shown as ``~/inventory`` wherever a message names it.
- A change's time in the history (``2019-11-28 14:03 UTC``) matches any time: the history
  records the real clock, which no variable pins.
- A failure prints what the command printed, in the page's form, to paste after checking.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
PAGES = [
    REPO / "README.md",
    REPO / "CONTRIBUTING.md",
    REPO / "bench" / "README.md",
    *sorted((REPO / "docs").glob("*.md")),
]
TODAY = "2026-11-28"
ELISION = "…"
STDERR_PREFIX = "inventory:"
ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Command:
    line: int
    text: str
    shown: tuple[str, ...]


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    commands: tuple[Command, ...]

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def console_blocks(page: Path) -> list[Example]:
    """Every ```console block of a page, split into its commands and what each shows."""
    lines = page.read_text(encoding="utf-8").split("\n")
    examples: list[Example] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        start, i = i + 1, i + 1
        commands: list[Command] = []
        text: list[str] = []
        shown: list[str] = []
        at = 0
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            if line.startswith("$ ") and not (text and text[-1].endswith("\\")):
                if text:
                    commands.append(Command(at, "\n".join(text), tuple(shown)))
                text, shown, at = [line[2:]], [], i + 1
            elif text and text[-1].endswith("\\"):
                text.append(line)
            else:
                assert text, f"{page.name}:{i + 1}: output before any '$ ' command"
                shown.append(line)
            i += 1
        if text:
            commands.append(Command(at, "\n".join(text), tuple(shown)))
        examples.append(Example(page, start, tuple(commands)))
        i += 1
    return examples


EXAMPLES = [example for page in PAGES if page.exists() for example in console_blocks(page)]


def streams(shown: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The lines a page shows, parted into standard output and standard error."""
    out: list[str] = []
    err: list[str] = []
    last = out
    for line in shown:
        if line == ELISION:
            last.append(line)
        else:
            last = err if line.startswith(STDERR_PREFIX) else out
            last.append(line)
    while out and out[-1] == "":  # the blank line before the next command
        out.pop()
    return out, err


def normal(line: str) -> str:
    return UTC_TIME.sub("YYYY-MM-DD HH:MM UTC", line.rstrip())


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line for line, an elision line standing for any number of lines."""
    memo: dict[tuple[int, int], bool] = {}

    def at(e: int, a: int) -> bool:
        if (e, a) not in memo:
            if e == len(expected):
                found = a == len(actual)
            elif expected[e] == ELISION:
                found = any(at(e + 1, k) for k in range(a, len(actual) + 1))
            else:
                found = (
                    a < len(actual)
                    and normal(expected[e]) == normal(actual[a])
                    and at(e + 1, a + 1)
                )
            memo[e, a] = found
        return memo[e, a]

    return at(0, 0)


def printed(text: str, folder: Path) -> list[str]:
    text = ESCAPE.sub("", text.replace(str(folder), "~/inventory"))
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INVENTORY_", "PG"))}
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "PAGER", "LESS"):
        env.pop(name, None)
    if env.get("PYTHONPATH"):  # the commands run in another folder: keep it pointing here
        paths = env["PYTHONPATH"].split(os.pathsep)
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in paths if p)
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        COLUMNS="100",
        NO_COLOR="1",
        INVENTORY_PAGER="cat",
        INVENTORY_TODAY=TODAY,
    )
    return env


def test_the_pages_hold_console_examples() -> None:
    # The runner below must find them: a parser that finds none would pass every page.
    named = {e.page.name for e in EXAMPLES}
    assert {"README.md", "guide.md", "store.md"} <= named
    assert sum(len(e.commands) for e in EXAMPLES) >= 30


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_a_console_example_prints_what_its_page_shows(example: Example, tmp_path: Path) -> None:
    assert (BIN / "inventory").exists(), f"no installed inventory beside {sys.executable}"
    if any("| jq" in c.text for c in example.commands):
        assert shutil.which("jq"), "jq is needed by this example (.ci/run installs it)"
    folder = tmp_path / "home" / "inventory"
    (folder / "data").mkdir(parents=True)
    shutil.copyfile(FIXTURES / "activities-2019-q4.csv", folder / "data" / "activities.csv")
    shutil.copyfile(
        FIXTURES / "newsletter-2020-q1.txt", folder / "cybercrime-coe-update-2020-q1.txt"
    )
    env = environment(tmp_path / "home")
    failures: list[str] = []
    for command in example.commands:
        done = subprocess.run(
            ["bash", "-c", command.text],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        out, err = printed(done.stdout, folder), printed(done.stderr, folder)
        want_out, want_err = streams(command.shown)
        if not (matches(want_out, out) and matches(want_err, err)):
            page = example.page.relative_to(REPO)
            failures.append(
                f"{page}:{command.line}: $ {command.text}\n"
                f"--- the page shows:\n" + "\n".join(command.shown) + "\n"
                "--- the command printed (stdout, then stderr):\n" + "\n".join(out + err)
            )
    assert not failures, "\n\n".join(failures)


# --- generated from the command tree ------------------------------------------------------------


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate", REPO / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_shows_every_commands_help_as_it_is_now() -> None:
    # cog --check: the generated part of docs/reference.md is what cog would write today.
    from cogapp import Cog

    status = Cog().main(["cog", "--check", str(REPO / "docs" / "reference.md")])
    assert status == 0, "docs/reference.md is out of date: run 'cog -r docs/reference.md'"


def test_every_command_has_a_line_in_the_reference_table_and_its_help_below() -> None:
    tree = generator().command_tree()
    reference = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    table = reference.split("## Commands", 1)[1].split("\n\n", 3)[2]
    assert len(tree) >= 20  # the root, 19 commands, groups' subcommands
    for path in tree[1:]:
        assert f"### inventory {' '.join(path)}\n" in reference, path
        if len(path) == 1:
            assert f"`{path[0]}" in table, f"{path[0]} is missing from the table of commands"


def test_the_man_page_is_the_command_trees_help() -> None:
    page = (REPO / "docs" / "inventory.1").read_text(encoding="utf-8")
    assert page == generator().man_page(), (
        "docs/inventory.1 is out of date: run 'python docs/generate.py man > docs/inventory.1'"
    )
    assert '.SS "inventory projects show"' in page and '.SS "inventory db init"' in page


def test_the_man_page_reads_without_a_warning() -> None:
    groff = shutil.which("groff")
    assert groff, "groff is needed to read the man page (.ci/run installs groff-base)"
    done = subprocess.run(
        [groff, "-man", "-Tutf8", "-ww", "-z", str(REPO / "docs" / "inventory.1")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr


# --- the README -------------------------------------------------------------------------------


def test_the_readme_opens_with_the_two_set_up_commands() -> None:
    # A reviewer's tool runs the first two code lines of the README in a fresh checkout.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    assert first_block.split("\n")[:2] == [
        "python3 -m pip install . && inventory report --quarter Q4-2019",
        "python3 -m pip install '.[test]' && python3 -m pytest",
    ]
    assert readme.index("```bash\n") < readme.index("## ")


def test_the_readme_stays_a_page_and_links_every_doc() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.split("\n")) <= 150
    for page in ("docs/guide.md", "docs/reference.md", "docs/store.md", "docs/safety.md"):
        assert f"]({page})" in readme, page
    for page in ("bench/README.md", "CONTRIBUTING.md", "CHANGELOG.md"):
        assert f"]({page})" in readme, page
        assert (REPO / page).exists(), page
    assert "install -D -m 644 docs/inventory.1 ~/.local/share/man/man1/inventory.1" in readme
