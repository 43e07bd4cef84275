"""``joren worker`` and ``joren cron``."""

from flask import Flask


def register(app: Flask) -> None:
    """Add the worker commands to the ``joren`` group."""
