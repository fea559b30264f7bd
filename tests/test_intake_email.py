"""Mail: single .eml files, mbox files and Maildir directories."""

from __future__ import annotations

import base64
import mailbox
import os
from datetime import datetime, timezone
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from steward.intake import read_path
from steward.intake.email_message import html_to_text, parse_message
from steward.models import IncomingRequest, RecordError

TAIPEI = ZoneInfo("Asia/Taipei")
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def encoded_word(text: str, charset: str, label: str | None = None) -> str:
    return f"=?{label or charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def mail(
    subject="Hello", body="Body text", *, sender="Ann <ann@example.org>", msgid="<m1@example.org>",
    date="Fri, 20 Nov 2026 15:04:05 +0800", extra: dict | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "steward@g0v.example"
    msg["Subject"] = subject
    if date:
        msg["Date"] = date
    if msgid:
        msg["Message-ID"] = msgid
    for name, value in (extra or {}).items():
        msg[name] = value
    msg.set_content(body)
    return bytes(msg)


def parse(data: bytes) -> IncomingRequest:
    record = parse_message(data, location="test.eml", received_fallback=WHEN)
    assert isinstance(record, IncomingRequest), record
    return record


def test_plain_message_fields():
    record = parse(mail(subject="Speaker request", body="Could g0v send a speaker?\n"))
    assert (record.from_name, record.from_email) == ("Ann", "ann@example.org")
    assert record.subject == "Speaker request"
    assert record.body == "Could g0v send a speaker?"
    assert record.channel == "email"
    assert record.received_at == datetime(2026, 11, 20, 7, 4, 5, tzinfo=timezone.utc)
    assert record.message_id == "<m1@example.org>"
    assert record.organization == ""  # never guessed from the sender's domain


def test_organization_header_is_used():
    record = parse(mail(extra={"Organization": "Open Culture Foundation"}))
    assert record.organization == "Open Culture Foundation"


def test_rfc2047_big5_and_gb2312_headers_are_decoded():
    raw = (
        f"From: {encoded_word('林雅婷', 'big5')} <lin@example.tw>\n"
        f"Subject: {encoded_word('敬邀推薦講者', 'big5')} {encoded_word('测试', 'gb2312')}\n"
        "Date: Fri, 20 Nov 2026 15:04:05 +0800\n\nbody\n"
    ).encode()
    record = parse(raw)
    assert record.from_name == "林雅婷"
    assert record.subject == "敬邀推薦講者测试"


def test_big5_label_on_cp950_text_still_decodes():
    # 碁 and 銹 are only in the CP950/ETEN extensions that "big5" mail relies on.
    raw = f"From: a@b.tw\nSubject: {encoded_word('碁銹', 'cp950', 'big5')}\n\nx\n".encode()
    assert parse(raw).subject == "碁銹"


def test_raw_8bit_big5_headers_and_body_without_charset():
    raw = "From: 王小明 <wang@example.tw>\nSubject: 合作提案\n\n想和社群合作一個開放資料專案，請問該找誰？\n".encode("big5")
    record = parse(raw)
    assert record.from_name == "王小明"
    assert record.subject == "合作提案"
    assert record.body == "想和社群合作一個開放資料專案，請問該找誰？"


def test_multipart_prefers_plain_text_and_lists_attachments():
    msg = EmailMessage()
    msg["From"] = "a@example.org"
    msg["Subject"] = "Plan"
    msg.set_content("plain version")
    msg.add_alternative("<p>html version</p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="plan.pdf")
    record = parse(bytes(msg))
    assert record.body == "plain version"
    assert record.attachments == [{"name": "plan.pdf", "type": "application/pdf", "size": 13}]


def test_html_only_mail_becomes_readable_text():
    msg = EmailMessage()
    msg["From"] = "a@example.org"
    msg["Subject"] = "HTML"
    msg.set_content(
        "<html><head><style>p {color: red}</style><script>alert('x')</script></head><body>"
        "<p>Hello&nbsp;team,</p><p>See <a href='https://example.org/form'>our form</a>.<br>Thanks</p>"
        "<ul><li>first</li><li>second</li></ul></body></html>",
        subtype="html",
    )
    record = parse(bytes(msg))
    assert record.body == "Hello team,\n\nSee our form (https://example.org/form).\nThanks\n\n- first\n- second"
    assert "alert" not in record.body and "color" not in record.body


def test_html_converter_keeps_link_text_without_repeating_a_visible_url():
    assert html_to_text('<a href="https://g0v.tw">https://g0v.tw</a>') == "https://g0v.tw"


def test_wrong_charset_label_falls_back_to_detection():
    text = "這封信宣稱是 UTF-8，其實是 Big5 編碼的繁體中文內容，請協助轉給社群。"
    raw = b"From: a@b.tw\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\n" + text.encode("big5")
    record = parse(raw)
    assert record.body == text
    assert any("charset" in w for w in record.warnings)


def test_message_without_date_gets_the_fallback_time_and_a_warning():
    record = parse(mail(date=None))
    assert record.received_at == WHEN
    assert any("Date" in w for w in record.warnings)


def test_reply_headers_in_reply_to_first_then_references_newest_first():
    record = parse(mail(msgid="<m3@x>", extra={"In-Reply-To": "<m2@x>", "References": "<m0@x> <m1@x> <m2@x>"}))
    assert record.in_reply_to == ["<m2@x>", "<m1@x>", "<m0@x>"]


def test_broken_records_are_imported_with_warnings_or_reported():
    bad_base64 = (
        b"From: a@b\nSubject: b64\nContent-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64\n\nthis is %% not base64 at all\n"
    )
    record = parse(bad_base64)
    assert "not base64 at all" in record.body
    assert record.warnings

    truncated = (
        b'From: a@b\nSubject: cut\nContent-Type: multipart/mixed; boundary="ZZ"\n\n'
        b"--ZZ\nContent-Type: text/plain\n\npartial te"
    )
    record = parse(truncated)
    assert record.body == "partial te"
    assert any("malformed" in w for w in record.warnings)

    hostile = b"From: a@b\nSubject: \x1b]0;pwned\x07title\x00\n\nred \x1b[31mtext\x00 here\n"
    record = parse(hostile)
    assert record.subject == "title"
    assert record.body == "red text here"

    junk = parse_message(b"\x00\x01 no headers at all", location="j.eml", received_fallback=WHEN)
    assert isinstance(junk, RecordError) and junk.location == "j.eml"


def test_single_eml_file_imports_with_its_path_as_location(tmp_path):
    path = tmp_path / "request.eml"
    path.write_bytes(mail(date=None))
    os.utime(path, (WHEN.timestamp(), WHEN.timestamp()))
    (record,) = read_path(path, tz=TAIPEI)
    assert record.source == str(path)
    assert record.received_at == WHEN  # no Date header: the file's time


def test_mbox_records_are_numbered(tmp_path):
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(path)
    for n in range(3):
        box.add(mail(subject=f"message {n + 1}", msgid=f"<m{n}@x>"))
    box.close()
    records = list(read_path(path, tz=TAIPEI))
    assert [r.subject for r in records] == ["message 1", "message 2", "message 3"]
    assert [r.source for r in records] == [f"{path}:1", f"{path}:2", f"{path}:3"]


def test_mbox_without_extension_is_recognised(tmp_path):
    path = tmp_path / "Inbox"
    box = mailbox.mbox(path)
    box.add(mail())
    box.close()
    assert [r.subject for r in read_path(path, tz=TAIPEI)] == ["Hello"]


def test_maildir_messages_are_named_by_their_files(tmp_path):
    box = mailbox.Maildir(tmp_path / "Mail", create=True)
    box.add(mail(subject="new one", msgid="<a@x>"))
    seen = mailbox.MaildirMessage(mail(subject="seen one", msgid="<b@x>"))
    seen.set_subdir("cur")
    seen.add_flag("S")
    box.add(seen)
    records = list(read_path(tmp_path / "Mail", tz=TAIPEI))
    assert sorted(r.subject for r in records) == ["new one", "seen one"]
    seen_record = next(r for r in records if r.subject == "seen one")
    assert seen_record.source.startswith(str(tmp_path / "Mail" / "cur") + "/")
    assert os.path.exists(seen_record.source)
