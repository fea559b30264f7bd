"""Category rules: which words suggest which kind of request, read from categories.toml.

The shipped rules live in package `steward.defaults`; a `categories.toml` in
the user's config dir is merged over them. Every value is checked, and a
mistake raises ConfigError naming the file and the table, because a typo would
otherwise silently change how requests are sorted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from steward.config.toml_files import TomlFile, layers
from steward.models import CATEGORIES, ConfigError


@dataclass
class CategoryRule:
    key: str
    route_to: str | None = None
    cues: dict[str, float] = field(default_factory=dict)  # cue as written -> weight
    places: list[str] = field(default_factory=list)  # only the best of these counts
    place_weight: float = 1.0
    absorbs: dict[str, float] = field(default_factory=dict)  # with a place: share taken from others


@dataclass
class CategoryRules:
    rules: dict[str, CategoryRule]
    kinds: dict[str, dict[str, float]] = field(default_factory=dict)
    community: list[str] = field(default_factory=list)
    entry_weight: float = 1.2
    route_weight: float = 2.0


_TIERS = ("strong", "zh", "en", "weak", "places")
_RULE_KEYS = {"route_to", "absorbs", *_TIERS}


def parse_category_rules(data: dict, where: str | TomlFile, base: CategoryRules | None = None) -> CategoryRules:
    """Rules from a categories.toml table; `base` supplies what the file leaves out.

    Given the TomlFile it came from as `where`, errors name the line of the key.
    """
    source = where

    def at(*path: str) -> str:
        return source.where(*path) if isinstance(source, TomlFile) else str(source)

    for top in data:
        if top not in {"weights", "community", "kinds", "category"}:
            raise ConfigError(f"{at(top)}: unknown key '{top}'")
    weights = {"strong": 2.0, "normal": 1.0, "weak": 0.4, "place": 1.0, "entry": 1.2, "route": 2.0}
    for name, value in data.get("weights", {}).items():
        if name not in weights:
            raise ConfigError(f"{at('weights', name)}: [weights]: unknown key '{name}'")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{at('weights', name)}: [weights]: '{name}' must be a number ≥ 0")
        weights[name] = float(value)
    rules = dict(base.rules) if base else {}
    for key, table in data.get("category", {}).items():
        if key not in CATEGORIES:
            raise ConfigError(f"{at('category', key)}: unknown category '{key}' (one of {', '.join(CATEGORIES)})")
        if not isinstance(table, dict):
            raise ConfigError(f"{at('category', key)}: [category.{key}] must be a table")
        cues: dict[str, float] = {}
        for name, value in table.items():
            if name not in _RULE_KEYS:
                raise ConfigError(f"{at('category', key, name)}: [category.{key}]: unknown key '{name}'")
            if name in ("route_to", "absorbs"):
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{at('category', key, name)}: [category.{key}]: '{name}' must be a list of strings")
            if name != "places":
                weight = weights["normal"] if name in ("zh", "en") else weights[name]
                for cue in value:
                    cues.setdefault(cue, weight)
        route = table.get("route_to")
        if route is not None and not isinstance(route, str):
            raise ConfigError(f"{at('category', key, 'route_to')}: [category.{key}]: 'route_to' must be a string")
        absorbs = table.get("absorbs", {})
        if not isinstance(absorbs, dict) or not all(
            k in CATEGORIES and isinstance(v, int | float) and 0 <= v <= 1 for k, v in absorbs.items()
        ):
            raise ConfigError(f"{at('category', key, 'absorbs')}: [category.{key}]: 'absorbs' must map categories to shares 0..1")
        places = [p for p in table.get("places", []) if p not in cues]
        rules[key] = CategoryRule(key, route or None, cues, places, weights["place"], dict(absorbs))
    kinds = dict(base.kinds) if base else {}
    for kind, leans in data.get("kinds", {}).items():
        if not isinstance(leans, dict) or not all(
            k in CATEGORIES and isinstance(v, int | float) for k, v in leans.items()
        ):
            raise ConfigError(f"{at('kinds', kind)}: [kinds]: '{kind}' must map categories to numbers")
        kinds[kind] = {k: float(v) for k, v in leans.items()}
    community = data.get("community", {}).get("terms", base.community if base else [])
    if not isinstance(community, list) or not all(isinstance(t, str) for t in community):
        raise ConfigError(f"{at('community', 'terms')}: [community]: 'terms' must be a list of strings")
    return CategoryRules(rules, kinds, list(community), weights["entry"], weights["route"])


def load_category_rules(settings=None) -> CategoryRules:
    """The shipped rules, with the user's `categories.toml` (if any) merged over them."""
    rules = None
    for layer in layers(settings, "categories.toml"):
        rules = parse_category_rules(layer.data, layer, base=rules)
    return rules
