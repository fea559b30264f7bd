"""The inbox's columns: which fit the width, and the header row above the list."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from steward.tui.i18n import t
from steward.util.text import pad


@dataclass(frozen=True)
class Column:
    key: str
    width: int  # 0: takes the rest


def layout_columns(width: int) -> list[Column]:
    """Which columns fit, most useful first; the subject takes what is left."""
    fixed = [Column("marker", 2), Column("date", 7)]
    optional = [
        Column("from", 16), Column("status", 8), Column("category", 10),
        Column("match", 14), Column("assignee", 9),
    ]
    used = sum(c.width + 1 for c in fixed) + 28  # the subject keeps at least 28 cells
    chosen = []
    for column in optional:
        if used + column.width + 1 <= width:
            chosen.append(column)
            used += column.width + 1
    order = ["marker", "date", "from", "subject", "category", "match", "status", "assignee"]
    columns = {c.key: c for c in [*fixed, *chosen, Column("subject", 0)]}
    return [columns[k] for k in order if k in columns]


def fit_cells(text: str, width: int) -> str:
    """Exactly `width` cells; cut with an ellipsis, never through a wide character (steward.util.text.pad)."""
    return pad(text, width)


class InboxHeader(Widget):
    """Column titles, aligned with the rows of the InboxList below."""

    DEFAULT_CSS = "InboxHeader { height: 1; }"

    def render_line(self, y: int) -> Strip:
        style = self.rich_style
        cells = []
        for column in layout_columns(self.size.width):
            width = column.width or self._subject_width()
            title = "" if column.key == "marker" else t(f"col.{column.key}")
            cells.append(fit_cells(title, width))
        return Strip([Segment(" ".join(cells), style)]).adjust_cell_length(self.size.width, style)

    def _subject_width(self) -> int:
        columns = layout_columns(self.size.width)
        return max(1, self.size.width - sum(c.width + 1 for c in columns if c.width))
