"""claimledger.airflow_state: a run's rows read from Airflow's metadata database, and a
failed task's exception found in the run's log by its task instance id."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from claimledger.airflow_state import MetadataReader, failure_of, metadata_url
from tests.conftest import REPO

FAILED_LOG = (REPO / "tests" / "fixtures" / "airflow_task_failed.log").read_text()
DISCOVER_TI = "01a25079-ec7e-722b-adaf-01ec7ebeabe9"  # failed in that log
VERDICT_TI = "01a25079-ec88-7408-ae9e-df406a86658a"  # mark_run_failed, its log cut off


def test_the_failed_tasks_exception_type_and_first_line_come_from_its_traceback():
    failure = failure_of(FAILED_LOG, DISCOVER_TI.replace("-", ""))
    assert failure is not None
    assert failure.exception == "SourceConfigError"
    assert failure.message == "snapshot source 'nope': folder not found: /data/nope"
    assert str(failure) == "SourceConfigError: " + failure.message


def test_a_task_whose_failure_is_not_in_the_log_gets_none():
    assert failure_of(FAILED_LOG, VERDICT_TI) is None
    assert failure_of("", DISCOVER_TI) is None


def test_a_chained_traceback_names_the_exception_that_escaped():
    log = "\n".join([
        "Traceback (most recent call last):", '  File "a.py", line 1, in f', "    g()",
        "KeyError: 'x'", "", "During handling of the above exception, another exception "
        "occurred:", "", "Traceback (most recent call last):", '  File "a.py", line 3, in f',
        "    raise RuntimeError('dbt build failed: 2 models\\nmore')",
        "RuntimeError: dbt build failed: 2 models", "more detail on a second line",
        "2026-01-01T00:00:00Z [info ] Task instance state updated new_state=failed "
        "rows_affected=1 ti_id=00000000-0000-0000-0000-00000000000a"])
    failure = failure_of(log, "0000000000000000000000000000000a")
    assert (failure.exception, failure.message) == ("RuntimeError", "dbt build failed: 2 models")


def test_the_metadata_url_follows_airflow_home_and_is_read_only(tmp_path):
    assert metadata_url({"AIRFLOW_HOME": str(tmp_path)}) == \
        f"sqlite:///file:{tmp_path}/airflow.db?mode=ro&uri=true"
    (tmp_path / "airflow.cfg").write_text("[database]\nsql_alchemy_conn = "
                                          "sqlite:////elsewhere/meta.db\n")
    assert metadata_url({"AIRFLOW_HOME": str(tmp_path)}).startswith(
        "sqlite:///file:/elsewhere/meta.db?mode=ro")
    url = "postgresql+psycopg2://airflow:x@127.0.0.1/airflow"
    assert metadata_url({"AIRFLOW_HOME": str(tmp_path),
                         "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url}) == url


def _metadata_db(path):
    """The dag_run, task_instance and xcom columns the reader uses, as Airflow 3 has them."""
    con = sqlite3.connect(path)
    con.executescript("""
        create table dag_run (id integer not null primary key, dag_id varchar(250),
                              run_id varchar(250), state varchar(50));
        create table task_instance (id char(32) primary key, task_id varchar(250),
                                    dag_id varchar(250), run_id varchar(250), map_index integer,
                                    start_date timestamp, end_date timestamp, state varchar(20));
        create table xcom (dag_run_id integer, task_id varchar(250), map_index integer,
                           key varchar(512), dag_id varchar(250), run_id varchar(250),
                           value json);
    """)
    return con


def test_a_new_run_is_told_by_its_run_id_even_when_sqlite_reuses_the_row_id(tmp_path):
    db = tmp_path / "airflow.db"
    with _metadata_db(db) as con:
        con.execute("insert into dag_run values (1, 'news_daily', 'manual__old', 'success')")
    reader = MetadataReader(metadata_url({"AIRFLOW_HOME": str(tmp_path)}))
    known = reader.run_ids("news_daily")
    assert known == {"manual__old"}
    assert reader.new_run("news_daily", known) is None
    with sqlite3.connect(db) as con:  # dags test deletes the old run of the date: id 1 again
        con.execute("delete from dag_run")
        con.execute("insert into dag_run values (1, 'news_daily', 'manual__new', 'running')")
        con.executemany("insert into task_instance values (?, ?, 'news_daily', 'manual__new', "
                        "?, ?, ?, ?)", [
                            ("a1", "fetch_pages", 0, "2026-03-02 10:00:00.000000",
                             "2026-03-02 10:00:02.500000", "success"),
                            ("a2", "fetch_pages", 1, "2026-03-02 10:00:01.000000", None,
                             "running"),
                        ])
        con.execute("insert into xcom values (1, 'summarize_run', -1, 'return_value', "
                    "'news_daily', 'manual__new', ?)", ['"claimledger run summary"'])
    run = reader.new_run("news_daily", known)
    assert (run.run_id, run.state) == ("manual__new", "running")
    first, second = run.task("fetch_pages")
    assert (first.map_index, first.state, second.state) == (0, "success", "running")
    assert first.start_date == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert first.seconds(first.end_date) == 2.5
    assert reader.return_value("news_daily", "manual__new", "summarize_run") == \
        "claimledger run summary"
    reader.close()


def test_the_reader_cannot_write_to_the_metadata_database(tmp_path):
    _metadata_db(tmp_path / "airflow.db").close()
    reader = MetadataReader(metadata_url({"AIRFLOW_HOME": str(tmp_path)}))
    with pytest.raises(sa.exc.OperationalError, match="readonly"), reader.engine.begin() as con:
        con.execute(sa.text("insert into dag_run values (9, 'x', 'y', 'z')"))
    reader.close()


def test_no_database_yet_means_no_runs(tmp_path):
    reader = MetadataReader(metadata_url({"AIRFLOW_HOME": str(tmp_path)}))
    assert reader.run_ids("news_daily") == set()
    assert reader.new_run("news_daily", set()) is None
    reader.close()
