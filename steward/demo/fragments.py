"""The word stock synthetic requests are assembled from (see steward.demo.build).

Plain data, kept apart from the assembly code so that either can be read on
its own: project names as people write them, subjects and asks per category,
greetings, closings, background sentences, senders and organizations, in
Chinese and English. The senders and their organizations are invented, with
addresses under example.* domains.
"""

# Each project: how people name it in Chinese, in English, and vaguely (no name).
PROJECT_NAMES = {
    "jothon": (
        ("揪松團", "揪松", "g0v 揪松團", "黑客松籌備團隊"),
        ("g0v Jothon", "the jothon team", "the hackathon organizers"),
        ("辦大松的團隊", "the people who run the bi-monthly hackathons"),
    ),
    "g0v-intl": (
        ("g0v 國際交流小組", "國際組", "國際交流小組"),
        ("g0v international", "g0v-intl", "the g0v intl group"),
        ("負責國際交流的朋友", "whoever handles foreign visitors"),
    ),
    "g0vernance": (
        ("社群治理小組", "g0vernance"),
        ("g0vernance", "the #g0vernance channel"),
        ("討論社群規範的地方", "the group that decides on community rules"),
    ),
    "g0v-talk": (
        ("g0v-talk 演講群組", "演講群組", "g0v talk"),
        ("g0v-talk", "the g0v talk group"),
        ("負責演講邀約的窗口", "the people who handle speaker invitations"),
    ),
    "g0v-summit": (
        ("g0v 雙年會", "雙年會", "g0v Summit"),
        ("g0v Summit", "the g0v summit"),
        ("你們兩年一次的國際研討會", "your biennial conference"),
    ),
    "sch001": (("零時小學校", "小學校", "Sch001"), ("Sch001", "sch001"), ("做教育的那個 g0v 專案", "the g0v education project")),
    "vtaiwan": (
        ("vTaiwan", "vTaiwan 社群", "v taiwan"),
        ("vTaiwan", "the vTaiwan community"),
        ("用 Polis 做政策討論的平台", "the Polis-based consultation process"),
    ),
    "cofacts": (
        ("Cofacts 真的假的", "真的假的", "Cofacts"),
        ("Cofacts", "the Cofacts team"),
        ("LINE 上查謠言的機器人", "the LINE rumour-checking bot"),
    ),
    "disfactory": (
        ("違章工廠檢舉系統", "農地工廠檢舉", "Disfactory"),
        ("Disfactory", "disfactory"),
        ("檢舉農地工廠的網站", "the farmland factory reporting map"),
    ),
    "dataopener": (
        ("資料申請小幫手", "申請小幫手"),
        ("Data Opener", "dataopener"),
        ("幫忙申請政府資料的工具", "the tool that helps people request government data"),
    ),
    "political-donations": (
        ("開放政治獻金", "政治獻金專案"),
        ("Open Political Donations", "the political donations project"),
        ("當年大家一起 key 政治獻金的專案", "the crowdsourced campaign-finance project"),
    ),
    "moedict": (
        ("萌典", "moedict"),
        ("moedict", "the moedict dictionary"),
        ("那個線上國語辭典", "the open Mandarin dictionary"),
    ),
    "budget": (
        ("預算視覺化", "g0v budget", "中央政府總預算視覺化"),
        ("g0v Budget", "budget.g0v"),
        ("把政府預算畫成圖的網站", "the budget visualization site"),
    ),
    "newbie": (
        ("新手村", "新手村志工"),
        ("the newcomer onboarding", "onboarding"),
        ("帶新朋友的志工", "whoever welcomes first-timers"),
    ),
    "ocf": (
        ("開放文化基金會", "OCF", "開文"),
        ("Open Culture Foundation", "OCF"),
        ("幫社群處理收據的基金會", "the foundation behind the community"),
    ),
    "oscvpass": (
        ("OSCVPass", "開源貢獻者資格認證"),
        ("OSCVPass", "the OSCVPass programme"),
        ("開源貢獻認證計畫", "the open source contributor certification"),
    ),
    "g0v-grant": (
        ("g0v 公民科技創新獎助金", "獎助金"),
        ("g0v Civic Tech Grant", "the g0v grant"),
        ("給公民科技專案的補助", "the civic tech grants"),
    ),
    "osm-tw": (
        ("開放街圖台灣", "OSM 台灣", "OpenStreetMap 台灣"),
        ("OpenStreetMap Taiwan", "OSM Taiwan"),
        ("畫開放地圖的社群", "the open mapping community"),
    ),
    "d4sg": (
        ("D4SG 資料英雄計畫", "資料英雄", "D4SG"),
        ("D4SG", "Data for Social Good"),
        ("做公益資料分析的團隊", "the data-for-good people"),
    ),
    "coscup": (
        ("COSCUP 開源人年會", "COSCUP", "開源人年會"),
        ("COSCUP",),
        ("八月的開源研討會", "the big open source conference in August"),
    ),
}

# Per category: the projects it usually concerns, then (zh, en) subjects and asks.
# "@" stands for the project mention.
REQUESTS_BY_CATEGORY = {
    "collaboration": (
        ("jothon", "disfactory", "cofacts", "d4sg", "sch001", "vtaiwan", "coscup", "osm-tw"),
        ("合作提案：與@共同開發新功能", "想和@一起辦活動", "跨組織合作邀請（@）"),
        ("Collaboration proposal for @", "Working together with @", "Joint project idea"),
        ("我們想和@合作，一起開發一個新的功能，成果會以開放授權釋出。", "想請問@是否有興趣一起辦一場活動，我們可以負責場地與宣傳。", "希望能在下次大松上台提案，和@的夥伴討論合作方式。"),
        (
            "We would like to work with @ on a new feature and publish everything under an open license.",
            "Would @ be interested in co-hosting an event with us? We can cover the venue.",
            "We hope to pitch this at the next hackathon and discuss it with people from @.",
        ),
    ),
    "speaking": (
        ("g0v-talk", "sch001", "vtaiwan", "cofacts", "osm-tw"),
        ("敬邀@推薦講者", "演講邀約：請@分享經驗", "工作坊講師邀請"),
        ("Speaker invitation for @", "Invitation to speak on a panel", "Workshop facilitator request"),
        ("誠摯邀請@推薦一位講者，分享公民科技的實務經驗。", "想邀請@的夥伴來帶一場約兩小時的工作坊。", "本單位辦理專題講座，希望@能派員擔任與談人。"),
        (
            "We would like to invite a speaker from @ to share their experience.",
            "Could someone from @ run a two-hour workshop for our members?",
            "We are putting together a panel and hope @ can join as a panellist.",
        ),
    ),
    "funding": (
        ("g0v-grant", "g0v-summit", "ocf", "dataopener", "budget"),
        ("請教@的申請方式", "贊助@的方式", "標案與募資相關詢問（@）"),
        ("Sponsoring @", "Question about applying to @", "Funding and donations for @"),
        ("想請教@的經費申請時程與可支用項目。", "本公司有意贊助@，想了解方案與收據開立方式。", "我們準備投標一個計畫，想引用@的成果，請問需要注意哪些事項？"),
        (
            "We'd like to know the timeline and eligible costs for @.",
            "Our company would like to sponsor @ and needs to know the packages and how receipts work.",
            "We are preparing a tender bid that reuses results from @ and want to get the terms right.",
        ),
    ),
    "naming": (
        ("g0vernance", "ocf", "jothon"),
        ("活動文宣可否使用 g0v 名義", "想在海報上使用 logo（@）", "請教「與 g0v 合作」的寫法"),
        ("Using the g0v name on our poster", "Logo use question for @", "Wording check: \"with g0v\""),
        ("我們的文宣想寫「與 g0v 共同主辦」，想請@確認這樣的寫法是否恰當。", "想在活動海報上放 logo，請問需要向@申請嗎？", "請問商品上印社群標誌是否可行？"),
        (
            "Our flyer says \"co-hosted with g0v\"; could @ tell us whether that is acceptable?",
            "We'd like to put the logo on our event poster. Do we need permission from @?",
            "Is it fine to print the community logo on merchandise?",
        ),
    ),
    "partnership": (
        ("oscvpass", "ocf"),
        ("申請成為@社群合作夥伴", "長期合作夥伴申請（@）"),
        ("Applying to become an @ community partner", "Long-term partnership with @"),
        ("我們的社群希望申請成為@的合作夥伴，想了解需要準備的文件。", "想請教@長期合作的條件與每年需繳交的報告。"),
        (
            "Our community would like to apply to become an @ partner. What documents are needed?",
            "What are the conditions and yearly obligations of a long-term partnership with @?",
        ),
    ),
    "media": (
        ("cofacts", "disfactory", "vtaiwan", "jothon", "political-donations"),
        ("採訪邀約：@", "拍攝申請：想記錄@", "專題報導訪談邀請"),
        ("Interview request about @", "Filming request at your event", "Press inquiry: @"),
        ("我們正在製作專題，想邀請@的維護者接受約 30 分鐘的訪談。", "想到現場拍攝@的活動，請問拍攝規範為何？", "節目想介紹@，希望能訪問一兩位參與者。"),
        (
            "We are producing a feature and would like to interview a maintainer of @ for about 30 minutes.",
            "We'd like to film @ at work. Is there a filming guide we should follow?",
            "Our programme wants to feature @ and talk to one or two contributors.",
        ),
    ),
    "data": (
        ("moedict", "dataopener", "political-donations", "budget", "cofacts"),
        ("請教@資料的授權", "想使用@的資料與 API", "資料申請相關諮詢"),
        ("License question about data from @", "Using the @ API", "How to request government data"),
        ("想在我們的應用程式中使用@的資料，請問授權條款為何？商業用途可以嗎？", "請問@的 API 有使用限制嗎？需要標示出處嗎？", "想向政府申請原始資料，聽說@可以幫忙。"),
        (
            "We'd like to reuse data from @ in our app. What is the license, and is commercial use allowed?",
            "Does the @ API have rate limits or attribution requirements?",
            "I need raw data from a ministry and heard @ can help with the request.",
        ),
    ),
    "international": (
        ("g0v-intl", "vtaiwan", "cofacts"),
        ("國際參訪團拜會@", "海外團體想引用@的模式", "跨國交流邀請"),
        ("Delegation visit – meeting @", "Reusing the @ model abroad", "International exchange request"),
        ("有一個海外代表團將來台參訪，希望能與@交流。", "我們想在國外複製@的做法，請問授權與合作方式為何？", "想邀請@的夥伴參加線上的跨國交流會議。"),
        (
            "A foreign delegation will visit Taipei and hopes to meet people from @.",
            "We want to adapt the @ approach in our country. How should we go about it?",
            "Could someone from @ join an online cross-border exchange?",
        ),
    ),
    "volunteer": (
        ("newbie", "cofacts", "sch001", "osm-tw", "political-donations"),
        ("想加入@當志工", "第一次參加，請問@", "學生想貢獻開源專案"),
        ("How can I help @?", "First time joining – @", "Students looking to contribute"),
        ("我是第一次參加，想問@需要先準備什麼？", "想加入@幫忙，我會一點 Python 和前端。", "我們班的學生想貢獻開源專案，請問@有適合新手的 issue 嗎？"),
        (
            "I'm new here and would love to help @. Where should I start?",
            "I can write Python and some frontend code; does @ need a hand?",
            "My students want to contribute; does @ have beginner-friendly issues?",
        ),
    ),
    "other": (
        (),
        ("網站登入問題", "限時優惠！", "請問你們是政府單位嗎"),
        ("Boost your ranking today", "Question about my account", "Partnership opportunity!!!"),
        ("我的政府網站帳號登不進去，麻煩幫我處理。", "保證獲利、零風險，加 LINE 立即領取免費課程！", "請問你們是政府的哪個單位？我要申訴路燈壞掉。"),
        (
            "Our experts guarantee first-page rankings within 30 days.",
            "I forgot my password for a government site, can you reset it?",
            "We offer premium backlinks at a special price.",
        ),
    ),
}

GREETINGS_ZH = ("您好：\n\n", "各位好，\n\n", "您好，冒昧來信。\n\n", "敬啟者：\n\n", "承辦人您好：\n\n")
GREETINGS_EN = ("Dear g0v community,\n\n", "Hello,\n\n", "Hi there,\n\n", "Dear friends,\n\n", "Good morning,\n\n")
CASUAL_ZH = ("大家好 👋 ", "嗨～ ", "安安 🙌 ", "哈囉 ", "各位晚安 🌙 ")
CASUAL_EN = ("Hi all 👋 ", "Hey everyone! ", "Hello 🙂 ", "Quick question 🙏 ", "Hi folks ✨ ")
CLOSINGS_ZH = ("\n\n謝謝撥冗回覆！", "\n\n敬請指教，謝謝。", "\n\n再麻煩各位了 🙏", "\n\n順頌 時祺")
CLOSINGS_EN = ("\n\nThank you!", "\n\nBest regards,", "\n\nMany thanks in advance.", "\n\nCheers,")
# Background sentences; a body takes a run of them from a random starting point.
DETAILS_ZH = (
    "我們是一個成立約三年的團隊，成員多是工程師、設計師與社工。", "相關成果預計以 CC BY 4.0 授權公開，程式碼也會放在 GitHub 上。",
    "若需要，我們也可以出席下次大松，當面向大家說明構想與需求。", "經費的部分我們會先列出預算，再和大家討論哪些項目可以核銷。",
    "活動對象主要是第一次接觸公民科技的民眾，年齡層偏高。", "我們理解社群是由個人自願參與，不會要求任何人代表整個社群發言。",
    "附件為初步的企劃書，內容都還可以再調整。", "若日期不方便，也很歡迎提出其他時間，我們盡量配合。", "現場會提供投影設備、延長線與穩定的網路。",
    "我們會在活動頁面上註明是參考哪個專案的做法，並附上原始連結。", "目前已經有兩位社群朋友以個人身分答應協助，但我們希望能找到更多人。",
    "去年我們辦過一次類似的活動，參加者的回饋大多是希望有更多實作時間。", "本案的聯絡窗口是我本人，平日上班時間都可以用電話找到我。",
    "我們也有準備中英文的說明文件，方便不同背景的參與者閱讀。", "如果有需要簽署的文件或同意書，請直接告訴我們格式。",
    "考量到隱私，所有個人資料都只會用於本次活動聯繫，結束後即刪除。", "我們不確定這樣的請求應該找誰，如果寄錯了，還請協助轉給適合的人。",
    "過程中產生的資料集會整理後公開，並附上欄位說明。", "這是我們第一次和開源社群合作，有不周到的地方還請多多包涵。",
    "內部已經開過兩次會討論，大家都很期待能有機會交流。", "若社群有既定的流程或表單，我們很樂意照著走。",
    "我們也可以提供場地給之後的小松使用，地點在捷運站附近。", "時程上比較趕，因為主管希望月底前能有初步結論。",
)
DETAILS_EN = (
    "We are a small team of engineers, designers and social workers founded about three years ago.",
    "All outcomes will be published under CC BY 4.0, and the code will live on GitHub.",
    "We are happy to present the idea at the next hackathon and answer questions in person.",
    "We can share a draft budget and agree up front on which costs can be reimbursed.",
    "Most participants will be new to civic tech, and many of them are retired.",
    "We understand that people take part as individuals and nobody speaks for the whole community.",
    "I've attached a short concept note; everything in it is open to change.",
    "If the date doesn't work for you, we are flexible.",
    "The venue has a projector, plenty of power sockets and reliable wifi.",
    "We will credit the project whose approach we are following and link to its repository.",
    "Two community members have already agreed to help in a personal capacity, but we would like to find a few more.",
    "We ran something similar last year, and the main feedback was that people wanted more hands-on time.",
    "I am the main contact for this and can be reached by phone during office hours.",
    "Our materials are available in both English and Chinese so that everyone can follow along.",
    "If there is a form or an agreement we need to sign, please send it over.",
    "Any personal data we collect will only be used to organise this activity and deleted afterwards.",
    "I wasn't sure who the right person to contact was, so please forward this if I've reached the wrong place.",
    "Any dataset we produce will be cleaned up and published with a description of every field.",
    "This is our first time working with an open source community, so please bear with us.",
    "Our team has discussed this twice internally and everyone is keen to learn from you.",
    "If the community has an established process for this kind of request, we'll gladly follow it.",
)
SURNAMES = (
    ("陳", "chen"), ("林", "lin"), ("黃", "huang"), ("張", "chang"), ("李", "lee"), ("王", "wang"), ("吳", "wu"),
    ("劉", "liu"), ("蔡", "tsai"), ("楊", "yang"), ("許", "hsu"), ("鄭", "cheng"), ("謝", "hsieh"), ("郭", "kuo"),
    ("洪", "hung"),
)
GIVEN_NAMES = (
    ("怡君", "yichun"), ("志豪", "chihhao"), ("雅琪", "yachi"), ("冠廷", "kuanting"), ("佳穎", "chiaying"), ("宗翰", "tsunghan"),
    ("欣妤", "hsinyu"), ("俊傑", "chunchieh"), ("思妤", "ssuyu"), ("家瑋", "chiawei"),
)
EN_FIRST = ("Alex", "Maria", "Jonas", "Aisha", "Tom", "Sofia", "Ravi", "Emma", "Kofi", "Lena", "Diego", "Mei")
EN_LAST = ("Novak", "Santos", "Keller", "Okoye", "Larsen", "Ibrahim", "Moreau", "Tanaka", "Walsh", "Costa")
ORGS_ZH = (
    ("桃竹區公所", "taozhu-ho.example.tw"), ("青松國民中學", "qingsong.example.edu.tw"), ("海風環境協會", "seabreeze.example.org"),
    ("星河資訊股份有限公司", "galaxy-it.example.tw"), ("南方開源社群", "south-oss.example.org"), ("島嶼日報", "island-daily.example.tw"),
    ("港城社區大學", "harbour-cc.example.tw"), ("縣政府資訊處", "county-it.example.tw"),
)
ORGS_EN = (
    ("Civic Bridge Lab", "civicbridge.example.org"),
    ("Northwind University", "northwind.example.ac.uk"),
    ("OpenHarbor Foundation", "openharbor.example.org"),
    ("Pixel & Policy Ltd", "pixelpolicy.example.com"),
    ("Global Voices Weekly", "gvweekly.example.org"),
)
LONG_SUBJECTS = (
    "敬邀貴社群協助本單位辦理「公民科技與開放資料應用推廣計畫」相關講座及工作坊活動",
    "有關@參與「開放政府國家行動方案」民間諮詢會議暨後續共同推動事宜之邀請函",
)
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
)
