"""The command reference and the man page, made from the command tree's own --help.

Both ask the installed ``inventory`` command, as a reader would, at a fixed width of 100
columns, so what they show is what ``--help`` prints and nothing written by hand:

    cog -r docs/reference.md                          # the reference's generated part
    python docs/generate.py man > docs/inventory.1    # the man page

tests/test_docs.py fails when either is out of date with the commands.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

WIDTH = "100"


def program() -> str:
    """The installed ``inventory`` beside this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / "inventory"
    found = str(beside) if beside.exists() else shutil.which("inventory")
    if found is None:
        raise SystemExit("generate.py: no 'inventory' command installed (pip install .)")
    return found


@cache
def help_text(*words: str) -> str:
    """What ``inventory WORDS --help`` prints, at the fixed width, without colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INVENTORY_", "FORCE_"))}
    env.update(COLUMNS=WIDTH, NO_COLOR="1", TERM="dumb")
    done = subprocess.run(
        [program(), *words, "--help"], capture_output=True, text=True, env=env, check=True
    )
    return "\n".join(line.rstrip() for line in done.stdout.rstrip().split("\n"))


def subcommands(text: str) -> list[str]:
    """The names listed under ``Commands:`` in a help text."""
    if "\nCommands:\n" not in text:
        return []
    listed = text.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^  (\S+)", listed, flags=re.MULTILINE)


def command_tree() -> list[tuple[str, ...]]:
    """Every command path: (), ("list",), ..., ("projects",), ("projects", "show"), ..."""
    paths: list[tuple[str, ...]] = []
    pending: list[tuple[str, ...]] = [()]
    while pending:
        path = pending.pop(0)
        paths.append(path)
        pending.extend((*path, name) for name in subcommands(help_text(*path)))
    return paths


def reference() -> str:
    """The reference's generated part: each command's help, in the order --help lists them."""
    parts = []
    for path in command_tree():
        title = " ".join(("inventory", *path))
        parts.append(f"### {title}\n\n```text\n{help_text(*path)}\n```\n")
    return "\n".join(parts)


def roff(text: str) -> str:
    """Plain text as roff shows it verbatim: backslashes and leading dots escaped."""
    lines = []
    for line in text.replace("\\", "\\e").split("\n"):
        lines.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(lines)


def man_page() -> str:
    """inventory(1): the root's help as the description, then every command's help."""
    version = subprocess.run(
        [program(), "--version"], capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    root = help_text()
    about = root.split("\n\n", 2)[1].strip()
    out = [
        f'.TH INVENTORY 1 "" "inventory {version}" "User Commands"',
        ".SH NAME",
        "inventory \\- " + roff(about.rstrip(".")),
        ".SH SYNOPSIS",
        ".B inventory",
        "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        ".nf",
        roff(root.split("\n\n", 1)[1]),
        ".fi",
        ".SH COMMANDS",
    ]
    for path in command_tree()[1:]:
        out += [f'.SS "inventory {" ".join(path)}"', ".nf", roff(help_text(*path)), ".fi"]
    out += [
        ".SH ENVIRONMENT",
        "INVENTORY_STORE, INVENTORY_TODAY, INVENTORY_AUTHOR, INVENTORY_PAGER, "
        "INVENTORY_LOCK_TIMEOUT, INVENTORY_DEBUG, NO_COLOR, COLUMNS: see docs/reference.md.",
        ".SH SEE ALSO",
        "The guide, the reference and the store's documentation in the project's docs/ folder.",
    ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["man"]:
        sys.stdout.write(man_page())
    elif sys.argv[1:] == ["reference"]:
        sys.stdout.write(reference())
    else:
        raise SystemExit("usage: python docs/generate.py man|reference")
