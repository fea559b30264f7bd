"""`steward train`: fold a steward's own category labels into a model for their inbox.

Every category a steward set by hand (`steward category ID KEY`, or in the
inbox) is a label. The user's model starts from the shipped weights and is
fitted to those labels with the shrinkage pulled towards the shipped weights,
not towards zero: a handful of labels nudges the model towards the community's
habits instead of replacing what it learned from the samples. It is saved next
to the inbox database; `steward.matching.matcher.build_matcher` prefers it and falls
back to the shipped model when it is missing or unreadable.

Routes set by hand are counted and reported but not learned yet: routing is
scored by the directory matcher, not by this model.
"""

from __future__ import annotations

import json
from pathlib import Path

from steward.matching.model import TrainOptions, shipped_model, train, user_model_path
from steward.models import CATEGORIES
from steward.util.files import write_atomic


def _model_dir(settings) -> Path:
    return Path(settings.database).expanduser().parent


def train_user_model(store, settings) -> dict:
    """Fit and save the user's model; returns what was learned (nothing is saved without labels)."""
    from steward.matching.matcher import build_matcher

    labels = store.hand_labels()
    categorized = [(r, c) for r, c, _ in labels if c in CATEGORIES]
    routes = sum(1 for _, _, m in labels if m)
    path = user_model_path(_model_dir(settings))
    report = {"labels": len(categorized), "routes": routes, "path": str(path), "agree_before": 0, "agree_after": 0}
    if not categorized:
        return report
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
    return report
