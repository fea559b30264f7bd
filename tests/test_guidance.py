"""The guidance checklist: every norm covered, cited, and applied to the right requests."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

from pathlib import Path

import pytest

from steward.config import Settings
from steward.guidance import AREAS, check_guidance, checklist_for, checklist_for_request, load_guidance, load_sources, snippet
from steward.request_facts import facts_of
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


def asking(category, text, *, channel="email", organization="", email="someone@example.org", match=None):
    """A request of this category whose body says `text`."""
    return SimpleNamespace(
        category=category, subject="", body=text, channel=channel, organization=organization,
        from_email=email, match=match, received_at=datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc),
    )  # fmt: skip


def keys_for(request, items):
    return [item.key for item in checklist_for_request(request, items)]


@pytest.mark.parametrize("category", CATEGORIES)
def test_checklist_holds_the_items_of_its_category_whose_facts_apply(items, category):
    request = asking(category, "We would like to work with you.")
    facts = facts_of(request)
    keys = set(keys_for(request, items))
    for item in items:
        applies = item.applies_to(category, facts.triggers)
        assert (item.key in keys) == applies
        if item.key in keys:
            assert "*" in item.categories or category in item.categories
    # The universal rule is on every request's list, and each list has a must-do.
    assert "nobody_represents_g0v" in keys
    assert any(item.required for item in checklist_for_request(request, items))


def test_required_items_come_first(items):
    checklist = checklist_for_request(asking("funding", "We offer a grant of NT$50,000 and a contract."), items)
    flags = [item.required for item in checklist]
    assert flags == sorted(flags, reverse=True) and True in flags and False in flags


def test_funding_checklist_covers_naming_licensing_and_money_with_sources(items):
    request = asking("funding", "我們想以 g0v 社群名義投標，預算新臺幣 50 萬元，成果程式碼的授權怎麼寫？")
    checklist = checklist_for_request(request, items)
    areas = {item.area for item in checklist}
    assert {"naming", "licensing", "money", "giving_back"} <= areas
    keys = {item.key for item in checklist}
    assert {"no_whole_community_commitment", "name_the_project", "state_open_license",
            "contract_before_work", "pay_in_instalments", "budget_up_front"} <= keys  # fmt: skip
    assert all(item.source.startswith("S") for item in checklist)


def test_speaking_checklist_carries_the_g0v_talks_steps(items):
    keys = set(keys_for(asking("speaking", "想邀請講者來演講，講師費 2,000 元。"), items))
    assert {"speaking_via_g0v_talks", "three_day_no_match", "speaking_fee_to_speaker", "talk_slides_license"} <= keys
    assert "contract_before_work" not in keys


def test_media_checklist_asks_for_public_note_and_consent_to_film(items):
    keys = set(keys_for(asking("media", "We would like to film the hackathon for a documentary."), items))
    assert {"media_public_note", "ask_before_filming"} <= keys


def test_partnership_checklist_guards_the_oscvpass_label(items):
    keys = set(keys_for(asking("partnership", "我們想申請成為 OSCVPass 社群合作夥伴。"), items))
    assert {"oscvpass_label_after_confirmation", "oscvpass_faq", "oscvpass_partner_offers"} <= keys


def test_two_requests_of_one_category_with_different_asks_get_different_checklists(items):
    poster = set(keys_for(asking("naming", "我是學生，課堂海報上可以放 g0v 的 logo 嗎？"), items))
    tender = set(keys_for(asking("naming", "我們公司想用「g0v 社群共同執行」的名義投標，可以嗎？"), items))
    assert poster != tender
    assert "oscvpass_label_after_confirmation" not in poster
    assert "no_whole_community_commitment" in tender


def test_a_facebook_message_gets_the_norm_about_the_page(items):
    keys = set(keys_for(asking("volunteer", "請問要怎麼參加？", channel="facebook"), items))
    assert "point_to_open_channels" in keys
    assert "point_to_open_channels" not in set(keys_for(asking("volunteer", "請問要怎麼參加？"), items))


def test_a_government_request_gets_the_public_sector_norms(items):
    request = asking("collaboration", "想與社群合作開發市政服務。", organization="臺北市政府資訊局")
    keys = set(keys_for(request, items))
    assert {"public_sector_goals_together", "government_liaison"} <= keys


def test_a_request_about_polis_gets_the_deliberation_norms(items):
    keys = set(keys_for(asking("data", "We plan a Polis consultation next spring.", match="vtaiwan"), items))
    assert {"deliberation_seed_statements", "deliberation_open_process"} <= keys


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


def _norm_bullets() -> list[tuple[set[str], str]]:
    """The bullets of the community's norms (tests/data/norms.md), each with the sources it rests on."""
    import re

    bullets: list[tuple[set[str], str]] = []
    heading_sources: set[str] = set()
    for line in (Path(__file__).parent / "data" / "norms.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            heading_sources = set(re.findall(r"S\d", line))
        elif line.startswith("- "):
            bullets.append((set(heading_sources), line[2:]))
        elif line.startswith("  ") and bullets:
            sources, text = bullets[-1]
            bullets[-1] = (sources, f"{text} {line.strip()}")
        elif line.strip():  # a paragraph under the heading counts as one bullet
            bullets.append((set(heading_sources), line.strip()))
    return [(sources | set(re.findall(r"S\d", text)), text) for sources, text in bullets]


def test_every_item_rests_on_a_quote_its_cited_source_supports(items):
    from rapidfuzz import fuzz

    bullets = _norm_bullets()
    for item in items:
        assert item.quote_en and item.quote_zh, f"{item.key} keeps no quote of its source"
        backing = [text for sources, text in bullets if item.source in sources]
        best = max(fuzz.token_set_ratio(item.quote_en.lower(), text.lower()) for text in backing)
        assert best >= 70, f"{item.key}: {item.source} does not say {item.quote_en!r} (best {best})"


def test_a_quote_from_the_wrong_source_is_caught():
    from rapidfuzz import fuzz

    bullets = _norm_bullets()
    s4 = [text for sources, text in bullets if "S4" in sources]
    claim = "When posting a request to Slack, never forward private phone numbers or personal data."
    assert max(fuzz.token_set_ratio(claim.lower(), text.lower()) for text in s4) < 70
