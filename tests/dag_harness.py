"""Running the real DAG in tests: one environment recipe and one Airflow set-up.

Every DAG test runs `airflow dags test` (claimledger.cli.run_dag) in a temporary
AIRFLOW_HOME with SQLite metadata, a temporary warehouse and no task retries, with
whatever AIRFLOW*/CLAIMLEDGER* variables the caller's shell had removed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def dag_env(airflow_home: Path, warehouse: Path, **claimledger: str | Path) -> dict[str, str]:
    """Environment for one test deployment; `claimledger` adds CLAIMLEDGER_<KEY> variables
    (corpus=..., sources=...)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CLAIMLEDGER"))}
    env.update({
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "CLAIMLEDGER_HOME": str(REPO),
        "CLAIMLEDGER_WAREHOUSE_DIR": str(warehouse),
        "CLAIMLEDGER_TASK_RETRIES": "0",
        **{f"CLAIMLEDGER_{key.upper()}": str(value) for key, value in claimledger.items()},
    })
    return env


def init_airflow(env: dict[str, str]) -> None:
    """`airflow db migrate` and the one-slot writer pool, as `make run` does."""
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([AIRFLOW, "pools", "set", "duckdb_writer", "1", "one DuckDB writer"],
                   env=env, check=True, capture_output=True)
