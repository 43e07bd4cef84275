"""Malformed input is refused at the edge with a page in the visitor's language, never a 500:
ids the database cannot hold, NUL characters, URLs that are not UTF-8, oversized bodies."""

from __future__ import annotations

import io

import pytest
from flask import Flask

from joren.platform.config import ConfigError, load_config
from joren.platform.inputs import MAX_INT
from joren.tenants.imports.csv_decode import MAX_BYTES

HUGE_IDS = ["99999999999999999999", str(MAX_INT + 1), "1" * 5000, "0"]


@pytest.mark.parametrize("raw_id", HUGE_IDS)
def test_an_id_the_database_cannot_hold_is_404_without_a_query(client, tenant, raw_id):
    response = client.get(f"/c/{tenant.slug}/meetups/{raw_id}",
                          headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_the_largest_real_id_still_routes(app):
    adapter = app.url_map.bind("localhost")
    endpoint, args = adapter.match(f"/c/x/meetups/{MAX_INT}")
    assert args["meetup_id"] == MAX_INT


def test_huge_ids_for_a_signed_in_organizer_are_404(organizer_client, tenant):
    for path in ("admin/meetups/{}", "admin/members/{}", "admin/imports/{}/status",
                 "admin/meetups/1/registrations/{}"):
        url = f"/c/{tenant.slug}/" + path.format("99999999999999999999")
        assert organizer_client.get(url).status_code in (404, 405), url
        assert organizer_client.post(url).status_code in (404, 405), url


@pytest.mark.parametrize("url", [
    "/c/osaka%00mixer/",
    "/c/osaka-mixer/meetups?q=%00",
    "/c/osaka-mixer/admin/members?q=a%00b",
    "/login?next=%00",
    "/c/osaka-mixer/meetups?q=%ED%A0%80",
])
def test_nul_and_invalid_utf8_in_the_url_answer_400_in_the_visitors_language(
        organizer_client, tenant, url):
    response = organizer_client.get(url, headers={"Accept-Language": "ja"})
    assert response.status_code == 400
    assert "リクエストを処理できませんでした" in response.get_data(as_text=True)


def test_a_path_that_is_not_utf8_answers_400(organizer_client, tenant):
    # The test client cannot send raw bytes in the path; a real server passes them as latin-1.
    response = organizer_client.get("/", environ_overrides={
        "PATH_INFO": f"/c/{tenant.slug}/meetups/\xff\xfe"})
    assert response.status_code == 400


def test_nul_in_a_form_field_answers_400(member_client, tenant, people):
    response = member_client.post(f"/c/{tenant.slug}/journal/new",
                                  data={"body": "今日の学び\x00"},
                                  headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "The request could not be understood" in response.get_data(as_text=True)


def test_nul_in_a_sign_in_form_answers_400(client):
    response = client.post("/login", data={"email": "a\x00@example.jp", "password": "x"})
    assert response.status_code == 400


def test_nul_in_an_upload_filename_answers_400(organizer_client, tenant):
    response = organizer_client.post(
        f"/c/{tenant.slug}/admin/imports/",
        data={"kind": "members", "file": (io.BytesIO(b"a,b\n"), "m\x00.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400


@pytest.mark.parametrize("page", ["99999999999999999999", "-5", "abc", "1" * 5000])
def test_a_page_number_out_of_range_shows_the_first_page(member_client, tenant, people, page):
    response = member_client.get(f"/c/{tenant.slug}/journal?page={page}")
    assert response.status_code == 200


def test_an_out_of_range_number_in_a_form_gets_a_message(member_client, tenant, people,
                                                          session):
    other = people.organizer_member
    response = member_client.post(
        f"/c/{tenant.slug}/network/{other.id}/contact",
        data={"kind": "talked", "meetup_id": "99999999999999999999"},
        headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Please check" in response.get_data(as_text=True)


# -- finding 9: request size ---------------------------------------------------------------------

class _UnreadableBody(io.RawIOBase):
    """A request body that counts what the app reads of it (it claims ``size`` bytes)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = b"a" * n
        self.read_bytes += n
        return n


def _post_body(client, url: str, body: _UnreadableBody, content_type: str, **kwargs):  # type: ignore[no-untyped-def]
    return client.post(url, content_type=content_type, environ_overrides={
        "wsgi.input": body, "CONTENT_LENGTH": str(body.size)}, **kwargs)


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_a_100_mb_anonymous_post_answers_413_without_being_read(client, content_type):
    body = _UnreadableBody(100 * 1024 * 1024)
    response = _post_body(client, "/login", body, content_type,
                          headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "The upload is too large" in response.get_data(as_text=True)
    assert body.read_bytes == 0


def test_an_oversized_body_on_a_route_that_never_reads_it_is_413(client, tenant):
    body = _UnreadableBody(100 * 1024 * 1024)
    response = _post_body(client, f"/c/{tenant.slug}/meetups/1/opt-out", body,
                          "application/octet-stream")
    assert response.status_code == 413
    assert body.read_bytes == 0


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded",
                                          "multipart/form-data"])
def test_a_huge_form_field_is_413(client, content_type):
    response = client.post("/login", data={"email": "x" * 600_000, "password": "x"},
                           content_type=content_type, headers={"Accept-Language": "ja"})
    assert response.status_code == 413
    assert "アップロード" in response.get_data(as_text=True)


def test_the_limit_leaves_room_for_the_largest_csv_import(app):
    assert app.config["MAX_CONTENT_LENGTH"] > MAX_BYTES + 64 * 1024


def test_a_realistic_large_member_csv_is_still_accepted(organizer_client, tenant, session):
    row = "山田,太郎,ヤマダ,タロウ,{i}@example.jp,株式会社ヤマダ商事 第{i}営業部,東京都\n"
    text = "姓,名,セイ,メイ,メール,会社名,地域\n" + "".join(
        row.format(i=i) for i in range(120_000))
    data = text.encode("utf-8")
    assert 10 * 1024 * 1024 < len(data) < MAX_BYTES
    response = organizer_client.post(
        f"/c/{tenant.slug}/admin/imports/",
        data={"kind": "members", "file": (io.BytesIO(data), "members.csv")},
        content_type="multipart/form-data")
    assert response.status_code in (200, 302, 303), response.status_code
    assert response.status_code != 413


def test_max_content_length_is_configurable(tmp_path):
    config = load_config(str(tmp_path), {"JOREN_ENV": "test", "MAX_CONTENT_LENGTH": "1048576"})
    assert config["MAX_CONTENT_LENGTH"] == 1048576
    default = load_config(str(tmp_path), {"JOREN_ENV": "test"})
    assert default["MAX_CONTENT_LENGTH"] == 25 * 1024 * 1024
    with pytest.raises(ConfigError):
        load_config(str(tmp_path), {"JOREN_ENV": "test", "MAX_CONTENT_LENGTH": "lots"})


def test_form_fields_and_parts_are_bounded_too(app: Flask) -> None:
    assert app.config["MAX_FORM_MEMORY_SIZE"] <= 1_000_000
    assert app.config["MAX_FORM_PARTS"] <= 10_000
