"""``novel.py``, the fifth phrasing set, as a test sees it: shaped like ``catalogue`` (same
topic keys in the same order, same industry letters, no field with fewer sentences, enough
generic and homograph sentences), made of its own sentences (none word for word in
``catalogue``, ``held_out``, ``fresh`` or ``unseen``, none twice), usable (a community built
with ``phrasings="novel"`` is written with them), and not copied into the vocabulary since the
day it was written, except the phrases listed in ``NAMED`` with their reasons.

Since 2026-12-07 this set is a tuning set (as ``unseen`` since session 26): the vocabulary was
tuned after reading its failures; its quality targets are asserted in
``test_introductions_quality`` like those of the other development sets.
"""

from __future__ import annotations

from tests.quality import catalogue, fresh, held_out, novel, unseen
from tests.quality.sets import (
    assert_catalogue_shape,
    assert_community_speaks_only,
    assert_not_copied_into_the_vocabulary,
    assert_own_sentences,
)


def test_novel_is_shaped_like_the_catalogue() -> None:
    assert_catalogue_shape(novel)


def test_novel_sentences_are_its_own() -> None:
    assert_own_sentences(novel, catalogue, held_out, fresh, unseen)


def test_a_novel_community_speaks_only_novel_sentences_and_fillers() -> None:
    assert_community_speaks_only(novel, "novel")


# Which vocabulary phrases (``sets.phrase``: two or more English words, four or more
# characters otherwise) the novel sentences hold, on the vocabulary of commit 729f12a, the day
# they were written. Only their digests (``sets.digest``) were ever computed or printed: the writer
# of novel.py did not see the phrases, and nobody tuning the vocabulary should need to. A
# phrase the vocabulary gains later that turns up in a novel sentence fails the test below —
# tune on ``catalogue`` and on what the trades are called, not on these sentences. If a general
# word is added independently and happens to occur here, list it with its commit and reason
# (as ``test_unseen.NAMED`` does), never by widening BEFORE.
BEFORE = frozenset({
    "07116bb44bd963af", "0765656345c11993", "0a33664c81d6b65e", "10aa1a002ad5a0fa",
    "1455ae43d69a709c", "1a624f16ce900dcb", "1b244d3039088d29", "1c3dbb132e9b176e",
    "218446eb4abaecab", "2270ad763c3c5365", "269a8be9e33e2091", "26ecfd8748833165",
    "28472d990a67b29a", "2b20f7a361c5af5b", "2b68dddad99117f7", "2ce35899cab6e7f7",
    "2ce74af2d0954eeb", "2d51b625d59f46fc", "2dbe12efbc2d7cd5", "2ddb20b76fa7181b",
    "2dde303424aec9ff", "2e4abfdbaf7e4615", "2ecaf749d77c6888", "304dcf60157d2a8e",
    "32789ac184e5ba33", "37ebb61dca862cf2", "3a1de6672386aeb5", "3a20d2b5a0e51100",
    "3c3e25b5de01601d", "3d7daea1644dda63", "3d8a0a8bea28657a", "3df3aa888dc0040b",
    "41b1fc04300cfe4e", "4542bbcd4123ce5c", "46af781849f3d4db", "4920bb2920cc7c8d",
    "4a2b217e16d99f84", "4a6659ccfdea2d9f", "4ae01f82fbae1ed8", "4b75a709f33e0b4a",
    "4c05464019438ee9", "4c7aca91234b5fe2", "4f2b21209c806aa6", "5008f43351f07137",
    "50a6bcc930fd95e1", "52a31c1b04aa8d30", "52b3d4501f252668", "53c420fe8cd208bf",
    "54bb5b50a5d74bfa", "55a2d3a154e71b9a", "57294901bc58dfae", "59f801314dc01c63",
    "5c4dbd10124874c0", "5d81920bbaf402ee", "5d8991be952c6392", "5eef72b677e658de",
    "5fe6940b67e7e712", "62fa52b9d94790dc", "6606b1ad3b0d2ef8", "6696e7c2eaae4f42",
    "6a491824ed20c12a", "6b561fa560286ebf", "6f98a77fa4c021ca", "709717bf391dc9aa",
    "74a7b7c5a935f264", "77f7247236fe27aa", "7c29483084979fb7", "7d3461e12ee12601",
    "7dbd52a4474e5c29", "7ebc85ec1f3edfa2", "814ebdcf94ace1a3", "82753ee9781f36bb",
    "828a8705713feb9b", "838eb00d79700085", "83e36d326efa0e6b", "859d47f9f1be4795",
    "86cbe1e5189ed4dd", "88b2bc2803332c56", "8c17b529bee4df6b", "8c5680ea7dcc84e6",
    "92d281efbbdea2e4", "93886950eee3086d", "940fbdb9f825a6f9", "94504698d87149c6",
    "945b3b64f483ee3c", "9479963af696488c", "948405e94a8bf394", "9510a76aa7768c28",
    "96726f43210da1fe", "96d0540671e92b51", "96d896ce26cf3acf", "972476db03d49cc9",
    "999352c13bc13ada", "99dc564358bcf1ba", "9d137a404d2ba979", "9e43bd435f0ee3a3",
    "9f5ea9f4d7cce1d5", "a16c7915eade91b4", "a2259027bb25ab86", "a60ebffe146f1f74",
    "a8bc28e4b76f7036", "a96025f70b472677", "aea1303460289083", "af4223c3a675b7bd",
    "b084801e3b65103f", "b12686d16dd80b90", "b5a75e9450cef093", "b703c8486eeaac9f",
    "b8a9423c8dc8efcc", "c037ab29298e7545", "c351fbf3cc0725b8", "c7024c24c614b4dc",
    "c8c4d21f80ffa451", "c8ec92bcc01577a7", "cb5866501a0ce487", "cb8d68cf52a3399d",
    "cec916710e2ab5c2", "d2aa3b5cef7140c2", "d3344ef5a72d2915", "d453f85cf8d9b411",
    "d7efa2f7a9e1b512", "d9f4e73af5ca0e42", "dc867b9da316f332", "ddf559906e4e0198",
    "df787de835983d52", "e0531ea54e44ff05", "e068496fb44ea938", "e0a543cf3f55cd7b",
    "e24ae0dd02beb2f4", "e36077aeb577e03d", "e8819de8c4366682", "e9a5b71edbe1856a",
    "e9c36060e53f77e5", "ec0b920e9ee2a554", "ecb6eb008c3c5953", "ed404a85921635c2",
    "ee267f6761f87786", "f2d8d9e550117e2b", "f3eb8a12df0356ac", "f547b9b45819c217",
    "f54e56dc564db3c9", "fbfd42405d6137a1", "fe3354e7a2605bcb", "fea3bb304f55296d",
})


# Phrases the vocabulary gained in session 26 from the tuning round on ``unseen.py`` (branch
# wt-vocab, merged in 0ff6e6d), written in a branch made from 729f12a, which did not hold this
# file, by a writer told never to open it: they occur in novel sentences because they are the
# trades' ordinary words (the round's aim), not copied from them. Digests only, as BEFORE, so
# that nobody tuning later learns the novel sentences' words from this test.
INDEPENDENT = frozenset({
    "094c81a0285b628c", "09a1f2417bc897b6", "13f9f9836aa69852", "144aa96f111d50f6",
    "29d2356f67787b78", "3778c057a76b95f3", "44956322375cef01", "64812b2e2583c0b7",
    "670306315d9c3e8e", "687fb7c51c6709f6", "77ddbc1af9486e1f", "7c14ab41e4f64693",
    "7f247811a3630535", "805b0247b318bebc", "8f10f3e201a119fc", "9415fbb2364cd329",
    "a3c09fc362c7b91e", "aea0130c3eeaa7c4", "bb5877920cdb0265", "c66bc0e6a4818470",
    "cdf8ab344962f620", "dbe83bcf55a4e1a4", "e671d6c9fce79e47", "e75cd565801e8ab4",
    "e7fcaddc3d14e0b0",
})

# Since 2026-12-07 (branch wt-tune) this set is a tuning set: the vocabulary was tuned after
# reading its failures. These phrases were added then and occur in its sentences (as written:
# katakana read as hiragana). Each is the ordinary name of a service, the usual way a symptom
# or a homograph is said, or a word read on another side than before, not a piece of one
# sentence; by concept, with the reason (mentions and settings, which this test does not read,
# are listed too):
NAMED: frozenset[str] = frozenset({
    # funding: factoring (ファクタリング, invoice factoring) sells invoices for cash; before,
    # "invoice" read it as bookkeeping
    "invoice factoring", "ふぁくたりんぐ",
    # catering: a buffet is a caterer's ordinary offer
    "びゅっふぇ",
    # recruiting: a job ad (a need-side mention before) is what a recruiter writes and runs
    "job ad",
    # training: a new hire is a newcomer (the English twin of the mention 新人), not hiring
    "new hire",
    # photo: a photo to be taken for the member (the request forms of the former 写真を撮って,
    # which also read 「写真を撮ってLINEで送る」 as a need for a photographer)
    "写真を撮ってほしい",
    # translation: a text that exists in one language only (the twin of "in Japanese")
    "日本語しか",
    # legal: a customer who will not pay (the twin of 払ってもらえない)
    "払ってくれな",
    # bookkeeping: the bank balance that does not match the books (a mention)
    "bank balance",
    # funding: the week wages are paid, when cash runs short (as payday, 給料日; a mention),
    # not payroll processing
    "payroll week",
    # neutral: the guidelines of any call (a job's, a subsidy's), a video call (a meeting, as
    # web会議), and homographs of a trade's word: a fallback kept "as insurance", a crop sown
    # in succession, a plant's viral disease
    "募集要項", "video call", "保険として", "succession planting", "ういるす病",
})


def test_novel_is_not_copied_into_the_vocabulary() -> None:
    assert_not_copied_into_the_vocabulary(novel, BEFORE, INDEPENDENT, named=NAMED)
