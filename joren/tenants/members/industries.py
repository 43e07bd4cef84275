"""Japan Standard Industrial Classification (日本標準産業分類) divisions, company size bands
and the 47 prefectures, each labelled in Japanese and English."""

from __future__ import annotations

from typing import NamedTuple


class Label(NamedTuple):
    ja: str
    en: str

    def __call__(self, language: str | None) -> str:
        return self.ja if (language or "ja").startswith("ja") else self.en


INDUSTRIES: dict[str, Label] = {
    "A": Label("農業，林業", "Agriculture and forestry"),
    "B": Label("漁業", "Fisheries"),
    "C": Label("鉱業，採石業，砂利採取業", "Mining and quarrying of stone and gravel"),
    "D": Label("建設業", "Construction"),
    "E": Label("製造業", "Manufacturing"),
    "F": Label("電気・ガス・熱供給・水道業", "Electricity, gas, heat supply and water"),
    "G": Label("情報通信業", "Information and communications"),
    "H": Label("運輸業，郵便業", "Transport and postal activities"),
    "I": Label("卸売業，小売業", "Wholesale and retail trade"),
    "J": Label("金融業，保険業", "Finance and insurance"),
    "K": Label("不動産業，物品賃貸業", "Real estate and goods rental and leasing"),
    "L": Label("学術研究，専門・技術サービス業",
               "Scientific research, professional and technical services"),
    "M": Label("宿泊業，飲食サービス業", "Accommodations, eating and drinking services"),
    "N": Label("生活関連サービス業，娯楽業",
               "Living-related and personal services and amusement services"),
    "O": Label("教育，学習支援業", "Education, learning support"),
    "P": Label("医療，福祉", "Medical, health care and welfare"),
    "Q": Label("複合サービス事業", "Compound services"),
    "R": Label("サービス業（他に分類されないもの）", "Services, not elsewhere classified"),
    "S": Label("公務（他に分類されるものを除く）", "Government, except elsewhere classified"),
    "T": Label("分類不能の産業", "Industries unable to classify"),
}

COMPANY_SIZES: dict[str, Label] = {
    "1-4": Label("1〜4名", "1–4 employees"),
    "5-19": Label("5〜19名", "5–19 employees"),
    "20-49": Label("20〜49名", "20–49 employees"),
    "50-99": Label("50〜99名", "50–99 employees"),
    "100-299": Label("100〜299名", "100–299 employees"),
    "300+": Label("300名以上", "300 or more employees"),
}

REGIONS: dict[str, Label] = {
    "hokkaido": Label("北海道", "Hokkaido"),
    "tohoku": Label("東北", "Tohoku"),
    "kanto": Label("関東", "Kanto"),
    "chubu": Label("中部", "Chubu"),
    "kinki": Label("近畿", "Kinki"),
    "chugoku": Label("中国", "Chugoku"),
    "shikoku": Label("四国", "Shikoku"),
    "kyushu": Label("九州・沖縄", "Kyushu and Okinawa"),
}

_PREFECTURE_ROWS = (
    ("北海道", "Hokkaido", "hokkaido"), ("青森県", "Aomori", "tohoku"),
    ("岩手県", "Iwate", "tohoku"), ("宮城県", "Miyagi", "tohoku"),
    ("秋田県", "Akita", "tohoku"), ("山形県", "Yamagata", "tohoku"),
    ("福島県", "Fukushima", "tohoku"), ("茨城県", "Ibaraki", "kanto"),
    ("栃木県", "Tochigi", "kanto"), ("群馬県", "Gunma", "kanto"),
    ("埼玉県", "Saitama", "kanto"), ("千葉県", "Chiba", "kanto"),
    ("東京都", "Tokyo", "kanto"), ("神奈川県", "Kanagawa", "kanto"),
    ("新潟県", "Niigata", "chubu"), ("富山県", "Toyama", "chubu"),
    ("石川県", "Ishikawa", "chubu"), ("福井県", "Fukui", "chubu"),
    ("山梨県", "Yamanashi", "chubu"), ("長野県", "Nagano", "chubu"),
    ("岐阜県", "Gifu", "chubu"), ("静岡県", "Shizuoka", "chubu"),
    ("愛知県", "Aichi", "chubu"), ("三重県", "Mie", "kinki"),
    ("滋賀県", "Shiga", "kinki"), ("京都府", "Kyoto", "kinki"),
    ("大阪府", "Osaka", "kinki"), ("兵庫県", "Hyogo", "kinki"),
    ("奈良県", "Nara", "kinki"), ("和歌山県", "Wakayama", "kinki"),
    ("鳥取県", "Tottori", "chugoku"), ("島根県", "Shimane", "chugoku"),
    ("岡山県", "Okayama", "chugoku"), ("広島県", "Hiroshima", "chugoku"),
    ("山口県", "Yamaguchi", "chugoku"), ("徳島県", "Tokushima", "shikoku"),
    ("香川県", "Kagawa", "shikoku"), ("愛媛県", "Ehime", "shikoku"),
    ("高知県", "Kochi", "shikoku"), ("福岡県", "Fukuoka", "kyushu"),
    ("佐賀県", "Saga", "kyushu"), ("長崎県", "Nagasaki", "kyushu"),
    ("熊本県", "Kumamoto", "kyushu"), ("大分県", "Oita", "kyushu"),
    ("宮崎県", "Miyazaki", "kyushu"), ("鹿児島県", "Kagoshima", "kyushu"),
    ("沖縄県", "Okinawa", "kyushu"),
)

# JIS X 0401 codes "01" (北海道) to "47" (沖縄県).
PREFECTURES: dict[str, Label] = {
    f"{n:02d}": Label(ja, en) for n, (ja, en, _region) in enumerate(_PREFECTURE_ROWS, start=1)
}
PREFECTURE_REGION: dict[str, str] = {
    f"{n:02d}": region for n, (_ja, _en, region) in enumerate(_PREFECTURE_ROWS, start=1)
}


def industry_codes_matching(text: str) -> list[str]:
    """Divisions whose code or Japanese/English label contains ``text``."""
    text = text.strip().lower()
    if not text:
        return []
    return [code for code, label in INDUSTRIES.items()
            if text == code.lower() or text in label.ja or text in label.en.lower()]
