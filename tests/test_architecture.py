"""The house's rules that import-linter cannot see (``make lint`` runs the layer contracts):

- no function-local import of another component (a feature, the core): such an import is how
  a cycle hides from the contract. Composition roots (app, cli, demo) and the workers may defer
  imports, since no feature imports them (the layer contract sees to that), so a deferred
  import there cannot hide a cycle; the workers use it to keep numpy and scipy out of the web
  processes, which import every job module through the CLI;
- every feature package is in the layer contract, so a new feature cannot sit outside the order.

The scan is ``tools/house_report.py``'s, the same that prints the house's figures.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from tools.house_report import House, scan, scan_module

ROOT = Path(__file__).resolve().parent.parent
JOREN = ROOT / "joren"


def test_no_function_local_import_crosses_a_component():
    assert scan(ROOT).local_imports == [], (
        "import at the top of the module (the layers allow it) or emit a signal")


def test_the_scanner_sees_a_deferred_import_in_a_feature_and_not_in_a_worker(tmp_path):
    def deferred(where: str) -> list[str]:
        sample = tmp_path.joinpath(*where.split("/"))
        sample.parent.mkdir(parents=True, exist_ok=True)
        sample.write_text("def f():\n    from joren.tenants.payments import pricing\n")
        house = House()
        scan_module(house, tmp_path, sample)
        return house.local_imports

    assert deferred("joren/tenants/meetups/sample.py") == [
        "joren/tenants/meetups/sample.py:2 → joren.tenants.payments"]
    assert deferred("joren/workers/sample.py") == []


def test_every_feature_is_in_the_layer_contract():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["id"] == "layers")["layers"]
    named = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    features = {f"joren.tenants.{p.name}" for p in (JOREN / "tenants").iterdir()
                if (p / "__init__.py").exists()}
    assert features - named == set()
    assert {"joren.platform", "joren.workers", "joren.app"} <= named
