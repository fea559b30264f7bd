"""The filter language of the inbox: free text plus ``key:value`` tokens.

``status:new cat:data match:cofacts tag:urgent assignee:me lang:zh due:overdue spam:likely 萌典``
Tokens combine (AND). Unknown tokens are treated as text, so a subject such as
"re: meeting" is still searchable.
"""

from __future__ import annotations

from dataclasses import replace

from steward.models import CATEGORIES, OPEN_STATUSES, STATUSES, RequestFilter, UsageError, resolve_assignee

_KEYS = {
    "status": "status", "s": "status", "狀態": "status",
    "cat": "category", "category": "category", "類別": "category",
    "match": "match", "route": "match", "project": "match", "專案": "match",
    "tag": "tag", "標籤": "tag",
    "assignee": "assignee", "assign": "assignee", "who": "assignee", "負責": "assignee",
    "lang": "language", "language": "language", "語言": "language",
    "due": "due", "追蹤": "due",
    "spam": "spam", "垃圾": "spam",
}
SPAM_VALUES = {"likely": "likely", "yes": "likely", "是": "likely", "unlikely": "unlikely", "no": "unlikely",
               "否": "unlikely"}
DUE_VALUES = ("overdue", "today", "week", "any")
LANGUAGE_VALUES = {"zh": "zh", "en": "en", "mixed": "mixed", "中文": "zh", "英文": "en"}


def statuses_for(value: str) -> tuple[str, ...]:
    """`open` means models.OPEN_STATUSES (new, triaged, drafting, waiting)."""
    values: list[str] = []
    for part in value.split(","):
        part = part.strip().lower()
        if part == "open":
            values.extend(OPEN_STATUSES)
        elif part in STATUSES:
            values.append(part)
        else:
            raise UsageError(f"unknown status {part!r} (expected open or one of: {', '.join(STATUSES)})")
    return tuple(dict.fromkeys(values))


def assignee_filter(value: str, *, me: str) -> str:
    """RequestFilter.assignee for what was typed: the name, or "" for nobody (unassigned)."""
    return resolve_assignee(value, me=me) or ""


def list_filter(
    query: str = "", *, me: str, status: str | None = None, category: str | None = None, match: str | None = None,
    tag: str | None = None, assignee: str | None = None,
) -> RequestFilter:
    """The filter `steward list` uses: `query` as typed in the app's filter box, narrowed by the options given.

    An option overrides the same token in `query` (`--status open -q status:spam` lists open requests).
    """
    flt = parse_filter(query, me=me)
    if status:
        flt.statuses = statuses_for(status)
    flt.category = category or flt.category
    flt.match = match or flt.match
    flt.tag = tag or flt.tag
    if assignee:
        flt.assignee = assignee_filter(assignee, me=me)
    return flt


def parse_filter(text: str, *, me: str, base: RequestFilter | None = None) -> RequestFilter:
    """Parse what the steward typed into a filter; raises UsageError on a bad value."""
    flt = base or RequestFilter()
    words: list[str] = []
    for token in text.split():
        key, sep, value = token.partition(":")
        field = _KEYS.get(key.lower()) if sep else None
        if field is None:
            words.append(token)
            continue
        if not value:
            continue  # "status:" being typed: not text to search for, not yet a value
        if field == "status":
            flt = replace(flt, statuses=statuses_for(value))
        elif field == "category":
            if value.lower() not in CATEGORIES:
                raise UsageError(f"unknown category {value!r} (expected one of: {', '.join(CATEGORIES)})")
            flt = replace(flt, category=value.lower())
        elif field == "assignee":
            flt = replace(flt, assignee=assignee_filter(value, me=me))
        elif field == "language":
            if value.lower() not in LANGUAGE_VALUES:
                raise UsageError(f"unknown language {value!r} (expected zh, en or mixed)")
            flt = replace(flt, language=LANGUAGE_VALUES[value.lower()])
        elif field == "spam":
            if value.lower() not in SPAM_VALUES:
                raise UsageError(f"unknown spam value {value!r} (expected likely or unlikely)")
            flt = replace(flt, spam=SPAM_VALUES[value.lower()])
        elif field == "due":
            if value.lower() not in DUE_VALUES:
                raise UsageError(f"unknown due value {value!r} (expected one of: {', '.join(DUE_VALUES)})")
            flt = replace(flt, due=value.lower())
        else:
            flt = replace(flt, **{field: value})
    return replace(flt, query=" ".join(words))
