"""Which pages tools/page_bench.py measures: every console and portal GET page of the url_map,
with the ids of the big benchmark community (tests/perf/bigcommunity.py) filled in.

A page is a GET route under ``/c/<slug>/`` (the console under ``/c/<slug>/admin/``, signed in
as the organizer; the portal, signed in as the known member) or the account page. Every such
route is either measured or named in ``EXCLUDED`` with the reason, and
tests/perf/test_page_bench_pages.py fails when a new route is neither, so a page cannot be
forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Flask, url_for

# Endpoints that are not pages a person browses: downloads, calendar files, images, redirects
# to and from Stripe, and landing pages of signed links from emails (their token is the
# whole point of the request; they are measured by their own tests, not here).
EXCLUDED = {
    # Downloads (CSV, PDF, calendar files, QR images).
    "community.checkin.export": "CSV download",
    "community.payments.export": "CSV download",
    "community.registrations.console_export": "CSV download",
    "community.survey.export": "CSV download",
    "community.imports.export_members": "CSV download",
    # Every download of the audit log is itself recorded in the log it lists: each request
    # writes a row and the next file is a line longer (hundreds of lines over a run).
    "community.privacy_community.audit_csv": "CSV download (recorded in the log it lists)",
    "community.payments.receipt_pdf": "PDF download",
    "community.feeds.community_ics": "calendar file",
    "community.feeds.member_ics": "calendar file (signed link)",
    "community.feeds.ticket_qr": "QR image (signed link)",
    "community.public.image": "picture file (a series' or meetup's image)",
    "community.public.embed_script": "script file (the embeddable calendar's snippet)",
    # Stripe round trips: they redirect to Stripe or back from it.
    "community.connect.refresh": "redirect to Stripe Connect onboarding",
    "community.connect.back": "return from Stripe Connect onboarding (redirects)",
    "community.checkout.paid": "return from Stripe Checkout (redirects)",
    # Landing pages of signed links in emails.
    "community.introductions.answer": "signed link from an introduction email",
    "community.registrations.guest_confirm": "signed link from a guest's confirmation email",
    "community.registrations.offer_link": "signed link from a waitlist offer email",
    "community.habits.talked": "signed link from a follow-up email",
    "community.survey.answer": "signed link from the after-meetup survey email",
    "community.feeds.cant_make_it": "signed link from a reminder email",
    "community.feeds.ticket": "signed link (the QR ticket) from a registration email",
    # Steps of an import in progress: a finished batch redirects them to its status page.
    "community.imports.mapping": "import step of an unfinished batch (redirects when done)",
    "community.imports.preview": "import step of an unfinished batch (redirects when done)",
    # The benchmark's announcement has been sent: its edit form redirects to its page.
    "community.announcements.edit": "edit form of an unsent announcement (redirects once sent)",
}
# Routes outside /c/<slug>/ that are signed-in pages too.
EXTRA_ENDPOINTS = {"accounts.account": "member"}
# Pages measured more than once, with these query strings.
VARIANTS = {
    "community.checkin.search": ["?q=田中", "?q=tanaka", "?q=たなか"],
    "community.members.console_list": ["", "?q=山本"],
    "community.profiles.directory": ["", "?q=製造"],
    "community.console.manual_registration": ["", "?q=山本"],
}
# Which meetup each page is about: the latest past one (about a thousand people came) for the
# door and the register, the next one (a waitlist) for registrations and the portal.
NEXT_MEETUP_ENDPOINTS = {
    "community.meetups.occurrence_edit", "community.registrations.console_list",
    "community.console.manual_registration",
    "community.meetups.portal_detail", "community.checkin.self_checkin",
    "community.habits.gives", "community.registrations.guest_register",
}


@dataclass(frozen=True)
class Page:
    """One URL to measure, and who is signed in to see it."""

    name: str
    endpoint: str
    path: str
    role: str  # "organizer" or "member"


def page_endpoints(app: Flask) -> dict[str, Any]:
    """Every console and portal GET route (endpoint → rule), whether measured or excluded."""
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()):
            continue
        if rule.rule.startswith("/c/<slug>/") or rule.endpoint in EXTRA_ENDPOINTS:
            found[rule.endpoint] = rule
    return found


def pages(app: Flask, slug: str, ids: dict[str, int]) -> list[Page]:
    """The pages to measure, with ``ids`` of the big community (bigcommunity.BigCommunity)."""
    out = []
    for endpoint, rule in sorted(page_endpoints(app).items(), key=lambda kv: kv[1].rule):
        if endpoint in EXCLUDED:
            continue
        role = EXTRA_ENDPOINTS.get(endpoint) or (
            "organizer" if rule.rule.startswith("/c/<slug>/admin") else "member")
        values = _values(endpoint, rule.arguments, slug, ids, role)
        with app.test_request_context():
            path = url_for(endpoint, **values)
        short = endpoint.removeprefix("community.")
        for query in VARIANTS.get(endpoint, [""]):
            out.append(Page(name=f"{short}{query}", endpoint=endpoint,
                            path=path + quote(query, safe="?=&"), role=role))
    return out


def _values(endpoint: str, arguments: set[str], slug: str, ids: dict[str, int],
            role: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in arguments:
        if name == "slug":
            values[name] = slug
        elif name == "meetup_id":
            values[name] = ids["next_meetup" if endpoint in NEXT_MEETUP_ENDPOINTS
                               else "past_meetup"]
        elif name == "member_id" and endpoint == "community.profiles.console_edit":
            # Organizers edit only guests' and unclaimed rows (members.services.can_edit_profile).
            values[name] = ids["editable"]
        elif name == "member_id":
            # A regular the known member was introduced to: a full profile and history.
            values[name] = ids["profile"]
        elif name == "series_id":
            values[name] = ids["series"]
        elif name == "batch_id":
            values[name] = ids["import_batch"]
        elif name == "entry_id":
            values[name] = ids["journal_entry"]
        elif name == "referral_id":
            values[name] = ids["referral"]
        elif name == "payment_id":
            values[name] = ids["payment"]
        elif name == "announcement_id":
            values[name] = ids["announcement"]
        else:
            raise KeyError(f"{endpoint}: no id for <{name}>; add it to tools/page_bench_pages.py")
    return values
