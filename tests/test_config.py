"""Settings declared once; every mistake in a steward's files named by file and line."""

from __future__ import annotations

from click.testing import CliRunner

from steward.cli import main
from steward.config.declaration import BY_KEY, KEYMAP_IDS, SETTINGS
from steward.config.settings import load_settings
from steward.config.toml_files import line_of


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def write_config(tmp_path, text: str):
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_declared_setting_is_shown_with_its_origin(tmp_path):
    path = write_config(tmp_path, '[matching]\nmin_score = 70\n')
    result = run("--config", str(path), "config", "show")
    for setting in SETTINGS:
        assert f"{setting.key} = " in result.output
    assert f"matching.min_score = 70    # config ({path})" in result.output


def test_an_error_names_the_line_of_the_offending_key_not_the_first_of_that_name(tmp_path):
    path = write_config(tmp_path, '[steward]\nname = "Mei"\n\n[[filters]]\nname = "mine"\nquery = "x"\n\n[ui]\ntheme = "neon"\n')
    result = run("--config", str(path), "list")
    assert result.exit_code == 2
    assert f"{path}, line 9: ui.theme: expected one of steward, steward-light, mono" in result.output


def test_line_of_follows_sections_and_array_tables():
    text = '[steward]\nname = "a"\n[[feeds]]\nname = "one"\n[[feeds]]\nname = "two"\nurl = "u"\n[keymap]\n"inbox.filter" = "f"\n'
    assert line_of(text, "steward", "name") == 2
    assert line_of(text, "feeds", 1, "name") == 6
    assert line_of(text, "feeds", 1, "url") == 7
    assert line_of(text, "keymap", "inbox.filter") == 9
    assert line_of(text, "steward", "timezone") is None


def test_config_check_reports_a_saved_filter_with_an_unknown_status(tmp_path):
    path = write_config(tmp_path, '[[filters]]\nname = "mine"\nquery = "assignee:me"\n\n[[filters]]\nname = "bad"\nquery = "status:bogus"\n')
    result = run("--config", str(path), "config", "check")
    assert result.exit_code == 2
    assert f"{path}, line 7: saved filter 'bad'" in result.output and "bogus" in result.output


def test_config_check_reports_an_unknown_keymap_id_with_a_suggestion(tmp_path):
    path = write_config(tmp_path, '[keymap]\n"inbox.filter" = "slash"\n"inbox.fliter" = "f"\n')
    result = run("--config", str(path), "config", "check")
    assert result.exit_code == 2
    assert f"{path}, line 3: keymap: unknown binding id 'inbox.fliter' (did you mean 'inbox.filter'?)" in result.output


def test_config_check_reports_a_broken_categories_file(tmp_path):
    path = write_config(tmp_path, "")
    categories = path.parent / "categories.toml"
    categories.write_text('[category.speaking]\nzh = ["演講"]\n\n[category.gossip]\nen = ["rumour"]\n', encoding="utf-8")
    result = run("--config", str(path), "config", "check")
    assert result.exit_code == 2
    assert f"{categories}, line 4: unknown category 'gossip'" in result.output


def test_config_check_passes_on_a_fresh_install(tmp_path):
    path = write_config(tmp_path, "")
    result = run("--config", str(path), "config", "check")
    assert result.exit_code == 0, result.output


def test_config_set_writes_a_valid_value_and_keeps_the_rest(tmp_path, monkeypatch):
    monkeypatch.delenv("STEWARD_NAME")  # the file's name, not the tests' own
    path = write_config(tmp_path, "# my notes\n[ui]\ntheme = \"mono\"\n")
    assert run("--config", str(path), "config", "set", "steward.name", "王小明").exit_code == 0
    assert run("--config", str(path), "config", "set", "matching.min_score", "72").exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert "# my notes" in text and 'theme = "mono"' in text
    settings = load_settings(path)
    assert (settings.signature, settings.matching.min_score) == ("王小明", 72)
    refused = run("--config", str(path), "config", "set", "ui.theme", "neon")
    assert refused.exit_code == 2 and path.read_text(encoding="utf-8") == text


def test_the_signature_comes_from_config_or_the_environment_never_the_login(tmp_path, monkeypatch):
    monkeypatch.delenv("STEWARD_NAME")
    monkeypatch.setenv("LOGNAME", "root")
    assert load_settings(write_config(tmp_path, "")).signature is None
    monkeypatch.setenv("STEWARD_NAME", "林雅婷")
    assert load_settings(write_config(tmp_path, "")).signature == "林雅婷"


def app_binding_ids() -> set[str]:
    """Every binding id declared in the TUI's classes (their public BINDINGS)."""
    import importlib
    import pkgutil

    import steward.tui
    from textual.binding import Binding
    from textual.dom import DOMNode

    for module in pkgutil.walk_packages(steward.tui.__path__, "steward.tui."):
        importlib.import_module(module.name)
    ids, todo = set(), [DOMNode]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("steward.tui"):
            ids.update(b.id for b in vars(cls).get("BINDINGS", []) if isinstance(b, Binding) and b.id)
    return ids


def test_every_binding_id_of_the_app_is_a_known_keymap_id():
    assert app_binding_ids() == set(KEYMAP_IDS)


def test_the_declaration_documents_every_setting():
    assert all(setting.doc for setting in SETTINGS) and len(BY_KEY) == len(SETTINGS)
