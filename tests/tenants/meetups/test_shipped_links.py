"""Links already in inboxes and calendars keep working: tokens made the way Joren made them
before the signed-link helper (itsdangerous directly, with the same salts) still read."""

from __future__ import annotations

from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from joren.tenants.meetups.calendar import links as calendar_links
from joren.tenants.meetups.registrations import links as registration_links


def test_an_old_untimed_cant_make_it_and_feed_link_still_read(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        secret = app.config["SECRET_KEY"]
        binding = "ab12cd34ef56ab78"
        cant = URLSafeSerializer(secret, salt="joren.cant-make-it").dumps([7, 42, binding])
        feed = URLSafeSerializer(secret, salt="joren.member-feed").dumps([7, 9, 3])
        assert calendar_links.read_cant_make_it_token(cant, 7) == (42, binding)
        assert calendar_links.read_cant_make_it_token(cant, 8) is None  # another community
        assert calendar_links.read_member_feed_token(feed, 7) == (9, 3)
        assert calendar_links.read_member_feed_token(cant, 7) is None  # another purpose


def test_an_old_timed_seat_offer_and_guest_link_still_read(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        secret = app.config["SECRET_KEY"]
        payload = {"r": 42, "c": 7, "t": "ticket", "o": 1_700_000_000_000_000}
        offer = URLSafeTimedSerializer(secret, salt="joren.seat-offer").dumps(payload)
        guest = URLSafeTimedSerializer(secret, salt="joren.guest-confirm").dumps(
            {"r": 42, "c": 7, "t": "ticket"})
        assert registration_links.read_offer_token(offer) == payload
        assert registration_links.read_guest_token(guest) == {"r": 42, "c": 7, "t": "ticket"}
        assert registration_links.read_offer_token(guest) is None  # another purpose
        assert registration_links.read_guest_token(offer + "x") is None  # altered
