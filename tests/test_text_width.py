"""One cell width: the CLI tables, the summary Markdown and the TUI measure and cut text alike."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st
from rich.cells import cell_len, split_graphemes

from steward.summary.markdown import cell
from steward.tui.cjk_wrap import wrap
from steward.tui.inbox.columns import fit_cells
from steward.util.text import cell_width, clean_text, fit, pad

WOMAN_TECHNOLOGIST = "👩\u200d💻"  # woman + ZWJ + laptop: one glyph, two cells
FLAG = "🇹🇼"  # two regional indicators
THUMB = "👍🏽"  # emoji + skin tone modifier
E_ACUTE = "e\u0301"  # e + combining acute accent
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

# Hypothesis text from the kinds of characters that break tables.
TRICKY = st.text(
    alphabet=st.sampled_from(
        ["a", "Z", " ", "中", "文", "，", "ｱ", "é", "\u0301", "\u0300", "\u200b", "\u200d", "\u2060", "\ufeff",
         "👩", "💻", "🏽", "🇹", "🇼", "\ufe0f", "❤", "\u00ad", "\u202e"]
    ),
    max_size=30,
)


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        (WOMAN_TECHNOLOGIST, 2),
        (FLAG, 2),
        (THUMB, 2),
        ("中文", 4),
        ("ｱｲ", 2),  # half-width katakana
        (E_ACUTE * 3, 3),
        ("電話" + ZERO_WIDTH, 4),
        ("abc", 3),
        ("", 0),
    ],
)
def test_cell_width_counts_what_the_terminal_draws(text, cells):
    assert cell_width(text) == cells


def test_a_zwj_emoji_is_one_width_everywhere():
    # Before: util.text said 4 (5 in an older copy) and the TUI 2 for the same glyph.
    assert cell_width(WOMAN_TECHNOLOGIST) == cell_len(WOMAN_TECHNOLOGIST) == 2


def test_fit_never_cuts_a_wide_character_or_a_cluster():
    assert fit("中文字串", 5) == "中文…"
    assert fit("中文字串", 4) == "中…"  # 中 + half of 文 would be 4 cells: the half is dropped
    assert fit(E_ACUTE * 5, 3) == E_ACUTE * 2 + "…"
    assert fit(THUMB * 3, 3) == THUMB + "…"


def test_fit_keeps_what_fits_and_gives_nothing_for_no_room():
    assert fit("中文", 4) == "中文"
    assert fit("abc", 0) == ""
    assert fit("abc", -3) == ""
    assert fit("ab cd", 4) == "ab …"  # the text's own space stays


def test_fit_and_pad_still_strip_invisible_characters():
    # The ZWJ goes too (clean_text strips it on import), so the glyph falls apart into
    # its two emoji; the width reported is that of what is returned.
    shown = pad("dev " + WOMAN_TECHNOLOGIST + "\u202e", 10)
    assert shown == "dev 👩💻  "
    assert cell_width(shown) == 10
    assert fit("a\u200bb\u00adc", 10) == "abc"


@given(text=TRICKY, width=st.integers(min_value=0, max_value=40))
def test_pad_is_exactly_the_width_and_fit_never_more(text, width):
    assert cell_width(pad(text, width)) == width
    assert cell_width(fit(text, width)) <= width


@given(text=TRICKY, width=st.integers(min_value=1, max_value=40))
def test_fit_cuts_only_between_clusters(text, width):
    cleaned = clean_text(text).replace("\n", "").replace("\t", "")
    shown = fit(cleaned, width)
    if shown == cleaned:
        return
    assert shown.endswith("…")
    kept = shown[:-1]
    clusters, _ = split_graphemes(cleaned)
    boundaries = {0, *(end for _, end, _ in clusters)}
    assert cleaned.startswith(kept) and len(kept) in boundaries


@given(text=TRICKY, width=st.integers(min_value=1, max_value=40))
def test_tui_columns_and_cli_tables_pad_alike(text, width):
    assert fit_cells(text, width) == pad(text, width)


def test_summary_table_cells_are_cut_by_the_same_measure():
    subject = "社區" * 20 + WOMAN_TECHNOLOGIST
    shown = cell(subject, 12)
    assert shown == "社區社區社…"  # 10 cells of text and the ellipsis; a sixth 社 would make 13
    assert cell_width(shown) <= 12


@given(text=TRICKY, width=st.integers(min_value=2, max_value=30))
def test_tui_wrap_lines_fit_by_the_same_measure(text, width):
    for line in wrap(clean_text(text), width):
        assert cell_width(line) <= width
