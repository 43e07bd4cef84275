"""The shape of the house, for reviews and closing notes (`make lint` enforces the rules
with import-linter; this prints the figures): imports between features, cycles between
components, function-local imports that cross a component, the largest modules and functions.

    python tools/house_report.py [path/to/a/checkout]
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

FEATURE_PARENTS = ("tenants",)


@dataclass
class House:
    edges: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Function-local imports of another component, outside the composition roots and the
    # workers: nothing below imports those two (the layer contract), so a deferred import
    # there cannot hide a cycle; the workers defer to keep numpy and scipy out of web processes.
    local_imports: list[str] = field(default_factory=list)
    modules: list[tuple[int, str]] = field(default_factory=list)
    functions: list[tuple[int, str]] = field(default_factory=list)


def component(module: str) -> str:
    """features by name; the core (joren.platform); workers; each composition root."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[1] in FEATURE_PARENTS:
        return parts[2]
    if len(parts) >= 2 and parts[1] in ("platform", "workers"):
        return parts[1]
    return "root:" + (parts[1] if len(parts) > 1 else "joren")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(module: str, node: ast.Import | ast.ImportFrom, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        return [node.module or ""]
    base = module.split(".")[: None if is_package else -1]
    base = base[: len(base) - (node.level - 1)]
    return [".".join(base + ([node.module] if node.module else []))]


def scan_module(house: House, root: Path, path: Path) -> None:
    module = module_name(root, path)
    source = path.read_text(encoding="utf-8")
    where = str(path.relative_to(root))
    house.modules.append((len(source.splitlines()), where))
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (child.end_lineno or child.lineno) - child.lineno + 1
                house.functions.append((size, f"{where}:{child.name}"))
                visit(child, True)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                for target in imported(module, child, is_package):
                    note(target, child.lineno, in_function)
            else:
                visit(child, in_function)

    def note(target: str, line: int, in_function: bool) -> None:
        if not target.startswith("joren"):
            return
        a, b = component(module), component(target)
        if a != b:
            house.edges[a].add(b)
            if in_function and not a.startswith("root:") and a != "workers":
                house.local_imports.append(f"{where}:{line} → {target}")

    visit(ast.parse(source), False)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    nodes = sorted(set(graph) | {w for ws in graph.values() for w in ws})
    reach = {v: _reachable(graph, v) for v in nodes}
    groups = {frozenset(w for w in nodes if w in reach[v] and v in reach[w]) | {v} for v in nodes}
    return sorted(sorted(g) for g in groups if len(g) > 1)


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        for w in graph.get(stack.pop(), ()):
            if w not in seen:
                seen.add(w)
                stack.append(w)
    return seen


def scan(root: Path) -> House:
    """Every module of ``root``'s ``joren`` package (tests/test_architecture.py uses this too)."""
    house = House()
    for path in sorted((root / "joren").rglob("*.py")):
        scan_module(house, root, path)
    return house


def report(root: Path) -> None:
    house = scan(root)
    features = {c for c in house.edges if ":" not in c and c not in ("platform", "workers")}
    feature_edges = sorted((a, b) for a in features for b in house.edges[a] if b in features)
    two_way = sorted({tuple(sorted(e)) for e in feature_edges if (e[1], e[0]) in feature_edges})
    print(f"feature → feature imports: {len(feature_edges)}")
    for a, b in feature_edges:
        print(f"  {a} → {b}")
    print(f"two-way pairs: {len(two_way)} {[f'{a}↔{b}' for a, b in two_way]}")
    cycles = strongly_connected(house.edges)
    print(f"cycles between components: {len(cycles)} {cycles}")
    upward = sorted(b for b in house.edges.get("platform", ()) if b != "platform")
    print(f"core (joren.platform) imports from above it: {upward}")
    print("function-local imports across components (outside roots and workers): "
          f"{len(house.local_imports)}")
    for line in house.local_imports:
        print(f"  {line}")
    print("ten largest modules:")
    for size, where in sorted(house.modules, reverse=True)[:10]:
        print(f"  {size:5d} {where}")
    print(f"modules over 400 lines: {sum(1 for size, _ in house.modules if size > 400)}")
    print("ten largest functions:")
    for size, where in sorted(house.functions, reverse=True)[:10]:
        print(f"  {size:5d} {where}")
    print(f"functions over 60 lines: {sum(1 for size, _ in house.functions if size > 60)}")


if __name__ == "__main__":
    report(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent).resolve())
