"""Every problem message the config reader can produce, read from its source with `ast`.

The coverage test (test_problem_words.py) checks each one against the Indonesian table; the
list comes from the source, never from the table, so a new `r.problem(...)` without words fails.

A message is a *shape*: literal text and holes, as an f-string has. A hole is followed as far as
the source says what it holds:
- a module constant, a local variable assigned once, or a helper called by name whose one
  `return` builds text: the text is written into the message (the table writes it out too);
- a variable or helper with several possible texts (`describe()`'s "integer 5" / "an array",
  `suggest()`'s "; did you mean …?" or the "; allowed: …" beside it, a noun passed by every
  caller such as `r.exists(..., "agency")`, the ValueError messages of `validate_template`):
  the hole keeps them as its choices, and the table's placeholder there must translate each;
- anything else (a value from the file, `", ".join(...)`) is an opaque hole: kept as written.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "server" / "config"


@dataclass(frozen=True)
class Hole:
    """A place in a message filled at run time; `choices` None when opaque."""

    choices: tuple[Shape, ...] | None = None


Shape = tuple[str | Hole, ...]
OPAQUE: Shape = (Hole(),)


@dataclass(frozen=True)
class Message:
    where: str  # "server/config/layout.py:112"
    shape: Shape


def _merge(parts: list[str | Hole]) -> Shape:
    out: list[str | Hole] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += part
                continue
        out.append(part)
    return tuple(out)


@cache
def _module(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _module_path(dotted: str) -> Path | None:
    if not dotted.startswith("server."):
        return None
    path = ROOT.joinpath(*dotted.split(".")).with_suffix(".py")
    return path if path.exists() else None


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


@cache
def _parent_map(path: Path) -> dict[ast.AST, ast.AST]:
    return _parents(_module(path))


def _chain(path: Path, node: ast.AST) -> list[ast.FunctionDef]:
    """The functions around a node, innermost first."""
    parents = _parent_map(path)
    out = []
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef):
            out.append(node)
    return out


def _own_nodes(func: ast.FunctionDef) -> list[ast.AST]:
    """The nodes of a function, without those of functions nested in it."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        out.append(node)
        todo.extend(
            c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.FunctionDef | ast.Lambda)
        )
    return out


class _Resolver:
    def __init__(self) -> None:
        self.depth = 0
        self.active: set[tuple[Path, int, str]] = set()  # names being read: a = f"{a}…"
        self.in_caller = False  # reading a caller's argument: no further callers

    # ---- names ----

    def _definition(self, path: Path, name: str) -> tuple[Path, ast.AST] | None:
        """A module-level def or assignment of `name` in `path` or the server module it is
        imported from."""
        tree = _module(path)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return path, node
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    return path, node
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        other = _module_path(node.module)
                        if other is not None:
                            return self._definition(other, alias.name)
        return None

    def shapes(self, path: Path, expr: ast.AST, scope: ast.AST) -> list[Shape]:
        """Every text `expr` may hold, read in `scope` (its node, for finding functions)."""
        self.depth += 1
        try:
            if self.depth > 25:
                return [OPAQUE]
            return self._shapes(path, expr, scope)
        finally:
            self.depth -= 1

    def _shapes(self, path: Path, expr: ast.AST, scope: ast.AST) -> list[Shape]:
        if isinstance(expr, ast.Constant):
            return [_merge([expr.value])] if isinstance(expr.value, str) else [OPAQUE]
        if isinstance(expr, ast.JoinedStr):
            out: list[list[str | Hole]] = [[]]
            for value in expr.values:
                if isinstance(value, ast.Constant):
                    out = [[*o, value.value] for o in out]
                else:
                    assert isinstance(value, ast.FormattedValue)
                    part = self.hole(path, value.value, scope)
                    out = [o + list(part) for o in out]
            return [_merge(o) for o in out]
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self.shapes(path, expr.left, scope)
            right = self.shapes(path, expr.right, scope)
            return _unique([_merge([*a, *b]) for a in left for b in right])
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            return _unique([s for v in expr.values for s in self.shapes(path, v, scope)])
        if isinstance(expr, ast.IfExp):
            return _unique(
                self.shapes(path, expr.body, scope) + self.shapes(path, expr.orelse, scope)
            )
        if isinstance(expr, ast.Name):
            return self._name(path, expr.id, scope)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            return self._call(path, expr.func.id, scope)
        return [OPAQUE]

    def hole(self, path: Path, expr: ast.AST, scope: ast.AST) -> Shape:
        """What a `{...}` of an f-string puts in a message: one text written in, or a hole."""
        # Text without letters ("24:00" beside a formatted time) needs no words: as opaque.
        found = _unique([s if _wordy(s) else OPAQUE for s in self.shapes(path, expr, scope)])
        if OPAQUE in found and () in found:  # `agency or ""`: a value or nothing, as written
            found.remove(())
        if len(found) == 1:
            return found[0]
        return (Hole(tuple(found)),)

    def _name(self, path: Path, name: str, scope: ast.AST) -> list[Shape]:
        here = (path, getattr(scope, "lineno", 0), name)
        if here in self.active:
            return [OPAQUE]
        self.active.add(here)
        try:
            return self._name_in(path, name, scope)
        finally:
            self.active.discard(here)

    def _name_in(self, path: Path, name: str, scope: ast.AST) -> list[Shape]:
        for func in _chain(path, scope):
            assigned: list[ast.AST] = []
            added: list[ast.AST] = []
            handler = None
            for node in _own_nodes(func):
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == name for t in node.targets
                ):
                    assigned.append(node.value)
                elif (
                    isinstance(node, ast.AugAssign)
                    and isinstance(node.target, ast.Name)
                    and node.target.id == name
                ):
                    added.append(node.value)
                elif isinstance(node, ast.ExceptHandler) and node.name == name:
                    handler = node
                elif isinstance(node, ast.For | ast.comprehension) and name in {
                    n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)
                }:
                    return [OPAQUE]
            if handler is not None:
                return self._raised(path, handler)
            if any(isinstance(n, ast.Name) and n.id == name for v in assigned for n in ast.walk(v)):
                return [OPAQUE]  # rewritten from itself (a library's message reworded): opaque
            if assigned:
                base = _unique([s for v in assigned for s in self.shapes(path, v, v)])
                more = [
                    _merge([*b, *s]) for v in added for b in base for s in self.shapes(path, v, v)
                ]
                return _unique(base + more)
            params = [a.arg for a in func.args.args + func.args.kwonlyargs]
            if name in params:
                if self.in_caller:
                    return [OPAQUE]
                self.in_caller = True
                try:
                    return self._passed(path, func, name)
                finally:
                    self.in_caller = False
        found = self._definition(path, name)
        if found is not None:
            where, node = found
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                return self.shapes(where, node.value, node)
        return [OPAQUE]

    def _call(self, path: Path, name: str, scope: ast.AST) -> list[Shape]:
        found = self._definition(path, name)
        if found is None or not isinstance(found[1], ast.FunctionDef):
            return [OPAQUE]
        where, func = found
        returns = [n for n in _own_nodes(func) if isinstance(n, ast.Return) and n.value]
        if not returns:
            return [OPAQUE]
        return _unique([s for r in returns for s in self.shapes(where, r.value, r)])

    def _passed(self, path: Path, func: ast.FunctionDef, name: str) -> list[Shape]:
        """A parameter: what every caller passes, when each caller's text can be read."""
        params = [a.arg for a in func.args.args]
        index = params.index(name) if name in params else None
        if index is not None and params and params[0] == "self":
            index -= 1
        out: list[Shape] = []
        for file in sorted(CONFIG.glob("*.py")):
            for call in ast.walk(_module(file)):
                if not isinstance(call, ast.Call):
                    continue
                callee = call.func
                called = callee.attr if isinstance(callee, ast.Attribute) else None
                called = callee.id if isinstance(callee, ast.Name) else called
                if called != func.name:
                    continue
                arg = self._argument(file, call, index, name)
                if arg is None:
                    return [OPAQUE]
                found = self.shapes(file, arg, call)
                if OPAQUE in found:  # a value from the file (or worked out): kept as written
                    return [OPAQUE]
                out.extend(found)
        return _unique(out) or [OPAQUE]

    def _argument(self, file: Path, call: ast.Call, index: int | None, name: str) -> ast.AST | None:
        for keyword in call.keywords:
            if keyword.arg == name:
                return keyword.value
        if index is None:
            return None
        args: list[ast.AST] = []
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                found = (
                    self._definition(file, arg.value.id)
                    if isinstance(arg.value, ast.Name)
                    else None
                )
                if found is None or not isinstance(getattr(found[1], "value", None), ast.Tuple):
                    return None
                args.extend(found[1].value.elts)  # type: ignore[attr-defined]
            else:
                args.append(arg)
        return args[index] if index < len(args) else None

    def _raised(self, path: Path, handler: ast.ExceptHandler) -> list[Shape]:
        """`except ValueError as e` around calls of server helpers: the messages they raise."""
        parents = _parent_map(path)
        try_node = parents[handler]
        assert isinstance(try_node, ast.Try)
        out: list[Shape] = []
        for node in (n for stmt in try_node.body for n in ast.walk(stmt)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                found = self._definition(path, node.func.id)
                if found is None or not isinstance(found[1], ast.FunctionDef):
                    continue
                where, func = found
                for raise_ in (n for n in ast.walk(func) if isinstance(n, ast.Raise)):
                    exc = raise_.exc
                    if isinstance(exc, ast.Call) and exc.args:
                        out.extend(self.shapes(where, exc.args[0], raise_))
        return _unique(out) or [OPAQUE]


def _wordy(shape: Shape) -> bool:
    return shape == () or any(not isinstance(p, str) or any(c.isalpha() for c in p) for p in shape)


def _unique(shapes: list[Shape]) -> list[Shape]:
    return list(dict.fromkeys(shapes))


def problem_messages() -> list[Message]:
    """Every message given to `.problem(key, message)` or `ConfigProblem(file, line, key,
    message)` in server/config/*.py."""
    resolver = _Resolver()
    out: list[Message] = []
    for path in sorted(CONFIG.glob("*.py")):
        for node in ast.walk(_module(path)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "problem" and len(node.args) == 2:
                message = node.args[1]
            elif isinstance(func, ast.Name) and func.id == "ConfigProblem" and len(node.args) == 4:
                if any(f.name == "problem" for f in _chain(path, node)):
                    continue  # Reader.problem itself: its callers are collected above
                message = node.args[3]
            else:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for shape in resolver.shapes(path, message, node):
                out.append(Message(where, shape))
    return out


def show(shape: Shape) -> str:
    return "".join(
        p
        if isinstance(p, str)
        else ("{…}" if p.choices is None else "{" + " | ".join(show(c) for c in p.choices) + "}")
        for p in shape
    )


if __name__ == "__main__":
    for m in problem_messages():
        print(m.where, "::", show(m.shape))
