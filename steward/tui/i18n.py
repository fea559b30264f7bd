"""Every string the TUI shows, in zh-TW and English: ``t("key", **values)``.

The strings live in one catalogue per language, steward/tui/locales/en.py and
zh_TW.py (plain dicts, every key in one place); status, category and channel
names come from steward.labels, shared with the CLI and the summary. Switching
the language (``set_language``) takes effect on the next render.
"""

from __future__ import annotations

import importlib
import logging

from steward.labels import category_label, channel_label, status_label

_language = "en"

# language -> the module in steward/tui/locales holding its catalogue
_MODULES = {"en": "en", "zh-TW": "zh_TW"}
_catalogues: dict[str, dict[str, str]] = {}
_log = logging.getLogger(__name__)


def catalogue(language: str) -> dict[str, str]:
    """One language's strings (steward/tui/locales/<language>.py), imported the first time asked."""
    found = _catalogues.get(language)
    if found is None:
        module = importlib.import_module(f"steward.tui.locales.{_MODULES[language]}")
        found = _catalogues[language] = module.STRINGS
    return found


def languages() -> tuple[str, ...]:
    return tuple(_MODULES)


_tz = None


def set_display_tz(tz) -> None:
    """Times on screen are in the steward's configured time zone."""
    global _tz
    _tz = tz


def display_tz():
    return _tz


def set_language(language: str) -> None:
    global _language
    _language = "zh-TW" if language.lower().startswith("zh") else "en"


def language() -> str:
    return _language


def has(key: str) -> bool:
    """Whether the catalogues hold `key` (both hold the same keys: tests/test_i18n.py)."""
    return key in catalogue("en")


def t(key: str, **values) -> str:
    """`key`'s text in the current language, filled with `values`.

    Every key the code uses is in both catalogues (tests/test_i18n.py). Should one
    be missing all the same, the English text stands in, and failing that a
    readable phrase made from the key: never the raw key.
    """
    text = catalogue(_language).get(key)
    if text is None:
        text = catalogue("en").get(key)
        if text is None:
            _log.warning("no text for %r", key)
            text = key.rsplit(".", 1)[-1].replace("_", " ").capitalize()
    return text.format(**values) if values else text


def status_name(status: str) -> str:
    return status_label(status, _language)


def category_name(category: str | None, *, short: bool = False) -> str:
    if not category:
        return "–"
    return category_label(category, _language, short=short)


def channel_name(channel: str) -> str:
    return channel_label(channel, _language)
