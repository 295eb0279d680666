"""The house rules of docs/architecture.md, checked on the source: no import cycle, every package imports only
the layers below it, and the engine is a functional core (standard library only, no wall clock).

Imports are read with ast wherever they stand: at the top, inside functions and under TYPE_CHECKING alike."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: hallq's packages and the repository's own top-level ones (the user-facing blueprints and the bridge)
TOP_LEVEL = ("hallq", "kiosk", "caller", "display_board", "manager", "firmware_bridge")

#: lowest first; a package may import its own modules and those of packages in lower layers, never higher
#: or alongside (docs/architecture.md draws the same picture)
LAYERS: list[set[str]] = [
    {"hallq.engine", "hallq.net"},
    {"hallq.printing", "hallq.speech", "firmware_bridge"},
    {"hallq.config"},
    {"hallq.simulate", "hallq.store"},
    {"hallq.operations"},
    {"hallq.stats", "hallq.whatif", "hallq.province", "hallq.sms"},
    {"hallq.web"},
    {"hallq.api", "kiosk", "caller", "display_board", "manager"},
    {"hallq.app"},
    {"hallq.demo"},
    {"hallq.cli"},
]
LAYER_OF = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}
#: what the engine may never touch: frameworks, the network, the wall clock
ENGINE_BANNED_MODULES = ("flask", "sqlalchemy", "socket", "time")
WALL_CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> Iterator[Path]:
    for top in TOP_LEVEL:
        yield from sorted(path for path in (ROOT / top).rglob("*.py") if "migrations" not in path.parts)


def imported_names(path: Path) -> Iterator[tuple[str, int]]:
    """Every module name an import in `path` names, with its line: `from a import b` gives a.b where b is a
    module (importing a submodule runs its package's __init__ first, whatever the form), else a."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield (submodule if _is_module(submodule) else base), node.lineno


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in source_files()}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imported, _line in imported_names(path):
            if imported in modules and imported != name:
                graph[name].add(imported)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_of(module: str) -> str | None:
    """The layered package a module belongs to (hallq.web.auth -> hallq.web, kiosk.texts -> kiosk)."""
    parts = module.split(".")
    for size in (2, 1):
        if ".".join(parts[:size]) in LAYER_OF:
            return ".".join(parts[:size])
    return None


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_every_module_belongs_to_a_layer_and_hallq_has_only_packages_at_its_top() -> None:
    loose = [module_name(path) for path in source_files() if package_of(module_name(path)) is None]
    allowed = {"hallq", "hallq.__main__"}
    assert sorted(set(loose) - allowed) == []


@pytest.mark.parametrize("path", list(source_files()), ids=lambda path: module_name(path))
def test_packages_import_only_the_layers_below_them(path: Path) -> None:
    own = package_of(module_name(path))
    if own is None:
        return
    wrong = []
    for imported, line in imported_names(path):
        target = package_of(imported)
        if target is not None and target != own and LAYER_OF[target] >= LAYER_OF[own]:
            wrong.append(f"line {line}: {imported} ({target}, layer {LAYER_OF[target]} >= {LAYER_OF[own]})")
    assert wrong == []


@pytest.mark.parametrize(
    "path", sorted((ROOT / "hallq" / "engine").rglob("*.py")), ids=lambda path: module_name(path)
)
def test_the_engine_imports_only_the_standard_library_and_never_reads_the_clock(path: Path) -> None:
    problems = []
    for imported, line in imported_names(path):
        top = imported.split(".")[0]
        if imported.startswith("hallq.engine") or imported == "__future__":
            continue
        if top in ENGINE_BANNED_MODULES or top not in sys.stdlib_module_names:
            problems.append(f"line {line}: imports {imported}")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name | ast.Attribute)
            and ((node.value.id if isinstance(node.value, ast.Name) else node.value.attr), node.attr)
            in WALL_CLOCK_READS
        ):
            problems.append(f"line {node.lineno}: reads the wall clock ({ast.unparse(node)})")
    assert problems == []


def test_what_runs_in_a_hall_never_imports_what_only_tests_it() -> None:
    """firmware_bridge/emulators/ (device models, pty buses) is for tests, the demo and benchmarks: the
    bridge, its master, drivers and transport never import it (issue 34)."""
    root = Path(__file__).resolve().parents[1] / "firmware_bridge"
    running = [p for p in root.rglob("*.py") if "emulators" not in p.relative_to(root).parts]
    assert len(running) >= 8
    offenders = [str(p.relative_to(root)) for p in running if "emulators" in p.read_text(encoding="utf-8")]
    assert offenders == []
