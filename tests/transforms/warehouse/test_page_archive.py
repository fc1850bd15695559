"""transforms.warehouse.page_archive: page bodies kept as linked Parquet files, one folder per run."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from transforms.warehouse.page_archive import archive_batch_pages, page_bodies, prune_other_runs
from transforms.kernel.settings import Settings


def _settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})


def _batch(tmp_path: Path, name: str, pages: dict[str, str]) -> Path:
    folder = tmp_path / "staging" / name
    folder.mkdir(parents=True)
    path = folder / "pages.parquet"
    pl.DataFrame({"page_id": list(pages), "url": [f"https://x.example/{p}" for p in pages],
                  "html": list(pages.values())}).write_parquet(path)
    return path


def test_batches_are_linked_not_copied_and_named_relative_to_the_warehouse(tmp_path):
    settings = _settings(tmp_path)
    files = [_batch(tmp_path, "batch-0000", {"p1": "<p>one</p>"}),
             _batch(tmp_path, "batch-0001", {"p2": "<p>two</p>", "p3": None})]
    names = archive_batch_pages(settings, "2026-06-01", "manual__2026-06-01T00:00:00+00:00",
                                files)
    assert names == [
        "archive/pages/ingest_date=2026-06-01/run=manual__2026-06-01T00_00_00_00_00/"
        f"batch-000{i}.parquet" for i in (0, 1)]
    for source, name in zip(files, names, strict=True):
        assert os.path.samefile(source, settings.warehouse_dir / name)  # one inode, no copy
    bodies = page_bodies(settings).sort("page_id")
    assert bodies.to_dicts() == [
        {"page_id": "p1", "url": "https://x.example/p1", "html": "<p>one</p>"},
        {"page_id": "p2", "url": "https://x.example/p2", "html": "<p>two</p>"},
        {"page_id": "p3", "url": "https://x.example/p3", "html": None}]
    assert page_bodies(settings, ["p2"])["html"].to_list() == ["<p>two</p>"]


def test_the_staging_file_can_be_rewritten_without_touching_the_archive(tmp_path):
    settings = _settings(tmp_path)
    source = _batch(tmp_path, "batch-0000", {"p1": "<p>one</p>"})
    archive_batch_pages(settings, "2026-06-01", "run-a", [source])
    # The next run rebuilds staging: a new file replaces the name, the archived inode stays.
    tmp = source.with_suffix(".tmp")
    pl.DataFrame({"page_id": ["p9"], "url": ["u"], "html": ["new"]}).write_parquet(tmp)
    tmp.replace(source)
    assert page_bodies(settings)["page_id"].to_list() == ["p1"]


def test_after_a_commit_only_the_committing_runs_files_of_that_day_remain(tmp_path):
    settings = _settings(tmp_path)
    first = _batch(tmp_path, "batch-0000", {"p1": "a"})
    archive_batch_pages(settings, "2026-06-01", "run-a", [first])
    archive_batch_pages(settings, "2026-06-02", "run-c", [first])
    archive_batch_pages(settings, "2026-06-01", "run-b", [first])
    removed = prune_other_runs(settings, "2026-06-01", "run-b")
    assert [folder.name for folder in removed] == ["run=run-a"]
    day_folders = sorted(p.relative_to(settings.warehouse_dir / "archive" / "pages").as_posix()
                         for p in (settings.warehouse_dir / "archive" / "pages").glob("*/*"))
    assert day_folders == ["ingest_date=2026-06-01/run=run-b", "ingest_date=2026-06-02/run=run-c"]


def test_an_empty_archive_reads_as_an_empty_frame(tmp_path):
    bodies = page_bodies(_settings(tmp_path))
    assert bodies.is_empty() and bodies.columns == ["page_id", "url", "html"]
