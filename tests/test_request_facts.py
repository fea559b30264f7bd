"""The facts a steward notes before answering, and how the draft takes them up."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

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


def _samples():
    for line in (DATA / "labelled_requests.jsonl").read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        data.pop("expected")
        data["received_at"] = datetime.fromisoformat(data["received_at"])
        yield data


def test_every_sample_draft_takes_up_its_questions_and_deadlines(tmp_path):
    settings = load_settings(database=tmp_path / "s.db")
    for number, data in enumerate(_samples(), 1):
        asked = request(data.pop("body"), **{k: v for k, v in data.items() if k in Request.__dataclass_fields__})
        draft = render_draft(asked, settings=settings, directory={})
        for question in draft.facts.questions:
            assert question in draft.body, (asked.external_id, question)
        english = draft.language == "en"
        for deadline in draft.facts.deadlines:
            day = f"{deadline.on.day} " if english else f"{deadline.on.month} 月 {deadline.on.day} 日"
            assert day in draft.body, (asked.external_id, deadline)
        assert "○○" not in draft.body
    assert number == 180
