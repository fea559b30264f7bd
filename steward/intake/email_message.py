"""One email message (an .eml file, or a message out of an mbox or Maildir).

Parsed with the stdlib `email` package (policy.default). Headers are decoded
here rather than through the policy's header objects because mail in Taiwan
often labels CP950 text as "big5" and sends raw 8-bit Big5 headers; both need
the charset choice in `steward.intake.charsets`.
"""

from __future__ import annotations

import email.errors
import email.header
import email.utils
import re
from collections.abc import Iterator
from datetime import datetime, timezone, tzinfo
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

from steward.intake import (
    FileError,
    codec_for,
    decode_text,
    file_time,
    finish,
    keep_undecoded,
)
from steward.intake.dates import to_utc
from steward.models import IncomingRequest, RecordError
from steward.util.text import one_line


class _Policy(policy.EmailPolicy):
    """policy.default, except that the MIME structure headers stay plain strings.

    The parser and the Message methods used here (get_content_type, get_param,
    get_filename, get_payload) only read these headers as strings, yet
    policy.default builds a structured header object on every access (about
    twenty per message); skipping that makes a big mbox import twice as fast.
    """

    def header_fetch_parse(self, name: str, value: str):  # type: ignore[override]
        if name.lower() in _STRUCTURE_HEADERS and not hasattr(value, "name"):
            return "".join(value.splitlines())
        return super().header_fetch_parse(name, value)


_STRUCTURE_HEADERS = frozenset({"content-type", "content-disposition", "content-transfer-encoding"})
_PARSER = BytesParser(policy=_Policy())
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Starting only where a local part can start (not inside a run of its characters)
# keeps this linear on a long header without "@"; _HEADER_SAMPLE caps it besides.
_ADDRESS = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_HEADER_SAMPLE = 4096
_IDENTIFYING = ("from", "to", "subject", "date", "message-id")


class RawMessage(NamedTuple):
    """One message's bytes and where it came from, before parsing."""

    location: str
    data: bytes
    received_fallback: datetime  # used when the message has no readable Date


def parse_raw(raw: RawMessage | RecordError) -> IncomingRequest | RecordError:
    if isinstance(raw, RecordError):
        return raw
    return parse_message(raw.data, location=raw.location, received_fallback=raw.received_fallback)


def read_eml(path: Path, *, tz: tzinfo) -> Iterator[IncomingRequest | RecordError]:
    """A single message file; its record is named by the file alone."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileError(path, f"cannot read: {exc.strerror or exc}") from None
    yield parse_message(data, location=str(path), received_fallback=file_time(path))


def parse_message(data: bytes, *, location: str, received_fallback: datetime) -> IncomingRequest | RecordError:
    """Turn the raw bytes of one message into a request, or say why not.

    `received_fallback` is used (with a warning) when the message has no
    readable Date header: the file's time is the best guess there is.
    """
    if not data.strip():
        return RecordError(location, "empty message")
    try:
        return _parse(data, location, received_fallback)
    except Exception as exc:  # noqa: BLE001
        # The email package raises assorted exception types on hostile input
        # (IndexError, AttributeError, HeaderParseError …); one bad message must
        # not stop the import, and its reason must reach the user.
        return RecordError(location, f"cannot read message: {type(exc).__name__}: {one_line(str(exc))[:120]}")


def _parse(data: bytes, location: str, received_fallback: datetime) -> IncomingRequest | RecordError:
    msg = _PARSER.parsebytes(data)
    headers = _raw_headers(msg)
    if not any(name in headers for name in _IDENTIFYING):
        return RecordError(location, "not an email message (no From, To, Subject, Date or Message-ID header)")
    warnings: list[str] = []

    raw_from = headers.get("from", "")
    if len(raw_from) > _HEADER_SAMPLE:
        # parseaddr walks a header character by character in Python: seconds for megabytes.
        warnings.append(f"From header of {len(raw_from):,} characters; read its first {_HEADER_SAMPLE:,}")
        raw_from = raw_from[:_HEADER_SAMPLE]
    name, address = email.utils.parseaddr(raw_from)
    if not address:
        found = _ADDRESS.search(decode_header_text(raw_from))
        address = found.group(0) if found else ""
    undecoded: list[dict] = []
    name, address = decode_header_text(name, undecoded, "from_name"), decode_header_text(address)

    received_at = _date(headers.get("date"))
    guessed = received_at is None
    if received_at is None:
        if headers.get("date"):
            warnings.append(f"unreadable Date header {one_line(headers['date'])[:40]!r}; used the file's time")
        else:
            warnings.append("no Date header; used the file's time")
        received_at = received_fallback

    message_id = _first_id(headers.get("message-id", ""))
    replies_to = _ids(headers.get("in-reply-to", ""))
    for ref in reversed(_ids(headers.get("references", ""))):
        if ref not in replies_to:
            replies_to.append(ref)
    replies_to = [ref for ref in replies_to if ref != message_id]

    body, attachments, body_warnings = message_body(msg, undecoded)
    warnings.extend(body_warnings)
    defects = _defects(msg)
    if defects:
        warnings.append("malformed message (" + ", ".join(defects) + "); imported what could be read")

    return finish(
        IncomingRequest(
            received_at=received_at,
            channel="email",
            from_name=name,
            from_email=address,
            organization=decode_header_text(headers.get("organization", ""), undecoded, "organization"),
            subject=decode_header_text(headers.get("subject", ""), undecoded, "subject"),
            body=body,
            message_id=message_id,
            in_reply_to=replies_to,
            attachments=attachments,
            source=location,
            warnings=warnings,
            received_at_guessed=guessed,
            undecoded=undecoded,
        )
    )


def _raw_headers(msg: EmailMessage) -> dict[str, str]:
    """First value of each header, unfolded, as the parser read it (8-bit bytes surrogate-escaped)."""
    headers: dict[str, str] = {}
    for name, value in msg.raw_items():
        key = name.lower()
        if key not in headers:
            headers[key] = _FOLD.sub("", str(value)).strip()
    return headers


def decode_header_text(raw: str, undecoded: list[dict] | None = None, part: str = "") -> str:
    """Decode RFC 2047 encoded words and raw 8-bit header bytes, whatever the charset.

    The bytes of what was decoded by a guess are added to `undecoded` as `part`.
    """
    if not raw:
        return ""
    if _has_surrogates(raw):
        data = raw.encode("ascii", "surrogateescape")
        decoded = decode_text(data)
        keep_undecoded(undecoded, part, data, decoded)
        raw = decoded.text
    if "=?" not in raw:
        return raw
    try:
        chunks = email.header.decode_header(raw)
    except (email.errors.HeaderParseError, ValueError, AssertionError):
        # A broken encoded word: the policy's lenient parser still reads the rest.
        return str(policy.default.header_factory("subject", raw))
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
        elif charset is None:
            # decode_header hands back unencoded text as raw-unicode-escape bytes.
            parts.append(chunk.decode("raw-unicode-escape", errors="replace"))
        else:
            decoded = decode_text(chunk, charset)
            keep_undecoded(undecoded, part, chunk, decoded)
            parts.append(decoded.text)
    return "".join(parts)


def _has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


_SURROGATE = re.compile("[\udc80-\udcff]")


def _date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # "-0000": UTC, local zone unknown (RFC 5322)
        moment = moment.replace(tzinfo=timezone.utc)
    moment = to_utc(moment)  # "Date: 1 Jan 0001 00:00 +1400" is as unreadable as no date
    return moment if isinstance(moment, datetime) else None


def _ids(raw: str) -> list[str]:
    found = _MESSAGE_ID.findall(raw)
    if not found and raw.strip() and " " not in raw.strip():
        found = [f"<{raw.strip().strip('<>')}>"]  # a bare id without brackets
    unique: list[str] = []
    for ref in found:
        if ref not in unique:
            unique.append(ref)
    return unique


def _first_id(raw: str) -> str | None:
    found = _ids(raw)
    return found[0] if found else None


# --- body -------------------------------------------------------------------------


def message_body(msg: EmailMessage, undecoded: list[dict] | None = None) -> tuple[str, list[dict], list[str]]:
    """The readable text of a message, its attachments (name, type, size) and warnings.

    text/plain parts are preferred; HTML is converted only when there is no plain
    text. Attachments are listed, never kept.
    """
    plain: list[str] = []
    html: list[str] = []
    attachments: list[dict] = []
    warnings: list[str] = []
    _visit(msg, plain, html, attachments, warnings, undecoded)
    plain = [text for text in plain if text.strip()]  # an empty text part beside real HTML
    if plain:
        body = "\n\n".join(plain)
    else:
        body = "\n\n".join(html_to_text(part) for part in html)
    return body, attachments, warnings


def _visit(
    part: EmailMessage, plain: list[str], html: list[str], attachments: list[dict], warnings: list[str],
    undecoded: list[dict] | None = None,
) -> None:
    ctype = part.get_content_type()
    if part.is_multipart():
        if ctype == "message/rfc822":
            attachments.append({"name": _attached_subject(part), "type": ctype, "size": _size_of(part)})
            return
        for sub in part.iter_parts():
            _visit(sub, plain, html, attachments, warnings, undecoded)
        return
    if part.get_content_maintype() == "multipart":
        # A multipart whose boundary never appears: show its raw text rather than nothing.
        warnings.append("multipart message without readable parts; showing its raw text")
        plain.append(_text_of(part, warnings, undecoded))
        return
    filename = _filename(part)
    disposition = part.get_content_disposition()
    is_text = ctype in ("text/plain", "text/html")
    if disposition == "attachment" or (filename and disposition != "inline") or not is_text:
        payload = part.get_payload(decode=True) or b""
        attachments.append({"name": filename or "", "type": ctype, "size": len(payload)})
        return
    (plain if ctype == "text/plain" else html).append(_text_of(part, warnings, undecoded))


def _text_of(part: EmailMessage, warnings: list[str], undecoded: list[dict] | None = None) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
    elif any(isinstance(d, _BAD_BASE64) for d in part.defects) and not _decodes(
        payload, part.get_content_charset()
    ):
        # Garbage out of broken base64 helps nobody; the undecoded text may.
        warnings.append("a part marked base64 is not valid base64; shown undecoded")
        payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
    decoded = decode_text(payload, part.get_content_charset())
    if decoded.warning:
        warnings.append(decoded.warning)
    keep_undecoded(undecoded, "body", payload, decoded)
    return decoded.text


_BAD_BASE64 = (
    email.errors.InvalidBase64CharactersDefect,
    email.errors.InvalidBase64PaddingDefect,
    email.errors.InvalidBase64LengthDefect,
)


def _decodes(payload: bytes, charset: str | None) -> bool:
    try:
        payload.decode(codec_for(charset) or "utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _filename(part: EmailMessage) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, LookupError, TypeError, AttributeError, IndexError):
        return ""
    return one_line(decode_header_text(name))


def _size_of(part: EmailMessage) -> int:
    try:
        return len(part.as_bytes())
    except (ValueError, LookupError, TypeError, AttributeError, IndexError, UnicodeError):
        return 0


def _attached_subject(part: EmailMessage) -> str:
    inner = part.get_payload(0) if isinstance(part.get_payload(), list) else None
    subject = decode_header_text(_raw_headers(inner).get("subject", "")) if inner is not None else ""
    return one_line(subject) or "message.eml"


def _defects(msg: EmailMessage) -> list[str]:
    names: list[str] = []
    for part in msg.walk():
        for defect in part.defects:
            name = type(defect).__name__.removesuffix("Defect")
            # Spelled as words: "InvalidBase64Padding" -> "invalid base64 padding".
            words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()
            if words not in names:
                names.append(words)
    return names


# --- HTML to text -------------------------------------------------------------------

_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "blockquote", "pre", "table",
    "tr", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
}
_SKIPPED = {"script", "style", "head", "title", "template", "noscript"}


class _TextOfHtml(HTMLParser):
    """Readable text from HTML mail: paragraphs, line breaks, list items, link text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.pre = 0
        self.links: list[tuple[str | None, int]] = []  # href, where its text starts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag in _BLOCKS:
            self.out.append("\n\n")
            self.pre += tag == "pre"
        elif tag == "a":
            self.links.append((dict(attrs).get("href"), len(self.out)))
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.out.append(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.out.append("\n\n")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            # Keep where a link points when its text does not say it.
            if href and href.startswith(("http://", "https://")) and href not in "".join(self.out[start:]):
                self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.out.append(data if self.pre else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = (line.strip() for line in "".join(self.out).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(_defuse(markup))
    parser.close()
    return parser.text()


# html.parser before Python 3.13.4/3.12.11 rescans an unfinished tag from its
# start at every "<": "<p" repeated 100,000 times took 74 s, twice that 364 s.
# A "<" that does not reach a ">" before the next "<" cannot open a tag, so it
# is turned into text first; comments are cut out with str.find. Both are linear.
_LONELY_LT = re.compile(r"<(?=[^<>]*(?:<|\Z))")


def _defuse(markup: str) -> str:
    return _LONELY_LT.sub("&lt;", _without_comments(markup))


def _without_comments(markup: str) -> str:
    parts, start = [], 0
    while True:
        opening = markup.find("<!--", start)
        if opening < 0:
            parts.append(markup[start:])
            return "".join(parts)
        parts.append(markup[start:opening])
        closing = markup.find("-->", opening + 4)
        if closing < 0:
            return "".join(parts)  # an unclosed comment runs to the end, as browsers read it
        start = closing + 3
