"""Shapes of the audit tables' rows, shared by the producers of quality results.

dbt (transforms/checks/dbt_build.py) and Great Expectations (expectations/runner.py) both
return frames of this shape; transforms/warehouse/writer.py stamps run_id, ingest_date and
recorded_at when it writes them to audit.quality_results.
"""

from __future__ import annotations

import polars as pl

# audit.quality_results without run_id, ingest_date and recorded_at.
QUALITY_RESULT_SCHEMA: dict[str, pl.DataType] = {
    "check_name": pl.String,
    "check_source": pl.String,      # dbt | great_expectations
    "severity": pl.String,          # error | warn
    "status": pl.String,            # pass | fail | error | skipped
    "failing_row_count": pl.Int64,
    "failing_sample": pl.String,
    "message": pl.String,
}
