"""The guidance checklist beside a draft: one option per item, space toggles it.

ChecklistList shows the items; DraftChecklist (a mixin for DraftScreen) keeps
their state, saves each toggle and inserts an item's paragraph into the reply.
"""

from __future__ import annotations


from textual import work
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from steward.drafting.guidance import GuidanceItem
from steward.util.text import one_line
from steward.tui import i18n
from steward.tui.dialogs.prompts import FuzzyPicker
from steward.tui.draft.data import DB_ERRORS
from steward.tui.i18n import t

STRINGS = {
    "draft.area.naming": ("名義", "naming"),
    "draft.area.licensing": ("授權", "licensing"),
    "draft.area.giving_back": ("回饋", "giving back"),
    "draft.area.process": ("流程", "process"),
    "draft.area.partnership": ("合作", "partnership"),
    "draft.area.money": ("金錢", "money"),
    "draft.area.privacy": ("隱私", "privacy"),
    "draft.required": ("必要", "required"),
    "draft.checklist_title": ("檢核清單 {done}/{total}", "Checklist {done}/{total}"),
    "draft.required_open": ("{n} 項必要未確認", "{n} required open"),
    "draft.checklist_empty": ("這類請求沒有檢核項目", "No checklist items for this kind of request"),
    "draft.source": ("出處 {source}：{title}", "Source {source}: {title}"),
    "bind.draft_toggle": ("勾選", "Check"),
    "bind.draft_insert": ("插入段落", "Insert paragraph"),
    "draft.snippet_title": ("插入指引段落", "Insert a guidance paragraph"),
    "draft.snippet_search": ("輸入關鍵字…", "Type to search…"),
    "draft.check_failed": ("無法儲存檢核狀態：{error}", "Could not save the checklist: {error}"),
}
i18n.CATALOGUE.update(STRINGS)



def area_name(area: str) -> str:
    return t(f"draft.area.{area}") if f"draft.area.{area}" in i18n.CATALOGUE else area


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
    """The items of one request's checklist; its screen keeps the state and saves it."""

    BINDINGS = [
        Binding("space", "screen.toggle_item", "bind.draft_toggle", id="draft.toggle"),
        Binding("i", "screen.insert_item", "bind.draft_insert", id="draft.insert"),
    ]

    def show_items(self, items: list[GuidanceItem], state: dict[str, bool], language: str) -> None:
        highlighted = self.highlighted
        self.set_options(
            [Option(item_prompt(item, state.get(item.key, False), language), id=item.key) for item in items]
        )
        if items:
            self.highlighted = min(highlighted or 0, len(items) - 1)

    def update_item(self, item: GuidanceItem, checked: bool, language: str) -> None:
        self.replace_option_prompt(item.key, item_prompt(item, checked, language))

    @property
    def highlighted_key(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None


class DraftChecklist:
    """The checklist side of the draft screen."""

    def item(self, key: str | None) -> GuidanceItem | None:
        for item in self.data.items if self.data and key else []:
            if item.key == key:
                return item
        return None

    def refresh_from_store(self) -> None:
        """The inbox changed (maybe another steward): show the checklist as it is now."""
        if self.data is not None:
            self._reload_checklist(self._check_edits)

    @work(thread=True, exclusive=True, group="draft-checklist-read")
    def _reload_checklist(self, edits: int) -> None:
        with self._write_lock:
            try:
                state = self.app.store().checklist_state(self.request.id)
            except DB_ERRORS:
                return
        self.app.call_from_thread(self._checklist_reloaded, state, edits)

    def _checklist_reloaded(self, state: dict[str, bool], edits: int) -> None:
        # A toggle made since the read started wins over what was read.
        if not self.closed and edits == self._check_edits and state != self.state:
            self.state = state
            self.checklist.show_items(self.data.items, self.state, self.language)
            self._refresh_summary()

    def action_toggle_item(self) -> None:
        item = self.item(self.checklist.highlighted_key)
        if item is None:
            return
        self.state[item.key] = not self.state.get(item.key, False)
        self._check_edits += 1
        self.checklist.update_item(item, self.state[item.key], self.language)
        self._refresh_summary()
        self._persist_check(item.key)

    @work(thread=True, group="draft-checklist")
    def _persist_check(self, key: str) -> None:
        with self._write_lock:
            # The state as it is now, not as it was when this toggle was queued,
            # so quick toggles end where the steward left them.
            checked = self.state.get(key, False)
            before = self.version
            try:
                after = self.app.store().set_checklist(
                    self.request.id, [key], checked, known=[item.key for item in self.data.items]
                )
            except DB_ERRORS as exc:
                self.app.call_from_thread(self.notify, t("draft.check_failed", error=str(exc)), severity="error")
                return
            if after.version in (before, before + 1):  # only our own change: still up to date
                self.version = after.version

    def action_insert_item(self) -> None:
        item = self.item(self.checklist.highlighted_key)
        if item is not None:
            self.insert_text(item.snippet(self.language))

    def action_pick_snippet(self) -> None:
        if self.data is None or not self.data.items:
            return
        choices = [
            (item.key, f"{area_name(item.area)} · {one_line(item.text(i18n.language()))}",
             f"{item.key} {item.area} {item.text_zh} {item.text_en}")
            for item in self.data.items
        ]

        def chosen(key: str | None) -> None:
            item = self.item(key)
            if item is not None:
                self.insert_text(item.snippet(self.language))

        self.app.push_screen(FuzzyPicker(t("draft.snippet_title"), choices, placeholder=t("draft.snippet_search")), chosen)
