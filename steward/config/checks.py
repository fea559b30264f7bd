"""`steward config check`: everything a steward can get wrong in their files,
each with the file and line to fix. Problems make the check fail; warnings
(doubtful but valid content) are printed and let it pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from steward.config.declaration import KEYMAP_IDS
from steward.config.toml_files import read_toml
from steward.models import ConfigError, UsageError


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_settings_file(settings: Any) -> CheckReport:
    """What the config file says that steward would refuse or ignore later."""
    report = CheckReport()
    path = settings.config_file
    toml = read_toml(path) if path is not None and path.is_file() else None

    def at(*where: str | int) -> str:
        return toml.where(*where) if toml is not None else str(path or "config")

    from steward.store.filtering import parse_filter

    for index, saved in enumerate(settings.filters):
        try:
            parse_filter(saved.query, me=settings.steward_name)
        except UsageError as exc:
            report.problems.append(f"{at('filters', index, 'query')}: saved filter {saved.name!r}: {exc}")
    for binding_id in settings.keymap:
        if binding_id not in KEYMAP_IDS:
            from rapidfuzz import process

            close = process.extractOne(binding_id, sorted(KEYMAP_IDS), score_cutoff=70)
            hint = f" (did you mean {close[0]!r}?)" if close else " (the help screen lists every id)"
            report.problems.append(f"{at('keymap', binding_id)}: keymap: unknown binding id {binding_id!r}{hint}")
    return report


def check_everything(settings: Any) -> CheckReport:
    """The config file, categories, directory, templates and guidance."""
    report = check_settings_file(settings)
    from steward.drafting.drafts import check_guidance
    from steward.matching.rules import load_category_rules
    from steward.drafting.templates import check_templates

    report.problems.extend(check_templates(settings))
    report.problems.extend(check_guidance(settings))
    from steward.directory.entries import directory_warnings, load_directory

    try:
        load_category_rules(settings)
    except ConfigError as exc:
        report.problems.append(str(exc))
    try:
        # Shared or everyday names are worth fixing, but steward works with them: warnings.
        report.warnings.extend(directory_warnings(load_directory(settings)))
    except ConfigError as exc:
        report.problems.append(str(exc))
    return report
