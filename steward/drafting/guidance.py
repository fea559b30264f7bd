"""The guidance checklist: what the community's norms ask of a reply, with sources.

Items come from the shipped ``guidance.toml`` (package ``steward.defaults``); a
``guidance.toml`` in the user's config directory may replace items by key, add
new ones and retitle sources. See the shipped file for the layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steward.config.toml_files import TomlFile, layers, read_toml, shipped
from steward.models import CATEGORIES, ConfigError, UsageError
from steward.util.text import clean_text

AREAS = ("naming", "licensing", "giving_back", "process", "partnership", "money", "privacy")
GUIDANCE_FILE = "guidance.toml"
ALL_CATEGORIES = "*"

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SOURCE = re.compile(r"^S[0-9]+$")
_TEXT_FIELDS = ("text_zh", "text_en", "snippet_zh", "snippet_en")
_QUOTE_FIELDS = ("quote_zh", "quote_en")
_ITEM_FIELDS = frozenset({"key", "area", "categories", "required", "source", "when", "unless", *_TEXT_FIELDS, *_QUOTE_FIELDS})
_TOP_LEVEL = frozenset({"item", "sources"})


def is_english(language: str | None) -> bool:
    """Reply languages are "zh-TW" and "en"; anything not English reads as Chinese."""
    return (language or "").lower().startswith("en")


@dataclass(frozen=True)
class GuidanceItem:
    key: str
    area: str
    text_zh: str
    text_en: str
    categories: tuple[str, ...]
    required: bool
    source: str
    snippet_zh: str
    snippet_en: str
    source_title: str = ""
    # Facts of the request (steward.drafting.facts triggers) that make the item
    # apply: any one of `when` must be present, none of `unless`.
    when: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    quote_zh: str = ""
    quote_en: str = ""

    def text(self, language: str | None) -> str:
        return self.text_en if is_english(language) else self.text_zh

    def snippet(self, language: str | None) -> str:
        return self.snippet_en if is_english(language) else self.snippet_zh

    def as_json(self, language: str | None, checked: bool) -> dict:
        """A checklist row in `draft --json` and `checklist --json`: these keys, in this order."""
        return {
            "key": self.key,
            "area": self.area,
            "text": self.text(language),
            "source": self.source,
            "required": self.required,
            "checked": checked,
        }

    def applies_to(self, category: str | None, triggers: frozenset[str] | None = None) -> bool:
        """Whether the item belongs on this request's checklist.

        Without `triggers` (the facts of the request are unknown) only the
        category decides, as for a blank request of that kind.
        """
        if not (ALL_CATEGORIES in self.categories or (category or "other") in self.categories):
            return False
        if triggers is None:
            return not self.when
        if self.when and not any(_fires(t, triggers) for t in self.when):
            return False
        return not any(_fires(t, triggers) for t in self.unless)


def _fires(trigger: str, triggers: frozenset[str]) -> bool:
    if trigger.endswith(":*"):
        return any(t.startswith(trigger[:-1]) for t in triggers)
    return trigger in triggers


def load_guidance(settings: Any) -> list[GuidanceItem]:
    """All checklist items, user overrides applied; raise ConfigError on any problem."""
    items, _sources, problems = _read(settings)
    if problems:
        raise ConfigError(_summarize(problems))
    return items


def check_guidance(settings: Any) -> list[str]:
    """Every problem in the shipped and user guidance files, one line each."""
    return _read(settings)[2]


def checklist_for(
    category: str | None, items: Iterable[GuidanceItem], triggers: frozenset[str] | None = None
) -> list[GuidanceItem]:
    """The items that apply to a request of this category (None counts as "other")
    with these facts, the required ones first."""
    chosen = [item for item in items if item.applies_to(category, triggers)]
    return sorted(chosen, key=lambda item: not item.required)


def checklist_for_request(request: Any, items: Iterable[GuidanceItem], facts: Any = None) -> list[GuidanceItem]:
    """The checklist of one request: its category and what it asks decide."""
    if facts is None:
        from steward.drafting.facts import facts_of

        facts = facts_of(request)
    return checklist_for(request.category, items, facts.triggers)


def checklist_json(items: Iterable[GuidanceItem], language: str | None, state: dict[str, bool]) -> list[dict]:
    """A request's checklist as `--json` shows it: each item in `language`, ticked as `state` records."""
    return [item.as_json(language, state.get(item.key, False)) for item in items]


def find_item(item_key: str, items: Iterable[GuidanceItem]) -> GuidanceItem:
    for item in items:
        if item.key == item_key:
            return item
    raise UsageError(f"unknown checklist item {item_key!r}")


def snippet(item_key: str, language: str | None, items: Sequence[GuidanceItem]) -> str:
    """The guidance paragraph for one item, ready to insert into a reply."""
    return find_item(item_key, items).snippet(language)


# -- reading ---------------------------------------------------------------------


def _summarize(problems: list[str]) -> str:
    more = len(problems) - 1
    suffix = f" (and {more} more; run `steward config check`)" if more else ""
    return problems[0] + suffix


def _read(settings: Any) -> tuple[list[GuidanceItem], dict[str, str], list[str]]:
    problems: list[str] = []
    files: list[TomlFile] = []
    try:
        files = layers(settings, GUIDANCE_FILE)
    except ConfigError as exc:  # a broken user file: the shipped items still load
        problems.append(str(exc))
        files = [read_toml(shipped(GUIDANCE_FILE), f"shipped {GUIDANCE_FILE}")]
    layers_read = [(toml.label, toml.data, toml) for toml in files]

    sources: dict[str, str] = {}
    items: dict[str, tuple[dict, str]] = {}
    for label, data, toml in layers_read:
        for name in data:
            if name not in _TOP_LEVEL:
                problems.append(f"{toml.where(name)}: unknown table {name!r} (expected [sources] and [[item]])")
        table = data.get("sources", {})
        if not isinstance(table, dict):
            problems.append(f"{toml.where('sources')}: [sources] must be a table of S1 = \"title\"")
            table = {}
        for sid, title in table.items():
            if not _SOURCE.match(sid) or not isinstance(title, str) or not title.strip():
                problems.append(f"{toml.where('sources', sid)}: [sources] {sid!r} must be S<number> = \"title\"")
                continue
            sources[sid] = clean_text(title).strip()
        entries = data.get("item", [])
        if not isinstance(entries, list):
            problems.append(f"{label}: items must be written as [[item]] tables")
            continue
        for index, entry in enumerate(entries):
            key = entry.get("key") if isinstance(entry, dict) else None
            at = toml.where("item", index)
            if not isinstance(key, str) or not _KEY.match(key):
                problems.append(f"{at}: item {index + 1} needs a key of lowercase letters, digits, _ or -")
                continue
            if key in items and items[key][1].startswith(label):
                problems.append(f"{at}: item {key!r} is defined twice")
                continue
            items[key] = (entry, at)

    result = []
    for key, (entry, label) in items.items():
        item = _item(entry, f"{label}: item {key!r}", sources, problems)
        if item is not None:
            result.append(item)
    return result, sources, problems


def _item(entry: dict, where: str, sources: dict[str, str], problems: list[str]) -> GuidanceItem | None:
    before = len(problems)
    for name in entry:
        if name not in _ITEM_FIELDS:
            problems.append(f"{where}: unknown field {name!r}")
    area = entry.get("area")
    if area not in AREAS:
        problems.append(f"{where}: area must be one of {', '.join(AREAS)}")
    texts = {}
    for name in _TEXT_FIELDS:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: {name} must be non-empty text")
        else:
            texts[name] = clean_text(value).strip()
    categories = entry.get("categories")
    if not isinstance(categories, list) or not categories or not all(isinstance(c, str) for c in categories):
        problems.append(f'{where}: categories must be a list of category keys, or ["*"]')
        categories = []
    for category in categories:
        if category != ALL_CATEGORIES and category not in CATEGORIES:
            problems.append(f"{where}: unknown category {category!r} (known: {', '.join(CATEGORIES)})")
    required = entry.get("required", False)
    if not isinstance(required, bool):
        problems.append(f"{where}: required must be true or false")
    triggers: dict[str, tuple[str, ...]] = {}
    for name in ("when", "unless"):
        value = entry.get(name, [])
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            problems.append(f"{where}: {name} must be a list of request facts")
            value = []
        for trigger in value:
            if not _known_trigger(trigger):
                problems.append(f"{where}: unknown fact {trigger!r} in {name}")
        triggers[name] = tuple(value)
    for name in _QUOTE_FIELDS:
        value = entry.get(name, "")
        if not isinstance(value, str):
            problems.append(f"{where}: {name} must be text")
        else:
            texts[name] = clean_text(value).strip()
    source = entry.get("source")
    if source not in sources:
        known = ", ".join(sorted(sources)) or "none"
        problems.append(f"{where}: source {source!r} is not listed in [sources] (known: {known})")
    if len(problems) > before:
        return None
    return GuidanceItem(
        key=entry["key"],
        area=area,
        categories=tuple(categories),
        required=required,
        source=source,
        source_title=sources[source],
        **triggers,
        **texts,
    )


def _known_trigger(trigger: str) -> bool:
    from steward.drafting.facts import TRIGGERS

    prefix = trigger.split(":", 1)[0] + ":*" if ":" in trigger else trigger
    return trigger in TRIGGERS or prefix in TRIGGERS
