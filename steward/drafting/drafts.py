"""Reply drafts: bilingual templates filled in one pass, with the guidance checklist.

Templates are read and checked by steward.drafting.templates. Each placeholder reads
sensibly when its value is missing:

- ``{greeting}``: formal "林雅婷您好：" / "Dear Hiroshi Tanaka,"; warm "嗨 小魚，" / "Hi Yuki,"
- ``{sender_name}``, ``{organization}``, ``{subject}``: the request's fields;
  empty: "朋友" / "friend", "貴單位" / "your organization", "（無主旨）" / "(no subject)"
- ``{your_message}``: "「subject」來信" / "your message “subject”"; no subject: "來信" / "your message"
- ``{received_date}``: "2026 年 10 月 26 日" / "26 October 2026", in the configured time zone
- ``{thanks}``: the opening thanks: formal for institutions and letters ("謝謝您在 2026 年 10 月 26 日的
  「subject」來信"), brief for people and chat channels ("謝謝你的訊息"), never quoting a subject
  the importer made up for a chat message
- ``{match_name}``: the routed project or working group, in the reply language;
  ``{match_intro}`` introduces it as the naming norm asks ("Sch001, a g0v project");
  ``{match_contact}``: its contacts and website; ``{match_url}``: its website (else https://g0v.tw)
- ``{who_invited}``: when the sender names the routed project, that the invitation goes to its
  contributors; otherwise the question norms S1 says to settle first (specific people, or a project?)
- ``{oscvpass_applicants}``: what an individual needs to apply for OSCVPass (norms S2), only when the
  request mentions OSCVPass or having contributions certified or recognised; otherwise empty
- ``{steward_name}``: ``steward.name`` from the configuration (or $STEWARD_NAME); a draft
  that would be signed without one raises SignatureMissing, never signs with the login name; ``{category_name}``: "演講／活動邀約" / "speaking invitation"
- ``{partner_since}``, ``{partner_last_request}``, ``{partner_open_commitments}``, ``{partner_welcome}``:
  what the inbox remembers of the sender's organization (steward.partners.drafting); all empty
  for a first request. A returning partner's draft gets the welcome line after the thanks.

Without a routed match, the ``match_*`` placeholders describe the hackathon
organizers (directory key ``jothon``), who post outside requests to the
community; without that entry, the g0v Slack.

Only the template is parsed: request text is substituted as a plain value and
never read as a template, so a body containing ``{steward_name}`` stays literal.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

# The checklist half of drafting lives in steward.drafting.guidance; re-exported here.
from steward.drafting.guidance import (  # noqa: F401
    GuidanceItem,
    check_guidance,
    checklist_for,
    checklist_for_request,
    checklist_json,
    is_english,
    load_guidance,
    snippet,
)
from steward.drafting.facts import DateMention, RequestFacts, facts_of
from steward.models import CATEGORIES, ConfigError, Request, SignatureMissing, UsageError
from steward.drafting.templates import Template, load_templates, parse_body
from steward.util.text import clean_text, one_line

REPLY_LANGUAGES = ("zh-TW", "en")
# Who a request goes to when nothing in the directory fits: the hackathon
# organizers post outside requests to the community (norms, S1).
FALLBACK_ROUTE = "jothon"

_MAX_SUBJECT = 80
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December")  # fmt: skip
_CATEGORY_NAMES = {
    "collaboration": ("合作提案", "collaboration proposal"),
    "speaking": ("演講／活動邀約", "speaking invitation"),
    "funding": ("募資／補助／標案／贊助", "funding request"),
    "naming": ("名義與標誌", "use of names and logos"),
    "partnership": ("社群合作夥伴", "community partnership"),
    "media": ("媒體採訪", "media request"),
    "data": ("資料／技術諮詢", "data or technical question"),
    "international": ("國際交流", "international exchange"),
    "volunteer": ("個人參與", "volunteering"),
    "other": ("其他", "other request"),
}
# How a directory kind is introduced (naming norm: "X, a g0v project").
_KIND_INTRO = {
    "project": ("{name}（g0v 社群的一個專案）", "{name}, a g0v project"),
    "working_group": ("{name}（g0v 社群的一個工作小組）", "{name}, a g0v working group"),
    "partner_community": ("{name}（與 g0v 常合作的夥伴社群）", "{name}, a community g0v often works with"),
}
_NO_DIRECTORY = {  # zh, en: used when even the fallback entry is missing
    "match_name": ("g0v Slack 上的參與者", "contributors on the g0v Slack"),
    "match_contact": ("g0v Slack", "the g0v Slack"),
    "match_url": ("https://g0v.tw", "https://g0v.tw"),
}
_EMPTY = {  # zh, en: what an empty request field reads as
    "sender_name": ("朋友", "friend"),
    "organization": ("貴單位", "your organization"),
    "subject": ("（無主旨）", "(no subject)"),
    "steward_name": ("社群志工", "A community volunteer"),
}


@dataclass
class RenderedDraft:
    template: str
    language: str
    body: str
    checklist: list[GuidanceItem] = field(default_factory=list)
    facts: RequestFacts = field(default_factory=RequestFacts)

    def checklist_json(self, state: dict[str, bool]) -> list[dict]:
        """This draft's checklist rows, in the draft's language, ticked as `state` records."""
        return checklist_json(self.checklist, self.language, state)

    def as_json(self, request_id: int, version: int | None, state: dict[str, bool]) -> dict:
        """The `draft --json` contract: `version` is None for a draft that was not saved."""
        return {
            "request_id": request_id,
            "version": version,
            "template": self.template,
            "language": self.language,
            "body": self.body,
            "checklist": self.checklist_json(state),
            "questions": list(self.facts.questions),
            "facts": self.facts.as_json(),
        }


# What the steward still has to write: a reply carrying one of these is not ready to send.
ANSWER_MARKERS = ("[回答：", "[answer: ")
_ANSWER_HERE = ("[回答：請在這裡回答這個問題]", "[answer: reply to this question here]")
# Questions the norms answer outright, whoever asks (norms S1: nobody commits "the
# whole g0v community"; a project's name goes on public material instead).
_WHOLE_COMMUNITY = re.compile(
    r"(?:以|用|寫|載明|掛).{0,12}(?:g0v|社群|零時政府).{0,12}(?:名義|共同執行|執行|投標|合辦|協辦|參與者執行)"
    r"|in the name of (?:the )?g0v|as (?:the )?g0v(?: community)?\b|g0v community (?:as|will)|on behalf of (?:the )?g0v",
    re.IGNORECASE,
)
_LOGO = re.compile(r"logo|標誌|商標", re.IGNORECASE)


# A preview drafted before the steward set their name is signed with this: sending refuses it.
UNSIGNED_ZH = '[回答：你的名字，用 steward config set steward.name "你的名字" 設定]'
UNSIGNED_EN = '[answer: your name; set it with steward config set steward.name "Your Name"]'


def unanswered_markers(body: str) -> int:
    """How many questions in a reply are still marked for the steward to answer."""
    return sum(body.count(marker) for marker in ANSWER_MARKERS)


def unsendable(body: str) -> str | None:
    """Why a reply may not be sent as it stands (`config check` style), or None when it may."""
    count = unanswered_markers(body)
    if not count:
        return None
    return (f"reply: {count} question{'s' if count != 1 else ''} still marked [answer: …] or [回答：…]; "
            "answer them (or delete the marker) before the reply is marked sent")  # fmt: skip


_REUSE = re.compile(
    r"授權|license|licence|fork|reuse|re-use|再利用|改作|沿用|轉載|引用|致謝|標示|出處|顯名|credit|attribut|\bcite\b|"
    r"(?:使用|用|拿|取用|複製|copy|use|using).{0,12}(?:程式|原始碼|資料|內容|詞條|音檔|字型|code|data|content|dataset|api|font)|"
    r"open[- ]source|開源|商業|commercial",
    re.IGNORECASE,
)
_CREDIT = re.compile(r"致謝|標示|出處|顯名|引用|credit|attribut|\bcite\b", re.IGNORECASE)
_WHO_IS_INVITED = re.compile(r"特定的?個人|個人.{0,4}還是.{0,6}專案|specific (?:people|persons|individuals)|individuals or (?:a )?project", re.IGNORECASE)
_CERTIFICATION = re.compile(r"oscvpass|認證|證明|certif|recogni[sz]", re.IGNORECASE)
_OSCVPASS_APPLICANTS = (
    "如果之後想申請 OSCVPass 開源貢獻者資格認證，需要過去一年內，在使用 FSF 或 OSI 認可授權的專案中有可查證的貢獻紀錄"
    "（例如 GitHub 上的 PR 或 issue）；相關問題可以寫信到 oscvpass@ocf.tw。",
    "If you later want to apply for OSCVPass, the open-source contributor certification, you will need recorded "
    "contributions from the past year to projects under an FSF- or OSI-approved license (pull requests or issues on "
    "GitHub, for example); questions can go to oscvpass@ocf.tw.",
)
_DEADLINE_ASK = re.compile(r"前|之前|截止|期限|by\b|before|deadline|until", re.IGNORECASE)


def _zh_name(name: str, before: str = "", after: str = "") -> str:
    """A name set between two pieces of Chinese text, spaced where Han meets Latin letters or digits."""
    if not name:
        return name
    lead = " " if before and _gap(before[-1], name[0]) else ""
    trail = " " if after and _gap(name[-1], after[0]) else ""
    return lead + name + trail


def names_entry(request: Request, entry: Any) -> bool:
    """Whether the request itself names the routed project or group (not only its topic)."""
    if entry is None or _entry_value(entry, "kind") not in ("project", "working_group", "programme", "partner_community"):
        return False
    text = f"{request.subject or ''}\n{request.body or ''}".casefold()
    names = [_entry_value(entry, "name"), _entry_value(entry, "name_en"), *(_entry_value(entry, "aliases") or [])]
    return any(len(n) >= 3 and n.casefold() in text for n in (one_line(n) for n in names if n))


_ASKS_CODE = re.compile(r"程式|原始碼|\bcode|codebase|fork|repo|source|github|open[- ]source|開源|self-host|部署", re.IGNORECASE)
_ASKS_DATA = re.compile(r"資料|內容|詞條|音檔|字型|\bdata|content|dataset|archive|dump|\bapi\b|corpus|font", re.IGNORECASE)


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def reuse_answer(entry: Any, english: bool, focus: str = "", question: str = "") -> str:
    """What a project's directory facts say about reusing it; "" when the directory knows nothing.

    Only facts the directory holds are stated ("Cofacts' code is under MIT at …;
    credit it as …"); the licence a project publishes stays the authority.
    """
    if entry is None:
        return ""
    get = lambda name: one_line(_entry_value(entry, name) or "")  # noqa: E731
    pick = lambda name: (get(f"{name}_en") or get(name)) if english else (get(name) or get(f"{name}_en"))  # noqa: E731
    shown = one_line((get("name_en") or get("name")) if english else (get("name") or get("name_en")))
    code, content, repo = get("code_license"), get("content_license"), get("repository")
    credit, limits, naming = pick("credit"), pick("upstream_limits"), pick("naming")
    if not (code or content or repo or credit or limits or naming):
        return ""
    if focus == "credit":  # a second question, about crediting only
        if not credit:
            return ""
        return f"Credit it this way: {credit}." if english else f"標示出處的方式：{credit}。"
    parts: list[str] = []
    # A question about data alone is answered about the data; one about code, or a general one, gets both.
    if question and _ASKS_DATA.search(question) and not _ASKS_CODE.search(question) and (content or limits or credit):
        code = repo = ""
    if english:
        if code:
            parts.append(f"{_possessive(shown)} code is under the {code} licence" + (f" at {repo}" if repo else "") + ".")
        elif repo:
            parts.append(f"{_possessive(shown)} code is at {repo}; please check the licence stated there.")
        if content:
            parts.append(f"Its data and content are under {content}." if parts
                         else f"{_possessive(shown)} data and content are under {content}.")
        if credit:
            parts.append(f"Credit it this way: {credit}.")
        if limits:
            parts.append(f"Note: {limits}.")
        if naming:
            parts.append(f"{naming}.")
    else:
        if code:
            parts.append(f"{_zh_name(shown, after='的')}的程式碼以 {code} 授權釋出" + (f"，放在 {repo}" if repo else "") + "。")
        elif repo:
            parts.append(f"{_zh_name(shown, after='的')}的程式碼放在 {repo}，授權請以那裡的說明為準。")
        if content:
            parts.append(f"資料與內容的授權是 {content}。" if parts else f"{_zh_name(shown, after='的')}的資料與內容以 {content} 授權。")
        if credit:
            parts.append(f"標示出處的方式：{credit}。")
        if limits:
            parts.append(f"請注意：{limits}。")
        if naming:
            parts.append(f"{naming}。")
    return " ".join(parts) if english else "".join(parts)


def _answer(question: str, english: bool, project: str, entry: Any = None, *, named: bool = False,
            deadlines: Sequence[DateMention] = (), said: set[str] | None = None) -> str:
    """The norms' answer to a question, or a marked line for the steward."""
    if _WHOLE_COMMUNITY.search(question):
        if english:
            return (f"No: nobody can commit the g0v community as a whole, in a bid or anywhere else. "
                    f"Please name the project that actually takes part instead (for example \"{project}, a g0v project\") "
                    "and let its contributors confirm the wording.")  # fmt: skip
        return (f"不行：沒有人能以整個 g0v 社群的名義投標或承諾執行。請改寫實際參與的專案名稱（例如「{project}，一個 g0v 專案」），"
                "並請該專案的參與者自己確認文字。")  # fmt: skip
    if _LOGO.search(question):
        if english:
            return ("Public material should name the specific project or working group rather than suggest the whole g0v "
                    "community is involved; nobody can grant use of \"g0v\" on the community's behalf. "
                    + _ANSWER_HERE[1])  # fmt: skip
        return "公開文宣請寫出具體的專案或工作小組，不要讓讀者以為整個 g0v 社群都參與；也沒有人能代表社群授權使用 g0v 名義。" + _ANSWER_HERE[0]
    if _WHO_IS_INVITED.search(question) and named:
        if english:
            return (f"You have named {project}, so we pass your invitation to its contributors, and whoever takes it up "
                    "will answer you directly.")  # fmt: skip
        return f"您已經指名{_zh_name(project, '名', '，')}，所以我們會把邀請轉給他們的參與者，由願意參與的人直接回覆您。"
    if _REUSE.search(question) and _entry_value(entry, "kind") in ("project", None):
        known = reuse_answer(entry, english, question=question)
        if known and said is not None and known in said:
            known = reuse_answer(entry, english, "credit") if _CREDIT.search(question) else ""
            known = known or ("See the answer above." if english else "請見上面的回答。")
        if known:
            if said is not None:
                said.add(known)
            return known
        if english:
            return (f"What you may do is set by the licence {project} publishes in its repository; "
                    + _ANSWER_HERE[1])  # fmt: skip
        return f"可以怎麼使用，以{_zh_name(project, '以', '在')}在 repository 裡公布的授權為準；" + _ANSWER_HERE[0]
    asked_days = [m for m in deadlines if m.text in question]
    if asked_days and _DEADLINE_ASK.search(question):
        day = _day(asked_days[0], english)
        if english:
            return f"We have noted {day} and will reply before then. " + _ANSWER_HERE[1]
        return f"我們記下了 {day}這個日期，會在那之前回覆您。" + _ANSWER_HERE[0]
    return _pick(_ANSWER_HERE, english)


def _day(mention: DateMention, english: bool) -> str:
    if english:
        return f"{mention.on.day} {_MONTHS[mention.on.month - 1]}"
    return f"{mention.on.month} 月 {mention.on.day} 日"


def answers_block(facts: RequestFacts, english: bool, project: str, entry: Any = None, *, named: bool = False) -> str:
    """The paragraph that takes up this request's own questions and deadlines."""
    parts: list[str] = []
    deadlines = facts.deadlines
    if deadlines:
        days = (", " if english else "、").join(_day(m, english) for m in deadlines)
        parts.append(f"We have noted your deadline ({days}) and will answer before then." if english
                     else f"我們注意到您提到的期限（{days}），會在那之前回覆您。")  # fmt: skip
    reuse = reuse_answer(entry, english)
    said: set[str] = set()
    if facts.questions:
        if parts:
            parts.append("")  # the deadline is a paragraph of its own
        parts.append("You asked:" if english else "您在信中問到：")
        for number, question in enumerate(facts.questions, 1):
            answer = _answer(question, english, project, entry, named=named, deadlines=facts.deadlines, said=said)
            parts.append(f"{number}. {question}\n   {answer}")
    if said:
        reuse = ""  # a question already took the facts up; said once is enough
    if reuse and facts.triggers & {"license", "code", "credit", "data"}:
        parts.append(f"On reusing {project}: {reuse}" if english else f"關於使用{_zh_name(project, '用', '：')}：{reuse}")
    return "\n".join(parts)


# -- choosing --------------------------------------------------------------------


def reply_language(value: str) -> str:
    """Normalise a language a user typed ("zh", "zh_TW", "EN") to a reply language."""
    lowered = value.strip().lower().replace("_", "-")
    if lowered in ("zh", "zh-tw", "zh-hant", "zh-hant-tw"):
        return "zh-TW"
    if lowered in ("en", "en-us", "en-gb"):
        return "en"
    raise UsageError(f"unknown reply language {value!r}: use zh-TW or en")


def choose_language(request_language: str | None, configured: str | None) -> str:
    """A Chinese request gets a zh-TW reply, an English one English; else the configured language."""
    if request_language == "zh":
        return "zh-TW"
    if request_language == "en":
        return "en"
    try:
        return reply_language(configured or "")
    except UsageError:
        return "zh-TW"


def choose_template(category: str | None, match_key: str | None, triggers: frozenset[str] = frozenset()) -> str:
    """The default template: the category's own, with two exceptions.

    An "other" request with somewhere to go gets the "other" reply, which routes
    it; one with nowhere to go (out of scope, spam) is declined kindly. A request
    nobody has categorized yet is routed if it can be, else asked for details:
    not knowing its kind is no reason to decline it.
    """
    if category == "partnership" and "oscvpass" in triggers:
        return "oscvpass_faq"  # an OSCVPass partner application has its own questions and answers
    if category in CATEGORIES and category != "other":
        return category
    if category == "other":
        return "other" if match_key else "decline"
    return "route" if match_key else "ask_details"


# -- rendering -------------------------------------------------------------------


def _pick(pair: tuple[str, str], english: bool) -> str:
    return pair[1] if english else pair[0]


def _entry_value(entry: Any, name: str) -> Any:
    return getattr(entry, name, None) if entry is not None else None


def _match_values(entry: Any, english: bool) -> dict[str, str]:
    if entry is None:
        values = {name: _pick(pair, english) for name, pair in _NO_DIRECTORY.items()}
        values["match_intro"] = values["match_name"]
        return values
    name = one_line(_entry_value(entry, "name"))
    name_en = one_line(_entry_value(entry, "name_en"))
    shown = (name_en or name) if english else (name or name_en)
    shown = shown or one_line(_entry_value(entry, "key"))
    intro = _KIND_INTRO.get(_entry_value(entry, "kind") or "")
    url = one_line(_entry_value(entry, "url"))
    contacts = [one_line(c) for c in _entry_value(entry, "contacts") or [] if one_line(c)]
    if url and url not in contacts:
        contacts.append(url)
    return {
        "match_name": shown,
        "match_intro": _pick(intro, english).format(name=shown) if intro else shown,
        # Every project has a channel on the g0v Slack, so it is the honest fallback.
        "match_contact": (", " if english else "、").join(contacts) or _pick(_NO_DIRECTORY["match_contact"], english),
        "match_url": url or _pick(_NO_DIRECTORY["match_url"], english),
    }


def register_of(request: Request) -> str:
    """"formal" for institutions and letters, "warm" for people and chat channels."""
    if request.channel in ("slack", "facebook"):
        return "warm"
    kind = facts_of(request).sender_type
    if kind == "individual" and not one_line(request.organization):
        return "warm"
    return "formal"


def _contacts_not_in(template_body: str, contacts: str, url: str, language: str) -> str:
    """The match's contacts less those the template already spells out, so no
    address is listed twice; the website stands in when nothing is left."""
    separator = ", " if is_english(language) else "、"
    remaining = [c for c in contacts.split(separator) if c and c not in template_body]
    return separator.join(remaining) or url


def _format_date(request: Request, settings: Any, english: bool) -> str:
    tz = getattr(settings, "tz", None) or timezone.utc
    day = request.received_at.astimezone(tz)
    if english:
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def placeholder_values(
    request: Request, entry: Any, *, settings: Any, language: str, partner: Any = None
) -> dict[str, str]:
    """The text every placeholder stands for in this request's reply (`partner`: its Partnership)."""
    from steward.partners.drafting import partner_values

    english = is_english(language)
    sender = one_line(request.from_name)
    organization = one_line(request.organization)
    subject = one_line(request.subject)
    if len(subject) > _MAX_SUBJECT:
        subject = subject[: _MAX_SUBJECT - 1].rstrip() + "…"
    # Replies are signed with the configured name only, never the login name.
    steward = one_line(getattr(settings, "signature", None) or "")
    received = _format_date(request, settings, english)
    formal = register_of(request) == "formal"
    # Chat channels have no real subject: the importer made one, never quote it back.
    subject_is_real = subject and request.channel in ("email", "form", "other")
    if english:
        if formal:
            greeting = f"Dear {sender}," if sender else "Dear Sir or Madam,"
        else:
            greeting = f"Hi {sender}," if sender else "Hi,"
        quoted = subject.replace("“", "‘").replace("”", "’")
        your_message = f"your message “{quoted}”" if subject_is_real else "your message"
        thanks = f"Thank you for {your_message} of {received}" if formal else f"Thanks for {your_message}"
    else:
        if formal:
            greeting = f"{sender}{' ' if sender and _is_latin(sender[-1]) else ''}您好："
        else:
            greeting = f"嗨 {sender}，" if sender else "嗨，"
        # Quotes inside 「」 become 『』, as Chinese typography nests them.
        quoted = subject.replace("「", "『").replace("」", "』")
        your_message = f"「{quoted}」來信" if subject_is_real else ("來信" if formal else "訊息")
        thanks = f"謝謝您在 {received}的{your_message}" if formal else f"謝謝你的{your_message}"
    category = request.category if request.category in _CATEGORY_NAMES else "other"
    match_values = _match_values(entry, english)
    if names_entry(request, entry):
        who_invited = (f"You have named {match_values['match_name']}, so your invitation goes to its contributors."
                       if english else f"您在信中指名{_zh_name(match_values['match_name'], '名', '，')}，所以邀請會轉給他們的參與者。")
    else:
        who_invited = ("So the first question is: would you like to invite specific people, or a particular project "
                       "or working group?" if english else
                       "所以第一步想請您確認：您想邀請的是特定的個人，還是某個專案或工作小組？")
    return {
        "greeting": greeting,
        "sender_name": sender or _pick(_EMPTY["sender_name"], english),
        # A person writing for themselves is "you", not "your organization".
        "organization": organization or (_pick(_EMPTY["organization"], english) if formal else ("you" if english else "你")),
        "subject": subject or _pick(_EMPTY["subject"], english),
        "your_message": your_message,
        "received_date": received,
        "thanks": thanks,
        "steward_name": steward or _pick(_EMPTY["steward_name"], english),
        "category_name": _pick(_CATEGORY_NAMES[category], english),
        **match_values,
        "who_invited": who_invited,
        "oscvpass_applicants": _pick(_OSCVPASS_APPLICANTS, english)
        if _CERTIFICATION.search(f"{request.subject or ''}\n{request.body or ''}"[:20_000]) else "",
        **partner_values(partner, english=english, settings=settings),
    }


def _directory_entry(directory: Any, key: str | None) -> Any:
    """The routed entry, else the fallback route's; None without a directory."""
    if directory is None:
        return None
    entry = directory.get(key) if key else None
    return entry if entry is not None else directory.get(FALLBACK_ROUTE)


def _is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _gap(left: str, right: str) -> bool:
    """Chinese text puts a space between Han characters and Latin letters or digits."""
    return (_is_cjk(left) and _is_latin(right)) or (_is_latin(left) and _is_cjk(right))


def fill(body: str, values: Mapping[str, str]) -> str:
    """Substitute placeholders in one pass: values are never parsed as templates.

    Where a value meets the template text, a Han character next to a Latin
    letter or digit gets a space, so "聯絡{match_name}" reads "聯絡 Cofacts"
    and "聯絡零時小學校" alike.
    """
    parts, problems = parse_body(body)
    if problems:
        raise ConfigError(problems[0])
    pieces: list[str] = []
    after_value = False
    for literal, name in parts:
        if literal:
            if after_value and _gap(pieces[-1][-1], literal[0]):
                pieces.append(" ")
            pieces.append(literal)
            after_value = False
        value = values[name] if name else ""
        if value:
            if pieces and _gap(pieces[-1][-1], value[0]):
                pieces.append(" ")
            pieces.append(value)
            after_value = True
    return clean_text("".join(pieces)).strip()


def refuse_spam(request: Request, spam=None) -> None:
    """No reply text for spam: raises UsageError when the request is filed as spam or looks like it."""
    if request.status == "spam" or (spam is not None and spam.likely):
        why = "is filed as spam" if request.status == "spam" else f"looks like spam (score {spam.score})"
        raise UsageError(f"request {request.id} {why}: no reply drafted; use --force to draft one anyway")


def render_draft(
    request: Request,
    *,
    settings: Any,
    directory: Any,
    template_key: str | None = None,
    language: str | None = None,
    templates: Mapping[str, Template] | None = None,
    guidance: Sequence[GuidanceItem] | None = None,
    partner: Any = None,
    unsigned_ok: bool = False,
) -> RenderedDraft:
    """A reply to `request` and the checklist that goes with it.

    Without ``steward.name`` the draft is refused (SignatureMissing), unless
    `unsigned_ok` (a preview that is not saved): then the signature is a marked
    line the steward must fill in, which sending refuses like any other marker.

    `partner` is what the inbox remembers of the sender's organization
    (Store.partnership(request.id)); None drafts as for a first request.

    `directory` is anything with ``.get(key)`` returning a directory entry or
    None (steward.directory.entries's Directory, or a dict). Pass `templates` and
    `guidance` to avoid re-reading the files on every draft.
    """
    if templates is None:
        templates = load_templates(settings)
    facts = facts_of(request, partner=partner)
    key = template_key or choose_template(request.category, request.match, facts.triggers)
    template = templates.get(key)
    if template is None:
        raise UsageError(f"unknown template {key!r} (known: {', '.join(sorted(templates))})")
    lang = reply_language(language) if language else choose_language(request.language, settings.language)
    entry = _directory_entry(directory, request.match)
    values = placeholder_values(request, entry, settings=settings, language=lang, partner=partner)
    items = load_guidance(settings) if guidance is None else guidance
    template_body = template.body(lang)
    if template.category == "data" and entry is not None and not request.match:
        # A data question is about one project's data; the hackathon organizers are not
        # its source. Leave the project for the steward to name (sending refuses markers).
        english = is_english(lang)
        values["match_name"] = values["match_intro"] = ("[answer: the project behind this data]" if english
                                                        else "[回答：提供這份資料的專案]")
        values["match_contact"] = values["match_url"] = ("[answer: how to reach that project]" if english
                                                         else "[回答：這個專案的聯絡方式]")
    if "{steward_name}" in template_body and not one_line(getattr(settings, "signature", None) or ""):
        if not unsigned_ok:
            raise SignatureMissing()
        values["steward_name"] = UNSIGNED_EN if is_english(lang) else UNSIGNED_ZH
    # Nothing left once the template's own addresses are taken out: the entry's website, else
    # its contacts again (naming the right list twice beats pointing to the g0v home page).
    own_url = one_line(_entry_value(entry, "url")) if entry is not None else values["match_url"]
    values["match_contact"] = _contacts_not_in(template_body, values["match_contact"], own_url or values["match_contact"], lang)
    body = re.sub(r"\n{3,}", "\n\n", fill(template_body, values))  # an empty placeholder leaves no gap
    block = answers_block(facts, is_english(lang), values["match_name"], entry, named=names_entry(request, entry))
    if block:
        # After the greeting and the opening thanks, before the template's own answer.
        paragraphs = body.split("\n\n")
        at = min(2, len(paragraphs))
        while 0 < at < len(paragraphs) and paragraphs[at - 1].rstrip().endswith(("：", ":")):
            at += 1  # a paragraph that introduces a list keeps its list
        body = "\n\n".join([*paragraphs[:at], block, *paragraphs[at:]])
    from steward.partners.drafting import with_welcome

    body = with_welcome(body, template_body, values)
    return RenderedDraft(
        template=key,
        language=lang,
        body=body,
        checklist=checklist_for_request(request, items, facts),
        facts=facts,
    )


def request_checklist(
    store: Any, settings: Any, request: Request, check: Sequence[str] = (), uncheck: Sequence[str] = ()
) -> dict:
    """The `checklist --json` contract: request `request`'s guidance checklist, after ticking `check` and
    clearing `uncheck` (keys of items that apply to it; anything else is a UsageError and nothing is stored)."""
    every_item = load_guidance(settings)
    items = checklist_for_request(request, every_item, facts_of(request, partner=store.partnership(request.id)))
    applicable = [item.key for item in items]
    category = request.category or "other"
    for key in [*check, *uncheck]:
        if key in applicable:
            continue
        if any(item.key == key for item in every_item):
            raise UsageError(f"checklist item {key!r} does not apply to a {category} request")
        raise UsageError(f"unknown checklist item {key!r} (this request's items: {', '.join(applicable)})")
    both = sorted(set(check) & set(uncheck))
    if both:
        raise UsageError(f"both --check and --uncheck given for {', '.join(both)}")
    if check:
        store.set_checklist(request.id, list(check), True, known=applicable)
    if uncheck:
        store.set_checklist(request.id, list(uncheck), False, known=applicable)
    language = choose_language(request.language, settings.language)
    return {"request_id": request.id, "items": checklist_json(items, language, store.checklist_state(request.id))}


def draft_reply(
    store: Any, settings: Any, request: Request, *, template_key: str | None = None, language: str | None = None,
    save: bool = True, force: bool = False,
) -> tuple[RenderedDraft, int | None]:
    """What `steward draft` does: render a reply to `request` and, with `save`, store it as a new draft version.

    Returns the draft and its version (None when not saved). A request that looks like
    spam is refused (a UsageError) unless `force`.
    """
    from steward.directory.entries import load_directory

    if not force:
        refuse_spam(request, store.spam_verdict(request.id))
    rendered = render_draft(
        request, settings=settings, directory=load_directory(settings),
        template_key=template_key, language=language, partner=store.partnership(request.id),
        unsigned_ok=not save,  # a preview may show where the name goes; a saved draft needs it
    )  # fmt: skip
    version = None
    if save:
        version = store.save_draft(
            request.id, rendered.body, template=rendered.template, language=rendered.language
        ).version
    return rendered, version
