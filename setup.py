"""Packaging hook: compile the message catalogs (.po → .mo) into every built wheel.

The metadata lives in pyproject.toml. An installed Joren (the container image, a wheel) only
reads its catalogs: it may be read-only and owned by another user, so they are compiled here,
when the wheel is built, and shipped as package data. A source checkout compiles them at start-up.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogs(build_py):
    """Copy the package as usual, then write a fresh .mo beside each .po in the build tree."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the source tree, which compiles at start-up
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        translations = Path(self.build_lib) / "joren" / "translations"
        for po_path in sorted(translations.glob("*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with po_path.with_suffix(".mo").open("wb") as mo_file:
                write_mo(mo_file, catalog)


setup(cmdclass={"build_py": BuildPyWithCatalogs})
