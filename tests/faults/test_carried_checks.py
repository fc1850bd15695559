"""A run whose marts' inputs are unchanged carries the last passing run's check results.

From the reference day's loaded warehouse: a first run builds the marts and runs the checks;
a second over the same rows runs neither dbt nor Great Expectations and carries the first
run's results, naming it; after one raw row changes, a third builds and checks again.
"""

from __future__ import annotations

import shutil
from contextlib import closing

import duckdb
import pytest

from tests.faults.conftest import INGEST_DATE, env_for
from tests.faults.pipeline import run_after_load
from transforms.checks import unchanged_inputs as unchanged
from transforms.kernel.settings import Settings
from transforms.reports.run_report import write_run_report


def _quality(settings: Settings, run_id: str) -> list[tuple]:
    with closing(duckdb.connect(str(settings.build_db), read_only=True)) as con:
        return con.execute(
            "select check_source, check_name, severity, status, failing_row_count, message "
            "from audit.quality_results where run_id = ? order by all", [run_id]).fetchall()


def _marts(settings: Settings) -> dict:
    with closing(duckdb.connect(str(settings.build_db), read_only=True)) as con:
        return {t: con.execute(f"select count(*), sum(hash(m)::hugeint) from {t} as m").fetchone()
                for t in ("marts.dim_articles", "marts.fct_figures", "marts.fct_claims")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, corpus, reference) -> dict:
    warehouse = tmp_path_factory.mktemp("carried") / "warehouse"
    shutil.copytree(reference["warehouse"], warehouse)
    settings = Settings.from_env(env_for(corpus, warehouse))
    run_results = warehouse / "build" / "dbt_target" / "run_results.json"
    run_after_load(settings, INGEST_DATE, "day-one")
    built_at = run_results.stat().st_mtime_ns
    marts = _marts(settings)
    run_after_load(settings, INGEST_DATE, "day-two")
    state = {"settings": settings, "marts": (marts, _marts(settings)),
             "dbt_ran_on_day_two": run_results.stat().st_mtime_ns != built_at,
             "summary": write_run_report(settings, "day-two", INGEST_DATE)[0]}
    with closing(duckdb.connect(str(settings.build_db))) as con:
        con.execute("update raw.articles set title = title || ' (updated)' "
                    "where article_id = (select min(article_id) from raw.articles)")
    run_after_load(settings, INGEST_DATE, "day-three")
    state["dbt_ran_on_day_three"] = run_results.stat().st_mtime_ns != built_at
    return state


def test_unchanged_inputs_carry_every_result_of_the_last_passing_run(runs):
    settings = runs["settings"]
    first, second = _quality(settings, "day-one"), _quality(settings, "day-two")
    assert not runs["dbt_ran_on_day_two"]
    assert {row[0] for row in first} == {"dbt", "great_expectations"}
    assert [row[:5] for row in second] == [row[:5] for row in first]
    assert all(row[5].startswith("carried from run day-one: ") for row in second)
    assert runs["marts"][0] == runs["marts"][1]
    assert "dbt build not run: the marts' inputs are unchanged since run day-one" \
        in runs["summary"]
    assert "Great Expectations not run" in runs["summary"]


def test_a_changed_raw_row_builds_and_checks_again(runs):
    settings = runs["settings"]
    third = _quality(settings, "day-three")
    assert runs["dbt_ran_on_day_three"]
    assert {row[0] for row in third} == {"dbt", "great_expectations"}
    assert not any(row[5].startswith(unchanged.CARRIED_PREFIX) for row in third)
    assert unchanged.vouched(settings, unchanged.BUILD_STEP).run_id == "day-three"
    assert unchanged.vouched(settings, unchanged.CHECKS_STEP).run_id == "day-three"


def test_a_step_that_starts_to_write_withdraws_its_vouch_first(tmp_path):
    settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path)})
    unchanged.vouch(settings, unchanged.BUILD_STEP, "f" * 64, "run-a")
    unchanged.vouch(settings, unchanged.CHECKS_STEP, "g" * 64, "run-a")
    assert unchanged.vouched(settings, unchanged.BUILD_STEP) == unchanged.Vouch("f" * 64, "run-a")
    unchanged.withdraw(settings, unchanged.BUILD_STEP, unchanged.CHECKS_STEP)
    assert unchanged.vouched(settings, unchanged.BUILD_STEP) is None
    assert unchanged.vouched(settings, unchanged.CHECKS_STEP) is None
    unchanged.vouch_file(settings, unchanged.BUILD_STEP).write_text("{not json")
    assert unchanged.vouched(settings, unchanged.BUILD_STEP) is None  # unreadable: builds
