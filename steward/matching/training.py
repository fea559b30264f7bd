"""`steward train`: fold a steward's own labels into category and route models for their inbox.

Every category and every route a steward set by hand (`steward category ID KEY`,
`steward route ID KEY`, or in the inbox) is a label. Each user model starts
from the shipped weights and is fitted to those labels with the shrinkage
pulled towards the shipped weights, not towards zero: a handful of labels
nudges the model towards the community's habits instead of replacing what it
learned from the samples. They are saved next to the inbox database;
`steward.matching.matcher.build_matcher` prefers them and falls back to the
shipped models when they are missing or unreadable.

A route label teaches the route model which of the entries the request gave
evidence for was the right one. A route to an entry the request says nothing
about (no name, keyword or category lean) teaches nothing and is counted apart.
"""

from __future__ import annotations

import json
from pathlib import Path

from steward.matching.matcher import build_matcher
from steward.matching.model import TrainOptions, shipped_model, train, user_model_path
from steward.matching.routing import (
    ENTRY_FEATURE, USER_ENTRY_L2, USER_L2, RouteModel, fit, shipped_route_model, user_route_model_path,
)
from steward.models import CATEGORIES
from steward.util.files import write_atomic


def _model_dir(settings) -> Path:
    return Path(settings.database).expanduser().parent


def train_user_model(store, settings) -> dict:
    """Fit and save the user's model; returns what was learned (nothing is saved without labels)."""
    labels = store.hand_labels()
    categorized = [(r, c) for r, c, _ in labels if c in CATEGORIES]
    routed = [(r, m) for r, _, m in labels if m]
    path = user_model_path(_model_dir(settings))
    report = {"labels": len(categorized), "routes": len(routed), "path": str(path), "agree_before": 0,
              "agree_after": 0, "routes_learned": 0, "route_path": str(user_route_model_path(_model_dir(settings))),
              "routes_before": 0, "routes_after": 0}
    if categorized:
        _train_categories(categorized, settings, path, report)
    if routed:
        # After the categories: a route's lean depends on the category model in use.
        _train_routes(routed, build_matcher(settings), _model_dir(settings), report)
    return report


def _train_categories(categorized, settings, path: Path, report: dict) -> None:
    matcher = build_matcher(settings, model=False)
    examples = [
        (matcher.category_features(r.subject, r.body, r.organization, r.from_email, r.channel).values, c)
        for r, c in categorized
    ]
    prior = shipped_model()
    meta = prior.meta
    options = TrainOptions(
        epochs=int(meta.get("epochs", 10)), rate=float(meta.get("rate", 0.2)), l2=float(meta.get("l2", 1e-2)),
        gram_scale=float(meta.get("gram_scale", 1.0)), designed_scale=float(meta.get("designed_scale", 1.0)),
        min_df=1,
    )
    model = train(examples, list(CATEGORIES), options, prior=prior)
    model.meta["user_labels"] = len(examples)
    if "handled" in meta:
        model.meta["handled"] = meta["handled"]  # the route prior stays the shipped one

    def right(m) -> int:
        return sum(
            m.classes[max(range(len(p)), key=p.__getitem__)] == label
            for values, label in examples
            for p in [m.probabilities(values)]
        )

    report["agree_before"], report["agree_after"] = right(prior), right(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A crash mid-write leaves the old model, never half a file.
    write_atomic(path, json.dumps(model.as_json(), ensure_ascii=False, separators=(",", ":")))


def _train_routes(routed, matcher, data_dir: Path, report: dict) -> None:
    """Fit the user's route model to the routes set by hand, pulled towards the shipped weights."""
    requests = []
    for request, key in routed:
        candidates = matcher.route_candidates(
            request.subject or "", request.body or "", request.organization or "", request.from_name or "",
            request.from_email or "", request.channel or "",
        )
        if any(k == key for k, _ in candidates):
            requests.append((key, candidates))
    report["routes_learned"] = len(requests)
    if not requests:
        return
    prior = shipped_route_model()
    # An entry's habit is learned only for the entries a steward had a say about: those
    # they routed to, and those the shipped model put first where they chose another.
    said = {key for key, _ in requests} | {max(c, key=lambda kv: prior.logit(kv[1]))[0] for _, c in requests}
    requests = [
        (key, [(k, {**values, ENTRY_FEATURE + k: 1.0} if k in said else values) for k, values in candidates])
        for key, candidates in requests
    ]
    model = fit([(values, k == key) for key, candidates in requests for k, values in candidates], l2=USER_L2,
                prior=prior, l2_for={ENTRY_FEATURE: USER_ENTRY_L2})
    model.meta["user_labels"] = len(requests)

    def first_right(m: RouteModel) -> int:
        return sum(max(candidates, key=lambda c: m.logit(c[1]))[0] == key for key, candidates in requests)

    report["routes_before"], report["routes_after"] = first_right(prior), first_right(model)
    path = user_route_model_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(model.as_json(), ensure_ascii=False, indent=1))
