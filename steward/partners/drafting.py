"""What a reply draft says about the relationship with the sender's organization.

A returning partner is not greeted as a stranger: the ``partner_*`` placeholders
(see steward.drafting.templates.PLACEHOLDERS) describe its history, and `welcome_paragraph`
is put after the opening thanks when the template does not place it itself.
Every value is empty when the organization has no earlier requests, so a
template that uses them still reads well for a first request.
"""

from __future__ import annotations

from datetime import timezone
from typing import Any

from steward.util.text import one_line

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
_COMMITMENTS = {
    "present": ("回到黑客松分享成果", "present the results at a hackathon"),
    "open_source": ("開源成果", "open-source the outcomes"),
    "report": ("提供成果資訊給揪松團", "send the hackathon organizers a note on the results"),
    "credit": ("標示專案出處", "credit the project"),
    "sponsor": ("贊助社群活動", "sponsor a community event"),
}
_OUTCOMES = {
    "replied": ("已回覆", "answered"), "closed": ("已結案", "closed"), "declined": ("婉拒", "declined"),
}
PARTNER_KEYS = ("partner_since", "partner_last_request", "partner_open_commitments", "partner_welcome")


def _day(moment, tz, english: bool, *, month_only: bool = False) -> str:
    day = moment.astimezone(tz)
    if english:
        return f"{_MONTHS[day.month - 1]} {day.year}" if month_only else f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{day.year} 年 {day.month} 月" if month_only else f"{day.year} 年 {day.month} 月 {day.day} 日"


def partner_values(partner: Any, *, english: bool, settings: Any = None) -> dict[str, str]:
    """The ``partner_*`` placeholder values for a Partnership (or None: all empty)."""
    values = dict.fromkeys(PARTNER_KEYS, "")
    if partner is None or not partner.returning:
        return values
    tz = getattr(settings, "tz", None) or timezone.utc
    pick = 1 if english else 0
    if partner.first_seen is not None:
        values["partner_since"] = _day(partner.first_seen, tz, english, month_only=True)
    if partner.last_request_at is not None:
        values["partner_last_request"] = _day(partner.last_request_at, tz, english)
    promised = [_COMMITMENTS.get(c.kind, (c.kind, c.kind))[pick] for c in partner.open_commitments]
    values["partner_open_commitments"] = ("、" if not english else ", ").join(dict.fromkeys(promised))
    name = one_line(partner.organization.name) if partner.organization.kind == "organization" else ""
    since = values["partner_since"]
    if english:
        welcome = f"It is good to hear from {name} again" if name else "It is good to hear from you again"
        welcome += f"; thank you for working with the community since {since}." if since else "."
    else:
        welcome = f"很高興再次收到{name}的來信" if name else "很高興再次收到您的來信"
        welcome += f"，謝謝從 {since}以來和社群的合作。" if since else "。"
    values["partner_welcome"] = welcome
    return values


def with_welcome(body: str, template_body: str, values: dict[str, str]) -> str:
    """`body` with the welcome line after the greeting and the thanks, unless the template placed it."""
    welcome = values.get("partner_welcome", "")
    if not welcome or "{partner_welcome}" in template_body:
        return body
    paragraphs = body.split("\n\n")
    at = min(2, len(paragraphs))
    return "\n\n".join([*paragraphs[:at], welcome, *paragraphs[at:]])
