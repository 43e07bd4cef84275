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
