"""The layout holds: read from the source with ``ast``, not from a running program.

- no import cycle among the package's modules (imports inside functions count too: they
  are cycles that only wait for the right call);
- no module passes ~800 lines;
- one name for one idea: a public name is defined in one module only;
- the command line holds no domain logic: ``cli/`` imports neither pydantic nor the
  parsing tools of the domain, and defines no data but its own plumbing.
"""

from __future__ import annotations

import ast
import io
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import REPO, light_probe

SRC = REPO / "src" / "inventory"
MAX_LINES = 800


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The package's modules an import statement loads (``from . import sql`` is the
    submodule, not its package)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name in MODULES]
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
        base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
    whole = target in MODULES and len(subs) < len(node.names)
    return subs + ([target] if whole else [])


def _imports(module: str, *, typing: bool = False) -> set[str]:
    """What ``module`` imports when it runs; with ``typing``, its type-only imports too."""
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if (
                not typing
                and isinstance(node, ast.If)
                and "TYPE_CHECKING" in ast.unparse(node.test)
            ):
                continue  # annotations only: never executed
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.update(_targets(module, node))
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    visit(inner)

    visit(TREES[module].body)
    found.discard(module)
    return found


GRAPH = {module: _imports(module) for module in MODULES}
TYPED_GRAPH = {module: _imports(module, typing=True) for module in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            strong(v)
    return out


def test_the_graph_is_read() -> None:
    # The checks below mean something only if the imports are found.
    assert "inventory.query" in GRAPH["inventory.store.base"]
    assert "inventory.store.sql" in GRAPH["inventory.store.cache"]
    assert "inventory.formats.ics" in GRAPH["inventory.cli.query"]  # inside a function


def test_no_import_cycle() -> None:
    # Type-only imports count: a cycle hidden under TYPE_CHECKING is still two modules that
    # cannot be understood apart (history.py and store/base.py were one).
    assert _cycles(TYPED_GRAPH) == []


def _reached(module: str) -> set[str]:
    """Every module of the package that importing ``module`` may load."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for found in GRAPH[todo.pop()]:
            if found not in seen:
                seen.add(found)
                todo.append(found)
    return seen


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("inventory.readers")))
def test_a_reader_imports_neither_the_store_nor_the_writers(module: str) -> None:
    # The readers sit below importing.py: one layer, reading inputs into activities.
    above = ("inventory.store", "inventory.formats", "inventory.views", "inventory.cli",
             "inventory.importing", "inventory.reconcile")  # fmt: skip
    assert sorted(m for m in _reached(module) if m.startswith(above)) == []


def test_a_cycle_would_be_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_passes_800_lines(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines"


# Each format module's entry points (the registries call them: write, and read for the
# formats that can be imported, read_chunks for those that read a chunk at a time), each
# command group's Typer app (Typer's convention); private names are each module's own
# business.
SHARED_BY_DESIGN = {
    "write": ("inventory.formats",),
    "read": ("inventory.readers",),
    "read_chunks": ("inventory.readers",),
    "app": ("inventory.cli",),
    "__all__": ("inventory",),
}


# One idea, asked of each SQL engine in its own dialect.
PER_ENGINE = {"schema_version": {"inventory.store.sql", "inventory.store.pgschema"}}


def test_one_name_for_one_idea() -> None:
    defined: dict[str, list[str]] = defaultdict(list)
    for module, tree in TREES.items():
        for node in tree.body:
            names: list[str] = []
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            for name in names:
                shared = SHARED_BY_DESIGN.get(name, ())
                if not name.startswith("_") and not module.startswith(shared):
                    defined[name].append(module)
    twice = {name: set(where) for name, where in defined.items() if len(set(where)) > 1}
    assert twice == PER_ENGINE


CLI = [m for m in MODULES if m.startswith("inventory.cli")]
# The domain's own tools: a CLI module that needs them is doing the domain's work.
DOMAIN_ONLY = {"pydantic", "re", "calendar", "csv", "sqlite3", "dateutil", "rapidfuzz"}
# What the CLI may keep as data: the state of one run, the table of commands, and the
# filter options as typed (cli/filters.py; query.Criteria is what they mean).
CLI_DATA = {"Globals", "Run", "Entry", "Filters"}


@pytest.mark.parametrize("module", CLI)
def test_the_cli_holds_no_domain_logic(module: str) -> None:
    tree = TREES[module]
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & DOMAIN_ONLY, module
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {ast.unparse(b) for b in node.bases}
            assert not bases & {"BaseModel", "pydantic.BaseModel"}, (module, node.name)
            decorated = {ast.unparse(d).split("(")[0] for d in node.decorator_list}
            if "dataclass" in decorated:
                assert node.name in CLI_DATA, (module, node.name)


def test_tests_read_the_frozen_fixture_not_the_shipped_store() -> None:
    # Only test_store.py names the shipped store: to keep it equal to the fixture.
    texts = {p.name: p.read_text(encoding="utf-8") for p in (REPO / "tests").glob("test_*.py")}
    del texts["test_architecture.py"]
    naming = [n for n, t in sorted(texts.items()) if "SHIPPED_STORE" in t or "data/act" in t]
    assert naming == ["test_store.py"]


def test_the_contributing_guide_says_where_things_live() -> None:
    guide = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = guide.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    named = {n for n in re.findall(r"`([\w/]+\.py|[\w]+/)`", section) if not n.startswith("tests/")}
    files = {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")}
    folders = {p.name + "/" for p in SRC.rglob("*") if p.is_dir()}
    for name in named:  # every module or folder named exists
        assert name in files or any(f.endswith("/" + name) for f in files) or name in folders, name
    for path in sorted(SRC.iterdir()):  # every top-level module and folder is named
        if path.suffix == ".py" and path.stem not in ("__init__", "__main__"):
            assert path.name in named, path.name
        elif path.is_dir() and (path / "__init__.py").exists():
            assert f"{path.name}/" in named, path.name


def test_the_entry_point_starts_light() -> None:
    # inventory --version and --help answer as fast as a bare Typer app: neither pydantic,
    # Rich nor the models are imported before a command is run.
    import subprocess
    import sys

    probe = (
        "import sys, runpy\n"
        "sys.argv = ['inventory', '{arg}']\n"
        "from inventory.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {{'pydantic', 'rich', 'inventory.model', 'inventory.store'}} & set(sys.modules)\n"
        "print(sorted(heavy), file=sys.stderr)\n"
    )
    for arg in ("--version", "--help"):
        result = subprocess.run(
            [sys.executable, "-c", probe.format(arg=arg)], capture_output=True, text=True
        )
        assert result.stderr.strip().splitlines()[-1] == "[]", (arg, result.stderr)


def test_a_json_query_on_a_csv_store_builds_no_model(tmp_path: Path) -> None:
    # The question officers ask most, `list ... --json`, is answered from the CSV store's
    # cache as the records it keeps: neither pydantic, Rich nor the models are imported
    # (they are half of a run), and the answer is the same as through the models.
    import shutil
    import subprocess
    import sys

    from tests.helpers import BUNDLED_STORE

    store = tmp_path / "activities.csv"
    shutil.copy(BUNDLED_STORE, store)
    argv = ["list", "--project", "GLACY+", "--month", "2019-11", "--json", "--store", str(store)]
    probe = light_probe(argv)
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)]
    runs.append(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True))
    first, warm = runs
    # pydantic is Typer's: it converts every option through a TypeAdapter, and no public
    # way around it exists (cli/typer_compat.py); the models and Rich stay unloaded.
    assert warm.stderr.strip().splitlines()[-1] == "['pydantic']", warm.stderr
    assert first.stdout == warm.stdout
    titles = [r["title"] for r in __import__("json").loads(warm.stdout)]
    assert len(titles) == 11 and titles[0] == "INTERPOL Malware Analysis Training"
    # Through the models (the NDJSON of the table's activities, built from each model):
    from inventory.formats import Format, Listing, Output, write
    from inventory.query import Criteria
    from inventory.store import open_store

    with open_store(str(store)) as opened:
        where = Criteria(projects=("GLACY+",), period=(date(2019, 11, 1), date(2019, 11, 30)))
        out = io.StringIO()
        write(Listing(opened.select(where).activities), Format.JSON, Output(out))
    assert out.getvalue() == warm.stdout
