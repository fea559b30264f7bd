"""The guidance checklist beside a draft: a widget that owns its items and their
state and tells its screen what the steward did, with messages.

`ChecklistPanel` shows a summary line, the items (`ChecklistList`, space toggles
one, `i` asks for its paragraph) and the source of the highlighted item. It
posts `ChecklistPanel.ItemToggled` and `ChecklistPanel.InsertRequested`; the
screen saves the toggle and inserts the paragraph. What the store says the state
is arrives through `stored_state()`, which a toggle made since the read wins over.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from steward.drafting.guidance import GuidanceItem
from steward.util.text import one_line
from steward.tui import i18n
from steward.tui.i18n import t


def area_name(area: str) -> str:
    return t(f"draft.area.{area}") if i18n.has(f"draft.area.{area}") else area


def item_prompt(item: GuidanceItem, checked: bool, language: str) -> Content:
    """"[x] area · S1 · required", then the item's text in the draft's language."""
    parts: list = [
        ("[x] " if checked else "[ ] ", "bold $success" if checked else "bold"),
        (f"{area_name(item.area)} · {item.source}", "$text-muted"),
    ]
    if item.required:
        parts.append((" · " + t("draft.required"), "$text-muted" if checked else "bold $warning"))
    parts.append(("\n" + one_line(item.text(language)), "$text-muted" if checked else ""))
    return Content.assemble(*parts)


def checklist_summary(items: list[GuidanceItem], state: dict[str, bool]) -> Content:
    if not items:
        return Content(t("draft.checklist_empty"))
    done = sum(state.get(item.key, False) for item in items)
    open_required = sum(item.required and not state.get(item.key, False) for item in items)
    parts: list = [(t("draft.checklist_title", done=done, total=len(items)), "bold")]
    if open_required:
        parts.append(("  " + t("draft.required_open", n=open_required), "$warning"))
    return Content.assemble(*parts)


class ChecklistList(OptionList):
    """The items of one request's checklist, inside a ChecklistPanel."""

    BINDINGS = [
        Binding("space", "toggle_item", "bind.draft_toggle", id="draft.toggle"),
        Binding("i", "insert_item", "bind.draft_insert", id="draft.insert"),
    ]

    def action_toggle_item(self) -> None:
        self.query_ancestor(ChecklistPanel).toggle_highlighted()

    def action_insert_item(self) -> None:
        self.query_ancestor(ChecklistPanel).insert_highlighted()

    @property
    def highlighted_key(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None


class ChecklistPanel(Vertical):
    """One request's checklist: its items, their state, the summary and the source line."""

    class ItemToggled(Message):
        """The steward checked or unchecked an item (the panel shows it already)."""

        def __init__(self, item: GuidanceItem, checked: bool) -> None:
            super().__init__()
            self.item = item
            self.checked = checked

    class InsertRequested(Message):
        """The steward asked for an item's paragraph in the reply."""

        def __init__(self, item: GuidanceItem) -> None:
            super().__init__()
            self.item = item

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[GuidanceItem] = []
        self.state: dict[str, bool] = {}
        self.language = "zh-TW"  # the reply's language: the items are shown in it
        self.edits = 0  # toggles made here; a read of the store started before one is stale
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(id="checklist-summary")
        yield ChecklistList(id="checklist")
        yield Static(id="checklist-source")

    @property
    def options(self) -> ChecklistList:
        return self.query_one(ChecklistList)

    # --- what the screen tells the panel ---------------------------------------------

    def show(self, items: list[GuidanceItem], state: dict[str, bool], language: str) -> None:
        self.items, self.state, self.language, self.loaded = list(items), dict(state), language, True
        self._show_items()

    def set_language(self, language: str) -> None:
        self.language = language
        self._show_items()

    def stored_state(self, state: dict[str, bool], edits: int) -> bool:
        """The state read from the store when `edits` toggles had been made; True if shown."""
        if not self.loaded or edits != self.edits or state == self.state:
            return False
        self.state = dict(state)
        self._show_items()
        return True

    def retranslate(self) -> None:
        if self.loaded:
            self._show_items()

    # --- what the steward does here -------------------------------------------------------

    def item(self, key: str | None) -> GuidanceItem | None:
        return next((item for item in self.items if key and item.key == key), None)

    @property
    def highlighted_item(self) -> GuidanceItem | None:
        return self.item(self.options.highlighted_key)

    def toggle_highlighted(self) -> None:
        item = self.highlighted_item
        if item is None:
            return
        checked = self.state[item.key] = not self.state.get(item.key, False)
        self.edits += 1
        self.options.replace_option_prompt(item.key, item_prompt(item, checked, self.language))
        self._show_summary()
        self.post_message(self.ItemToggled(item, checked))

    def insert_highlighted(self) -> None:
        item = self.highlighted_item
        if item is not None:
            self.post_message(self.InsertRequested(item))

    @on(OptionList.OptionHighlighted, "#checklist")
    def _highlighted(self) -> None:
        self._show_source()

    @on(OptionList.OptionSelected, "#checklist")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.toggle_highlighted()

    # --- drawing --------------------------------------------------------------------------

    def _show_items(self) -> None:
        options = self.options
        highlighted = options.highlighted
        options.set_options(
            [Option(item_prompt(item, self.state.get(item.key, False), self.language), id=item.key) for item in self.items]
        )
        if self.items:
            options.highlighted = min(highlighted or 0, len(self.items) - 1)
        self._show_summary()
        self._show_source()

    def _show_summary(self) -> None:
        self.query_one("#checklist-summary", Static).update(checklist_summary(self.items, self.state))

    def _show_source(self) -> None:
        item = self.highlighted_item
        text = t("draft.source", source=item.source, title=one_line(item.source_title)) if item else ""
        self.query_one("#checklist-source", Static).update(Content(text))
