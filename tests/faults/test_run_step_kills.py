"""After the load: SIGKILL inside build_marts, check_quality and publish_warehouse, a
truncated staging Parquet file, a corrupted published DuckDB file and a really full disk.

Each case starts from a warehouse that has loaded, checked and published the day once
(`published`). Each must end with a clear error, leave the last good published
warehouse served and intact, and a rerun must rebuild the same warehouse: the same raw
and mart contents in the build database and in the newly served file.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import subprocess
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from tests.faults.conftest import INGEST_DATE, env_for
from tests.faults.pipeline import run_after_load, run_pipeline
from tests.faults.test_stage_kills import run_killed
from tests.faults.warehouse_state import checksum, snapshot
from transforms.checks import unchanged_inputs as unchanged
from transforms.kernel.settings import Settings
from transforms.pipeline import stages
from transforms.publish.versions import Layout, PublishError, current_version, rollback
from transforms.warehouse.run_lock import is_stale, lease_holder, release_run

MARTS = ("marts.dim_articles", "marts.fct_figures", "marts.fct_trade_figures",
         "marts.fct_claims", "marts.rpt_rejected_rows")


def _state(db: Path) -> dict:
    """Raw tables (snapshot) and marts (rows, checksum) of one DuckDB file."""
    state = snapshot(db)
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        state["marts"] = {t: checksum(con, t) for t in MARTS}
    return state


@pytest.fixture(scope="module")
def published(tmp_path_factory, corpus, reference) -> dict:
    """The reference day, built, checked and published once; its build and served states."""
    warehouse = tmp_path_factory.mktemp("published") / "warehouse"
    shutil.copytree(reference["warehouse"], warehouse)
    settings = Settings.from_env(env_for(corpus, warehouse))
    served = Path(run_after_load(settings, INGEST_DATE, "clean-run"))
    return {"warehouse": warehouse, "build": _state(settings.build_db),
            "served": _state(served), "version": current_version(Layout.of(settings))}


def _copy(published: dict, corpus: Path, target: Path) -> Settings:
    """A copy of the published warehouse whose marts and checks are not vouched for: over
    the same inputs, build_marts and check_quality would carry the clean run's results and
    never reach the write a kill is set in (transforms/checks/unchanged_inputs.py)."""
    shutil.copytree(published["warehouse"], target, symlinks=True)
    settings = Settings.from_env(env_for(corpus, target))
    unchanged.withdraw(settings, unchanged.BUILD_STEP, unchanged.CHECKS_STEP)
    return settings


def _assert_served_is(settings: Settings, published: dict, version: str | None) -> None:
    layout = Layout.of(settings)
    assert current_version(layout) == version
    served = _state(layout.served_db)
    assert served["problems"] == []
    assert served["tables"] == published["served"]["tables"]
    assert served["marts"] == published["served"]["marts"]


def _assert_rebuilt(settings: Settings, published: dict) -> None:
    """The build database and the newly served file hold what the clean run built."""
    build = _state(settings.build_db)
    assert build["problems"] == []
    assert build["tables"] == published["build"]["tables"]
    assert build["marts"] == published["build"]["marts"]
    layout = Layout.of(settings)
    assert current_version(layout) != published["version"]  # a new version is served
    served = _state(layout.served_db)
    assert served["tables"] == published["served"]["tables"]
    assert served["marts"] == published["served"]["marts"]
    assert not list(layout.versions.glob("*.tmp")), "a half-copied version outlived the rerun"
    assert lease_holder(settings) is None


@pytest.mark.parametrize("task", ["build_marts", "check_quality", "publish_warehouse"])
def test_sigkill_inside_a_run_level_task_keeps_the_served_version_and_the_rerun_rebuilds(
        tmp_path, corpus, published, task):
    settings = _copy(published, corpus, tmp_path / "warehouse")
    env = env_for(corpus, settings.warehouse_dir)

    code, log = run_killed(env, f"{task}:during_write", tmp_path / "killed.log",
                           "killed-run", "after-load")
    assert code == -9, log[-3000:]  # it really died of SIGKILL, inside the task
    _assert_served_is(settings, published, published["version"])
    holder = lease_holder(settings)
    assert holder["run_id"] == "killed-run" and is_stale(holder)  # the next run may take it

    run_after_load(settings, INGEST_DATE, "rerun")
    _assert_rebuilt(settings, published)


def test_a_truncated_staging_parquet_file_fails_the_load_by_name_and_the_rerun_recovers(
        tmp_path, corpus, published):
    settings = _copy(published, corpus, tmp_path / "warehouse")
    batches = stages.plan_batches(settings, INGEST_DATE, "truncated-run")
    for batch in batches:
        stages.fetch_batch(settings, batch, INGEST_DATE)
        stages.extract_batch(batch)
        stages.clean_batch(batch)
        stages.figures_batch(batch)
    staged = Path(batches[0]) / "sentences.parquet"
    staged.write_bytes(staged.read_bytes()[: staged.stat().st_size // 2])
    try:
        with pytest.raises(Exception, match=r"sentences\.parquet") as failure:
            stages.load_batches(settings, INGEST_DATE, "truncated-run", batches)
    finally:
        release_run(settings, "truncated-run")
    assert "Traceback" not in str(failure.value)
    # Nothing of the failed load reached the build database or the served file.
    assert snapshot(settings.build_db)["tables"] == published["build"]["tables"]
    _assert_served_is(settings, published, published["version"])

    run_pipeline(settings, INGEST_DATE, "rerun")
    run_after_load(settings, INGEST_DATE, "rerun")
    _assert_rebuilt(settings, published)


def _corrupt(path: Path) -> None:
    """Overwrite the middle of a DuckDB file with garbage, as a bad disk block would."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 65536] = b"\xde\xad\xbe\xef" * 16384
    path.write_bytes(bytes(data))


def test_a_corrupted_published_file_is_refused_by_rollback_and_replaced_by_the_rerun(
        tmp_path, corpus, published):
    settings = _copy(published, corpus, tmp_path / "warehouse")
    layout = Layout.of(settings)
    run_after_load(settings, INGEST_DATE, "second-run")  # now two versions: clean, second
    second = current_version(layout)
    _corrupt(layout.version_db(published["version"]))
    with pytest.raises(PublishError, match=published["version"]):
        rollback(settings)  # going back to a damaged version is refused, clearly
    assert current_version(layout) == second

    _corrupt(layout.version_db(second))  # and now the served file itself is damaged
    run_after_load(settings, INGEST_DATE, "rerun")
    _assert_rebuilt(settings, published)


@contextlib.contextmanager
def _small_disk(folder: Path, size_bytes: int):
    folder.mkdir(parents=True)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs",
                            str(folder)], capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mount.stderr.strip()}): the full "
                    "disk case needs root and mount rights")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def test_a_really_full_disk_fails_the_run_clearly_and_the_rerun_recovers(
        tmp_path, corpus, published):
    needed = _folder_bytes(published["warehouse"])
    with _small_disk(tmp_path / "disk", needed * 3 + (32 << 20)) as disk:
        settings = _copy(published, corpus, disk / "warehouse")
        filler = disk / "filler"
        with filler.open("wb") as handle, contextlib.suppress(OSError):
            while True:  # every byte the disk has left
                handle.write(b"\0" * (1 << 20))
                handle.flush()
        with pytest.raises(Exception) as failure:
            run_pipeline(settings, INGEST_DATE, "full-disk-run")
            run_after_load(settings, INGEST_DATE, "full-disk-run")
        release_run(settings, "full-disk-run")
        assert _is_disk_full(failure.value), repr(failure.value)
        _assert_served_is(settings, published, published["version"])

        filler.unlink()
        run_pipeline(settings, INGEST_DATE, "rerun")
        run_after_load(settings, INGEST_DATE, "rerun")
        _assert_rebuilt(settings, published)


def _is_disk_full(error: BaseException) -> bool:
    while error is not None:
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            return True
        if "No space left on device" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False
