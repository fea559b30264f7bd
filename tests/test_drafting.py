"""Reply drafts: every template renders for every request, safely, in the right language."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from steward.drafting import drafts as drafting
from steward.config.settings import Settings
from steward.drafting.drafts import unanswered_markers, choose_language, choose_template, placeholder_values, render_draft
from steward.models import CATEGORIES, CategoryGuess, ConfigError, Match, MatchResult, Request, SignatureMissing, UsageError
from steward.drafting.templates import PLACEHOLDERS, check_templates, load_templates

DATA = Path(__file__).parent / "data"
SAMPLES = [json.loads(line) for line in (DATA / "drafting_samples.jsonl").read_text(encoding="utf-8").splitlines()]
NOW = datetime(2026, 11, 20, 7, 4, 5, tzinfo=timezone.utc)


@dataclass
class Entry:
    """Stands in for steward.directory.entries.DirectoryEntry: the same attributes."""

    key: str
    kind: str
    name: str
    name_en: str = ""
    aliases: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    url: str = ""
    contacts: list[str] = field(default_factory=list)
    description: str = ""
    description_en: str = ""


DIRECTORY = {
    e.key: e
    for e in (
        Entry("jothon", "working_group", "揪松團", "g0v Jothon", url="https://jothon.g0v.tw",
              contacts=["Slack #jothon", "g0v-jothon@googlegroups.com"]),
        Entry("g0v-talk", "working_group", "g0v-talk 演講群組", "g0v-talk", contacts=["g0v-talks@googlegroups.com"]),
        Entry("cofacts", "project", "Cofacts 真的假的", "Cofacts", url="https://cofacts.tw", contacts=["Slack #cofacts"]),
        Entry("sch001", "project", "零時小學校", "Sch001", url="https://sch001.g0v.tw", contacts=["Slack #edu"]),
        Entry("osm-tw", "partner_community", "OpenStreetMap 台灣", "OpenStreetMap Taiwan"),
    )
}  # fmt: skip


@pytest.fixture
def settings(tmp_path) -> Settings:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    return Settings(
        steward_name="Ada Lovelace", signature="Ada Lovelace", language="zh-TW", timezone="Asia/Taipei",
        database=tmp_path / "steward.db", config_dir=config_dir,
    )  # fmt: skip


def make_request(**fields) -> Request:
    base = dict(
        id=1, external_id="x1", received_at=datetime(2026, 10, 26, 1, 14, tzinfo=timezone.utc), channel="email",
        from_name="林雅婷", from_email="lin@example.tw", organization="桃園市政府", subject="敬邀推薦講者",
        body="想邀請講者。", language="zh", status="new", category="speaking", category_manual=False,
        match="g0v-talk", match_manual=False, assignee=None, follow_up_on=None, version=1,
        updated_at=NOW, updated_by=None, last_activity_at=NOW,
    )  # fmt: skip
    base.update(fields)
    return Request(**base)


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def sample_request(sample: dict, index: int = 1) -> Request:
    text = sample["subject"] + sample["body"]
    return make_request(
        id=index, external_id=sample["external_id"], received_at=datetime.fromisoformat(sample["received_at"]),
        channel=sample["channel"], from_name=sample["from_name"], from_email=sample["from_email"],
        organization=sample["organization"], subject=sample["subject"], body=sample["body"],
        language="zh" if has_cjk(text) else "en",
        category=sample["expected"]["category"], match=sample["expected"]["match"],
    )  # fmt: skip


def write_user_template(settings: Settings, name: str, text: str) -> Path:
    folder = Path(settings.config_dir) / "templates"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- templates -------------------------------------------------------------------


def test_shipped_templates_cover_every_category_and_the_special_replies(settings):
    templates = load_templates(settings)
    assert check_templates(settings) == []
    assert set(CATEGORIES) | {"no_match", "decline", "ask_details", "route", "oscvpass_faq"} <= set(templates)
    for template in templates.values():
        assert template.name_zh and template.name_en
        assert has_cjk(template.body_zh)
        assert template.body_zh.strip().startswith("{greeting}") and template.body_en.strip().startswith("{greeting}")
        assert "{steward_name}" in template.body_zh and "{steward_name}" in template.body_en


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_every_template_renders_for_every_sample(settings, language):
    templates = load_templates(settings)
    guidance = drafting.load_guidance(settings)
    for index, sample in enumerate(SAMPLES, 1):
        request = sample_request(sample, index)
        for key in templates:
            draft = render_draft(
                request, settings=settings, directory=DIRECTORY, template_key=key, language=language,
                templates=templates, guidance=guidance,
            )  # fmt: skip
            where = f"{key} for {sample['external_id']} in {language}"
            assert "{" not in draft.body and "}" not in draft.body, where
            assert "Ada Lovelace" in draft.body, where
            assert draft.language == language and draft.template == key
            # Chinese replies are Chinese; English replies open in English.
            assert has_cjk(draft.body) if language == "zh-TW" else draft.body.startswith(("Dear", "Hi")), where


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_request_text_is_never_read_as_a_template(settings, language):
    write_user_template(settings, "echo.toml", """
name_zh = "回聲"
name_en = "Echo"
body_zh = "{sender_name}|{organization}|{subject}|{your_message}|{steward_name}"
body_en = "{sender_name}|{organization}|{subject}|{your_message}|{steward_name}"
""")
    request = make_request(
        from_name="{match_contact}", organization="{0.__class__}", subject="{steward_name} {{x}}",
        body="{steward_name} {0.__class__.__init__.__globals__}", language="zh" if language == "zh-TW" else "en",
    )  # fmt: skip
    for key in ("echo", "collaboration", "speaking"):
        body = render_draft(request, settings=settings, directory=DIRECTORY, template_key=key, language=language).body
        assert "{steward_name} {{x}}" in body
        assert body.count("Ada Lovelace") == 1  # only the template's own sign-off
    echo = render_draft(request, settings=settings, directory=DIRECTORY, template_key="echo", language=language).body
    assert echo.split("|")[:3] == ["{match_contact}", "{0.__class__}", "{steward_name} {{x}}"]


def test_control_codes_in_a_request_never_reach_the_draft(settings):
    request = make_request(from_name="\x1b[31mMallory\x1b[0m", subject="hi\x1b]52;c;ZXZpbA==\x07 there\u202e")
    body = render_draft(request, settings=settings, directory=DIRECTORY).body
    assert "\x1b" not in body and "\x07" not in body and "\u202e" not in body
    assert body.startswith("Mallory 您好：")


def test_empty_request_fields_read_naturally(settings):
    request = make_request(from_name="", organization="", subject="", category="speaking", from_email="")
    zh = render_draft(request, settings=settings, directory=DIRECTORY, language="zh-TW").body
    assert zh.startswith("嗨，\n")
    # a person writing for themselves is "you", never "your organization"
    assert "也謝謝你想邀請" in zh and "「」" not in zh and "謝謝你的訊息" in zh
    en = render_draft(request, settings=settings, directory=DIRECTORY, language="en", template_key="collaboration").body
    assert en.startswith("Hi,\n")
    assert "your organization" not in en and "that you would like to work" in en
    assert "“”" not in en and "Thanks for your message" in en


def test_an_institution_gets_a_formal_letter_and_a_person_on_chat_a_brief_one(settings):
    ministry = make_request(organization="數位發展部", channel="email", subject="邀請演講", from_name="王科長")
    chat = make_request(organization="", channel="slack", subject="speaking", from_name="小魚", from_email="")
    formal = render_draft(ministry, settings=settings, directory=DIRECTORY, language="zh-TW").body
    warm = render_draft(chat, settings=settings, directory=DIRECTORY, language="zh-TW").body
    assert formal.startswith("王科長您好：") and "的「邀請演講」來信" in formal
    assert warm.startswith("嗨 小魚，") and "謝謝你的訊息" in warm
    assert "speaking" not in warm  # the importer's label is never quoted back


def test_a_reply_is_never_signed_with_the_login_name(settings):
    unnamed = replace(settings, steward_name="root", signature=None)
    with pytest.raises(SignatureMissing, match="steward config set steward.name"):
        render_draft(make_request(), settings=unnamed, directory=DIRECTORY)


def test_draft_without_a_name_says_how_to_set_it(inbox, monkeypatch):
    monkeypatch.delenv("STEWARD_NAME")
    saved = run(inbox, "draft", "s003")
    assert saved.exit_code == 2
    assert 'steward config set steward.name "Your Name"' in saved.output
    preview = run(inbox, "draft", "s003", "--print", "--json")
    assert preview.exit_code == 0
    body = json.loads(preview.stdout)["body"]
    assert "[answer: your name" in body and "tester" not in body  # a marked line, never the login name
    assert unanswered_markers(body) >= 1


def test_chinese_reply_spaces_latin_values_but_not_han_ones(settings):
    body = render_draft(make_request(from_name="Kuan"), settings=settings, directory=DIRECTORY).body
    assert body.startswith("Kuan 您好：")
    assert "在 2026 年 10 月 26 日的「敬邀推薦講者」來信" in body
    body = render_draft(make_request(from_name="陳品妤"), settings=settings, directory=DIRECTORY).body
    assert body.startswith("陳品妤您好：")


def test_quotes_inside_a_chinese_subject_nest_properly(settings):
    request = make_request(subject="敬邀：「公民參與」講座")
    assert "「敬邀：『公民參與』講座」來信" in render_draft(request, settings=settings, directory=DIRECTORY).body


def test_draft_names_the_routed_project_and_how_to_reach_it(settings):
    request = make_request(category="data", match="cofacts", language="en")
    body = render_draft(request, settings=settings, directory=DIRECTORY).body
    assert "Cofacts, a g0v project" in body
    assert "Slack #cofacts, https://cofacts.tw" in body
    body = render_draft(replace(request, language="zh"), settings=settings, directory=DIRECTORY).body
    assert "Cofacts 真的假的（g0v 社群的一個專案）" in body and "Slack #cofacts、https://cofacts.tw" in body


def test_without_a_match_the_draft_points_to_the_hackathon_organizers(settings):
    body = render_draft(make_request(category="collaboration", match=None), settings=settings, directory=DIRECTORY).body
    assert "揪松團" in body and "g0v-jothon@googlegroups.com" in body
    # Without even that entry, the reply still says where to go.
    body = render_draft(make_request(category="collaboration", match=None), settings=settings, directory={}).body
    assert "g0v Slack" in body


def test_partner_community_is_not_called_a_g0v_project(settings):
    values = placeholder_values(make_request(match="osm-tw"), DIRECTORY["osm-tw"], settings=settings, language="en")
    assert values["match_intro"] == "OpenStreetMap Taiwan, a community g0v often works with"
    assert values["match_url"] == "https://g0v.tw"


def test_placeholder_values_cover_exactly_the_documented_set(settings):
    values = placeholder_values(make_request(), DIRECTORY["g0v-talk"], settings=settings, language="en")
    assert values.keys() == PLACEHOLDERS.keys()
    assert all(f"{{{name}}}" in drafting.__doc__ for name in PLACEHOLDERS)
    assert values["received_date"] == "26 October 2026"


def test_received_date_is_in_the_configured_time_zone(settings):
    late = make_request(received_at=datetime(2026, 10, 26, 17, 30, tzinfo=timezone.utc))
    values = placeholder_values(late, None, settings=settings, language="zh-TW")
    assert values["received_date"] == "2026 年 10 月 27 日"  # already the 27th in Taipei


# -- choosing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_language", "configured", "expected"),
    [("zh", "en", "zh-TW"), ("en", "zh-TW", "en"), ("mixed", "en", "en"), ("mixed", "zh-TW", "zh-TW"),
     (None, "en", "en"), (None, "fr", "zh-TW")],
)  # fmt: skip
def test_reply_language_follows_the_request_then_the_configuration(request_language, configured, expected):
    assert choose_language(request_language, configured) == expected


def test_draft_is_in_the_senders_language_unless_the_steward_switches(settings):
    english = make_request(language="en", from_name="Hiroshi Tanaka", subject="Study visit")
    draft = render_draft(english, settings=settings, directory=DIRECTORY)
    assert draft.language == "en" and draft.body.startswith("Dear Hiroshi Tanaka,")
    mixed = render_draft(replace(english, language="mixed"), settings=settings, directory=DIRECTORY)
    assert mixed.language == "zh-TW" and mixed.body.startswith("Hiroshi Tanaka 您好：")
    switched = render_draft(english, settings=settings, directory=DIRECTORY, language="zh")
    assert switched.language == "zh-TW"
    with pytest.raises(UsageError, match="klingon"):
        render_draft(english, settings=settings, directory=DIRECTORY, language="klingon")


@pytest.mark.parametrize("category", [c for c in CATEGORIES if c != "other"])
def test_default_template_follows_the_category(category):
    assert choose_template(category, "jothon") == category
    assert choose_template(category, None) == category


def test_other_requests_are_routed_when_they_can_be_and_declined_kindly_when_not():
    assert choose_template("other", "ocf") == "other"
    assert choose_template("other", None) == "decline"


def test_uncategorized_requests_are_routed_or_asked_for_details_never_declined():
    assert choose_template(None, "cofacts") == "route"
    assert choose_template(None, None) == "ask_details"


def test_rendered_draft_carries_the_categorys_checklist(settings):
    request = make_request(category="funding", match=None, body="我們想申請補助，預算 30 萬元，成果會開源。")
    draft = render_draft(request, settings=settings, directory=DIRECTORY)
    keys = {item.key for item in draft.checklist}
    assert draft.template == "funding"
    assert {"no_whole_community_commitment", "state_open_license", "contract_before_work"} <= keys
    assert "speaking_via_g0v_talks" not in keys


def test_unknown_template_key_is_a_usage_error(settings):
    with pytest.raises(UsageError, match="'nope'.*speaking"):
        render_draft(make_request(), settings=settings, directory=DIRECTORY, template_key="nope")


# -- user templates --------------------------------------------------------------


def test_unknown_placeholder_is_reported_with_file_and_placeholder(settings):
    path = write_user_template(settings, "thanks.toml", """
name_zh = "謝謝"
name_en = "Thanks"
body_zh = "謝謝 {unknown}"
body_en = "Thanks {sender_name} and {0.__class__}"
""")
    problems = check_templates(settings)
    assert f"{path}, line 4: unknown placeholder {{unknown}} in body_zh" in problems
    assert f"{path}, line 5: unknown placeholder {{0.__class__}} in body_en" in problems
    with pytest.raises(ConfigError, match=r"thanks\.toml.*\{unknown\}"):
        load_templates(settings)


def test_every_template_problem_is_reported_not_just_the_first(settings):
    write_user_template(settings, "a.toml", 'name_zh = "甲"\nname_en = "A"\nbody_zh = "{greeting!r}"\nbody_en = "x }"\n')
    write_user_template(settings, "b.toml", "name_zh = [broken")
    write_user_template(settings, "c.toml", 'name_zh = "丙"\nboddy_en = "typo"\ncategory = "gossip"\n')
    write_user_template(settings, "Bad Name.toml", 'name_zh = "x"\n')
    text = "\n".join(check_templates(settings))
    for expected in ("a.toml, line 3: placeholder {greeting} takes no format spec or conversion in body_zh",
                     "a.toml, line 4: Single '}' encountered", "b.toml: not valid TOML",
                     "c.toml, line 2: unknown field 'boddy_en'",
                     "c.toml, line 3: unknown category 'gossip'", "c.toml: missing name_en, body_zh, body_en",
                     "Bad Name.toml: template names use"):  # fmt: skip
        assert expected in text


def test_user_file_rewords_one_language_and_keeps_the_other(settings):
    write_user_template(settings, "speaking.toml", 'body_en = "Hi {sender_name}, please write to g0v-talks. {steward_name}"\n')
    templates = load_templates(settings)
    assert templates["speaking"].origin.endswith("speaking.toml") and "(shipped)" not in templates["speaking"].origin
    en = render_draft(make_request(from_name="Jo"), settings=settings, directory=DIRECTORY, language="en").body
    assert en == "Hi Jo, please write to g0v-talks. Ada Lovelace"
    zh = render_draft(make_request(), settings=settings, directory=DIRECTORY, language="zh-TW").body
    assert "g0v-talks@googlegroups.com" in zh and "三天" in zh


def test_doubled_braces_are_literal_braces(settings):
    write_user_template(settings, "braces.toml", 'name_zh = "括號"\nname_en = "Braces"\n'
                        'body_zh = "{{steward_name}} = {steward_name}"\nbody_en = "{{}}"\n')  # fmt: skip
    body = render_draft(make_request(), settings=settings, directory=DIRECTORY, template_key="braces").body
    assert body == "{steward_name} = Ada Lovelace"


# -- command line ----------------------------------------------------------------


def labelled_matcher(incoming):
    """The samples' own labels, so CLI tests don't depend on matching accuracy."""
    sample = next(s for s in SAMPLES if s["external_id"] == incoming.external_id)
    expected = sample["expected"]
    matches = [Match(expected["match"], expected["match"], "working_group", 90)] if expected["match"] else []
    language = "zh" if has_cjk(incoming.subject + incoming.body) else "en"
    return MatchResult(language=language, category=CategoryGuess(expected["category"], 80), matches=matches)


@pytest.fixture
def inbox(db_path):
    from steward.store import Store
    from tests.conftest import sample_records

    store = Store.open(db_path, actor="tester")
    store.import_requests(sample_records(DATA / "drafting_samples.jsonl"), matcher=labelled_matcher)
    store.close()
    return db_path


def run(db, *args, config=None):
    from steward.cli import main

    prefix = ["--db", str(db)] + (["--config", str(config)] if config else [])
    return CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)


def drafts_of(db, ref):
    from steward.store import Store

    store = Store.open(db, actor="tester")
    try:
        return store.drafts(store.get(ref).id)
    finally:
        store.close()


def test_draft_print_replies_in_chinese_naming_the_routed_group_and_its_contact(inbox):
    result = run(inbox, "draft", "s001", "--print")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("林雅婷您好：")
    assert "g0v-talk 演講群組" in result.stdout and "g0v-talks@googlegroups.com" in result.stdout
    assert drafts_of(inbox, "s001") == []  # --print saves nothing


def test_draft_saves_a_new_version_each_time_with_the_json_contract(inbox):
    first = json.loads(run(inbox, "draft", "s003", "--json").stdout)
    second = json.loads(run(inbox, "draft", "s003", "--template", "route", "--lang", "zh-TW", "--json").stdout)
    assert list(first) == ["request_id", "version", "template", "language", "body", "checklist", "questions", "facts"]
    assert set(first["facts"]) >= {"dates", "deadlines", "amounts", "sender_type", "channel"}
    assert (first["version"], first["template"], first["language"]) == (1, "international", "en")
    assert (second["version"], second["template"], second["language"]) == (2, "route", "zh-TW")
    assert [d.version for d in drafts_of(inbox, "s003")] == [1, 2]
    assert drafts_of(inbox, "s003")[1].body == second["body"]
    assert all(list(item) == ["key", "area", "text", "source", "required", "checked"] for item in first["checklist"])
    printed = json.loads(run(inbox, "draft", "s003", "--print", "--json").stdout)
    assert printed["version"] is None


def test_draft_with_unknown_template_exits_2_naming_it(inbox):
    result = run(inbox, "draft", "s001", "--template", "nope")
    assert result.exit_code == 2 and "'nope'" in result.output


def test_funding_checklist_lists_naming_and_licensing_items_with_sources(inbox):
    payload = json.loads(run(inbox, "checklist", "s006", "--json").stdout)
    assert list(payload) == ["request_id", "items"]
    items = {item["key"]: item for item in payload["items"]}
    assert items["no_whole_community_commitment"]["area"] == "naming"
    assert items["no_whole_community_commitment"]["source"] == "S1"
    assert items["state_open_license"]["area"] == "licensing" and items["state_open_license"]["required"] is True
    assert has_cjk(items["state_open_license"]["text"])  # s006 is written in Chinese


def test_checklist_text_follows_an_english_request(inbox):
    payload = json.loads(run(inbox, "checklist", "s009", "--json").stdout)
    assert all(not has_cjk(item["text"]) or "後勤中心" in item["text"] for item in payload["items"])


def test_checked_items_persist_across_runs(inbox):
    run(inbox, "checklist", "s006", "--check", "name_the_project", "--check", "state_open_license,budget_up_front")
    run(inbox, "checklist", "s006", "--uncheck", "budget_up_front")
    payload = json.loads(run(inbox, "checklist", "s006", "--json").stdout)
    checked = {item["key"] for item in payload["items"] if item["checked"]}
    assert checked == {"name_the_project", "state_open_license"}
    text = run(inbox, "checklist", "s006").stdout
    assert "[x] name_the_project" in text and "[ ] budget_up_front" in text


def test_unknown_checklist_key_exits_2_naming_it(inbox):
    result = run(inbox, "checklist", "s006", "--check", "name_the_project", "--check", "frobnicate")
    assert result.exit_code == 2 and "'frobnicate'" in result.output
    result = run(inbox, "checklist", "s006", "--check", "media_public_note")
    assert result.exit_code == 2 and "does not apply" in result.output
    payload = json.loads(run(inbox, "checklist", "s006", "--json").stdout)
    assert not any(item["checked"] for item in payload["items"])  # nothing half-applied


def test_templates_list_json_names_every_template(inbox):
    rows = json.loads(run(inbox, "templates", "list", "--json").stdout)
    keys = {row["key"] for row in rows}
    assert set(CATEGORIES) | {"no_match", "decline", "ask_details", "route", "oscvpass_faq"} <= keys
    assert all(list(row) == ["key", "name_zh", "name_en", "category", "origin"] for row in rows)


def test_config_check_exits_2_naming_an_unknown_placeholder(inbox, tmp_path):
    config_dir = tmp_path / "cfg"
    (config_dir / "templates").mkdir(parents=True)
    config = config_dir / "config.toml"
    config.write_text("", encoding="utf-8")
    (config_dir / "templates" / "bad.toml").write_text(
        'name_zh = "x"\nname_en = "x"\nbody_zh = "{unknown}"\nbody_en = "ok"\n', encoding="utf-8"
    )
    result = run(inbox, "config", "check", config=config)
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "{unknown}" in result.output
