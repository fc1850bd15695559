"""The page archive: every fetched body, as Parquet files beside the database.

raw.pages holds one row per fetch attempt with everything but the body; the bodies (the
decoded HTML, most of a warehouse's bytes) stay in the Parquet files the fetch stage wrote:

    warehouse/archive/pages/ingest_date=<date>/run=<run_id>/batch-NNNN.parquet

Each raw.pages row names its file (`archive_file`, relative to the warehouse folder). The
files are hard links of the staging files (no copy, no re-compression), made before the
load transaction commits; after the commit the day's files of earlier runs are removed. A
crash in between leaves the committed rows pointing at files that exist: before the commit
the old run's files are still referenced and kept, after it the new ones.

Why not in DuckDB: storing 10,000 pages' HTML in the load transaction held ~1 GB in the
writer (DuckDB keeps a transaction's appended rows in memory until a row group fills, and
a row group is 122,880 rows, not bytes), took most of the load and commit time, and made
every published copy carry the HTML again (bench/).
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import polars as pl

from transforms.kernel.settings import Settings

ARCHIVE = Path("archive") / "pages"


def run_folder(settings: Settings, ingest_date: str, run_id: str) -> Path:
    """This run's folder of page files for the ingest date."""
    return settings.warehouse_dir / ARCHIVE / f"ingest_date={ingest_date}" / f"run={_safe(run_id)}"


def _safe(run_id: str) -> str:
    """A run id as one path component (Airflow's ids hold ':' and '+')."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)


def archive_batch_pages(settings: Settings, ingest_date: str, run_id: str,
                        page_files: list[Path]) -> list[str]:
    """Hard-link each batch's pages.parquet into this run's archive folder.

    In: the staging pages.parquet files of the run, in batch order. Out: each file's
    archive path relative to the warehouse folder (what raw.pages.archive_file holds).
    A rerun of the same run id replaces its own links.
    """
    folder = run_folder(settings, ingest_date, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    relative = []
    for source in page_files:
        target = folder / f"{source.parent.name}.parquet"
        tmp = target.with_suffix(".parquet.tmp")
        tmp.unlink(missing_ok=True)
        try:
            os.link(source, tmp)
        except OSError as error:  # another file system (or no hard links): copy instead
            if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            shutil.copyfile(source, tmp)
        tmp.replace(target)
        relative.append(str(target.relative_to(settings.warehouse_dir)))
    return relative


def prune_other_runs(settings: Settings, ingest_date: str, run_id: str) -> list[Path]:
    """Remove the ingest date's page files written by other runs (after a commit that no
    longer references them). Returns the folders removed."""
    keep = run_folder(settings, ingest_date, run_id)
    removed = []
    for folder in sorted(keep.parent.glob("run=*")):
        if folder != keep:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def page_bodies(settings: Settings, page_ids: list[str] | None = None) -> pl.DataFrame:
    """[page_id, url, html] of the archived pages (all, or those of `page_ids`)."""
    files = sorted((settings.warehouse_dir / ARCHIVE).glob("ingest_date=*/run=*/*.parquet"))
    if not files:
        return pl.DataFrame(schema={"page_id": pl.String, "url": pl.String, "html": pl.String})
    frame = pl.scan_parquet(files).select("page_id", "url", "html")
    if page_ids is not None:
        frame = frame.filter(pl.col("page_id").is_in(page_ids))
    return frame.collect()
