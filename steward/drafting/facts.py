"""What a steward notes before answering: the questions asked, dates and deadlines,
amounts, who is asking, the channel, and what the request touches on.

Everything here is plain pattern work over the request's own words, bounded in
what it reads (the first ``MAX_CHARS`` characters) and written with patterns that
cannot backtrack badly, so any request of any size is read in linear time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

MAX_CHARS = 20_000
MAX_QUESTIONS = 8
MAX_QUESTION_CHARS = 240

SENDER_TYPES = ("government", "school", "company", "ngo", "media", "individual", "foreign")

# -- questions ----------------------------------------------------------------------

# A sentence ends at a line break, Chinese or Western end punctuation, or a full
# stop before a capital; links are set aside first so "?key=" asks nothing.
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+(?=[A-Z\"“(])")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_ZH_ASK = re.compile(r"請問|是否|可否|能否|可不可以|能不能|可以.{0,12}嗎|有沒有|會不會|怎麼|如何|哪些|多少|何時")
_EN_ASK = re.compile(
    r"^(?:and |also |so |but )?(?:can|could|may|might|would|will|shall|should|do|does|did|is|are|was|were|"
    r"have|has|how|what|when|where|who|whom|which|why)\b",
    re.IGNORECASE,
)
_EN_ASK_INSIDE = re.compile(r"\b(?:is there|are there|would it be possible|whether|we wonder|wondering if)\b", re.IGNORECASE)
# Lines that only greet or sign off are never questions.
_GREETING = re.compile(r"^(?:hi|hello|dear|您好|你好|大家好|嗨|謝謝|感謝|thanks|thank you|best|regards)\b", re.IGNORECASE)


def find_questions(text: str) -> list[str]:
    """Sentences that ask something, in the order they were asked, without repeats."""
    found: list[str] = []
    sentences = (piece for line in _URL.sub(" ", text[:MAX_CHARS]).splitlines() for piece in _SENTENCE_END.split(line))
    for piece in sentences:
        sentence = " ".join(piece.split())
        if len(sentence) < 4:
            continue
        stripped = sentence.rstrip("。！!")
        ends_with_mark = sentence.endswith(("？", "?"))
        asks = ends_with_mark or _ZH_ASK.search(stripped) or _EN_ASK_INSIDE.search(stripped)
        if not asks and _EN_ASK.match(stripped) and not stripped.endswith("."):
            asks = True
        if not asks or (_GREETING.match(stripped) and not ends_with_mark):
            continue
        if len(sentence) > MAX_QUESTION_CHARS:
            sentence = sentence[: MAX_QUESTION_CHARS - 1].rstrip() + "…"
        if sentence not in found:
            found.append(sentence)
        if len(found) == MAX_QUESTIONS:
            break
    return found


# -- dates and deadlines ------------------------------------------------------------

_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
_MONTH_WORD = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE = re.compile(
    r"(?P<iso>(?P<iy>20\d\d)[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2}))"
    r"|(?P<roc>(?:民國)?(?P<ry>1[01]\d)\s*年\s*(?P<rm>\d{1,2})\s*月\s*(?P<rd>\d{1,2})\s*[日號])"
    r"|(?P<zh>(?:(?P<zy>20\d\d)\s*年\s*)?(?P<zm>\d{1,2})\s*月\s*(?P<zd>\d{1,2})\s*[日號])"
    r"|(?P<md>(?<![\d/])(?P<mm>\d{1,2})/(?P<mdd>\d{1,2})(?![\d/]))"
    r"|(?P<dmy>(?<!\w)(?P<ed>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_WORD + r"\.?(?:,?\s+(?P<ey>20\d\d))?)"
    r"|(?P<mdy>(?<!\w)" + _MONTH_WORD.replace("(", "(?P<fm>", 1) + r"\.?\s+(?P<fd>\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<fy>20\d\d))?)",
    re.IGNORECASE,
)
# Words that make a date a deadline when they stand right before or after it.
_DEADLINE_BEFORE = re.compile(r"(?:by|before|until|till|no later than|deadline(?: is)?|due(?: on| by)?|截止(?:日期)?[是為：:]?|最晚|最遲)\s*$", re.IGNORECASE)
_DEADLINE_AFTER = re.compile(r"^\s*(?:前|之前|以前|截止|為止|前回覆|前回信|前回)")


@dataclass(frozen=True)
class DateMention:
    text: str
    on: date
    deadline: bool

    def as_json(self) -> dict:
        return {"text": self.text, "date": self.on.isoformat(), "deadline": self.deadline}


def _resolve_year(month: int, day: int, year: int | None, received: date) -> date | None:
    try:
        if year:
            return date(year, month, day)
        guess = date(received.year, month, day)
        # A date without a year that lies well before the message means next year.
        if (received - guess).days > 60:
            guess = date(received.year + 1, month, day)
        return guess
    except ValueError:
        return None


def find_dates(text: str, received: date) -> list[DateMention]:
    text = text[:MAX_CHARS]
    found: list[DateMention] = []
    for match in _DATE.finditer(text):
        g = match.groupdict()
        if g["iso"]:
            on = _resolve_year(int(g["im"]), int(g["id"]), int(g["iy"]), received)
        elif g["roc"]:
            on = _resolve_year(int(g["rm"]), int(g["rd"]), int(g["ry"]) + 1911, received)
        elif g["zh"]:
            on = _resolve_year(int(g["zm"]), int(g["zd"]), int(g["zy"]) if g["zy"] else None, received)
        elif g["md"]:
            month, day = int(g["mm"]), int(g["mdd"])
            if month > 12 and day <= 12:  # 15/12 is day/month
                month, day = day, month
            on = _resolve_year(month, day, None, received)
        elif g["dmy"]:
            word = re.search(_MONTH_WORD, g["dmy"], re.IGNORECASE).group().lower()
            on = _resolve_year(_MONTHS[word[:3] if word[:4] != "sept" else "sep"], int(g["ed"]),
                               int(g["ey"]) if g["ey"] else None, received)
        else:
            on = _resolve_year(_MONTHS[g["fm"].lower()[:3]], int(g["fd"]), int(g["fy"]) if g["fy"] else None, received)
        if on is None:
            continue
        before = text[max(0, match.start() - 24): match.start()]
        after = text[match.end(): match.end() + 8]
        deadline = bool(_DEADLINE_BEFORE.search(before) or _DEADLINE_AFTER.match(after))
        mention = DateMention(" ".join(match.group().split()), on, deadline)
        if all(m.on != on for m in found):
            found.append(mention)
        elif deadline:
            found = [mention if m.on == on else m for m in found]
    return found


# -- amounts ------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(?:NT\$|NTD|TWD|US\$|USD|EUR|JPY|新台幣|新臺幣|台幣|臺幣|\$|€|¥)\s?\d[\d,]*(?:\.\d+)?\s?(?:萬|千|k|K)?(?:\s?元)?"
    r"|\d[\d,]*(?:\.\d+)?\s?(?:萬|千)?\s?(?:元|塊|美元|美金|日圓|歐元)"
    r"|\d[\d,]*(?:\.\d+)?\s?(?:USD|NTD|TWD|EUR|JPY|dollars)\b",
)


def find_amounts(text: str) -> list[str]:
    found: list[str] = []
    for match in _AMOUNT.finditer(text[:MAX_CHARS]):
        amount = " ".join(match.group().split())
        if amount not in found:
            found.append(amount)
    return found[:6]


# -- who is asking ------------------------------------------------------------------

_GOVERNMENT = re.compile(r"政府|市府|縣府|部$|部[^分門落]|署|局|處|委員會|公所|議會|立法院|行政院|監察院|國發會|ministry|government|\bcity of\b|council|agency|department of|bureau|\.gov\b", re.IGNORECASE)
_SCHOOL = re.compile(r"大學|學院|高中|國中|國小|中學|小學|學校|學系|研究所|系學會|university|college|school|institute of technology|\.edu\b|\.ac\.", re.IGNORECASE)
_COMPANY = re.compile(r"公司|企業|集團|工作室|科技|股份|inc\b|ltd\b|llc\b|corp|gmbh|co\.,|company|studio|technologies", re.IGNORECASE)
_NGO = re.compile(r"協會|基金會|學會|聯盟|社團法人|財團法人|促進會|社群|association|foundation|society|alliance|\bngo\b|non-?profit|network|collective|community|coalition", re.IGNORECASE)
_MEDIA = re.compile(r"[日晚時週周]報|報社|報$|新聞台|新聞網|電視|廣播|雜誌|週刊|月刊|通訊社|媒體|\bnews\b|\btimes\b|magazine|radio|\btv\b|media|\bpress\b|\bpost\b|journal|broadcast", re.IGNORECASE)
_TAIWAN = re.compile(r"台灣|臺灣|taiwan|taipei|台北|臺北", re.IGNORECASE)
_FOREIGN_PLACE = re.compile(
    r"日本|韓國|南韓|德國|法國|英國|美國|加拿大|澳洲|紐西蘭|新加坡|馬來西亞|印尼|泰國|越南|菲律賓|香港|印度|荷蘭|瑞典|芬蘭|丹麥|挪威|西班牙|義大利"
    r"蒙古|尼泊爾|孟加拉|巴基斯坦|斯里蘭卡|柬埔寨|緬甸|以色列|土耳其|波蘭|烏克蘭|愛沙尼亞|愛爾蘭|葡萄牙|奧地利|瑞士|比利時|捷克|"
    r"墨西哥|巴西|智利|阿根廷|哥倫比亞|秘魯|肯亞|奈及利亞|南非|"
    r"\b(?:japan|korea|germany|france|united kingdom|\buk\b|united states|usa|canada|australia|new zealand|singapore|malaysia|"
    r"indonesia|thailand|vietnam|philippines|hong kong|india|netherlands|sweden|finland|denmark|norway|spain|italy|europe|"
    r"mongolia|nepal|bangladesh|pakistan|sri lanka|cambodia|myanmar|israel|turkey|poland|ukraine|estonia|ireland|"
    r"portugal|austria|switzerland|belgium|czechia|mexico|brazil|chile|argentina|colombia|peru|latin america|africa|"
    r"kenya|nigeria|south africa|berlin|tokyo|seoul|london|paris)\b",
    re.IGNORECASE,
)
_PUBLIC_MAIL = {"gmail.com", "yahoo.com", "yahoo.com.tw", "hotmail.com", "outlook.com", "icloud.com", "protonmail.com",
                "proton.me", "msn.com", "live.com", "me.com", "mail.com", "pm.me", "gmx.de", "qq.com", "163.com"}
_DOMAIN_TYPES = (("gov", "government"), ("edu", "school"), ("ac", "school"), ("org", "ngo"), ("com", "company"), ("co", "company"))


def mail_domain(address: str) -> str:
    _, _, domain = (address or "").strip().lower().rpartition("@")
    return domain.strip(" >.") if "." in domain else ""


def is_public_mail_domain(domain: str) -> bool:
    return domain in _PUBLIC_MAIL


@dataclass(frozen=True)
class Sender:
    """Who is asking: what kind of body (``kind``), and where it is."""

    kind: str  # government, school, company, ngo, media or individual
    abroad: bool  # a foreign address or organization, or an English letter naming a foreign place
    taiwan: bool  # a .tw address, a Chinese organization name, or Taiwan in it


def who_is_asking(organization: str, email: str, text: str = "") -> Sender:
    """The kind of sender and where it writes from, from its organization and mail domain.

    One reading for the drafts (``sender_type``) and the category model
    (steward.matching.model), so both say the same about the same sender.
    """
    domain = mail_domain(email)
    labels = domain.split(".") if domain and not is_public_mail_domain(domain) else []
    country = labels[-1] if labels else ""
    name = organization or ""
    abroad = bool((country and len(country) == 2 and country != "tw") or _FOREIGN_PLACE.search(name))
    kind = ""
    # A company's department or a school's office is still the company or the school;
    # a newsroom's 新聞部 is not a ministry.
    for pattern, found in ((_SCHOOL, "school"), (_MEDIA, "media"), (_COMPANY, "company"), (_GOVERNMENT, "government"),
                           (_NGO, "ngo")):
        if name and pattern.search(name):
            kind = found
            break
    if not kind:
        for label, found in _DOMAIN_TYPES:
            if label in labels[:-1] or (labels and labels[-1] == label):
                kind = found
                break
    if not kind:
        if not name and _FOREIGN_PLACE.search(text[:2000]) and not re.search(r"[\u4e00-\u9fff]", text[:2000]):
            abroad = True
        kind = "individual" if not name else "ngo"
    taiwan = not abroad and (country == "tw" or bool(re.search(r"[\u4e00-\u9fff]", name)) or bool(_TAIWAN.search(name)))
    return Sender(kind, abroad, taiwan)


def sender_type(organization: str, email: str, text: str) -> str:
    """government, school, company, ngo, media, individual or foreign: who is asking."""
    sender = who_is_asking(organization, email, text)
    return "foreign" if sender.abroad else sender.kind


# -- what it touches on -------------------------------------------------------------

# Each trigger names something a checklist item or an answer may depend on.
_TRIGGERS = {
    "money": r"費用|預算|經費|報價|贊助|講師費|車馬費|酬勞|補助|款項|付款|發票|收據|\bfees?\b|budget|sponsor|grant|funding|honorari|invoice|payment|pay\b|quotation",
    "tender": r"標案|投標|得標|招標|建議書|提案書|\btender|\bbid\b|bidding|procurement|\brfp\b",
    "contract": r"合約|契約|簽約|委託|發票|contract|invoice|agreement to sign|statement of work",
    "name_use": r"名義|掛名|具名|冠名|以 ?g0v|g0v ?社群(?:共同|協辦|合辦|主辦)|in the name of|on behalf of|as g0v|co-?organi[sz]|endorse|name of (?:the )?g0v|use (?:the )?(?:g0v )?name",
    "logo": r"logo|標誌|商標|圖標|識別|trademark",
    "filming": r"拍攝|攝影|錄影|錄製|紀錄片|直播|採訪.{0,6}拍|film|filming|camera|video crew|documentary|record(?:ing)? the|livestream|photograph",
    "observe": r"參訪|觀摩|旁聽|參觀|考察|observe|observer|visit(?:ing)? (?:the |your )?(?:hackathon|event)|delegation|study tour",
    "data": r"資料|數據|開放資料|資料集|\bapi\b|dataset|\bdata\b|scrap",
    "code": r"程式碼|原始碼|開源|fork|repo|github|source code|codebase|\bcode\b|open[- ]source|self-host|部署|deploy",
    "license": r"授權|license|licence|\bcc[- ]by|\bmit\b|\bgpl|copyright|著作權|版權",
    "credit": r"致謝|標示|出處|引用|credit|attribut|cite|citation",
    "oscvpass": r"oscvpass|社群合作夥伴|community partner",
    "hackathon": r"黑客松|大松|小松|hackathon|jothon|揪松",
    "personal_data": r"個資|個人資料|隱私|personal data|privacy|gdpr",
    "students": r"學生|同學|課程|作業|畢業專題|student|class project|course|thesis|coursework",
    "talk": r"演講|講座|分享|座談|論壇|工作坊|主講|與談|talk|speak|keynote|panel|workshop|lecture|webinar|conference",
    "deliberation": r"vtaiwan|polis|審議|公共討論|deliberat|public consultation|參與式",
    "public_sector": r"公部門|政府|機關|公務|public sector|government|ministry|civil servant|agency",
    "meeting": r"視訊|會議|開會|見面|約個時間|video call|meeting|call with|zoom|google meet|meet (?:with|up)",
    "volunteer": r"志工|參與|加入|貢獻|幫忙|volunteer|contribute|join|get involved|help out",
}
_TRIGGER_PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in _TRIGGERS.items()}
# partner:returning / partner:lapsed come from the store's partner memory, not the text:
# pass the request's Partnership to facts_of.
TRIGGERS = (*_TRIGGERS, "deadline", "question", "sender:*", "channel:*", "match:*", "partner:returning", "partner:lapsed")


@dataclass(frozen=True)
class RequestFacts:
    questions: list[str] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    amounts: list[str] = field(default_factory=list)
    sender_type: str = "individual"
    channel: str = "other"
    triggers: frozenset[str] = frozenset()

    @property
    def deadlines(self) -> list[DateMention]:
        return [mention for mention in self.dates if mention.deadline]

    def as_json(self) -> dict:
        return {
            "dates": [mention.as_json() for mention in self.dates],
            "deadlines": [mention.as_json() for mention in self.deadlines],
            "amounts": list(self.amounts),
            "sender_type": self.sender_type,
            "channel": self.channel,
            "mentions": sorted(t for t in self.triggers if ":" not in t),
        }


def facts_of(request, *, partner=None) -> RequestFacts:
    """The facts of a stored or incoming request (anything with the request fields).

    `partner` (a steward.partners.records.Partnership, or None) adds what the inbox
    remembers of the sender's organization: "partner:returning" when it wrote before,
    "partner:lapsed" when giving back it promised is overdue or lapsed.
    """
    subject = getattr(request, "subject", "") or ""
    body = getattr(request, "body", "") or ""
    text = f"{subject}\n{body}"[:MAX_CHARS]
    received = getattr(request, "received_at", None)
    received_day = received.date() if isinstance(received, datetime) else date.today()
    channel = getattr(request, "channel", None) or "other"
    kind = sender_type(getattr(request, "organization", "") or "", getattr(request, "from_email", "") or "", text)
    questions = find_questions(body[:MAX_CHARS]) or find_questions(subject)
    dates = find_dates(text, received_day)
    triggers = {name for name, pattern in _TRIGGER_PATTERNS.items() if pattern.search(text)}
    if any(mention.deadline for mention in dates):
        triggers.add("deadline")
    if questions:
        triggers.add("question")
    triggers.add(f"sender:{kind}")
    triggers.add(f"channel:{channel}")
    match = getattr(request, "match", None)
    if match:
        triggers.add(f"match:{match}")
    if partner is not None and partner.returning:
        triggers.add("partner:returning")
    if partner is not None and partner.lapsed_commitments:
        triggers.add("partner:lapsed")
    return RequestFacts(
        questions=questions, dates=dates, amounts=find_amounts(text), sender_type=kind,
        channel=channel, triggers=frozenset(triggers),
    )  # fmt: skip
