"""The draft knows the relationship: returning partners are welcomed back, lapsed giving back is on the checklist."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from steward.config.settings import Settings
from steward.drafting.drafts import load_guidance, placeholder_values, render_draft
from steward.models import IncomingRequest
from steward.drafting.facts import TRIGGERS, facts_of
from steward.store import Store
from steward.drafting.templates import PLACEHOLDERS
from tests.test_drafting import DIRECTORY


@pytest.fixture
def settings(tmp_path) -> Settings:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    return Settings(steward_name="Ada", signature="Ada", language="en", timezone="Asia/Taipei", database=tmp_path / "steward.db",
                    config_dir=config_dir)  # fmt: skip


def _incoming(n: int, month: int) -> IncomingRequest:
    return IncomingRequest(
        received_at=datetime(2026, month, 3, 2, 0, tzinfo=timezone.utc), channel="email", from_name="Aiko",
        from_email=f"aiko{n}@code4japan.example.jp", organization="Code for Japan",
        subject=f"Speakers for our summit {n}", body="Could g0v send two speakers?", external_id=f"d{n}",
    )


@pytest.fixture
def store(settings):
    s = Store.open(settings.database, actor="ada", tz=settings.tz)
    s.import_requests([_incoming(1, 3), _incoming(2, 10)])
    yield s
    s.close()


def test_a_first_request_drafts_as_before_with_empty_partner_fields(store, settings):
    request = store.get(1)
    partner = store.partnership(1)
    assert partner is not None and not partner.returning
    values = placeholder_values(request, DIRECTORY["g0v-talk"], settings=settings, language="en", partner=partner)
    assert all(values[key] == "" for key in PLACEHOLDERS if key.startswith("partner_"))
    with_partner = render_draft(request, settings=settings, directory=DIRECTORY, partner=partner, language="en")
    without = render_draft(request, settings=settings, directory=DIRECTORY, language="en")
    assert with_partner.body == without.body


def test_a_returning_partner_is_welcomed_back_not_greeted_as_a_stranger(store, settings):
    partner = store.partnership(2)
    assert partner.returning and partner.earlier_requests == 1
    draft = render_draft(store.get(2), settings=settings, directory=DIRECTORY, partner=partner, language="en")
    assert "good to hear from Code for Japan again" in draft.body
    assert "since March 2026" in draft.body
    values = placeholder_values(store.get(2), None, settings=settings, language="zh-TW", partner=partner)
    assert values["partner_since"] == "2026 年 3 月"
    assert values["partner_last_request"] == "2026 年 3 月 3 日"


def test_a_partner_with_lapsed_giving_back_gets_a_checklist_reminder(store, settings):
    store.add_commitment(1, "open_source", date(2026, 9, 1), text="MIT")
    guidance = load_guidance(settings)
    partner = store.partnership(2)
    assert "partner:lapsed" in facts_of(store.get(2), partner=partner).triggers
    keys = [i.key for i in render_draft(store.get(2), settings=settings, directory=DIRECTORY, partner=partner,
                                        guidance=guidance).checklist]
    assert "partner_lapsed_giving_back" in keys
    values = placeholder_values(store.get(2), None, settings=settings, language="en", partner=partner)
    assert values["partner_open_commitments"] == "open-source the outcomes"
    store.set_commitment_state(1, "done")
    partner = store.partnership(2)
    keys = [i.key for i in render_draft(store.get(2), settings=settings, directory=DIRECTORY, partner=partner,
                                        guidance=guidance).checklist]
    assert "partner_lapsed_giving_back" not in keys


def test_partner_triggers_are_known_to_the_guidance_checker():
    assert {"partner:returning", "partner:lapsed"} <= set(TRIGGERS)


def test_a_person_record_is_welcomed_without_being_named(store, settings):
    store.set_organization_kind(store.request_organization_id(1), "person")
    draft = render_draft(store.get(2), settings=settings, directory=DIRECTORY, partner=store.partnership(2),
                         language="en")
    assert "good to hear from you again" in draft.body
