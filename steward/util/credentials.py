"""Keeping credentials out of what steward prints.

- `redact_url()`: the one way a URL is shown to a user (``config show``, dry
  runs, error messages): no ``user:password@``, no value of a query parameter
  that looks like a secret (``key``, ``token``, ``sig``, …), and optionally no
  path (a Slack webhook's path is its secret).
- `redact_urls()`: the same for every URL inside a message.
- `clean_token()`: a token read from the environment, stripped of the
  whitespace that pasting or ``$(cat file)`` leaves around it, and refused,
  without echoing it, when something a header cannot hold is left inside.
- `error_text()`: an HTTP library's exception as one line for a message, with
  header values (``Illegal header value b'Bearer …'``) and URL secrets removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

HIDDEN = "***"
# Query parameter names that carry secrets, matched anywhere in the name, any case.
_SECRET_PARAM = re.compile(
    r"key|token|secret|pass|pwd|auth|sig|session|credential|bearer|code|jwt|hash|ticket", re.IGNORECASE
)
_URL = re.compile(r"[a-z][a-z0-9+.\-]*://[^\s<>\"'`]+", re.IGNORECASE)
# http.client / h11 / httpx say which header value they refused: the value is the secret.
_HEADER_VALUE = re.compile(r"(header (?:value|name)s?:?\s*)(b?(['\"]).*?\3|\S+)", re.IGNORECASE | re.DOTALL)
_TOKEN = re.compile(r"[\x21-\x7e]+")  # visible ASCII: what an HTTP header value may hold without surprises


def redact_url(url: str, *, hide_path: bool = False) -> str:
    """`url` as it may be shown: credentials and secret query values replaced by ***."""
    text = str(url)
    try:
        parts = urlsplit(text)
        port = parts.port  # raises on a malformed port
    except ValueError:
        # Unreadable as a URL: still drop anything that looks like user:password@.
        return re.sub(r"(//)[^/@\s]*@", rf"\1{HIDDEN}@", text)
    if not parts.scheme or not parts.netloc:
        return text
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{port}" if port is not None else "")
    if parts.username is not None or parts.password is not None:
        netloc = f"{HIDDEN}@{netloc}"
    path = f"/{HIDDEN}" if hide_path and parts.path not in ("", "/") else parts.path
    return urlunsplit((parts.scheme, netloc, path, _redact_pairs(parts.query), _redact_pairs(parts.fragment)))


def _redact_pairs(text: str) -> str:
    if not text or "=" not in text:
        return text
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs:
        return text
    shown = [(k, HIDDEN if _SECRET_PARAM.search(k) else v) for k, v in pairs]
    return urlencode(shown, safe="*/:,")


def redact_urls(text: str) -> str:
    """`text` with every URL in it redacted."""
    return _URL.sub(lambda m: redact_url(m.group(0)), text)


def redact_values(value, redact: Callable[[str], str] = redact_urls):
    """A settings value (str, list, dict, nested) with every URL in every string redacted."""
    if isinstance(value, str):
        return redact(value) if "://" in value else value
    if isinstance(value, dict):
        return {k: redact_values(v, redact) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_values(v, redact) for v in value]
    return value


class BadToken(ValueError):
    """A token that cannot be sent; the message names where it came from, never the token."""


def clean_token(value: str | None, *, source: str) -> str | None:
    """The token without surrounding whitespace, None when there is none.

    `source` says where it came from (``$HACKMD_TOKEN``) for the message;
    BadToken when a line break, space or other character no header can carry
    is left inside it.
    """
    if value is None:
        return None
    token = value.strip()
    if not token:
        return None
    if not _TOKEN.fullmatch(token):
        raise BadToken(
            f"the token in {source} holds a line break, space or other character a token cannot have; "
            "set it again (it is not shown here)"
        )
    return token


def error_text(exc: BaseException, *, limit: int = 200) -> str:
    """An exception as one line for a message: no header values, no URL secrets."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = _HEADER_VALUE.sub(lambda m: m.group(1) + "(hidden)", text)
    text = redact_urls(text)
    return text if len(text) <= limit else text[:limit] + "…"
