"""Binding descriptions come from the catalogue, so the footer, help and palette
follow the language; binding ids let users remap keys in ``[keymap]``."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from steward.tui import textual_compat
from steward.tui.i18n import t

# binding id -> catalogue key, remembered the first time a class is translated
_KEYS: dict[str, str] = {}


def _translated(bindings: BindingsMap) -> BindingsMap:
    keys: dict[str, list[Binding]] = {}
    for key, items in bindings.key_to_bindings.items():
        out = []
        for binding in items:
            if binding.id and binding.description.startswith("bind."):
                _KEYS.setdefault(binding.id, binding.description)
            catalogue_key = _KEYS.get(binding.id or "")
            out.append(replace(binding, description=t(catalogue_key)) if catalogue_key else binding)
        keys[key] = out
    return BindingsMap.from_keys(keys)


def description(binding: Binding) -> str:
    """The binding's description in the current language, whether or not its class was translated yet."""
    if binding.description.startswith("bind."):
        if binding.id:
            _KEYS.setdefault(binding.id, binding.description)
        return t(binding.description)
    catalogue_key = _KEYS.get(binding.id or "")
    return t(catalogue_key) if catalogue_key else binding.description


def steward_classes() -> list[type[DOMNode]]:
    """Every DOMNode class of ours (the ones with catalogue descriptions)."""
    found, todo = [], [DOMNode]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("steward.tui"):
                found.append(sub)
    return found


def translate_node(node) -> None:
    """Translate one node's own bindings (a screen about to be pushed)."""
    textual_compat.set_node_bindings(node, _translated(textual_compat.node_bindings(node)))


def translate_bindings(app) -> None:
    """Retranslate class bindings (for new widgets) and live nodes' bindings."""
    for cls in steward_classes():
        textual_compat.set_class_bindings(cls, _translated(textual_compat.merge_class_bindings(cls)))
    nodes = [app]
    for screen in app.screen_stack:
        nodes.append(screen)
        nodes.extend(screen.walk_children(with_self=False))
    for node in nodes:
        if type(node).__module__.startswith("steward.tui"):
            translate_node(node)
    app.refresh_bindings()


def key_display(app, binding: Binding) -> str:
    """The keys as the steward will press them, after their keymap."""
    keys = textual_compat.app_keymap(app).get(binding.id, binding.key) if binding.id else binding.key
    shown = []
    for key in keys.split(","):
        key = key.strip()
        shown.append(app.get_key_display(replace(binding, key=key, key_display=None)))
    return " ".join(dict.fromkeys(shown))
