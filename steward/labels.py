"""What a steward reads for each status, category and channel key, in zh-TW and English.

The one place these names live: the TUI (tui.i18n.status_name / category_name), the
weekly summary (summary.labels) and the CLI take them from here. Each label is a
(zh-TW, en) pair. A category also has a short form for narrow places (the inbox
list's category column); everywhere else shows the full name. No I/O, no Textual.
"""

from __future__ import annotations

from steward.models import CATEGORIES, CHANNELS, STATUSES

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "new": ("新進", "New"),
    "triaged": ("已分類", "Triaged"),
    "drafting": ("草擬中", "Drafting"),
    "replied": ("已回覆", "Replied"),
    "waiting": ("等待中", "Waiting"),
    "closed": ("已結案", "Closed"),
    "declined": ("已婉拒", "Declined"),
    "spam": ("垃圾訊息", "Spam"),
}
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "collaboration": ("合作提案", "Collaboration"),
    "speaking": ("演講／活動邀約", "Talks and events"),
    "funding": ("募資／補助／贊助", "Funding and sponsorship"),
    "naming": ("名義與標誌", "Name and logo use"),
    "partnership": ("社群合作夥伴", "Community partnership"),
    "media": ("媒體採訪", "Media"),
    "data": ("資料／技術諮詢", "Data and technical questions"),
    "international": ("國際交流", "International exchange"),
    "volunteer": ("個人參與", "Volunteering"),
    "other": ("其他", "Other"),
}
# At most 10 cells (the inbox list's category column).
CATEGORY_SHORT_LABELS: dict[str, tuple[str, str]] = {
    "collaboration": ("合作提案", "Collab."),
    "speaking": ("演講邀約", "Talks"),
    "funding": ("募資補助", "Funding"),
    "naming": ("名義標誌", "Naming"),
    "partnership": ("合作夥伴", "Partners"),
    "media": ("媒體採訪", "Media"),
    "data": ("資料技術", "Data"),
    "international": ("國際交流", "Intl."),
    "volunteer": ("個人參與", "Volunteer"),
    "other": ("其他", "Other"),
}
CHANNEL_LABELS: dict[str, tuple[str, str]] = {
    "email": ("電子郵件", "Email"),
    "form": ("表單", "Form"),
    "facebook": ("Facebook", "Facebook"),
    "slack": ("Slack", "Slack"),
    "other": ("其他", "Other"),
}

assert set(STATUS_LABELS) == set(STATUSES)
assert set(CATEGORY_LABELS) == set(CATEGORY_SHORT_LABELS) == set(CATEGORIES)
assert set(CHANNEL_LABELS) == set(CHANNELS)


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[0] if language.lower().startswith("zh") else pair[1]


def status_label(status: str, language: str) -> str:
    """The status's name in `language` ("zh-TW" or "en"); an unknown key as it is."""
    pair = STATUS_LABELS.get(status)
    return _pick(pair, language) if pair else status


def category_label(category: str, language: str, *, short: bool = False) -> str:
    """The category's name (its short form with `short`); an unknown key as it is."""
    pair = (CATEGORY_SHORT_LABELS if short else CATEGORY_LABELS).get(category)
    return _pick(pair, language) if pair else category


def channel_label(channel: str, language: str) -> str:
    pair = CHANNEL_LABELS.get(channel)
    return _pick(pair, language) if pair else channel
