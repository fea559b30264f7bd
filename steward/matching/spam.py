"""Does a request look like spam or a scam? Signs a steward would name, added up.

Scams that reach a community inbox follow a few patterns: phishing ("your
workspace will be deactivated, verify now"), advance-fee "grants" and prizes,
pay-to-speak conferences and paid "awards" or "interviews", fake invoices and
domain-renewal notices, SEO and crypto offers. Each pattern is a family of signs
below; one family alone is common in genuine mail too (a deadline, a fee, a
congratulation), so a request is *likely* spam only when several families
agree. The score (0–100) says how many and how strong.

No I/O, no state: `spam_verdict` is called for every request the matcher sees.
"""

from __future__ import annotations

import math
import re
import unicodedata

from steward.models import SpamVerdict

LIKELY = 60  # score at which a request is filed as likely spam
_SCALE = 2.0

# (family, points, 中文, English, signs). Signs are matched in the folded text;
# ASCII ones must start on a word boundary.
FAMILIES: list[tuple[str, float, str, str, tuple[str, ...]]] = [
    ("pressure", 1.0, "催促限時行動", "pressures for action before a short deadline",
     ("final notice", "action required", "within 24 hours", "within 48 hours", "within 72 hours", "48 hours",
      "24 hours", "within 7 days", "within seven days", "immediately", "urgent", "act now", "claim now",
      "limited time", "last chance", "will be reallocated", "be forfeited", "forfeit",
      "名額有限", "盡快", "立即", "限時", "逾期", "最後通知", "以免喪失", "確保入圍", "保留資格")),
    ("pay_us", 1.6, "要我們先付費", "asks us to pay a fee first",
     ("registration fee", "publication fee", "processing fee", "handling fee", "renewal fee", "membership fee",
      "article processing", "apc", "pay the", "payment of", "make payment", "wire transfer", "bank transfer",
      "payable", "invoice attached", "outstanding invoice", "overdue invoice", "clearance fee", "transfer fee",
      "activation fee", "release the funds", "release of the funds", "release of funds",
      "刊登費", "製作費", "行政費", "審查費", "報名費", "手續費", "分攤", "繳交", "繳費", "匯款至", "付款", "轉帳",
      "續約費", "年費", "保證金", "撥款前", "解凍")),
    # Advance-fee scams ask for a passport "to release the funds", and for secrecy so
    # nobody warns the victim. (Bank details alone are no sign: real funders ask too.)
    ("identity", 1.6, "要護照或證件，或要求保密", "asks for a passport or ID, or for secrecy",
     ("passport", "copy of your id", "identity card", "keep this confidential", "strictly confidential",
      "do not share", "do not disclose", "護照", "身分證影本", "身份證影本", "請勿外流", "請保密", "切勿告知")),
    ("credentials", 2.0, "要求登入或驗證帳號", "asks to log in or verify an account",
     ("verify your", "verification", "confirm your account", "confirm your identity", "sign-in", "sign in",
      "log in", "login", "password", "unusual activity", "unrecognised device", "unrecognized device",
      "suspended", "deactivated", "reactivate", "security alert", "click the link", "click here",
      "驗證", "登入", "密碼", "帳號將", "停用", "異常登入", "點擊連結", "點選連結")),
    ("prize", 1.3, "說我們得獎或中選", "says we won or were selected",
     ("congratulations", "you have won", "you've won", "winner", "prize", "you have been selected",
      "been shortlisted", "nominated", "nomination", "award", "claim your",
      "恭喜", "榮獲", "入圍", "獲獎", "得獎", "中獎", "獲選", "獲列", "脫穎而出", "評選")),
    ("predatory", 1.6, "掠奪性研討會或期刊", "a predatory conference or journal",
     ("scopus", "indexed", "web of science", "dear distinguished", "dear esteemed", "distinguished researcher",
      "esteemed researcher", "proceedings", "publish your", "speak & publish", "speak and publish",
      "國際研討會論文", "期刊收錄")),
    ("offers", 1.6, "推銷 SEO、加密貨幣或投資", "sells SEO, crypto or investments",
     ("backlink", "seo", "guest post", "ranking", "airdrop", "crypto", "bitcoin", "token", "wallet",
      "investment opportunity", "guaranteed return", "空投", "代幣", "虛擬貨幣", "加密貨幣", "錢包", "投資報酬", "保證獲利")),
    ("domain", 1.6, "網域到期或續約通知", "a domain expiry or renewal notice",
     ("domain expir", "domain renewal", "domain registration", "domain owner", "domain will", "expiration",
      "renew your domain", "網域到期", "網域續約", "網域名稱")),
    ("generic", 0.8, "不具名的泛稱問候", "addresses nobody in particular",
     ("dear webmaster", "dear domain owner", "dear workspace admin", "dear admin", "dear sir/madam",
      "dear customer", "dear user", "dear researcher", "dear friend", "負責人 您好", "負責人您好", "貴單位 負責人")),
    ("off_channel", 1.0, "要求改用 LINE、WhatsApp 等私訊聯絡", "moves the talk to LINE, WhatsApp or Telegram",
     ("line id", "whatsapp", "telegram", "wechat", "加 line", "加line", "賴 id")),
]

_FOLD = str.maketrans({"臺": "台"})


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", (text or "")[:20_000]).casefold().translate(_FOLD)
    return re.sub(r"\s+", " ", text)


def _found(text: str, sign: str) -> bool:
    if not sign.isascii() or not sign[:1].isalnum():
        return sign in text
    start = 0
    while (at := text.find(sign, start)) >= 0:
        if at == 0 or not text[at - 1].isalnum():
            return True
        start = at + 1
    return False


def _shouting(subject: str) -> bool:
    """A subject in capitals or with a row of exclamation marks."""
    letters = [c for c in subject if c.isascii() and c.isalpha()]
    caps = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    return caps or "!!!" in subject or "！！！" in subject


def spam_verdict(subject: str = "", body: str = "", organization: str = "", from_name: str = "",
                 from_email: str = "") -> SpamVerdict:
    """Signs of spam or a scam in a request; `likely` when several kinds of sign agree."""
    text = _fold(f"{subject} \n {body}")
    points = 0.0
    families = 0
    reasons_en: list[str] = []
    reasons_zh: list[str] = []
    for _, weight, zh, en, signs in FAMILIES:
        hits = [s for s in signs if _found(text, s)]
        if not hits:
            continue
        families += 1
        points += weight * (1.0 if len(hits) == 1 else 1.25)
        reasons_en.append(en)
        reasons_zh.append(zh)
    if _shouting(subject or ""):
        families += 1
        points += 0.8
        reasons_en.append("shouts in the subject")
        reasons_zh.append("主旨全大寫或連串驚嘆號")
    if families < 2:
        points *= 0.5  # a single kind of sign is common in genuine mail
    score = max(0, min(100, round(100 * (1 - math.exp(-points / _SCALE)))))
    return SpamVerdict(score >= LIKELY, score, reasons_en, reasons_zh)
