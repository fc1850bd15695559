"""Scale-out on Airflow's own distributed engine, really run on this machine.

Starts a real deployment — api-server, scheduler, dag-processor and two Celery workers
(w1, w2, concurrency 1) with Redis as broker and a fresh PostgreSQL database as metadata
store — triggers news_daily over the bundled corpus with CLAIMLEDGER_BATCH_SIZE=1 (so
fetch/extract/clean/figures map over five batches), waits for the run, and checks that the
mapped tasks ran on both workers and that the warehouse equals the one `airflow dags test`
builds. The settings are the ones docker-compose.yml gives its services.

Skipped, with the reason, when PostgreSQL (127.0.0.1:5432, trust auth, user postgres) or
Redis (127.0.0.1:6379) is not listening. Every process it starts runs in its own process
group and is killed in a finally block; the database is dropped afterwards.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import duckdb
import pytest

from claimledger.cli import run_dag
from tests.conftest import REPO, SAMPLE_CORPUS

pytestmark = [pytest.mark.services, pytest.mark.e2e]

INGEST_DATE = "2026-03-02"
LOGICAL_DATE = f"{INGEST_DATE}T00:00:00+00:00"
RUN_TIMEOUT_SECONDS = 6 * 60
MAPPED_TASKS = ("fetch_pages", "extract_articles", "clean_paragraphs", "find_figures")
# Columns that differ between two runs of the same data by design.
VOLATILE_COLUMNS = {"run_id", "recorded_at", "fetched_at", "loaded_at", "published_at",
                    "built_at", "checked_at", "created_at", "updated_at"}


def _listening(port: int) -> bool:
    with closing(socket.socket()) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres(dbname: str = "postgres"):
    import psycopg2

    con = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=dbname)
    con.autocommit = True
    return con


@contextmanager
def _fresh_database():
    name = f"claimledger_scaleout_{os.getpid()}"
    with closing(_postgres()) as con, con.cursor() as cur:
        cur.execute(f"drop database if exists {name} with (force)")
        cur.execute(f"create database {name}")
    try:
        yield name
    finally:
        with closing(_postgres()) as con, con.cursor() as cur:
            cur.execute(f"drop database if exists {name} with (force)")


def _base_env(home: Path, warehouse: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CLAIMLEDGER"))}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "CLAIMLEDGER_HOME": str(REPO),
        "CLAIMLEDGER_CORPUS": str(SAMPLE_CORPUS),
        "CLAIMLEDGER_WAREHOUSE_DIR": str(warehouse),
        "CLAIMLEDGER_BATCH_SIZE": "1",
        "CLAIMLEDGER_TASK_RETRIES": "0",
        "PYTHONPATH": str(REPO),
    })
    return env


def celery_provider_imports() -> bool:
    """Whether the CeleryExecutor imports with the installed celery."""
    probe = "import airflow.providers.celery.executors.celery_executor_utils"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True,
                          cwd=REPO).returncode == 0


def _celery_env(tmp: Path, database: str, port: int) -> dict[str, str]:
    env = _base_env(tmp / "airflow_home", tmp / "warehouse")
    queue = f"claimledger_scaleout_{os.getpid()}"
    env.update({
        # As in docker-compose.yml (x-airflow-common), with this machine's addresses.
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN":
            f"postgresql+psycopg2://postgres@127.0.0.1:5432/{database}",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:6379/{os.getpid() % 15 + 1}",
        "AIRFLOW__CELERY__RESULT_BACKEND":
            f"db+postgresql+psycopg2://postgres@127.0.0.1:5432/{database}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
        "AIRFLOW__API__WORKERS": "1",
        # A queue of its own, so another deployment on the same Redis never takes our tasks.
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        # Only the triggered run: no scheduled run for the latest interval on unpause.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tests.scaleout.worker_hostname.hostname",
    })
    return env


def _airflow(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    airflow = str(Path(sys.executable).with_name("airflow"))
    done = subprocess.run([airflow, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=180)
    if done.returncode:
        pytest.fail(f"airflow {' '.join(args)} exited {done.returncode}:\n"
                    f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done


def _start(args: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen:
    airflow = str(Path(sys.executable).with_name("airflow"))
    handle = log.open("w")
    return subprocess.Popen([airflow, *args], env=env, cwd=cwd, stdout=handle,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        with_group(process, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes:
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        with_group(process, signal.SIGKILL)  # the group: task processes, gunicorn children
        process.wait()


def with_group(process: subprocess.Popen, sig: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # start_new_session: the group id is the leader's pid


def _wait_for(condition, timeout: float, what: str, logs: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(2)
    tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(logs.glob("*.log")))
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


def _query(database: str, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(_postgres(database)) as con, con.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _mart_fingerprints(db: Path) -> dict[str, tuple[int, int]]:
    """(row count, order-independent checksum over non-volatile columns) per mart."""
    fingerprints = {}
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by 1").fetchall()]
        for table in tables:
            columns = [name for name, kind in con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table]).fetchall()
                if name not in VOLATILE_COLUMNS and "TIMESTAMP" not in kind]
            listed = ", ".join(f'"{c}"' for c in columns)
            count, checksum = con.execute(
                f"select count(*), coalesce(bit_xor(hash({listed})), 0) "
                f"from marts.{table}").fetchone()
            fingerprints[table] = (count, checksum)
    return fingerprints


def _dags_test_warehouse(tmp: Path) -> Path:
    env = _base_env(tmp / "reference_home", tmp / "reference_warehouse")
    _airflow("db", "migrate", env=env, cwd=tmp)
    _airflow("pools", "set", "duckdb_writer", "1", "one DuckDB writer", env=env, cwd=tmp)
    code = run_dag(INGEST_DATE, log_path=tmp / "reference.log", env=env, echo=False)
    assert code == 0, (tmp / "reference.log").read_text()[-4000:]
    return tmp / "reference_warehouse" / "build" / "claimledger.duckdb"


@pytest.fixture(scope="module")
def celery_run(tmp_path_factory) -> dict:
    if not _listening(5432):
        pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432 (needed as metadata DB)")
    if not _listening(6379):
        pytest.skip("Redis is not listening on 127.0.0.1:6379 (needed as Celery broker)")
    tmp = tmp_path_factory.mktemp("scaleout")
    logs = tmp / "logs"
    logs.mkdir()
    port = _free_port()
    processes: list[subprocess.Popen] = []
    with _fresh_database() as database:
        env = _celery_env(tmp, database, port)
        try:
            _airflow("db", "migrate", env=env, cwd=tmp)
            _airflow("pools", "set", "duckdb_writer", "1", "one DuckDB writer", env=env, cwd=tmp)
            processes.append(_start(["api-server", "--host", "127.0.0.1", "--port", str(port)],
                                    env, logs / "api-server.log", tmp))
            processes.append(_start(["scheduler"], env, logs / "scheduler.log", tmp))
            processes.append(_start(["dag-processor"], env, logs / "dag-processor.log", tmp))
            queue = env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"]
            for worker in ("w1", "w2"):
                worker_env = {**env, "CLAIMLEDGER_SCALEOUT_WORKER": worker}
                processes.append(_start(
                    ["celery", "worker", "--celery-hostname", f"{worker}@%h",
                     "--concurrency", "1", "--queues", queue, "--skip-serve-logs",
                     "--without-gossip", "--without-mingle"],
                    worker_env, logs / f"worker-{worker}.log", tmp))
            # The reference build runs while the deployment starts (it has its own home).
            reference = _dags_test_warehouse(tmp)
            _wait_for(lambda: _query(database, "select 1 from dag where dag_id = 'news_daily'"),
                      120, "the dag-processor to parse news_daily", logs)
            _airflow("dags", "unpause", "news_daily", env=env, cwd=tmp)
            _airflow("dags", "trigger", "news_daily", "--logical-date", LOGICAL_DATE,
                     "--run-id", "scaleout", env=env, cwd=tmp)
            state = _wait_for(
                lambda: next((s for (s,) in _query(
                    database, "select state from dag_run where dag_id = 'news_daily' "
                    "and run_id = 'scaleout'") if s in ("success", "failed")), None),
                RUN_TIMEOUT_SECONDS, "the news_daily run to finish", logs)
            instances = _query(database, "select task_id, map_index, state, hostname "
                               "from task_instance where run_id = 'scaleout'")
        finally:
            _stop(processes)
    return {"state": state, "instances": instances, "logs": logs, "reference": reference,
            "warehouse": tmp / "warehouse" / "build" / "claimledger.duckdb"}


def _log_tails(logs: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(logs.glob("*.log")))


def test_the_celery_run_succeeds_with_every_task_successful(celery_run):
    # "skipped" is how a branch not taken ends (the failure handler of a run that passed).
    failed = [i for i in celery_run["instances"] if i[2] not in ("success", "skipped")]
    states = {task_id: state for task_id, _, state, _ in celery_run["instances"]}
    pipeline = [*MAPPED_TASKS, "load_warehouse", "build_marts", "check_quality",
                "publish_warehouse"]
    assert celery_run["state"] == "success" and not failed, \
        f"{celery_run['state']} {failed}\n{_log_tails(celery_run['logs'])}"
    assert {task: states.get(task) for task in pipeline} == dict.fromkeys(pipeline, "success")


def test_mapped_tasks_fan_out_over_five_batches_on_both_workers(celery_run):
    mapped = [i for i in celery_run["instances"] if i[0] in MAPPED_TASKS]
    assert sorted({i[1] for i in mapped}) == [0, 1, 2, 3, 4]
    assert len(mapped) == 5 * len(MAPPED_TASKS)
    workers = {hostname.split(".")[0] for _, _, _, hostname in mapped if hostname}
    assert workers == {"w1", "w2"}, mapped


def test_the_warehouse_equals_the_one_dags_test_builds(celery_run):
    celery = _mart_fingerprints(celery_run["warehouse"])
    reference = _mart_fingerprints(celery_run["reference"])
    assert celery.keys() == reference.keys()
    assert {t: c for t, (c, _) in celery.items()} == {t: c for t, (c, _) in reference.items()}
    assert celery == reference


def test_the_locked_celery_provider_imports():
    # celery 5.7 removed celery.backends.database.retry, which provider 3.26 imports:
    # pyproject pins celery<5.7 in the celery extra.
    assert celery_provider_imports()


def test_the_locked_environment_has_an_async_postgres_driver():
    # Airflow 3 opens an async engine beside psycopg2 on a PostgreSQL metadata database.
    assert importlib.util.find_spec("asyncpg") is not None
