"""A seventh phrasing set for the quality benchmark, the SEVENTH one — written blind, on
2026-12-07, by the helper "blind7", while ``distinct.py`` was about to become a set the
vocabulary gets tuned on.

What the writer saw: the shape of the sets (``sets.py``, the ``Topic`` class and the first
topic of ``catalogue.py`` as a format example), the topic keys with their industry letters and
how many sentences each field holds (printed as counts, with ``catalogue.GENERIC_WORDS``),
how ``community.build`` picks sentences, ``measure.py``, the docstrings of ``distinct.py``,
``novel.py``, ``unseen.py``, ``fresh.py`` and ``held_out.py`` (stopping where their topics
begin), ``test_distinct.py``, ``test_introductions_quality.py`` and the opening of
``test_novel.py``. The writer chose not to read the ``NAMED`` lists of the other tests (the
vocabulary's phrases in plain text), but a listing of line heads showed the first line of
``test_fresh.NAMED`` and ``test_fresh.INDEPENDENT`` ("office relocation", 引っ越し) and a
look at the end of ``test_novel.py`` showed the last line of ``test_novel.NAMED``; the
comments of ``test_introductions_quality`` name a few of the vocabulary's setting words
(食事, receipts, 英語, 家賃, a spreadsheet, 介護, events, 物流). Nothing here was chosen from
them; "office relocation" is what that trade calls itself and stays.
``sets.assert_own_sentences`` found two of the writer's stock direct needs (a 弁理士 for a
商標登録, a 制作会社 to rebuild a ホームページ) word for word in ``fresh`` and ``distinct``: they
were rewritten, which is all the writer learnt of those sets' sentences. What the writer never
opened: the vocabulary (``joren/tenants/members/vocabulary/``), the engine
(``joren/tenants/introductions/``) and the sentences of ``catalogue.py`` (beyond its first
topic; of its fillers only their counts), ``held_out.py``, ``fresh.py``, ``unseen.py``,
``novel.py`` and ``distinct.py``. Every sentence comes from plain knowledge of what a trade
sells and what hurts before somebody buys it. The engine was not run on this set before it was
committed, the vocabulary's phrases in it were computed once, as digests only, after the last
sentence was written (``test_seventh.BEFORE``), and no sentence is to change after it has been
measured: if this set is ever tuned on, write an eighth.

Who is talking this time (chosen to differ from the speakers of ``distinct.py``, ``novel.py``,
``unseen.py`` and ``fresh.py``): a 動物病院 (夜間の急患, 飼い主, ワクチンのお知らせ, the smell
in the waiting room), a 自動車整備工場 in Osaka writing 関西弁 (車検, 診断機, リフト, a mechanic
who left with the customer list), the third-generation owner of a 呉服店 (振袖, 反物, 展示会,
成人式), the 住職 of a temple (檀家, 法要, 御朱印, 本堂の屋根), a 認可外保育園 (連絡帳, 園児,
運動会, お昼寝の時間), a 和菓子屋 (羊羹, のれん, a father of seventy-five), a landlord with
three old アパート (部屋が埋まらない, a tenant who stopped paying), a young founder of a D2C
clothing label writing casual ネット口調 (ガチで, 正直, 反応が死んでる), and an 眼鏡店 whose
customers are all regulars; in English, a French pâtissier in Kobe (not his first language),
the Indian owner of an offshore development company (engineers in Pune), a British pilates
studio owner in Fukuoka, a Canadian who runs a ski rental shop in Niseko, and the export
manager of a knife maker. Providers write like their flyers (prices, 最短, 10名様から, "fee only
when your hire starts"), in Japanese and in English.

Pitfalls (the need belongs to one topic and wears another's words): a mechanic who left with
the customer list (legal, not hiring), a tenant who stopped paying (legal, not property), a
vacated room made ready for the next tenant by an aching landlord (cleaning, not property), the
smell of animals that makes new owners frown (cleaning, not marketing), a customer's car dropped
from the lift (insurance), kimono colours that look wrong on screen (photo, not website), a
young mechanic who cannot explain a repair (training, not hiring), 2,000 車検 notices on a
home printer (print, not it_support), a paper 連絡帳 (it_system, not print), the temple's ledger
in brush writing (it_system), half the cost of a lift from the city (subsidy, not finance), a
temple's admission fees and 御朱印 money (tax), the nursery teachers who cannot take a break
during nap time (labour), a pregnant employee (labour), a former partner who claims half the
recipes and a withheld deposit (legal).

Paraphrased needs were reread against their own topic's offers in this set (by eye, then by a
throwaway script listing the character pairs and words they share) and the words they shared
taken out of the need or of the offer (ページ, 店舗, 葉書, ハローワーク, ベトナム, 撮った,
事務所, 整備, 責任, 電話, 書類, アジア, 動物, 部屋; empty, order, building, online); common
words (ネット, 会社, 毎月, 調整, Japanese, name, staff, business) stay.

Homographs: a dog's toilet トレーニング, a ネイルデザイン for a 振袖, a 入園面接, ブランド
bags to sell, 星空の撮影 as a hobby, a phone 契約 plan, a grandmother's ぬか床 to be 継いで;
puppy training, a choir's recruitment drive, a contract bridge partner, a koi pond's filter
system, a lens for bird photography.

Same shape as ``catalogue.Topic``, the catalogue's topic keys in its order, at least as many
sentences per field; ``test_seventh.py`` checks that, that no sentence is word for word one of
the six other sets, and that no vocabulary phrase added after today turns up in it.
"""

from __future__ import annotations

from tests.quality.catalogue import Topic

TOPICS: tuple[Topic, ...] = (
    Topic("bookkeeping", "L",
          ("記帳代行　月額9,800円〜。領収書を封筒に入れて送るだけ",
           "経理のアウトソーシング：仕訳入力から試算表の作成まで毎月お届けします",
           "個人事業主・小規模法人向けの記帳・経理代行（freee・弥生対応）"),
          ("Bookkeeping outsourced: we post your entries and send a trial balance every month",
           "Remote bookkeeping for clinics and small shops, from ¥10,000 a month"),
          ("記帳代行、頼めるとこ探してます",
           "経理のアウトソーシング先を紹介していただけませんか"),
          ("帳面をつけてた家内が入院して、車検の売上がどこにも書かれてへん",
           "窓口の現金と通帳の残高が毎月合わなくて、院長の私が夜中に電卓を叩いています",
           "仕入れの伝票と請求の控えがバラバラで、今月いくら儲かったのか誰にも分からない"),
          ("Need a bookkeeper for a small vet practice",),
          ("My wife used to track every yen we spent; since she went back to work nobody does",
           "Bags of till slips and supplier invoices under the counter, and I cannot say if "
           "the shop earned anything in spring",
           "Every Sunday night I type supplier invoices into a spreadsheet instead of "
           "sleeping")),
    Topic("tax", "L",
          ("税理士です。確定申告・法人決算・消費税申告をまとめてお引き受けします",
           "インボイス制度と消費税の相談、初回無料。顧問料は月1万円から",
           "相続税・贈与税の申告と節税対策のご相談を承ります"),
          ("Licensed tax accountant: corporate returns, consumption tax and year-end filings",
           "Tax filing for foreigners running a business in Japan, English-speaking"),
          ("確定申告を任せられる税理士さんを探しています",
           "法人の決算と消費税の申告をお願いしたい"),
          ("売上が一千万円を超えそうで、来年から何が変わるのか誰に聞けばいいのか分からない",
           "去年の利益に対して思っていたよりずっと多く国に払うことになり、今年は早めに手を打ちたい",
           "拝観料と御朱印のお金、どこまでが宗教活動でどこからが収益事業なのか区別できていません"),
          ("Looking for an English-speaking tax accountant for my company's first year-end",),
          ("The city sent a form about my residence payments that I don't understand, and "
           "the deadline is March 15",
           "Our first business year closes in June and I have no idea what I must submit or "
           "by when",
           "Someone told me the new invoice rules mean my regular customers might stop "
           "buying from me")),
    Topic("hiring", "R",
          ("保育・介護・技術職の人材紹介。採用が決まるまで費用はいただきません",
           "求人票の作成からIndeed・ハローワーク掲載、面接日程の調整まで採用代行します",
           "採用サイトと求人広告の制作で、応募数を増やします"),
          ("Recruitment agency for bilingual engineers; fee only when your hire starts",
           "We run your hiring: job ads, screening calls and interview scheduling"),
          ("整備士の求人を出しても応募がなく、採用を手伝ってくれる会社を探しています",
           "保育士の人材紹介会社を紹介してほしい"),
          ("職安に出して三か月、電話が一本も鳴らへん。若い整備の子が来てくれへんかな",
           "来春、先生が二人辞めることになり、四月に新しい園児を受け入れられるか分からない",
           "店頭に立つ人が足りず、眼鏡の調整ができるのは店主の私一人です"),
          ("Looking for a recruiter to find a bilingual pastry cook",),
          ("Two of our developers are leaving in March and nobody answered the post we put "
           "up in January",
           "I'm doing the work of three people because the spot behind the counter has been "
           "empty since summer",
           "We need someone who can speak to Japanese customers and also read our code, and "
           "we cannot find such a person")),
    Topic("website", "G",
          ("ホームページ制作　スマホ対応・更新しやすいWordPressで税込22万円から",
           "Webサイトのリニューアルと、ご自身で更新できる操作レクチャーまでお付けします",
           "予約ボタン付きの一枚もののホームページ、最短2週間で公開"),
          ("Website design and build for small shops, mobile-friendly, from ¥200,000",
           "We redesign old websites and teach you to edit them yourself"),
          ("古いホームページを作り直してもらえる制作会社、紹介してもらえませんか",
           "Webサイトのリニューアルをお願いできる方いませんか"),
          ("お寺の紹介をネットに載せてくれたのは十年前の檀家さんの息子さんで、法要の日付を誰も"
           "書き換えられません",
           "店名で検索しても出てくるのは口コミだけで、うちの営業時間も地図も載っていない",
           "ブランドの公式の入り口がインスタのプロフィールしかなくて、ネットで買いたい人が迷子に"
           "なってる。ガチでやばい"),
          ("Need a web designer to rebuild our clinic website",),
          ("When people search for our studio they land on a page that still shows 2019 "
           "prices",
           "Customers ask me for a link where they can see the cakes and our opening hours, "
           "and I have nothing to send",
           "Our only online presence was set up by a friend who moved to Perth, and nobody "
           "can change a word of it")),
    Topic("labour", "L",
          ("社会保険労務士事務所：就業規則・36協定・給与計算・労務相談をまとめて",
           "労務顧問　月額2万円から。残業代や有給のトラブルも早めにご相談を",
           "入退社の社会保険・雇用保険の手続きを代行する社労士です"),
          ("Labour and social insurance consultant (sharoushi): work rules, payroll, leave "
           "disputes",
           "HR compliance for small employers in Japan: overtime, paid leave and employment "
           "contracts"),
          ("社労士さんに就業規則を見直してもらいたい",
           "労務の相談ができる社会保険労務士を探しています"),
          ("お昼寝の時間も先生たちは連絡帳を書いていて、休憩がとれないと言われました",
           "整備の子らが、土曜出た分の手当はどないなってんのって言い出してな。決まりを何も"
           "作ってへんねん",
           "パートさんが扶養の範囲を超えないように勤務を組むのが毎年の悩みです"),
          ("Looking for a sharoushi to handle our payroll and work rules",),
          ("My first Japanese employee asked me how many days off she is entitled to, and I "
           "had no answer",
           "Our instructors teach evenings and weekends and I'm not sure we pay the late "
           "hours correctly",
           "A staff member is pregnant and I don't know what I'm supposed to arrange for "
           "her")),
    Topic("subsidy", "L",
          ("補助金・助成金の申請サポート。ものづくり補助金・IT導入補助金の採択実績多数",
           "小規模事業者持続化補助金の申請書づくり、採択されたら成功報酬",
           "使える補助金の診断を無料で。事業計画書の作成から実績報告まで伴走します"),
          ("Grant and subsidy applications for SMEs: we write the plan, you pay only if "
           "approved",
           "Free check of which government subsidies your business qualifies for"),
          ("補助金の申請を手伝ってくれる専門家を探しています",
           "持続化補助金の申請書を書いてもらえる方いませんか"),
          ("本堂の屋根の修繕に国や県からお金が出る仕組みがあると聞いたが、何から手をつければ"
           "よいか",
           "リフトを入れ替えたいんやけど、半分くらい役所が出してくれるって話、ほんまなん？",
           "園の遊具を新しくしたいのですが、自治体のお金で賄える制度が使えるのか知りたいです"),
          ("Looking for help applying for a small business subsidy",),
          ("A friend got half her new oven paid by the prefecture; how do I find out if my "
           "pâtisserie can too?",
           "I heard the city pays part of the cost when you buy software for the office; is "
           "that real for foreigners?",
           "We want to put in wheelchair access at the studio and someone said public money "
           "exists for that")),
    Topic("succession", "J",
          ("事業承継・M&Aのご相談。後継者不在の会社と次の担い手をおつなぎします",
           "親族内承継の段取りと株式の引き継ぎ、金融機関との調整までお手伝い",
           "小さなお店の事業承継マッチング。譲渡側の手数料は成約時のみ"),
          ("Business succession and small M&A advisory: we find a buyer when there is no "
           "heir",
           "Handing the family firm to the next generation: shares, bank relations and "
           "timing"),
          ("事業承継について相談できる専門家を紹介してほしい",
           "後継者がいないので、M&Aで会社を引き継いでくれる先を探しています"),
          ("呉服屋は私で三代目。娘は東京で勤めていて、店をたたむか誰かに託すか、そろそろ決め"
           "ないといけない",
           "菓子職人の父が七十五になり、のれんを誰に渡すかの話し合いが毎回けんかで終わります",
           "住職も七十を過ぎ、息子は会社員。お寺をこの先どうするか、檀家総代と話し合いを始め"
           "たいのですが"),
          ("Looking for a succession advisor; my father wants to retire and nobody in the "
           "family will take over",),
          ("I'm 66, my kids live in Vancouver, and I'd like the rental shop to keep going "
           "after I quit",
           "Our founder will retire in two years and no one has decided who runs the company "
           "after him",
           "Selling the shop to a stranger feels wrong, closing it feels worse; who helps "
           "with that choice?")),
    Topic("insurance", "J",
          ("法人保険の見直し：賠償責任保険・店舗総合保険・休業補償をまとめて比較",
           "損害保険代理店です。事業用の火災保険や自動車保険を一社でまとめます",
           "保育施設・教室向けの賠償責任保険とケガの保険をご案内します"),
          ("Business insurance broker: liability, fire and business interruption cover "
           "compared",
           "Independent insurance agent for foreign-owned companies, advice in English"),
          ("店舗の保険を見直したいので保険代理店を紹介してください",
           "賠償責任保険に入りたいので相談できる方を探しています"),
          ("お預かりしたお客さんの車を、うちの若いのがリフトから落としてしもた。こういうとき"
           "誰が払うんや",
           "園児が園庭で転んで前歯を折り、親御さんから治療費の話が出ています。こういう時の"
           "備えがなかった",
           "入院中の猫が夜中に逃げ出すようなことがあったら、うちが何を負うことになるのか不安です"),
          ("Need a broker to review our shop's liability insurance",),
          ("A client slipped on the wet floor of the studio last week; she's fine, but what "
           "if next time she isn't?",
           "If a typhoon floods the shop in September, I lose the whole season's stock and "
           "I have nothing in place for that",
           "My landlord wants proof that damage to the unit by my customers would be paid "
           "for")),
    Topic("office_move", "D",
          ("オフィス移転をワンストップで：レイアウト設計、内装工事、引越し、原状回復まで",
           "事務所・店舗の移転工事と通信配線の切り替えを一括で手配します",
           "医院・動物病院の移転専門。医療機器の搬出入と配置まで対応"),
          ("Office relocation from planning to move-in day: layout, fit-out, movers and "
           "restoration",
           "We move shops and clinics over a weekend so you reopen on Monday"),
          ("オフィス移転をまとめて頼める業者を探しています",
           "店舗の移転工事をお願いできる会社を紹介してください"),
          ("隣の駅前に建物を借りることになり、手術台や入院用のケージを休診二日で運び込まない"
           "といけません",
           "展示会用の反物と桐たんすを、新しい店へ傷ひとつなく運びたい",
           "来月三階から一階に下りるんですが、机と電話とネットを止めずにどう動かすか頭が痛い"),
          ("Looking for an office relocation company for our 30-person team",),
          ("We signed for a bigger floor in Shinagawa and have six weeks to leave the old "
           "one as we found it",
           "The new studio is across town and the mirrors, reformer beds and sound system "
           "all have to get there before April classes",
           "Our lease ends on the 31st and thirty desks, a server rack and the kitchen have "
           "to be somewhere else by then")),
    Topic("video", "G",
          ("会社紹介・採用動画の企画、撮影、編集までワンストップ。3分10万円から",
           "YouTube・インスタのリール動画を月4本制作します",
           "ドローン撮影と商品紹介ムービーの制作"),
          ("Video production: brand films, interviews and short social clips, shot and "
           "edited",
           "Drone and event filming with editing in Japanese and English"),
          ("お店の紹介動画を撮ってくれる映像制作の方を探しています",
           "YouTube用の動画編集を頼める人いませんか"),
          ("整備の作業を動いてるとこごと見せたいねん。写真やと何してるか伝わらへん",
           "振袖を着て歩いたときの袖の揺れを、ネットで見る方にも届けたい",
           "正直、静止画だけだと服の落ち感が一ミリも伝わらない。動いてるとこを見せたい"),
          ("Need a videographer to film a short clip of our pastry kitchen",),
          ("People don't believe a pilates reformer class is gentle until they see one in "
           "motion",
           "I would like that people see the hands folding the croissant dough, not only "
           "read about it",
           "We want a two-minute piece about our team to play on the big screen at the "
           "launch and online afterwards")),
    Topic("it_system", "G",
          ("kintoneで業務システムを構築。紙とExcelの管理をクラウドに置き換えます",
           "予約管理・顧客管理システムの開発、月額保守つき",
           "中小企業向けの業務アプリ開発とDX支援、要件整理から"),
          ("Custom business systems and booking apps, built on kintone or from scratch",
           "We turn your spreadsheets into a cloud database your staff can use on a tablet"),
          ("顧客管理システムを作ってくれる開発会社を探しています",
           "kintoneで業務アプリを組める方を紹介してください"),
          ("檀家さんの名簿が毛筆の台帳のままで、法要の案内を出すたびに一軒ずつ手で拾っています",
           "連絡帳もお迎えの時間も全部紙で、先生たちが書き写すだけで一日が終わってしまう",
           "ワクチンの時期が来た子に知らせたいのに、カルテが紙なので誰がいつ打ったのか探せない"),
          ("Looking for a developer to build a booking system for our studio",),
          ("Class sign-ups come in by LINE, email and phone, and twice this month two people "
           "got the same slot",
           "Each engineer tracks their hours in a different file and invoicing clients takes "
           "me three days",
           "Orders for the Christmas cakes are written on paper slips, and every year a few "
           "go missing")),
    Topic("export", "I",
          ("輸出代行：海外バイヤーとの商談、通関書類、国際物流までまとめて",
           "越境EC（Shopify・Amazon海外）の立ち上げと海外販売の運用代行",
           "食品輸出の規制調査と現地輸入者のご紹介（香港・シンガポール・タイ）"),
          ("Export support for food and craft makers: buyers, customs papers and shipping",
           "Cross-border e-commerce setup so overseas customers can order from you"),
          ("和菓子を海外に輸出したいので、輸出代行の会社を探しています",
           "越境ECで海外販売を始めたい"),
          ("台湾の百貨店から羊羹を置きたいと連絡があったが、日持ちや送り方、手続きのことが何も"
           "分からない",
           "振袖の古着をほしがる外国の方がネットで増えていて、向こうへ届ける手段がほしい",
           "正直、国内だけだと頭打ち。アジアの子たちにうちの服を直接届けたいけど、関税とか"
           "何もわかんない"),
          ("Need export help to get our cosmetics into the Australian market",),
          ("A shop in Lyon wants forty kilos of our yuzu paste and I have no idea what "
           "paperwork leaving Japan needs",
           "Our knives sell out in Tokyo, and tourists keep asking if they can buy from "
           "home after they fly back",
           "A distributor in Dubai asked for prices delivered to their port, and I don't "
           "know what to quote")),
    Topic("trademark", "L",
          ("商標の調査・出願・登録までを弁理士がお引き受けします",
           "ブランド名・ロゴの商標登録、海外出願（マドプロ）にも対応",
           "ネーミングが他社の権利とぶつかっていないか、発売前に調べます"),
          ("Trademark registration in Japan and abroad, handled by a patent attorney",
           "Brand name clearance searches before you print a single label"),
          ("屋号の商標登録を頼める弁理士さん、どなたかご存じないですか",
           "ブランド名の商標を出願したい"),
          ("うちと同じ屋号の和菓子屋が隣の県でネット通販を始め、うちと間違えた問い合わせが来る",
           "今の服の名前、先に誰かに取られてたらどうしよう。リリース前に確かめたい",
           "長年使っている店名を、知らない会社が先に国に届け出ていたと知りました"),
          ("Looking for a patent attorney to register our trademark",),
          ("A company in Osaka launched a cake shop with almost our exact shop name",
           "Before we put 'Sakura Flow' on the studio's sign, I want to know nobody else "
           "owns it",
           "Copycat sellers on Amazon use our product's name and customers complain to us "
           "about their fakes")),
    Topic("training", "O",
          ("社員研修：新人のビジネスマナー、電話応対を半日から",
           "接客トレーニングとクレーム対応の研修を、店舗に出向いて行います",
           "管理職向けのリーダーシップ研修と、部下への教え方講座"),
          ("Staff training workshops: customer service, phone manner and handling "
           "complaints",
           "Leadership and management training for new team leaders"),
          ("新人スタッフの接客研修をしてくれる講師を探しています",
           "管理職研修をお願いできる会社を探しています"),
          ("若い整備士が、修理の中身をお客さんにうまく説明でけへん。腕はええのに、それで損"
           "してる",
           "入って二年目の先生たちが保護者と話すとき、言い方ひとつで揉めてしまうことが増え"
           "ました",
           "店長を任せた子が、パートさんに注意できずに一人で抱え込んでいます"),
          ("Need a trainer for customer service training at our clinic",),
          ("My shop staff are lovely but freeze when a tourist asks anything beyond the "
           "price",
           "I promoted my best engineer to lead a group of five and now both he and the "
           "five are unhappy",
           "Our front desk greets members without looking up from the screen, and people "
           "notice")),
    Topic("property", "K",
          ("事業用物件の仲介：店舗・事務所・倉庫、居抜き物件も多数",
           "テナント探しから契約条件の交渉まで。開業予定地の物件をご紹介します",
           "空き店舗・空室の客付けと賃貸管理をお任せください"),
          ("Commercial real estate agent: shop, office and warehouse space for rent",
           "We find tenants for empty units and manage the property for owners"),
          ("店舗物件を探しているので不動産屋さんを紹介してほしい",
           "事業用の賃貸物件を仲介してくれる方を探しています"),
          ("古いアパートを三棟もっていますが、この春に出ていった部屋が二つ、まだ埋まりません",
           "二号店を駅の近くで出したいが、一階で厨房設備が残っている場所がなかなか見つからない",
           "子どもが増えたので、園庭がとれる広さの建物を借りられる場所を探しています"),
          ("Looking for a real estate agent who handles small commercial spaces",),
          ("We've outgrown the studio and need a ground-floor room with high ceilings near "
           "Tenjin",
           "I own an old building in Kobe whose top two floors have had nobody in them since "
           "the pandemic",
           "I want a second location with an oven line already in place, near a station in "
           "Kobe")),
    Topic("print", "E",
          ("チラシ・名刺・パンフレットの印刷、デザイン込みで最短翌日発送",
           "DMハガキの印刷から宛名印字、発送代行まで",
           "のぼり・ポスター・大判印刷、1枚から承ります"),
          ("Printing of flyers, business cards and brochures, delivered next day",
           "Direct-mail postcards printed, addressed and posted for you"),
          ("チラシの印刷を安く頼める印刷会社を探しています",
           "DMハガキの印刷と発送をお願いしたい"),
          ("ワクチンの時期のお知らせを、毎月三百通、手で書いて郵便で出しています",
           "車検のお知らせ、二千件を家のプリンターで刷っとったらインクが三回切れたわ",
           "成人式の展示会の案内を、紙で見たいというお客様に配る冊子がほしい"),
          ("Need a print shop for 5,000 flyers",),
          ("We hand out a folded menu of our cakes at markets and my home inkjet cannot "
           "keep up",
           "New clients forget my studio's name; I have nothing on paper to give them when "
           "they leave",
           "Our open day is in three weeks and we want something to put in every letterbox "
           "on the street")),
    Topic("finance", "J",
          ("創業融資・運転資金の借入れサポート。日本政策金融公庫の実績多数",
           "銀行融資の相談と資金繰り表の作成をお手伝いします",
           "リース・ファクタリングなど、借入れ以外の資金調達もご提案"),
          ("Business loans and funding advice: bank and JFC applications prepared with you",
           "Cash-flow planning and financing for small companies, including equipment "
           "leases"),
          ("融資の相談ができる方を探しています",
           "運転資金の借入れについて銀行との間に入ってくれる専門家はいませんか"),
          ("お客さんの支払いが二か月先なのに、部品代は今月払わなあかん。この谷をどう越えるか",
           "ボーナスの月にお金が足りなくなりそうで、通帳を見るたびに眠れません",
           "新しい窯を入れたいが、手元のお金では三分の一しか出せない"),
          ("Looking for advice on a bank loan to open a second studio",),
          ("Clients pay us sixty days after delivery, but salaries go out every month, and "
           "the gap keeps growing",
           "I need about eight million yen for a second oven line and my savings cover a "
           "quarter",
           "Our busiest season needs stock bought in summer, and by August the account is "
           "nearly empty")),
    Topic("translation", "L",
          ("翻訳・通訳：英語・中国語・韓国語・ベトナム語。契約書から観光案内まで",
           "ネイティブが仕上げる英訳。Webサイト・メニュー・商品説明の多言語化",
           "商談や視察の同行通訳、半日から"),
          ("Japanese–English translation and interpreting for business documents and "
           "meetings",
           "Menus, websites and product descriptions localised into English, Chinese and "
           "Korean"),
          ("英語の翻訳をお願いできる翻訳会社を探しています",
           "商談に同行してくれる通訳を探しています"),
          ("外国からの参拝の方に、御朱印やお寺の由緒を聞かれても、向こうの言葉で伝えられません",
           "着物の着付けの注意書きを、外国のお客様向けにきちんとした文に直したい",
           "台湾から来たお客さんが修理の見積もりを読まれへんで、毎回身振り手振りや"),
          ("Need a translator for our Japanese contracts",),
          ("I sign papers from the ward office in a language I read at a child's level",
           "Our Tokyo clients send specifications in Japanese and my engineers in Pune guess "
           "the meaning",
           "Customers from Shanghai ask long questions at the counter and I can only smile "
           "and point")),
    Topic("catering", "M",
          ("法人向けケータリング・仕出し弁当、10名様から配達します",
           "法事・法要のお料理と会食の手配、お寺への配膳もいたします",
           "社内パーティー・イベントの出張料理、ビュッフェ形式で一人3,000円〜"),
          ("Catering for office lunches and events, bento delivered for groups of ten or "
           "more",
           "Buffet catering for parties, from ¥3,000 per guest"),
          ("法人向けの仕出し弁当を頼めるお店を探しています",
           "イベントのケータリングをお願いできる業者を探しています"),
          ("四十九日のあと、檀家さん二十人ほどに本堂でお昼を召し上がっていただく段取りがつき"
           "ません",
           "運動会の日に職員と保護者ボランティア四十人分のお昼をどうするか悩んでいます",
           "新作発表会で来てくれた人に、立ったまま食べられるものを出したい。自分らじゃ無理"),
          ("Looking for catering for a 40-person launch party",),
          ("Forty people at our studio's anniversary on Saturday and I can't cook for all "
           "of them",
           "Our team in Shinjuku works through the day on release weeks and someone has to "
           "feed them",
           "The open house runs three hours and I want proper food there, not just chips")),
    Topic("photo", "N",
          ("出張撮影：商品写真・スタッフのプロフィール写真、1カット3,000円から",
           "ECサイト用の物撮り、白抜き・色補正まで込みで",
           "店舗・施設の写真撮影、Googleマップ用の内観写真もお任せ"),
          ("Professional photographer: product shots, headshots and interiors",
           "Photography for e-commerce, with colour correction and white backgrounds"),
          ("商品写真を撮ってくれるカメラマンを探しています",
           "プロフィール写真の出張撮影をお願いしたい"),
          ("反物の色がネットで見ると全然違って、届いてから『思っていた色と違う』と言われます",
           "院内の紹介に載せている画像が暗くて、待合室が狭く汚く見えるんです",
           "スマホで済ませてる服のビジュアルがガチでしょぼくて、インスタの反応が死んでる"),
          ("Need a photographer for product photos of our cakes",),
          ("Our online listings look like they were taken in a cave, and the cakes deserve "
           "better",
           "The picture of me on the studio's profile is from 2015 and a bit blurry",
           "Buyers say the knives look dull on the screen compared to holding one")),
    Topic("it_support", "G",
          ("パソコン・ネットワークの出張サポート、トラブル時は最短当日訪問",
           "中小企業のIT保守：PC設定、Wi-Fi、バックアップ、ウイルス対策まで月額定額",
           "複合機・プリンター・ルーターのトラブル対応と入れ替え"),
          ("IT support for small offices: PCs, Wi-Fi, backups and security, flat monthly fee",
           "On-site computer and network troubleshooting, same-day visits in Tokyo"),
          ("パソコンのトラブルを見てくれるITサポートの会社を探しています",
           "社内ネットワークの保守をお願いできるところはありませんか"),
          ("診断機のタブレットが工場の奥だけ電波を拾わへんねん。毎回表まで走っとる",
           "院長室の古い機械のデータが、もし壊れたら何も残らないと今さら気づきました",
           "職員室で共用しているノート型の機械が、立ち上がるまで十分かかります"),
          ("Looking for IT support for our 12-person office",),
          ("Every Monday the laptops at the front desk refuse to connect and classes start "
           "late",
           "If the old machine under my counter dies, five years of orders die with it",
           "Someone clicked a strange link in an email and now my screen shows messages in "
           "Russian")),
    Topic("marketing", "R",
          ("集客コンサル：Googleマップ（MEO）・インスタ運用・広告の改善で来店を増やします",
           "SNS運用代行、投稿作成から分析まで月5万円〜",
           "リスティング広告とLINE公式アカウントで、地域のお客様を集めます"),
          ("Marketing for local businesses: Google Maps, Instagram and ads that bring people "
           "in",
           "Social media management and paid ads, monthly report included"),
          ("集客を相談できるマーケティングの専門家を探しています",
           "インスタ運用を代行してくれる会社はありませんか"),
          ("若い方がまったく店に入ってこず、眼鏡を買いに来るのは昔からの常連さんばかりです",
           "成人式の振袖、ここ数年はネットで決めてしまうご家庭が増え、展示会に人が来ません",
           "夜間の診療を始めたのに、近所の飼い主さんに全然知られていません"),
          ("Need a marketing agency to grow our Instagram",),
          ("Our class schedule is half empty on weekday mornings and I don't know where to "
           "find new members",
           "We opened four months ago on a side street and most neighbours still don't know "
           "the shop exists",
           "We are good engineers but no Japanese company has heard of us")),
    Topic("legal", "L",
          ("弁護士による契約書のチェック、顧問契約は月3万円から",
           "売掛金の未回収・家賃滞納のトラブルに、内容証明から対応します",
           "中小企業の法律相談、クレーム対応や損害賠償の問題も初回30分無料"),
          ("Business lawyer: contracts reviewed, debts collected, disputes settled",
           "English-speaking attorney for foreign-owned companies in Japan"),
          ("契約書を見てもらえる弁護士を探しています",
           "家賃滞納のトラブルを相談できる弁護士さんを紹介してほしい"),
          ("二階の入居者が半年お金を入れず、電話にも出ません。鍵を替えてもいいものか",
           "辞めた整備士が、うちの客の名簿持って独立しよった。これ許されるんか",
           "振袖をキャンセルしたお客様から、前金を全額返せと強く言われて困っています"),
          ("Looking for a lawyer to review a distribution contract",),
          ("A client in Osaka hasn't paid our last three invoices and now ignores my emails",
           "My former partner says half the bakery's recipes belong to him",
           "The landlord wants to keep my whole deposit for normal wear, and I think that's "
           "not allowed")),
    Topic("cleaning", "R",
          ("オフィス・店舗の定期清掃、床ワックスとエアコン洗浄もお任せ",
           "病院・クリニックの清掃と消臭、営業時間外に伺います",
           "ハウスクリーニング・退去後の原状清掃、ワンルームから"),
          ("Commercial cleaning for offices, studios and shops, daily or weekly",
           "Deep cleaning: floors, windows, air conditioners and kitchen hoods"),
          ("事務所の定期清掃をお願いできる清掃会社を探しています",
           "エアコンの洗浄を頼めるハウスクリーニング業者を探しています"),
          ("待合室に動物のにおいがこもって、初めての飼い主さんが顔をしかめるのが分かります",
           "アパートの部屋が空くたびに、次の人が入れる状態に戻すのを自分でやっていて腰が"
           "もちません",
           "本堂の畳と廊下を、法要の前にきれいにしてくれる人手がありません"),
          ("Need a cleaning company for our studio, three times a week",),
          ("The mats and mirrors look grim by Friday and members have started to say so",
           "Flour gets into every corner of the bakery and I have no time to get it out "
           "after closing",
           "Our engineers eat at their desks and the office smells of curry by three "
           "o'clock")),
)

GENERIC_JA = (
    "中小企業の経営をいろいろな面からサポートしています",
    "経営者どうしが気軽に交流できる場をつくっています",
    "地域の会社と会社をつなぐお手伝いをしています",
    "中小企業の皆さまの経営に寄り添うサポートを",
    "事務所を構えて十年、経営のことなら何でもご相談ください",
    "いろんな業種の経営者さんと交流したいです",
    "うちの会社を一緒に元気にしてくれる仲間を探しています",
    "経営について話せる相手がほしい",
    "中小企業同士で助け合える関係をつくりたい",
    "事務所の運営や会社のこと、いろいろサポートしてもらえたら",
    "経営者として成長できる交流の場を探しています",
    "ほんまに何でもええねん、会社のことサポートしてほしいわ",
)
GENERIC_EN = (
    "We support small business owners in every part of running their business",
    "Helping companies grow through business support and networking",
    "Looking for support with my business",
    "Happy to connect with other business owners here",
    "Always keen to support fellow entrepreneurs",
    "Hoping to meet people who can support our company",
    "Business support for SMEs across Kyushu",
    "Want to exchange ideas with other company owners",
    "Looking for business partners of any kind",
)

HOMOGRAPH_JA = (
    "老犬のトイレのトレーニング、根気よく付き合ってくれる人はいませんか",
    "成人式の振袖に合うネイルデザインを相談できる人がいれば嬉しいです",
    "保育園の入園面接で親が何を聞かれるのか、経験者に教えてほしい",
    "ブランドもののバッグを整理したいので、買取の目利きを紹介してほしい",
    "星空の撮影に一緒に行ってくれる仲間を募集しています",
    "携帯の契約プランが多すぎて、どれが安いのか分からない",
    "祖母のぬか床を継いでくれる人がいなくて困っています",
)
HOMOGRAPH_EN = (
    "Looking for someone to help with puppy training; our new shiba chews every cable",
    "My daughter's school choir needs a volunteer to run its recruitment drive",
    "Looking for a contract bridge partner on Thursday evenings",
    "Our temple's koi pond needs a new filter system before summer",
    "Where can I find a used lens for bird photography?",
)
