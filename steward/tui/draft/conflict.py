"""Two stewards saved the same draft: show both and let this one choose.

After a save is refused because another steward saved a newer version, the
dialog shows a unified diff of their text against ours and returns "mine" (save
ours over theirs), "theirs" (take their text) or None (keep editing and merge
by hand; Esc).
"""

from __future__ import annotations

import difflib

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from steward.models import DraftVersion
from steward.util.text import one_line
from steward.tui.i18n import t


def diff_content(theirs: DraftVersion, mine: str) -> Content:
    """A unified diff of their text against ours, coloured, never read as markup."""
    theirs_name = t("draft.conflict_theirs", version=theirs.version)
    lines = list(
        difflib.unified_diff(
            theirs.body.splitlines(), mine.splitlines(), fromfile=theirs_name, tofile=t("draft.conflict_yours"),
            lineterm="", n=2,
        )
    )
    if not lines:
        return Content(t("draft.conflict_same"))
    parts: list = []
    for line in lines:
        if line.startswith(("---", "+++")):
            style = "bold"
        elif line.startswith("@@"):
            style = "$accent"
        elif line.startswith("+"):
            style = "$success"
        elif line.startswith("-"):
            style = "$error"
        else:
            style = "$text-muted"
        parts.append((line + "\n", style))
    return Content.assemble(*parts)


class ConflictDialog(ModalScreen):
    """Their saved version against our text; returns "mine", "theirs" or None."""

    BINDINGS = [Binding("escape", "cancel", "bind.cancel", id="dialog.cancel")]
    # The diff takes what room is left and scrolls (Tab, then arrows); the choices stay in view.
    DEFAULT_CSS = """
    ConflictDialog .conflict {
        height: 90%;
    }
    ConflictDialog #conflict-diff {
        height: 1fr;
        margin: 1 0;
        background: $background;
    }
    """

    def __init__(self, theirs: DraftVersion, mine: str) -> None:
        super().__init__()
        self.theirs = theirs
        self.mine = mine

    def compose(self) -> ComposeResult:
        title = t("draft.conflict_title", author=one_line(self.theirs.author), version=self.theirs.version)
        with Vertical(classes="dialog dialog-wide conflict"):
            yield Static(Content(title), classes="dialog-title")
            yield Static(Content(t("draft.conflict_hint")), classes="dialog-hint")
            with VerticalScroll(id="conflict-diff"):
                yield Static(diff_content(self.theirs, self.mine))
            yield OptionList(
                Option(Content(t("draft.conflict_mine")), id="mine"),
                Option(Content(t("draft.conflict_take")), id="theirs"),
                Option(Content(t("draft.conflict_edit")), id="edit"),
            )

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(None if event.option.id == "edit" else event.option.id)
