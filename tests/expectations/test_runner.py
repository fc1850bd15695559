"""The GX runner over hand-written marts in a temporary DuckDB file.

One validation costs ~1 s once great_expectations is imported (~7 s, paid once per
test session), so each scenario runs the checks once (module fixtures) and the
tests read its outcome.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from expectations.runner import read_marts, run_quality_checks
from expectations.suites import MART_KEYS, SUITE_BUILDERS, check_name, suite_columns

INGEST_DATE = dt.date(2024, 5, 2)

MART_DDL = {
    "dim_articles": """
        article_id varchar, url varchar, canonical_url varchar, source_name varchar,
        site_name varchar, title varchar, author varchar, published_date date,
        language varchar, ingest_date date, paragraph_count integer,
        kept_paragraph_count integer, sentence_count integer, figure_count integer,
        duplicate_paragraph_ratio double, duplicate_char_ratio double,
        removed_char_ratio double, boilerplate_line_count integer,
        broken_word_count integer, short_line_ratio double,
        foreign_paragraph_count integer, story_cluster_id varchar,
        near_duplicate_of varchar, near_duplicate_similarity double,
        is_near_duplicate boolean, extractor_version varchar""",
    "fct_figures": """
        figure_id varchar, article_id varchar, sentence_id varchar, raw_text varchar,
        span_start integer, span_end integer, value double, unit varchar,
        currency varchar, scale varchar, value_usd double, is_approximate boolean,
        direction varchar, quantity_kind varchar, sentence_text varchar""",
    "fct_trade_figures": """
        trade_figure_id varchar, article_id varchar, sentence_id varchar, flow varchar,
        reporter varchar, partner varchar, commodity varchar, period_year integer,
        value_usd double, growth_pct double, is_forecast boolean, attributed_to varchar,
        evidence_text varchar, corroborating_article_count integer, published_date date,
        source_name varchar""",
    "fct_claims": """
        claim_id varchar, article_id varchar, sentence_id varchar, claim_text varchar,
        claim_type varchar, speaker varchar, speaker_role varchar, speaker_org varchar,
        attribution_text varchar, hedge varchar, figure_count integer,
        corroborating_article_count integer""",
}


def _article(article_id: str, title: str, published: dt.date) -> dict:
    return {
        "article_id": article_id,
        "url": f"https://news.example/{article_id}",
        "canonical_url": f"https://news.example/{article_id}",
        "source_name": "example",
        "site_name": "Example News",
        "title": title,
        "author": "A. Writer",
        "published_date": published,
        "language": "en",
        "ingest_date": INGEST_DATE,
        "paragraph_count": 12,
        "kept_paragraph_count": 9,
        "sentence_count": 20,
        "figure_count": 3,
        "duplicate_paragraph_ratio": 0.0,
        "duplicate_char_ratio": 0.0,
        "removed_char_ratio": 0.18,
        "boilerplate_line_count": 2,
        "broken_word_count": 0,
        "short_line_ratio": 0.1,
        "foreign_paragraph_count": 0,
        "story_cluster_id": "c1",
        "near_duplicate_of": None,
        "near_duplicate_similarity": None,
        "is_near_duplicate": False,
        "extractor_version": "2.3.1",
    }


SENTENCE = "China's exports to Vietnam rose 12.5% to $245 billion in 2023, customs said."

GOOD_ROWS = {
    "dim_articles": [
        _article("a1", "China's exports to Vietnam hit a record", dt.date(2024, 5, 1)),
        _article("a2", "EU imports of US gas climb again", dt.date(2024, 4, 30)),
        _article("a3", "Brazil soy shipments to Asia slow", dt.date(2024, 5, 2)),
    ],
    "fct_figures": [
        {
            "figure_id": "a1-s1-f32",
            "article_id": "a1",
            "sentence_id": "a1-s1",
            "raw_text": "12.5%",
            "span_start": 32,
            "span_end": 37,
            "value": 12.5,
            "unit": "percent",
            "currency": None,
            "scale": None,
            "value_usd": None,
            "is_approximate": False,
            "direction": "up",
            "quantity_kind": "percent",
            "sentence_text": SENTENCE,
        },
        {
            "figure_id": "a1-s1-f41",
            "article_id": "a1",
            "sentence_id": "a1-s1",
            "raw_text": "$245 billion",
            "span_start": 41,
            "span_end": 53,
            "value": 245.0,
            "unit": "USD",
            "currency": "USD",
            "scale": "billion",
            "value_usd": 2.45e11,
            "is_approximate": False,
            "direction": None,
            "quantity_kind": "money",
            "sentence_text": SENTENCE,
        },
        {
            "figure_id": "a2-s4-f10",
            "article_id": "a2",
            "sentence_id": "a2-s4",
            "raw_text": "about $3 billion",
            "span_start": 10,
            "span_end": 26,
            "value": 3.0,
            "unit": "USD",
            "currency": "USD",
            "scale": "billion",
            "value_usd": 3e9,
            "is_approximate": True,
            "direction": None,
            "quantity_kind": "money",
            "sentence_text": "Imports of about $3 billion of US gas arrived in March.",
        },
    ],
    "fct_trade_figures": [
        {
            "trade_figure_id": "tf-1",
            "article_id": "a1",
            "sentence_id": "a1-s1",
            "flow": "export",
            "reporter": "CHN",
            "partner": "VNM",
            "commodity": "all",
            "period_year": 2023,
            "value_usd": 2.45e11,
            "growth_pct": 12.5,
            "is_forecast": False,
            "attributed_to": "customs",
            "evidence_text": SENTENCE,
            "corroborating_article_count": 0,
            "published_date": dt.date(2024, 5, 1),
            "source_name": "example",
        },
        {
            "trade_figure_id": "tf-2",
            "article_id": "a2",
            "sentence_id": "a2-s4",
            "flow": "import",
            "reporter": "EUN",
            "partner": "USA",
            "commodity": "gas",
            "period_year": 2024,
            "value_usd": 3e9,
            "growth_pct": 3.0,
            "is_forecast": False,
            "attributed_to": None,
            "evidence_text": "Imports of about $3 billion of US gas arrived in March.",
            "corroborating_article_count": 0,
            "published_date": dt.date(2024, 4, 30),
            "source_name": "example",
        },
        {
            "trade_figure_id": "tf-3",
            "article_id": "a3",
            "sentence_id": "a3-s2",
            "flow": "export",
            "reporter": "BRA",
            "partner": "ASIA",
            "commodity": "soybeans",
            "period_year": 2026,
            "value_usd": None,
            "growth_pct": -4.0,
            "is_forecast": True,
            "attributed_to": "Abiove",
            "evidence_text": "Soy shipments to Asia are forecast to fall 4% in 2026, Abiove said.",
            "corroborating_article_count": 1,
            "published_date": dt.date(2024, 5, 2),
            "source_name": "example",
        },
    ],
    "fct_claims": [
        {
            "claim_id": "cl-1",
            "article_id": "a1",
            "sentence_id": "a1-s1",
            "claim_text": SENTENCE,
            "claim_type": "statistic",
            "speaker": "customs",
            "speaker_role": None,
            "speaker_org": "General Administration of Customs",
            "attribution_text": "customs said",
            "hedge": None,
            "figure_count": 2,
            "corroborating_article_count": 1,
        },
        {
            "claim_id": "cl-2",
            "article_id": "a3",
            "sentence_id": "a3-s2",
            "claim_text": "Soy shipments to Asia are forecast to fall 4% in 2026, Abiove said.",
            "claim_type": "forecast",
            "speaker": "Abiove",
            "speaker_role": None,
            "speaker_org": "Abiove",
            "attribution_text": "Abiove said",
            "hedge": "forecast",
            "figure_count": 1,
            "corroborating_article_count": 0,
        },
    ],
}


def make_warehouse(path: Path, rows: dict[str, list[dict]]) -> Path:
    """A DuckDB file with schema marts holding the given rows (marts absent from rows are
    not created)."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        for mart, mart_rows in rows.items():
            con.execute(f"create table marts.{mart} ({MART_DDL[mart]})")
            columns = [c.split()[0] for c in " ".join(MART_DDL[mart].split()).split(", ")]
            if not mart_rows:
                continue
            con.executemany(
                f"insert into marts.{mart} ({', '.join(columns)}) "
                f"values ({', '.join('?' for _ in columns)})",
                [[row[c] for c in columns] for row in mart_rows],
            )
    finally:
        con.close()
    return path


def good_rows() -> dict[str, list[dict]]:
    return copy.deepcopy(GOOD_ROWS)


def run(tmp_path: Path, rows: dict[str, list[dict]]):
    tmp_path.mkdir(parents=True, exist_ok=True)
    db = make_warehouse(tmp_path / "claimledger.duckdb", rows)
    return db, run_quality_checks(
        db,
        run_id="manual__2024-05-02T06:00:00+00:00",
        ingest_date=INGEST_DATE,
        docs_dir=tmp_path / "docs",
    )


def result(outcome, name: str) -> dict:
    matches = outcome.results.filter(pl.col("check_name") == name).to_dicts()
    assert len(matches) == 1, f"{name} not among {outcome.results['check_name'].to_list()}"
    return matches[0]


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    return run(tmp_path_factory.mktemp("good"), good_rows())


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    rows = good_rows()
    rows["fct_trade_figures"][0]["growth_pct"] = 5000.0  # tf-1: a level read as a rate
    rows["fct_trade_figures"][2]["value_usd"] = -5.0  # tf-3: a negative trade level
    rows["fct_figures"][1]["span_end"] = 41  # a1-s1-f41: empty span
    rows["fct_trade_figures"][1]["period_year"] = 2060  # tf-2: 36 years after publication
    overlapping = {**rows["fct_figures"][2], "figure_id": "a2-s4-f11", "span_start": 11}
    rows["fct_figures"].append(overlapping)  # '$3 billion' inside 'about $3 billion'
    return run(tmp_path_factory.mktemp("bad"), rows)


def test_runner_passes_plausible_marts_with_one_row_per_check(good_run):
    _, outcome = good_run
    failed = outcome.results.filter(pl.col("status") == "fail")
    assert failed.is_empty(), failed.to_dicts()
    assert outcome.verdict == "pass"
    expected = sum(len(build().expectations) for build in SUITE_BUILDERS.values())
    assert outcome.results.height == expected
    assert outcome.results["check_source"].unique().to_list() == ["great_expectations"]
    assert set(outcome.results["severity"]) <= {"error", "warn"}
    assert outcome.results.columns == [
        "check_name",
        "check_source",
        "severity",
        "status",
        "failing_row_count",
        "failing_sample",
        "message",
    ]


def test_runner_writes_data_docs_index_that_shows_each_suite_and_its_results(good_run):
    _, outcome = good_run
    assert outcome.docs_index is not None and outcome.docs_index.is_file()
    html = outcome.docs_index.read_text(encoding="utf-8")
    for suite in SUITE_BUILDERS:
        assert suite in html
    # The index links this run's validation pages, not only the suites' definitions.
    pages = list(outcome.docs_index.parent.glob("validations/fct_trade_figures/**/*.html"))
    assert pages
    assert str(pages[0].relative_to(outcome.docs_index.parent)) in html
    assert "2024-05-02__manual__2024-05-02T06_00_00_00_00" in html


def test_runner_leaves_the_database_unlocked_and_unchanged(good_run):
    db, _ = good_run
    con = duckdb.connect(str(db))  # read-write: fails if a connection were still open
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()
    finally:
        con.close()
    assert tables == [("marts", mart) for mart in sorted(MART_DDL)]


def test_runner_fails_growth_rate_of_5000_pct_naming_the_trade_figure(bad_run):
    _, outcome = bad_run
    row = result(outcome, "gx.fct_trade_figures.expect_column_values_to_be_between.growth_pct")
    assert (row["status"], row["severity"], row["failing_row_count"]) == ("fail", "error", 1)
    assert row["failing_sample"] == "tf-1"
    assert outcome.verdict == "fail"


def test_runner_fails_negative_trade_value_naming_the_trade_figure(bad_run):
    _, outcome = bad_run
    row = result(outcome, "gx.fct_trade_figures.expect_column_values_to_be_between.value_usd")
    assert (row["status"], row["failing_row_count"], row["failing_sample"]) == ("fail", 1, "tf-3")
    assert "[1000000.0, 100000000000000.0]" in row["message"]


def test_runner_fails_empty_span_and_period_far_after_publication(bad_run):
    _, outcome = bad_run
    span = result(
        outcome,
        "gx.fct_figures.expect_column_pair_values_a_to_be_greater_than_b.span_end+span_start",
    )
    assert (span["status"], span["failing_sample"]) == ("fail", "a1-s1-f41")
    period = result(
        outcome,
        "gx.fct_trade_figures.expect_column_pair_values_a_to_be_greater_than_b."
        "latest_plausible_period_year+period_year",
    )
    assert (period["status"], period["failing_sample"]) == ("fail", "tf-2")


def test_runner_warns_on_overlapping_figure_spans_naming_both(bad_run):
    _, outcome = bad_run
    row = result(
        outcome,
        "gx.fct_figures.expect_compound_columns_to_be_unique.article_id+sentence_id+span_end",
    )
    assert (row["status"], row["severity"], row["failing_row_count"]) == ("fail", "warn", 2)
    assert row["failing_sample"] == "a2-s4-f10, a2-s4-f11"


def test_runner_leaves_untouched_checks_passing_when_others_fail(bad_run):
    _, outcome = bad_run
    failed = set(outcome.results.filter(pl.col("status") == "fail")["check_name"])
    assert failed == {
        "gx.fct_trade_figures.expect_column_values_to_be_between.growth_pct",
        "gx.fct_trade_figures.expect_column_values_to_be_between.value_usd",
        "gx.fct_figures.expect_compound_columns_to_be_unique.article_id+sentence_id+span_end",
        "gx.fct_figures.expect_column_pair_values_a_to_be_greater_than_b.span_end+span_start",
        "gx.fct_trade_figures.expect_column_pair_values_a_to_be_greater_than_b."
        "latest_plausible_period_year+period_year",
        # tf-2 (2060) is also a result after its publication year
        "gx.fct_trade_figures.expect_column_pair_values_a_to_be_greater_than_b."
        "latest_result_period_year+period_year",
    }


def test_runner_warns_on_a_result_after_its_publication_year_but_not_a_forecast(bad_run):
    _, outcome = bad_run
    row = result(
        outcome,
        "gx.fct_trade_figures.expect_column_pair_values_a_to_be_greater_than_b."
        "latest_result_period_year+period_year",
    )
    # tf-2 states 2060 as a result; tf-3's 2026 (published 2024) is a forecast
    assert (row["status"], row["severity"], row["failing_sample"]) == ("fail", "warn", "tf-2")


def test_runner_gives_warn_verdict_when_only_mean_noise_is_too_high(tmp_path):
    rows = good_rows()
    for article in rows["dim_articles"]:
        article["removed_char_ratio"] = 0.8  # in [0, 1] but a mean far above the ceiling
    _, outcome = run(tmp_path, rows)
    row = result(outcome, "gx.dim_articles.expect_column_mean_to_be_between.removed_char_ratio")
    assert (row["status"], row["severity"], row["failing_sample"]) == ("fail", "warn", None)
    assert "observed 0.8" in row["message"]
    assert outcome.verdict == "warn"
    assert set(outcome.results.filter(pl.col("status") == "fail")["severity"]) == {"warn"}


def test_runner_reports_missing_marts_as_errors_without_knock_on_failures(tmp_path):
    rows = good_rows()
    del rows["fct_claims"], rows["dim_articles"]
    _, outcome = run(tmp_path, rows)
    failed = outcome.results.filter(pl.col("status") == "fail")
    assert failed.select("check_name", "severity").rows() == [
        ("gx.dim_articles.mart_exists", "error"),
        ("gx.fct_claims.mart_exists", "error"),
    ]
    assert outcome.verdict == "fail"
    assert not outcome.results["check_name"].str.starts_with("gx.fct_claims.expect").any()
    # The other marts were still validated and rendered.
    assert result(outcome, "gx.fct_trade_figures.expect_column_values_to_be_between.value_usd"
                  )["status"] == "pass"
    assert "fct_figures" in outcome.docs_index.read_text(encoding="utf-8")


def test_runner_reports_a_suite_that_cannot_run_and_validates_the_rest(tmp_path, monkeypatch):
    import expectations.runner as runner

    # Without its suite parameters GX cannot resolve $PARAMETER bounds and raises.
    monkeypatch.setattr(runner, "run_parameters", lambda count, thresholds: {})
    _, outcome = run(tmp_path, good_rows())
    failed = outcome.results.filter(pl.col("status") == "fail")
    assert failed["check_name"].to_list() == [
        "gx.fct_claims.suite_ran",
        "gx.fct_figures.suite_ran",
        "gx.fct_trade_figures.suite_ran",
    ]
    assert "SuiteParameterError" in failed["message"][0]
    assert outcome.results["check_name"].str.starts_with("gx.dim_articles.expect").sum() > 5


def test_a_day_with_articles_but_no_trade_news_passes_its_trade_suite(tmp_path):
    """Most days of a general feed carry no trade figure: zero trade rows is no error
    (the relative check is dbt's assert_trade_candidates_yield_statements)."""
    rows = good_rows()
    rows["fct_trade_figures"] = []
    _, outcome = run(tmp_path / "with", rows)
    trade = outcome.results.filter(pl.col("check_name").str.starts_with("gx.fct_trade_figures."))
    assert trade.height > 5
    # (aggregates over no rows, the median growth and forecast share, warn: nothing observed)
    assert trade.filter((pl.col("status") == "fail") & (pl.col("severity") == "error")).is_empty()
    assert outcome.verdict != "fail"
    names = outcome.results["check_name"]
    assert not names.str.contains("fct_trade_figures.expect_table_row").any()

    empty = {mart: [] for mart in MART_DDL}
    _, without = run(tmp_path / "empty", empty)
    assert (
        result(without, "gx.dim_articles.expect_table_row_count_to_be_between")["status"] == "fail"
    )


def test_check_names_are_unique_and_every_expectation_says_why():
    for mart, build in SUITE_BUILDERS.items():
        suite = build()
        assert suite.name == mart
        names = [
            check_name(mart, e.expectation_type, e.configuration.kwargs, e.meta)
            for e in suite.expectations
        ]
        assert len(names) == len(set(names)), names
        for expectation in suite.expectations:
            assert expectation.meta["severity"] in {"error", "warn"}
            assert len(expectation.meta["why"]) > 20


def test_thresholds_are_numbers_not_yaml_strings():
    # PyYAML reads `1e6` as the string "1e6"; a string bound would break the suites.
    from expectations.suites import load_thresholds

    trade = load_thresholds()["fct_trade_figures"]
    assert isinstance(trade["value_usd"]["min"], float)
    assert trade["value_usd"]["min"] < trade["value_usd"]["max"]


def test_marts_are_read_with_only_the_columns_their_suites_check(good_run):
    # The unchecked text columns (sentence_text, url, ...) never reach pandas; the ones
    # a row condition reads (quantity_kind) and the failing-row keys do.
    db, _ = good_run
    frames = read_marts(db, columns={m: suite_columns(m) for m in MART_KEYS})
    assert "sentence_text" not in frames["fct_figures"].columns
    assert {"quantity_kind", "value", "figure_id"} <= set(frames["fct_figures"].columns)
    assert "url" not in frames["dim_articles"].columns
    assert set(frames["fct_trade_figures"].columns) >= {"published_date", "is_forecast"}


def test_a_checked_column_missing_from_a_mart_is_reported_not_a_read_error(tmp_path):
    rows = good_rows()
    db = make_warehouse(tmp_path / "claimledger.duckdb", rows)
    con = duckdb.connect(str(db))
    con.execute("alter table marts.fct_claims drop column speaker")
    con.close()
    outcome = run_quality_checks(db, run_id="manual__x", ingest_date=INGEST_DATE,
                                 docs_dir=tmp_path / "docs")
    speaker_checks = outcome.results.filter(
        pl.col("check_name").str.contains("fct_claims") & pl.col("check_name").str.contains(
            "speaker"))
    assert speaker_checks.height >= 1
    assert set(speaker_checks["status"].to_list()) != {"pass"}
    assert result(outcome, "gx.fct_figures.expect_column_values_to_be_between.value")[
        "status"] == "pass"


def test_a_day_without_trade_rows_skips_the_trade_aggregates_and_passes(tmp_path):
    rows = good_rows()
    rows["fct_trade_figures"] = []
    _, outcome = run(tmp_path, rows)
    trade = outcome.results.filter(pl.col("check_name").str.starts_with("gx.fct_trade_figures."))
    aggregates = trade.filter(pl.col("check_name").str.contains("_mean_|_median_"))
    assert aggregates.height >= 2
    assert set(aggregates["status"]) == {"skipped"}
    assert all("no non-null values" in m for m in aggregates["message"])
    assert trade.filter(pl.col("status") == "fail").is_empty(), trade.to_dicts()
    assert outcome.verdict == "pass"
