"""Every use of Textual's private API, behind functions with plain names.

steward needs a few things Textual does not (yet) expose: re-describing the
bindings of classes and live nodes when the language changes, reading the keymap
the app was given, telling whether a widget is a TextArea without importing the
editor at start-up, and the compositor method patched for Textualize/textual#6357
(see wide_chars). Nothing else in steward touches a private Textual name.

``PRIVATE_API`` lists each private name relied on; tests/test_textual_compat.py
checks every one against the installed Textual and fails naming the one an
upgrade removed or renamed. That test and the snapshots are what guard a
Textual upgrade (pyproject.toml allows newer 8.x releases).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

from textual.binding import BindingsMap

# (module, owner within it or "", attribute): every private name used below.
PRIVATE_API: tuple[tuple[str, str, str], ...] = (
    ("textual.dom", "DOMNode", "_merged_bindings"),  # a class's bindings, merged with its bases'
    ("textual.dom", "DOMNode", "_merge_bindings"),  # classmethod: merge them afresh
    ("textual.dom", "DOMNode", "_bindings"),  # instance attribute, set in __init__
    ("textual.app", "App", "_keymap"),  # instance attribute, set in __init__ / set_keymap
    ("textual.widgets._text_area", "", "TextArea"),  # where TextArea lives once loaded
    ("textual.screen", "Screen", "_compositor"),  # instance attribute, set in __init__
    ("textual._compositor", "", "Compositor"),
    ("textual._compositor", "Compositor", "_render_chops"),  # replaced by wide_chars
    ("textual._compositor", "Compositor", "_get_renders"),  # called by the replacement
    ("textual.document._wrapped_document", "", "compute_wrap_offsets"),  # replaced for CJK lines
)
# Attributes set on instances only: the test checks them on a live node, not the class.
INSTANCE_ATTRIBUTES = frozenset({"_bindings", "_keymap", "_compositor"})

_TEXT_AREA_MODULE = "textual.widgets._text_area"


# --- bindings -------------------------------------------------------------------------


def node_bindings(node) -> BindingsMap:
    """A live node's own bindings (what the footer and check_action see)."""
    return node._bindings


def set_node_bindings(node, bindings: BindingsMap) -> None:
    node._bindings = bindings


def class_bindings(cls) -> BindingsMap:
    """The bindings new instances of `cls` start with (its own and inherited)."""
    merged = cls._merged_bindings
    return merged if merged is not None else cls._merge_bindings()


def merge_class_bindings(cls) -> BindingsMap:
    """`cls`'s bindings merged afresh from its BINDINGS and its bases'."""
    return cls._merge_bindings()


def set_class_bindings(cls, bindings: BindingsMap) -> None:
    cls._merged_bindings = bindings


def app_keymap(app) -> Mapping[str, str]:
    """binding id -> keys, as given to App.set_keymap."""
    return app._keymap


# --- widgets --------------------------------------------------------------------------


def is_loaded_text_area(widget) -> bool:
    """Whether `widget` is a TextArea, without importing the editor (start-up stays light)."""
    module = sys.modules.get(_TEXT_AREA_MODULE)
    return module is not None and isinstance(widget, module.TextArea)


# --- compositor (wide_chars, and tests reading the composed screen) ------------------


def compositor_class() -> type:
    from textual._compositor import Compositor

    return Compositor


def compositor_renders(compositor, crop) -> list:
    """(region, clip, strips) of every widget in `crop`, as the compositor draws them."""
    return compositor._get_renders(crop)


def compositor_render_chops() -> Callable:
    """The compositor's current method cutting lines at widget edges."""
    return compositor_class()._render_chops


def replace_compositor_render_chops(method: Callable) -> None:
    compositor_class()._render_chops = method


def composed_lines(screen) -> list:
    """The screen's lines as strips, as the compositor puts them on the terminal."""
    return screen._compositor.render_strips()


# --- the draft editor's line breaks -------------------------------------------------------


def _cjk_wrap_offsets(original: Callable) -> Callable:
    """Textual's wrap offsets, except that a line with Chinese in it breaks between
    phrases and never before ，：」 (the preview's rules, steward.tui.cjk_wrap)."""
    from steward.tui import cjk_wrap

    def offsets(text, width, tab_size, fold=True, precomputed_tab_sections=None):
        if "\t" in text or not cjk_wrap.has_cjk(text) or width < 2:
            return original(text, width, tab_size, fold=fold, precomputed_tab_sections=precomputed_tab_sections)
        found, position = [], 0
        for line in cjk_wrap.wrap(text, width):
            start = text.find(line, position) if line else position
            if start < 0:  # the wrapper changed the text: keep Textual's own breaks
                return original(text, width, tab_size, fold=fold, precomputed_tab_sections=precomputed_tab_sections)
            if start > 0 and line:
                found.append(start)
            position = start + len(line)
        return found

    offsets.steward_cjk = True
    return offsets


def install_cjk_editor_wrapping() -> None:
    """Make TextArea's soft wrap follow the CJK line-break rules (idempotent)."""
    import textual.document._wrapped_document as wrapped

    if not getattr(wrapped.compute_wrap_offsets, "steward_cjk", False):
        wrapped.compute_wrap_offsets = _cjk_wrap_offsets(wrapped.compute_wrap_offsets)
