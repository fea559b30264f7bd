"""The weekly summary as Markdown for HackMD and GitHub, in zh-TW or English.

Request text is untrusted: every piece of it goes through `md_text`, which
folds it onto one line, HTML-escapes ``< > &`` and backslash-escapes Markdown
punctuation. Backslash escapes are invisible once rendered, and they also stop
autolinking (``https\\://``, ``www\\.``, ``a\\@b\\.org``), emoji shortcodes and
HackMD's ``{%…%}`` embeds, so no link, image, heading or HTML can come from a
request.
"""

from __future__ import annotations

from datetime import date, timedelta

from steward.models import UsageError
from steward.summary import NONE_KEY, Row, Summary
from steward.text import fit, one_line

LANGS = ("zh-TW", "en")
PUBLIC_MARK = "<!-- steward:public -->"
PRIVATE_MARK = "<!-- steward:private: names and contact details, do not publish -->"
# Everything above this line is the digest (title and headline figures) that a
# Slack post carries; the tables follow it.
DETAILS_MARK = "<!-- steward:details -->"

SUBJECT_WIDTH = 48  # display columns; CJK characters count two
ORG_WIDTH = 28

# HTML-escaped rather than backslash-escaped, as the brief for HTML output asks.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# ASCII punctuation that never starts or ends Markdown, HackMD or GFM syntax.
_PLAIN_PUNCT = set(",;?'\"%/")
_ESCAPED = {
    chr(c): "\\" + chr(c)
    for c in range(0x21, 0x7F)
    if not chr(c).isalnum() and chr(c) not in _PLAIN_PUNCT and chr(c) not in _HTML
}
_TABLE = str.maketrans({**_ESCAPED, **_HTML})

_WORDS = {
    "zh-TW": {
        "title_week": "合作邀約週報：{week}（{start}–{end}）",
        "title_range": "合作邀約摘要：{start} 至 {end}",
        "period": "期間：{start} 至 {end}（{tz}），產生於 {generated}",
        "overview": "概況",
        "received": "收到：**{n}** 件",
        "standing": "其中已回覆 **{replied}** 件、已結案 **{closed}** 件、仍待處理 **{open}** 件",
        "standing_note": "（依產生摘要時的狀態；全收件匣仍待處理 {open_overall} 件）",
        "median": "首次回覆時間中位數：**{value}**（本期 {n} 件首次回覆）",
        "median_none": "首次回覆時間中位數：—（本期沒有首次回覆）",
        "overdue": "逾期未追蹤：**{n}** 件",
        "by_category": "依類別",
        "by_match": "依轉介的專案或工作小組",
        "by_channel": "依管道",
        "count": "件數",
        "category": "類別",
        "routed": "轉介",
        "channel": "管道",
        "requests": "本期收到的邀約",
        "cols": ["日期", "單位", "主旨", "類別", "轉介", "狀態", "負責人"],
        "none_received": "本期沒有收到邀約。",
        "done": "本期已回覆與結案",
        "done_note": "本期內回覆或結案的邀約，不論何時收到。",
        "done_item": "{at} {status}：{what}（{received} 收到）",
        "none_done": "本期沒有回覆或結案的邀約。",
        "attention": "需要注意",
        "stale": "超過 {days} 天仍待處理（{n} 件）",
        "stale_item": "{received} 收到，已 {age} 天 · {status} · {what}",
        "due": "追蹤日已到（{n} 件）",
        "due_item": "追蹤日 {due} · {status} · {what}",
        "more": "……另有 {n} 件未列出。",
        "nothing": "沒有。",
        "checklist": "送出回覆時最常未勾選的檢核項目",
        "sent": "本期送出 {n} 則回覆。",
        "none_sent": "本期沒有送出回覆。",
        "all_checked": "每則回覆送出時檢核項目都已勾選。",
        "item": "檢核項目",
        "times": "未勾選次數",
        "assignee_suffix": " · {name}",
        "no_org": "—",
        "no_subject": "（無主旨）",
        "none_category": "未分類",
        "none_match": "未轉介",
        "minutes": "{n} 分鐘",
        "hours": "{n} 小時",
        "days": "{n} 天",
        "weekdays": "一二三四五六日",
        "footer": "由 steward 產生。",
        "footer_public": "由 steward 產生；公開版已移除姓名、電子郵件與電話。",
    },
    "en": {
        "title_week": "Partner requests: week {week} ({start}–{end} {year})",
        "title_range": "Partner requests: {start} to {end}",
        "period": "Period: {start} to {end} ({tz}), generated {generated}",
        "overview": "At a glance",
        "received": "Received: **{n}**",
        "standing": "Of these, replied **{replied}**, closed **{closed}**, still open **{open}**",
        "standing_note": " (status at the time of export; {open_overall} open in the whole inbox)",
        "median": "Median time to first reply: **{value}** ({n} first replies in the period)",
        "median_none": "Median time to first reply: — (no first replies in the period)",
        "overdue": "Follow-ups overdue: **{n}**",
        "by_category": "By category",
        "by_match": "By project or working group",
        "by_channel": "By channel",
        "count": "Requests",
        "category": "Category",
        "routed": "Routed to",
        "channel": "Channel",
        "requests": "Requests received",
        "cols": ["Date", "Organization", "Subject", "Category", "Routed to", "Status", "Assignee"],
        "none_received": "No requests were received in this period.",
        "done": "Replied and closed in the period",
        "done_note": "Requests answered or closed during the period, whenever they arrived.",
        "done_item": "{at} {status}: {what} (received {received})",
        "none_done": "Nothing was replied to or closed in this period.",
        "attention": "Needs attention",
        "stale": "Open for more than {days} days ({n})",
        "stale_item": "received {received}, {age} days ago · {status} · {what}",
        "due": "Follow-ups due ({n})",
        "due_item": "follow up on {due} · {status} · {what}",
        "more": "… and {n} more not listed.",
        "nothing": "None.",
        "checklist": "Checklist items most often unchecked when replies were sent",
        "sent": "{n} replies were sent in the period.",
        "none_sent": "No replies were sent in the period.",
        "all_checked": "Every reply was sent with its checklist complete.",
        "item": "Checklist item",
        "times": "Times unchecked",
        "assignee_suffix": " · {name}",
        "no_org": "—",
        "no_subject": "(no subject)",
        "none_category": "Uncategorized",
        "none_match": "Not routed",
        "minutes": "{n} min",
        "hours": "{n} hours",
        "days": "{n} days",
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "footer": "Generated by steward.",
        "footer_public": "Generated by steward; this public version has no names, e-mail addresses or phone numbers.",
    },
}

CATEGORY_LABELS = {
    "collaboration": ("合作提案", "Collaboration"),
    "speaking": ("演講／活動邀約", "Talks and events"),
    "funding": ("募資／補助／贊助", "Funding and sponsorship"),
    "naming": ("名義與標誌", "Name and logo use"),
    "partnership": ("社群合作夥伴", "Community partnership"),
    "media": ("媒體採訪", "Media"),
    "data": ("資料／技術諮詢", "Data and technical questions"),
    "international": ("國際交流", "International exchange"),
    "volunteer": ("個人參與", "Volunteering"),
    "other": ("其他", "Other"),
}
STATUS_LABELS = {
    "new": ("新進", "new"),
    "triaged": ("已分類", "triaged"),
    "drafting": ("草擬中", "drafting"),
    "replied": ("已回覆", "replied"),
    "waiting": ("等待中", "waiting"),
    "closed": ("已結案", "closed"),
    "declined": ("已婉拒", "declined"),
    "spam": ("垃圾訊息", "spam"),
}
CHANNEL_LABELS = {
    "email": ("電子郵件", "Email"),
    "form": ("表單", "Form"),
    "facebook": ("Facebook", "Facebook"),
    "slack": ("Slack", "Slack"),
    "other": ("其他", "Other"),
}


# --- making untrusted text inert ------------------------------------------------


def md_text(value: str | None) -> str:
    """Untrusted text as inline Markdown that renders as exactly that text, on one line."""
    return one_line(value).translate(_TABLE)


def cell(value: str | None, width: int | None = None, empty: str = "—") -> str:
    text = one_line(value)
    if width:
        text = fit(text, width)
        if text.endswith("…"):
            text = text[:-1].rstrip() + "…"
    return md_text(text) if text else empty


# --- rendering ---------------------------------------------------------------------


class _Renderer:
    def __init__(self, summary: Summary, lang: str):
        if lang not in LANGS:
            raise UsageError(f"unknown language {lang!r} (expected zh-TW or en)")
        self.s = summary
        self.lang = lang
        self.w = _WORDS[lang]
        self.en = lang == "en"
        self.lines: list[str] = []

    # labels
    def _pick(self, pair: tuple[str, str]) -> str:
        return pair[1] if self.en else pair[0]

    def category(self, key: str | None) -> str:
        if not key or key == NONE_KEY:
            return self.w["none_category"]
        return self._pick(CATEGORY_LABELS[key]) if key in CATEGORY_LABELS else md_text(key)

    def project(self, key: str | None) -> str:
        if not key or key == NONE_KEY:
            return self.w["none_match"]
        names = self.s.project_names.get(key)
        return md_text(self._pick(names) if names else key)

    def status(self, key: str) -> str:
        return self._pick(STATUS_LABELS[key]) if key in STATUS_LABELS else md_text(key)

    def channel(self, key: str) -> str:
        return self._pick(CHANNEL_LABELS[key]) if key in CHANNEL_LABELS else md_text(key)

    def day(self, value: date, *, short: bool = False) -> str:
        weekday = self.w["weekdays"][value.weekday()]
        same_year = self.s.period.start.year == self.s.period.end.year == value.year
        if self.en:
            text = f"{weekday} {value.day} {value.strftime('%b')}"
            return text if short and same_year else f"{text} {value.year}"
        text = f"{value.month}/{value.day}（{weekday}）"
        return text if short and same_year else f"{value.year}/{text}"

    def plain_day(self, value: date) -> str:
        return f"{value.day} {value.strftime('%b')}" if self.en else f"{value.month}/{value.day}"

    def duration(self, value: timedelta) -> str:
        hours = value.total_seconds() / 3600
        if hours < 1:
            return self.w["minutes"].format(n=max(0, round(hours * 60)))
        if hours < 48:
            return self.w["hours"].format(n=f"{hours:.1f}".removesuffix(".0"))
        return self.w["days"].format(n=f"{hours / 24:.1f}".removesuffix(".0"))

    # blocks
    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def heading(self, level: int, text: str) -> None:
        self.add("#" * level + " " + text, "")

    def table(self, header: list[str], rows: list[list[str]], right: tuple[int, ...] = ()) -> None:
        self.add("| " + " | ".join(header) + " |")
        self.add("| " + " | ".join("---:" if i in right else "---" for i in range(len(header))) + " |")
        for row in rows:
            self.add("| " + " | ".join(row) + " |")
        self.add("")

    def render(self) -> str:
        s, w = self.s, self.w
        self.add(PUBLIC_MARK if s.public else PRIVATE_MARK, "")
        period = s.period
        if period.week:
            start = self.plain_day(period.start)
            if self.en and period.start.month == period.end.month:
                start = str(period.start.day)  # 16–22 Nov
            title = w["title_week"].format(
                week=period.week, start=start, end=self.plain_day(period.end), year=period.end.year
            )
        else:
            title = w["title_range"].format(start=period.start.isoformat(), end=period.end.isoformat())
        self.heading(1, title)
        local = s.generated_at.astimezone(_zone(s.timezone))
        self.add(
            w["period"].format(
                start=period.start.isoformat(), end=period.end.isoformat(), tz=md_text(s.timezone),
                generated=local.strftime("%Y-%m-%d %H:%M"),
            ),
            "",
        )
        self.overview()
        self.add(DETAILS_MARK, "")
        self.counts()
        self.requests()
        self.done()
        self.attention()
        self.checklist()
        self.add(w["footer_public"] if s.public else w["footer"])
        return "\n".join(self.lines) + "\n"

    def overview(self) -> None:
        s, w = self.s, self.w
        self.heading(2, w["overview"])
        median = (
            w["median"].format(value=self.duration(s.median_first_reply), n=s.first_replies)
            if s.median_first_reply is not None
            else w["median_none"]
        )
        self.add(
            "- " + w["received"].format(n=s.received),
            "- " + w["standing"].format(replied=s.replied, closed=s.closed, open=s.open)
            + w["standing_note"].format(open_overall=s.open_overall),
            "- " + median,
            "- " + w["overdue"].format(n=s.follow_ups_overdue),
            "",
        )

    def counts(self) -> None:
        s, w = self.s, self.w
        for title, column, counts, label in (
            (w["by_category"], w["category"], s.by_category, self.category),
            (w["by_match"], w["routed"], s.by_match, self.project),
            (w["by_channel"], w["channel"], s.by_channel, self.channel),
        ):
            self.heading(2, title)
            if counts:
                self.table([column, w["count"]], [[label(k), str(n)] for k, n in counts.items()], right=(1,))
            else:
                self.add(w["nothing"], "")

    def what(self, row: Row) -> str:
        """"Organization — subject" for list items; just the subject when there is no organization."""
        subject = cell(row.subject, SUBJECT_WIDTH, empty=self.w["no_subject"])
        org = cell(row.organization, ORG_WIDTH, empty="")
        return f"{org} — {subject}" if org else subject

    def requests(self) -> None:
        s, w = self.s, self.w
        self.heading(2, w["requests"])
        if not s.requests:
            self.add(w["none_received"], "")
            return
        header = list(w["cols"])
        if s.public:
            header = header[:-1]  # no assignees in public
        rows = []
        for r in s.requests:
            row = [
                self.day(r.date, short=True),
                cell(r.organization, ORG_WIDTH),
                cell(r.subject, SUBJECT_WIDTH, empty=w["no_subject"]),
                self.category(r.category),
                self.project(r.match),
                self.status(r.status),
            ]
            if not s.public:
                row.append(cell(r.assignee))
            rows.append(row)
        self.table(header, rows)

    def done(self) -> None:
        s, w = self.s, self.w
        self.heading(2, w["done"])
        rows = sorted([*s.replied_in_period, *s.closed_in_period], key=lambda r: (r.event_at, r.id))
        if not rows:
            self.add(w["none_done"], "")
            return
        self.add(w["done_note"], "")
        tz = _zone(s.timezone)
        for r in rows:
            self.add("- " + w["done_item"].format(
                at=self.day(r.event_at.astimezone(tz).date(), short=True),
                status=self.status(r.event or r.status),
                what=self.what(r),
                received=self.day(r.date, short=True),
            ) + self.assignee(r))
        self.add("")

    def assignee(self, row: Row) -> str:
        if self.s.public or not row.assignee:
            return ""
        return self.w["assignee_suffix"].format(name=md_text(row.assignee))

    def attention(self) -> None:
        s, w = self.s, self.w
        self.heading(2, w["attention"])
        self.heading(3, w["stale"].format(days=s.attention_days, n=s.stale_total))
        for r in s.stale:
            self.add("- " + w["stale_item"].format(
                received=self.day(r.date, short=True), age=r.age_days, status=self.status(r.status),
                what=self.what(r),
            ) + self.assignee(r))
        self.more(s.stale_total, len(s.stale))
        self.heading(3, w["due"].format(n=s.follow_ups_due_total))
        for r in s.follow_ups_due:
            self.add("- " + w["due_item"].format(
                due=self.day(r.follow_up_on, short=True), status=self.status(r.status),
                what=self.what(r),
            ) + self.assignee(r))
        self.more(s.follow_ups_due_total, len(s.follow_ups_due))

    def more(self, total: int, shown: int) -> None:
        if total == 0:
            self.add(self.w["nothing"])
        elif total > shown:
            self.add("", self.w["more"].format(n=total - shown))
        self.add("")

    def checklist(self) -> None:
        s, w = self.s, self.w
        self.heading(2, w["checklist"])
        if not s.replies_sent:
            self.add(w["none_sent"], "")
            return
        self.add(w["sent"].format(n=s.replies_sent), "")
        if not s.unchecked_at_send:
            self.add(w["all_checked"], "")
            return
        self.table([w["item"], w["times"]], [[md_text(k), str(n)] for k, n in s.unchecked_at_send], right=(1,))


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def render_markdown(summary: Summary, *, lang: str = "zh-TW") -> str:
    """The summary as a Markdown document (public summaries start with PUBLIC_MARK)."""
    return _Renderer(summary, lang).render()


def is_public(markdown: str) -> bool:
    """Whether a Markdown document is a summary rendered in public mode.

    The mark must be among the comment lines that open the document (a
    ``hackmd-note-id`` comment may come first); request text can never
    produce it, since `md_text` escapes ``<``.
    """
    for line in markdown.lstrip("\ufeff").splitlines():
        line = line.strip()
        if line == PUBLIC_MARK:
            return True
        if line and not (line.startswith("<!--") and line.endswith("-->")):
            return False
    return False
