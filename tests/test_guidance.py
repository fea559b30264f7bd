"""The guidance checklist: every norm covered, cited, and applied to the right requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.config import Settings
from steward.guidance import AREAS, check_guidance, checklist_for, load_guidance, load_sources, snippet
from steward.models import CATEGORIES, ConfigError, UsageError


@pytest.fixture
def settings(tmp_path) -> Settings:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    return Settings(
        steward_name="Ada", language="zh-TW", timezone="Asia/Taipei",
        database=tmp_path / "steward.db", config_dir=config_dir,
    )  # fmt: skip


@pytest.fixture
def items(settings):
    return load_guidance(settings)


def by_key(items):
    return {item.key: item for item in items}


def write_user_guidance(settings: Settings, text: str) -> Path:
    path = Path(settings.config_dir) / "guidance.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_guidance_has_no_problems(settings):
    assert check_guidance(settings) == []


def test_every_norm_area_has_checklist_items(items):
    assert {item.area for item in items} == set(AREAS)


def test_every_source_is_titled_and_cited(settings, items):
    sources = load_sources(settings)
    assert sorted(sources) == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert all(title for title in sources.values())
    assert {item.source for item in items} == set(sources)
    for item in items:
        assert item.source_title == sources[item.source]


# Each norm in the community's notes, with a word its checklist line must carry.
NORMS = {
    "who_is_invited": ("specific people", "process"),
    "nobody_represents_g0v": ("nobody represents", "naming"),
    "name_the_project": ("a g0v project", "naming"),
    "no_whole_community_commitment": ("whole g0v community", "naming"),
    "partner_name_with_permission": ("OGP", "naming"),
    "oscvpass_label_after_confirmation": ("both sides", "partnership"),
    "state_open_license": ("open license", "licensing"),
    "reuse_under_license": ("tender", "licensing"),
    "speaking_via_g0v_talks": ("g0v-talks", "process"),
    "three_day_no_match": ("three days", "process"),
    "jothon_posts_invitations": ("Slack", "process"),
    "propose_at_hackathon": ("hackathon", "process"),
    "media_public_note": ("CC BY 4.0", "process"),
    "ask_before_filming": ("filming", "privacy"),
    "contract_before_work": ("contract", "money"),
    "pay_in_instalments": ("instalments", "money"),
    "budget_up_front": ("reimbursed", "money"),
    "give_back_options": ("giving back", "giving_back"),
    "partnership_not_contracting": ("not employer", "partnership"),
    "agree_working_terms": ("KPIs", "partnership"),
    "government_liaison": ("Liaison", "partnership"),
    "oscvpass_faq": ("no formal contract", "partnership"),
    "oscvpass_applicants": ("past year", "process"),
    "g0v_github_org": ("OSI-approved", "naming"),
    "no_personal_data_in_public": ("personal data", "privacy"),
    "route_international": ("intl@g0v.tw", "process"),
}


@pytest.mark.parametrize("key", sorted(NORMS))
def test_each_community_norm_has_a_bilingual_item_with_a_snippet(items, key):
    word, area = NORMS[key]
    item = by_key(items)[key]
    assert item.area == area
    assert word.lower() in item.text_en.lower()
    assert item.text_zh and item.snippet_zh and item.snippet_en
    # The Chinese text is Chinese, not the English pasted twice.
    assert item.text_zh != item.text_en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in item.text_zh)


@pytest.mark.parametrize("category", CATEGORIES)
def test_checklist_holds_exactly_the_items_that_apply(items, category):
    checklist = checklist_for(category, items)
    keys = {item.key for item in checklist}
    for item in items:
        applies = "*" in item.categories or category in item.categories
        assert (item.key in keys) == applies
    # The universal rules are on every request's list, and each list has a must-do.
    assert {"nobody_represents_g0v", "no_personal_data_in_public"} <= keys
    assert any(item.required for item in checklist)


def test_funding_checklist_covers_naming_licensing_and_money_with_sources(items):
    checklist = checklist_for("funding", items)
    areas = {item.area for item in checklist}
    assert {"naming", "licensing", "money", "giving_back"} <= areas
    keys = {item.key for item in checklist}
    assert {"no_whole_community_commitment", "name_the_project", "state_open_license",
            "contract_before_work", "pay_in_instalments", "budget_up_front"} <= keys  # fmt: skip
    assert all(item.source.startswith("S") for item in checklist)


def test_speaking_checklist_carries_the_g0v_talks_steps(items):
    keys = {item.key for item in checklist_for("speaking", items)}
    assert {"speaking_via_g0v_talks", "three_day_no_match", "speaking_fee_to_speaker", "talk_slides_license"} <= keys
    assert "contract_before_work" not in keys


def test_media_checklist_asks_for_public_note_and_consent_to_film(items):
    keys = {item.key for item in checklist_for("media", items)}
    assert {"media_public_note", "ask_before_filming"} <= keys


def test_partnership_checklist_guards_the_oscvpass_label(items):
    keys = {item.key for item in checklist_for("partnership", items)}
    assert {"oscvpass_label_after_confirmation", "oscvpass_faq", "oscvpass_partner_offers"} <= keys


def test_uncategorized_request_gets_the_other_checklist(items):
    assert checklist_for(None, items) == checklist_for("other", items)


def test_snippet_comes_in_the_reply_language(items):
    assert "three days" in snippet("three_day_no_match", "en", items)
    assert "三天" in snippet("three_day_no_match", "zh-TW", items)
    with pytest.raises(UsageError, match="no_such_item"):
        snippet("no_such_item", "en", items)


def test_users_guidance_replaces_an_item_in_place_and_adds_new_ones(settings):
    shipped = [item.key for item in load_guidance(settings)]
    write_user_guidance(settings, """
[sources]
S7 = "Our own working agreement"

[[item]]
key = "name_the_project"
area = "naming"
categories = ["*"]
required = false
source = "S1"
text_zh = "寫出專案名稱。"
text_en = "Name the project."
snippet_zh = "請寫出專案名稱。"
snippet_en = "Please name the project."

[[item]]
key = "local_rule"
area = "process"
categories = ["speaking"]
required = true
source = "S7"
text_zh = "告知我們的值班表。"
text_en = "Mention our rota."
snippet_zh = "值班表在這裡。"
snippet_en = "Here is our rota."
""")
    items = load_guidance(settings)
    keys = [item.key for item in items]
    assert keys == shipped + ["local_rule"]
    replaced = by_key(items)["name_the_project"]
    assert replaced.text_en == "Name the project." and not replaced.required
    assert by_key(items)["local_rule"].source_title == "Our own working agreement"
    assert "local_rule" in {item.key for item in checklist_for("speaking", items)}


def test_every_problem_in_the_users_guidance_is_reported_with_file_and_item(settings):
    path = write_user_guidance(settings, """
[[item]]
key = "broken"
area = "vibes"
categories = ["speeches"]
required = "yes"
source = "S9"
text_zh = ""
text_en = "x"
snippet_zh = "x"
snippet_en = "x"
colour = "red"
""")
    problems = check_guidance(settings)
    assert all(problem.startswith(f"{path}: item 'broken'") for problem in problems)
    text = "\n".join(problems)
    for expected in ("area must be one of", "unknown category 'speeches'", "required must be true or false",
                     "source 'S9'", "text_zh must be non-empty", "unknown field 'colour'"):  # fmt: skip
        assert expected in text
    with pytest.raises(ConfigError, match="broken"):
        load_guidance(settings)


def test_unreadable_guidance_file_is_one_message(settings):
    path = write_user_guidance(settings, "[[item]\nkey = ")
    problems = check_guidance(settings)
    assert len(problems) == 1 and problems[0].startswith(f"{path}: not valid TOML")


def test_control_codes_in_user_guidance_never_reach_the_screen(settings):
    write_user_guidance(settings, """
[[item]]
key = "noisy"
area = "process"
categories = ["*"]
required = false
source = "S1"
text_zh = "注意\\u001b[31m紅字"
text_en = "Mind\\u001b]52;c;aGk=\\u0007 this"
snippet_zh = "x"
snippet_en = "y"
""")
    item = by_key(load_guidance(settings))["noisy"]
    assert "\x1b" not in item.text_zh + item.text_en and "\x07" not in item.text_en
    assert item.text_en == "Mind this"
