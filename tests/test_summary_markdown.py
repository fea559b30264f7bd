"""The summary's Markdown: readable in both languages, and unbreakable by request text.

Rendered output is parsed with markdown-it-py twice: as CommonMark with GFM
tables, and with linkify and strikethrough on as HackMD and GitHub do.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from markdown_it import MarkdownIt

from steward.models import UsageError
from steward.summary.data import Period, Row, Summary
from steward.summary.markdown import (
    DETAILS_MARK,
    PRIVATE_MARK,
    PUBLIC_MARK,
    SUBJECT_WIDTH,
    is_public,
    md_text,
    render_markdown,
)
from steward.util.text import cell_width, one_line

HOSTILE = "a | b\n# x <script>[y](javascript:z)"
PARSERS = {
    "commonmark": MarkdownIt("commonmark").enable("table"),
    "gfm-like": MarkdownIt("commonmark", {"linkify": True}).enable(["table", "linkify", "strikethrough"]),
}
OUR_HTML = {PUBLIC_MARK, PRIVATE_MARK, DETAILS_MARK}


def row(n: int = 1, *, subject: str = "Subject", organization: str = "Org", assignee: str | None = "Ada", **extra) -> Row:
    received = datetime(2026, 11, 16, 2, 0, tzinfo=timezone.utc) + timedelta(hours=n)
    return Row(
        id=n, external_id=f"x{n}", received_at=received, date=received.date(), channel="email",
        organization=organization, subject=subject, category="speaking", match="g0v-talk",
        status="new", assignee=assignee, **extra,
    )


def summary_of(rows: list[Row], *, public: bool = False, **changes) -> Summary:
    at = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
    fields = dict(
        period=Period.iso_week("2026-W47"), timezone="Asia/Taipei",
        generated_at=datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc), public=public,
        received=len(rows), replied=0, closed=0, open=len(rows), open_overall=len(rows) + 5,
        median_first_reply=timedelta(hours=30), first_replies=2, replies_sent=2, follow_ups_overdue=1,
        by_status={"new": len(rows)}, by_category={"speaking": len(rows)}, by_match={"g0v-talk": len(rows)},
        by_channel={"email": len(rows)}, requests=rows,
        replied_in_period=[row(90, subject=r.subject, organization=r.organization, event="replied", event_at=at) for r in rows[:1]],
        closed_in_period=[row(91, subject=r.subject, organization=r.organization, event="declined", event_at=at) for r in rows[:1]],
        attention_days=7,
        stale=[row(92, subject=r.subject, organization=r.organization, age_days=12) for r in rows[:1]],
        stale_total=min(len(rows), 1) + 3,
        follow_ups_due=[row(93, subject=r.subject, organization=r.organization, follow_up_on=date(2026, 11, 24)) for r in rows[:1]],
        follow_ups_due_total=min(len(rows), 1),
        unchecked_at_send=[("licensing", 2), ("naming", 1)],
        project_names={"g0v-talk": ("g0v-talk 演講群組", "g0v-talk")},
    )
    fields.update(changes)
    return Summary(**fields)


def tokens_of(markdown: str, parser: str):
    flat = []

    def walk(tokens):
        for token in tokens:
            flat.append(token)
            if token.children:
                walk(token.children)

    walk(PARSERS[parser].parse(markdown))
    return flat


def requests_table(markdown: str, parser: str) -> list[list[str]]:
    """The rows (header first) of the table whose header starts with the date column."""
    tables, current, cells = [], None, None
    inline = False
    for token in tokens_of(markdown, parser):
        if token.type == "table_open":
            current = []
        elif token.type == "tr_open":
            cells = []
        elif token.type in ("th_open", "td_open"):
            inline = True
        elif token.type == "inline" and inline:
            assert all(child.type == "text" for child in token.children), token.children
            cells.append("".join(child.content for child in token.children))
            inline = False
        elif token.type in ("th_close", "td_close") and inline:
            cells.append("")  # empty cell
            inline = False
        elif token.type == "tr_close":
            current.append(cells)
        elif token.type == "table_close":
            tables.append(current)
    return next(t for t in tables if t[0][0] in ("Date", "日期"))


def assert_inert(markdown: str, parser: str) -> None:
    """No link, image, strikethrough or HTML other than our own markers."""
    for token in tokens_of(markdown, parser):
        assert token.type not in ("link_open", "image", "html_inline", "s_open"), token
        if token.type == "html_block":
            assert token.content.strip() in OUR_HTML


def headings_of(markdown: str, parser: str = "commonmark") -> list[str]:
    tokens = tokens_of(markdown, parser)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


# --- the acceptance case ---------------------------------------------------------------


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("lang", ["zh-TW", "en"])
def test_hostile_subject_leaves_the_table_intact_and_creates_nothing(parser, lang):
    clean = summary_of([row(1), row(2)])
    hostile = summary_of([row(1), row(2, subject=HOSTILE, organization="<b>O</b>|[x](https://e.io)")])
    expected_headings = headings_of(render_markdown(clean, lang=lang), parser)
    markdown = render_markdown(hostile, lang=lang)
    table = requests_table(markdown, parser)
    assert len(table) == 3 and all(len(r) == 7 for r in table)
    assert table[2][1] == "<b>O</b>|[x](https://e.io)"  # shown literally...
    assert table[2][2] == "a | b # x <script>[y](javascript:z)"  # ...on one line
    assert headings_of(markdown, parser) == expected_headings
    assert_inert(markdown, parser)


# --- any text at all ----------------------------------------------------------------------

_PIECES = list("ab 中文|\\`*_~#<>![]()&;:/.@=+-{}%$^\"'\n\t") + [
    "https://x.io", "www.x.io", "a@b.io", "javascript:", "&#x3C;", "```", "<!--", "-->", "1. ", "> ", "---",
]
_MARKDOWNISH = st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=_MARKDOWNISH, organization=_MARKDOWNISH, assignee=_MARKDOWNISH, project=_MARKDOWNISH)
def test_no_request_text_can_change_the_document_structure(subject, organization, assignee, project):
    rows = [row(1), row(2, subject=subject, organization=organization, assignee=assignee or None), row(3)]
    summary = summary_of(rows, project_names={"g0v-talk": (project, project)})
    markdown = render_markdown(summary, lang="en")
    expected_headings = headings_of(render_markdown(summary_of([row(1), row(2), row(3)]), lang="en"))
    for parser in PARSERS:
        table = requests_table(markdown, parser)
        assert len(table) == 4 and all(len(r) == 7 for r in table)
        assert headings_of(markdown, parser) == expected_headings
        assert_inert(markdown, parser)
        # What renders is the text itself, folded onto one line (and maybe cut short).
        shown = table[2][2]
        expected = one_line(subject)
        if shown.endswith("…"):
            assert expected.startswith(shown[:-1].rstrip())
        else:
            assert shown == (expected or "(no subject)")


def test_md_text_escapes_markdown_and_html_punctuation():
    assert md_text("<b>&") == "&lt;b&gt;&amp;"
    assert md_text("1. *a* _b_ `c` | ~d~") == r"1\. \*a\* \_b\_ \`c\` \| \~d\~"
    assert md_text("https://g0v.tw") == r"https\://g0v\.tw"
    assert md_text("line\nbreak") == "line break"


# --- reading it ---------------------------------------------------------------------------


def test_both_languages_render_the_same_figures():
    summary = summary_of([row(1), row(2)])
    en = render_markdown(summary, lang="en")
    zh = render_markdown(summary, lang="zh-TW")
    assert "Partner requests: week 2026-W47 (16–22 Nov 2026)" in en
    assert "- Received: **2**" in en and "Median time to first reply: **30 hours**" in en
    assert "合作邀約週報：2026-W47（11/16–11/22）" in zh
    assert "- 收到：**2** 件" in zh and "首次回覆時間中位數：**30 小時**" in zh
    assert "演講／活動邀約" in zh and "Talks and events" in en
    assert r"g0v\-talk 演講群組" in zh
    assert requests_table(en, "commonmark")[0] == ["Date", "Organization", "Subject", "Category", "Routed to", "Status", "Assignee"]
    assert requests_table(zh, "commonmark")[1][0] == "11/16（一）"


def test_unknown_language_is_a_usage_error():
    with pytest.raises(UsageError, match="zh-TW or en"):
        render_markdown(summary_of([row(1)]), lang="fr")


def test_long_subjects_are_cut_by_display_width():
    chinese = "公民科技" * 30
    markdown = render_markdown(summary_of([row(1, subject=chinese), row(2, subject="x" * 200)]), lang="en")
    table = requests_table(markdown, "commonmark")
    for cut in (table[1][2], table[2][2]):
        assert cut.endswith("…") and cell_width(cut) <= SUBJECT_WIDTH
    assert len(table[1][2]) < len(table[2][2])  # CJK characters count double


def test_public_summary_is_marked_and_has_no_assignee_column():
    markdown = render_markdown(summary_of([row(1, assignee=None)], public=True), lang="en")
    assert markdown.startswith(PUBLIC_MARK) and is_public(markdown)
    assert requests_table(markdown, "commonmark")[0][-1] == "Status"
    private = render_markdown(summary_of([row(1)]), lang="en")
    assert private.startswith(PRIVATE_MARK) and not is_public(private)
    assert not is_public(private + "\n" + PUBLIC_MARK + "\n")  # only the opening lines count
    assert " · Ada" in private  # assignees in the lists too


def test_empty_week_says_so_instead_of_an_empty_table():
    markdown = render_markdown(
        summary_of([], by_category={}, by_match={}, by_channel={}, median_first_reply=None, first_replies=0,
                   replies_sent=0, unchecked_at_send=[]),
        lang="en",
    )
    assert "No requests were received in this period." in markdown
    assert "Median time to first reply: — (no first replies in the period)" in markdown
    assert "No replies were sent in the period." in markdown
    assert_inert(markdown, "gfm-like")


def test_attention_and_activity_sections_list_their_requests():
    markdown = render_markdown(summary_of([row(1, subject="Keynote")]), lang="en")
    assert "- Fri 20 Nov Declined: Org — Keynote (received Thu 19 Nov) · Ada" in markdown
    assert "### Open for more than 7 days (4)" in markdown
    assert "- received Thu 19 Nov, 12 days ago · New · Org — Keynote · Ada" in markdown
    assert "… and 3 more not listed." in markdown
    assert "- follow up on Tue 24 Nov · New · Org — Keynote · Ada" in markdown
    assert "| licensing | 2 |" in markdown
