"""The shared CSV writer: Excel-friendly UTF-8 with BOM, CRLF, RFC 4180 quoting, no formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from urllib.parse import unquote

from joren.platform.csv_export import content_disposition, csv_response, csv_text


def _parse(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_utf8_with_bom_crlf_and_japanese_round_trip(app):
    with app.test_request_context():
        response = csv_response("出席簿.csv", ["氏名", "フリガナ", "会社"],
                                [["佐藤 花子", "サトウ ハナコ", "株式会社ナニワ, 大阪"],
                                 ["髙橋 﨑", "タカハシ", '"引用"と改行\nあり']])
    body = response.get_data()
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert body.startswith(b"\xef\xbb\xbf")
    body.decode("utf-8")  # valid UTF-8 throughout, never cp932
    assert b"\r\n" in body
    assert body.count(b"\r\n") == 3
    rows = _parse(body)
    assert rows == [["氏名", "フリガナ", "会社"],
                    ["佐藤 花子", "サトウ ハナコ", "株式会社ナニワ, 大阪"],
                    ["髙橋 﨑", "タカハシ", '"引用"と改行\nあり']]
    assert b'"\xe6\xa0\xaa\xe5\xbc\x8f\xe4\xbc\x9a\xe7\xa4\xbe' in body  # comma field quoted


def test_formula_injection_is_neutralised():
    text = csv_text(["a"], [["=HYPERLINK(\"http://evil\")"], ["+81 90"], ["-1+2"], ["@SUM(A1)"],
                            ["普通の値"], [-5], [None], [datetime(2026, 1, 2, 3, 4, tzinfo=UTC)]])
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert [r[0] for r in rows[1:5]] == ["'=HYPERLINK(\"http://evil\")", "'+81 90", "'-1+2",
                                         "'@SUM(A1)"]
    assert rows[5] == ["普通の値"]
    assert rows[6] == ["-5"]  # a real number stays a number
    assert rows[7] == [""]
    assert rows[8][0].startswith("2026-01-02 03:04")


def test_content_disposition_has_ascii_fallback_and_rfc5987_name():
    value = content_disposition("出席簿 2026-05.csv")
    assert value.startswith("attachment; ")
    fallback = value.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith(".csv") and fallback
    encoded = value.split("filename*=UTF-8''")[1]
    assert encoded.isascii()
    assert unquote(encoded) == "出席簿 2026-05.csv"
    only_japanese = content_disposition("出席簿.csv")
    assert 'filename="export.csv"' in only_japanese
    assert 'filename="attendance-12.csv"' in content_disposition("attendance-12.csv")
