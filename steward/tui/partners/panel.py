"""The partner panel in the request view: who this organization is to the community.

Shows the organization, how many earlier requests it sent and how they ended,
its agreements and open giving-back commitments, and the last steward who dealt
with it. The data (a steward.partners.records.Partnership) is loaded with the
request's details, in the view's worker; names are untrusted text and only ever
go into Content as plain text.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from steward.util.text import one_line
from steward.tui import i18n
from steward.tui.i18n import status_name, t


COMMITMENT_NAMES = {
    "present": ("黑客松發表", "present"), "open_source": ("開源", "open source"), "report": ("成果報告", "report"),
    "credit": ("標示出處", "credit"), "sponsor": ("贊助", "sponsor"),
}


def commitment_name(kind: str) -> str:
    pair = COMMITMENT_NAMES.get(kind, (kind, kind))
    return pair[1] if i18n.language() == "en" else pair[0]


def partner_content(partner) -> Content:
    """The panel's text for a Partnership, or for None (no organization linked)."""
    parts: list = [("\n" + t("partner.heading") + "\n", "bold $accent")]
    if partner is None:
        parts.append((t("partner.none") + "\n", "$text-muted"))
        return Content.assemble(*parts)
    organization = partner.organization
    parts.append((one_line(organization.name), "bold"))
    if organization.kind == "person":
        parts.append((" " + t("partner.person"), "$text-muted"))
    parts.append(("  #" + str(organization.id) + "\n", "$text-muted"))
    if partner.returning:
        since = partner.first_seen.date().isoformat() if partner.first_seen else "–"
        parts.append((t("partner.earlier", n=partner.earlier_requests, since=since) + "\n", ""))
        outcomes = ", ".join(f"{status_name(status)} {n}" for status, n in sorted(partner.outcomes.items()))
        parts.append((t("partner.outcomes", outcomes=outcomes) + "\n", "$text-muted"))
    else:
        parts.append((t("partner.first") + "\n", "$text-muted"))
    if partner.open_agreements:
        parts.append((t("partner.agreements", n=len(partner.open_agreements)) + "\n", ""))
    if partner.lapsed_commitments:
        parts.append((t("partner.lapsed", n=len(partner.lapsed_commitments)) + "\n", "bold $warning"))
    if partner.open_commitments:
        parts.append((t("partner.open") + "\n", ""))
        late = {c.id for c in partner.lapsed_commitments}
        for c in partner.open_commitments[:5]:
            line = t("partner.commitment", id=c.id, kind=commitment_name(c.kind), due=c.due_on.isoformat())
            parts.append(("  " + line + "\n", "$warning" if c.id in late else ""))
    if partner.last_steward:
        parts.append((t("partner.last_steward", name=one_line(partner.last_steward)) + "\n", "$text-muted"))
    parts.append((t("partner.open_hint"), "$text-muted"))
    return Content.assemble(*parts)


class PartnerPanel(Static):
    """Shows a Partnership; the request view hands it one with each request's details."""

    def show(self, partner) -> None:
        self.display = True
        self.update(partner_content(partner))

    def clear(self) -> None:
        """No request on view: the panel takes no room."""
        self.display = False
        self.update(Content(""))

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.display = False  # nothing shown until a request's details arrive
