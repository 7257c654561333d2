"""The import graph between the project's apps, read from the source (no imports run).

Every ``import`` and ``from ... import`` in the project's Python files is counted, the ones
inside functions too (they still tie two apps together; they only hide it). An *app* is a
top-level package of the project: each folder in ``platform/``, plus ``generation``,
``moderation`` and ``config``. Migrations and tests are not read.

    .venv/bin/python tools/import_graph.py            # figures: cycles, mutual pairs, local imports
    .venv/bin/python tools/import_graph.py --edges    # every app -> app edge with one example

``tests/test_layers.py`` holds the layer contracts built on :func:`read_project`.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM = ROOT / "platform"
TOP_LEVEL_APPS = ("generation", "moderation", "config")


@dataclass(frozen=True)
class ImportSite:
    """One import statement: where it is, what it names, whether it sits in a function."""

    path: Path
    line: int
    importer: str  # dotted module that holds the statement
    target: str  # dotted module it imports
    in_function: bool

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


@dataclass
class Project:
    apps: frozenset[str]
    sites: list[ImportSite] = field(default_factory=list)

    def app_of(self, module: str) -> str | None:
        head = module.split(".", 1)[0]
        return head if head in self.apps else None

    def app_sites(self) -> Iterator[tuple[str, str, ImportSite]]:
        """(importing app, imported app, site) for every import between two different apps."""
        for site in self.sites:
            source, target = self.app_of(site.importer), self.app_of(site.target)
            if source and target and source != target:
                yield source, target, site

    def edges(self) -> dict[tuple[str, str], list[ImportSite]]:
        found: dict[tuple[str, str], list[ImportSite]] = {}
        for source, target, site in self.app_sites():
            found.setdefault((source, target), []).append(site)
        return found

    def mutual_pairs(self) -> list[tuple[str, str]]:
        edges = self.edges()
        return sorted((a, b) for (a, b) in edges if a < b and (b, a) in edges)

    def cycles(self) -> list[list[str]]:
        """Strongly connected groups of more than one app (each holds at least one cycle)."""
        graph: dict[str, set[str]] = {app: set() for app in self.apps}
        for a, b in self.edges():
            graph[a].add(b)
        return [sorted(group) for group in _strongly_connected(graph) if len(group) > 1]

    def function_level(self) -> list[ImportSite]:
        """Imports of project modules made inside a function (standard library excluded)."""
        return [s for s in self.sites if s.in_function and self.app_of(s.target)]


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _module_name(path: Path) -> str:
    base = PLATFORM if path.is_relative_to(PLATFORM) else ROOT
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        package = importer.split(".") if is_package else importer.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, node.module] if node.module else package)
    # `from app import module` names a module: count the deeper name.
    return [f"{base}.{alias.name}" if base else alias.name for alias in node.names]


class _Collector(ast.NodeVisitor):
    def __init__(self, path: Path, module: str, is_package: bool) -> None:
        self.path, self.module, self.is_package = path, module, is_package
        self.depth = 0
        self.sites: list[ImportSite] = []

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _add(self, line: int, target: str) -> None:
        self.sites.append(ImportSite(self.path, line, self.module, target, self.depth > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node.lineno, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for target in _resolve(self.module, self.is_package, node):
            self._add(node.lineno, target)

    def visit_If(self, node: ast.If) -> None:
        # `if TYPE_CHECKING:` imports never run: they tie no modules together.
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)


def _source_files(apps: frozenset[str]) -> Iterator[Path]:
    for app in sorted(apps):
        folder = PLATFORM / app if (PLATFORM / app).is_dir() else ROOT / app
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path


def _parse(path: Path) -> ast.Module:
    """``ast.parse``, once more if Python 3.11's AST builder trips over another thread.

    Its recursion counter is shared between threads (CPython gh-106905): a thread that
    formats a traceback at the same moment (3.11's traceback module parses source to place
    its carets) makes a correct parse fail with ``SystemError: AST constructor recursion
    depth mismatch``. The source is fine; parsing it again succeeds."""
    source = path.read_text()
    try:
        return ast.parse(source, filename=str(path))
    except SystemError:
        return ast.parse(source, filename=str(path))


def read_project() -> Project:
    apps = {p.name for p in PLATFORM.iterdir() if (p / "__init__.py").exists()}
    apps.update(TOP_LEVEL_APPS)
    project = Project(apps=frozenset(apps))
    for path in _source_files(project.apps):
        collector = _Collector(path, _module_name(path), path.name == "__init__.py")
        collector.visit(_parse(path))
        project.sites.extend(collector.sites)
    return project


def _figures(project: Project, *, leave_out: frozenset[str]) -> dict[str, object]:
    kept = Project(apps=project.apps - leave_out, sites=project.sites)
    return {
        "cycles": kept.cycles(),
        "mutual_pairs": kept.mutual_pairs(),
        "function_level_imports": len(kept.function_level()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="list every app -> app edge")
    args = parser.parse_args()
    project = read_project()
    # config is the composition root (settings, URL map): it imports every app by design.
    figures = _figures(project, leave_out=frozenset({"config"}))
    cycles = figures["cycles"]
    pairs = figures["mutual_pairs"]
    assert isinstance(cycles, list) and isinstance(pairs, list)
    print(f"apps (config left out): {len(project.apps) - 1}")
    print(f"groups of apps in a cycle: {len(cycles)}; apps in them: {sum(len(c) for c in cycles)}")
    for group in cycles:
        print("  cycle group:", " ".join(group))
    print(f"pairs of apps importing each other: {len(pairs)}")
    for a, b in pairs:
        print(f"  {a} <-> {b}")
    local = {s.where() for s in project.function_level() if project.app_of(s.importer) != "config"}
    print(f"import statements of project modules inside functions: {len(local)}")
    if args.edges:
        for (a, b), sites in sorted(project.edges().items()):
            print(f"{a} -> {b}: {len(sites)} ({sites[0].where()} {sites[0].target})")


if __name__ == "__main__":
    main()
