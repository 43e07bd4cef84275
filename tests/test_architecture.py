"""The house's rules that import-linter cannot see (``make lint`` runs the layer contracts):

- no function-local import of another component (a feature, the core): such an import is how
  a cycle hides from the contract. Composition roots (app, cli, demo) and the workers may defer
  imports, since no feature imports them (the layer contract sees to that), so a deferred
  import there cannot hide a cycle; the workers use it to keep numpy and scipy out of the web
  processes, which import every job module through the CLI;
- every feature package is in the layer contract, so a new feature cannot sit outside the order.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOREN = ROOT / "joren"
ROOTS = ("joren.app", "joren.cli", "joren.demo", "joren.models", "joren.workers")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _component(module: str) -> str:
    parts = module.split(".")
    if parts[1] == "tenants" and len(parts) > 2:
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def _deferred_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `import`/`from … import` inside a function body."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                    found.append((inner.lineno, inner.module))
                elif isinstance(inner, ast.Import):
                    found.extend((inner.lineno, alias.name) for alias in inner.names)
    return found


def test_no_function_local_import_crosses_a_component():
    crossings = []
    for path in sorted(JOREN.rglob("*.py")):
        module = _module(path)
        if module.startswith(ROOTS):
            continue
        for line, target in _deferred_imports(path):
            if target.startswith("joren.") and _component(target) != _component(module):
                crossings.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert crossings == [], "import at the top of the module (the layers allow it) or emit a signal"


def test_the_scanner_sees_a_deferred_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from joren.tenants.payments import pricing\n")
    assert _deferred_imports(sample) == [(2, "joren.tenants.payments")]


def test_every_feature_is_in_the_layer_contract():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["id"] == "layers")["layers"]
    named = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    features = {f"joren.tenants.{p.name}" for p in (JOREN / "tenants").iterdir()
                if (p / "__init__.py").exists()}
    assert features - named == set()
    assert {"joren.platform", "joren.workers", "joren.app"} <= named
