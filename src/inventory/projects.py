"""The registry of known projects, their aliases, and name resolution."""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import StoreError, UsageError


def _key(name: str) -> str:
    # Case and punctuation vary between issues of the newsletter ("GLACY+", "Glacy +").
    return "".join(ch for ch in name.casefold() if not ch.isspace())


@dataclass(frozen=True)
class Project:
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "project"
    start: str | None = None
    """First month of the project's duration, ``YYYY-MM``."""
    end: str | None = None
    """Last month of the project's duration, ``YYYY-MM``."""


@dataclass
class Registry:
    projects: list[Project]
    _index: dict[str, Project] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        for project in self.projects:
            for name in (project.name, *project.aliases):
                self._index[_key(name)] = project

    def find(self, name: str) -> Project | None:
        """The project a name or alias refers to, case-insensitively."""
        return self._index.get(_key(name))

    def canonical(self, name: str) -> str:
        """The canonical name, or the name as written when it is not known."""
        project = self.find(name)
        return project.name if project else name.strip()

    def resolve(self, name: str) -> Project:
        """For command-line values: an unknown name is a usage error with a suggestion."""
        project = self.find(name)
        if project is not None:
            return project
        names = [p.name for p in self.projects]
        candidates = {_key(n): p.name for p in self.projects for n in (p.name, *p.aliases)}
        close = difflib.get_close_matches(_key(name), list(candidates), n=3, cutoff=0.5)
        hint = ", ".join(dict.fromkeys(candidates[c] for c in close)) or ", ".join(names)
        raise UsageError(
            f"unknown project '{name}': did you mean {hint}?"
            if close
            else f"unknown project '{name}': expected one of {hint}"
        )

    def split(self, column: str) -> list[str]:
        """Split a newsletter project column: commas, spaces or a trailing comma."""
        words = [w for w in column.replace(",", " ").split() if w]
        out: list[str] = []
        i = 0
        while i < len(words):
            # Prefer a two-word alias ("iPROCEEDS 2") over two one-word names.
            pair = " ".join(words[i : i + 2])
            if i + 1 < len(words) and self.find(pair) is not None:
                out.append(pair)
                i += 2
            else:
                out.append(words[i])
                i += 1
        return out


def _read(text: str, source: str) -> Registry:
    projects = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        name = (row.get("name") or "").strip()
        if not name:
            raise StoreError("a project needs a name", source=source, line=line, field="name")
        projects.append(
            Project(
                name=name,
                aliases=tuple(
                    a.strip() for a in (row.get("aliases") or "").split(";") if a.strip()
                ),
                kind=(row.get("kind") or "project").strip(),
                start=(row.get("start") or "").strip() or None,
                end=(row.get("end") or "").strip() or None,
            )
        )
    return Registry(projects)


@lru_cache(maxsize=8)
def load_registry(path: Path | None = None) -> Registry:
    """The projects of ``path`` (a projects.csv beside the store) or the built-in list."""
    if path is not None and path.is_file():
        return _read(path.read_text(encoding="utf-8-sig"), str(path))
    text = resources.files("inventory").joinpath("_data/projects.csv").read_text(encoding="utf-8")
    return _read(text, "built-in projects")
