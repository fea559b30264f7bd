"""Reply templates: reading, merging and checking ``templates/<key>.toml``.

A template is one TOML file with ``name_zh``, ``name_en``, ``body_zh``,
``body_en`` and an optional ``category`` (the kind of request it is written
for). Shipped templates live in package ``steward.defaults``; a file of the
same name in the user's config directory overrides the fields it sets, and a
new name adds a template.

Bodies may use the placeholders in PLACEHOLDERS and no others; ``{{`` and
``}}`` stand for literal braces. What each placeholder becomes in a reply is
described in steward.drafting.drafts, which fills them.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steward.drafting.guidance import is_english
from steward.config.toml_files import parse_toml, shipped
from steward.models import CATEGORIES, ConfigError
from steward.util.text import one_line

PLACEHOLDERS: dict[str, str] = {
    "greeting": "a salutation line, generic when the sender's name is unknown",
    "sender_name": "the sender's name",
    "organization": "the sender's organization",
    "subject": "the request's subject",
    "your_message": "a reference to the request, with its subject when it has one",
    "received_date": "the date the request arrived",
    "thanks": "the opening thanks, formal for institutions and e-mail, brief for people and chat channels",
    "match_name": "the routed project or working group",
    "match_intro": "the routed project or working group, introduced as the community asks",
    "match_contact": "how to reach the routed project or working group",
    "match_url": "the routed project's or working group's website",
    "oscvpass_applicants": "what an individual needs for OSCVPass certification, only when the request asks about certification",
    "who_invited": "whom the sender invites: the project they named, else the question whether people or a project",
    "steward_name": "the steward's name",
    "category_name": "the kind of request",
    "partner_since": "when the sender's organization first wrote (empty for a first request)",
    "partner_last_request": "when it last wrote before, and how that ended (empty for a first request)",
    "partner_open_commitments": "the giving back it promised and has not done yet (empty when none)",
    "partner_welcome": "a line that acknowledges earlier work with a returning partner (empty for a first request)",
}
TEMPLATES_DIR = "templates"

_FIELDS = ("name_zh", "name_en", "body_zh", "body_en")
_ALLOWED = frozenset({*_FIELDS, "category"})
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Template:
    key: str
    name_zh: str
    name_en: str
    body_zh: str
    body_en: str
    category: str | None = None
    origin: str = ""  # the file it came from; the user's file when overridden

    def name(self, language: str | None) -> str:
        return self.name_en if is_english(language) else self.name_zh

    def body(self, language: str | None) -> str:
        return self.body_en if is_english(language) else self.body_zh

    def as_json(self) -> dict:
        """A template in `templates list --json`: these keys, in this order."""
        return {"key": self.key, "name_zh": self.name_zh, "name_en": self.name_en, "category": self.category,
                "origin": self.origin}


def parse_body(text: str) -> tuple[list[tuple[str, str | None]], list[str]]:
    """Split a body into (literal, placeholder) parts; also return its problems."""
    parts: list[tuple[str, str | None]] = []
    problems: list[str] = []
    try:
        for literal, name, spec, conversion in string.Formatter().parse(text):
            if name is None:
                parts.append((literal, None))
            elif name not in PLACEHOLDERS:
                problems.append(f"unknown placeholder {{{name}}}")
            elif spec or conversion:
                problems.append(f"placeholder {{{name}}} takes no format spec or conversion")
            else:
                parts.append((literal, name))
    except ValueError as exc:  # a lone "{" or "}"
        problems.append(f"{exc} (write {{{{ or }}}} for a literal brace)")
    return parts, problems


def _read_file(data: bytes, label: str, problems: list[str]) -> dict | None:
    try:
        toml = parse_toml(data.decode("utf-8"), label)
    except UnicodeDecodeError:
        problems.append(f"{label}: not UTF-8 text")
        return None
    except ConfigError as exc:
        problems.append(str(exc))
        return None
    fields: dict[str, str] = {}
    for name, value in toml.data.items():
        at = toml.where(name)
        if name not in _ALLOWED:
            allowed = ", ".join(sorted(_ALLOWED))
            problems.append(f"{at}: unknown field {name!r} (expected {allowed})")
        elif not isinstance(value, str) or (name != "category" and not value.strip()):
            problems.append(f"{at}: {name} must be non-empty text")
        elif name == "category" and value not in CATEGORIES:
            problems.append(f"{at}: unknown category {value!r} (known: {', '.join(CATEGORIES)})")
        elif name.startswith("body_"):
            for problem in parse_body(value)[1]:
                problems.append(f"{at}: {problem} in {name}")
            fields[name] = value
        else:
            fields[name] = value
    return fields


def _template_files(settings: Any) -> list[tuple[str, str, bytes | None]]:
    """(key, label, content) for shipped files first, then the user's."""
    found: list[tuple[str, str, bytes | None]] = []
    for entry in sorted(shipped(TEMPLATES_DIR).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found.append((entry.name[: -len(".toml")], f"{entry} (shipped)", entry.read_bytes()))
    config_dir = getattr(settings, "config_dir", None)
    user_dir = Path(config_dir) / TEMPLATES_DIR if config_dir is not None else None
    if user_dir is not None and user_dir.is_dir():
        for path in sorted(user_dir.glob("*.toml")):
            try:
                content: bytes | None = path.read_bytes()
            except OSError:
                content = None
            found.append((path.stem, str(path), content))
    return found


def _read_templates(settings: Any) -> tuple[dict[str, Template], list[str]]:
    problems: list[str] = []
    merged: dict[str, tuple[dict[str, str], str]] = {}
    for key, label, content in _template_files(settings):
        if not _KEY.match(key):
            problems.append(f"{label}: template names use lowercase letters, digits, _ and - only")
            continue
        if content is None:
            problems.append(f"{label}: cannot read the file")
            continue
        fields = _read_file(content, label, problems)
        if fields is None:
            continue
        # A user file overrides only the fields it sets, so a steward can
        # reword one language and keep the other.
        previous = merged.get(key, ({}, label))[0]
        merged[key] = ({**previous, **fields}, label)
    templates: dict[str, Template] = {}
    for key, (fields, label) in merged.items():
        missing = [name for name in _FIELDS if name not in fields]
        if missing:
            problems.append(f"{label}: missing {', '.join(missing)}")
            continue
        templates[key] = Template(
            key=key, origin=label, category=fields.get("category") or None,
            name_zh=one_line(fields["name_zh"]), name_en=one_line(fields["name_en"]),
            body_zh=fields["body_zh"], body_en=fields["body_en"],
        )  # fmt: skip
    return templates, problems


def load_templates(settings: Any) -> dict[str, Template]:
    """All templates by key, the user's overrides applied; ConfigError names the first problem."""
    templates, problems = _read_templates(settings)
    if problems:
        more = len(problems) - 1
        raise ConfigError(problems[0] + (f" (and {more} more; run `steward config check`)" if more else ""))
    return templates


def check_templates(settings: Any) -> list[str]:
    """Every problem in the shipped and user templates, one line each (for `config check`)."""
    return _read_templates(settings)[1]
