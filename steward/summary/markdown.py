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
from steward.summary.data import LIST_LIMIT, NONE_KEY, Row, Summary
from steward.summary.labels import CATEGORY_LABELS, CHANNEL_LABELS, STATUS_LABELS, WORDS
from steward.summary.labels import AGREEMENT_LABELS, COMMITMENT_LABELS, PARTNER_WORDS
from steward.util.text import fit, one_line

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
        self.w = WORDS[lang]
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
        self.giving_back_overdue()  # still under "needs attention"
        self.agreements_made()
        self.giving_back()
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
        """"Organization — subject" for list items; just the subject when there is no organization.

        A public summary names the category where the subject may not be shown.
        """
        if row.subject is None and self.s.public:
            subject = self.category(row.category)
        else:
            subject = cell(row.subject, SUBJECT_WIDTH, empty=self.w["no_subject"])
        org = cell(row.organization, ORG_WIDTH, empty="")
        return f"{org} — {subject}" if org else subject

    def requests(self) -> None:
        s, w = self.s, self.w
        self.heading(2, w["requests"])
        spam_note = [w["spam_note"].format(n=s.spam), ""] if s.spam else []
        if not s.requests:
            self.add(w["none_received"] if not s.spam else w["only_spam"], "", *spam_note)
            return
        header = list(w["cols"])
        # In public, subjects only where a steward approved one, and no assignees.
        subjects = not s.public or any(r.subject is not None for r in s.requests)
        if s.public:
            header = header[:-1]
        if not subjects:
            del header[2]
        rows = []
        for r in s.requests:
            if r.subject is None and s.public:
                subject = w["subject_withheld"]
            else:
                subject = cell(r.subject, SUBJECT_WIDTH, empty=w["no_subject"])
            row = [
                self.day(r.date, short=True),
                cell(r.organization, ORG_WIDTH),
                *([subject] if subjects else []),
                self.category(r.category),
                self.project(r.match),
                self.status(r.status),
            ]
            if not s.public:
                row.append(cell(r.assignee))
            rows.append(row)
        self.table(header, rows)
        self.add(*spam_note)

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

    # --- partners: agreements made, giving back (see summary.partner_section) ---------------

    def _partner_line(self, item, key: str) -> str:
        pw = PARTNER_WORDS[self.lang]
        labels = AGREEMENT_LABELS if item.state is None else COMMITMENT_LABELS
        text = f" {cell(item.text, SUBJECT_WIDTH, empty='')}" if item.text else ""
        return "- " + pw[key].format(
            day=self.day(item.day, short=True) if item.day else "",
            due=self.day(item.day, short=True) if item.day else "—",
            kind=self._pick(labels.get(item.kind, (item.kind, item.kind))),
            project=pw["project"].format(project=md_text(item.project)) if item.project else "",
            who=cell(item.organization, ORG_WIDTH, empty=pw["unknown_org"]),
            text=(" — " + text.strip()) if text else "",
            state=pw.get(item.state or "", item.state or ""),
            request=item.request_id,
        )

    def giving_back_overdue(self) -> None:
        partners = self.s.partners
        if partners is None:
            return
        pw = PARTNER_WORDS[self.lang]
        self.heading(3, pw["overdue"].format(n=len(partners.giving_back_overdue)))
        for item in partners.giving_back_overdue[:LIST_LIMIT]:
            self.add(self._partner_line(item, "overdue_item"))
        self.more(len(partners.giving_back_overdue), min(LIST_LIMIT, len(partners.giving_back_overdue)))

    def agreements_made(self) -> None:
        partners = self.s.partners
        if partners is None:
            return
        pw = PARTNER_WORDS[self.lang]
        self.heading(2, pw["agreements"])
        if not partners.agreements:
            self.add(pw["none_agreements"], "")
            return
        for item in partners.agreements:
            self.add(self._partner_line(item, "agreement_item"))
        self.add("")

    def giving_back(self) -> None:
        partners = self.s.partners
        if partners is None:
            return
        pw = PARTNER_WORDS[self.lang]
        self.heading(2, pw["giving_back"])
        self.add(pw["giving_back_counts"].format(
            done=len(partners.giving_back_done), overdue=len(partners.giving_back_overdue)
        ), "")
        for item in partners.giving_back_done:
            self.add(self._partner_line(item, "done_item"))
        if partners.giving_back_done:
            self.add("")

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
