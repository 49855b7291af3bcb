"""The import contract: the walls between the rooms of the tree, read from the source with `ast`.

Why a small checker of our own rather than import-linter: the three rules below are a page of
code over the standard library's parser, they must see imports made inside functions (a lazy
import is how a hidden dependency slipped into the pure core before), and a test can run the
checker on a throw-away tree to show that each rule fails when it is broken.

The rules (docs/architecture.md, "Walls"):
1. A client (kiosk, counter, the display clients) imports of the server only its published
   protocol and client (`server.protocol`, `server.client`), and nothing of another client.
2. The pure core (`server.core`) imports only itself and the standard library.
3. The server imports no client: it serves the TV's browser code as files.
4. No import cycle between the project's modules (imports under `if TYPE_CHECKING:` are for the
   type checker only and are not followed).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CLIENTS", "PUBLISHED", "Violation", "check", "import_graph"]

CLIENTS = ("kiosk", "counter", "display")
# The published modules, each with what is inside it: `server.protocol` is a package whose
# modules (codes, requests, frames, messages) are as published as the package itself.
PUBLISHED = frozenset({"server.protocol", "server.client"})
PACKAGES = ("server", *CLIENTS)
CORE = "server.core"


@dataclass(frozen=True, order=True)
class Violation:
    rule: str
    where: str  # "path:line" or a cycle's modules
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.detail}"


@dataclass(frozen=True)
class _Import:
    target: str
    line: int


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            found[_module_name(root, path)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, but not those under `if TYPE_CHECKING:`."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _imports(name: str, path: Path, known: dict[str, Path]) -> list[_Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[_Import] = []
    for node in _walk(tree):
        if isinstance(node, ast.Import):
            out.extend(_Import(alias.name, node.lineno) for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            # `from server import protocol` imports the module server.protocol.
            candidate = f"{base}.{alias.name}"
            out.append(_Import(candidate if candidate in known else base, node.lineno))
    return out


def _first_party(target: str, known: dict[str, Path]) -> str | None:
    """The project module an import names (the longest known prefix), or None."""
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in known:
            return prefix
    return None


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def import_graph(root: Path) -> dict[str, dict[str, int]]:
    """{module: {imported project module: first line}} for the project's packages under root."""
    known = _modules(root)
    graph: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        edges: dict[str, int] = {}
        for imp in _imports(name, path, known):
            target = _first_party(imp.target, known)
            if target is not None and target != name:
                edges.setdefault(target, imp.line)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, dict[str, int]]) -> Iterable[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    yield sorted(component)


def check(root: Path) -> list[Violation]:
    """Every broken wall in the tree under root, sorted; empty when the contract holds."""
    known = _modules(root)
    graph = import_graph(root)
    found: list[Violation] = []
    for name, path in known.items():
        where_file = path.relative_to(root).as_posix()
        client = next((c for c in CLIENTS if _inside(name, c)), None)
        for imp in _imports(name, path, known):
            target = _first_party(imp.target, known)
            where = f"{where_file}:{imp.line}"
            top = imp.target.split(".")[0]
            if client is not None and target is not None:
                published = any(_inside(target, p) for p in PUBLISHED)
                if _inside(target, "server") and not published and target != "server":
                    found.append(
                        Violation("client imports the server's insides", where, imp.target)
                    )
                elif not _inside(target, client) and not _inside(target, "server"):
                    found.append(Violation("client imports another client", where, imp.target))
            if _inside(name, CORE):
                outside_project = target is None and top not in sys.stdlib_module_names
                outside_core = target is not None and not _inside(target, CORE)
                if outside_project or outside_core:
                    found.append(
                        Violation("the pure core imports outside itself", where, imp.target)
                    )
            serving = _inside(name, "server") and target is not None
            if serving and any(_inside(target, c) for c in CLIENTS):
                found.append(Violation("the server imports a client", where, imp.target))
    for cycle in _cycles(graph):
        found.append(Violation("import cycle", " -> ".join(cycle), f"{len(cycle)} modules"))
    return sorted(set(found))
