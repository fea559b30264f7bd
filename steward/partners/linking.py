"""Recognising an organization written several ways.

A request names its sender's organization freely: 「臺灣地球公民基金會」 one day,
「地球公民基金會」 the next, "Code for Japan" or "CfJ". The index here reduces
names to keys that survive those differences (legal forms, 台/臺, spacing,
a bilingual name's two halves, an English name's initials) and links a new
name to a known organization only when a key agrees, an alias agrees, the
sender's mail domain belongs to it, or the spelling is all but the same.

Two agencies of one city (「某市政府資訊局」, 「某市政府研考會」) share most of
their characters but not a key, so they stay apart; so do two organizations
that mail from one shared government or public domain.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# Mail services anyone can use, and the reserved example domains: they say
# nothing about an organization.
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.com.tw", "ymail.com", "hotmail.com", "outlook.com",
    "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com",
    "pm.me", "gmx.de", "gmx.net", "web.de", "mail.com", "qq.com", "163.com", "126.com", "naver.com",
    "hanmail.net", "seed.net.tw", "hinet.net", "ms1.hinet.net", "pchome.com.tw", "yandex.ru", "zoho.com",
    "fastmail.com", "hey.com", "tutanota.com", "example.com", "example.net", "example.org",
})  # fmt: skip
# Domains many distinct agencies or schools share: a match on one of them is no evidence.
_SHARED_DOMAIN = re.compile(r"(?:^|\.)(?:gov\.tw|gov\.taipei|edu\.tw|go\.th|gov|edu|ac\.uk|ac\.jp|ac\.kr)$")

_LEGAL_PREFIX = re.compile(r"^(?:社團法人|財團法人|中華民國|台灣|臺灣|國立|私立|the\s+)+", re.IGNORECASE)
_LEGAL_SUFFIX = re.compile(
    r"(?:股份有限公司|有限公司|公司|\binc\b\.?|\bltd\b\.?|\bllc\b|\bcorp(?:oration)?\b\.?|\bco\b\.?|\bpte\b\.?|\be\.?\s?v\b\.?|\bgmbh\b)+\s*$",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"[（(《〈【\[][^）)》〉】\]]{0,60}[）)》〉】\]]")
_NOT_WORD = re.compile(r"[\W_]+")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9&.' -]*[A-Za-z0-9]")
_STOP_WORDS = frozenset({"of", "for", "and", "the", "de", "la", "du", "der", "und", "&"})
FUZZY_CUTOFF = 92


def mail_domain(address: str | None) -> str:
    _, at, domain = (address or "").strip().lower().rpartition("@")
    domain = domain.strip(" <>.")
    return domain if at and "." in domain else ""


def is_telling_domain(domain: str) -> bool:
    """Whether a mail domain can identify one organization."""
    return bool(domain) and domain not in PUBLIC_MAIL_DOMAINS and not _SHARED_DOMAIN.search(domain)


# Simplified forms that turn up in names typed on other keyboards.
_VARIANTS = str.maketrans("会协国学华湾东门发联开业电网数区县机关馆图书读团体艺术乐为实验网络软件资讯统计规划环境保护", "會協國學華灣東門發聯開業電網數區縣機關館圖書讀團體藝術樂為實驗網絡軟體資訊統計規劃環境保護")


def _squash(text: str) -> str:
    return _NOT_WORD.sub("", text)


def _core(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().replace("臺", "台").translate(_VARIANTS)
    text = _BRACKETS.sub(" ", text)
    for _ in range(2):
        text = _LEGAL_SUFFIX.sub("", _LEGAL_PREFIX.sub("", text.strip())).strip()
    return text


def name_keys(name: str | None) -> set[str]:
    """Keys under which a name is the same organization: the whole name and,
    for a bilingual name, each language's part."""
    if not name or not name.strip():
        return set()
    core = _core(name)
    keys = {_squash(core)}
    cjk_runs, latin_runs = _CJK_RUN.findall(core), _LATIN_RUN.findall(core)
    if not (cjk_runs and latin_runs):
        return {key for key in keys if len(key) >= 2}
    # A bilingual name ("信鏡科技 TrustLens"): each language's part names it too.
    for run in cjk_runs:
        stripped = _squash(_LEGAL_SUFFIX.sub("", _LEGAL_PREFIX.sub("", run)))
        if len(stripped) >= 3:
            keys.add(stripped)
    for run in latin_runs:
        squashed = _squash(_LEGAL_SUFFIX.sub("", run))
        if len(squashed) >= 5:
            keys.add(squashed)
    if "台灣" in core:
        # "OpenStreetMap 台灣" is "OpenStreetMap Taiwan": a mixed name says the country either way.
        keys.add(_squash(core.replace("台灣", "taiwan")))
    return {key for key in keys if len(key) >= 2}


def acronym(name: str) -> str:
    """"Code for Japan" -> "cfj": initials of an English name, stop words lower-cased in."""
    words = [w for w in re.split(r"[\s\-/]+", _core(name)) if w and w[0].isascii() and w[0].isalpha()]
    if len(words) < 2:
        return ""
    return "".join(w[0] for w in words)


def _looks_like_acronym(name: str) -> bool:
    squashed = _squash(unicodedata.normalize("NFKC", name))
    return 2 <= len(squashed) <= 6 and squashed.isascii() and squashed.isalpha() and any(c.isupper() for c in squashed)


@dataclass
class KnownOrganization:
    id: int
    name: str
    aliases: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Link:
    organization_id: int
    reason: str  # "name", "alias", "initials", "domain", "spelling"


class OrganizationIndex:
    """Every known organization under the keys of its names, aliases and domains."""

    def __init__(self, organizations: Iterable[KnownOrganization] = ()) -> None:
        self._by_key: dict[str, int] = {}
        self._by_alias: dict[str, int] = {}
        self._by_acronym: dict[str, int] = {}
        self._by_domain: dict[str, int] = {}
        self._keys_by_start: dict[str, list[tuple[str, int]]] = {}
        for organization in organizations:
            self.add(organization)

    def add(self, organization: KnownOrganization) -> None:
        for key in name_keys(organization.name):
            self._remember(key, organization.id)
        for alias in organization.aliases:
            for key in name_keys(alias):
                self._by_alias.setdefault(key, organization.id)
        initials = acronym(organization.name)
        if len(initials) >= 2:
            self._by_acronym.setdefault(initials, organization.id)
        for domain in organization.domains:
            if is_telling_domain(domain):
                self._by_domain.setdefault(domain, organization.id)

    def add_domain(self, organization_id: int, domain: str) -> None:
        if is_telling_domain(domain):
            self._by_domain.setdefault(domain, organization_id)

    def domain_owner(self, domain: str) -> int | None:
        """The organization a mail domain already belongs to, if any."""
        return self._by_domain.get(domain)

    def add_alias(self, organization_id: int, alias: str) -> None:
        for key in name_keys(alias):
            self._by_alias[key] = organization_id

    def _remember(self, key: str, organization_id: int) -> None:
        if key not in self._by_key:
            self._by_key[key] = organization_id
            self._keys_by_start.setdefault(key[:1], []).append((key, organization_id))

    def find(self, name: str | None, email: str | None = None) -> Link | None:
        """The known organization this name (and sender address) belongs to, if any."""
        keys = name_keys(name)
        # The whole name first: a bilingual half only counts when the whole is unknown.
        ordered = sorted(keys, key=len, reverse=True)
        for key in ordered:
            if key in self._by_key:
                return Link(self._by_key[key], "name")
            if key in self._by_alias:
                return Link(self._by_alias[key], "alias")
        if name and _looks_like_acronym(name):
            found = self._by_acronym.get(_squash(name).casefold())
            if found is not None:
                return Link(found, "initials")
        domain = mail_domain(email)
        if domain in self._by_domain:
            return Link(self._by_domain[domain], "domain")
        if keys:
            whole = max(keys, key=len)
            if len(whole) >= 6:
                found = self._close_spelling(whole)
                if found is not None:
                    return Link(found, "spelling")
        return None

    def _close_spelling(self, key: str) -> int | None:
        from rapidfuzz import fuzz, process

        candidates = self._keys_by_start.get(key[:1], [])
        if not candidates:
            return None
        # Similar length only: a longer name with the same start is another unit.
        pool = [(k, i) for k, i in candidates if abs(len(k) - len(key)) <= max(1, len(key) // 10)]
        if not pool:
            return None
        best = process.extractOne(key, [k for k, _ in pool], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if best is None:
            return None
        candidate = best[0]
        # Agencies of one parent differ in their last characters only: 資訊局 vs 研考會.
        if _differs_in_unit(key, candidate):
            return None
        return pool[best[2]][1]


def _differs_in_unit(left: str, right: str) -> bool:
    """Whether two spellings share a long start and differ in a trailing unit name."""
    common = 0
    for a, b in zip(left, right):
        if a != b:
            break
        common += 1
    tail_left, tail_right = left[common:], right[common:]
    return bool(tail_left) and bool(tail_right) and common >= len(min(left, right, key=len)) // 2 and (
        _CJK_RUN.search(tail_left) is not None or _CJK_RUN.search(tail_right) is not None or len(tail_left) > 2
    )
