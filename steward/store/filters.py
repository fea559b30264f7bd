"""A RequestFilter as a SQL WHERE clause. User text is only ever a bound parameter."""

from __future__ import annotations

from datetime import date, timedelta

from steward.models import RequestFilter

# Trigram FTS needs at least three characters; shorter terms (common in Chinese:
# 萌典, 新手) fall back to LIKE.
_FTS_MIN = 3
_TEXT_COLUMNS = ("subject", "body", "organization", "from_name", "from_email")


def _fts_phrase(term: str) -> str:
    # Quoted as one FTS5 string: operators, colons and brackets stay plain text.
    return '"' + term.replace('"', '""') + '"'


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_sql(flt: RequestFilter, today: date) -> tuple[str, list]:
    clauses: list[str] = []
    params: list = []
    if flt.statuses:
        clauses.append(f"status IN ({','.join('?' * len(flt.statuses))})")
        params.extend(flt.statuses)
    for column, value in (("category", flt.category), ("match", flt.match), ("language", flt.language)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if flt.assignee is not None:
        if flt.assignee == "":
            clauses.append("assignee IS NULL")
        else:
            clauses.append("assignee = ? COLLATE NOCASE")
            params.append(flt.assignee)
    if flt.tag:
        clauses.append("id IN (SELECT request_id FROM tags WHERE tag = ?)")
        params.append(flt.tag)
    if flt.due:
        if flt.due == "overdue":
            clauses.append("follow_up_on < ?")
            params.append(today.isoformat())
        elif flt.due == "today":
            clauses.append("follow_up_on <= ?")
            params.append(today.isoformat())
        elif flt.due == "week":
            clauses.append("follow_up_on <= ?")
            params.append((today + timedelta(days=7)).isoformat())
        else:  # "any": has a follow-up date at all
            clauses.append("follow_up_on IS NOT NULL")
    if flt.ids:
        clauses.append(f"id IN ({','.join('?' * len(flt.ids))})")
        params.extend(flt.ids)
    long_terms = []
    for term in flt.query.split():
        if len(term) >= _FTS_MIN:
            long_terms.append(_fts_phrase(term))
        else:
            ors = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in _TEXT_COLUMNS)
            clauses.append(f"({ors})")
            params.extend([_like(term)] * len(_TEXT_COLUMNS))
    if long_terms:
        clauses.append("id IN (SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?)")
        params.append(" AND ".join(long_terms))
    return (" AND ".join(clauses) or "1"), params
