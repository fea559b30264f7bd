"""Keep wide (Chinese) characters whole where an overlay crosses widget edges.

Textual's compositor cuts every screen line at the edges of *all* widgets on it,
also those hidden under a toast or a dialog, and cuts the top widget's line there
too; a Chinese character straddling such an edge is split into two spaces. So the
toast after `L` read `介面語言：    中文` at 120 columns: `繁體` sat on the edge of the
list and the request view (Textualize/textual#6357, open).

This patch replaces the one private method involved, ``Compositor._render_chops``
(reached through steward.tui.textual_compat, like every private Textual name):
where one widget wins several neighbouring pieces of a line, the first piece gets
that widget's whole run and the others are left empty, so nothing is cut inside it.
``tests/test_tui_inbox_edges.py`` checks the toast; tests/test_textual_compat.py
fails loudly if a Textual upgrade moves the method or changes its signature.
"""

from __future__ import annotations

from textual.strip import Strip

from steward.tui import textual_compat

_EMPTY = Strip([], 0)
# Fails at import, loudly, if an upgrade renames what this replaces.
_ORIGINAL = textual_compat.compositor_render_chops()
_installed = False


def _render_chops_whole(self, crop, is_rendered_line):
    cuts = self.cuts
    chops = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for region, clip, strips in textual_compat.compositor_renders(self, crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            # Runs of neighbouring pieces no widget in front has claimed: this one wins them.
            index = 0
            while index < len(final_cuts) - 1:
                if line.get(final_cuts[index]) is not None:
                    index += 1
                    continue
                end = index
                while end + 1 < len(final_cuts) - 1 and line.get(final_cuts[end + 1]) is None:
                    end += 1
                start_x, end_x = final_cuts[index], final_cuts[end + 1]
                line[start_x] = strip.crop(start_x - render_x, end_x - render_x)
                for inner in final_cuts[index + 1 : end + 1]:
                    line[inner] = _EMPTY
                index = end + 1
    return chops


def install() -> None:
    """Idempotent; called when the inbox screens are imported."""
    global _installed
    if not _installed:
        textual_compat.replace_compositor_render_chops(_render_chops_whole)
        _installed = True
