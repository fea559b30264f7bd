"""The partner panel in the request view, and the organization screen `o` opens."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from steward.models import IncomingRequest
from steward.store import Store
from steward.tui.dialogs.prompts import PromptDialog
from steward.tui.partners.panel import PartnerPanel
from steward.tui.partners.screen import OrganizationScreen
from steward.tui.inbox.screen import InboxScreen
from tests.tui_helpers import make_app, make_inbox, screen_text, settle

HOSTILE = "[bold red]Evil[/] Lab"


def _incoming(n: int, month: int, organization: str) -> IncomingRequest:
    return IncomingRequest(
        received_at=datetime(2026, month, 3, 2, 0, tzinfo=timezone.utc), channel="email", from_name=f"Sender {n}",
        from_email=f"s{n}@evil-lab.example.org", organization=organization, subject=f"Request number {n}",
        body="Hello", external_id=f"tp{n}",
    )


@pytest.fixture
def partner_db(db_path):
    make_inbox(db_path, [_incoming(1, 3, HOSTILE), _incoming(2, 10, HOSTILE)])
    store = Store.open(db_path, actor="tester")
    store.set_status(1, "replied")
    store.add_commitment(1, "present", date(2026, 5, 1), project="jothon")
    store.close()
    return db_path


def _aliases(db_path) -> list[str]:
    store = Store.open(db_path, actor="check")
    try:
        return store.get_organization(store.request_organization_id(2)).aliases
    finally:
        store.close()


async def test_the_request_view_shows_the_partner_and_its_giving_back(partner_db):
    app = make_app(partner_db)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        assert app.screen.inbox.current.id == 2  # the newest first
        panel = app.screen.query_one(PartnerPanel)
        text = str(panel.render())
        assert HOSTILE in text  # shown literally, not as markup
        assert "1 earlier requests" in text
        assert "#1 present, due 2026-05-01" in text
        assert "overdue or lapsed: 1" in text


async def test_o_opens_the_organization_and_its_keys_change_it_undoably(partner_db):
    app = make_app(partner_db)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, OrganizationScreen)
        text = screen_text(app)
        assert HOSTILE in text and "Sender 1" in text and "Request number 1" in text
        assert "overdue" in text
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, PromptDialog)
        await pilot.press(*"EL", "enter")
        await settle(app, pilot)
        assert _aliases(partner_db) == ["EL"]
        assert "Also written: EL" in screen_text(app)
        await pilot.press("u")
        await settle(app, pilot)
        assert _aliases(partner_db) == []
        await pilot.press("escape")
        assert isinstance(app.screen, InboxScreen)


async def test_a_request_without_an_organization_says_so(db_path):
    make_inbox(db_path, [IncomingRequest(received_at=datetime(2026, 11, 1, tzinfo=timezone.utc), subject="Hi",
                                         body="x", from_email="someone@gmail.com", external_id="n1")])
    app = make_app(db_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        assert "Not linked to an organization" in str(app.screen.query_one(PartnerPanel).render())
        await pilot.press("o")
        await settle(app, pilot)
        assert "not linked to an organization" in screen_text(app)
