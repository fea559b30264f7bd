"""Every private Textual name steward relies on still exists, with the shape we use.

If a Textual upgrade removes or renames one, these fail naming it; fix
steward/tui/textual_compat.py (the only place that touches them), then check
the snapshots.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.widget import Widget

from steward.tui import textual_compat

STEWARD = Path(__file__).resolve().parent.parent / "steward"


@pytest.mark.parametrize(
    ("module", "owner", "attribute"), textual_compat.PRIVATE_API, ids=lambda part: part or "-",
)
def test_each_private_textual_name_still_exists(module, owner, attribute):
    import textual

    where = f"{module}{'.' + owner if owner else ''}.{attribute}"
    try:
        found = importlib.import_module(module)
    except ImportError:
        pytest.fail(f"Textual {textual.__version__} has no module {module} (needed for {where})")
    if owner:
        assert hasattr(found, owner), f"Textual {textual.__version__} has no {module}.{owner}"
        found = getattr(found, owner)
    if attribute in textual_compat.INSTANCE_ATTRIBUTES:
        source = inspect.getsource(found)
        assert f"self.{attribute} =" in source or f"self.{attribute}:" in source, (
            f"Textual {textual.__version__}: {where} is no longer set on instances"
        )
    else:
        assert hasattr(found, attribute), f"Textual {textual.__version__} has no {where}"


def test_the_replaced_compositor_method_keeps_its_signature():
    from steward.tui import wide_chars

    original = wide_chars._ORIGINAL
    assert list(inspect.signature(original).parameters) == ["self", "crop", "is_rendered_line"], (
        "Compositor._render_chops changed its parameters; wide_chars replaces it"
    )
    assert list(inspect.signature(textual_compat.compositor_class()._get_renders).parameters) == ["self", "crop"]


class _Keys(Widget):
    BINDINGS = [Binding("x", "noop", "bind.quit", id="test.x")]


async def test_the_binding_and_keymap_accessors_work_on_a_live_app():
    class Tiny(App):
        def compose(self):
            yield _Keys()

    app = Tiny()
    app.set_keymap({"test.x": "y"})
    async with app.run_test():
        node = app.query_one(_Keys)
        bindings = textual_compat.node_bindings(node)
        assert isinstance(bindings, BindingsMap) and "x" in bindings.key_to_bindings
        assert isinstance(textual_compat.class_bindings(_Keys), BindingsMap)
        assert "x" in textual_compat.merge_class_bindings(_Keys).key_to_bindings
        assert textual_compat.app_keymap(app)["test.x"] == "y"
        replaced = BindingsMap.from_keys({"z": [Binding("z", "noop", "Zed")]})
        textual_compat.set_node_bindings(node, replaced)
        assert textual_compat.node_bindings(node) is replaced
        lines = textual_compat.composed_lines(app.screen)
        assert len(lines) == app.size.height


async def test_a_text_area_is_recognised_only_once_loaded():
    from textual.widgets import Input, TextArea

    assert textual_compat.is_loaded_text_area(TextArea())
    assert not textual_compat.is_loaded_text_area(Input())


def test_no_other_module_touches_private_textual_names():
    """Private access goes through textual_compat: no `textual._x` import, no `._bindings` etc. elsewhere."""
    private = {attribute for _, _, attribute in textual_compat.PRIVATE_API if attribute.startswith("_")}
    offenders = []
    for path in sorted(STEWARD.rglob("*.py")):
        if path.name == "textual_compat.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("textual"):
                if any(part.startswith("_") for part in node.module.split(".")):
                    offenders.append(f"{path.name}:{node.lineno} from {node.module}")
            elif isinstance(node, ast.Attribute) and node.attr in private:
                offenders.append(f"{path.name}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("textual.") \
                    and "._" in node.value:
                offenders.append(f"{path.name}:{node.lineno} {node.value!r}")
    assert not offenders


async def test_the_draft_editor_breaks_chinese_lines_by_the_line_start_rules():
    from textual.app import App
    from textual.widgets import TextArea

    from steward.tui.textual_compat import install_cjk_editor_wrapping

    install_cjk_editor_wrapping()
    text = "謝謝您在 2026 年 11 月 3 日的來信，也謝謝貴單位想邀請社群的朋友分享：「公民參與與數位治理」專題講座，時間是十二月十日。"

    class Host(App):
        def compose(self):
            yield TextArea(text, soft_wrap=True, id="editor")

    for width in (12, 17, 23, 31):
        app = Host()
        async with app.run_test(size=(width + 2, 20)) as pilot:
            area = app.query_one(TextArea)
            area.styles.width = width
            await pilot.pause()
            sections = area.wrapped_document.get_sections(0)
            assert "".join(sections) == text  # nothing lost or added
            assert len(sections) > 1
            for section in sections[1:]:
                assert not section.startswith(("，", "：", "」", "。")), (width, sections)
