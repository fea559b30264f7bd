"""Charsets chosen by how plausible each reading is; what was guessed keeps its original bytes."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.cli import main
from steward.intake import codec_for
from steward.intake.charsets import decode
from steward.intake.email_message import parse_message
from steward.models import IncomingRequest

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

SENTENCES = {
    "cp950": [  # Traditional Chinese, as Big5 mail from Taiwan
        "想和社群合作一個開放資料專案，請問該找誰？",
        "我們是台北市的非營利組織，希望能邀請講者來分享經驗。",
        "本會預計於明年春季舉辦公民科技論壇。",
        "請問黑客松需要事先報名嗎？現場是否提供網路與電源？",
        "本刊正在製作數位民主專題，想訪問參與零時政府的朋友。",
    ],
    "gb18030": [  # Simplified Chinese
        "你好，我们是一家关注开放数据的公益组织。",
        "想和社区合作一个项目，请问应该联系谁？谢谢！",
        "我们正在筹备一场关于数字民主的研讨会，希望邀请贵社区的朋友参加。",
        "附件是活动的详细说明和时间安排。",
    ],
    "cp932": [  # Japanese, as Shift-JIS mail
        "こんにちは。オープンデータのプロジェクトについてご相談したいことがあります。",
        "来月東京でシビックテックのイベントを開催します。",
        "ご検討のほど、よろしくお願いいたします。",
    ],
}


def message(body: bytes, content_type: str | None) -> bytes:
    header = f"Content-Type: {content_type}\n" if content_type else ""
    return b"From: a@example.org\nSubject: s\nMessage-ID: <c1@x>\n" + header.encode() + b"\n" + body + b"\n"


def parse(data: bytes) -> IncomingRequest:
    record = parse_message(data, location="c.eml", received_fallback=WHEN)
    assert isinstance(record, IncomingRequest), record
    return record


def test_a_gb18030_body_without_a_charset_is_read_as_gb18030_not_as_cp950_mojibake():
    text = "".join(SENTENCES["gb18030"])
    record = parse(message(text.encode("gb18030"), "text/plain"))
    assert record.body == text
    assert "no charset given; read as gb18030" in record.warnings


def test_shift_jis_labelled_utf8_is_read_as_shift_jis_and_its_bytes_are_kept(db_path, tmp_path):
    text = "".join(SENTENCES["cp932"])
    path = tmp_path / "ja.eml"
    path.write_bytes(message(text.encode("cp932"), "text/plain; charset=utf-8"))
    result = CliRunner().invoke(main, ["--db", str(db_path), "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "text did not match its charset 'utf-8'; read as cp932" in result.stderr
    with sqlite3.connect(db_path) as conn:
        (body,) = conn.execute("SELECT body FROM requests").fetchone()
        kept = conn.execute("SELECT part, charset, data, message_id FROM undecoded_parts").fetchall()
    assert body == text
    # The label was wrong, so the reading is a guess: the original bytes stay, to decode again.
    ((part, charset, data, reply),) = kept
    assert (part, charset, reply) == ("body", "cp932", None)
    assert data == text.encode("cp932") + b"\n"  # the part's payload exactly as it came
    assert data.decode("cp932").strip() == text


def test_bytes_in_no_known_charset_are_replaced_visibly_and_kept(db_path, tmp_path):
    junk = bytes(range(0x80, 0x100)) * 4
    path = tmp_path / "junk.eml"
    path.write_bytes(message(junk, "text/plain; charset=utf-8"))
    result = CliRunner().invoke(main, ["--db", str(db_path), "import", str(path)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db_path) as conn:
        kept = conn.execute("SELECT part, data FROM undecoded_parts").fetchall()
    assert kept == [("body", junk + b"\n")]


def test_text_read_with_confidence_keeps_no_extra_bytes(db_path, tmp_path):
    path = tmp_path / "big5.eml"
    path.write_bytes(message("".join(SENTENCES["cp950"]).encode("big5"), "text/plain; charset=big5"))
    assert CliRunner().invoke(main, ["--db", str(db_path), "import", str(path)]).exit_code == 0
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM undecoded_parts").fetchone() == (0,)


def test_a_three_character_name_that_reads_well_both_ways_is_a_guess():
    # 林佳穎 in GB18030 is also valid, common Big5 (輿槽搭): no way to know, so say so.
    decoded = decode("林佳穎".encode("gb18030"), None)
    assert not decoded.confident
    assert "a guess; the original bytes are kept" in decoded.warning


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(sorted(SENTENCES)).flatmap(
        lambda codec: st.tuples(st.just(codec), st.lists(st.sampled_from(SENTENCES[codec]), min_size=1, max_size=4))
    ),
    st.sampled_from([None, "utf-8", "us-ascii"]),
    st.sampled_from(["", "Hi g0v, ", "Re: COSCUP 2026 - "]),
)
def test_cjk_text_without_a_label_or_with_a_wrong_one_reads_back_exactly(case, label, prefix):
    codec, sentences = case
    text = prefix + "".join(sentences)
    decoded = decode(text.encode(codec), codec_for(label), label)
    assert decoded.text == text
    assert decoded.charset == codec
