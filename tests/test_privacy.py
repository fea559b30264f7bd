"""Public summaries carry no one's e-mail address, phone number or name."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from steward.config.settings import Settings
from steward.models import IncomingRequest
from steward.util.privacy import EMAIL_MARK, NAME_MARK, PHONE_MARK, scrub
from steward.store import Store
from steward.summary.data import Period, build_summary
from steward.summary.markdown import render_markdown


@pytest.mark.parametrize(
    "phone",
    [
        "0912-345-678", "0912345678", "0912 345 678", "(02)2345-6789", "02-2345-6789", "(02) 2345 6789",
        "(03)335-0912 分機 4312", "04-723-1234", "(04)723-1234", "049-2345678", "+886 2 2345 6789 分機 215",
        "+886-2-2345-6789", "+886 912 345 678", "+886-912-345-678", "+886912345678", "+886 (0)2 2345 6789",
        "00886-2-2345-6789", "０９１２－３４５－６７８", "（０２）２３４５－６７８９", "0912.345.678",
        "02-2345-6789 ext. 12", "0912–345–678",
    ],
)
def test_taiwanese_phone_numbers_are_removed_in_every_form(phone):
    assert scrub(f"請撥 {phone}，謝謝") == f"請撥 {PHONE_MARK}，謝謝"
    assert scrub(f"call:{phone}.") == f"call:{PHONE_MARK}."


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-16 10:10 開會", "NT$2,000 元", "2014 年政治獻金", "Study visit, 14–18 January 2027",
        "v1.2.3", "第 3 樓第一簡報室", "12 月 10 日下午 2 時至 4 時", "2026/11/16 09:30",
    ],
)
def test_dates_amounts_and_times_are_kept(text):
    assert scrub(text) == text


def test_addresses_and_known_names_are_removed():
    text = "Hiroshi Tanaka (hiroshi.tanaka@civictech-kansai.example.org) and 林雅婷 wrote; cc HIROSHI TANAKA"
    assert scrub(text, ["Hiroshi Tanaka", "林雅婷", "hiroshi.tanaka@civictech-kansai.example.org"]) == (
        f"{NAME_MARK} ({EMAIL_MARK}) and {NAME_MARK} wrote; cc {NAME_MARK}"
    )


def test_latin_names_match_whole_words_only():
    assert scrub("Ray tracing in an Array, by Ray.", ["Ray"]) == f"{NAME_MARK} tracing in an Array, by {NAME_MARK}."
    assert scrub("A talk by K", ["K"]) == "A talk by K"  # one letter is not a usable name


# --- the property: nothing personal survives into public output -----------------------------

def _n(count: int):
    return st.text(alphabet="0123456789", min_size=count, max_size=count)


_SEP = st.sampled_from(["-", " ", "", ".", " - ", "–"])
mobiles = st.builds(lambda a, b, c, s1, s2: f"09{a}{s1}{b}{s2}{c}", _n(2), _n(3), _n(3), _SEP, _SEP)
landlines = st.one_of(
    st.builds(lambda area, a, b, s: f"(0{area}){a}{s}{b}", st.sampled_from("2345678"), _n(4), _n(4), _SEP),
    st.builds(lambda area, a, b, s: f"0{area}{s}{a}{s}{b}", st.sampled_from("2345678"), _n(4), _n(4), st.sampled_from(["-", " "])),
    st.builds(lambda a, b, ext: f"(03){a}-{b} 分機 {ext}", _n(3), _n(4), _n(4)),
    st.builds(lambda area, a, b: f"0{area}-{a}{b}", st.sampled_from(["49", "37", "89"]), _n(3), _n(4)),
)
international = st.one_of(
    st.builds(lambda a, b, c, s: f"+886{s}9{a}{s}{b}{s}{c}", _n(2), _n(3), _n(3), st.sampled_from([" ", "-", ""])),
    st.builds(lambda area, a, b, s: f"+886{s}{area}{s}{a}{s}{b}", st.sampled_from("2345678"), _n(4), _n(4), st.sampled_from([" ", "-"])),
    st.builds(lambda a, b: f"+886 (0)2 {a} {b}", _n(4), _n(4)),
)
phones = st.one_of(mobiles, landlines, international)
emails = st.emails()
# Text around the PII: letters, CJK, punctuation and spaces (a phone glued to other
# digits is no longer a phone number anyone can read).
filler = st.lists(
    st.sampled_from(list("abcXYZ 中文，。：（）()|#*_[]<>!\n") + ["聯絡電話 ", "Tel: ", "email "]), max_size=8
).map("".join)


def digits_pattern(phone: str) -> re.Pattern[str]:
    """The phone's digits in order, allowing the separators and escapes Markdown could add."""
    digits = [str(int(ch)) for ch in phone if ch.isdigit()]
    return re.compile(r"[\s\\\-.()（）–]{0,4}".join(digits))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    phone=phones, email=emails, where=st.sampled_from(["subject", "organization", "body", "from_name"]),
    before=filler, after=filler, name=st.sampled_from(["林雅婷", "Hiroshi Tanaka", "Kuan"]),
)
def test_generated_contact_details_never_reach_public_output(phone, email, where, before, after, name):
    fields = {"subject": "Talk invitation", "organization": "Civic Lab", "body": "", "from_name": name}
    fields[where] = f"{fields[where]} {before}{phone}{after} {email} {before}"
    with tempfile.TemporaryDirectory() as tmp:
        settings_ = Settings(steward_name="tester", language="en", timezone="Asia/Taipei", database=Path(tmp) / "s.db")
        store = Store.open(settings_.database, actor="tester")
        try:
            store.import_requests([
                IncomingRequest(
                    received_at=datetime(2026, 11, 17, 2, 0, tzinfo=timezone.utc), from_email=email,
                    subject=f"{fields['subject']} from {fields['from_name']}", organization=fields["organization"],
                    body=fields["body"], from_name=fields["from_name"],
                )
            ])
            summary = build_summary(store, settings_, period=Period.iso_week("2026-W47"), public=True,
                                    now=datetime(2026, 11, 25, tzinfo=timezone.utc))
        finally:
            store.close()
    outputs = [
        render_markdown(summary, lang="en"),
        render_markdown(summary, lang="zh-TW"),
        json.dumps(summary.as_json(), ensure_ascii=False),
    ]
    for output in outputs:
        assert phone not in output
        assert not digits_pattern(phone).search(output), phone
        assert email.lower() not in output.lower()
        assert name not in output


# --- issue 11: the forms that leaked, and generated variants of each --------------------------

from click.testing import CliRunner  # noqa: E402

from steward.cli import main  # noqa: E402
from steward.util.privacy import PUBLIC_OK_TAG, KnownNames, safe_organization  # noqa: E402
from steward.summary.publish import publish  # noqa: E402
from steward.summary.markdown import PUBLIC_MARK, md_text  # noqa: E402
from tests.hostile_privacy import FORMS, embedded, leaks  # noqa: E402

W47 = Period.iso_week("2026-W47")
AT = datetime(2026, 11, 17, 2, 0, tzinfo=timezone.utc)


class _NoDirectory:
    def get(self, key):
        return None


def public_outputs(db: Path, requests: list[IncomingRequest], approve: list[int] = ()) -> list[str]:
    """`build_summary(public=True)` of one week holding `requests`, as Markdown (both languages) and JSON."""
    settings_ = Settings(steward_name="tester", language="en", timezone="Asia/Taipei", database=db)
    store = Store.open(db, actor="tester")
    try:
        store.import_requests(requests)
        for number in approve:
            store.add_tags(number, [PUBLIC_OK_TAG])
        summary = build_summary(store, settings_, period=W47, public=True, directory=_NoDirectory(),
                                now=datetime(2026, 11, 25, tzinfo=timezone.utc))
    finally:
        store.close()
    return [render_markdown(summary, lang="en"), render_markdown(summary, lang="zh-TW"),
            json.dumps(summary.as_json(), ensure_ascii=False)]


def carrying(text: str, where: str, from_name: str, n: int = 0) -> IncomingRequest:
    fields = {"subject": "Talk invitation", "organization": "Civic Lab", "body": "See below.", "from_name": from_name}
    fields[where] = f"{fields[where]} {text}" if where != "from_name" else text
    return IncomingRequest(received_at=AT, from_email="sender@mail.example.net", external_id=f"r{n}", **fields)


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.text)
@pytest.mark.parametrize("place", ["subject", "approved subject", "organization"])
def test_none_of_the_forms_that_leaked_reaches_public_output(form, place, tmp_path):
    where = "organization" if place == "organization" else "subject"
    outputs = public_outputs(tmp_path / "s.db", [carrying(form.text, where, form.from_name)],
                             approve=[1] if place == "approved subject" else [])
    for output in outputs:
        assert not leaks(output, form.secrets), output


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cases=st.lists(st.tuples(embedded(), st.sampled_from(["subject", "organization", "body", "from_name"]),
                             st.booleans()), min_size=1, max_size=4),
)
def test_generated_personal_data_never_reaches_public_output(cases):
    requests = [carrying(text, where, form.from_name, n) for n, ((form, text), where, _) in enumerate(cases)]
    approve = [n for n, (_, _, approved) in enumerate(cases, start=1) if approved]
    with tempfile.TemporaryDirectory() as tmp:
        outputs = public_outputs(Path(tmp) / "s.db", requests, approve)
    secrets = {s for (form, _), _, _ in cases for s in form.secrets}
    for output in outputs:
        assert not leaks(output, secrets)


@settings(max_examples=300, deadline=None)
@given(case=embedded())
def test_generated_personal_data_is_masked_and_never_an_organization(case):
    form, text = case
    names = KnownNames([form.from_name])
    assert not leaks(md_text(scrub(text, names)), form.secrets)
    assert safe_organization(text, names) is None


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.text)
def test_publish_refuses_each_form(form):
    text = f"{PUBLIC_MARK}\n\n# Partner requests\n\n| 17 Nov | Civic Lab | {md_text(form.text)} |\n"
    settings_ = Settings(steward_name="tester", language="en", timezone="Asia/Taipei", database=Path("unused.db"))
    result = publish(text, to="hackmd", settings=settings_, dry_run=True, environ={}, known_names=[form.from_name])
    assert [w for w in result.warnings if "line 5 looks like it holds" in w], result.warnings


def test_real_organizations_and_plain_subjects_are_kept():
    # Detection leans towards removing too much, but not what an ordinary week holds.
    organizations = {
        json.loads(line)["organization"] for line in (Path(__file__).parent / "data" / "samples.jsonl").open()
    } - {""}
    assert len(organizations) > 30
    assert [o for o in organizations if safe_organization(o) != o] == []
    for subject in ["Proposal: Southeast Asia–Taiwan civic tech exchange (2027–2028)", "COSCUP 2026 g0v track?",
                    "Invitation: 12/10 14:00–16:00, 3F room 301", "2026-11-16 10:10 開會", "NT$2,000 元贊助"]:
        assert scrub(subject) == subject


def test_cli_public_export_leaks_none_of_the_forms(db_path):
    store = Store.open(db_path, actor="tester")
    store.import_requests([
        carrying(f.text, w, f.from_name, n) for n, (f, w) in enumerate((f, w) for f in FORMS for w in ("subject", "organization"))
    ])
    for number in range(1, 2 * len(FORMS) + 1, 4):
        store.add_tags(number, [PUBLIC_OK_TAG])
    store.close()
    secrets = {s for f in FORMS for s in f.secrets}
    for args in (["--lang", "en"], ["--lang", "zh-TW"], ["--json"]):
        result = CliRunner().invoke(main, ["--db", str(db_path), "export", "--week", "2026-W47", "--public", *args])
        assert result.exit_code == 0, result.output
        assert "Civic Lab" in result.output  # what is safe is still there
        assert not leaks(result.output, secrets)


def test_cli_publish_knows_the_inbox_names(db_path, tmp_path):
    store = Store.open(db_path, actor="tester")
    store.import_requests([carrying("x", "subject", "林大華")])
    store.close()
    note = tmp_path / "w47.md"
    note.write_text(f"{PUBLIC_MARK}\n\n# Partner requests\n\n- 大華的提案 was accepted\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(db_path), "publish", str(note), "--to", "hackmd", "--dry-run"])
    assert "line 5 looks like it holds the name or address of someone in the inbox" in result.output


def test_phonenumbers_stays_off_the_start_up_path():
    import subprocess
    import sys

    code = (
        "import sys, steward.cli, steward.util.privacy, steward.summary.data, steward.summary.publish\n"
        "from steward.util.privacy import scrub\n"
        "scrub('no digits here')\n"
        "assert 'phonenumbers' not in sys.modules, 'imported at start-up'\n"
        "scrub('call 2345-6789')\n"
        "assert 'phonenumbers' in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
