"""dbt's parse is shared between warehouses, and never trusted past a change.

run_dbt_build keeps one target folder per database; a new folder starts from the
parse another folder saved in `<project>/target/parse_cache/`. Each test works on
its own copy of dbt_project/ (so on its own cache) and reads dbt's debug log to
see how the project was parsed; the builds run over the small raw fixture of
test_dbt_build (~5-10 s each).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.dbt.test_dbt_build import REPO, make_raw_db, query, raw_frames
from transforms.checks.dbt_build import DUCKDB_PATH_VAR, run_dbt_build

FULL_PARSE = "Unable to do partial parsing"  # dbt's words for every reason it parses all
NO_CHANGES = "Partial parsing enabled, no changes found, skipping parsing"
PROBED_MODEL = Path("models") / "marts" / "core" / "dim_articles.sql"


def project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    shutil.copytree(REPO / "dbt_project", project,
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return project


def parse_cache(project: Path) -> Path:
    """Where run_dbt_build keeps the shared parse for databases named claimledger.duckdb."""
    from dbt.version import __version__

    return (project / "target" / "parse_cache" / __version__ / "claimledger.duckdb"
            / "partial_parse.msgpack")


def warehouse(tmp_path: Path, name: str) -> Path:
    """A raw fixture database in a folder of its own, under the usual file name."""
    folder = tmp_path / name
    folder.mkdir()
    return make_raw_db(folder / "claimledger.duckdb", raw_frames())


def build_log(db: Path) -> str:
    return (db.parent / "dbt_target" / "logs" / "dbt.log").read_text(encoding="utf-8")


def marts(db: Path) -> dict[str, pl.DataFrame]:
    tables = query(db, "select table_name from duckdb_tables() where schema_name = 'marts'")
    return {name: query(db, f"select * from marts.{name} order by all")
            for name in sorted(tables["table_name"])}


def test_a_new_warehouse_reuses_the_parse_of_another_and_builds_the_same_marts(
        tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    first, second = warehouse(tmp_path, "first"), warehouse(tmp_path, "second")
    working_directory = os.getcwd()

    cold = run_dbt_build(first, project_dir=project)
    assert cold.success, cold.message
    assert "saved manifest not found. Starting full parse" in build_log(first)
    assert parse_cache(project).stat().st_size > 0

    warm = run_dbt_build(second, project_dir=project)

    assert warm.success, warm.message
    log = build_log(second)
    assert NO_CHANGES in log
    assert FULL_PARSE not in log  # e.g. "... because profile has changed" (another path)
    assert os.getcwd() == working_directory
    assert warm.node_counts == cold.node_counts
    assert_frame_equal(warm.results.sort("check_name"), cold.results.sort("check_name"))
    built, rebuilt = marts(first), marts(second)
    assert "dim_articles" in built and set(rebuilt) == set(built)
    for name, table in built.items():
        assert rebuilt[name].equals(table), (name, rebuilt[name], table)


def test_a_model_changed_after_the_shared_parse_is_parsed_and_built_again(
        tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    assert run_dbt_build(warehouse(tmp_path, "before"), project_dir=project).success
    before = parse_cache(project).read_bytes()
    model = project / PROBED_MODEL
    sql = model.read_text(encoding="utf-8")
    end = sql.rindex("select * from final")
    model.write_text(sql[:end] + "select *, 'probe' as parse_cache_probe from final\n",
                     encoding="utf-8")
    changed = warehouse(tmp_path, "changed")

    result = run_dbt_build(changed, project_dir=project)

    assert result.success, result.message
    log = build_log(changed)
    assert "Partial parsing: updated file: claimledger://models/marts/core/dim_articles.sql" \
        in log
    assert FULL_PARSE not in log  # the cache was used, and found stale for one file
    probe = query(changed, "select distinct parse_cache_probe from marts.dim_articles")
    assert probe["parse_cache_probe"].to_list() == ["probe"]
    # the next new warehouse starts from the new parse
    after = parse_cache(project).read_bytes()
    assert after != before and b"parse_cache_probe" in after


def test_a_damaged_parse_cache_costs_a_full_parse_not_the_build(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    db = warehouse(tmp_path, "damaged")
    cached = parse_cache(project)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"\x92half a manifest")  # e.g. a file cut short

    result = run_dbt_build(db, project_dir=project)

    assert result.success, result.message
    assert "Failed to load parsed file from disk" in build_log(db)
    assert cached.stat().st_size > 1000  # replaced by the parse this build made


def test_dbt_runs_from_the_database_folder_and_goes_back_when_it_raises(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dbt.cli.main import dbtRunner

    db = tmp_path / "db" / "claimledger.duckdb"
    db.parent.mkdir()
    duckdb.connect(str(db)).close()
    seen: dict[str, str | None] = {}

    def invoke(self: dbtRunner, args: list[str]) -> None:
        seen["cwd"], seen["path"] = os.getcwd(), os.environ.get(DUCKDB_PATH_VAR)
        raise RuntimeError("dbt blew up")

    monkeypatch.setattr(dbtRunner, "invoke", invoke)
    monkeypatch.delenv(DUCKDB_PATH_VAR, raising=False)
    working_directory = os.getcwd()

    with pytest.raises(RuntimeError, match="dbt blew up"):
        run_dbt_build(db, target_dir=tmp_path / "dbt")

    # the profile sees the same relative path for every warehouse
    assert seen == {"cwd": str(db.parent), "path": "claimledger.duckdb"}
    assert os.getcwd() == working_directory
    assert DUCKDB_PATH_VAR not in os.environ

