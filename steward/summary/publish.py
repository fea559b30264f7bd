"""Publishing a summary: a HackMD note, or a post to a Slack incoming webhook.

Secrets come from environment variables whose *names* are in the config
(``publish.hackmd_token_env``, ``publish.slack_webhook_env``) and never appear
in output: a dry run shows the request with the token and the webhook path
redacted, and works without either.

HackMD: the first publish creates a note (``POST {api}/notes``, or
``{api}/teams/{team}/notes``) and records its id next to the file in
``FILE.hackmd.json``; later publishes of that file update the note (``PATCH
…/notes/{id}``). A ``<!-- hackmd-note-id: ID -->`` line in the file names the
note explicitly and wins over the sidecar.

Slack gets the digest (title and headline figures, everything above the
summary's details mark) plus the HackMD link when there is one: tables do not
render in Slack.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from steward.util.credentials import BadToken, clean_token, redact_url, redact_urls
from steward.util.files import write_atomic
from steward.util.http import RetryPolicy, failure, with_retries
from steward.models import StewardError, UsageError
from steward.util.privacy import KnownNames, personal_data
from steward.summary.markdown import DETAILS_MARK, is_public
from steward.util.text import one_line

if TYPE_CHECKING:
    import httpx

TARGETS = ("hackmd", "slack")
ATTEMPTS = 4
SLACK_LIMIT = 39_000  # Slack cuts messages at 40,000 characters
_NOTE_ID = re.compile(r"^\s*<!--\s*hackmd-note-id:\s*([A-Za-z0-9_-]+)\s*-->\s*$", re.MULTILINE)
_COMMENT_LINE = re.compile(r"^\s*<!--.*?-->\s*$\n?", re.MULTILINE)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass
class PublishResult:
    target: str
    action: str  # "create", "update", "post"
    dry_run: bool
    method: str
    url: str  # redacted for Slack
    headers: dict[str, str]  # secrets redacted
    body: dict
    note_id: str | None = None
    link: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "action": self.action,
            "dry_run": self.dry_run,
            "request": {"method": self.method, "url": self.url, "headers": self.headers, "body": self.body},
            "note_id": self.note_id,
            "link": self.link,
            "warnings": list(self.warnings),
        }


def publish(
    path_or_text: str | os.PathLike,
    *,
    to: str,
    settings,
    dry_run: bool = False,
    allow_private: bool = False,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    environ: Mapping[str, str] | None = None,
    known_names: Iterable[str] = (),
) -> PublishResult:
    """Send a summary to HackMD or Slack. `path_or_text`: a path (os.PathLike) or the Markdown itself.

    `known_names`: the people the inbox knows (see store.reports.all_people_names);
    a public summary naming any of them, or holding anything else personal, is refused.
    """
    if to not in TARGETS:
        raise UsageError(f"unknown publish target {to!r} (expected hackmd or slack)")
    environ = os.environ if environ is None else environ
    path = Path(path_or_text) if isinstance(path_or_text, os.PathLike) else None
    text = _read(path) if path else str(path_or_text)
    warnings = _check_public(text, allow_private=allow_private, dry_run=dry_run, names=known_names)
    if to == "hackmd":
        plan = _hackmd_plan(text, path, settings, environ)
    else:
        plan = _slack_plan(text, path, settings, environ)
    result = PublishResult(
        target=to, action=plan.action, dry_run=dry_run, method=plan.method, url=plan.shown_url,
        headers=plan.shown_headers, body=plan.body, note_id=plan.note_id, warnings=warnings,
    )
    if dry_run:
        return result
    if plan.missing_secret:
        raise StewardError(plan.missing_secret)
    own_client = client is None
    if own_client:
        from steward.util.http import new_client

        client = new_client()  # never follows a redirect for a POST or PATCH
    try:
        response = send(client, plan.method, plan.url, headers=plan.headers, json_body=plan.body,
                        service=plan.service, sleep=sleep)
    finally:
        if own_client:
            client.close()
    plan.finish(response, result, path)
    return result


# --- safety -------------------------------------------------------------------------


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text; is it a summary from `steward export`?") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None


_WHAT = {
    "[email]": "an e-mail address", "[phone]": "a phone number", "[id]": "an id or messenger handle",
    "[address]": "a street address", "[link]": "a link", "[name]": "a person's name",
}


def _check_public(text: str, *, allow_private: bool, dry_run: bool, names: Iterable[str] = ()) -> list[str]:
    """Refuse (or, for a dry run, warn about) what should not leave the inbox."""
    if allow_private:
        return []
    problem = None
    if not is_public(text):
        problem = "this summary is not a public one (export it with --public, or pass --allow-private)"
    else:
        known = KnownNames(names)
        # Someone may have edited the file after export: look again, unescaped and cleaned.
        for number, line in enumerate(text.splitlines(), start=1):
            if _NOTE_ID.fullmatch(line):
                continue
            readable = one_line(_ESCAPE.sub(r"\1", line))
            found = personal_data(readable)
            what = _WHAT.get(found[0][2], "personal data") if found else None
            if what is None and known.sub(readable) != readable:
                what = "the name or address of someone in the inbox"
            if what:
                problem = f"line {number} looks like it holds {what}; remove it or pass --allow-private"
                break
    if problem is None:
        return []
    if dry_run:
        return [f"publishing would be refused: {problem}"]
    raise UsageError(f"not publishing: {problem}")


def _title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return _ESCAPE.sub(r"\1", line[2:]).strip()
    return "steward summary"


# --- HTTP with retries ---------------------------------------------------------------


def send(client: httpx.Client, method: str, url: str, *, headers: dict, json_body: dict, service: str,
         sleep: Callable[[float], None] = time.sleep, attempts: int = ATTEMPTS) -> httpx.Response:
    """One request, retried on 429, 5xx and connection failures with backoff (Retry-After honoured).

    Read timeouts are retried only for PATCH: a POST that timed out may have
    created the note or posted the message already.
    """
    import httpx

    connect_errors = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

    def retryable(exc: Exception) -> bool:
        return isinstance(exc, connect_errors) or (method == "PATCH" and isinstance(exc, httpx.TimeoutException))

    host = urlsplit(url).hostname or url
    try:
        return with_retries(lambda: client.request(method, url, headers=headers, json=json_body),
                            policy=RetryPolicy(attempts=attempts), sleep=sleep, retry_error=retryable)
    except httpx.TimeoutException as exc:
        if isinstance(exc, connect_errors):
            raise StewardError(f"{service}: {failure(exc, url)}") from None
        # The request went out: a POST may have created the note or posted the message.
        raise StewardError(f"{service}: {host} did not answer in time; check before trying again") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise StewardError(f"{service}: {failure(exc, url)}") from None


def _short_body(response: httpx.Response, *secrets: str) -> str:
    """What the service said, on one short line, for error messages; never a secret it echoed."""
    text = response.text or ""
    try:
        data = json.loads(text)
    except ValueError:
        pass
    else:
        if isinstance(data, dict):
            for key in ("message", "error", "detail"):
                if isinstance(data.get(key), str):
                    text = data[key]
                    break
    text = one_line(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = redact_urls(text)
    return (text[:200] + "…") if len(text) > 200 else text


# --- HackMD ---------------------------------------------------------------------------


@dataclass
class _Plan:
    service: str
    action: str
    method: str
    url: str
    shown_url: str
    headers: dict[str, str]
    shown_headers: dict[str, str]
    body: dict
    note_id: str | None
    missing_secret: str | None
    finish: Callable


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".hackmd.json")


def _recorded_note(text: str, path: Path | None) -> str | None:
    found = _NOTE_ID.search(text)
    if found:
        return found.group(1)
    if path is None:
        return None
    sidecar = sidecar_path(path)
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{sidecar}: unreadable ({exc}); delete it to publish as a new note") from None
    note_id = data.get("note_id") if isinstance(data, dict) else None
    if not isinstance(note_id, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", note_id):
        raise UsageError(f"{sidecar}: no usable note_id; delete it to publish as a new note")
    return note_id


def _hackmd_plan(text: str, path: Path | None, settings, environ: Mapping[str, str]) -> _Plan:
    publish_settings = settings.publish
    api = publish_settings.hackmd_api.rstrip("/")
    team = publish_settings.hackmd_team.strip()
    base = f"{api}/teams/{quote(team, safe='')}/notes" if team else f"{api}/notes"
    note_id = _recorded_note(text, path)
    public = is_public(text)
    if note_id:
        method, url, action = "PATCH", f"{base}/{note_id}", "update"
        body = {"content": text}
    else:
        method, url, action = "POST", base, "create"
        body = {
            "title": _title(text),
            "content": text,
            # A public summary is meant to be read by anyone with the link.
            "readPermission": "guest" if public else "owner",
            "writePermission": "owner",
            "commentPermission": "signed_in_users" if public else "owners",
        }
    env_name = publish_settings.hackmd_token_env
    try:
        token = clean_token(environ.get(env_name), source=f"${env_name}") or ""
    except BadToken as exc:
        raise UsageError(f"HackMD: {exc}") from None
    shown_auth = "Bearer ***" if token else f"Bearer <${env_name} is not set>"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"}
    missing = None if token else (
        f"HackMD: no API token; set ${env_name} (HackMD → Settings → API → Create API token)"
    )

    def finish(response: httpx.Response, result: PublishResult, path: Path | None) -> None:
        status = response.status_code
        where = f"team {team!r}" if team else "your workspace"
        if status in (401, 403):
            raise StewardError(f"HackMD refused the token in ${env_name} ({status}): {_short_body(response, token)}")
        if status == 404:
            if action == "update":
                hint = f"delete {sidecar_path(path)} to publish a new note" if path else "check the note id"
                raise StewardError(f"HackMD: note {note_id} not found in {where} (404); {hint}")
            raise StewardError(f"HackMD: {where} not found (404); check publish.hackmd_team and publish.hackmd_api")
        if status == 413:
            raise StewardError("HackMD: the summary is too large for one note (413)")
        if status >= 400:
            raise StewardError(f"HackMD answered {status}: {_short_body(response, token)}")
        if action == "update":
            result.note_id = note_id
            result.link = _read_link(path) if path else None
            return
        try:
            data = response.json()
        except ValueError:
            raise StewardError(f"HackMD answered {status} without the new note (not JSON)") from None
        new_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(new_id, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", new_id):
            raise StewardError(f"HackMD answered {status} without a usable note id")
        link = data.get("publishLink")
        result.note_id = new_id
        result.link = link if isinstance(link, str) and link.startswith("https://") else None
        if path is not None:
            record = {"note_id": new_id, "team": team or None, "link": result.link}
            write_atomic(sidecar_path(path), json.dumps(record, ensure_ascii=False, indent=2) + "\n")

    return _Plan(
        service="HackMD", action=action, method=method, url=url, shown_url=url, headers=headers,
        shown_headers={**headers, "Authorization": shown_auth}, body=body, note_id=note_id,
        missing_secret=missing, finish=finish,
    )


def _read_link(path: Path) -> str | None:
    try:
        data = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    link = data.get("link") if isinstance(data, dict) else None
    return link if isinstance(link, str) else None


# --- Slack ------------------------------------------------------------------------------


def slack_text(markdown: str, link: str | None = None) -> str:
    """The digest of a summary as Slack mrkdwn: title in bold, headline figures, a link."""
    digest, has_details = markdown.partition(DETAILS_MARK)[0], DETAILS_MARK in markdown
    lines = []
    for line in _COMMENT_LINE.sub("", digest).splitlines():
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            line = f"*{heading.group(2).strip()}*"
        line = line.replace("**", "*")
        if line.startswith("- "):
            line = "• " + line[2:]
        # Slack has no backslash escapes; keep the ones that stop links and emoji.
        line = re.sub(r"\\([^.:@])", r"\1", line)
        lines.append(line)
    text = "\n".join(lines).strip()
    if link:
        text += f"\n\n{link}"
    elif has_details:
        text += "\n\n(The full summary has the requests, attention list and checklist.)"
    if len(text) > SLACK_LIMIT:
        text = text[:SLACK_LIMIT] + "\n…"
    return text


def _slack_plan(text: str, path: Path | None, settings, environ: Mapping[str, str]) -> _Plan:
    env_name = settings.publish.slack_webhook_env
    try:
        url = clean_token(environ.get(env_name), source=f"${env_name}") or ""
    except BadToken:
        raise UsageError(
            f"Slack: ${env_name} holds a line break, space or other character a URL cannot have; "
            "set it again (it is not shown here)"
        ) from None
    missing = None
    if not url:
        missing = f"Slack: no webhook URL; set ${env_name} to the incoming webhook's URL"
        shown_url = f"<${env_name} is not set>"
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise UsageError(f"Slack: ${env_name} is not an http(s) URL")
        # The path of an incoming webhook is its secret; so is any user:password@.
        shown_url = redact_url(url, hide_path=True)
    link = _read_link(path) if path else None
    body = {"text": slack_text(text, link)}
    headers = {"Content-Type": "application/json"}

    def finish(response: httpx.Response, result: PublishResult, path: Path | None) -> None:
        status = response.status_code
        if status in (401, 403, 404, 410):
            raise StewardError(f"Slack refused the webhook in ${env_name} ({status}): {_short_body(response, url)}")
        if status >= 400:
            raise StewardError(f"Slack answered {status}: {_short_body(response, url)}")
        result.link = link

    return _Plan(
        service="Slack", action="post", method="POST", url=url, shown_url=shown_url, headers=headers,
        shown_headers=dict(headers), body=body, note_id=None, missing_secret=missing, finish=finish,
    )
