"""Organizers upload a picture per series or meetup; bad uploads get a clear message; the
picture is served from the storage (a directory, or S3) and no other community can reach it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from joren.platform.storage import S3Storage, storage
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.public.models import EventImage
from tests.tenants.helpers import in_english, reload
from tests.tenants.meetups.public.conftest import S3_OPTIONS
from tests.tenants.meetups.public.helpers import meta, next_meetup, upload
from tests.tenants.meetups.public.pictures import picture

pytestmark = pytest.mark.usefixtures("clock")

BASE = "/c/osaka-mixer"


def _series_image_url(series) -> str:  # type: ignore[no-untyped-def]
    return f"{BASE}/admin/meetups/series/{series.id}/image"


def _image(session, **where) -> EventImage | None:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return session.scalars(select(EventImage).filter_by(**where)).first()


def test_organizer_uploads_a_series_picture_and_the_meetup_page_shows_it(
        app, organizer_client, client, series, tenant, tenant_session, session):
    response = upload(organizer_client, _series_image_url(series), picture("PNG"))
    assert response.status_code == 302
    image = _image(session, series_id=series.id)
    assert image.storage_key.startswith(f"t{tenant.id}/series-{series.id}-")
    assert (image.width, image.height, image.content_type) == (1200, 675, "image/jpeg")

    meetup = next_meetup(tenant_session, series)
    page = client.get(f"{BASE}/meetups/{meetup.id}").get_data(as_text=True)
    tags = meta(page)
    name = image.storage_key.rsplit("/", 1)[-1]
    assert tags["og:image"] == f"http://localhost{BASE}/images/{image.id}/{name}"
    assert tags["twitter:card"] == "summary_large_image"

    served = client.get(f"{BASE}/images/{image.id}/{name}")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert served.data[:2] == b"\xff\xd8"
    assert "max-age=31536000" in served.headers["Cache-Control"]
    assert served.headers["Cache-Control"].startswith("public")
    again = client.get(f"{BASE}/images/{image.id}/{name}",
                       headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"{BASE}/images/{image.id}/other.jpg").status_code == 404


def test_a_meetup_picture_wins_over_its_series_and_replacing_deletes_the_old_file(
        app, organizer_client, client, series, tenant_session, session):
    meetup = next_meetup(tenant_session, series)
    upload(organizer_client, _series_image_url(series), picture("JPEG"))
    path = f"{BASE}/admin/meetups/{meetup.id}/image"
    page = organizer_client.get(path).get_data(as_text=True)
    assert "series" in page or "シリーズ" in page  # the inherited picture is explained
    assert upload(organizer_client, path, picture("WEBP")).status_code == 302
    first = _image(session, meetup_id=meetup.id)
    first_id, first_key = first.id, first.storage_key
    assert upload(organizer_client, path, picture("JPEG", size=(900, 900))).status_code == 302
    second = _image(session, meetup_id=meetup.id)
    second_key = second.storage_key
    assert second.id == first_id and second_key != first_key
    with app.app_context():
        assert storage().get(first_key) is None
        assert storage().get(second_key) is not None
    tags = meta(client.get(f"{BASE}/meetups/{meetup.id}").get_data(as_text=True))
    assert tags["og:image"].endswith(second_key.rsplit("/", 1)[-1])

    assert organizer_client.post(path, data={"action": "remove"}).status_code == 302
    assert _image(session, meetup_id=meetup.id) is None
    with app.app_context():
        assert storage().get(second_key) is None
    series_image = _image(session, series_id=series.id)
    tags = meta(client.get(f"{BASE}/meetups/{meetup.id}").get_data(as_text=True))
    assert tags["og:image"].endswith(series_image.storage_key.rsplit("/", 1)[-1])


@pytest.mark.parametrize(("data", "name", "ja", "en"), [
    (b"just text", "notes.txt", "JPEG、PNG、WebP", "not a JPEG, PNG or WebP picture"),
    (b"", "empty.jpg", "画像を選んで", "Choose a picture to upload"),
    (picture("PNG", size=(120, 120)), "tiny.png", "小さすぎ", "too small"),
])
def test_bad_uploads_get_a_clear_message_in_both_languages(
        organizer_client, series, session, data, name, ja, en):
    response = upload(organizer_client, _series_image_url(series), data, name)
    assert response.status_code == 422
    assert ja in response.get_data(as_text=True)
    in_english(organizer_client)
    response = upload(organizer_client, _series_image_url(series), data, name)
    assert response.status_code == 422
    assert en in response.get_data(as_text=True)
    assert _image(session, series_id=series.id) is None


def test_an_upload_over_the_limit_is_refused_with_its_size(app, organizer_client, series,
                                                           monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
    big = b"\xff\xd8" + b"\0" * (2 * 1024 * 1024 + 10)
    in_english(organizer_client)
    response = upload(organizer_client, _series_image_url(series), big)
    assert response.status_code == 422
    assert "larger than 2 MB" in response.get_data(as_text=True)


def test_staff_and_members_cannot_upload(staff_client, member_client, series):
    for c in (staff_client, member_client):
        assert upload(c, _series_image_url(series), picture()).status_code == 403


def test_another_community_can_neither_read_replace_nor_delete_the_picture(
        app, login, people, organizer_client, series, tenant_session, session):
    upload(organizer_client, _series_image_url(series), picture())
    image = _image(session, series_id=series.id)
    name = image.storage_key.rsplit("/", 1)[-1]
    theirs = login(people.other_owner)
    # Their own community's address with our ids: nothing there.
    assert theirs.get(f"/c/kobe-study/images/{image.id}/{name}").status_code == 404
    assert upload(theirs, f"/c/kobe-study/admin/meetups/series/{series.id}/image",
                  picture("PNG")).status_code == 404
    assert theirs.post(f"/c/kobe-study/admin/meetups/series/{series.id}/image",
                       data={"action": "remove"}).status_code == 404
    meetup = next_meetup(tenant_session, series)
    assert upload(theirs, f"/c/kobe-study/admin/meetups/{meetup.id}/image",
                  picture()).status_code == 404
    # Our community's address: they are not a member.
    assert upload(theirs, _series_image_url(series), picture()).status_code in (403, 404)
    after = _image(session, series_id=series.id)
    assert (after.id, after.storage_key) == (image.id, image.storage_key)
    with unscoped(session):
        assert session.scalar(select(func.count(EventImage.id))) == 1
    with app.app_context():
        assert storage().get(image.storage_key) is not None


def test_a_members_only_community_shows_pictures_to_members_only(
        organizer_client, member_client, client, series, tenant, session):
    upload(organizer_client, _series_image_url(series), picture())
    image = _image(session, series_id=series.id)
    url = f"{BASE}/images/{image.id}/{image.storage_key.rsplit('/', 1)[-1]}"
    community = reload(session, type(tenant), tenant.id)
    community.is_public = False
    session.commit()
    assert client.get(url).status_code == 404
    served = member_client.get(url)
    assert served.status_code == 200
    assert served.headers["Cache-Control"].startswith("private")


def test_pictures_are_stored_in_s3_compatible_storage(app_on_s3, s3_bucket, organizer_client,
                                                       client, series, tenant, session):
    assert upload(organizer_client, _series_image_url(series), picture()).status_code == 302
    image = _image(session, series_id=series.id)
    stored = app_on_s3.client.get_object(Bucket=s3_bucket, Key=f"uploads/{image.storage_key}")
    assert stored["ContentType"] == "image/jpeg"
    assert image.storage_key.startswith(f"t{tenant.id}/")
    served = client.get(f"{BASE}/images/{image.id}/{image.storage_key.rsplit('/', 1)[-1]}")
    assert served.status_code == 200
    assert served.data == stored["Body"].read()
    organizer_client.post(_series_image_url(series), data={"action": "remove"})
    listed = app_on_s3.client.list_objects_v2(Bucket=s3_bucket)
    assert listed.get("KeyCount", 0) == 0


def test_storage_trouble_is_a_message_not_an_error(app, organizer_client, series, session,
                                                   monkeypatch):
    broken = S3Storage("no-such-bucket", endpoint_url="http://127.0.0.1:9", **S3_OPTIONS)
    monkeypatch.setitem(app.extensions, "joren_storage", broken)
    in_english(organizer_client)
    response = upload(organizer_client, _series_image_url(series), picture())
    assert response.status_code == 422
    assert "could not be saved" in response.get_data(as_text=True)
    assert _image(session, series_id=series.id) is None
