"""The review queue's services: creating introductions, approve / skip / edit, requests."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from joren.models import MemberStatus
from joren.platform.mail.models import OutboxMessage
from joren.tenants.introductions import services
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from joren.tenants.introductions.services import IntroductionError
from tests import factories
from tests.tenants.introductions.intro_support import introduction, pair, person


@pytest.fixture()
def s(session, tenant, people, scoped):  # type: ignore[no-untyped-def]
    session.commit()
    return scoped(tenant)


def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(IntroductionError) as excinfo:
        call()
    assert str(excinfo.value.message)  # a translatable, readable message
    return excinfo.value.code


def test_introduce_orders_the_pair_and_stores_reasons_as_json(session, tenant, s):  # type: ignore[no-untyped-def]
    sato, tanaka = pair(session, tenant)
    session.commit()
    reason = {"code": "regulars", "params": {"a": tanaka.id, "b": sato.id}}
    intro = services.introduce(s, tanaka.id, sato.id, source="engine", reasons=[reason],
                               score=0.8)
    assert (intro.member_low_id, intro.member_high_id) == tuple(sorted((sato.id, tanaka.id)))
    assert intro.status == IntroductionStatus.SUGGESTED
    assert intro.reasons == [reason] and intro.score == 0.8


def test_refusals_each_have_a_clear_reason(session, tenant, other_tenant, people, s):  # type: ignore[no-untyped-def]
    sato, tanaka = pair(session, tenant)
    shy = factories.member(session, tenant, email="shy@example.jp")  # no consent
    gone = person(session, tenant, email="gone@example.jp", status=MemberStatus.INACTIVE)
    stranger = person(session, other_tenant, email="stranger@example.jp")
    session.commit()
    assert _code(lambda: services.introduce(s, sato.id, sato.id, source="organizer")) == "self"
    assert _code(lambda: services.introduce(s, sato.id, stranger.id,
                                            source="organizer")) == "unknown_member"
    assert _code(lambda: services.introduce(s, sato.id, shy.id, source="engine")) == "no_consent"
    assert _code(lambda: services.introduce(s, sato.id, gone.id, source="organizer")) == (
        "inactive")
    services.introduce(s, sato.id, shy.id, source="organizer")  # organizers may; both decide
    services.introduce(s, sato.id, tanaka.id, source="organizer")
    assert _code(lambda: services.introduce(s, tanaka.id, sato.id, source="engine")) == "already"
    assert _code(lambda: services.request_introduction(s, tanaka.id, sato.id)) == (
        "already_requested")
    assert _code(lambda: services.introduce(s, tanaka.id, shy.id, source="organizer",
                                            message="x" * 2001)) == "too_long"
    s.commit()
    assert s.scalar(select(func.count(Introduction.id))) == 2


def test_approve_sends_once_and_skip_closes_the_pair_for_good(app, session, tenant, people, s):  # type: ignore[no-untyped-def]
    sato, tanaka = pair(session, tenant)
    third = person(session, tenant, email="third@example.jp")
    session.commit()
    with app.test_request_context("/"):
        intro = introduction(s, sato, tanaka)
        services.edit_message(s, intro, "  ぜひ一度お話を。 ")
        services.approve(s, intro, people.organizer_member.id)
        assert _code(lambda: services.approve(s, intro, None)) == "not_pending"
        assert _code(lambda: services.edit_message(s, intro, "late")) == "not_pending"
        skipped = introduction(s, sato, third)
        services.skip(s, skipped, people.organizer_member.id)
        assert _code(lambda: services.approve(s, skipped, None)) == "not_pending"
        s.commit()
    assert intro.message == "ぜひ一度お話を。"
    assert intro.status == IntroductionStatus.SENT and intro.decided_by_id == (
        people.organizer_member.id)
    assert (intro.expires_at - intro.sent_at).days == 14
    assert skipped.status == IntroductionStatus.SKIPPED
    assert _code(lambda: introduction(s, third, sato)) == "already"
    keys = sorted(session.scalars(select(OutboxMessage.idempotency_key)))
    assert keys == sorted(f"introduction:{tenant.id}:{intro.id}:{m}:proposal"
                          for m in (sato.id, tanaka.id))


def test_approve_needs_both_email_addresses(app, session, tenant, s):  # type: ignore[no-untyped-def]
    sato, _ = pair(session, tenant)
    no_mail = person(session, tenant, email=None)
    session.commit()
    with app.test_request_context("/"):
        intro = introduction(s, sato, no_mail)
        assert _code(lambda: services.approve(s, intro, None)) == "no_email"


def test_a_member_request_lands_in_the_queue_with_its_note(session, tenant, people, s):  # type: ignore[no-untyped-def]
    sato, _ = pair(session, tenant)
    guest = person(session, tenant, email="guest@example.jp", status=MemberStatus.GUEST)
    session.commit()
    me = people.member_member
    request = services.request_introduction(s, me.id, sato.id, "採用のご相談をしたいです")
    assert request.source == IntroductionSource.MEMBER_REQUEST
    assert request.requested_by_id == me.id and request.request_note == "採用のご相談をしたいです"
    assert request.status == IntroductionStatus.SUGGESTED
    # Only listed (full) members can be asked for, and never oneself.
    assert _code(lambda: services.request_introduction(s, me.id, guest.id)) == "unknown_member"
    assert _code(lambda: services.request_introduction(s, me.id, me.id)) == "self"


def test_settings_have_defaults_and_refuse_out_of_range_values(s):  # type: ignore[no-untyped-def]
    defaults = services.settings_of(s)
    assert (defaults.cadence.value, defaults.auto_send, defaults.per_member_cap,
            defaults.expiry_days) == ("monthly", False, 2, 14)
    services.update_settings(s, cadence="weekly", auto_send=True, per_member_cap=3,
                             expiry_days=7)
    assert services.settings_of(s).per_member_cap == 3
    assert _code(lambda: services.update_settings(s, cadence="weekly", auto_send=False,
                                                  per_member_cap=0, expiry_days=7)) == "settings"


def test_settings_and_introductions_stay_in_their_community(session, tenant, other_tenant, s,
                                                            scoped):  # type: ignore[no-untyped-def]
    sato, tanaka = pair(session, tenant)
    session.commit()
    services.update_settings(s, cadence="off", auto_send=True, per_member_cap=5, expiry_days=30)
    services.introduce(s, sato.id, tanaka.id, source="organizer")
    s.commit()
    theirs = scoped(other_tenant)
    assert services.settings_of(theirs).cadence.value == "monthly"
    assert services.settings_of(theirs).id is None
    assert theirs.scalars(select(Introduction)).all() == []
    assert not services.pair_exists(theirs, sato.id, tanaka.id)
    assert _code(lambda: services.introduce(theirs, sato.id, tanaka.id,
                                            source="organizer")) == "unknown_member"
