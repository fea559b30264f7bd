"""Every string key the TUI uses has a text in both languages; no raw key reaches a screen."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from steward.tui import i18n

TUI = Path(__file__).resolve().parent.parent / "steward" / "tui"
KEY = re.compile(r"^[a-z][a-z_]*(\.[a-zA-Z0-9_-]+)+$")

# Keys built from a fixed prefix and a value from a known list: prefix -> every value.
# An f-string with a catalogue prefix not listed here fails test_every_built_key_prefix_is_known.
EVENT_ACTIONS = (
    "import", "status", "assign", "tag", "untag", "note", "follow_up", "category", "route", "draft",
    "sent", "checklist", "message", "organization", "agreement", "commitment",
)


@pytest.fixture(autouse=True)
def _english_afterwards():
    """The language is the app's global: what a test here switches, the next test must not see."""
    yield
    i18n.set_language("en")


def _built_keys() -> dict[str, tuple[str, ...]]:
    from steward.drafting.drafts import REPLY_LANGUAGES
    from steward.drafting.guidance import AREAS
    from steward.tui.inbox.columns import layout_columns
    from steward.tui.summary.screen import SUMMARY_LANGUAGES

    return {
        "col.": tuple(c.key for c in layout_columns(1000) if c.key != "marker"),
        "event.": EVENT_ACTIONS,
        "draft.lang.": REPLY_LANGUAGES,
        "draft.area.": AREAS,
        "summary.language.": SUMMARY_LANGUAGES,
    }


def _sources():
    for path in sorted(TUI.rglob("*.py")):
        if "locales" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _literal_keys() -> dict[str, str]:
    """key -> where it is used: literals passed to t(), Binding descriptions, help sections."""
    found: dict[str, str] = {}
    for path, tree in _sources():
        where = path.relative_to(TUI.parent.parent).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            args = [a for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name == "t" and node.args and isinstance(node.args[0], ast.Constant):
                found.setdefault(node.args[0].value, f"{where}:{node.lineno}")
            elif name == "Binding":
                description = node.args[2] if len(node.args) > 2 else next(
                    (k.value for k in node.keywords if k.arg == "description"), None)
                if isinstance(description, ast.Constant) and description.value.startswith("bind."):
                    found.setdefault(description.value, f"{where}:{node.lineno}")
            for arg in args:  # ("help.section.x", Class) pairs and the like: any key-shaped literal
                if arg.value.startswith(("help.section.", "bind.")) and KEY.match(arg.value):
                    found.setdefault(arg.value, f"{where}:{node.lineno}")
        for node in ast.walk(tree):  # tuples such as ("help.section.inbox", InboxScreen)
            if isinstance(node, ast.Tuple) and node.elts and isinstance(node.elts[0], ast.Constant):
                value = node.elts[0].value
                if isinstance(value, str) and KEY.match(value) and value.split(".")[0] in ("help", "view", "bind"):
                    found.setdefault(value, f"{where}:{node.lineno}")
    return found


def _prefixes_built_in_code() -> dict[str, str]:
    """Prefix of every f-string key passed to t() or has(): f"col.{key}" -> "col."."""
    found = {}
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("t", "has") and node.args:
                first = node.args[0]
                if isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                    found[first.values[0].value] = f"{path.name}:{node.lineno}"
    return found


def test_both_languages_have_the_same_keys():
    english, chinese = set(i18n.catalogue("en")), set(i18n.catalogue("zh-TW"))
    assert not english - chinese, f"only in en.py: {sorted(english - chinese)}"
    assert not chinese - english, f"only in zh_TW.py: {sorted(chinese - english)}"


def test_the_scan_finds_keys_of_every_kind():
    """The checks below cannot pass by finding nothing."""
    keys = _literal_keys()
    assert {"app.title", "bind.draft_save", "bind.summary_close", "help.section.draft", "view.channel"} <= set(keys)
    assert set(_prefixes_built_in_code()) >= {"col.", "event.", "draft.lang.", "draft.area.", "summary.language."}


@pytest.mark.parametrize("language", ["en", "zh-TW"])
def test_every_key_used_in_the_code_has_a_text(language):
    texts = i18n.catalogue(language)
    missing = {key: where for key, where in _literal_keys().items() if key not in texts}
    assert not missing, f"keys used but missing from the {language} catalogue: {missing}"


def test_every_built_key_prefix_is_known():
    known = _built_keys()
    unknown = {prefix: where for prefix, where in _prefixes_built_in_code().items() if prefix not in known}
    assert not unknown, f"add these key prefixes and their values to _built_keys(): {unknown}"


@pytest.mark.parametrize("language", ["en", "zh-TW"])
def test_every_built_key_has_a_text(language):
    texts = i18n.catalogue(language)
    missing = [prefix + value for prefix, values in _built_keys().items() for value in values
               if prefix + value not in texts]
    assert not missing, f"missing from the {language} catalogue: {missing}"


def test_a_missing_key_never_shows_raw(monkeypatch):
    i18n.set_language("zh-TW")
    try:
        monkeypatch.setitem(i18n.catalogue("en"), "test.only_english", "Only in English")
        assert i18n.t("test.only_english") == "Only in English"
        shown = i18n.t("bind.no_such_key")
        assert "bind." not in shown and shown == "No such key"
    finally:
        i18n.set_language("en")


def test_status_category_and_channel_names_come_from_the_shared_labels():
    from steward.labels import CATEGORY_LABELS, CHANNEL_LABELS, STATUS_LABELS
    from steward.summary import labels as summary_labels

    assert summary_labels.STATUS_LABELS is STATUS_LABELS
    assert summary_labels.CATEGORY_LABELS is CATEGORY_LABELS
    try:
        i18n.set_language("zh-TW")
        assert i18n.status_name("triaged") == "已分類" == STATUS_LABELS["triaged"][0]
        assert i18n.category_name("speaking") == CATEGORY_LABELS["speaking"][0]
        assert i18n.channel_name("email") == CHANNEL_LABELS["email"][0]
        i18n.set_language("en")
        assert i18n.status_name("triaged") == "Triaged"
        assert i18n.category_name("speaking") == "Talks and events"
        assert i18n.category_name("speaking", short=True) == "Talks"
    finally:
        i18n.set_language("en")


def test_short_category_names_fit_the_inbox_column():
    from rich.cells import cell_len

    from steward.labels import CATEGORY_SHORT_LABELS
    from steward.tui.inbox.columns import layout_columns

    width = next(c.width for c in layout_columns(1000) if c.key == "category")
    too_wide = [name for pair in CATEGORY_SHORT_LABELS.values() for name in pair if cell_len(name) > width]
    assert not too_wide


# --- the help screen, as a steward sees it ---------------------------------------------

RAW_KEY = re.compile(r"\b(bind|help|note|notify|draft|summary|dialog|view|status|category)\.[a-z_]+\b")


@pytest.mark.parametrize("language", ["en", "zh-TW"])
async def test_help_shows_no_raw_key_in_either_language(db_path, language):
    from steward.tui.help import HelpScreen
    from tests.tui_helpers import make_app, make_inbox, settle

    make_inbox(db_path)
    app = make_app(db_path, language=language)
    async with app.run_test(size=(120, 80)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = app.screen.query_one("#help-body Static").render().plain
        ids = {binding.id for binding in _help_bindings(app) if binding.id}
        assert ("Save" if language == "en" else "儲存") in shown  # the draft screen's ctrl+s
        raw = []
        for line in shown.splitlines():
            words = line.split()
            if words and words[-1] in ids:  # the keymap-id column names ids such as note.cancel on purpose
                words = words[:-1]
            raw += [word for word in words if RAW_KEY.search(word)]
        assert not raw, raw

def _help_bindings(app):
    from steward.tui.help import binding_sections

    return [binding for _, bindings in binding_sections(app) for binding in bindings]
