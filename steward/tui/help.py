"""The help screen, generated from the bindings themselves."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from steward.util.text import pad
from steward.tui import textual_compat
from steward.tui.bindings import description, key_display
from steward.tui.i18n import t


def binding_sections(app) -> list[tuple[str, list[Binding]]]:
    """(section title, bindings) for everything a steward can press, described in the current language."""
    from steward.tui.inbox import screen as screens
    from steward.tui.dialogs.prompts import NoteDialog
    from steward.tui.draft.checklist import ChecklistList
    from steward.tui.draft.screen import DraftScreen
    from steward.tui.dialogs.import_files import ImportDialog
    from steward.tui.inbox.request_list import InboxList
    from steward.tui.inbox.request_view import RequestView
    from steward.tui.summary.screen import SummaryScreen

    sections = [
        ("help.section.app", type(app)),
        ("help.section.inbox", screens.InboxScreen),
        ("help.section.inbox", InboxList),
        ("help.section.request", screens.RequestScreen),
        ("help.section.request", RequestView),
        ("help.section.draft", DraftScreen),
        ("help.section.draft", ChecklistList),
        ("help.section.summary", SummaryScreen),
        ("help.section.import", ImportDialog),
        ("help.section.dialogs", NoteDialog),
    ]
    merged: dict[str, dict[str, Binding]] = {}
    for title, cls in sections:
        section = merged.setdefault(title, {})
        for items in textual_compat.class_bindings(cls).key_to_bindings.values():
            for binding in items:
                if binding.system:
                    continue
                # One line per action: "q,ctrl+q" arrives as two bindings with one id.
                name = binding.id or f"{binding.action}:{binding.key}"
                if name in section:
                    keys = section[name].key.split(",")
                    if binding.key not in keys:
                        section[name] = replace(section[name], key=",".join([*keys, binding.key]))
                else:
                    section[name] = replace(binding, description=description(binding))
    return [(title, list(bindings.values())) for title, bindings in merged.items() if bindings]


class HelpScreen(ModalScreen):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "bind.back", id="help.close"),
        Binding("j,down", "scroll_down", "bind.scroll_down", show=False, id="help.down"),
        Binding("k,up", "scroll_up", "bind.scroll_up", show=False, id="help.up"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide help"):
            yield Static(Content(t("help.title")), classes="dialog-title")
            yield Static(Content(t("help.intro")), classes="dialog-hint")
            with VerticalScroll(id="help-body"):
                yield Static(self._table())
            yield Static(Content(t("help.close")), classes="dialog-hint")

    def _table(self) -> Content:
        parts: list = []
        for title, bindings in binding_sections(self.app):
            parts.append(("\n" + t(title) + "\n", "bold $accent"))
            for binding in bindings:
                keys = key_display(self.app, binding)
                # Padded by terminal cells, so Chinese descriptions line up too.
                parts.append(("  " + pad(keys, 22), "bold"))
                parts.append((pad(binding.description, 28), ""))
                parts.append((f"{binding.id or ''}\n", "$text-muted"))
        return Content.assemble(*parts)

    def action_scroll_down(self) -> None:
        self.query_one("#help-body").scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#help-body").scroll_up()

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(result)
