"""The page cache (joren/platform/pagecache.py): a community's computed pages are served again
only while nothing in the community changed, never to another community, and a write shows at
once (the door's check-in, a registration, a member renamed, an account renamed, a payment)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, text, update

from joren.models import Account, Member, Role
from joren.platform import pagecache
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.checkin import lists
from joren.tenants.meetups.models import Attendance, AttendanceStatus
from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus
from tests import factories
from tests.tenants.helpers import meetup
from tests.tenants.meetups.helpers_checkin import person, register

pytestmark = pytest.mark.usefixtures("clock")



@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "定例会", starts_at=utcnow() + timedelta(minutes=10))


@pytest.fixture()
def crowd(session, tenant, evening):  # type: ignore[no-untyped-def]
    made = [person(session, tenant, f"苗字{k}", "太郎", f"{k}ノ", "タロウ", company=f"{k}商事")
            for k in ("ア", "イ", "ウ")]
    for m in made:
        register(session, evening, m)
    session.commit()
    return made


@pytest.fixture()
def computed(monkeypatch):  # type: ignore[no-untyped-def]
    """How many times the printable list's rows were read from the database."""
    calls = []
    real = lists.sheet

    def counting(session, meetup):  # type: ignore[no-untyped-def]
        calls.append(meetup.id)
        return real(session, meetup)

    monkeypatch.setattr(lists, "sheet", counting)
    return calls


def _print(tenant, evening) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/meetups/{evening.id}/checkin/print"


def _door(tenant, evening) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/meetups/{evening.id}/checkin"


def _fingerprint(scoped, community):  # type: ignore[no-untyped-def]
    s = scoped(community)
    try:
        return pagecache.fingerprint(s)
    finally:
        s.close()


# -- the mechanism -------------------------------------------------------------------------

def test_a_view_is_computed_once_while_nothing_changes(staff_client, tenant, evening, crowd,
                                                       computed):
    first = staff_client.get(_print(tenant, evening))
    second = staff_client.get(_print(tenant, evening))
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data()
    assert computed == [evening.id]


def test_every_write_to_a_community_moves_its_fingerprint_and_no_other(
        session, scoped, tenant, other_tenant, crowd):
    before, other_before = _fingerprint(scoped, tenant), _fingerprint(scoped, other_tenant)
    crowd[0].company = "新しい会社"
    session.commit()
    after = _fingerprint(scoped, tenant)
    assert after != before and after[0] == before[0] + 1
    assert _fingerprint(scoped, other_tenant) == other_before


def test_bulk_updates_mark_the_community(scoped, tenant, crowd):
    before = _fingerprint(scoped, tenant)
    s = scoped(tenant)
    s.execute(update(Member).where(Member.id == crowd[0].id).values(company="一括"))
    s.commit()
    s.close()
    assert _fingerprint(scoped, tenant) != before


def test_core_table_writes_mark_the_communities_they_name(session, scoped, tenant,
                                                          other_tenant, crowd):
    before, other_before = _fingerprint(scoped, tenant), _fingerprint(scoped, other_tenant)
    s = scoped(tenant)
    s.execute(update(Member.__table__).where(Member.__table__.c.id == crowd[0].id)
              .values(company="表で"))
    s.commit()
    s.close()
    assert _fingerprint(scoped, tenant) != before
    assert _fingerprint(scoped, other_tenant) == other_before
    with unscoped(session):
        session.execute(insert(Member.__table__), [{
            "tenant_id": other_tenant.id, "family_name": "挿入", "given_name": "", "email": "",
            "family_name_kana": "", "given_name_kana": "", "role": "member", "status": "member",
            "created_at": utcnow()}])
    session.commit()
    assert _fingerprint(scoped, other_tenant) != other_before
    assert _fingerprint(scoped, tenant)[0] == before[0] + 1


def test_a_bulk_write_outside_any_community_marks_every_community(
        session, scoped, tenant, other_tenant, crowd, people):
    before, other_before = _fingerprint(scoped, tenant), _fingerprint(scoped, other_tenant)
    with unscoped(session):
        session.execute(update(Member).where(Member.id == crowd[0].id).values(company="全体"))
    session.commit()
    assert _fingerprint(scoped, tenant) != before
    assert _fingerprint(scoped, other_tenant) != other_before


def test_a_transaction_that_wrote_neither_reads_nor_keeps(scoped, tenant, crowd):
    s = scoped(tenant)
    assert pagecache.fingerprint(s) is not None
    s.get(Member, crowd[0].id).company = "未確定"
    s.flush()
    assert pagecache.fingerprint(s) is None
    assert pagecache.cached(s, "t", (), lambda: "fresh") == "fresh"
    s.rollback()
    assert pagecache.fingerprint(s) is not None
    s.close()


def test_folding_old_marks_keeps_the_fingerprint(session, scoped, tenant, crowd, monkeypatch):
    monkeypatch.setattr(pagecache, "COMPACT_EVERY", 1)  # every mark folds the older ones
    s = scoped(tenant)
    rows_before = s.scalar(select(func.count()).select_from(pagecache.DataChange))
    weight_before = pagecache.fingerprint(s)[0]
    s.close()
    crowd[1].title = "部長"
    session.commit()
    s = scoped(tenant)
    assert s.scalar(select(func.count()).select_from(pagecache.DataChange)) == 1 <= rows_before
    assert pagecache.fingerprint(s)[0] == weight_before + 1
    s.close()


def test_no_community_or_unscoped_never_uses_the_cache(session, scoped, tenant, crowd):
    assert pagecache.fingerprint(session) is None
    s = scoped(tenant)
    with unscoped(s):
        assert pagecache.fingerprint(s) is None
    s.close()


def test_the_app_answers_when_redis_does_not(app, staff_client, tenant, evening, crowd,
                                             monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.extensions, "joren_pagecache", None)
    app.extensions.pop("joren_pagecache")
    try:
        first = staff_client.get(_print(tenant, evening))
        second = staff_client.get(_print(tenant, evening))
        assert first.status_code == second.status_code == 200
        assert "苗字ア" in second.get_data(as_text=True)
    finally:
        app.extensions.pop("joren_pagecache", None)


def test_the_local_store_stays_within_its_bound() -> None:
    store = pagecache.LocalStore(max_bytes=1000)
    for n in range(50):
        store.set(f"k{n}", "x" * 100)
    assert store.get("k0") is None and store.get("k49") == "x" * 100
    assert sum(len(v) for v in store._items.values()) <= 1000


# -- tenant isolation ----------------------------------------------------------------------

def test_the_same_name_and_parts_in_another_community_is_another_result(
        scoped, tenant, other_tenant, people):
    a, b = scoped(tenant), scoped(other_tenant)
    assert pagecache.cached(a, "same", (1,), lambda: "A's") == "A's"
    assert pagecache.cached(b, "same", (1,), lambda: "B's") == "B's"
    assert pagecache.cached(a, "same", (1,), lambda: "recomputed") == "A's"
    b.close()  # sessions of the test's connection end in the reverse order of their start
    a.close()


def test_a_stored_value_of_another_community_is_never_served(scoped, tenant, other_tenant,
                                                             people):
    """Even if a key were shared (a bug), the value carries its community and is refused."""
    b = scoped(other_tenant)
    print_ = pagecache.fingerprint(b)
    key = pagecache._key(other_tenant.id, "x", print_, ("", 1))
    pagecache._local.set(key, json.dumps({"tenant": tenant.id, "value": "A's secret"}))
    assert pagecache.cached(b, "x", (1,), lambda: "B's own") == "B's own"
    b.close()


def test_another_communitys_organizer_gets_nothing_of_a_cached_page(
        app, login, session, staff_client, tenant, other_tenant, evening, crowd):
    account = factories.account(session, email="kobe-organizer@example.jp")
    factories.member(session, other_tenant, account=account, role=Role.ORGANIZER)
    session.commit()
    intruder = login(account)
    paths = [_print(tenant, evening), _door(tenant, evening),
             f"/c/{tenant.slug}/admin/meetups/{evening.id}",
             f"/c/{tenant.slug}/admin/meetups/{evening.id}/attendance"]
    for path in paths:  # warm every page in the cache of ``tenant``
        assert staff_client.get(path).status_code == 200
    for path in paths:
        # through the owner's slug: not a member there
        assert intruder.get(path).status_code in (403, 404)
        # through their own slug with the guessed meetup id: another community's meetup
        guessed = path.replace(f"/c/{tenant.slug}/", f"/c/{other_tenant.slug}/")
        response = intruder.get(guessed)
        assert response.status_code == 404
        assert "苗字ア" not in response.get_data(as_text=True)


# -- writes show at once ---------------------------------------------------------------------

def test_a_check_in_at_the_door_shows_at_once(staff_client, tenant, evening, crowd):
    before = staff_client.get(_door(tenant, evening)).get_data(as_text=True)
    assert re.search(r"data-checked-in-count>0<", before)
    staff_client.get(_print(tenant, evening))
    response = staff_client.post(_door(tenant, evening) + "/check-in",
                                 data={"member_id": crowd[0].id})
    assert response.status_code in (200, 302)
    after = staff_client.get(_door(tenant, evening)).get_data(as_text=True)
    assert re.search(r"data-checked-in-count>1<", after)
    printed = staff_client.get(_print(tenant, evening)).get_data(as_text=True)
    assert f'data-member-id="{crowd[0].id}" data-in' in printed


def test_the_door_rows_carry_the_readers_own_form_token(login, people, staff_client, tenant,
                                                         evening, crowd):
    mine = staff_client.get(_door(tenant, evening)).get_data(as_text=True)
    theirs = login(people.organizer).get(_door(tenant, evening)).get_data(as_text=True)
    tokens_mine = set(re.findall(r'name="csrf_token" value="([^"]+)"', mine))
    tokens_theirs = set(re.findall(r'name="csrf_token" value="([^"]+)"', theirs))
    assert len(tokens_mine) == 1 and len(tokens_theirs) == 1 and tokens_mine != tokens_theirs
    assert "csrf-stand-in" not in mine + theirs


def test_a_registration_shows_at_once(session, staff_client, tenant, evening, crowd):
    url = f"/c/{tenant.slug}/admin/meetups/{evening.id}"
    assert "苗字エ" not in staff_client.get(url).get_data(as_text=True)
    newcomer = person(session, tenant, "苗字エ", "花子", "エノ", "ハナコ")
    register(session, evening, newcomer)
    session.commit()
    assert "苗字エ" in staff_client.get(url).get_data(as_text=True)


def test_a_member_renamed_shows_at_once(session, staff_client, tenant, evening, crowd):
    register_url = f"/c/{tenant.slug}/admin/meetups/{evening.id}/attendance"
    assert "改名" not in staff_client.get(_print(tenant, evening)).get_data(as_text=True)
    staff_client.get(register_url)
    crowd[1].family_name = "改名"
    session.commit()
    assert "改名" in staff_client.get(_print(tenant, evening)).get_data(as_text=True)
    assert "改名" in staff_client.get(register_url).get_data(as_text=True)


def test_an_account_renamed_shows_at_once_in_its_communities(session, scoped, staff_client,
                                                             tenant, evening, crowd):
    account = factories.account(session, email="nameless@example.jp", display_name="旧名")
    nameless = factories.member(session, tenant, account=account, family_name="", given_name="")
    register(session, evening, nameless)
    session.commit()
    assert "旧名" in staff_client.get(_print(tenant, evening)).get_data(as_text=True)
    account.display_name = "新名"
    session.commit()
    printed = staff_client.get(_print(tenant, evening)).get_data(as_text=True)
    assert "新名" in printed and "旧名" not in printed


def test_a_payment_moves_the_fingerprint(session, scoped, tenant, evening, crowd):
    before = _fingerprint(scoped, tenant)
    with unscoped(session):
        session.add(Payment(tenant_id=tenant.id, member_id=crowd[0].id, meetup_id=evening.id,
                            kind=PaymentKind.MEETUP_FEE, status=PaymentStatus.PAID,
                            amount_jpy=3000, method=PaymentMethod.DOOR, paid_at=utcnow()))
    session.commit()
    assert _fingerprint(scoped, tenant) != before


def test_an_attendance_recorded_elsewhere_shows_in_the_register(
        scoped, staff_client, tenant, evening, crowd):
    url = f"/c/{tenant.slug}/admin/meetups/{evening.id}/attendance"
    assert re.search(r"<strong>0</strong> /", staff_client.get(url).get_data(as_text=True))
    s = scoped(tenant)
    s.add(Attendance(meetup_id=evening.id, member_id=crowd[2].id, status=AttendanceStatus.PRESENT,
                     checked_in_at=utcnow()))
    s.commit()
    s.close()
    assert re.search(r"<strong>1</strong> /", staff_client.get(url).get_data(as_text=True))


def test_marking_another_community_leaves_no_bypass_behind(session, scoped, tenant,
                                                           other_tenant, people):
    """An account changed in one community's session marks its other communities past the
    database's policy; the rest of that flush runs in the session's own scope again."""
    account = factories.account(session, email="both@example.jp", display_name="両方")
    factories.member(session, other_tenant, account=account, family_name="", given_name="")
    session.commit()
    other_before = _fingerprint(scoped, other_tenant)
    s = scoped(tenant)
    s.get(Account, account.id).display_name = "改めて"
    s.flush()
    if s.get_bind().dialect.name == "postgresql":
        assert s.execute(text("SELECT current_setting('joren.bypass', true)")).scalar() != "on"
    s.commit()
    s.close()
    assert _fingerprint(scoped, other_tenant) != other_before


# -- the shortcuts of a cached view (issue 14) ----------------------------------------------

def test_the_fingerprint_is_the_sum_of_the_communitys_own_marks(session, scoped, tenant,
                                                                other_tenant, crowd):
    """Read as a Core statement on the session's connection (no ORM): still exactly this
    community's rows, whatever another community holds."""
    with unscoped(session):
        rows = session.execute(select(pagecache.DataChange.tenant_id,
                                      pagecache.DataChange.weight,
                                      pagecache.DataChange.token)).all()
    for community in (tenant, other_tenant):
        own = [(w, t) for tid, w, t in rows if tid == community.id]
        expected = (sum(w for w, _ in own), sum(t for _, t in own) % pagecache.TOKEN_RANGE)
        assert _fingerprint(scoped, community) == (expected if own else None)
    assert _fingerprint(scoped, tenant) != _fingerprint(scoped, other_tenant)


def test_the_fingerprint_sets_the_databases_scope_back_to_the_sessions_community(
        scoped, tenant, other_tenant, crowd):
    """After an unscoped read in the same transaction, the fingerprint's statement runs with
    the session's own community (on PostgreSQL, the row-level security settings; elsewhere
    nothing is set)."""
    from joren.platform.tenancy import DB_SCOPE_KEY

    s = scoped(tenant)
    expected = _fingerprint(scoped, tenant)
    with unscoped(s):
        s.execute(select(func.count()).select_from(Member)).scalar()
    assert pagecache.fingerprint(s) == expected
    if s.get_bind().dialect.name == "postgresql":
        assert s.connection().info[DB_SCOPE_KEY] == (str(tenant.id), "off")
    s.close()


class _CountingRedis:
    """A Redis client that keeps values in a dict and counts what it was asked."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}
        self.gets = 0
        self.down = False

    def get(self, key: str) -> bytes | None:
        self.gets += 1
        if self.down:
            raise ConnectionError("down")
        return self.values.get(key)

    def set(self, key: str, value: str, ex: int | None = None) -> None:
        if self.down:
            raise ConnectionError("down")
        self.values[key] = value.encode()


def _redis_store() -> tuple[pagecache._Redis, _CountingRedis]:
    store = pagecache._Redis.__new__(pagecache._Redis)
    store.client, store.down_until = _CountingRedis(), 0.0  # type: ignore[assignment]
    return store, store.client  # type: ignore[return-value]


def test_a_value_read_from_redis_is_served_from_memory_next_time() -> None:
    store, redis = _redis_store()
    redis.values["k"] = "値".encode()  # written by another process
    assert store.get("k") == "値" and redis.gets == 1
    assert store.get("k") == "値" and redis.gets == 1  # no second round trip
    assert store.get("missing") is None and redis.gets == 2  # a miss still asks Redis
    store.set("mine", "自分の")
    assert redis.values["mine"] == "自分の".encode()  # shared with the other processes
    assert store.get("mine") == "自分の" and redis.gets == 2


def test_the_memory_in_front_of_redis_answers_when_redis_does_not() -> None:
    store, redis = _redis_store()
    store.set("kept", "前の")
    redis.down = True
    assert store.get("kept") == "前の"
    store.set("new", "新")  # Redis fails: kept in memory, Redis rests
    assert store.get("new") == "新"
    assert store.get("never") is None


def test_a_change_in_the_community_is_a_new_key_past_the_memory(
        app, session, staff_client, tenant, evening, crowd, computed, monkeypatch):
    """With Redis and the memory in front of it, a write still shows at once: the new
    fingerprint names another key, which neither holds."""
    store, redis = _redis_store()
    monkeypatch.setitem(app.extensions, "joren_pagecache", store)
    first = staff_client.get(_print(tenant, evening)).get_data(as_text=True)
    assert staff_client.get(_print(tenant, evening)).get_data(as_text=True) == first
    assert computed == [evening.id] and redis.values
    crowd[0].family_name = "改名"
    session.commit()
    again = staff_client.get(_print(tenant, evening)).get_data(as_text=True)
    assert "改名" in again and "改名" not in first
    assert computed == [evening.id, evening.id]


def test_a_cached_bodys_form_token_guards_the_readers_forms_only(
        app, login, people, staff_client, tenant, evening, crowd, monkeypatch):
    """The token written into a kept body is the reader's (the one the layout's forms carry,
    signed for their session) and is accepted for them, refused for another session."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production
    staff_client.get(_door(tenant, evening))  # kept now
    page = staff_client.get(_door(tenant, evening)).get_data(as_text=True)
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert len(tokens) == 1 and "csrf-stand-in" not in page
    token = tokens.pop()
    other = login(people.organizer)
    assert other.post("/language", data={"language": "en", "csrf_token": token}
                      ).status_code == 400
    assert staff_client.post("/language", data={"language": "en", "csrf_token": token}
                             ).status_code == 302


# -- results kept decoded in the process ---------------------------------------------------

def test_a_shared_result_is_parsed_once_and_stays_its_communitys(scoped, tenant, other_tenant,
                                                                people, monkeypatch):
    """A page kept and viewed again in this process is handed out as already decoded (no
    JSON parse), only to the community it was computed for, and a write ends it."""
    parsed = []
    real = pagecache.json.loads

    def counting(raw, *args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(raw)
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(pagecache.json, "loads", counting)
    a, b = scoped(tenant), scoped(other_tenant)
    assert pagecache.cached(a, "kept", (1,), lambda: {"html": "A's"}, shared=True) == {
        "html": "A's"}
    before = len(parsed)
    for _ in range(3):
        assert pagecache.cached(a, "kept", (1,), lambda: {"html": "again"}, shared=True) == {
            "html": "A's"}
    assert len(parsed) == before
    assert pagecache.cached(b, "kept", (1,), lambda: {"html": "B's"}, shared=True) == {
        "html": "B's"}
    b.close()  # sessions of the test's connection end in the reverse order of their start
    a.close()
    # A write in A's community: its next view computes.
    a = scoped(tenant)
    a.execute(update(Member).where(Member.id == people.member.id).values(given_name="改名"))
    a.commit()
    assert pagecache.cached(a, "kept", (1,), lambda: {"html": "A's, new"}, shared=True) == {
        "html": "A's, new"}
    a.close()


def test_a_shared_result_is_still_checked_on_every_view(scoped, tenant, people):
    a = scoped(tenant)
    valid = {"yes": True}
    assert pagecache.cached(a, "checked", (), lambda: "first", lambda _v: valid["yes"],
                            shared=True) == "first"
    assert pagecache.cached(a, "checked", (), lambda: "second", lambda _v: valid["yes"],
                            shared=True) == "first"
    valid["yes"] = False
    assert pagecache.cached(a, "checked", (), lambda: "third", lambda _v: valid["yes"],
                            shared=True) == "third"
    a.close()


def test_the_decoded_store_stays_within_its_bound() -> None:
    store = pagecache.DecodedStore(max_bytes=1000)
    for n in range(50):
        store.set(f"k{n}", {"n": n}, 100)
    assert store.get("k0") is None and store.get("k49") == {"n": 49}
    assert sum(size for _, size in store._items.values()) <= 1000
