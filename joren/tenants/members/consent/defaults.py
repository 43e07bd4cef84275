# ruff: noqa: E501  (prose: one paragraph a line)
"""Joren's own starting text for a community's privacy notice, in Japanese and English.

The organizers edit it (their community, their words); until they publish one, this text in
the community's language is what people see, and it is published as version 1 the first
time someone answers, so every consent points at the words they read.
"""

from __future__ import annotations

JA = """{name}における個人情報の利用目的

{name}（以下「当会」）は、交流会の運営のために、参加される方の個人情報（氏名・読み仮名・メールアドレス・会社名・役職・業種、プロフィールに書かれた内容、出欠と参加の記録）をお預かりします。

1. 交流会の運営
申込みの受付、受付・出欠の管理、会費の受領と領収書の発行、申込みについてのご連絡（確認メール・変更・中止のお知らせ）に利用します。これは当会に参加するために必要な利用で、同意をいただく項目ではありません。

2. メンバー名簿（ディレクトリ）
同意いただいた方は、会社名・業種・提供できることなど、ご本人が「メンバーに公開」とした項目がほかのメンバーに表示されます。同意されない場合、ほかのメンバーにはお名前のみが表示されます。

3. メンバー同士のご紹介
同意いただいた方は、プロフィールをもとに相性のよいメンバーを組み合わせ、運営者からご紹介を提案します。連絡先は双方が承諾したときにのみ交換されます。

4. メール
同意いただいた方に、運営者からのお知らせ・アンケート、交流会の前後のフォローアップのメールをお送りします。配信はいつでもポータルまたはメール内のリンクから停止できます。

誰が何を見るか
運営者（主催者・スタッフ）は、受付と運営のために登録内容と参加記録を見ます。ほかのメンバーには、ご本人が公開を選んだ項目だけが表示されます。第三者に提供することはありません（法令に基づく場合を除きます）。

同意の変更・開示・削除のご請求
同意はポータルの「プライバシー」のページからいつでも変更・撤回できます。保有している情報の開示（ダウンロード）、訂正、利用停止、削除（退会）もポータルから行えます。そのほかのご請求・お問い合わせは当会の運営者までご連絡ください。
"""

EN = """How {name} uses your personal information

{name} ("we") keeps the personal information of the people who take part (name, reading, email address, company, title, industry, what you write in your profile, and your registrations and attendance) in order to run our meetups.

1. Running the meetups
We use it to take registrations, check people in, record attendance, collect fees and issue receipts, and to email you about your own registrations (confirmations, changes, cancellations). This is needed to take part, so it is not something we ask you to agree to.

2. The member directory
If you agree, the parts of your profile you choose to show to members (your work, what you offer) are shown to other members. If you do not, other members see only your name.

3. Introductions between members
If you agree, your profile is matched with other members' and the organizers suggest introductions. Contact details are exchanged only when both of you accept.

4. Emails
If you agree, the organizers send you announcements and short surveys, and emails before and after meetups to help you follow up. You can stop them at any time from the member portal or from the link in each email.

Who sees what
The organizers (organizers and staff) see what you registered and your attendance, to run the meetups. Other members see only what you chose to show them. We do not give your information to anyone else unless the law requires it.

Changing your consent, and your requests
You can change or withdraw each consent at any time on the Privacy page of the member portal. You can also download everything we hold about you, correct it, or leave the community (your data is erased) there. For any other request, contact the organizers.
"""

TEXTS = {"ja": JA, "en": EN}


def default_notice(language: str, community_name: str) -> str:
    """Joren's starting text in ``language`` (Japanese when it has none)."""
    return TEXTS.get(language, JA).format(name=community_name).strip()
