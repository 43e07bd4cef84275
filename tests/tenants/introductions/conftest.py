"""Fixtures of the introductions tests."""

from __future__ import annotations

import pytest

from joren.tenants.introductions import verifier


@pytest.fixture
def words_only(monkeypatch):
    """The engine without the trained verifier of tags (``Features``' default verdicts are
    none): for the tests of what the vocabulary's words and the reasons' rules say, whose
    sentences the verifier would judge too (「決算が不安」 loses its tax tag there)."""
    monkeypatch.setattr(verifier, "in_process", lambda: None)


@pytest.fixture
def encoded(monkeypatch):
    """Every text the encoder is asked to embed, in order (the verifier's and the finder's
    tests: what was embedded, and that a kept or stored sentence is not embedded again)."""
    texts: list[str] = []
    encode = verifier.encode

    def counting(batch):  # type: ignore[no-untyped-def]
        texts.extend(batch)
        return encode(batch)

    monkeypatch.setattr(verifier, "encode", counting)
    return texts
