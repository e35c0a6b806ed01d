"""The house's arrows: each room imports only what docs/architecture.md says it may use, no two rooms
and no two modules import each other (directly or round a longer loop), and only the demo loads
modules by name.

The imports are read with `ast` from every module under youhu/ except tests and migrations, including
imports inside functions: a lazy import is still an arrow.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
DOC = PACKAGE.parent / "docs" / "architecture.md"
SKIPPED_DIRS = {"tests", "migrations", "e2e", "__pycache__"}
PROJECT = "project"  # youhu/settings.py, urls.py, api.py, wsgi.py, cli.py: the top, may use every room
OWN_ROOMS = {"youhu.clock": "clock", "youhu.http": "http", "youhu.spreadsheet": "spreadsheet"}  # top-level modules that are rooms of their own

# Loading a module by its name hides an arrow from this test (and from readers). The demo may: its list
# of optional loaders is the top of the house. importlib.metadata only reads installed packages' versions.
DYNAMIC_IMPORT_ROOMS = {"demo"}
HARMLESS_IMPORTLIB = {"importlib.metadata"}


# ---------------------------------------------------------------- reading the code


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))
            if not SKIPPED_DIRS & set(p.relative_to(PACKAGE).parts[:-1]) and p.name != "conftest.py"}


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, mods: set[str]) -> list[str]:
    """The modules an import statement uses: `from youhu import clock` uses youhu.clock (not youhu itself),
    `from .models import Ticket` uses the room's models, `import youhu.tickets.services` that module."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        here = module.split(".") if is_package else module.split(".")[:-1]
        anchor = here[:len(here) - node.level + 1]
        base = ".".join(anchor + ([node.module] if node.module else []))
    submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in mods]
    names_of_base = len(submodules) < len(node.names)  # a function, class or constant defined in `base`
    return submodules + ([base] if names_of_base else [])


def import_graph() -> dict[str, set[str]]:
    """module -> the youhu modules it imports."""
    mods = modules()
    names = set(mods)
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _imported(node, name, path.name == "__init__.py", names):
                    while target and target not in mods:  # the deepest module the dotted name reaches
                        target = target.rpartition(".")[0]
                    if target and target != name:
                        targets.add(target)
        graph[name] = targets
    return graph


def room_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return OWN_ROOMS.get(module, PROJECT)


def room_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    rooms: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        rooms[room_of(module)] |= {room_of(t) for t in targets} - {room_of(module)}
    return rooms


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected parts of more than one node (Tarjan), i.e. every import loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                part.add(member)
                if member == node:
                    break
            if len(part) > 1:
                found.append(part)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# ---------------------------------------------------------------- reading the documented table


def documented_uses() -> dict[str, set[str] | None]:
    """room -> the rooms it may use, from the "Rooms" table of docs/architecture.md (None: every room)."""
    uses: dict[str, set[str] | None] = {}
    in_table = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[:1] == ["room"] and cells[-1] == "may use":
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        if in_table and not set(cells[0]) <= {"-", ":"}:
            room = re.match(r"`(\w+)`", cells[0]).group(1)
            uses[room] = None if "every room" in cells[-1] else set(re.findall(r"`(\w+)`", cells[-1]))
    return uses


# ---------------------------------------------------------------- the tests


def test_the_reader_finds_imports_of_every_kind():
    graph = import_graph()
    assert "youhu.clock" in graph["youhu.supervision.flows"]  # `from youhu import clock`
    assert "youhu.access.auth" in graph["youhu.workflow.api"]  # `from youhu.access.auth import api_auth`
    assert "youhu.tickets.services" in graph["youhu.workflow.actions"]  # `from youhu.tickets import services`
    assert "youhu.workflow.forms" in graph["youhu.workflow.actions"]  # `from . import forms as f`
    assert "youhu.workdays.models" in graph["youhu.workdays.calendar"]  # an import inside a function
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_every_room_is_documented_and_the_table_has_no_loop():
    uses = documented_uses()
    rooms = {room_of(m) for m in modules()}
    assert rooms == set(uses), "docs/architecture.md's table and the rooms under youhu/ differ"
    table = {room: (set(uses) - {room} if allowed is None else allowed) for room, allowed in uses.items()
             if room != PROJECT}
    assert not cycles(table), "the documented table lets two rooms use each other"


def test_rooms_use_only_what_the_table_allows():
    uses = documented_uses()
    wrong = sorted(f"{room} -> {used}" for room, targets in room_graph(import_graph()).items()
                   if uses.get(room) is not None for used in targets - uses[room])
    assert not wrong, f"imports the table in docs/architecture.md does not allow: {wrong}"


def test_no_two_rooms_import_each_other():
    assert not cycles(room_graph(import_graph()))


def test_no_import_loop_between_modules():
    loops = cycles(import_graph())
    assert not loops, f"modules importing each other: {loops}"


def _dynamic_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "importlib"
                      and a.name not in HARMLESS_IMPORTLIB]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "importlib":
            found += [f"{node.module}.{a.name}" for a in node.names
                      if f"{node.module}.{a.name}" not in HARMLESS_IMPORTLIB]
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils.module_loading":
            found.append("django.utils.module_loading")
        elif isinstance(node, ast.Name) and node.id == "__import__":
            found.append("__import__")
    return found


@pytest.mark.parametrize("probe, expected", [
    ("import importlib\n", ["importlib"]),
    ("from importlib import import_module\n", ["importlib.import_module"]),
    ("from importlib import metadata\n", []),
    ("m = __import__('x')\n", ["__import__"]),
])
def test_the_dynamic_import_finder(tmp_path, probe, expected):
    path = tmp_path / "probe.py"
    path.write_text(probe)
    assert _dynamic_imports(path) == expected


def test_only_the_demo_loads_modules_by_name():
    offenders = {name: found for name, path in modules().items()
                 if room_of(name) not in DYNAMIC_IMPORT_ROOMS and (found := _dynamic_imports(path))}
    assert not offenders
