"""transforms.warehouse.writer: the writer connection's settings."""

from __future__ import annotations

from transforms.kernel.settings import Settings
from transforms.warehouse.writer import Warehouse


def _memory_limit(tmp_path, **env) -> str:
    settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path), **env})
    with Warehouse(settings).connect() as con:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]


def test_the_writer_caps_duckdbs_buffer_pool_instead_of_taking_most_of_the_ram(tmp_path):
    # DuckDB reports the limit in its own units (256MB is shown as 244.1 MiB).
    assert _memory_limit(tmp_path) == "244.1 MiB"
    assert _memory_limit(tmp_path, CLAIMLEDGER_DUCKDB_MEMORY_LIMIT="1GB") == "953.6 MiB"
