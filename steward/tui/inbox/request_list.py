"""The inbox list: rows paged from SQLite and drawn line by line.

A ``ScrollView`` whose ``render_line`` draws only what is in view (as Toolong
does). Pages of rows are fetched in worker threads near the viewport, rendered
lines are kept in an LRU cache, so 100,000 requests scroll like 100.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import date, datetime

from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from steward.models import Request, RequestFilter
from steward.util.text import one_line
from steward.tui.i18n import category_name, status_name, t
from steward.tui.inbox.columns import fit_cells, layout_columns

PAGE_SIZE = 100


class InboxList(ScrollView, can_focus=True):
    """Every request under the current filter, newest activity first."""

    COMPONENT_CLASSES = {
        "inbox-list--cursor",
        "inbox-list--marked",
        "inbox-list--overdue",
        "inbox-list--due",
        "inbox-list--dim",
        "inbox-list--new",
    }
    BINDINGS = [
        Binding("j,down", "cursor_down", "bind.down", show=False, id="inbox.down"),
        Binding("k,up", "cursor_up", "bind.up", show=False, id="inbox.up"),
        Binding("pagedown,ctrl+f", "page_down", "bind.page_down", show=False, id="inbox.page_down"),
        Binding("pageup,ctrl+b", "page_up", "bind.page_up", show=False, id="inbox.page_up"),
        Binding("g,home", "first", "bind.first", show=False, id="inbox.first"),
        Binding("G,end", "last", "bind.last", show=False, id="inbox.last"),
        Binding("enter", "open", "bind.open", show=False, id="inbox.open"),
        Binding("space", "toggle_mark", "bind.mark", show=False, id="inbox.mark"),
        Binding("escape", "clear_marks", "bind.mark_none", show=False, id="inbox.mark_none"),
    ]

    cursor: reactive[int] = reactive(0)
    total: reactive[int] = reactive(-1)

    class CursorMoved(Message):
        def __init__(self, request: Request | None) -> None:
            self.request = request
            super().__init__()

    class Opened(Message):
        def __init__(self, request: Request) -> None:
            self.request = request
            super().__init__()

    class Loaded(Message):
        """A new count arrived (after a filter change or a refresh)."""

        def __init__(self, total: int) -> None:
            self.total = total
            super().__init__()

    def __init__(self, fetch: Callable[[], object], open_store: Callable[[], object], *, tz=None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tz = tz
        # `fetch()` returns a Store usable in the calling (worker) thread; the list's
        # own queries run on a connection of their own, so a stale one can be interrupted.
        self._store_for_thread = fetch
        self._open_store = open_store
        self._query_store = None
        self._query_lock = threading.Lock()
        self.counting = False
        self.filter = RequestFilter()
        self.generation = 0
        self.applied_generation = -1  # the last query whose rows are on screen
        self.pages: LRUCache[int, list[Request]] = LRUCache(maxsize=64)
        self.pending: set[int] = set()
        self.lines: LRUCache[tuple, Strip] = LRUCache(maxsize=2048)
        # Marked requests by id, as last seen: acting on them needs no query.
        self.marked: dict[int, Request] = {}
        self.today = date.today()
        self._reported_id: int | None = None

    # --- loading --------------------------------------------------------------

    def set_filter(self, flt: RequestFilter) -> None:
        self.filter = flt
        self.reload(keep_cursor=False)

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Forget what is cached and fetch the rows in view, then the count, again."""
        self.generation += 1
        if self._query_store is not None:
            # The query typed a keystroke ago is no longer wanted: stop it now.
            self._query_store.interrupt()
        if not keep_cursor:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        first_page, self.app.first_page = getattr(self.app, "first_page", None), None
        if first_page is not None and first_page.flt == self.filter:
            # Read before Textual was imported: draw it now, count in the background.
            exact = len(first_page.rows) if len(first_page.rows) < PAGE_SIZE else None
            self._apply_rows(self.generation, 0, first_page.rows, exact, datetime.now(self.tz).date())
            if exact is None:
                self.call_after_refresh(self._count, self.generation, self.filter)
            return
        self._load(self.generation, self.filter, self.cursor, self.size.height)

    @work(thread=True, exclusive=True, group="inbox-count")
    def _count(self, generation: int, flt: RequestFilter) -> None:
        total = self._store_for_thread().count(flt)
        self.app.call_from_thread(self._apply_count, generation, total)

    @work(thread=True, exclusive=True, group="inbox-query")
    def _load(self, generation: int, flt: RequestFilter, cursor: int, visible: int) -> None:
        # `exclusive` cancels the older worker's task, not its thread: the lock keeps two
        # threads off the one connection (unsafe, and an interrupt meant for the older
        # query would stop this one too). The older one, interrupted, lets go at once.
        with self._query_lock:
            if self._query_store is None:
                self._query_store = self._open_store()
            store = self._query_store
            for _attempt in range(10):
                if generation != self.generation:
                    return
                try:
                    self._query(store, generation, flt, cursor, visible)
                    return
                except sqlite3.OperationalError as exc:
                    if "interrupted" not in str(exc):
                        raise
                    # Interrupted on behalf of a newer query; if this is the newest, try again.

    def _query(self, store, generation: int, flt: RequestFilter, cursor: int, visible: int) -> None:
        first = max(0, cursor) // PAGE_SIZE
        if first == 0 and flt.query.strip() and 0 < visible < PAGE_SIZE:
            # Typed text: a short (often Chinese) term is a scan that stops once it has
            # enough rows, so ask for a screenful first and draw it, then the page.
            head = store.list_requests(flt, limit=visible + 1, brief=True)
            if len(head) <= visible:  # that is all of them
                self.app.call_from_thread(self._apply_rows, generation, 0, head, len(head), store.today())
                return
            self.app.call_from_thread(self._apply_rows, generation, 0, head, None, store.today())
        rows = store.list_requests(flt, limit=PAGE_SIZE, offset=first * PAGE_SIZE, brief=True)
        if first and not rows:  # the cursor's page is gone (the list shrank): start over
            first, rows = 0, store.list_requests(flt, limit=PAGE_SIZE, brief=True)
        exact = len(rows) if first == 0 and len(rows) < PAGE_SIZE else None
        # Rows first, so the screen answers the keystroke; the count can follow.
        self.app.call_from_thread(self._apply_rows, generation, first, rows, exact, store.today())
        if exact is None:
            total = store.count(flt)
            self.app.call_from_thread(self._apply_count, generation, total)

    def _apply_rows(self, generation: int, page: int, rows: list[Request], exact: int | None, today: date) -> None:
        if generation != self.generation:
            return  # a newer filter or refresh superseded this one
        self.applied_generation = generation
        self.pages.clear()
        self.pending.clear()
        self.lines.clear()
        self.pages[page] = rows
        self.today = today
        known = page * PAGE_SIZE + len(rows)
        self.counting = exact is None
        self._set_total(exact if exact is not None else max(known, min(self.total, known + PAGE_SIZE)))
        if exact is not None:
            self.post_message(self.Loaded(exact))
        self._report_cursor(force=True)

    def _apply_count(self, generation: int, total: int) -> None:
        if generation != self.generation:
            return
        self.counting = False
        self._set_total(total)
        self.post_message(self.Loaded(total))

    def _set_total(self, total: int) -> None:
        self.total = total
        self.virtual_size = Size(self.size.width, total)
        self.cursor = min(self.cursor, max(total - 1, 0))
        self._scroll_cursor_into_view()
        self.refresh()

    def _need_page(self, page: int) -> None:
        if page in self.pending or page < 0 or page * PAGE_SIZE >= max(self.total, 0):
            return
        self.pending.add(page)
        self._fetch_page(self.generation, self.filter, page)

    @work(thread=True, group="inbox-pages")
    def _fetch_page(self, generation: int, flt: RequestFilter, page: int) -> None:
        rows = self._store_for_thread().list_requests(flt, limit=PAGE_SIZE, offset=page * PAGE_SIZE, brief=True)
        self.app.call_from_thread(self._apply_page, generation, page, rows)

    def _apply_page(self, generation: int, page: int, rows: list[Request]) -> None:
        if generation != self.generation:
            return
        self.pending.discard(page)
        self.pages[page] = rows
        self.lines.clear()
        self.refresh()
        self._report_cursor()

    def request_at(self, index: int) -> Request | None:
        page = self.pages.get(index // PAGE_SIZE)
        if page is None:
            return None
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    @property
    def current(self) -> Request | None:
        return self.request_at(self.cursor) if self.total > 0 else None

    def replace_request(self, request: Request) -> None:
        """Show a changed request at once, before the next reload confirms it."""
        if request.id in self.marked:
            self.marked[request.id] = request
        for page_number in list(self.pages.keys()):
            rows = self.pages.get(page_number)
            if rows is None:
                continue
            for i, row in enumerate(rows):
                if row.id == request.id:
                    rows[i] = request
        self.lines.clear()
        self.refresh()

    # --- drawing --------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if self.total == 0 and y == 1:
            return Strip([Segment("  " + t("list.empty"), self.get_component_rich_style("inbox-list--dim"))])
        if index >= max(self.total, 0):
            return Strip.blank(width, self.rich_style)
        request = self.request_at(index)
        if request is None:
            self._need_page(index // PAGE_SIZE)
            # Also warm the next page so paging down never waits.
            return Strip([Segment(fit_cells("  " + t("list.loading"), width), self.get_component_rich_style("inbox-list--dim"))])
        if (index + PAGE_SIZE // 2) // PAGE_SIZE != index // PAGE_SIZE:
            self._need_page(index // PAGE_SIZE + 1)
        key = (request.id, request.version, width, index == self.cursor, request.id in self.marked, self.has_focus)
        strip = self.lines.get(key)
        if strip is None:
            strip = self._render_row(request, width, index == self.cursor)
            self.lines[key] = strip
        return strip

    def _render_row(self, request: Request, width: int, selected: bool) -> Strip:
        base = self.rich_style
        if request.id in self.marked:
            base += self.get_component_rich_style("inbox-list--marked")
        if selected:
            cursor_style = self.get_component_rich_style("inbox-list--cursor")
            base += cursor_style if self.has_focus else Style(bgcolor=cursor_style.bgcolor, dim=False)
        dim = self.get_component_rich_style("inbox-list--dim", partial=True)
        columns = layout_columns(width)
        subject_width = max(1, width - sum(c.width + 1 for c in columns if c.width))
        segments: list[Segment] = []
        for column in columns:
            cell_width = column.width or subject_width
            text, style = self._cell(request, column.key, dim)
            segments.append(Segment(fit_cells(text, cell_width), base + style if style else base))
            segments.append(Segment(" ", base))
        return Strip(segments[:-1]).adjust_cell_length(width, base)

    def _cell(self, r: Request, key: str, dim: Style) -> tuple[str, Style | None]:
        if key == "marker":
            mark = "●" if r.id in self.marked else " "
            if r.follow_up_on and r.is_open:
                if r.follow_up_on < self.today:
                    return mark + "!", self.get_component_rich_style("inbox-list--overdue", partial=True)
                if (r.follow_up_on - self.today).days <= 2:
                    return mark + "⚑", self.get_component_rich_style("inbox-list--due", partial=True)
            return mark + " ", None
        if key == "date":
            # Like a mail client: the time today, the day this year, the month before.
            moment = r.last_activity_at.astimezone(self.tz)
            if moment.date() == self.today:
                return f"{moment:%H:%M}", dim
            if moment.year == self.today.year:
                return f"{moment:%m-%d}", dim
            return f"{moment:%Y-%m}", dim
        if key == "from":
            return one_line(r.organization or r.from_name or r.from_email) or "–", None
        if key == "subject":
            subject = one_line(r.subject)
            if not subject:
                return one_line(r.body)[:200] or t("list.no_subject"), dim
            style = self.get_component_rich_style("inbox-list--new", partial=True) if r.status == "new" else None
            return subject, style
        if key == "category":
            return category_name(r.category, short=True), dim
        if key == "match":
            return r.match or "–", None
        if key == "status":
            return status_name(r.status), None
        if key == "assignee":
            return one_line(r.assignee) or "–", dim
        return "", None

    # --- moving ---------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        self.lines.clear()
        self._scroll_cursor_into_view()
        self.refresh()
        self._report_cursor()

    def _report_cursor(self, force: bool = False) -> None:
        request = self.current
        request_id = request.id if request else None
        if force or request_id != self._reported_id:
            self._reported_id = request_id
            self.post_message(self.CursorMoved(request))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def _move_to(self, index: int) -> None:
        if self.total > 0:
            self.cursor = max(0, min(index, self.total - 1))

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self._move_to(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self._move_to(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(self.total - 1)

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current))

    def action_toggle_mark(self) -> None:
        request = self.current
        if request is None:
            return
        if self.marked.pop(request.id, None) is None:
            self.marked[request.id] = request
        self.lines.clear()
        self.refresh()
        self.action_cursor_down()

    def action_clear_marks(self) -> None:
        self.marked.clear()
        self.lines.clear()
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        self._move_to(round(self.scroll_y) + event.y)
        if event.chain == 2:
            self.action_open()

    def on_focus(self) -> None:
        self.lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self.lines.clear()
        self.refresh()

    def on_unmount(self) -> None:
        if self._query_store is not None:
            self._query_store.interrupt()
            self._query_store = None  # closed once the worker using it lets go

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, max(self.total, 0))
        self.lines.clear()
        self._scroll_cursor_into_view()
