"""Jinja filters shared by every surface: money, dates in the community's timezone, names;
and ``external_url`` for absolute links on BASE_URL."""

from __future__ import annotations

from datetime import datetime

from babel.numbers import format_currency
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale

from joren.platform.urls import external_url


def yen(amount: int | None, currency: str = "JPY") -> str:
    """Integer minor units to a display amount: JPY has none, so 3000 is ¥3,000."""
    if amount is None:
        return ""
    locale = str(get_locale() or "ja")
    if currency == "JPY":
        return format_currency(amount, "JPY", locale=locale)
    return format_currency(amount / 100, currency, locale=locale)


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return "" if value is None else format_datetime(value, fmt)


def local_date(value: datetime | None, fmt: str = "medium") -> str:
    return "" if value is None else format_date(value, fmt)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["yen"] = yen
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["date"] = local_date
    # Addresses people copy or subscribe to are on BASE_URL, never on the request's host.
    app.jinja_env.globals["external_url"] = external_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
