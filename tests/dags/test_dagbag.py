"""The DAG file parses with no import errors, imports nothing heavy (so it parses fast),
and is wired as documented."""

import subprocess
import sys
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from tests.conftest import REPO
from transforms.kernel.settings import Settings

DAG_FILE = REPO / "dags" / "news_daily.py"


def test_dag_file_imports_nothing_heavy_at_parse_time():
    # A fresh interpreter: parse the DAG file, then list heavy modules it pulled in.
    probe = (
        f"import runpy, sys; runpy.run_path({str(DAG_FILE)!r}); "
        "heavy = [m for m in ('polars', 'duckdb', 'trafilatura', 'great_expectations', "
        "'dbt', 'transforms') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip().splitlines()[-1:] in ([""], []), out.stdout


def test_dagbag_has_news_daily_without_import_errors(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAG_FILE.parent))
    assert bag.import_errors == {}
    dag = bag.dags.get("news_daily")
    assert dag is not None
    assert dag.catchup is False
    assert dag.tags and dag.doc_md
    assert dag.start_date.tzinfo is not None
    writers = {t.task_id for t in dag.tasks if t.pool == "duckdb_writer"}
    assert writers == {"load_warehouse", "build_marts", "check_quality", "publish_warehouse"}
    order = ["discover_pages", "fetch_pages", "extract_articles", "clean_paragraphs",
             "find_figures", "load_warehouse", "build_marts", "check_quality",
             "publish_warehouse", "summarize_run"]
    for upstream, downstream in pairwise(order):
        assert downstream in dag.get_task(upstream).downstream_task_ids


def test_every_task_has_the_execution_timeout_of_the_setting(tmp_path: Path, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    monkeypatch.setenv("CLAIMLEDGER_TASK_TIMEOUT_MINUTES", "7")
    dag = DagBag(dag_folder=str(DAG_FILE.parent)).dags["news_daily"]
    assert {t.task_id: t.execution_timeout for t in dag.tasks} == {
        t.task_id: timedelta(minutes=7) for t in dag.tasks}
    assert Settings.from_env({"CLAIMLEDGER_TASK_TIMEOUT_MINUTES": "7"}).task_timeout_minutes == 7


def test_the_dag_and_settings_share_the_task_timeout_default(tmp_path: Path, monkeypatch):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    monkeypatch.delenv("CLAIMLEDGER_TASK_TIMEOUT_MINUTES", raising=False)
    dag = DagBag(dag_folder=str(DAG_FILE.parent)).dags["news_daily"]
    default = timedelta(minutes=Settings.from_env({}).task_timeout_minutes)
    assert {t.execution_timeout for t in dag.tasks} == {default}
