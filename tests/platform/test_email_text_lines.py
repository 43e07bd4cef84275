"""Plain-text emails keep their line breaks: with trim_blocks on, a block tag that ends a line of
text eats its line break, and the next line of text runs into it (the venue's address ran into
the fee line, issue 16). A line of text that ends with a block tag and is followed by another
line of text must end the tag with ``+%}``, which keeps the break."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from flask import render_template
from flask_babel import force_locale

ROOT = Path(__file__).resolve().parents[2] / "joren"
TAG = re.compile(r"\{%-?.*?[-+]?%\}")
COMMENT = re.compile(r"\{#.*?#\}")


def _text(line: str) -> str:
    return TAG.sub("", COMMENT.sub("", line)).strip()


def _run_together() -> list[str]:
    found = []
    for path in sorted(ROOT.glob("**/templates/**/*.txt")):
        if path.name.endswith(".subject.txt"):
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        for n, (line, following) in enumerate(zip(lines, lines[1:], strict=False), start=1):
            end = line.rstrip()
            if (end.endswith("%}") and not end.endswith("+%}") and _text(end)
                    and _text(following) and re.findall(r"\{%-?\s*(\w+)", end)[-1] != "endblock"):
                found.append(f"{path.relative_to(ROOT)}:{n}")
    return found


def test_no_text_email_line_runs_into_the_next():
    assert _run_together() == []


def test_the_address_and_the_fee_are_on_lines_of_their_own(app_ctx):
    meetup = SimpleNamespace(title="定例会", starts_at=datetime(2026, 7, 14, 10, 0, tzinfo=UTC),
                             venue_name="梅田スカイビル", venue_address="大阪市北区大淀中1-1-88")
    for language in ("ja", "en"):
        with force_locale(language):
            text = render_template("meetups/emails/registrations/confirmed.txt", meetup=meetup,
                                   fee=3000, member_name="田中 三郎", community_name="交流会",
                                   meetup_url="https://example.jp/m", ticket_url="")
        lines = text.splitlines()
        assert "梅田スカイビル (大阪市北区大淀中1-1-88)" in lines
        assert any(line.endswith("3,000") and "梅田" not in line for line in lines)
