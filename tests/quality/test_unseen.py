"""The unseen phrasings (``unseen.py``) have the benchmark's shape and are their own sentences:
the catalogue's topic keys in the catalogue's order, each topic's industry, at least as many
sentences per field (and generic / homograph sentences) as ``catalogue``, and no sentence that
is word for word one of ``catalogue``, ``held_out`` or ``fresh``; and no vocabulary phrase added
after they were written occurs in them unless it is listed below with its reason.
``measure.py`` reports figures on all four sets.

Since session 26 this set is a development set (like ``fresh`` since session 25): the
vocabulary was tuned after reading its failures, and a new blind set replaces it. Its
sentences are not edited.
"""

from __future__ import annotations

from tests.quality import catalogue, fresh, held_out, unseen
from tests.quality.sets import (
    assert_catalogue_shape,
    assert_not_copied_into_the_vocabulary,
    assert_own_sentences,
    sentences,
)


def test_unseen_has_the_catalogue_shape() -> None:
    assert_catalogue_shape(unseen)


def test_unseen_sentences_are_not_copied() -> None:
    assert_own_sentences(unseen, catalogue, held_out, fresh)


def test_an_unseen_community_is_written_with_the_unseen_sentences() -> None:
    from tests.quality import community as q

    c = q.build(200, seed=3, phrasings="unseen")
    assert c.phrasings == "unseen"
    assert "unseen" in q.MEASURED
    written = set(sentences(unseen)) | set(catalogue.FILLER_JA) | set(catalogue.FILLER_EN)
    texts = [s for p in c.profiles for s in (*p.offers, *p.asks)]
    assert texts and all(s in written for s in texts)
    assert any(s in set(sentences(unseen)) for s in texts)


# The vocabulary's phrases (as in ``test_fresh``: four or more folded characters, or two or more
# English words) that the unseen sentences contain as they were written, measured against the
# vocabulary of the commit this file was written on. They are kept as digests (``sets.digest``), not
# as text, so that whoever writes this set stays blind to the vocabulary; a phrase added to the
# vocabulary later and found in an unseen sentence fails below. Develop the vocabulary against
# ``catalogue`` and general business knowledge, never against these sentences.
BEFORE = frozenset({
    "0765656345c11993", "0a33664c81d6b65e", "10aa1a002ad5a0fa", "140c2192a07a276a",
    "1433e0c3bc461ffe", "1455ae43d69a709c", "1a624f16ce900dcb", "1a83aae38e30a973",
    "25355bbe684f0e00", "26ecfd8748833165", "29ccce2ab3ce363e", "2a58cd0fe95f91d2",
    "2b20f7a361c5af5b", "2b68dddad99117f7", "2ce35899cab6e7f7", "2ce74af2d0954eeb",
    "2d51b625d59f46fc", "2dbe12efbc2d7cd5", "2ddb20b76fa7181b", "2ecaf749d77c6888",
    "32789ac184e5ba33", "3397d89a2764e675", "37ebb61dca862cf2", "3a20d2b5a0e51100",
    "3d8a0a8bea28657a", "425dde7111697ede", "430e51009a2b72b6", "4542bbcd4123ce5c",
    "4920bb2920cc7c8d", "4a6659ccfdea2d9f", "4c05464019438ee9", "4d2a9e997fce3727",
    "4f94f21a2f1f7ae2", "4fb159a1f503e74f", "50a6bcc930fd95e1", "5226dc04a3c1e0b3",
    "52a31c1b04aa8d30", "54bb5b50a5d74bfa", "552919fb3bb9da48", "55a2d3a154e71b9a",
    "59f801314dc01c63", "5afb4f432ac5e6e9", "5c4dbd10124874c0", "5d81920bbaf402ee",
    "5da3e8298ddc7055", "5eef72b677e658de", "5fe6940b67e7e712", "62fa52b9d94790dc",
    "6606b1ad3b0d2ef8", "6696e7c2eaae4f42", "66b7ca8dbd124d33", "6b561fa560286ebf",
    "6ce1dbe7eb1e59e4", "6df17d9d181e59f6", "709717bf391dc9aa", "76517a256e444589",
    "7c29483084979fb7", "7dbd52a4474e5c29", "814ebdcf94ace1a3", "82753ee9781f36bb",
    "838eb00d79700085", "859d47f9f1be4795", "86cbe1e5189ed4dd", "8998fe6bc3e8e900",
    "8accffd124014ee1", "8c5680ea7dcc84e6", "8eb0beb4607e7767", "8f03e1bb88e20a05",
    "940fbdb9f825a6f9", "94504698d87149c6", "9479963af696488c", "948405e94a8bf394",
    "96726f43210da1fe", "999352c13bc13ada", "99dc564358bcf1ba", "9e43bd435f0ee3a3",
    "9ee613f105d21d73", "9f5ea9f4d7cce1d5", "a2259027bb25ab86", "a2e0ca71b33b4ad2",
    "a60ebffe146f1f74", "a79609a051997950", "b12686d16dd80b90", "b224312a584c2687",
    "b5a75e9450cef093", "b8a9423c8dc8efcc", "c351fbf3cc0725b8", "c8c4d21f80ffa451",
    "cb8d68cf52a3399d", "d684b93d7c5bce1a", "d7efa2f7a9e1b512", "d8448e00780dd29f",
    "d9f4e73af5ca0e42", "ddf559906e4e0198", "e0531ea54e44ff05", "e068496fb44ea938",
    "e2ce0f3815c9e6fe", "e3a379bc7ea4da35", "e6c58dfdfb7831ef", "e8819de8c4366682",
    "e9a5b71edbe1856a", "e9c36060e53f77e5", "ec0b920e9ee2a554", "ecb6eb008c3c5953",
    "f2d8d9e550117e2b", "f4b4c6d197a70771", "f547b9b45819c217", "f54e56dc564db3c9",
    "fbfd42405d6137a1", "fea3bb304f55296d",
})


# General words added to the vocabulary after this set was written, by a round that never read
# it (each with its commit and why): they are in these sentences because they are common, not
# because they were copied from them. A phrase joins this list only with such a reason.
INDEPENDENT = {
    # eea9995: パートナー read as its own word, so パート (part-time staff) no longer matches
    # inside it (issue 15's known limit); written without seeing unseen.py
    "ぱーとなー",
}

# Since session 26 this set is a development set. These phrases were added after reading its
# failures and occur in its sentences (as written: katakana read as hiragana). Each is the
# ordinary term of the trade or the usual way to state its symptom, written for the concept in
# both languages, not a piece of one sentence; grouped by concept with the reason:
NAMED = {
    # bookkeeping: the services and the software an outsourced bookkeeper names
    "keep your books", "monthly closing", "くらうど会計", "まねーふぉわーど", "経理事務",
    # tax: the tax a threshold of sales brings
    "consumption tax",
    # labour: the labour inspectorate and the rules a sharoushi writes
    "attendance rules", "work rules", "labour inspector",
    # subsidies: the call's guidelines (公募要領) and public support schemes
    "public support", "公募要領",
    # succession: family and staff succession, an heir who will not take over, selling on
    "business succession", "親族内承継", "継がない", "譲りたい",
    # insurance: the premium (掛け金) as owners say it
    "掛け金が",
    # office move: the services of an office mover
    "おふぃす移転", "原状回復",
    # video: the short vertical video of social media
    "short video",
    # systems: the booking / customer / order systems built for small firms, web apps
    "order system", "web app", "web apps", "くらうどしすてむ", "予約管理", "顧客管理",
    # export: trade fairs abroad, overseas buyers and their meetings, other countries
    "海外ばいやー", "海外展示会", "商談あれんじ",
    # trademark: registering a brand; 勝手に使われる is how a name's unlicensed use is said
    "register your brand", "勝手に使",
    # training: 指示待ち and phone manner (電話の受け答え) are the usual training needs
    "take initiative", "指示待ち", "電話の受け答え",
    # property: a place to rent, a kitchen included (厨房付き, a listing's term)
    "to rent", "厨房付き",
    # print: the menu card a print shop makes
    "めにゅー表",
    # finance: the cash-flow table, the bank, and the cash gap (payments before receipts,
    # salaries at risk) that is 資金繰り's textbook symptom
    "raising funds", "cover salaries", "資金繰り表", "金融機関", "金融機関との交渉", "手元のお金",
    "入金より先", "給料が払え",
    # catering: office snacks (置き菓子), a staple of office food services
    "置き菓子",
    # photo: food photography
    "料理写真",
    # IT support: someone who knows IT, the office network, files that will not save
    "itに詳しい", "社内のねっとわーく", "保存できな",
    # marketing: a clinic's new patients
    "new patients",
    # legal: non-payment, complaints and disputes, certified letters, terms of trade
    "hasn't paid", "check a contract", "内容証明", "取引条件",
    # cleaning: floor waxing and guest-room cleaning between stays
    "わっくす", "床のわっくす", "客室清掃",
    # hiring: Hello Work, job posts, the plain "can't find people"
    "hello work", "job posts", "can't find people",
    # website / search: not being found online, a booking button on the site; a web designer
    # builds web sites (not graphic design)
    "find us online", "検索しても出て", "予約ぼたん", "web designer",
    # insurance: business-interruption cover (休業補償), an insurer's ordinary product
    "休業補償",
    # a homograph made neutral: 東京ビッグサイト is the exhibition hall, not a web site (and
    # "language exchange", now a personal phrase, a pastime rather than a translation need)
    "びっぐさいと",
    # added on 2026-12-07 (branch wt-tune) while tuning on novel.py, occurring here too:
    # factoring, a funding service (not bookkeeping); a buffet, a caterer's offer; the request
    # forms of the former 写真を撮って (a photo taken for the member); a text in one language only
    "ふぁくたりんぐ", "びゅっふぇ", "写真を撮ってもらい", "日本語だけ",
}


def test_unseen_is_not_copied_into_the_vocabulary() -> None:
    assert_not_copied_into_the_vocabulary(unseen, BEFORE, named=NAMED | INDEPENDENT)
