"""The inbox screen (tabs, filter, list, side view) and the narrow request screen."""

from __future__ import annotations


from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label, Static

from steward.store.filtering import parse_filter
from steward.models import OPEN_STATUSES, STATUSES, Request, RequestFilter, StewardError
from steward.util.text import one_line
from steward.tui.inbox.actions import ActionScreen
from steward.tui.i18n import status_name, t
from steward.tui.inbox.columns import InboxHeader
from steward.tui.inbox.request_list import InboxList
from steward.tui.inbox.request_view import RequestDetails, RequestView, load_details
from steward.tui.inbox.tabs import StatusTabs
from steward.tui.wide_chars import install as keep_wide_characters_whole

keep_wide_characters_whole()  # toasts and dialogs over two panes (see wide_chars)

TAB_STATUSES = ["new", "triaged", "drafting", "waiting", "replied", "closed", "all", "declined", "spam"]
# Side by side from this many columns; narrower, the request opens on its own screen.
WIDE = 100
VIEW_DELAY = 0.06  # seconds


def _fit_footer(footer: Footer, width: int) -> None:
    """Below WIDE columns: compact, and without `^p Commands`, so `? Help` is not cut off
    (Ctrl+P still works, and the help lists it)."""
    footer.compact = width < WIDE
    footer.show_command_palette = width >= WIDE


class TitleBar(Static):
    """The inbox name and its counts."""


class InboxScreen(ActionScreen):
    TYPED_ACTIONS = ActionScreen.TYPED_ACTIONS | {"filter"}  # `/` inside the filter is text

    BINDINGS = [
        # Priority: handled as the key arrives, so what is typed right after `/` (in the
        # same packet over a slow link) already goes to the filter, not to the list.
        Binding("slash", "filter", "bind.filter", id="inbox.filter", priority=True),
        Binding("tab", "next_tab", "bind.next_tab", show=False, id="inbox.next_tab"),
        Binding("shift+tab", "prev_tab", "bind.prev_tab", show=False, id="inbox.prev_tab"),
        *[
            Binding(str(n), f"tab({n - 1})", f"tab {n}", show=False, id=f"inbox.tab_{n}")
            for n in range(1, 10)
        ],
        Binding("right,l", "focus_view", "bind.focus_view", show=False, id="inbox.focus_view"),
        Binding("ctrl+r", "refresh", "bind.refresh", show=False, id="inbox.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="inbox")
        self.tab_filters: list[tuple[str, RequestFilter]] = []
        self.active_tab = 0
        self.filter_text = ""
        # The message for a filter that does not parse: shown until the text changes, whatever
        # count of the list (still under the last good filter) or refresh arrives meanwhile.
        self.filter_error: str | None = None
        self.counts: dict[str, int] = {}
        self.total_all = 0
        self._view_timer = None

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar(id="title-bar")
        yield StatusTabs(self._tabs(), id="status-tabs")
        yield Horizontal(id="filter-bar")  # filled on the first `/`: start-up stays light
        with Horizontal(id="main"):
            with Vertical(id="list-pane"):
                yield InboxHeader(id="inbox-header")
                yield InboxList(self.app.store, self.app.open_store, tz=self.app.settings.tz, id="inbox-list")
            yield RequestView(id="side-view")
        yield Footer()

    def _tabs(self) -> list[str]:
        """The tab labels; also (re)builds the filter behind each tab."""
        self.tab_filters = []
        labels = []
        for status in TAB_STATUSES:
            flt = RequestFilter() if status == "all" else RequestFilter(statuses=(status,))
            self.tab_filters.append((status, flt))
            labels.append(self._tab_label(status))
        for saved in self.app.settings.filters:
            try:
                flt = parse_filter(saved.query, me=self.app.settings.steward_name)
            except StewardError:
                continue  # a broken saved filter is reported by `steward config check`
            self.tab_filters.append((saved.name, flt))
            labels.append(one_line(saved.name))
        return labels

    def _tab_label(self, status: str) -> str:
        name = t("tab.all") if status == "all" else status_name(status)
        count = self.total_all if status == "all" else self.counts.get(status)
        return f"{name} {count}" if count is not None and self.counts else name

    def on_mount(self) -> None:
        self.query_one(InboxList).focus()
        self._apply_filter()
        self.call_after_refresh(self.refresh_counts)  # the rows paint first
        self._update_layout(self.app.size.width)

    def on_resize(self, event) -> None:
        self._update_layout(event.size.width)

    def on_unmount(self) -> None:
        if self._view_timer is not None:
            self._view_timer.stop()

    def _update_layout(self, width: int) -> None:
        self.set_class(width < WIDE, "narrow")
        # At 80 columns the spaced-out footer cuts its last keys off mid-word.
        _fit_footer(self.query_one(Footer), width)

    @property
    def inbox(self) -> InboxList:
        return self.query_one(InboxList)

    @property
    def view(self) -> RequestView:
        return self.query_one("#side-view", RequestView)

    # --- filtering and tabs ---------------------------------------------------

    def current_filter(self) -> RequestFilter:
        _, base = self.tab_filters[self.active_tab]
        if not self.filter_text.strip():
            return base
        flt = parse_filter(self.filter_text, me=self.app.settings.steward_name, base=base)
        return flt

    def _apply_filter(self) -> None:
        try:
            flt = self.current_filter()
        except StewardError as exc:
            self.filter_error = str(exc).split(" (")[0]  # the list of valid values is in the help
            self._show_filter_count(None)
            return
        self.filter_error = None
        self.inbox.set_filter(flt)

    def _show_filter_count(self, text: str | None) -> None:
        """The label right of the filter: the error while there is one, else `text`."""
        if not self.is_attached:
            return
        for label in self.query("#filter-count").results(Label):  # built on the first `/`
            if self.filter_error is not None:
                label.update(Content(t("filter.error", error=self.filter_error)))
            elif text is not None:
                label.update(Content(text))

    def action_tab(self, index: int) -> None:
        self.query_one(StatusTabs).select(index)

    def action_next_tab(self) -> None:
        self.query_one(StatusTabs).next(1)

    def action_prev_tab(self) -> None:
        self.query_one(StatusTabs).next(-1)

    @on(StatusTabs.Changed)
    def tab_activated(self, event: StatusTabs.Changed) -> None:
        if event.index != self.active_tab:
            self.active_tab = event.index
            self._apply_filter()

    async def action_filter(self) -> None:
        bar = self.query_one("#filter-bar")
        if not bar.children:
            await bar.mount_all([Input(placeholder=t("filter.placeholder"), id="filter"), Label("", id="filter-count")])
        bar.display = True
        self.set_focus(self.query_one("#filter", Input))  # now, before the keys queued behind `/`

    @on(Input.Changed, "#filter")
    def filter_typed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self._apply_filter()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.inbox.focus()

    def on_key(self, event) -> None:
        focused = self.focused
        if event.key == "escape" and isinstance(focused, Input) and focused.id == "filter":
            self.clear_filter()
            event.stop()

    def clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.filter_text = ""
        self.query_one("#filter-bar").display = False
        self.filter_error = None
        self.query_one("#filter-count", Label).update("")
        self.inbox.focus()
        self._apply_filter()

    @on(InboxList.CursorMoved)
    def _counting(self) -> None:
        if self.filter_text.strip() and self.inbox.counting:
            self._show_filter_count("…")

    @on(InboxList.Loaded)
    def loaded(self, event: InboxList.Loaded) -> None:
        if self.filter_text.strip():
            self._show_filter_count(t("filter.count", n=event.total))

    # --- counts ------------------------------------------------------------------

    def refresh_counts(self) -> None:
        self._load_counts()

    @work(thread=True, exclusive=True, group="counts")
    def _load_counts(self) -> None:
        # Tab counts are per status over the whole inbox (the filter has its own
        # count), so typing a filter never re-lays out the tab bar.
        counts = self.app.store().status_counts()
        self.app.call_from_thread(self._show_counts, counts)

    def _show_counts(self, counts: dict[str, int], *, force: bool = False) -> None:
        if (counts == self.counts and not force) or not self.is_attached:
            return
        self.counts = counts
        self.total_all = sum(counts.values())
        tabs = self.query_one(StatusTabs)
        tabs.set_labels([self._tab_label(status) for status in TAB_STATUSES] + tabs.labels[len(TAB_STATUSES):])
        open_count = sum(counts.get(s, 0) for s in OPEN_STATUSES)
        self.query_one(TitleBar).update(
            Content.assemble(
                (t("app.title"), "bold"),
                ("  " + self.app.inbox_label + "  ", "$text-muted"),
                t("app.open_count", open=open_count, total=self.total_all),
            )
        )

    # --- the request on screen -----------------------------------------------

    def targets(self) -> list[Request]:
        inbox = self.inbox
        if inbox.marked:
            return list(inbox.marked.values())
        return [inbox.current] if inbox.current else []

    @on(InboxList.CursorMoved)
    def cursor_moved(self, event: InboxList.CursorMoved) -> None:
        if self.has_class("narrow"):
            return
        # Load the view once the cursor rests, not for every row flown past with j held.
        request_id = event.request.id if event.request else None
        if self._view_timer is not None:
            self._view_timer.stop()
        self._view_timer = self.set_timer(VIEW_DELAY, lambda: self._load_view(request_id))

    @on(InboxList.Opened)
    def opened(self, event: InboxList.Opened) -> None:
        if self.has_class("narrow"):
            self.app.push_screen(RequestScreen(event.request))
        else:
            self.view.focus()

    def action_focus_view(self) -> None:
        if not self.has_class("narrow"):
            self.view.focus()

    @on(RequestView.Leave)
    def view_left(self, event: RequestView.Leave) -> None:
        event.stop()
        self.inbox.focus()

    def reload_details(self) -> None:
        current = self.inbox.current
        self._load_view(current.id if current else None)

    @work(thread=True, exclusive=True, group="view")
    def _load_view(self, request_id: int | None) -> None:
        details = load_details(self.app.store(), request_id, self.app.directory) if request_id else None
        self.app.call_from_thread(self._show_view, details)

    def _show_view(self, details: RequestDetails | None) -> None:
        if not self.is_attached:
            return  # the app closed while the view was loading
        current = self.inbox.current
        if details is None or (current is not None and current.id == details.request.id):
            self.view.show(details)

    def changed(self, requests: list[Request]) -> None:
        for request in requests:
            self.inbox.replace_request(request)
        self.app.refresh_inbox()

    def refresh_from_store(self) -> None:
        """Someone (maybe us) changed the file: reload rows, counts and the view."""
        self.inbox.reload()
        self.refresh_counts()
        if not self.has_class("narrow"):
            self.reload_details()

    def action_refresh(self) -> None:
        self.refresh_from_store()

    def retranslate(self) -> None:
        for field in self.query("#filter").results(Input):  # built on the first `/`
            field.placeholder = t("filter.placeholder")
        self._show_counts(self.counts, force=True)
        self.query_one(InboxHeader).refresh()
        self.inbox.lines.clear()
        self.inbox.refresh()
        self.view.refresh_text()


class RequestScreen(ActionScreen):
    """A request on its own screen, for terminals narrower than WIDE columns."""

    # Hidden in the footer: the focused view shows its own `esc Back`, which ends here.
    BINDINGS = [Binding("escape,q,left,h", "back", "bind.back", show=False, id="request.back")]

    def __init__(self, request: Request) -> None:
        super().__init__()
        self.request = request

    def compose(self) -> ComposeResult:
        yield TitleBar(Content.assemble((t("app.title"), "bold"), "  #" + str(self.request.id)), id="title-bar")
        yield RequestView(id="full-view")
        yield Footer()

    def on_mount(self) -> None:
        _fit_footer(self.query_one(Footer), self.app.size.width)
        self.query_one(RequestView).focus()
        self.reload_details()

    def targets(self) -> list[Request]:
        return [self.request]

    def reload_details(self) -> None:
        self._load(self.request.id)

    @work(thread=True, exclusive=True, group="view")
    def _load(self, request_id: int) -> None:
        details = load_details(self.app.store(), request_id, self.app.directory)
        self.app.call_from_thread(self._show, details)

    def _show(self, details: RequestDetails) -> None:
        if not self.is_attached:
            return  # closed while the request was loading
        self.request = details.request
        self.query_one(RequestView).show(details)

    def changed(self, requests: list[Request]) -> None:
        self.request = requests[-1]
        self.reload_details()
        self.app.refresh_inbox()

    def refresh_from_store(self) -> None:
        self.reload_details()

    def action_back(self) -> None:
        self.dismiss()

    @on(RequestView.Leave)
    def view_left(self, event: RequestView.Leave) -> None:
        event.stop()
        self.action_back()

    def retranslate(self) -> None:
        self.query_one(RequestView).refresh_text()


__all__ = ["InboxScreen", "RequestScreen", "STATUSES"]
