"""The guidance checklist beside a draft: one option per item, space toggles it."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from steward.guidance import GuidanceItem
from steward.text import one_line
from steward.tui import i18n
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
