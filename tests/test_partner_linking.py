"""Recognising one organization written several ways, and keeping similar ones apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.partners.linking import KnownOrganization, OrganizationIndex, is_telling_domain, mail_domain, name_keys

PAIRS = Path(__file__).parent / "data" / "organization_pairs.tsv"


def _pairs():
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        first, first_email, second, second_email, same, why = line.split("\t")
        yield pytest.param(first, first_email, second, second_email, same == "yes", id=why)


def linked(first, first_email, second, second_email) -> bool:
    index = OrganizationIndex()
    if not first and not is_telling_domain(mail_domain(first_email)):
        return False  # nothing to know the first sender's organization by
    index.add(KnownOrganization(1, first or mail_domain(first_email), domains=[mail_domain(first_email)]))
    return index.find(second, second_email) is not None


@pytest.mark.parametrize(("first", "first_email", "second", "second_email", "same"), list(_pairs()))
def test_the_same_organization_is_one_record_and_similar_ones_stay_apart(first, first_email, second, second_email, same):
    assert linked(first, first_email, second, second_email) == same


def test_linking_precision_and_recall_on_the_pair_corpus():
    outcomes = [(linked(*p.values[:4]), p.values[4]) for p in _pairs()]
    true_pos = sum(1 for got, want in outcomes if got and want)
    precision = true_pos / max(1, sum(1 for got, _ in outcomes if got))
    recall = true_pos / max(1, sum(1 for _, want in outcomes if want))
    assert precision == 1.0 and recall >= 0.95, (precision, recall)


def test_an_alias_a_steward_adds_links_the_next_request():
    index = OrganizationIndex([KnownOrganization(7, "數位發展部")])
    assert index.find("moda") is None
    index.add_alias(7, "moda")
    assert index.find("MODA").organization_id == 7


def test_names_reduce_to_keys_that_survive_spelling():
    assert "地球公民基金會" in name_keys("社團法人臺灣地球公民基金會")
    assert name_keys("   ") == set()
