"""Noise flags on the bundled corpus: every seed page carries the flags its text deserves."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import REPO

RULES = REPO / "dbt_project" / "seeds" / "noise_flag_rules.csv"

EXPECTED = {
    "000": {"repeated_paragraphs"},
    "001": {"repeated_paragraphs"},
    "002": {"comment_widget", "broken_words"},
    "003": {"navigation_chrome", "teaser_repeat"},
    "004": {"foreign_language", "image_caption", "byline_in_body"},
}


def _flags(warehouse) -> dict[str, dict[str, dict]]:
    flags: dict[str, dict[str, dict]] = {}
    for row in warehouse.rows("select * from marts.rpt_article_noise"):
        flags.setdefault(warehouse.seed_of[row["article_id"]], {})[row["noise_flag"]] = row
    return flags


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_article_carries_the_noise_flags_its_text_deserves(sample_warehouse, seed):
    flags = _flags(sample_warehouse).get(seed, {})
    assert EXPECTED[seed] <= set(flags), (seed, sorted(flags))


def test_every_flag_has_a_reason_with_its_value_and_threshold(sample_warehouse):
    with RULES.open(newline="") as handle:
        rules = {r["noise_flag"]: r for r in csv.DictReader(handle)}
    for flags in _flags(sample_warehouse).values():
        for flag, row in flags.items():
            assert row["threshold_value"] == float(rules[flag]["min_value"])
            assert row["metric_value"] >= row["threshold_value"]
            assert "{" not in row["reason"] and "flagged from" in row["reason"]


def test_repeated_paragraphs_reason_states_the_share(sample_warehouse):
    row = _flags(sample_warehouse)["000"]["repeated_paragraphs"]
    assert row["reason"].startswith(f"{round(100 * row['metric_value'], 1)}% of the paragraphs")
