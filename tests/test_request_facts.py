"""The facts a steward notes before answering, and how the draft takes them up."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from steward.config.settings import load_settings
from steward.drafting.drafts import render_draft, unanswered_markers
from steward.models import Request
from steward.drafting.facts import MAX_CHARS, facts_of, find_dates, find_questions, sender_type

DATA = Path(__file__).parent / "data"
RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def request(body: str, **fields) -> Request:
    base = dict(
        id=1, external_id=None, received_at=RECEIVED, channel="email", from_name="", from_email="",
        organization="", subject="", body=body, language=None, status="new", category="other",
        category_manual=False, match=None, match_manual=False, assignee=None, follow_up_on=None, version=1,
        updated_at=RECEIVED, updated_by=None, last_activity_at=RECEIVED,
    )  # fmt: skip
    base.update(fields)
    return Request(**base)


def test_questions_are_found_in_chinese_and_english():
    text = "您好，我們是某協會。請問 Cofacts 的程式碼可以 fork 嗎？另外想約視訊會議。\nCould we credit you on our site? Thanks."
    assert find_questions(text) == ["請問 Cofacts 的程式碼可以 fork 嗎？", "Could we credit you on our site?"]


def test_statements_and_links_are_not_questions():
    assert find_questions("We run a hackathon. Details at https://example.org/form?id=3 now.") == []


def test_dates_without_a_year_fall_on_or_after_the_message():
    found = find_dates("請於 11/30 前回覆，活動在 1 月 15 日。", date(2026, 11, 2))
    assert [(m.on, m.deadline) for m in found] == [(date(2026, 11, 30), True), (date(2027, 1, 15), False)]


def test_english_deadlines_and_roc_years():
    found = find_dates("Please reply by 15 Dec. The event is on 116 年 3 月 2 日.", date(2026, 11, 2))
    assert [(m.on, m.deadline) for m in found] == [(date(2026, 12, 15), True), (date(2027, 3, 2), False)]


@pytest.mark.parametrize(("organization", "email", "kind"), [
    ("臺北市政府資訊局", "", "government"),
    ("國立政治大學新聞系", "", "school"),
    ("福爾摩沙電信股份有限公司 永續發展部", "", "company"),
    ("台灣地球公民基金會", "", "ngo"),
    ("", "someone@gmail.com", "individual"),
    ("Code for Japan", "info@code4japan.jp", "foreign"),
    ("", "staff@moda.gov.tw", "government"),
])  # fmt: skip
def test_who_is_asking(organization, email, kind):
    assert sender_type(organization, email, "") == kind


def test_a_huge_body_is_read_only_up_to_the_cap():
    facts = facts_of(request("請問可以嗎？" + "x" * (MAX_CHARS * 50)))
    assert facts.questions == ["請問可以嗎？"]


def test_a_tender_in_the_communitys_name_gets_a_plain_no(tmp_path):
    settings = load_settings(database=tmp_path / "s.db")
    asked = request("我們公司想投標市府的案子，請問可以在建議書寫「由 g0v 社群共同執行」嗎？", category="funding", language="zh")
    body = render_draft(asked, settings=settings, directory={}).body
    assert "不行" in body and "一個 g0v 專案" in body


def test_an_open_question_is_marked_for_the_steward_and_a_deadline_acknowledged(tmp_path):
    settings = load_settings(database=tmp_path / "s.db")
    asked = request("Could we schedule a video call next week? Please reply by 15 Dec.", category="other", language="en")
    draft = render_draft(asked, settings=settings, directory={})
    assert "Could we schedule a video call next week?" in draft.body
    assert unanswered_markers(draft.body) == 1
    assert "15 December" in draft.body


def _shipped_directory(tmp_path):
    from steward.directory.entries import load_directory

    return load_directory(load_settings(database=tmp_path / "s.db"))


def test_a_question_about_forking_and_crediting_cofacts_is_answered_from_its_facts(tmp_path):
    settings = load_settings(database=tmp_path / "s.db")
    asked = request("請問 Cofacts 的程式碼授權可以讓我們 fork 嗎？我們該如何標示出處？", category="data", match="cofacts",
                    language="zh", organization="某某查核協會")  # fmt: skip
    body = render_draft(asked, settings=settings, directory=_shipped_directory(tmp_path)).body
    assert "MIT" in body and "https://github.com/cofacts/rumors-api" in body and "CC BY-SA 4.0" in body
    assert "每一則查證的原始連結" in body
    assert unanswered_markers(body) == 0


def test_reusing_moedict_states_the_upstream_dictionarys_limits(tmp_path):
    settings = load_settings(database=tmp_path / "s.db")
    asked = request("Can we reuse moedict's data in our app?", category="data", match="moedict", language="en")
    body = render_draft(asked, settings=settings, directory=_shipped_directory(tmp_path)).body
    assert "CC BY-ND 3.0 TW" in body and "not fully open" in body and "Ministry of Education" in body
    forking = request("May we fork moedict's code?", category="data", match="moedict", language="en")
    assert "CC0 1.0" in render_draft(forking, settings=settings, directory=_shipped_directory(tmp_path)).body


def test_a_project_without_reuse_facts_leaves_the_licence_question_to_the_steward(tmp_path):
    settings = load_settings(database=tmp_path / "s.db")
    asked = request("May we fork the vTaiwan code?", category="data", match="vtaiwan", language="en")
    body = render_draft(asked, settings=settings, directory=_shipped_directory(tmp_path)).body
    assert unanswered_markers(body) == 1 and "licence vTaiwan publishes" in body


def test_an_invitation_naming_a_project_is_not_asked_whether_it_wants_people_or_a_project(tmp_path):
    settings = load_settings(database=tmp_path / "s.db")
    asked = request("我們想邀請 Disfactory 一起辦工作坊。", category="collaboration", match="disfactory", language="zh",
                    organization="台灣地球公民基金會")  # fmt: skip
    body = render_draft(asked, settings=settings, directory=_shipped_directory(tmp_path)).body
    assert "特定的個人" not in body and "指名" in body
    vague = request("我們想和社群合作辦工作坊。", category="collaboration", match="disfactory", language="zh", organization="某協會")
    assert "特定的個人" in render_draft(vague, settings=settings, directory=_shipped_directory(tmp_path)).body


def test_a_question_about_a_deadline_is_acknowledged_in_its_answer(tmp_path):
    settings = load_settings(database=tmp_path / "s.db")
    asked = request("Could you confirm a speaker by 15 Dec?", category="speaking", language="en")
    body = render_draft(asked, settings=settings, directory={}).body
    assert "We have noted 15 December" in body


def test_a_reply_with_a_marked_question_is_not_sendable_until_answered():
    from steward.drafting.drafts import unsendable

    assert "1 question still marked" in unsendable("1. Can we?\n   [answer: reply to this question here]")
    assert unsendable("1. 可以嗎？\n   可以。") is None


def test_a_newcomer_is_told_about_oscvpass_certification_only_when_asking_about_it(tmp_path):
    settings = load_settings(database=tmp_path / "s.db")
    directory = _shipped_directory(tmp_path)
    plain = request("Is there a way to contribute to g0v projects in English?", category="volunteer", match="newbie", language="en")
    assert "OSCVPass" not in render_draft(plain, settings=settings, directory=directory).body
    asking = request("Can my contributions be certified somehow?", category="volunteer", match="newbie", language="en")
    assert "FSF- or OSI-approved" in render_draft(asking, settings=settings, directory=directory).body
