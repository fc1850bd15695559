"""The bundled corpus with four planted errors: each is flagged by its check, naming
both articles (or the official source), and nothing that was not planted is flagged.

Planted (tests/quality/corpora.py PLANTED_ERRORS): 000 says USD 254 bn for 2024
(001 says 245); 004 gives 2024's USD 245 bn for 2023; 001's +1.9% becomes +19%;
002's 2022 total becomes 247,000 million dollars, 30% above China's customs.
"""

from __future__ import annotations

import pytest

REFERENCE = "GACC"


def _findings(warehouse, check: str) -> list[dict]:
    return warehouse.rows("select * from marts.rpt_figure_findings where check_name = ? "
                          "order by finding_id", [check])


def _seeds(warehouse, finding: dict) -> tuple[str, str]:
    """(seed of the flagged article, seed of the other article or the reference source)."""
    other = (warehouse.seed_of[finding["other_article_id"]] if finding["other_article_id"]
             else finding["reference_source"])
    return warehouse.seed_of[finding["article_id"]], other


def test_a_2024_level_no_other_source_states_is_a_value_conflict(planted_warehouse):
    levels = [f for f in _findings(planted_warehouse, "value_conflict")
              if f["measure"] == "level"]
    assert len(levels) == 1
    finding = levels[0]
    assert {finding["stated_text"], finding["other_stated_text"]} == {"$245 billion",
                                                                      "$254 billion"}
    assert set(_seeds(planted_warehouse, finding)) == {"000", "001"}
    assert finding["period_year"] == finding["other_period_year"] == 2024
    assert "254" in finding["sentence_text"] + finding["other_sentence_text"]


def test_2024s_value_given_for_2023_is_a_period_conflict(planted_warehouse):
    findings = _findings(planted_warehouse, "period_conflict")
    assert [_seeds(planted_warehouse, f) for f in findings] == [("004", "001")]
    finding = findings[0]
    assert (finding["period_year"], finding["other_period_year"]) == (2023, 2024)
    assert finding["stated_text"] == finding["other_stated_text"] == "$245 billion"


def test_a_growth_rate_ten_times_too_large_contradicts_the_levels(planted_warehouse):
    findings = _findings(planted_warehouse, "growth_level_conflict")
    assert findings
    assert {f["stated_text"] for f in findings} == {"19%"}
    assert {planted_warehouse.seed_of[f["article_id"]] for f in findings} == {"001"}
    # named against the 2023 level of 004 and against the official statistics
    others = {_seeds(planted_warehouse, f)[1] for f in findings}
    assert {"004", REFERENCE} <= others
    group = planted_warehouse.rows(
        "select growth_level_check from marts.fct_figure_consistency "
        "where measure = 'growth' and period_year = 2024 and flow = 'bilateral'")
    assert group == [{"growth_level_check": "conflict"}]
    # and the two articles' rates disagree with each other as written
    rates = [f for f in _findings(planted_warehouse, "value_conflict")
             if f["measure"] == "growth"]
    assert [set(_seeds(planted_warehouse, f)) for f in rates] == [{"000", "001"}]


def test_a_level_30_percent_off_the_reference_is_a_reference_deviation(planted_warehouse):
    findings = {_seeds(planted_warehouse, f): f
                for f in _findings(planted_warehouse, "reference_deviation")}
    finding = findings[("002", REFERENCE)]
    assert finding["period_year"] == 2022
    assert finding["reference_value_usd"] == pytest.approx(190.27e9)
    assert "29.82%" in finding["explanation"]
    # the same deviation fct_trade_figures gives the figure
    stated = planted_warehouse.rows(
        "select reference_deviation_pct from marts.fct_trade_figures where trade_figure_id = ?",
        [finding["trade_figure_id"]])
    assert stated == [{"reference_deviation_pct": 29.82}]


def test_nothing_that_was_not_planted_is_flagged(planted_warehouse):
    flagged = {(f["check_name"], *sorted(_seeds(planted_warehouse, f)))
               if f["check_name"] == "value_conflict"
               else (f["check_name"], planted_warehouse.seed_of[f["article_id"]])
               for f in planted_warehouse.rows("select * from marts.rpt_figure_findings")}
    assert flagged == {
        ("value_conflict", "000", "001"),        # 254 vs 245 bn, and 19% vs 1.9%
        ("period_conflict", "004"),              # 245 bn for 2023
        ("growth_level_conflict", "001"),        # +19%
        ("reference_deviation", "002"),          # 30% above China's customs
        # the planted levels are also off the official figures (by more than
        # their written precision and the reference's revision allowance)
        ("reference_deviation", "000"),          # 254 vs 244.81 bn
        ("reference_deviation", "004"),          # 245 vs 240.11 bn
    }
    # 000's own +1.9% still fits 001's 2024 level against the official 2023 one:
    # a wrong level elsewhere does not make a correct rate wrong
    assert not [f for f in _findings(planted_warehouse, "growth_level_conflict")
                if f["stated_text"] == "1.9 percent"]


def test_consistency_findings_reach_audit_quality_results_as_warnings(planted_warehouse):
    counts = {}
    for f in planted_warehouse.rows("select check_name from marts.rpt_figure_findings"):
        counts[f["check_name"]] = counts.get(f["check_name"], 0) + 1
    tests = {"assert_trade_figures_agree_across_articles": "value_conflict",
             "assert_growth_rates_agree_with_levels": "growth_level_conflict",
             "assert_levels_are_stated_for_their_own_year": "period_conflict",
             "assert_trade_levels_near_reference_statistics": "reference_deviation"}
    results = {r["check_name"]: r for r in planted_warehouse.rows(
        "select * from audit.quality_results where check_source = 'dbt'")}
    for test, check in tests.items():
        row = results[test]
        assert (row["severity"], row["status"]) == ("warn", "fail"), test
        assert row["failing_row_count"] == counts[check], test
        assert row["failing_sample"] and "source_name" in row["failing_sample"]
    errors = [r for r in results.values() if r["severity"] == "error" and r["status"] != "pass"]
    assert errors == []
