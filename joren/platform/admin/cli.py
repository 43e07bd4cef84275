"""Platform admin commands (create-admin)."""

from flask import Flask


def register(app: Flask) -> None:
    """Add the admin commands to the ``joren`` group."""
