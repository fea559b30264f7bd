"""Untrusted text is cleaned on the way in and on the way out: no controls, no invisible characters."""

from __future__ import annotations

import sys
import unicodedata
from datetime import datetime, timezone

from hypothesis import given, strategies as st

from steward.models import IncomingRequest
from steward.summary.markdown import md_text
from steward.util.text import cell_width, clean_text, fit, one_line, pad

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"]
FORMAT_CHARACTERS = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]


def test_every_invisible_format_character_is_removed():
    assert len(FORMAT_CHARACTERS) > 150
    text = "a" + "a".join(FORMAT_CHARACTERS) + "a"
    assert clean_text(text) == "a" * (len(FORMAT_CHARACTERS) + 1)


@given(
    words=st.lists(st.text(alphabet="abc中文 0912", min_size=1, max_size=5), min_size=1, max_size=5),
    hidden=st.lists(st.sampled_from(ZERO_WIDTH + ["\u202e", "\u2066", "\x1b[31m", "\x07", "\u00ad"]), min_size=1),
)
def test_hidden_characters_never_reach_the_markdown_or_the_screen(words, hidden):
    text = "".join(w + h for w, h in zip(words, hidden * len(words)))
    plain = "".join(words)
    for shown in (clean_text(text), one_line(text), md_text(text), fit(text, 200), pad(text, 200)):
        assert not any(ch in shown for ch in ZERO_WIDTH + ["\u202e", "\u2066", "\x1b", "\x07", "\u00ad"])
    assert clean_text(text) == plain
    assert cell_width(fit(text, 200)) == cell_width(plain)


def test_zero_width_characters_take_no_cell():
    assert cell_width("電話\u200b\u200d") == 4
    assert pad("a\u200bb", 4) == "ab  "


def test_line_separators_become_newlines():
    assert clean_text("one\u2028two\u2029three") == "one\ntwo\nthree"


def test_zero_width_characters_are_removed_on_import(store):
    store.import_requests([IncomingRequest(
        received_at=datetime(2026, 11, 17, 2, 0, tzinfo=timezone.utc), subject="call 0912\u200b345\u200b678",
        organization="Civic\u2060 Lab\ufeff", body="hi\u200dthere", from_name="Lin\u200b",
    )])
    request = store.get(1)
    assert (request.subject, request.organization, request.body) == ("call 0912345678", "Civic Lab", "hithere")
