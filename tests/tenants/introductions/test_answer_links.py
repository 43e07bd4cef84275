"""The Accept / Decline links of introduction emails keep their shipped salt and dated format:
a link signed the old way (itsdangerous directly) still reads, and a new one reads the old
way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from joren.platform.signing import LinkExpired, LinkInvalid, LinkKind
from joren.tenants.introductions import tokens


def test_a_link_signed_the_old_way_still_reads(app):
    with app.app_context():
        old_way = URLSafeTimedSerializer(app.config["SECRET_KEY"],
                                         salt="joren.introduction-answer")
        answer = tokens.read_answer_token(old_way.dumps([5, 21, 34, "decline"]), 5)
        assert answer == tokens.Answer(introduction_id=21, member_id=34, choice="decline")
        assert old_way.loads(tokens.answer_token(5, 21, 34, "accept")) == [5, 21, 34, "accept"]
        for payload, tenant in (([5, 21, 34, "accept"], 6), ([5, 21, 34, "maybe"], 5),
                                ([5, 21, "34", "accept"], 5), ([5, 21, 34], 5)):
            with pytest.raises(LinkInvalid):
                tokens.read_answer_token(old_way.dumps(payload), tenant)


def test_an_old_link_expires_after_ninety_days(app, monkeypatch):
    with app.app_context():
        token = tokens.answer_token(5, 21, 34, "accept")
        assert tokens.ANSWER.lifetime == timedelta(days=90)
        monkeypatch.setattr(tokens, "ANSWER",
                            LinkKind("joren.introduction-answer", timedelta(seconds=-1)))
        with pytest.raises(LinkExpired):
            tokens.read_answer_token(token, 5)
