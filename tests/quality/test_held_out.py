"""The held-out phrasings (``held_out.py``) stay held out: no vocabulary phrase that was added
after they were written occurs in them word for word.

A phrase is a cue of four or more characters (Japanese, folded) or of two or more words
(English). ``BEFORE`` lists the phrases of the vocabulary as it was when the held-out set was
written (commit a849612) that its sentences happen to contain — ordinary service names
(保険代理店, "real estate agent"). A vocabulary entry copied from a held-out sentence fails
here; add general business knowledge instead, and develop against ``catalogue.py`` (dev).
Single words are not checked: the held-out sentences use the trade's ordinary words
(写真, 在庫, 英語), and so must the vocabulary. ``measure.py`` reports figures on both sets.
"""

from __future__ import annotations

from tests.quality import catalogue, held_out
from tests.quality.sets import vocabulary_phrases_in

BEFORE = frozenset({
    "a logo", "bank loan", "build websites", "cleaning company", "in japanese", "insurance agent",
    "it support", "labour consultant", "managed it", "marketing agency", "new customers",
    "patent attorney", "print shop", "promotional video", "real estate", "real estate agent",
    "social media", "staffing agency", "tax accountant", "ういるす", "びじねす",
    "お弁当を", "お手伝い", "かめらまん", "つながり", "でざいん", "ぱそこん",
    "ぱそこんやねっとわーく", "ふぁっくす",
    "ほーむぺーじ", "ほーむぺーじを作り", "まーけてぃんぐ", "不動産会社", "中小企業", "事業承継",
    "人材紹介", "保険代理店", "印刷会社", "商標出願", "広告運用", "損害保険", "清掃会社",
    "特許事務所", "生命保険", "研修講師", "社会保険", "社会保険の手続き", "紹介動画", "貿易実務",
})


def test_held_out_is_not_copied() -> None:
    assert sorted(vocabulary_phrases_in(held_out) - BEFORE) == []


def test_held_out_has_the_catalogue_topics() -> None:
    assert [t.key for t in held_out.TOPICS] == [t.key for t in catalogue.TOPICS]
    assert all(len(t.ja_para) >= 2 and len(t.en_para) >= 2 for t in held_out.TOPICS)
