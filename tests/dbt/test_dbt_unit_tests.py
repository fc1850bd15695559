"""The dbt unit tests of the interval and tolerance logic pass, and can fail.

The project's `unit_tests:` (models/intermediate/*/_int_*__models.yml) check the SQL
on fixed rows; the DAG's build leaves them out (transforms/checks/dbt_build.py
BUILD_ARGS), so `make test` runs them here: one build over the small raw fixture of
test_dbt_build gives dbt the input models' column types, then run_dbt_unit_tests runs
every unit test (~5 s after the build).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.dbt.test_dbt_build import REPO, make_raw_db, raw_frames
from transforms.checks.dbt_build import DbtBuildResult, run_dbt_build, run_dbt_unit_tests

# unit test -> the model it tests
UNIT_TESTS = {
    "int_trade_figures_enriched_round_to_half_the_last_written_digit":
        "int_trade_figures_enriched",
    "int_trade_figures_intervals_span_the_written_precision": "int_trade_figures_intervals",
    "int_growth_rates_compared_allow_a_rate_any_level_pair_allows":
        "int_growth_rates_compared",
    "int_figure_findings_value_conflicts_when_intervals_do_not_meet":
        "int_figure_findings_value_conflicts",
    "int_figure_findings_reference_deviations_beyond_the_allowances":
        "int_figure_findings_reference_deviations",
}
VALUE_CONFLICTS = Path("models") / "intermediate" / "quality" / \
    "int_figure_findings_value_conflicts.sql"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DbtBuildResult]:
    """A raw fixture database after the DAG's build, and that build's result."""
    db = make_raw_db(tmp_path_factory.mktemp("unit-tests") / "claimledger.duckdb",
                     raw_frames())
    result = run_dbt_build(db)
    assert result.success, result.message
    return db, result


def test_the_dags_build_runs_no_unit_test_so_none_reaches_the_quality_results(
        built: tuple[Path, DbtBuildResult]) -> None:
    _, result = built
    assert not [key for key in result.node_counts if key.startswith("unit_test:")]
    assert result.node_counts.get("test:pass", 0) == result.results.height > 90
    assert not set(UNIT_TESTS) & set(result.results["check_name"])


def test_every_unit_test_of_the_interval_and_tolerance_logic_passes(
        built: tuple[Path, DbtBuildResult]) -> None:
    db, _ = built

    outcome = run_dbt_unit_tests(db)

    failing = outcome.results.filter(pl.col("status") != "pass")
    assert outcome.success, (outcome.message, failing.to_dicts())
    assert dict(outcome.results.select("unit_test", "model").iter_rows()) == UNIT_TESTS
    assert failing.is_empty()


def test_a_value_conflict_check_that_flags_touching_intervals_fails_its_unit_test(
        built: tuple[Path, DbtBuildResult], tmp_path: Path) -> None:
    db, _ = built
    project = tmp_path / "dbt_project"
    shutil.copytree(REPO / "dbt_project", project,
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    model = project / VALUE_CONFLICTS
    sql = model.read_text(encoding="utf-8")
    strict = "this.low_value > other.high_value"
    assert sql.count(strict) == 1
    # "$245 billion" (from 244.5) and "$244 billion" (up to 244.5) would conflict
    model.write_text(sql.replace(strict, "this.low_value >= other.high_value"),
                     encoding="utf-8")

    outcome = run_dbt_unit_tests(db, target_dir=tmp_path / "dbt", project_dir=project)

    assert not outcome.success
    failing = outcome.results.filter(pl.col("status") != "pass")
    assert failing["unit_test"].to_list() == [
        "int_figure_findings_value_conflicts_when_intervals_do_not_meet"]
    assert failing["status"].to_list() == ["fail"]
    assert "value_conflict|a-level|b-level" in failing["message"][0]  # the extra row
    assert outcome.results.height == len(UNIT_TESTS)  # the others ran, and passed
