"""The learned category model: out-of-sample accuracy, reasons a steward can read, `steward train`."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from steward.cli import main
from steward.matching.matcher import build_matcher
from steward.matching.model import CategoryModel, TrainOptions, features, shipped_model, train, user_model_path
from steward.models import CATEGORIES
from steward.store import Store
from tests.conftest import DATA, sample_records

LABELLED = DATA / "labelled_requests.jsonl"
# Measured 5-fold category accuracy with the shipped options, over three fold seeds
# (scripts/eval_matching.py --folds 5 --nested --repeats 3), is 0.881 (0.872–0.889;
# zh 0.896, en 0.876); on the d and e lines alone 0.847. The floor sits under the
# lowest seed.
KFOLD_CATEGORY_FLOOR = 0.85
KFOLD_LANGUAGE_GAP = 0.03  # English no further below Chinese than this (issue 13)


def _rows() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def rules_matcher():
    from steward.config.settings import load_settings

    return build_matcher(load_settings(None), model=False)


def _folds(labels: list[str], k: int = 5, seed: int = 13) -> list[list[int]]:
    by: dict[str, list[int]] = {}
    for i, y in enumerate(labels):
        by.setdefault(y, []).append(i)
    rng, folds, j = random.Random(seed), [[] for _ in range(k)], 0
    for y in sorted(by):
        idx = list(by[y])
        rng.shuffle(idx)
        for i in idx:
            folds[j % k].append(i)
            j += 1
    return folds


def _also(expected: dict) -> set[str]:
    """An equally right second category: one key or a list of keys in the labels."""
    also = expected.get("also_category") or []
    return {also} if isinstance(also, str) else set(also)


def _category(matcher, row) -> str:
    return matcher.match(
        subject=row["subject"], body=row["body"], organization=row["organization"], from_name=row["from_name"],
        from_email=row["from_email"], channel=row["channel"],
    ).category.key


def test_category_holds_up_on_requests_the_model_was_not_fitted_on(rules_matcher):
    rows = _rows()
    labels = [r["expected"]["category"] for r in rows]
    values = [
        rules_matcher.category_features(r["subject"], r["body"], r["organization"], r["from_email"], r["channel"]).values
        for r in rows
    ]
    meta = shipped_model().meta
    options = TrainOptions(l2=meta["l2"], gram_scale=meta["gram_scale"])
    right = {"zh": [0, 0], "en": [0, 0]}
    for fold in _folds(labels):
        held = set(fold)
        rules_matcher.model = train(
            [(values[i], labels[i]) for i in range(len(rows)) if i not in held], list(CATEGORIES), options
        )
        for i in fold:
            got = _category(rules_matcher, rows[i])
            ok = got == labels[i] or got in _also(rows[i]["expected"])
            lang = "zh" if values[i].get("lang:zh") else "en"
            right[lang][0] += ok
            right[lang][1] += 1
    rules_matcher.model = None
    overall = (right["zh"][0] + right["en"][0]) / len(rows)
    zh, en = (right[k][0] / right[k][1] for k in ("zh", "en"))
    assert overall >= KFOLD_CATEGORY_FLOOR, right
    assert en >= zh - KFOLD_LANGUAGE_GAP, right


def test_the_shipped_model_is_what_the_labelled_samples_say(rules_matcher):
    rows = _rows()
    rules_matcher.model = shipped_model()
    try:
        right = sum(_category(rules_matcher, r) in {r["expected"]["category"], *_also(r["expected"])} for r in rows)
    finally:
        rules_matcher.model = None
    assert right / len(rows) >= 0.95  # in-sample: a stale or broken weights file fails here


def test_training_twice_on_the_same_labels_gives_the_same_weights():
    examples = [
        (features("Invitation to speak", "Could someone give a talk at our meetup?").values, "speaking"),
        (features("想用 logo", "請問海報上可以放 g0v 的標誌嗎？").values, "naming"),
        (features("Volunteering", "I'd like to volunteer and contribute code.").values, "volunteer"),
    ] * 2
    one = train(examples, list(CATEGORIES), TrainOptions(epochs=3))
    two = train(examples, list(CATEGORIES), TrainOptions(epochs=3))
    assert one.as_json() == two.as_json()


@pytest.mark.parametrize(
    ("subject", "body", "organization", "key", "zh_word", "en_word"),
    [
        ("海報上可以放 g0v 的 logo 嗎", "我們 12 月的活動想在海報上使用 g0v 標誌，需要申請嗎？", "某某協會", "naming",
         "標誌", "logo"),
        ("Invitation: keynote speaker at our civic tech conference",
         "We would like to invite a speaker from the community to give a keynote talk in March.",
         "Open Data Society", "speaking", "演講", "speak"),
    ],
)
def test_reasons_name_the_ask_in_both_languages(subject, body, organization, key, zh_word, en_word):
    from steward.config.settings import load_settings

    matcher = build_matcher(load_settings(None))
    result = matcher.match(subject=subject, body=body, organization=organization)
    assert result.category.key == key
    by_language = result.category.reasons_i18n
    assert by_language["zh-TW"] and by_language["en"]
    assert any(zh_word in reason for reason in by_language["zh-TW"])
    assert any(en_word in reason for reason in by_language["en"])
    assert not any(reason.startswith(("c:", "w:", "b:")) for reason in by_language["en"])


def test_match_json_keeps_its_keys_and_adds_reasons_by_language_and_spam(db_path):
    store = Store.open(db_path, actor="tester")
    store.import_requests(sample_records())
    store.close()
    result = CliRunner().invoke(main, ["--db", str(db_path), "match", "s001", "--json"], catch_exceptions=False)
    data = json.loads(result.output)
    assert {"request_id", "language", "category", "matches", "spam"} <= set(data)
    assert {"key", "score", "reasons", "reasons_by_language"} <= set(data["category"])
    assert set(data["category"]["reasons_by_language"]) == {"zh-TW", "en"}
    assert data["category"]["key"] == "speaking"
    assert data["spam"] == {"likely": False, "score": data["spam"]["score"], "reasons": data["spam"]["reasons"]}


def test_steward_train_learns_a_hand_set_category_for_this_inbox(db_path):
    store = Store.open(db_path, actor="tester")
    store.import_requests(sample_records())
    # A community that files every request from this sender as media.
    chosen = store.get("s001")
    store.set_category("s001", "media")
    store.close()
    result = CliRunner().invoke(main, ["--db", str(db_path), "train", "--json"], catch_exceptions=False)
    report = json.loads(result.output)
    assert report["labels"] == 1
    assert Path(report["path"]) == user_model_path(db_path.parent)
    assert user_model_path(db_path.parent).exists()
    match = CliRunner().invoke(main, ["--db", str(db_path), "match", "s001", "--json"], catch_exceptions=False)
    assert json.loads(match.output)["category"]["key"] == "media"
    # The shipped model is untouched and still the fallback for other inboxes.
    assert shipped_model().predict(build_matcher_features(chosen)).key == "speaking"


def build_matcher_features(request):
    from steward.config.settings import load_settings

    return build_matcher(load_settings(None), model=False).category_features(
        request.subject, request.body, request.organization, request.from_email, request.channel
    )


def test_train_without_hand_labels_saves_nothing(db_path):
    store = Store.open(db_path, actor="tester")
    store.import_requests(sample_records())
    store.close()
    result = CliRunner().invoke(main, ["--db", str(db_path), "train"], catch_exceptions=False)
    assert "no categories or routes set by hand" in result.output
    assert not user_model_path(db_path.parent).exists()


def test_a_damaged_user_model_falls_back_to_the_shipped_one(tmp_path):
    from steward.matching.model import load_model

    user_model_path(tmp_path).write_text("{not json", encoding="utf-8")
    assert load_model(tmp_path) is shipped_model()


def test_a_model_file_of_another_shape_is_refused():
    with pytest.raises(ValueError):
        CategoryModel.from_json({"version": 1, "classes": ["a", "b"], "weights": {"x": [1.0]}})


def test_matching_never_imports_numpy_or_sklearn():
    code = "import sys, steward.matching.matcher, steward.matching.model, steward.matching.spam; " \
           "print(sorted(m for m in ('numpy', 'sklearn', 'scipy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_model_and_the_drafts_read_who_is_asking_the_same_way():
    from steward.drafting.facts import sender_type, who_is_asking

    for organization, email in [("青禾電視台 新聞部", ""), ("臺北市政府資訊局", ""), ("", "staff@moda.gov.tw"),
                                ("Code for Japan", "info@code4japan.jp"), ("", "someone@gmail.com")]:
        sender = who_is_asking(organization, email)
        values = features("hello", "a question", organization, email).values
        assert values.get("from:" + {"government": "gov"}.get(sender.kind, sender.kind)) == 1.0
        assert ("from:foreign" in values) == sender.abroad == (sender_type(organization, email, "") == "foreign")


def test_a_newsroom_is_media_not_a_ministry():
    from steward.drafting.facts import sender_type

    assert sender_type("青禾電視台 新聞部《未來公民》", "", "") == "media"
    assert sender_type("新民週報", "", "") == "media"


def test_an_english_letter_from_a_taiwanese_organization_is_not_from_abroad():
    values = features("Question about your data", "We would like to reuse the dataset.", "ReliefNet Taiwan",
                      "team@reliefnet.example.tw").values
    assert "from:foreign" not in values and values["from:taiwan"] == 1.0
    values = features("Question about your data", "We would like to reuse the dataset.", "Datos Cívicos Chile",
                      "hola@datos.example.cl").values
    assert values["from:foreign"] == 1.0


def test_the_sentence_that_asks_names_the_main_ask():
    # "合作" in the introduction, the logo in the sentence that asks.
    values = features("", "我們是長期關注開放政府的團體，過去和很多單位合作過。這次想請問活動海報上可以放你們的標誌嗎？").values
    assert values["main:logo"] == 1.0
    assert "main:together" not in values and "ask:together" in values


def test_a_quoted_earlier_message_and_a_signature_do_not_change_what_is_asked():
    body = "Hi,\nCould someone give a talk at our meetup in March?\n"
    quoted = body + "\nOn Mon, 2 Nov 2026, Ann <ann@example.org> wrote:\n> We can sponsor a grant and pay the invoice.\n"
    signed = body + "-- \nAnn, Treasurer, Grant Committee\n"
    assert features("Talk", quoted).values == features("Talk", body).values == features("Talk", signed).values


def test_a_category_whose_group_was_always_the_answer_leans_further_towards_it(rules_matcher):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import train_matching

    rows = [{"expected": {"category": "international", "match": "g0v-intl"}}] * 8 + [
        {"expected": {"category": "media", "match": None}}] * 8
    rates = train_matching.handled_rates(rows, rules_matcher.rules)
    assert rates["international"] == 0.9 and rates["media"] == 0.1
    model = CategoryModel(list(CATEGORIES), {}, {"handled": rates})
    rules_matcher.model = model
    try:
        assert rules_matcher._handled("international") > 1.0 > rules_matcher._handled("media")
    finally:
        rules_matcher.model = None
    assert rules_matcher._handled("international") == 1.0  # no learned prior: the rules' weight as it was


def _scripts():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import eval_matching

    return eval_matching


def _small_labelled_file(tmp_path: Path) -> Path:
    """One labelled line of each category from each of the s, d and e series."""
    taken: set[tuple[str, str]] = set()
    lines = []
    for row in _rows():
        key = (row["expected"]["category"], str(row["external_id"])[:1])
        if key not in taken:
            taken.add(key)
            lines.append(json.dumps(row, ensure_ascii=False))
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_repeated_kfold_scores_every_line_once_per_fold_seed_and_reports_the_spread(tmp_path, capsys):
    eval_matching = _scripts()
    from steward.config.settings import load_settings

    path = _small_labelled_file(tmp_path)
    ids = sorted(str(json.loads(line)["external_id"]) for line in path.read_text(encoding="utf-8").splitlines())
    runs = eval_matching.cross_validate(path, load_settings(None), 2, False, repeats=2)
    assert sorted(o.external_id for o in runs["2-fold #1"]) == ids
    assert sorted(o.external_id for o in runs["2-fold #2"]) == ids
    summary = eval_matching.repeated_summary(runs, 2)
    mean, lowest, highest = summary["all"]["category"]
    assert lowest <= mean <= highest
    assert "d+e" in summary  # the lines the categories.toml cue words were not written from

    eval_matching.main([str(path), "--folds", "2", "--repeats", "2", "--without-rules"])
    out = capsys.readouterr().out
    assert "2-fold × 2 seeds: mean (lowest–highest)" in out
    assert "targets:" in out


def test_repeats_use_different_folds_and_the_first_is_the_trainers():
    eval_matching = _scripts()
    import train_matching

    labels = [r["expected"]["category"] for r in _rows()]
    first = train_matching.stratified_folds(labels, 5, seed=eval_matching.FOLD_SEED)
    assert first == train_matching.stratified_folds(labels, 5)
    assert first != train_matching.stratified_folds(labels, 5, seed=eval_matching.FOLD_SEED + 1)


def test_the_rule_ablation_leaves_out_only_what_categories_toml_gave():
    eval_matching = _scripts()
    values = {"rule:naming": 0.8, "rulecat:naming": 1.0, "handler:naming": 1.0, "ask:logo": 1.0, "c:標誌": 0.3}
    assert eval_matching.without_rules(values) == {"ask:logo": 1.0, "c:標誌": 0.3}


def test_the_shipped_model_reads_back_as_written_and_a_damaged_weights_file_is_refused(tmp_path):
    from steward.matching.model import read_shipped, write_shipped

    shipped = shipped_model()
    write_shipped(shipped, tmp_path)
    again = read_shipped(tmp_path)
    assert again.classes == shipped.classes and again.meta == shipped.meta
    assert again.weights.keys() == shipped.weights.keys()
    assert all(abs(a - b) < 1e-6 for k, w in shipped.weights.items() for a, b in zip(w, again.weights[k]))
    weights = tmp_path / "model.weights"
    weights.write_bytes(weights.read_bytes()[:-4])
    with pytest.raises(ValueError):
        read_shipped(tmp_path)


def test_eval_targets_are_the_issues_and_english_more_than_three_points_behind_fails():
    eval_matching = _scripts()
    good = {"top1": 0.95, "top3": 0.985, "category": 0.9}
    assert eval_matching.missed_targets({"all": good, "zh": good, "en": good}) == []
    close = {**good, "top1": 0.93}  # two points behind: allowed
    assert eval_matching.missed_targets({"all": good, "zh": good, "en": close}) == []
    behind = {**good, "top1": 0.91}
    failed = eval_matching.missed_targets({"all": good, "zh": good, "en": behind})
    assert failed == ["English top1 0.910 more than 3 points below Chinese 0.950"]
    assert eval_matching.missed_targets({"all": good, "zh": behind, "en": good}) == []  # the issue asks of English
    short = {**good, "top3": 0.9796}
    assert eval_matching.missed_targets({"all": short}) == ["top3 0.9796 < 0.98"]


def test_steward_train_learns_a_communitys_routing_habit_and_applies_it_to_new_requests(db_path):
    """A community that sends international requests to the hackathon team, not to the
    international group: routes set by hand on most of them teach the habit, and a
    request of that kind nobody routed by hand goes there too."""
    from steward.config.settings import load_settings
    from steward.matching.routing import user_route_model_path

    records = sample_records(LABELLED)
    matcher = build_matcher(load_settings(None))
    habit = [
        r.external_id for r in records
        if (result := matcher.match_request(r)).matches and result.matches[0].key == "g0v-intl"
        and "jothon" in dict(matcher.route_candidates(r.subject or "", r.body or "", r.organization or ""))
    ]
    assert len(habit) >= 6
    taught, untaught = habit[:-2], habit[-2:]
    store = Store.open(db_path, actor="tester")
    store.import_requests(records)
    for ref in taught:
        store.set_route(ref, "jothon")
    store.close()

    def first_route(ref):
        out = CliRunner().invoke(main, ["--db", str(db_path), "match", ref, "--json"], catch_exceptions=False)
        matches = json.loads(out.output)["matches"]
        return matches[0]["key"] if matches else None

    assert [first_route(ref) for ref in untaught].count("jothon") == 0
    result = CliRunner().invoke(main, ["--db", str(db_path), "train", "--json"], catch_exceptions=False)
    report = json.loads(result.output)
    assert report["routes"] == report["routes_learned"] == len(taught)
    assert report["routes_after"] > report["routes_before"]
    assert user_route_model_path(db_path.parent).exists()
    assert "jothon" in [first_route(ref) for ref in untaught]
    # The shipped model is untouched: another inbox still routes them to the international group.
    assert matcher.match_request(next(r for r in records if r.external_id == untaught[-1])).matches[0].key == "g0v-intl"


def test_a_damaged_user_route_model_falls_back_to_the_shipped_one(tmp_path):
    from steward.matching.routing import load_route_model, shipped_route_model, user_route_model_path

    user_route_model_path(tmp_path).write_text('{"version": 1, "weights": "not a table"}', encoding="utf-8")
    assert load_route_model(tmp_path) is shipped_route_model()


def test_the_reasons_do_not_change_from_one_run_to_the_next():
    """Python orders sets by a hash seed chosen per process: ties between cue words or
    names once came out in another order in the next `steward match`."""
    ids = ("s005", "s053", "d037")  # requests with cue words of equal weight
    rows = [r for r in _rows() if r["external_id"] in ids]
    script = (
        "import json, sys\n"
        "from steward.config.settings import load_settings\n"
        "from steward.matching.matcher import build_matcher\n"
        "m = build_matcher(load_settings(None))\n"
        "for r in json.load(sys.stdin):\n"
        "    res = m.match(subject=r['subject'], body=r['body'], organization=r['organization'])\n"
        "    print(json.dumps([res.category.reasons, [(x.key, x.score, x.reasons) for x in res.matches]]))\n"
    )

    def run(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], input=json.dumps(rows), capture_output=True,
                              text=True, env=env, check=True)
        return done.stdout

    first = run("1")
    assert first.count("\n") == len(ids)
    assert all(run(seed) == first for seed in ("2", "3", "4"))


def test_held_out_lines_are_scored_by_models_that_never_saw_them(tmp_path, monkeypatch):
    eval_matching = _scripts()
    import train_matching
    from steward.config.settings import load_settings

    path = _small_labelled_file(tmp_path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    held = tmp_path / "held.jsonl"
    held.write_text("".join(json.dumps({**r, "external_id": f"h{n}"}, ensure_ascii=False) + "\n"
                            for n, r in enumerate(rows[:4])), encoding="utf-8")
    fitted: list[list[str]] = []
    real_fit = train_matching.fit

    def recording_fit(examples, options=None):
        fitted.append([label for _, label in examples])
        return real_fit(examples, options)

    monkeypatch.setattr(train_matching, "fit", recording_fit)
    runs = eval_matching.cross_validate(path, load_settings(None), 2, False, test_files=[held])
    assert sorted(o.external_id for o in runs["held out"]) == [f"h{n}" for n in range(4)]
    # Every model was fitted on the labelled file's lines (or a part of them), never on more.
    assert fitted and all(len(labels) <= len(rows) for labels in fitted)
