"""The status tab bar: one line, one widget, whatever the number of tabs.

Textual's Tabs makes a widget per tab and animates an underline; this bar is
drawn as a single line of Content, which keeps start-up and relabelling cheap.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class StatusTabs(Widget):
    """Tabs as (id, label) pairs; the active one is highlighted."""

    DEFAULT_CSS = """
    StatusTabs { height: 1; padding: 0 1; background: $surface; }
    """
    COMPONENT_CLASSES = {"status-tabs--active", "status-tabs--inactive"}

    active: reactive[int] = reactive(0)

    class Changed(Message):
        def __init__(self, index: int) -> None:
            self.index = index
            super().__init__()

    def __init__(self, labels: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = labels
        self._spans: list[tuple[int, int]] = []

    def set_labels(self, labels: list[str]) -> None:
        if labels != self.labels:
            self.labels = labels
            self.refresh()

    def render(self) -> Content:
        parts: list = []
        self._spans = []
        position = 0
        for index, label in enumerate(self.labels):
            text = f" {label} "
            style = "status-tabs--active" if index == self.active else "status-tabs--inactive"
            parts.append((text, self.get_visual_style(style)))
            width = Content(text).cell_length
            self._spans.append((position, position + width))
            position += width
            parts.append(" ")
            position += 1
        return Content.assemble(*parts)

    def watch_active(self, old: int, new: int) -> None:
        self.post_message(self.Changed(new))

    def select(self, index: int) -> None:
        if 0 <= index < len(self.labels):
            self.active = index

    def next(self, step: int = 1) -> None:
        if self.labels:
            self.active = (self.active + step) % len(self.labels)

    def on_click(self, event: events.Click) -> None:
        x = event.x - 1  # the left padding
        for index, (start, end) in enumerate(self._spans):
            if start <= x < end:
                self.select(index)
