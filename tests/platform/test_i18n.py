"""The ja and en catalogs are complete, and pages come out in the chosen language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from joren.platform.catalogs import extract, po_path

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def source_ids() -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}


def test_extraction_reads_every_template_folder():
    """Templates live beside the code that renders them: each package's templates/ folder and
    the shared joren/templates must all be read, or their words would go untranslated unseen."""
    folders = set()
    for message in extract():
        for filename, _line in message.locations:
            if "/templates/" in filename:
                folders.add(filename.split("/templates/")[0])
    packages = {str(path.parent.relative_to(Path(__file__).resolve().parents[2]))
                for path in (Path(__file__).resolve().parents[2] / "joren").rglob("templates")
                if path.is_dir()}
    assert packages and folders == packages


def _catalog(language: str):
    with Path(po_path(language)).open("rb") as f:
        return read_po(f, locale=language)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_message_is_translated(source_ids, language):
    catalog = _catalog(language)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        value = message.string
        if isinstance(value, tuple | list):
            value = value[0] if all(value) else ""
        translated[key] = value
    missing = sorted(i for i in source_ids if not translated.get(i))
    assert missing == [], f"{language} catalog lacks {len(missing)} messages: {missing[:10]}"


def test_japanese_keeps_every_placeholder():
    for message in _catalog("ja"):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(target)), source


def test_landing_in_japanese_by_default(client):
    page = client.get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert 'lang="ja"' in page
    assert "常連が仕事を生む交流会" in page


def test_landing_in_english_for_english_browsers(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Meetups where the regulars make business" in page


def test_language_switch_is_remembered(client):
    response = client.post("/language", data={"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert 'lang="en"' in page


def test_language_switch_refuses_offsite_next(client):
    response = client.post("/language", data={"language": "ja", "next": "https://evil.example/"})
    assert response.headers["Location"] in ("/", "http://localhost/")
