"""Jobs for the outage tests: importable by name in a real worker's work-horse."""

from __future__ import annotations

import time
from pathlib import Path


def wait_for_file(path: str) -> str:
    """Hold the worker busy until the test creates ``path``."""
    while not Path(path).exists():
        time.sleep(0.05)
    return "released"


def echo(value: int) -> int:
    return value
