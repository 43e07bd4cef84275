"""The printable attendee list's rows as one piece of HTML.

A big meetup prints 1,600 people: through the template's loop that is six autoescaped
outputs a person (a ``Markup`` built for each), which cost more than everything else the page
does. Here each text is escaped into exactly what Jinja's autoescape writes (markupsafe's
entities) by plain ``str.replace`` (``str.translate`` is slower on Japanese text), and the
page gets one ``Markup``.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from joren.tenants.meetups.checkin.lists import SheetRow


def _escaped(text: str) -> str:
    """markupsafe.escape's five replacements, byte for byte ("&" first)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


def sheet_rows_html(rows: Iterable[SheetRow], guest: str) -> Markup:
    """One line a person (end tags implied; print.css styles the cells by column): a tick
    cell (ticked for ``data-in``), the number, name (``guest`` after a guest's), reading,
    company and job title."""
    suffix = str(escape(guest))  # a Markup (the template's own markup) passes unchanged
    e = _escaped
    return Markup("".join(  # noqa: S704 - every text is escaped (_escaped) above
        f'<tr data-member-id="{int(row.member_id)}"{" data-in" if row.is_checked_in else ""}>'
        f"<td><td>{number}<td>{e(row.name)}{suffix if row.is_guest else ''}"
        f"<td>{e(row.reading)}<td>{e(row.company)}<td>{e(row.title)}"
        for number, row in enumerate(rows, 1)))
