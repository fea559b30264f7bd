"""HTTP the way every steward client does it: one client factory, polite retries, one error wording.

`new_client()` is the only place an httpx client is set up (feeds, directory
sync, publishing): the same timeouts, User-Agent, redirect policy and TLS
defaults. It follows redirects for GET and HEAD only, at most
MAX_REDIRECTS, and never for a POST or PATCH (a redirected publish would be
replayed as a GET, or somewhere else with its body); httpx drops the
Authorization header when a redirect leaves the origin. TLS certificates are
always verified (httpx's certifi bundle, or SSL_CERT_FILE / SSL_CERT_DIR), and
proxy variables are honoured.

`failure()` turns an httpx exception into the words steward shows (credentials
and header values removed by steward.util.credentials.error_text);
`status_problem()` does the same for an error status.

One attempt is retried when the connection fails or times out, or when the
server answers 429 or 5xx: it waits for the server's Retry-After when there
is one, else backs off exponentially. `sleep` is injectable so tests need not
wait. Callers turn the final exception or response into their own message.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from steward import __version__
from steward.util.credentials import error_text

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"steward/{__version__}"
TIMEOUT = 20.0  # seconds to wait for each answer
CONNECT_TIMEOUT = 10.0
MAX_REDIRECTS = 5
REDIRECTED_METHODS = frozenset({"GET", "HEAD"})

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

R = TypeVar("R", bound="httpx.Response")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # in all, the first one included
    backoff: float = 1.0  # the first wait; it doubles after each failed attempt
    max_backoff: float = 60.0
    max_retry_after: float = 60.0  # a longer Retry-After is cut to this…
    refuse_long_waits: bool = False  # …or, when set, ends the retries with WaitTooLong
    statuses: Container[int] = RETRY_STATUSES


class WaitTooLong(Exception):
    """The server asked to wait longer than the policy allows; the caller should say "try later"."""

    def __init__(self, response: httpx.Response, wait: float):
        super().__init__(f"HTTP {response.status_code}; the server asks to wait {wait:.0f}s")
        self.response = response
        self.wait = wait


def retry_after(value: str | None, *, cap: float | None = None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or None if absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if not math.isfinite(seconds):
        return None
    seconds = max(0.0, seconds)
    return seconds if cap is None else min(seconds, cap)


def backoff(attempt: int, *, first: float = 1.0, cap: float = 60.0) -> float:
    """The wait after failed attempt number `attempt` (counted from 1)."""
    return min(first * 2 ** (attempt - 1), cap)


def is_transient(exc: Exception) -> bool:
    """Connection failures and timeouts are worth another try; a bad URL or redirect loop is not."""
    import httpx

    return isinstance(exc, httpx.TransportError)


def with_retries(
    attempt: Callable[[], R],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    retry_error: Callable[[Exception], bool] = is_transient,
) -> R:
    """Call `attempt` until it answers with something other than a retryable status, or tries run out.

    Returns the last response (which may still carry a retryable status);
    re-raises an httpx error that is not worth retrying or that struck the last
    attempt. Raises WaitTooLong when the policy refuses the server's wait.
    """
    import httpx

    for n in range(1, policy.attempts + 1):
        last = n == policy.attempts
        try:
            response = attempt()
        except httpx.HTTPError as exc:
            if last or not retry_error(exc):
                raise
            sleep(backoff(n, first=policy.backoff, cap=policy.max_backoff))
            continue
        if last or response.status_code not in policy.statuses:
            return response
        hinted = retry_after(response.headers.get("retry-after"))
        if hinted is not None and hinted > policy.max_retry_after:
            if policy.refuse_long_waits:
                raise WaitTooLong(response, hinted)
            hinted = policy.max_retry_after
        response.close()
        sleep(backoff(n, first=policy.backoff, cap=policy.max_backoff) if hinted is None else hinted)
    raise AssertionError("unreachable")  # pragma: no cover


# --- the one client ---------------------------------------------------------------------


def new_client(*, timeout: float | None = None, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """An httpx client with steward's settings; the caller closes it (or uses it in `with`).

    `timeout`: seconds to wait for each answer (TIMEOUT when None); connecting
    gets at most CONNECT_TIMEOUT of it. `transport`: for tests (httpx.MockTransport).
    """
    import httpx

    read = TIMEOUT if timeout is None else timeout
    return _client_class()(
        timeout=httpx.Timeout(read, connect=min(CONNECT_TIMEOUT, read)),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        verify=True,
        trust_env=True,
        transport=transport,
    )


@cache
def _client_class() -> type[httpx.Client]:
    import httpx

    class Client(httpx.Client):
        """Follows redirects for GET and HEAD only."""

        def send(self, request: httpx.Request, **kwargs) -> httpx.Response:
            if request.method not in REDIRECTED_METHODS:
                kwargs["follow_redirects"] = False
            return super().send(request, **kwargs)

    return Client


# --- what went wrong, in words ------------------------------------------------------------


def failure(exc: Exception, url: str | None = None) -> str:
    """An httpx exception as steward says it: "cannot connect to HOST: …", "timed out", ….

    Never a credential: only the URL's host is named and the exception's text
    goes through error_text. Callers add who failed and after how many attempts.
    """
    import httpx

    host = (_host(url) if url else "") or ""
    to = f" to {host}" if host else ""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return f"cannot connect{to}: {error_text(exc)}"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects"
    if isinstance(exc, httpx.TransportError):
        return f"connection{to} failed: {error_text(exc)}"
    return f"request{to} failed: {error_text(exc)}"


def status_problem(response: httpx.Response) -> str:
    """ "HTTP 404 Not Found" for an error answer."""
    return f"HTTP {response.status_code} {response.reason_phrase}".strip()


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""
