"""Hostile command lines, generated so they stay: the CLI answers each with one line.

Used by tests/test_cli.py. `HOSTILE_COMMANDS` are the ones found by hand (issue 11), each an error;
`hostile_arguments()` is a hypothesis strategy for more of the same shape.
"""

from __future__ import annotations

from hypothesis import strategies as st

HOSTILE_COMMANDS: list[list[str]] = [
    ["follow-up", "1", "+99999999d"],
    ["follow-up", "1", "+" + "9" * 5000 + "d"],
    ["follow-up", "1", "+99999999w"],
    ["follow-up", "1", "+99999999m"],
    ["export", "--week", "9999-W52"],
    ["export", "--week", "0001-W01"],
    ["export", "--since", "0001-01-01", "--until", "9999-12-31"],
    ["export", "--since", "9999-12-31", "--until", "9999-12-31"],
    ["list", "--limit", "99999999999999999999"],
    ["list", "--limit", "9" * 5000],
    ["show", "9" * 5000],
    ["show", str(2**63)],
    ["show", "ext:" + "9" * 5000],
    ["status", "12", "bogus"],
    ["status", "9" * 5000, "closed"],
    ["assign", "9" * 30, "me"],
    ["list", "-q", "status:bogus"],
]

# Values a user can type: digits of any length, signs and units, dates near the
# ends of the calendar, control and bidi characters, plain text.
_pieces = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(alphabet="0123456789", min_size=1, max_size=60),
    st.sampled_from(["+", "-", "d", "w", "m", "W", ":", "#", "ext:", "0001-01-01", "9999-12-31", "9999-W53", "我"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)
hostile_value = st.lists(_pieces, min_size=1, max_size=4).map("".join)


@st.composite
def hostile_arguments(draw) -> list[str]:
    """A command with hostile values where a request, a date, a number or a choice goes."""
    value = draw(hostile_value)
    other = draw(hostile_value)
    shape = draw(st.sampled_from([
        ["show", value],
        ["status", value, "closed"],
        ["status", "1", value],
        ["follow-up", "1", value],
        ["assign", value, other],
        ["list", "--limit", value],
        ["list", "--assignee", value],
        ["list", "-q", value],
        ["list", "--status", value],
        ["export", "--week", value],
        ["export", "--since", value, "--until", other],
        ["note", value, other],
    ]))
    return shape
