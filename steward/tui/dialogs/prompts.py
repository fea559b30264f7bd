"""Small modal dialogs: pick one, type a line, write a note, fuzzy-pick a project."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from steward.tui.i18n import t


class _Dialog(ModalScreen):
    BINDINGS = [Binding("escape", "cancel", "bind.cancel", id="dialog.cancel")]

    def __init__(self, title: str, *, hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint

    def _title(self) -> ComposeResult:
        yield Label(Content(self.title_text), classes="dialog-title")
        if self.hint:
            yield Label(Content(self.hint), classes="dialog-hint")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def dismiss(self, result=None):
        # Two answers in one burst of keys (Enter, Enter) reach the dialog before it
        # has gone; Textual would pop whatever screen is on top by then a second time
        # (the follow-up question the first answer led to, or the screen below).
        if not self.is_current:
            from textual.await_complete import AwaitComplete

            return AwaitComplete.nothing()
        return super().dismiss(result)


class ChoiceDialog(_Dialog):
    """Pick one of a few values; returns its id."""

    def __init__(self, title: str, choices: list[tuple[str, str]], *, current: str | None = None, hint: str = ""):
        super().__init__(title, hint=hint)
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield from self._title()
            yield OptionList(*[Option(Content(label), id=value) for value, label in self.choices])

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [value for value, _ in self.choices]
        if self.current in ids:
            options.highlighted = ids.index(self.current)
        self.set_focus(options)  # at once: keys typed behind the one that opened us come here

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class PromptDialog(_Dialog):
    """Type one line; returns the text ('' is a valid answer, None is cancel)."""

    def __init__(self, title: str, *, value: str = "", hint: str = "", suggestions: list[str] | None = None):
        super().__init__(title, hint=hint)
        self.value = value
        self.suggestions = suggestions or []

    def compose(self) -> ComposeResult:
        from textual.suggester import SuggestFromList

        with Vertical(classes="dialog"):
            yield from self._title()
            yield Input(
                value=self.value,
                suggester=SuggestFromList(self.suggestions, case_sensitive=False) if self.suggestions else None,
            )
            yield Label("", classes="dialog-error")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))  # at once: keys typed behind the one that opened us come here

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class NoteDialog(_Dialog):
    """Write a multi-line note; Ctrl+S saves. Returns the text or None."""

    BINDINGS = [
        Binding("ctrl+s", "save", "bind.save", id="note.save", priority=True),
        Binding("escape", "cancel", "bind.cancel", id="note.cancel"),
    ]

    def __init__(self, title: str, *, text: str = "", error: str = "") -> None:
        super().__init__(title, hint=error)
        self.text = text

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea  # only notes need the editor: keep start-up light

        with Vertical(classes="dialog dialog-wide"):
            yield from self._title()
            yield TextArea(self.text, id="note-text", soft_wrap=True, show_line_numbers=False)

    def on_mount(self) -> None:
        area = self.query_one("#note-text")
        self.set_focus(area)
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#note-text").text)


class FuzzyPicker(_Dialog):
    """Type to narrow a long list (the directory); returns the chosen id."""

    def __init__(self, title: str, items: list[tuple[str, str, str]], *, placeholder: str = "", extra: tuple[str, str] | None = None):
        # items: (id, label, text searched in addition to the label)
        super().__init__(title)
        self.items = items
        self.placeholder = placeholder
        self.extra = extra

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield from self._title()
            yield Input(placeholder=self.placeholder)
            yield OptionList()

    def on_mount(self) -> None:
        self._fill("")
        self.set_focus(self.query_one(Input))

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        from textual.fuzzy import Matcher

        options = self.query_one(OptionList)
        options.clear_options()
        matcher = Matcher(query) if query else None
        scored = []
        for item_id, label, extra in self.items:
            score = max(matcher.match(label), matcher.match(extra)) if matcher else 1.0
            if score > 0:
                scored.append((score, item_id, label))
        scored.sort(key=lambda row: -row[0])
        if self.extra and not query:
            options.add_option(Option(Content(self.extra[1]), id=self.extra[0]))
        options.add_options([Option(Content(label), id=item_id) for _, item_id, label in scored])
        if options.option_count:
            options.highlighted = 0

    def on_key(self, event) -> None:
        # Arrow keys move in the list while typing goes to the input.
        if event.key in ("down", "up"):
            options = self.query_one(OptionList)
            if event.key == "down":
                options.action_cursor_down()
            else:
                options.action_cursor_up()
            event.stop()

    @on(Input.Submitted)
    def submitted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class ConfirmDialog(_Dialog):
    """Yes or no."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(title, hint=message)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield from self._title()
            yield OptionList(Option(Content(t("dialog.ok")), id="yes"), Option(Content(t("dialog.cancel")), id="no"))

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id == "yes")
