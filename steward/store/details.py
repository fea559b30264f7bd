"""Everything stored about one record, as the `--json` contracts show it.

    request_details(store, store.get(7))      # `steward show 7 --json`
    organization_details(store, "g0v.tw")     # `steward org show g0v.tw --json`

No SQL here: both read through the Store's public methods.
"""

from __future__ import annotations

from typing import Any

from steward.models import Request, iso_json


def request_details(store: Any, request: Request) -> dict:
    """The `show --json` contract: `Request.as_json()` then the body, matches, conversation, drafts, checklist, history."""
    guess = store.category_guess(request.id)
    return {
        **request.as_json(),
        "body": request.body,
        "version": request.version,
        "category_manual": request.category_manual,
        "match_manual": request.match_manual,
        "updated_at": iso_json(request.updated_at),
        "updated_by": request.updated_by,
        "suggested_category": guess.as_json() if guess else None,
        "matches": [m.as_stored_json() for m in store.matches(request.id)],
        "messages": [m.as_json() for m in store.messages(request.id)],
        "drafts": [d.as_json() for d in store.drafts(request.id)],
        "checklist": store.checklist_state(request.id),
        "history": [e.as_json() for e in store.history(request.id)],
    }


def organization_details(store: Any, ref: str | int) -> dict:
    """The `org show --json` contract: the organization, its requests, agreements, commitments, people, history."""
    o = store.get_organization(ref)
    today = store.today()
    return {
        **o.as_json(),
        "requests": [
            {"id": rid, "subject": subject, "status": status, "received_at": iso_json(received) if received else None,
             "assignee": assignee}
            for rid, subject, status, received, assignee, _ in store.organization_requests(o.id)
        ],
        "agreements": [a.as_json() for a in store.agreements(organization_id=o.id)],
        "commitments": [c.as_json(today) for c in store.commitments(organization_id=o.id)],
        "people": [p.as_json() for p in store.organization_people(o.id)],
        "history": [e.as_json() for e in store.organization_history(o.id)],
    }
