"""Does a request look like spam or a scam? Signs a steward would name, weighed by what labelled mail taught.

Scams that reach a community inbox follow a few patterns: phishing ("your
workspace will be deactivated, verify now"), advance-fee "grants", windfalls
and prizes, pay-to-speak conferences and paid "awards" or "interviews", fake
invoices and domain-renewal notices, a fake boss asking for gift cards, SEO,
crypto and job offers. Each pattern is a family of signs below. One family
alone is common in genuine mail too (a deadline, a fee, a congratulation), so
how much each family counts, and how much it means that several agree, is learned: a logistic
model over the families, fitted by scripts/train_spam.py to labelled requests
(tests/data: the samples, our own written requests and written scams with
look-alike genuine mail) and shipped as spam_model.json. Scams that use none of
the listed words ("our banking details have changed") are caught by their
wording: a second, two-class model over the category model's features (words,
character pairs, asks, sender) says how much a request reads like the scams it
was fitted to (spam_words.json + .weights), and that is one more feature of the
first. The score (0–100) is its probability, with the bias moved so that the
learned line sits at LIKELY.

No I/O after the first call, no state: `spam_verdict` runs for every request the matcher sees.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

from steward.matching.logistic import sigmoid
from steward.models import SpamVerdict

LIKELY = 60  # score at which a request is filed as likely spam
SHIPPED = "spam_model.json"
WORDS_STEM = "spam_words"  # the wording model: spam_words.json + spam_words.weights
MODEL_VERSION = 1
WORDING = "wording"
WORDING_SCALE = 4.0  # the wording model's log-odds are divided by this: about one family's worth
_WORDING_REASONS = ("用語像已知的詐騙信", "reads like the scams it learned from")

# (family, 中文, English, signs). Signs are matched in the folded text; ASCII ones
# must start on a word boundary.
FAMILIES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("pressure", "催促限時行動", "pressures for action before a short deadline",
     ("final notice", "action required", "within 24 hours", "within 48 hours", "within 72 hours", "48 hours",
      "24 hours", "within 7 days", "within seven days", "immediately", "urgent", "act now", "claim now",
      "limited time", "last chance", "will be reallocated", "be forfeited", "forfeit", "this week only",
      "this month only", "expires today", "today only",
      "名額有限", "盡快", "儘速", "立即", "限時", "逾期", "最後通知", "以免喪失", "確保入圍", "保留資格", "名額只剩",
      "本週內", "今日內", "今天內", "優惠價")),
    ("pay_us", "要我們先付費", "asks us to pay a fee first",
     ("registration fee", "publication fee", "processing fee", "handling fee", "renewal fee", "membership fee",
      "compliance fee", "one-time fee", "consulting fee", "listing fee", "verification fee",
      "article processing", "apc", "pay the", "payment of", "make payment", "wire transfer", "bank transfer",
      "payable", "invoice attached", "outstanding invoice", "overdue invoice", "clearance fee", "transfer fee",
      "activation fee", "release the funds", "release of the funds", "release of funds", "refundable",
      "刊登費", "製作費", "行政費", "審查費", "報名費", "手續費", "分攤", "繳交", "繳費", "匯款至", "付款", "轉帳",
      "續約費", "年費", "保證金", "撥款前", "解凍", "顧問費", "代辦費", "認證費", "上架費", "專刊費")),
    # Advance-fee scams ask for a passport "to release the funds", and for secrecy so
    # nobody warns the victim. (Bank details alone are no sign: real funders ask too.)
    ("identity", "要護照或證件，或要求保密", "asks for a passport or ID, or for secrecy",
     ("passport", "copy of your id", "identity card", "keep this confidential", "strictly confidential",
      "do not share", "do not disclose", "keep it between us", "between us for now", "don't tell",
      "護照", "身分證影本", "身份證影本", "請勿外流", "請保密", "切勿告知", "不要跟其他", "先不要跟", "不要告訴")),
    ("credentials", "要求登入或驗證帳號", "asks to log in or verify an account",
     ("verify your", "verification", "confirm your account", "confirm your identity", "sign-in", "sign in",
      "log in", "login", "password", "unusual activity", "unrecognised device", "unrecognized device",
      "suspended", "deactivated", "reactivate", "security alert", "click the link", "click here",
      "shared a document", "shared with you", "view document", "mailbox is full", "storage is full", "re-verify",
      "驗證", "登入", "密碼", "帳號將", "停用", "異常登入", "點擊連結", "點選連結", "重新驗證", "信箱已滿", "共用文件")),
    ("payment_details", "要更新付款方式或銀行資料", "asks to update card or bank details",
     ("update your payment", "payment method", "card details", "card number", "billing details",
      "billing information", "new bank account", "bank details have changed", "updated bank details",
      "banking details have changed", "details have changed", "use the new account", "new account below",
      "card issuer", "payment was declined", "payment declined",
      "網路銀行", "簡訊驗證碼", "信用卡號", "卡號", "帳戶變更", "更改帳戶", "新帳戶", "扣款失敗")),
    # Someone who cannot log in to a site themselves is asking for help, not phishing:
    # the model learns how far this takes back the credentials family.
    ("own_trouble", "說自己登入不了", "says they cannot log in themselves",
     ("can't log in", "cannot log in", "can't sign in", "cannot sign in", "unable to log in", "unable to sign in",
      "locked out of my", "won't let me", "hacked", "was stolen", "login fails", "login failed",
      "登入不了", "無法登入", "登不進", "登不了", "驗證失敗", "被盜", "進不去")),
    ("prize", "說我們得獎或中選", "says we won or were selected",
     ("congratulations", "you have won", "you've won", "winner", "prize", "you have been selected",
      "been shortlisted", "nominated", "nomination", "award", "claim your", "top 100", "hall of fame",
      "who's who",
      "恭喜", "榮獲", "入圍", "獲獎", "得獎", "中獎", "獲選", "獲列", "脫穎而出", "評選", "百大", "典藏")),
    ("windfall", "天上掉下來的巨款或遺產", "offers a windfall: an estate, a legacy or millions",
     ("next of kin", "beneficiary", "inheritance", "unclaimed", "late husband", "late father", "million dollars",
      "certified cheque", "certified check", "wire back", "deceased",
      "遺產", "繼承", "百萬美元", "萬美元", "萬美金", "受益人", "無人認領")),
    ("guaranteed", "保證獲利或保證通過", "promises guaranteed money or approval",
     ("guaranteed", "money back", "risk-free", "risk free", "no risk", "daily return", "daily profit",
      "passive income", "保證", "保本", "穩賺", "零風險", "包過", "每天收益", "日收益", "出金")),
    ("gift_cards", "要買禮物卡或點數卡", "asks for gift cards or prepaid codes",
     ("gift card", "google play", "itunes", "steam card", "prepaid card", "scratch off", "scratch the",
      "點數卡", "禮物卡", "禮品卡", "刮開")),
    ("predatory", "掠奪性研討會或期刊", "a predatory conference or journal",
     ("scopus", "indexed", "web of science", "dear distinguished", "dear esteemed", "distinguished researcher",
      "esteemed researcher", "proceedings", "publish your", "speak & publish", "speak and publish",
      "rapid publication", "fast review", "fast-track review", "special issue", "world congress",
      "國際研討會論文", "期刊收錄", "快速審查", "快速刊登", "邀稿")),
    ("offers", "推銷 SEO、加密貨幣、投資或工作", "sells SEO, crypto, investments or a job",
     ("backlink", "seo", "guest post", "ranking", "airdrop", "crypto", "bitcoin", "token", "wallet", "usdt",
      "investment opportunity", "guaranteed return", "no interview", "per week", "work from home",
      "空投", "代幣", "虛擬貨幣", "加密貨幣", "錢包", "投資報酬", "保證獲利", "套利", "在家工作", "日領", "高薪")),
    ("domain", "網域或名稱到期、搶註通知", "a domain or name expiry, renewal or \"someone is registering it\" notice",
     ("domain expir", "domain renewal", "domain registration", "domain owner", "domain will", "expiration",
      "renew your domain", "internet keyword", "domain names", "registration service", "forward this to your ceo",
      "網域到期", "網域續約", "網域名稱", "搶註", "防禦性註冊")),
    ("generic", "不具名的泛稱問候", "addresses nobody in particular",
     ("dear webmaster", "dear domain owner", "dear workspace admin", "dear admin", "dear sir/madam",
      "dear customer", "dear user", "dear researcher", "dear friend", "dear beneficiary", "dear ceo",
      "dear organiser", "dear organizer", "dear taxpayer",
      "負責人 您好", "負責人您好", "貴單位 負責人", "親愛的用戶", "親愛的會員", "納稅義務人")),
    ("off_channel", "要求改用 LINE、WhatsApp 等私訊聯絡", "moves the talk to LINE, WhatsApp or Telegram",
     # Asked to write there, not the mere name: a contributor may well run a WhatsApp bot.
     ("line id", "line：", "加 line", "加line", "賴 id", "加我 line", "加我line", "進群", "whatsapp me",
      "whatsapp:", "whatsapp +", "whatsapp at", "via whatsapp", "on whatsapp at", "message me on",
      "contact me on", "reach me on", "telegram:", "telegram @", "via telegram", "wechat id", "wechat:")),
]
SHOUTING = "shouting"
# How many families agree: one alone is common in genuine mail, several rarely are.
SEVERAL = (("two_families", 2), ("three_families", 3))
_SHOUTING_REASONS = ("主旨全大寫或連串驚嘆號", "shouts in the subject")

_FOLD = str.maketrans({"臺": "台"})


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", (text or "")[:20_000]).casefold().translate(_FOLD)
    return re.sub(r"\s+", " ", text)


# An ASCII sign may take an ending ("prize" finds "prizes", "domain expir" finds
# "domain expires"), but not run on into another word ("token" is not "tokeniser").
_ENDINGS = frozenset({"", "s", "es", "d", "ed", "ing", "e", "y", "ies", "ation", "ations"})
_WORD_TAIL = re.compile(r"[a-z0-9]*")


def _found(text: str, sign: str) -> bool:
    if not sign.isascii() or not sign[:1].isalnum():
        return sign in text
    start = 0
    while (at := text.find(sign, start)) >= 0:
        end = at + len(sign)
        if (at == 0 or not text[at - 1].isalnum()) and (
            not sign[-1].isalnum() or _WORD_TAIL.match(text, end).group() in _ENDINGS
        ):
            return True
        start = at + 1
    return False


def _shouting(subject: str) -> bool:
    """A subject in capitals or with a row of exclamation marks."""
    letters = [c for c in subject if c.isascii() and c.isalpha()]
    caps = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    return caps or "!!!" in subject or "！！！" in subject


def features(subject: str = "", body: str = "") -> dict[str, float]:
    """Which families of signs a request shows (1 for one sign of a family, 1.25 for more),
    and whether two or three kinds of sign agree."""
    text = _fold(f"{subject} \n {body}")
    found: dict[str, float] = {"bias": 1.0}
    for family, _, _, signs in FAMILIES:
        hits = sum(1 for s in signs if _found(text, s))
        if hits:
            found[family] = 1.0 if hits == 1 else 1.25
    if _shouting(subject or ""):
        found[SHOUTING] = 1.0
    kinds = len(found) - 1
    found.update({name: 1.0 for name, least in SEVERAL if kinds >= least})
    return found


@lru_cache(maxsize=1)
def shipped_weights() -> dict[str, float]:
    data = json.loads((files(__package__) / SHIPPED).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
        raise ValueError(f"{SHIPPED}: not a spam model of version {MODEL_VERSION}")
    return {str(k): float(v) for k, v in data["weights"].items()}


@lru_cache(maxsize=1)
def shipped_wording():
    from pathlib import Path

    from steward.matching.model import read_shipped

    return read_shipped(Path(__file__).parent, WORDS_STEM)


def wording_features(subject: str = "", body: str = "", organization: str = "", from_email: str = "",
                     channel: str = "") -> dict[str, float]:
    """What the wording model reads: the category model's features of the request."""
    from steward.matching.model import features as request_features

    return request_features(subject, body, organization, from_email, channel).values


_UNITS = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]", re.IGNORECASE)
FULL_WORDING = 60  # words (a Chinese character counts two thirds) from which the wording counts in full


def text_size(subject: str, body: str) -> float:
    units = _UNITS.findall(f"{subject} {body}"[:20_000])
    return sum(1.0 if u.isascii() else 2 / 3 for u in units)


def wording(model, values: dict[str, float], size: float = FULL_WORDING) -> float:
    """How much more a request reads like the scams `model` learned than the average line it
    learned from (0: as much; above 0, more): its log-odds against their share, scaled.
    A short message is a handful of words, each weighing a lot in the model: its wording
    counts in proportion to its length, so a one-line question is judged by its signs."""
    p = min(max(model.probabilities(values)[model.classes.index("spam")], 1e-6), 1 - 1e-6)
    share = min(max(float(model.meta.get("spam_share", 0.5)), 1e-6), 1 - 1e-6)
    damping = min(1.0, size / FULL_WORDING)
    return damping * (math.log(p / (1 - p)) - math.log(share / (1 - share))) / WORDING_SCALE


_SEVERAL_REASONS = ("多種跡象同時出現", "several kinds of sign together")
_REASONS = {family: (zh, en) for family, zh, en, _ in FAMILIES} | {
    SHOUTING: _SHOUTING_REASONS, WORDING: _WORDING_REASONS, **{name: _SEVERAL_REASONS for name, _ in SEVERAL},
}


def spam_verdict(subject: str = "", body: str = "", organization: str = "", from_name: str = "",
                 from_email: str = "", channel: str = "", *, weights: dict[str, float] | None = None,
                 words=None, wording_values: dict[str, float] | None = None) -> SpamVerdict:
    """Signs of spam or a scam in a request; `likely` when together they pass the learned line.

    The reasons name what pushed towards spam, strongest first. `weights` and
    `words`: models being trained or evaluated instead of the shipped ones;
    `wording_values`: the request's features when the caller has read them already.
    """
    w = shipped_weights() if weights is None else weights
    values = features(subject, body)
    if WORDING in w:
        model = shipped_wording() if words is None else words
        if wording_values is None:
            wording_values = wording_features(subject, body, organization, from_email, channel)
        values[WORDING] = wording(model, wording_values, text_size(subject, body))
    score = round(100 * sigmoid(sum(v * w.get(k, 0.0) for k, v in values.items())))
    # Strongest first, but the signs a steward can check before "reads like the scams".
    pushes = sorted(((v * w.get(k, 0.0), k) for k, v in values.items() if k != "bias"),
                    key=lambda x: (x[1] == WORDING, -x[0], x[1]))
    said = list(dict.fromkeys(_REASONS[k] for push, k in pushes if push > 0))  # "several" once
    return SpamVerdict(score >= LIKELY, score, [en for _, en in said], [zh for zh, _ in said])
