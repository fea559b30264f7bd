"""One organization's screen (`o` on a request): history, people, agreements, giving back.

Every database call runs in a worker and posts the result back; names, subjects
and agreement texts are untrusted and only ever shown as plain Content.
Keys: `r` rename, `a` add an alias, `u` undo the organization's last change,
`ctrl+r` reload, `escape`/`q` back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from steward.models import StewardError
from steward.util.text import clean_text, one_line
from steward.tui.i18n import status_name, t
from steward.tui.partners.panel import commitment_name


@dataclass
class OrganizationData:
    organization: object | None
    requests: list[tuple] = field(default_factory=list)
    people: list = field(default_factory=list)
    agreements: list = field(default_factory=list)
    commitments: list = field(default_factory=list)
    history: list = field(default_factory=list)
    today: object = None


def load_organization(store, *, organization_id: int | None = None, request_id: int | None = None) -> OrganizationData:
    """Everything the screen shows, read in one go (call it from a worker)."""
    if organization_id is None and request_id is not None:
        organization_id = store.request_organization_id(request_id)
    if organization_id is None:
        return OrganizationData(organization=None)
    organization = store.get_organization(organization_id)
    return OrganizationData(
        organization=organization,
        requests=store.organization_requests(organization_id),
        people=store.organization_people(organization_id),
        agreements=store.agreements(organization_id=organization_id),
        commitments=store.commitments(organization_id=organization_id),
        history=store.organization_history(organization_id),
        today=store.today(),
    )


def organization_content(data: OrganizationData) -> Content:
    if data.organization is None:
        return Content(t("org.none"))
    o = data.organization
    parts: list = [(one_line(o.name), "bold"), (f"  #{o.id}\n", "$text-muted")]
    if o.aliases:
        parts.append((t("org.aliases", names=", ".join(one_line(a) for a in o.aliases)) + "\n", ""))
    if o.domains:
        parts.append((t("org.domains", domains=", ".join(one_line(d) for d in o.domains)) + "\n", ""))

    def heading(text: str) -> None:
        parts.append(("\n" + text + "\n", "bold $accent"))

    heading(t("org.requests", n=o.request_count))
    for rid, subject, status, received, assignee, _ in data.requests[:50]:
        line = f"#{rid:<6} {received.date().isoformat()}  {status_name(status):<8} {one_line(subject)[:60]}"
        parts.append((line + (f"  · {one_line(assignee)}" if assignee else "") + "\n", ""))
    heading(t("org.people"))
    for p in data.people[:20]:
        parts.append((f"{one_line(p.name) or '–'} <{one_line(p.email) or '–'}>  ({p.request_count})\n", ""))
    if not data.people:
        parts.append((t("org.nothing") + "\n", "$text-muted"))
    heading(t("org.agreements"))
    for a in data.agreements:
        project = f" [{one_line(a.project)}]" if a.project else ""
        parts.append((f"#{a.id} {a.created_at.date().isoformat()} {a.kind}{project}: ", "$text-muted"))
        parts.append((clean_text(a.text).strip() + "\n", ""))
    if not data.agreements:
        parts.append((t("org.nothing") + "\n", "$text-muted"))
    heading(t("org.commitments"))
    for c in data.commitments:
        late = data.today is not None and c.overdue(data.today)
        line = f"#{c.id} {commitment_name(c.kind)} · {c.due_on.isoformat()} · {c.state}"
        parts.append((line + (f" · {t('org.overdue')}" if late else ""), "bold $warning" if late or c.state == "lapsed" else ""))
        parts.append(((" " + one_line(c.text)) if c.text else "", "$text-muted"))
        parts.append("\n")
    if not data.commitments:
        parts.append((t("org.nothing") + "\n", "$text-muted"))
    heading(t("org.history"))
    for e in data.history[-30:]:
        change = f"{one_line(e.old) or '–'} → {one_line(e.new) or '–'}"
        parts.append((f"{e.at:%Y-%m-%d %H:%M}  ", "$text-muted"))
        parts.append((f"{one_line(e.actor)}  {e.action}  {change}  {one_line(e.detail)}\n", ""))
    return Content.assemble(*parts)


class OrganizationScreen(Screen):
    BINDINGS = [
        Binding("escape,q", "back", "bind.org_back", id="org.back"),
        Binding("r", "rename", "bind.org_rename", id="org.rename"),
        Binding("a", "alias", "bind.org_alias", id="org.alias"),
        Binding("u", "undo", "bind.org_undo", id="org.undo"),
        Binding("ctrl+r", "reload", "bind.org_reload", show=False, id="org.reload"),
        Binding("j,down", "scroll_down", show=False, id="org.down"),
        Binding("k,up", "scroll_up", show=False, id="org.up"),
    ]

    def __init__(self, *, request_id: int | None = None, organization_id: int | None = None) -> None:
        super().__init__(id="organization")
        self.request_id = request_id
        self.organization_id = organization_id
        self.data: OrganizationData | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble((t("org.title"), "bold")), id="org-title")
        with VerticalScroll(id="org-scroll"):
            yield Static(Content(t("org.loading")), id="org-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#org-scroll").focus()
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss()

    def action_scroll_down(self) -> None:
        self.query_one("#org-scroll", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#org-scroll", VerticalScroll).scroll_up()

    def action_reload(self) -> None:
        self._load(self.organization_id, self.request_id)

    @work(thread=True, exclusive=True, group="organization")
    def _load(self, organization_id: int | None, request_id: int | None) -> None:
        try:
            data = load_organization(self.app.store(), organization_id=organization_id, request_id=request_id)
        except StewardError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._show, data)

    def _show(self, data: OrganizationData) -> None:
        if not self.is_attached:
            return
        self.data = data
        if data.organization is not None:
            self.organization_id = data.organization.id
        self.query_one("#org-body", Static).update(organization_content(data))

    # --- changes: versioned, like every write ------------------------------------------

    def _ask(self, title: str, value: str, method: str, done_key: str) -> None:
        if self.data is None or self.data.organization is None:
            return
        from steward.tui.dialogs.prompts import PromptDialog

        seen = self.data.organization

        def chosen(text: str | None) -> None:
            if text and text.strip():
                self._change(method, seen.id, text.strip(), seen.version, done_key)

        self.app.push_screen(PromptDialog(title, value=value), chosen)

    def action_rename(self) -> None:
        name = self.data.organization.name if self.data and self.data.organization else ""
        self._ask(t("org.rename_title"), name, "rename_organization", "org.renamed")

    def action_alias(self) -> None:
        self._ask(t("org.alias_title"), "", "add_organization_alias", "org.aliased")

    @work(thread=True, group="organization-writes")
    def _change(self, method: str, organization_id: int, text: str, version: int, done_key: str) -> None:
        try:
            getattr(self.app.store(), method)(organization_id, text, expected_version=version)
        except StewardError as exc:  # StaleRecord too: someone else changed it; reload shows theirs
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
        else:
            self.app.call_from_thread(self.notify, t(done_key, name=one_line(text)), markup=False)
        self.app.call_from_thread(self.action_reload)

    def action_undo(self) -> None:
        if self.data is None or self.data.organization is None:
            return
        undoable = [e for e in self.data.history if e.undoable]
        if not undoable:
            self.notify(t("org.nothing_to_undo"))
            return
        self._undo(undoable[-1].id)

    @work(thread=True, group="organization-writes")
    def _undo(self, event_id: int) -> None:
        try:
            self.app.store().undo_organization_change(event_id)
        except StewardError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
        else:
            self.app.call_from_thread(self.notify, t("org.undone"))
        self.app.call_from_thread(self.action_reload)
