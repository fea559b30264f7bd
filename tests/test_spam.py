"""Spam and scams: recognised, filed as `other` with no route, filterable, and never answered by accident."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from steward.cli import main
from steward.config.settings import load_settings
from steward.store.filtering import parse_filter
from steward.matching.matcher import build_matcher
from steward.models import UsageError
from steward.matching.spam import spam_verdict
from steward.store import Store
from tests.conftest import DATA, sample_records

LABELLED = DATA / "labelled_requests.jsonl"
# The scams among the labelled samples: SEO spam, a crypto airdrop, a domain-renewal
# notice, pay-to-speak conferences, a phishing "workspace deactivation", a paid award
# and a paid "interview". The other `other` requests (a private question, a job
# application, a legal demand, paid development work) are genuine and must not be.
SCAMS = {"s013", "s050", "d018", "d034", "e001", "e011", "e025", "e037"}


def _rows() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _verdict(row):
    return spam_verdict(row["subject"], row["body"], row["organization"], row["from_name"], row["from_email"])


def test_every_scam_in_the_samples_is_likely_spam():
    rows = [r for r in _rows() if r["external_id"] in SCAMS]
    assert len(rows) == len(SCAMS)
    missed = {r["external_id"]: _verdict(r).score for r in rows if not _verdict(r).likely}
    assert not missed


def test_no_genuine_request_in_the_samples_is_likely_spam():
    flagged = {r["external_id"]: _verdict(r).reasons for r in _rows() if r["external_id"] not in SCAMS
               and _verdict(r).likely}
    assert not flagged


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("You have won a prize!!!", "Congratulations, you have won! Claim now: verify your account within 24 hours."),
        ("Invoice overdue", "Dear customer, your outstanding invoice is attached. Make payment by bank transfer "
                            "immediately to avoid suspension."),
        ("【恭喜】貴單位榮獲年度創新獎", "負責人 您好：恭喜入圍！為確保入圍資格，請盡快繳交審查費新臺幣 30,000 元。"),
        ("Grant approved", "Congratulations! You have been selected for a USD 50,000 grant. A processing fee of "
                           "USD 300 is payable before release. Contact us on WhatsApp."),
        ("Funding notification", "Dear Grant Recipient, your organisation has been approved for USD 120,000. To "
                                 "release the funds we need a clearance fee of USD 900 and a scan of the signatory's "
                                 "passport. Keep this confidential until disbursement."),
        ("撥款通知", "恭喜貴單位獲得海外基金會補助 20 萬美元。撥款前請先支付手續費 3 萬元，並提供負責人護照影本，請保密勿外流。"),
    ],
)
def test_kinds_of_scam_not_in_the_samples_are_recognised_too(subject, body):
    verdict = spam_verdict(subject, body)
    assert verdict.likely, verdict
    assert verdict.reasons and verdict.reasons_zh


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Speaker invitation", "We invite a speaker for our conference on 3 May; an honorarium is paid. "
                               "Please reply by 20 April."),
        ("贊助 g0v 大松", "您好，本公司想贊助下次黑客松的餐點費用，請問要匯款到哪個帳戶？需要開收據嗎？"),
        ("Password reset on the wiki?", "I forgot my password for the hackfoldr wiki, who can help me log in?"),
        ("Grant agreement for the Cofacts proposal", "Congratulations, the review panel funded your proposal. "
                                                     "Please send the signed agreement and your bank details; the "
                                                     "first payment follows in May."),
    ],
)
def test_genuine_requests_with_one_scammy_word_are_not_spam(subject, body):
    assert not spam_verdict(subject, body).likely


@pytest.mark.parametrize(
    ("subject", "body", "reason"),
    [
        ("Quick favour", "Are you at your desk? I'm stuck in meetings all day. Please buy six Google Play gift cards "
                         "of NT$2,000 each for the volunteers, scratch off the codes and send me photos. Keep it "
                         "between us for now, it's a surprise. I'll pay you back tonight.",
         "asks for gift cards or prepaid codes"),
        ("Charitable bequest", "Dear Friend, I am the attorney of a late client who died with no next of kin and left "
                               "an estate of USD 6 million. Your foundation can be named beneficiary. Reply urgently "
                               "and keep this confidential.",
         "offers a windfall: an estate, a legacy or millions"),
    ],
)
def test_a_fake_boss_and_an_inheritance_are_spam_with_the_reason_named(subject, body, reason):
    verdict = spam_verdict(subject, body)
    assert verdict.likely and reason in verdict.reasons


def test_an_invoice_redirect_with_no_listed_sign_is_caught_by_its_wording():
    body = ("Dear Accounts Payable, please note that our company has moved its banking to a new institution "
            "following an internal review. All outstanding and future invoices should now be settled to the "
            "account details below. Account name: Harbour Events Ltd, account number 004-5521-889. Kindly "
            "confirm by return email once the change has been recorded so that the pending payment is not delayed.")
    verdict = spam_verdict("Updated remittance instructions", body)
    assert verdict.likely and "reads like the scams it learned from" in verdict.reasons


def test_a_short_question_is_judged_by_its_signs_not_by_a_few_words():
    assert not spam_verdict("", "請問上次大松的共筆連結在哪裡？我想補上我們組的成果。").likely
    assert not spam_verdict("Quick question", "Hi! Is the next hackathon on 12 December? Can I bring a friend?").likely


def test_a_sign_is_a_word_not_the_start_of_a_longer_one():
    # "token" is a crypto sign; a tokeniser is not. "seo" is not Seoul.
    body = ("We run a fork of your bot on WhatsApp in Seoul and wrote a tokeniser for mixed Korean and English. "
            "Could we contribute it back upstream?")
    verdict = spam_verdict("Contributing a tokeniser to the bot", body)
    assert not verdict.likely and "sells SEO, crypto, investments or a job" not in verdict.reasons
    assert "sells SEO, crypto, investments or a job" in spam_verdict("Airdrop", "Claim your free tokens now").reasons


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.text(max_size=2000))
def test_any_text_gets_a_score_between_0_and_100(subject, body):
    verdict = spam_verdict(subject, body)
    assert 0 <= verdict.score <= 100
    assert verdict.likely == (verdict.score >= 60)


def test_a_scam_is_filed_as_other_with_no_route_and_reasons():
    matcher = build_matcher(load_settings(None))
    result = matcher.match(
        subject="Action required: your g0v workspace will be deactivated in 48 hours",
        body="Dear Workspace Admin, we detected unusual activity. Verify your account here to keep g0v-tw active.",
    )
    assert result.category.key == "other"
    assert result.matches == []
    assert result.spam.likely and result.spam.reasons


@pytest.fixture
def labelled_inbox(db_path):
    store = Store.open(db_path, actor="tester")
    store.import_requests(sample_records(LABELLED), matcher=build_matcher(load_settings(None)))
    store.close()
    return db_path


def _run(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *args])


def test_spam_likely_filter_lists_exactly_the_scams(labelled_inbox):
    result = _run(labelled_inbox, "list", "--json", "--limit", "500", "-q", "spam:likely")
    assert result.exit_code == 0, result.output
    assert {row["external_id"] for row in json.loads(result.output)} == SCAMS
    rest = _run(labelled_inbox, "list", "--json", "--limit", "500", "-q", "spam:unlikely")
    assert not {row["external_id"] for row in json.loads(rest.output)} & SCAMS


def test_an_unknown_spam_value_is_a_usage_error():
    with pytest.raises(UsageError, match="likely or unlikely"):
        parse_filter("spam:maybe", me="tester")


def test_match_text_and_json_show_the_spam_verdict(labelled_inbox):
    text = _run(labelled_inbox, "match", "e001")
    assert "Spam: likely" in text.output and "steward status" in text.output
    data = json.loads(_run(labelled_inbox, "match", "e001", "--json").output)
    assert data["spam"]["likely"] is True and 60 <= data["spam"]["score"] <= 100 and data["spam"]["reasons"]
    assert data["category"]["key"] == "other" and data["matches"] == []
    genuine = json.loads(_run(labelled_inbox, "match", "s001", "--json").output)
    assert genuine["spam"]["likely"] is False


def test_draft_offers_no_reply_to_spam_unless_forced(labelled_inbox):
    refused = _run(labelled_inbox, "draft", "e001", "--print")
    assert refused.exit_code != 0
    assert "looks like spam" in refused.output and "--force" in refused.output
    forced = _run(labelled_inbox, "draft", "e001", "--print", "--force")
    assert forced.exit_code == 0 and forced.output.strip()


def test_draft_of_a_request_filed_as_spam_is_refused_too(labelled_inbox):
    assert _run(labelled_inbox, "status", "s013", "spam").exit_code == 0
    refused = _run(labelled_inbox, "draft", "s013", "--print")
    assert refused.exit_code != 0 and "filed as spam" in refused.output


def test_the_request_view_says_a_scam_looks_like_spam_and_a_genuine_request_does_not(labelled_inbox):
    from steward.tui.inbox.request_view import RequestView, load_details

    store = Store.open(labelled_inbox, actor="tester")
    try:
        scam = RequestView()._meta(load_details(store, store.get("e001").id)).plain
        genuine = RequestView()._meta(load_details(store, store.get("s001").id)).plain
    finally:
        store.close()
    assert "Looks like spam" in scam and "verify an account" in scam
    assert "Looks like spam" not in genuine


def test_train_spam_writes_both_models_and_they_read_back_and_catch_what_they_learned(tmp_path, capsys):
    import sys
    from pathlib import Path

    from steward.matching.model import read_shipped
    from steward.matching.spam import WORDS_STEM

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import train_spam

    out = tmp_path / "spam_model.json"
    assert train_spam.main([str(LABELLED), "--out", str(out)]) == 0  # the samples alone: quick
    printed = capsys.readouterr().out
    assert "5-fold" in printed and "recall" in printed
    weights = json.loads(out.read_text(encoding="utf-8"))["weights"]
    words = read_shipped(tmp_path, WORDS_STEM)
    verdicts = {r["external_id"]: spam_verdict(r["subject"], r["body"], weights=weights, words=words) for r in _rows()}
    assert all(verdicts[key].likely and verdicts[key].reasons for key in SCAMS)
    assert not [key for key, verdict in verdicts.items() if verdict.likely and key not in SCAMS]
