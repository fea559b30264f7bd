"""A RequestFilter as a SQL WHERE clause. User text is only ever a bound parameter."""

from __future__ import annotations

from datetime import date, timedelta

from steward.models import CLOSED_STATUSES, RequestFilter

# Trigram FTS needs at least three characters; shorter terms (common in Chinese:
# 萌典, 新手) fall back to LIKE.
_FTS_MIN = 3
_COMMITMENTS = "SELECT request_id FROM commitments WHERE state IN ('promised', 'lapsed')"
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
        if flt.due != "any":
            # Due means something still to do: a closed, declined or spam request is not
            # overdue (the list's ! marker and the weekly summary count the same way).
            clauses.append(f"status NOT IN ({','.join('?' * len(CLOSED_STATUSES))})")
            params.extend(sorted(CLOSED_STATUSES))
        # A partner's giving-back commitment is due like a follow-up; a lapsed one stays overdue.
        if flt.due == "overdue":
            clauses.append(f"(follow_up_on < ? OR id IN ({_COMMITMENTS} AND (state = 'lapsed' OR due_on < ?)))")
            params.extend([today.isoformat(), today.isoformat()])
        elif flt.due == "today":
            clauses.append(f"(follow_up_on <= ? OR id IN ({_COMMITMENTS} AND (state = 'lapsed' OR due_on <= ?)))")
            params.extend([today.isoformat(), today.isoformat()])
        elif flt.due == "week":
            week = (today + timedelta(days=7)).isoformat()
            clauses.append(f"(follow_up_on <= ? OR id IN ({_COMMITMENTS} AND (state = 'lapsed' OR due_on <= ?)))")
            params.extend([week, week])
        else:  # "any": has a follow-up date or an open commitment at all
            clauses.append(f"(follow_up_on IS NOT NULL OR id IN ({_COMMITMENTS}))")
    if flt.spam:
        from steward.matching.spam import LIKELY

        if flt.spam == "likely":
            clauses.append("spam_score >= ?")
        else:
            clauses.append("(spam_score IS NULL OR spam_score < ?)")
        params.append(LIKELY)
    if flt.ids:
        clauses.append(f"id IN ({','.join('?' * len(flt.ids))})")
        params.extend(flt.ids)
    for term in flt.query.split():
        if len(term) < _FTS_MIN:
            ors = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in _TEXT_COLUMNS)
            clauses.append(f"({ors})")
            params.extend([_like(term)] * len(_TEXT_COLUMNS))
    words = fts_words(flt)
    if words:
        clauses.append("id IN (SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?)")
        params.append(words)
    return (" AND ".join(clauses) or "1"), params


def fts_words(flt: RequestFilter) -> str | None:
    """The FTS query for the filter's 3+ character words, or None when it has none."""
    terms = [term for term in flt.query.split() if len(term) >= _FTS_MIN]
    return " AND ".join(_fts_phrase(term) for term in terms) if terms else None


def fts_only_query(flt: RequestFilter) -> str | None:
    """The FTS query when the filter is nothing but 3+ character words, else None."""
    terms = flt.query.split()
    if not terms or any(len(term) < _FTS_MIN for term in terms):
        return None
    if flt.statuses or flt.category or flt.match or flt.tag or flt.language or flt.due or flt.ids or flt.spam:
        return None
    if flt.assignee is not None:
        return None
    return " AND ".join(_fts_phrase(term) for term in terms)
