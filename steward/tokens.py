"""API tokens read from the environment: stripped, checked, never shown.

A token pasted with a trailing newline, or copied with a non-ASCII character in it,
must fail with a message that names the variable, never one that echoes the token
(httpx's own errors quote the whole header value).
"""

from __future__ import annotations

from collections.abc import Mapping

from steward.models import ConfigError

# What RFC 6750 allows in a bearer token (b64token), plus the few characters some
# services use; anything else cannot be sent in a header as it is.
_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=:")


def bearer_token(environ: Mapping[str, str], env_name: str) -> str | None:
    """The token in $env_name, surrounding whitespace removed; None when unset or empty.

    Raises ConfigError (naming the variable, not the token) when what is left
    cannot be a token.
    """
    token = (environ.get(env_name) or "").strip()
    if not token:
        return None
    bad = sorted({_describe(ch) for ch in token if ch not in _ALLOWED})
    if bad:
        raise ConfigError(
            f"${env_name}: the token contains {', '.join(bad[:3])}, which a token cannot; "
            f"set it again without them (the token is not shown)"
        )
    return token


def _describe(ch: str) -> str:
    if ch in " \t":
        return "spaces"
    if ch in "\r\n":
        return "line breaks"
    if not ch.isascii():
        return "non-ASCII characters"
    if not ch.isprintable():
        return "control characters"
    return "punctuation such as quotes or commas"
