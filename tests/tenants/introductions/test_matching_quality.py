"""Quality: in a synthetic community of 200 members (Japanese texts, a few English) some pairs
are complementary by construction — one offers exactly what the other asks for, phrased
differently — and the others are noise. The engine must rank each constructed partner among
the member's top-k; precision@k is printed."""

from __future__ import annotations

import random

import pytest

from joren.tenants.introductions import candidates
from joren.tenants.introductions.features import Features, History, Profile
from joren.tenants.introductions.matching import rank_among, suggest
from joren.tenants.members.industries import COMPANY_SIZES, INDUSTRIES, PREFECTURES

# (what one member offers, what another member asks for): same need, different words.
PAIRS = [
    ("採用支援・求人広告の運用代行",
     "採用に課題。求人を出しても応募が来ない"),
    ("税務申告・決算の代行（税理士事務所）",
     "決算や確定申告の税務を相談できる税理士を探しています"),
    ("ホームページ制作とSEO対策",
     "自社サイトが古く検索で上位に出ない。ホームページを作り直したい"),
    ("社会保険・労務手続きの代行、就業規則の作成",
     "労務管理が追いつかない。就業規則や社会保険の手続きに困っている"),
    ("補助金・助成金の申請サポート",
     "使える補助金があるか知りたい。申請書の書き方がわからない"),
    ("事業承継・M&Aの仲介",
     "後継者がいない。事業承継をどう進めるか悩んでいる"),
    ("法人向け生命保険と退職金制度の設計",
     "役員の退職金の準備と保険の見直しをしたい"),
    ("オフィス移転・内装工事",
     "事務所が手狭になり、移転先と内装工事の相談先を探している"),
    ("動画制作・YouTubeチャンネルの運用代行",
     "動画で商品をPRしたいが撮影も編集もできる人がいない"),
    ("kintoneによる業務システム開発と業務効率化",
     "紙とエクセルの管理が限界。システム化で業務を効率化したい"),
    ("海外輸出・越境ECの立ち上げ支援",
     "自社製品を海外に販売したい。越境ECの始め方を知りたい"),
    ("商標登録・特許出願（弁理士）",
     "新商品の名前を商標登録したい。特許の相談先も探している"),
    ("管理職向けリーダーシップ研修・社員研修",
     "管理職が育たない。リーダー研修を頼める講師を探している"),
    ("事業用不動産・店舗物件の仲介",
     "新店舗用の物件を探している。店舗物件に詳しい人がほしい"),
    ("チラシ・パンフレットのデザインと印刷",
     "展示会で配るパンフレットとチラシを作りたい"),
    ("銀行融資・資金調達のコンサルティング",
     "設備投資の資金が足りない。融資の相談先がほしい"),
    ("英語・中国語の翻訳と通訳",
     "海外の取引先との英語のメールに困っている。翻訳を頼みたい"),
    ("法人向けケータリングとお弁当の配達",
     "社内イベントや会議用のお弁当を頼めるお店を探している"),
    ("商品写真・プロフィール写真の撮影",
     "ECサイトの商品写真をプロに撮影してほしい"),
    ("パソコンと社内ネットワークの保守・ITサポート",
     "社内のパソコンやネットワークのトラブルに対応できる人がいない"),
    ("Bookkeeping and payroll outsourcing for small firms",
     "Our bookkeeping is a mess and payroll takes days every month"),
    ("Website design and online shop development",
     "We need a new website with an online shop for our products"),
    ("Corporate event planning and venue booking",
     "Looking for someone to plan our company anniversary event and find a venue"),
]

NOISE_OFFERS = [
    "地域の経営者とのつながり", "営業代行・テレアポ", "飲食店の経営ノウハウ", "美容室の経営",
    "農産物の直売と産地直送", "建設現場の施工管理", "介護施設の運営", "学習塾の運営",
    "整体・健康相談", "中古車の買取と販売", "花の配達とアレンジメント", "清掃サービス",
    "経営者向けの異業種交流会の主催", "キャリアコンサルティング", "ワインの輸入販売",
    "カフェの開業相談", "リフォームと外壁塗装", "ヨガ教室", "着物のレンタル", "物流倉庫の運営",
]
NOISE_ASKS = [
    "売上を伸ばしたい", "新規顧客を増やしたい", "協業できる会社を探している",
    "地元の人脈を広げたい", "新しい販路を開拓したい", "経営の相談相手がほしい",
    "イベントの集客を増やしたい",
    "店舗の認知度を上げたい", "同世代の経営者と話したい", "新規事業のアイデアがほしい",
    "業界の情報交換をしたい", "将来の事業展開を相談したい",
]


def community(seed: int = 7, size: int = 200) -> tuple[Features, dict[int, int]]:
    """Profiles and the constructed partner of each constructed member (both directions)."""
    rng = random.Random(seed)
    industries, sizes = list(INDUSTRIES), list(COMPANY_SIZES)
    prefectures = list(PREFECTURES)[:20]
    levels = ["regular", "returning", "first_timer", "none", "one_time"]
    ids = rng.sample(range(1000, 9999), size)
    partner: dict[int, int] = {}
    profiles = []

    def profile(member_id: int, offers: tuple[str, ...], asks: tuple[str, ...]) -> Profile:
        return Profile(
            member_id, offers=offers, asks=asks, industry=rng.choice(industries),
            company_size=rng.choice(sizes), prefecture=rng.choice(prefectures),
            ask_industries=frozenset(rng.sample(industries, rng.randint(0, 2))),
            ask_sizes=frozenset(rng.sample(sizes, rng.randint(0, 2))),
            level=rng.choice(levels), company=f"会社{member_id}")

    for k, (offer, ask) in enumerate(PAIRS):
        giver, asker = ids[2 * k], ids[2 * k + 1]
        partner[giver], partner[asker] = asker, giver
        profiles.append(profile(giver, (offer, rng.choice(NOISE_OFFERS)),
                                (rng.choice(NOISE_ASKS),)))
        profiles.append(profile(asker, (rng.choice(NOISE_OFFERS),),
                                (ask, rng.choice(NOISE_ASKS))))
    for member_id in ids[2 * len(PAIRS):]:
        profiles.append(profile(member_id, tuple(rng.sample(NOISE_OFFERS, 2)),
                                tuple(rng.sample(NOISE_ASKS, 2))))
    rng.shuffle(profiles)
    return Features(profiles), partner


def _precision_at(k: int, ranked: dict[int, list], partner: dict[int, int]) -> float:
    hits = sum(1 for m, p in partner.items() if p in [s.b for s in ranked[m][:k]])
    return hits / len(partner)


@pytest.mark.parametrize("path", ["default", "small blocks, sampled postings"])
def test_constructed_partners_rank_in_top_k(path, monkeypatch):
    if path != "default":   # what a large community goes through: sampled postings per block
        monkeypatch.setattr(candidates, "BLOCK", 32)
        monkeypatch.setattr(candidates, "POSTINGS", 12)
    features, partner = community()
    ranked = rank_among(features, History(), [int(i) for i in features.ids], top=10)
    p1, p3, p5 = (_precision_at(k, ranked, partner) for k in (1, 3, 5))
    print(f"\nquality ({path}): {len(features)} members, {len(partner)} constructed: "
          f"precision@1={p1:.2f} precision@3={p3:.2f} precision@5={p5:.2f}")
    assert p3 >= 0.85
    assert p5 >= 0.9


def test_constructed_pairs_survive_the_cap_allocation():
    features, partner = community(seed=11)
    chosen = {(s.a, s.b) for s in suggest(features, History(), cap=2)}
    found = sum(1 for m, p in partner.items() if m < p and (m, p) in chosen)
    share = found / (len(partner) // 2)
    print(f"\nallocation: {found} of {len(partner) // 2} constructed pairs suggested ({share:.2f})")
    assert share >= 0.8
