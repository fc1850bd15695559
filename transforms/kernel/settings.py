"""Run settings: one frozen dataclass built from the environment.

Every knob has a documented default so a fresh clone runs with no configuration.

- CLAIMLEDGER_HOME: the repository root; where config/, corpus/, dbt_project/ live.
- CLAIMLEDGER_WAREHOUSE_DIR: $CLAIMLEDGER_HOME/warehouse; build db, published db,
  staging Parquet, reports.
- CLAIMLEDGER_SOURCES: $CLAIMLEDGER_HOME/config/sources.yml; the sources to ingest.
- CLAIMLEDGER_CORPUS: unset; a folder of HTML pages that replaces every configured
  source (`make run CORPUS=...`).
- CLAIMLEDGER_BATCH_SIZE: 1000; pages per mapped batch (bench/: 1000 pages with 4 chunks per
  worker ran extract, clean and figures 15-20% faster than 200 with 2, no Airflow counted).
- CLAIMLEDGER_STORAGE_COMPAT: v1.4.0; the DuckDB storage version of files we create,
  so DuckDB 1.4-era BI drivers can read them.
- CLAIMLEDGER_PUBLISH_KEEP: 3; published versions kept in warehouse/published/ for
  `claimledger publish --rollback` (at least 2: the served one and the one before).
- CLAIMLEDGER_DUCKDB_MEMORY_LIMIT: 256MB; DuckDB's memory_limit for the pipeline's writer
  connection (DuckDB's own default is 80% of RAM).
- CLAIMLEDGER_TASK_TIMEOUT_MINUTES: 120; the `execution_timeout` of every Airflow task, so
  a task stuck on anything (a stalled host past every other guard, a hung dbt) fails
  instead of holding the run for days. dags/news_daily.py reads the same variable at parse
  time (it may not import this package); tests/dags/test_dagbag.py keeps the defaults equal.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    """Where things live and how big a batch is. Build with `Settings.from_env()`."""

    home: Path
    warehouse_dir: Path
    sources_file: Path
    corpus_override: Path | None
    batch_size: int
    storage_compatibility_version: str
    publish_keep: int = 3
    # DuckDB's buffer pool for the writer. Its default is 80% of RAM, which a big load
    # fills with cached blocks; a cap makes DuckDB evict (and spill) instead, so the
    # writer's memory follows this setting, not the corpus. Loading 10,000 staged
    # articles alone (bench/): 1GB peaked at 989 MiB (PSS), 256MB at 732 MiB, in 16-17 s
    # either way (the load streams from Parquet, so a small pool costs no time).
    duckdb_memory_limit: str = "256MB"
    task_timeout_minutes: float = 120.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("CLAIMLEDGER_HOME", REPO_ROOT)).resolve()
        warehouse = Path(env.get("CLAIMLEDGER_WAREHOUSE_DIR", home / "warehouse")).resolve()
        corpus = env.get("CLAIMLEDGER_CORPUS") or None
        return cls(
            home=home,
            warehouse_dir=warehouse,
            sources_file=Path(env.get("CLAIMLEDGER_SOURCES", home / "config" / "sources.yml")),
            corpus_override=Path(corpus).resolve() if corpus else None,
            batch_size=int(env.get("CLAIMLEDGER_BATCH_SIZE", "1000")),
            storage_compatibility_version=env.get("CLAIMLEDGER_STORAGE_COMPAT", "v1.4.0"),
            publish_keep=max(2, int(env.get("CLAIMLEDGER_PUBLISH_KEEP", "3"))),
            duckdb_memory_limit=env.get("CLAIMLEDGER_DUCKDB_MEMORY_LIMIT", "256MB"),
            task_timeout_minutes=float(env.get("CLAIMLEDGER_TASK_TIMEOUT_MINUTES", "120")),
        )

    @property
    def build_db(self) -> Path:
        """The private database the DAG and dbt write; nothing else opens it."""
        return self.warehouse_dir / "build" / "claimledger.duckdb"

    @property
    def published_db(self) -> Path:
        """The copy readers and BI tools open; replaced atomically by publish."""
        return self.warehouse_dir / "claimledger.duckdb"

    @property
    def dbt_project_dir(self) -> Path:
        return self.home / "dbt_project"

    def staging_dir(self, ingest_date: str) -> Path:
        """Parquet hand-off between tasks of one partition (deleted never; overwritten)."""
        return self.warehouse_dir / "staging" / ingest_date

    @property
    def reports_dir(self) -> Path:
        return self.warehouse_dir / "reports"
