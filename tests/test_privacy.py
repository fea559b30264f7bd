"""Public summaries carry no one's e-mail address, phone number or name."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from steward.config import Settings
from steward.models import IncomingRequest
from steward.privacy import EMAIL_MARK, NAME_MARK, PHONE_MARK, scrub
from steward.store import Store
from steward.summary import Period, build_summary
from steward.summary_markdown import render_markdown


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
