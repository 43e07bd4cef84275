"""The page cache on the console's settings pages (issue 14): the community's settings, ...
Each is the same kept or computed, is computed once, shows a save at once (a refused save
shows what was typed), reads at most ten statements computing, and never serves another
community's page, nor one made for a reader of another role where the page differs by role."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from joren.models import Role
from joren.platform.tenancy import unscoped
from joren.tenants.console import views as console_views
from joren.tenants.engagement import views as engagement_views
from joren.tenants.imports import views as import_views
from joren.tenants.imports.models import ImportBatch, ImportKind, ImportStatus
from joren.tenants.meetups.public import views as public_views
from joren.tenants.payments import views as payment_views
from joren.tenants.payments.dues import views as dues_views
from joren.tenants.privacy import views as privacy_views
from tests import factories
from tests.platform.billing.conftest import billing_on, deliver, fake_stripe  # noqa: F401
from tests.platform.pagecache_helpers import (
    computing,
    counting,
    in_other_community,
    never_another_communitys,
    reads_when_kept,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.payments.stripe.connect_helpers import onboard
from tests.tenants.payments.stripe.dues_helpers import enable_dues

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"
ADMIN = f"/c/{SLUG}/admin"


def own_only(login, session, other_tenant, url: str, ours: tuple[str, ...],  # type: ignore[no-untyped-def]
             theirs: tuple[str, ...], role=Role.ORGANIZER):
    """``url`` (kept for this community) to an organizer of the other community only: refused
    here; at their own community's address, their community's page, none of ``ours``."""
    intruder = signed_in_intruder(login, session, other_tenant, role=role)
    assert intruder.get(url).status_code in (302, 403, 404)
    own = intruder.get(in_other_community(url, other_tenant))
    assert own.status_code == 200
    text = own.get_data(as_text=True)
    assert all(word in text for word in theirs)
    assert not any(word in text for word in ours)
    return text


def _body(page: str) -> str:
    """The page's own part (the layout names the reader's role)."""
    return page.split('<h1 class="h4', 1)[1].split("</main>", 1)[0]


# -- the community's settings -----------------------------------------------------------------

SETTINGS = f"{ADMIN}/settings"


def _settings_post(**fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": "", "name": "大阪ミキサー", "description": "", "kind": "cross_industry",
            "city": "大阪市", "timezone": "Asia/Tokyo", "default_language": "ja"}
    data.update(fields)
    return data


def test_the_settings_page_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                              owner_client, tenant):
    page = same_cached_and_not(app, organizer_client, SETTINGS)
    assert f'value="{tenant.name}"' in page and "Asia/Tokyo" in page
    assert _body(same_cached_and_not(app, owner_client, SETTINGS)) == _body(page)
    computed = counting(monkeypatch, console_views, "_settings_body")
    organizer_client.get(SETTINGS)
    owner_client.get(SETTINGS)
    assert computed == []


def test_the_settings_page_shows_a_save_at_once(app, session, organizer_client, tenant):
    organizer_client.get(SETTINGS)
    saved = organizer_client.post(SETTINGS, data=_settings_post(name="梅田ミキサー",
                                                                 timezone="Asia/Seoul"))
    assert saved.status_code == 302
    organizer_client.get(saved.headers["Location"])  # with the "saved" message
    page = same_cached_and_not(app, organizer_client, SETTINGS)
    assert 'value="梅田ミキサー"' in page and '<option selected value="Asia/Seoul">' in page
    # a refused save shows what was typed, never the kept page
    refused = organizer_client.post(SETTINGS, data=_settings_post(name="", city="堺市"))
    assert refused.status_code == 200 and 'value="堺市"' in refused.get_data(as_text=True)
    assert 'value="堺市"' not in same_cached_and_not(app, organizer_client, SETTINGS)
    # a change made elsewhere (the community's row) shows at once too
    tenant.city = "京都市"
    session.commit()
    assert 'value="京都市"' in same_cached_and_not(app, organizer_client, SETTINGS)


def test_the_settings_page_computes_in_few_statements(app, organizer_client):
    assert len(computing(app, organizer_client, SETTINGS)) <= 10


def test_the_settings_page_is_never_another_communitys(app, login, session, organizer_client,
                                                       staff_client, other_tenant, tenant):
    organizer_client.get(SETTINGS)  # kept in this community
    own_only(login, session, other_tenant, SETTINGS, (tenant.name,), (other_tenant.name,))
    assert staff_client.get(SETTINGS).status_code == 403


# -- imports: the upload page and an import's progress ----------------------------------------

IMPORTS = f"{ADMIN}/imports/"


def _batch(session, community, filename: str, status=ImportStatus.RUNNING, processed: int = 1):  # type: ignore[no-untyped-def]
    with unscoped(session):
        row = ImportBatch(tenant_id=community.id, kind=ImportKind.MEMBERS, filename=filename,
                          text="氏名\n秘密 太郎\n秘密 花子\n", total=2, processed=processed,
                          mapping=["full_name"], status=status)
        session.add(row)
        session.commit()
    return row


def _status(batch) -> str:  # type: ignore[no-untyped-def]
    return f"{IMPORTS}{batch.id}/status"


def test_the_import_pages_are_the_same_kept_and_computed_once(
        app, monkeypatch, session, organizer_client, owner_client, tenant, people):
    first = _batch(session, tenant, "会員名簿.csv")
    second = _batch(session, tenant, "出席簿.csv", status=ImportStatus.DONE, processed=2)
    page = same_cached_and_not(app, organizer_client, IMPORTS)
    assert "会員名簿.csv" in page and "出席簿.csv" in page
    assert _body(same_cached_and_not(app, owner_client, IMPORTS)) == _body(page)
    running = same_cached_and_not(app, organizer_client, _status(first))
    done = same_cached_and_not(app, organizer_client, _status(second))
    assert "会員名簿.csv" in running and "1 / 2" in running and "data-status-url" in running
    assert "出席簿.csv" in done and "2 / 2" in done and "data-status-url" not in done
    news = counting(monkeypatch, import_views, "_new_body")
    statuses = counting(monkeypatch, import_views, "_status_body")
    for client in (organizer_client, owner_client):
        client.get(IMPORTS)
        client.get(_status(first))
        client.get(_status(second))
    assert news == [] and statuses == []
    # the JSON the progress page polls is never kept
    assert organizer_client.get(f"{_status(first)}?format=json").get_json()["processed"] == 1


def test_the_import_pages_show_progress_at_once(app, session, organizer_client, tenant, people):
    batch = _batch(session, tenant, "会員名簿.csv")
    organizer_client.get(_status(batch))
    organizer_client.get(IMPORTS)
    # the worker's progress, written as the worker writes it (one UPDATE through the session)
    with unscoped(session):
        table = ImportBatch.__table__
        session.execute(update(table).where(table.c.id == batch.id).values(
            processed=2, status=ImportStatus.DONE))
        session.commit()
    page = same_cached_and_not(app, organizer_client, _status(batch))
    assert "2 / 2" in page and "data-status-url" not in page
    _batch(session, tenant, "三つ目.csv")
    assert "三つ目.csv" in same_cached_and_not(app, organizer_client, IMPORTS)
    # a refused upload shows why, never the kept page
    refused = organizer_client.post(IMPORTS, data={"csrf_token": "", "kind": "members"})
    assert refused.status_code == 400 and "is-invalid" in refused.get_data(as_text=True)
    assert "is-invalid" not in same_cached_and_not(app, organizer_client, IMPORTS)


def test_the_import_pages_compute_in_few_statements(app, session, organizer_client, tenant,
                                                    people):
    batch = _batch(session, tenant, "会員名簿.csv")
    kept = reads_when_kept(app, organizer_client, _status(batch))
    assert not any("import_batches" in statement for statement in kept)
    computed = computing(app, organizer_client, _status(batch))
    assert any("import_batches" in statement for statement in computed) and len(computed) <= 10
    assert len(computing(app, organizer_client, IMPORTS)) <= 10


def test_the_import_pages_are_never_another_communitys(app, login, session, organizer_client,
                                                       tenant, other_tenant, people):
    batch = _batch(session, tenant, "会員名簿.csv")
    organizer_client.get(_status(batch))  # kept in this community
    organizer_client.get(IMPORTS)
    never_another_communitys(login, session, other_tenant, _status(batch), ("会員名簿.csv",))
    assert organizer_client.get(f"{IMPORTS}{batch.id + 1000}/status").status_code == 404
    intruder = signed_in_intruder(login, session, other_tenant, role=Role.OWNER)
    theirs = intruder.get(in_other_community(IMPORTS, other_tenant))
    assert theirs.status_code == 200 and "会員名簿.csv" not in theirs.get_data(as_text=True)


# -- membership dues --------------------------------------------------------------------------

DUES = f"{ADMIN}/payments/dues"


def test_the_dues_settings_are_the_same_kept_and_computed_once(
        app, monkeypatch, session, organizer_client, owner_client, tenant, people):
    enable_dues(session, tenant, amount=12000, name="年会費")
    session.commit()
    page = same_cached_and_not(app, organizer_client, DUES)
    assert 'value="年会費"' in page and 'value="12000"' in page
    assert _body(same_cached_and_not(app, owner_client, DUES)) == _body(page)
    computed = counting(monkeypatch, dues_views, "_settings_body")
    organizer_client.get(DUES)
    owner_client.get(DUES)
    assert computed == []


def test_the_dues_settings_show_a_save_at_once(app, session, organizer_client, tenant, people):
    organizer_client.get(DUES)
    saved = organizer_client.post(DUES, data={
        "csrf_token": "", "enabled": "y", "name": "月会費", "amount_jpy": "1000",
        "interval": "month", "instructions": "振込先: 大阪銀行"})
    assert saved.status_code == 303
    organizer_client.get(saved.headers["Location"])  # with the "saved" message
    page = same_cached_and_not(app, organizer_client, DUES)
    assert 'value="月会費"' in page and "振込先: 大阪銀行" in page
    refused = organizer_client.post(DUES, data={
        "csrf_token": "", "enabled": "y", "name": "", "amount_jpy": "1000", "interval": "month",
        "instructions": "書きかけの案内"})
    assert refused.status_code == 422 and "書きかけの案内" in refused.get_data(as_text=True)
    assert "書きかけの案内" not in same_cached_and_not(app, organizer_client, DUES)


def test_the_dues_settings_follow_the_deployments_billing(app, session, tenant, people,
        organizer_client, billing_on, deliver):  # noqa: F811 - the fixtures imported above
    onboard(organizer_client, session, tenant, billing_on, deliver)
    assert 'data-dues-online="on"' in same_cached_and_not(app, organizer_client, DUES)
    app.config["BILLING_ENABLED"] = False  # a deploy without billing: no row changes
    assert 'data-dues-online="off"' in same_cached_and_not(app, organizer_client, DUES)


def test_the_dues_settings_compute_in_few_statements(app, session, organizer_client, tenant,
                                                     people):
    enable_dues(session, tenant)
    session.commit()
    kept = reads_when_kept(app, organizer_client, DUES)
    assert not any("dues_settings" in statement for statement in kept)
    computed = computing(app, organizer_client, DUES)
    assert any("dues_settings" in statement for statement in computed) and len(computed) <= 10


def test_the_dues_settings_are_never_another_communitys(app, login, session, organizer_client,
                                                        staff_client, tenant, other_tenant,
                                                        people):
    enable_dues(session, tenant, name="大阪の年会費")
    session.commit()
    organizer_client.get(DUES)  # kept in this community
    own_only(login, session, other_tenant, DUES, ("大阪の年会費",), (other_tenant.name,))
    assert staff_client.get(DUES).status_code == 403


# -- receipt settings -------------------------------------------------------------------------

RECEIPTS = f"{ADMIN}/payments/settings"


def test_the_receipt_settings_are_the_same_kept_and_computed_once(
        app, monkeypatch, organizer_client, owner_client, people):
    empty = same_cached_and_not(app, organizer_client, RECEIPTS)  # no row yet: nothing written
    assert 'name="issuer_name"' in empty
    computed = counting(monkeypatch, payment_views, "_settings_body")
    organizer_client.get(RECEIPTS)
    assert computed == []
    saved = organizer_client.post(RECEIPTS, data={
        "csrf_token": "", "issuer_name": "大阪ミキサー事務局", "issuer_address": "大阪市北区1-1",
        "registration_number": "T1234567890123"})
    assert saved.status_code == 303
    organizer_client.get(saved.headers["Location"])  # with the "saved" message
    page = same_cached_and_not(app, organizer_client, RECEIPTS)
    assert 'value="大阪ミキサー事務局"' in page and 'value="T1234567890123"' in page
    assert _body(same_cached_and_not(app, owner_client, RECEIPTS)) == _body(page)
    computed.clear()
    organizer_client.get(RECEIPTS)
    owner_client.get(RECEIPTS)
    assert computed == []


def test_the_receipt_settings_show_a_refused_save_as_typed(app, organizer_client, people):
    organizer_client.get(RECEIPTS)
    refused = organizer_client.post(RECEIPTS, data={
        "csrf_token": "", "issuer_name": "書きかけ事務局", "issuer_address": "",
        "registration_number": "X-not-a-number"})
    assert refused.status_code == 422 and "書きかけ事務局" in refused.get_data(as_text=True)
    assert "書きかけ事務局" not in same_cached_and_not(app, organizer_client, RECEIPTS)


def test_the_receipt_settings_compute_in_few_statements(app, organizer_client, people):
    kept = reads_when_kept(app, organizer_client, RECEIPTS)
    assert not any("payment_settings" in statement for statement in kept)
    computed = computing(app, organizer_client, RECEIPTS)
    assert any("payment_settings" in statement for statement in computed)
    assert len(computed) <= 10


def test_the_receipt_settings_are_never_another_communitys(login, session, organizer_client,
                                                           staff_client, other_tenant, people):
    organizer_client.post(RECEIPTS, data={
        "csrf_token": "", "issuer_name": "大阪ミキサー事務局", "issuer_address": "",
        "registration_number": ""})
    organizer_client.get(RECEIPTS)  # kept in this community
    own_only(login, session, other_tenant, RECEIPTS, ("大阪ミキサー事務局",), ())
    assert staff_client.get(RECEIPTS).status_code == 403


# -- engagement thresholds --------------------------------------------------------------------

ENGAGEMENT = f"{ADMIN}/engagement/settings"


def _thresholds(**values):  # type: ignore[no-untyped-def]
    data = {"csrf_token": "", "regular_min": "3", "regular_window": "4", "one_time_misses": "2",
            "lapsed_misses": "3"}
    data.update({name: str(value) for name, value in values.items()})
    return data


def test_the_engagement_settings_are_the_same_kept_and_show_a_save_at_once(
        app, monkeypatch, organizer_client, owner_client, people):
    page = same_cached_and_not(app, organizer_client, ENGAGEMENT)
    assert 'id="engagement-explanations"' in page
    computed = counting(monkeypatch, engagement_views, "_settings_body")
    organizer_client.get(ENGAGEMENT)
    assert computed == []
    saved = organizer_client.post(ENGAGEMENT, data=_thresholds(regular_min=5, regular_window=7))
    assert saved.status_code == 302
    organizer_client.get(saved.headers["Location"])  # with the "saved" message
    page = same_cached_and_not(app, organizer_client, ENGAGEMENT)
    assert 'value="5"' in page and 'value="7"' in page
    assert _body(same_cached_and_not(app, owner_client, ENGAGEMENT)) == _body(page)
    computed.clear()
    organizer_client.get(ENGAGEMENT)
    owner_client.get(ENGAGEMENT)
    assert computed == []
    # refused: what was typed shows, never the kept page
    refused = organizer_client.post(ENGAGEMENT, data=_thresholds(regular_min=9, regular_window=8,
                                                                 lapsed_misses=23))
    assert refused.status_code == 200 and 'value="23"' in refused.get_data(as_text=True)
    assert 'value="23"' not in same_cached_and_not(app, organizer_client, ENGAGEMENT)


def test_the_engagement_settings_compute_in_few_statements(app, organizer_client, people):
    organizer_client.post(ENGAGEMENT, data=_thresholds())
    kept = reads_when_kept(app, organizer_client, ENGAGEMENT)
    assert not any("engagement_settings" in statement for statement in kept)
    computed = computing(app, organizer_client, ENGAGEMENT)
    assert any("engagement_settings" in statement for statement in computed)
    assert len(computed) <= 10


def test_the_engagement_settings_are_never_another_communitys(login, session, organizer_client,
                                                              staff_client, other_tenant, people):
    organizer_client.post(ENGAGEMENT, data=_thresholds(lapsed_misses=17))
    assert 'value="17"' in organizer_client.get(ENGAGEMENT).get_data(as_text=True)  # kept
    own_only(login, session, other_tenant, ENGAGEMENT, ('value="17"',), ())
    assert staff_client.get(ENGAGEMENT).status_code == 403


# -- the public page and sharing --------------------------------------------------------------

PUBLIC = f"{ADMIN}/public-page"


def _contact(**fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": "", "contact_name": "大阪事務局",
            "contact_email": "info@osaka.example.jp", "contact_url": ""}
    data.update(fields)
    return data


def test_the_public_page_settings_are_the_same_kept_and_computed_once(
        app, monkeypatch, session, organizer_client, staff_client, tenant, people):
    tenant.is_public = True
    session.commit()
    page = same_cached_and_not(app, organizer_client, PUBLIC)
    assert 'id="embed-iframe"' in page
    assert _body(same_cached_and_not(app, staff_client, PUBLIC)) == _body(page)
    computed = counting(monkeypatch, public_views, "_settings_body")
    organizer_client.get(PUBLIC)
    staff_client.get(PUBLIC)
    assert computed == []


def test_the_public_page_settings_show_a_save_at_once(app, session, organizer_client, tenant,
                                                      people):
    tenant.is_public = True
    session.commit()
    organizer_client.get(PUBLIC)
    saved = organizer_client.post(PUBLIC, data=_contact())
    assert saved.status_code == 302
    organizer_client.get(saved.headers["Location"])  # with the "saved" message
    page = same_cached_and_not(app, organizer_client, PUBLIC)
    assert 'value="大阪事務局"' in page and 'value="info@osaka.example.jp"' in page
    # the community made private elsewhere: no calendar to embed, at once
    tenant.is_public = False
    session.commit()
    assert 'id="embed-iframe"' not in same_cached_and_not(app, organizer_client, PUBLIC)
    refused = organizer_client.post(PUBLIC, data=_contact(contact_name="書きかけ",
                                                          contact_email="not-an-address"))
    assert refused.status_code == 422 and 'value="書きかけ"' in refused.get_data(as_text=True)
    assert 'value="書きかけ"' not in same_cached_and_not(app, organizer_client, PUBLIC)


def test_the_public_page_settings_compute_in_few_statements(app, organizer_client, people):
    organizer_client.post(PUBLIC, data=_contact())
    kept = reads_when_kept(app, organizer_client, PUBLIC)
    assert not any("public_contacts" in statement for statement in kept)
    computed = computing(app, organizer_client, PUBLIC)
    assert any("public_contacts" in statement for statement in computed)
    assert len(computed) <= 10


def test_the_public_page_settings_are_never_another_communitys(login, session, organizer_client,
                                                               other_tenant, people):
    organizer_client.post(PUBLIC, data=_contact())
    organizer_client.get(PUBLIC)  # kept in this community
    own_only(login, session, other_tenant, PUBLIC, ("大阪事務局", "info@osaka.example.jp"), ())
    own_only(login, session, other_tenant, PUBLIC, ("大阪事務局",), (), role=Role.STAFF)


# -- removing a member ------------------------------------------------------------------------

def _remove(member) -> str:  # type: ignore[no-untyped-def]
    return f"{ADMIN}/members/{member.id}/remove"


def test_the_removal_page_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                             owner_client, people):
    page = same_cached_and_not(app, organizer_client, _remove(people.member_member))
    assert people.member_member.display_name in page
    staff = same_cached_and_not(app, organizer_client, _remove(people.staff_member))
    assert people.staff_member.display_name in staff
    assert people.member_member.display_name not in staff
    computed = counting(monkeypatch, privacy_views, "_remove_body")
    organizer_client.get(_remove(people.member_member))
    organizer_client.get(_remove(people.staff_member))
    assert computed == []


def test_the_removal_page_is_kept_by_role_and_never_for_oneself(app, login, session, tenant,
                                                                 organizer_client, owner_client,
                                                                 people):
    # an organizer's page, for an owner (who may remove organizers), then for an organizer
    second = factories.account(session, "second-organizer@example.jp")
    organizer = factories.member(session, tenant, account=second, role=Role.ORGANIZER,
                                 family_name="副", given_name="主催")
    session.commit()
    assert owner_client.get(_remove(organizer)).status_code == 200
    assert owner_client.get(_remove(organizer)).status_code == 200  # kept
    assert organizer_client.get(_remove(organizer)).status_code == 403
    # an owner's page, kept for another owner, is never their own
    account = factories.account(session, "second-owner@example.jp")
    owner = factories.member(session, tenant, account=account, role=Role.OWNER,
                             family_name="副", given_name="大家")
    session.commit()
    assert owner_client.get(_remove(owner)).status_code == 200
    assert owner_client.get(_remove(owner)).status_code == 200  # kept
    assert login(account).get(_remove(owner)).status_code == 403


def test_the_removal_page_shows_a_change_at_once(app, session, organizer_client, people):
    organizer_client.get(_remove(people.member_member))
    people.member_member.family_name = "改名"
    session.commit()
    assert "改名" in same_cached_and_not(app, organizer_client, _remove(people.member_member))
    refused = organizer_client.post(_remove(people.member_member), data={"csrf_token": ""})
    assert refused.status_code == 422 and "改名" in refused.get_data(as_text=True)
    done = organizer_client.post(_remove(people.member_member),
                                 data={"csrf_token": "", "confirm": "yes"})
    assert done.status_code == 302
    assert organizer_client.get(_remove(people.member_member)).status_code == 404


def test_the_removal_page_computes_in_few_statements(app, organizer_client, people):
    url = _remove(people.member_member)
    kept = reads_when_kept(app, organizer_client, url)
    computed = computing(app, organizer_client, url)
    assert len(computed) <= 10
    assert len(kept) < len(computed)  # the member and their erasure are read only computing


def test_the_removal_page_is_never_another_communitys(login, session, organizer_client,
                                                      other_tenant, people):
    url = _remove(people.member_member)
    organizer_client.get(url)  # kept in this community
    never_another_communitys(login, session, other_tenant, url,
                             (people.member_member.display_name,))


# -- the privacy notice editor ----------------------------------------------------------------

NOTICE = f"{ADMIN}/privacy/notice"


def test_the_notice_editor_is_the_same_kept_by_standard_text(app, monkeypatch, organizer_client,
                                                             owner_client, people):
    own = same_cached_and_not(app, organizer_client, NOTICE)
    assert "大阪異業種交流会における個人情報の利用目的" in own
    english = same_cached_and_not(app, organizer_client, f"{NOTICE}?default=en")
    assert "How 大阪異業種交流会 uses your personal information" in english
    assert "How 大阪異業種交流会 uses" not in own
    assert _body(same_cached_and_not(app, owner_client, NOTICE)) == _body(own)
    computed = counting(monkeypatch, privacy_views, "_notice_body")
    for client in (organizer_client, owner_client):
        client.get(NOTICE)
        client.get(f"{NOTICE}?default=en")
        client.get(f"{NOTICE}?default=xx")  # not a standard text: the published one, kept
    assert computed == []


def test_the_notice_editor_shows_a_publication_at_once(app, organizer_client, people):
    organizer_client.get(NOTICE)
    saved = organizer_client.post(NOTICE, data={"body": "第1版の本文", "action": "publish"})
    assert saved.status_code == 302
    organizer_client.get(saved.headers["Location"])  # with the "published" message
    page = same_cached_and_not(app, organizer_client, NOTICE)
    assert "第1版の本文" in page and 'data-section="versions"' in page
    assert people.organizer_member.display_name in page
    preview = organizer_client.post(NOTICE, data={"body": "下書きの本文", "action": "preview"})
    assert preview.status_code == 200 and 'data-section="preview"' in preview.get_data(
        as_text=True)
    assert "下書きの本文" not in same_cached_and_not(app, organizer_client, NOTICE)


def test_the_notice_editor_computes_in_few_statements(app, organizer_client, people):
    organizer_client.post(NOTICE, data={"body": "第1版の本文", "action": "publish"})
    kept = reads_when_kept(app, organizer_client, NOTICE)
    assert not any("privacy_notices" in statement for statement in kept)
    computed = computing(app, organizer_client, NOTICE)
    assert any("privacy_notices" in statement for statement in computed)
    assert len(computed) <= 10


def test_the_notice_editor_is_never_another_communitys(login, session, organizer_client,
                                                       staff_client, other_tenant, people):
    organizer_client.post(NOTICE, data={"body": "大阪だけの本文", "action": "publish"})
    organizer_client.get(NOTICE)  # kept in this community
    own_only(login, session, other_tenant, NOTICE, ("大阪だけの本文",), ())
    assert staff_client.get(NOTICE).status_code == 403
