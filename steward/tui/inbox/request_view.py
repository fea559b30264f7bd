"""One request in full: headers, the body verbatim, matches, checklist, history.

Request text is untrusted: it is cleaned of control codes and only ever put
into ``Content`` as plain text, never parsed as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message as UIMessage
from textual.widget import Widget
from textual.widgets import Static

from steward.models import CategoryGuess, DraftVersion, Event, Match, Message, Request, SpamVerdict
from steward.util.text import clean_text, one_line
from steward.tui.i18n import category_name, channel_name, has, status_name, t
from steward.tui.partners.panel import PartnerPanel


@dataclass
class RequestDetails:
    """Everything the view shows, loaded in one worker."""

    request: Request
    guess: CategoryGuess | None = None
    matches: list[Match] = field(default_factory=list)
    match_names: dict[str, str] = field(default_factory=dict)
    checklist: dict[str, bool] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    drafts: list[DraftVersion] = field(default_factory=list)
    history: list[Event] = field(default_factory=list)
    spam: SpamVerdict | None = None
    partner: object = None  # a Partnership: what the inbox remembers of the sender's organization
    facts: object = None  # steward.drafting.facts.RequestFacts: questions, dates, sender type, channel


def load_details(store, request_id: int, directory=None) -> RequestDetails:
    request = store.get(request_id)
    matches = store.matches(request_id)
    names = {}
    if directory is not None:
        for key in {m.key for m in matches} | ({request.match} if request.match else set()):
            entry = directory.get(key)
            if entry is not None:
                names[key] = entry.name_en if _english() else entry.name
    from steward.drafting.facts import facts_of

    partner = store.partnership(request_id)
    return RequestDetails(
        request=request,
        facts=facts_of(request, partner=partner),
        guess=store.category_guess(request_id),
        matches=matches,
        match_names=names,
        checklist=store.checklist_state(request_id),
        messages=store.messages(request_id),
        drafts=store.drafts(request_id),
        history=store.history(request_id),
        spam=store.spam_verdict(request_id),
        partner=partner,
    )


def _english() -> bool:
    from steward.tui.i18n import language

    return language() == "en"


def _when(moment) -> str:
    from steward.tui.i18n import display_tz

    return f"{moment.astimezone(display_tz()):%Y-%m-%d %H:%M}"


# Characters of a body shown in the preview (about ten pages; `steward show` has it all).
BODY_LIMIT = 20_000


class RequestBody(Widget):
    """The request text, wrapped by cell with Chinese line-breaking rules (cjk_wrap),
    cached per width; always plain text (Content), never markup."""

    DEFAULT_CSS = """
    RequestBody { height: auto; text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = ""
        self._wrapped: tuple[int, list[str]] | None = None

    def update(self, text: str) -> None:
        self.text = text
        self._wrapped = None
        self.refresh(layout=True)

    def lines(self, width: int) -> list[str]:
        if self._wrapped is None or self._wrapped[0] != width:
            if not self.text.strip(" "):  # nothing shown yet (the first screen): no wrapping module to load
                self._wrapped = (width, [""])
                return self._wrapped[1]
            from steward.tui.cjk_wrap import wrap  # BudouX loads only once Chinese is shown

            self._wrapped = (width, wrap(self.text, width))
        return self._wrapped[1]

    def get_content_width(self, container, viewport) -> int:
        return container.width

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return Content("\n".join(self.lines(self.content_region.width or self.size.width)))


class RequestView(VerticalScroll, can_focus=True):
    """Shows a RequestDetails; scrolls with j/k when focused."""

    BINDINGS = [
        Binding("j,down", "scroll_down", "bind.scroll_down", show=False, id="view.down"),
        Binding("k,up", "scroll_up", "bind.scroll_up", show=False, id="view.up"),
        Binding("pagedown,space", "page_down", "bind.page_down", show=False, id="view.page_down"),
        Binding("pageup", "page_up", "bind.page_up", show=False, id="view.page_up"),
        # The view's own: VerticalScroll binds left to scrolling, which would keep the
        # steward in here. Its screen decides what leaving means (the list, or back).
        # Shown: the footer tells a steward reading the preview how to get back.
        Binding("escape,left,h", "leave", "bind.back", id="view.back"),
    ]

    class Leave(UIMessage):
        """The steward is done reading: Esc, left or h in the view."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.details: RequestDetails | None = None

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def compose(self) -> ComposeResult:
        yield Static(Content(t("view.none")), id="view-headers", classes="view-headers")
        yield RequestBody(id="view-body", classes="view-body")
        yield PartnerPanel(id="view-partner", classes="view-partner")
        yield Static(id="view-meta", classes="view-meta")

    def show(self, details: RequestDetails | None) -> None:
        before = self.details.request.id if self.details else None
        self.details = details
        self.refresh_text()
        if (details.request.id if details else None) != before:
            self.scroll_home(animate=False)  # another request starts at its top

    def refresh_text(self) -> None:
        try:
            headers = self.query_one("#view-headers", Static)
            body = self.query_one("#view-body", RequestBody)
            meta = self.query_one("#view-meta", Static)
        except NoMatches:
            return  # being taken down as the app closes: a late load has nowhere to go
        if self.details is None:
            headers.update(Content(t("view.none")))
            body.update("")
            meta.update(Content(""))
            self.query_one(PartnerPanel).clear()
            return
        headers.update(self._headers(self.details))
        text = clean_text(self.details.request.body) or " "
        if len(text) > BODY_LIMIT:  # wrapped on the event loop: keep it to a few milliseconds
            text = text[:BODY_LIMIT] + "\n\n" + t("view.truncated", n=len(text) - BODY_LIMIT)
        body.update(text)
        meta.update(self._meta(self.details))
        self.query_one(PartnerPanel).show(self.details.partner)

    def _headers(self, d: RequestDetails) -> Content:
        r = d.request
        subject = one_line(r.subject) or t("list.no_subject")
        sender = one_line(r.from_name)
        if r.from_email:
            sender = f"{sender} <{one_line(r.from_email)}>".strip()
        routed = r.match and f"{d.match_names.get(r.match, r.match)} ({r.match})"
        category = category_name(r.category)
        if r.category_manual:
            category += " " + t("view.manual")
        if r.match_manual and routed:
            routed += " " + t("view.manual")
        follow = "–"
        if r.follow_up_on:
            follow = r.follow_up_on.isoformat()
        rows = [
            ("view.from", sender or "–"),
            ("view.organization", one_line(r.organization) or "–"),
            ("view.channel", channel_name(r.channel)),
            ("view.received", _when(r.received_at)),
            ("view.status", status_name(r.status)),
            ("view.category", category),
            ("view.routed", routed or t("view.no_match")),
            ("view.assignee", one_line(r.assignee) or "–"),
            ("view.tags", ", ".join(one_line(tag) for tag in r.tags) or "–"),
            ("view.follow_up", follow),
        ]
        parts: list = [(f"#{r.id}  ", "$text-muted"), (subject, "bold"), "\n"]
        for key, value in rows:
            parts.extend([(f"{t(key)}: ", "$text-muted"), (value, ""), "\n"])
        return Content.assemble(*parts[:-1])

    @staticmethod
    def _facts(facts, parts: list, heading) -> None:
        """Questions, deadlines and other dates, amounts, sender type and channel: plain text, never markup."""
        heading("view.facts")
        kind = facts.sender_type
        parts.append((f"{t('view.sender_type')}: ", "$text-muted"))
        parts.append((f"{t('sender.' + kind)} · {t('view.channel')}: {one_line(facts.channel)}\n", ""))
        deadlines = [m for m in facts.dates if m.deadline]
        others = [m for m in facts.dates if not m.deadline]
        for key, mentions, style in (("view.deadlines", deadlines, "bold $warning"), ("view.dates", others, "")):
            if mentions:
                parts.append((f"{t(key)}: ", "$text-muted"))
                shown = ", ".join(f"{m.on.isoformat()} ({one_line(m.text)})" for m in mentions)
                parts.append((shown + "\n", style))
        if facts.amounts:
            parts.append((f"{t('view.amounts')}: ", "$text-muted"))
            parts.append((", ".join(one_line(a) for a in facts.amounts) + "\n", ""))
        if facts.questions:
            parts.append((t("view.questions") + ":\n", "$text-muted"))
            for number, question in enumerate(facts.questions, 1):
                parts.append((f"{number:>2}. {one_line(question)}\n", ""))

    def _meta(self, d: RequestDetails) -> Content:
        parts: list = []

        def heading(key: str) -> None:
            parts.append(("\n" + t(key) + "\n", "bold $accent"))

        if d.facts is not None:
            self._facts(d.facts, parts, heading)
        heading("view.matches")
        if d.spam is not None and d.spam.likely and d.request.status != "spam":
            reasons = d.spam.reasons_zh if not _english() and d.spam.reasons_zh else d.spam.reasons
            parts.append((t("view.looks_like_spam", score=d.spam.score) + "\n", "bold $warning"))
            if reasons:
                parts.append(("  " + "; ".join(one_line(x) for x in reasons) + "\n", "$text-muted"))
        if d.guess:
            parts.append((f"{t('view.category_suggested')}: {category_name(d.guess.key)} ({d.guess.score})", ""))
            if d.guess.reasons:
                parts.append(("  " + "; ".join(one_line(x) for x in d.guess.reasons), "$text-muted"))
            parts.append("\n")
        if not d.matches:
            parts.append((t("view.no_match") + "\n", "$text-muted"))
        for m in d.matches:
            name = d.match_names.get(m.key, m.key)
            parts.append((f"{m.score:>3}  {name} ({m.key})\n", ""))
            if m.reasons:
                parts.append(("     " + "; ".join(one_line(x) for x in m.reasons) + "\n", "$text-muted"))

        if d.checklist:
            heading("view.checklist")
            done = sum(d.checklist.values())
            parts.append((t("view.checklist_progress", done=done, total=len(d.checklist)) + "\n", ""))
            for key, checked in sorted(d.checklist.items()):
                parts.append((("[x] " if checked else "[ ] ") + key + "\n", "" if checked else "$text-muted"))

        if len(d.messages) > 1:
            heading("view.conversation")
            for message in d.messages[1:]:
                who = one_line(message.from_name or message.from_email) or "?"
                parts.append((t("view.reply_from", who=who, when=_when(message.received_at)) + "\n", "bold"))
                parts.append((clean_text(message.body).strip() + "\n", ""))
        attachments = [a for m in d.messages for a in m.attachments]
        if attachments:
            heading("view.attachments")
            for a in attachments:
                parts.append((f"{one_line(str(a.get('name')))}  {one_line(str(a.get('type')))}  {a.get('size')} B\n", ""))

        if d.drafts:
            heading("view.drafts")
            for draft in d.drafts:
                line = t("view.draft_line", version=draft.version, author=one_line(draft.author), when=_when(draft.created_at))
                if draft.sent_at:
                    line += f" · {t('view.sent')} {_when(draft.sent_at)}"
                parts.append((line + "\n", ""))

        notes = [e for e in d.history if e.action == "note"]
        if notes:
            heading("view.notes")
            for note in notes:
                parts.append((f"{_when(note.at)} {one_line(note.actor)}\n", "$text-muted"))
                parts.append((clean_text(note.detail or "").strip() + "\n", ""))

        heading("view.history")
        for event in d.history:
            if event.action == "note":
                change = one_line(event.detail)[:60]
            elif event.action == "status":
                change = f"{status_name(event.old or '')} → {status_name(event.new or '')}"
            elif event.action == "import":
                change = one_line(event.detail) if event.detail else ""
            else:
                change = f"{one_line(event.old) or '–'} → {one_line(event.new) or '–'}"
            # An action this version has no name for (a newer steward wrote it) shows as stored.
            label = t(f"event.{event.action}") if has(f"event.{event.action}") else one_line(event.action)
            parts.append((f"{_when(event.at)}  ", "$text-muted"))
            parts.append((f"{one_line(event.actor)}  {label}  {change}\n", ""))
        return Content.assemble(*parts)
