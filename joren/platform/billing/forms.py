"""The billing page's form."""

from __future__ import annotations

from flask_wtf import FlaskForm


class BillingActionForm(FlaskForm):
    """An empty form: the CSRF token of the Upgrade and Manage buttons."""
