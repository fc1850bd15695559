"""Figure consistency on the bundled corpus: the articles agree, and the checks say so.

China–Russia trade: USD 245 bn for 2024 with +1.9% (000, 001), USD 240 bn for 2023
(004), USD 190 bn for 2022 (002); China's customs: 190.27, 240.11, 244.81 bn. A
checker that flags any of this cries wolf.
"""

from __future__ import annotations

import pytest

CHN_RUS = ("select * from marts.fct_figure_consistency where flow = 'bilateral' "
           "and reporter = 'CHN' and partner = 'RUS' and commodity = 'all' "
           "and not is_forecast and period_year = ? and measure = ?")
CONSISTENCY_TESTS = ("assert_trade_figures_agree_across_articles",
                     "assert_growth_rates_agree_with_levels",
                     "assert_levels_are_stated_for_their_own_year",
                     "assert_trade_levels_near_reference_statistics")


def _group(warehouse, year: int, measure: str) -> dict:
    rows = warehouse.rows(CHN_RUS, [year, measure])
    assert len(rows) == 1, rows
    return rows[0]


def test_2024_total_is_corroborated_by_000_and_001_as_independent_sources(sample_warehouse):
    group = _group(sample_warehouse, 2024, "level")
    assert group["consistency_status"] == "corroborated"
    assert group["independent_source_count"] == 2
    assert sorted(sample_warehouse.seed_of[a] for a in group["article_ids"]) == ["000", "001"]
    assert group["consensus_value"] == pytest.approx(245e9)
    assert group["relative_spread_pct"] == 0


def test_000_and_001_are_not_near_duplicates_of_each_other(sample_warehouse):
    rows = sample_warehouse.rows("select article_id, near_duplicate_of from marts.dim_articles")
    assert all(r["near_duplicate_of"] is None for r in rows)


@pytest.mark.parametrize(("year", "seed"), [(2022, "002"), (2023, "004")])
def test_2022_and_2023_totals_are_single_source(sample_warehouse, year, seed):
    group = _group(sample_warehouse, year, "level")
    assert group["consistency_status"] == "single_source"
    assert [sample_warehouse.seed_of[a] for a in group["article_ids"]] == [seed]


def test_2024_growth_rate_agrees_with_the_2023_and_2024_levels(sample_warehouse):
    group = _group(sample_warehouse, 2024, "growth")
    assert group["consistency_status"] == "corroborated"
    assert group["growth_level_check"] == "passed"
    # 245/240 is +2.1%; with the rounding the articles use, +1.9% is inside
    assert group["implied_low_growth_pct"] < 1.85 < 1.95 < group["implied_high_growth_pct"]


def test_stated_figures_stand_for_the_interval_their_precision_allows(sample_warehouse):
    rows = {(r["period_year"], r["measure"], r["stated_text"]): (r["low_value"], r["high_value"])
            for r in sample_warehouse.rows(
                "select * from intermediate.int_trade_figures_intervals "
                "where flow = 'bilateral'")}
    assert rows[2024, "level", "$245 billion"] == pytest.approx((244.5e9, 245.5e9))
    assert rows[2023, "level", "$240 billion"] == pytest.approx((239.5e9, 240.5e9))
    assert rows[2024, "growth", "1.9 percent"] == pytest.approx((1.85, 1.95))


def test_every_seed_level_is_within_tolerance_of_china_customs(sample_warehouse):
    groups = sample_warehouse.rows(
        "select period_year, reference_value_usd, is_within_reference_tolerance "
        "from marts.fct_figure_consistency where reference_value_usd is not null "
        "order by period_year")
    assert [(g["period_year"], g["reference_value_usd"]) for g in groups] == [
        (2022, 190.27e9), (2023, 240.11e9), (2024, 244.81e9)]
    assert all(g["is_within_reference_tolerance"] for g in groups)
    deviations = sample_warehouse.rows(
        "select reference_deviation_pct from marts.fct_trade_figures "
        "where reference_value_usd is not null")
    assert len(deviations) == 4 and all(abs(d["reference_deviation_pct"]) < 0.5
                                        for d in deviations)


def test_the_bundled_corpus_has_no_conflict_and_no_finding(sample_warehouse):
    statuses = {r["consistency_status"] for r in sample_warehouse.rows(
        "select consistency_status from marts.fct_figure_consistency")}
    assert "conflict" not in statuses
    assert sample_warehouse.rows("select * from marts.rpt_figure_findings") == []


def test_consistency_checks_pass_in_audit_quality_results(sample_warehouse):
    results = {r["check_name"]: r for r in sample_warehouse.rows(
        "select * from audit.quality_results where check_source = 'dbt'")}
    for name in CONSISTENCY_TESTS:
        assert (results[name]["severity"], results[name]["status"]) == ("warn", "pass"), name
