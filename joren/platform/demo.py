"""The demo community loaded by ``joren demo``."""

from flask import Flask


def register(app: Flask) -> None:
    """Add the demo command to the ``joren`` group."""
