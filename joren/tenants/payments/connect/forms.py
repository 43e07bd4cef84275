"""The Connect page's form."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ConnectForm(FlaskForm):
    """An empty form: the CSRF token of the Connect button."""
