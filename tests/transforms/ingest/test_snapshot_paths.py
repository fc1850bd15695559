"""A snapshot folder is read inside itself only: links that leave it, dangling links,
link loops and special files each become one `unsafe_path` quarantine row, unread."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import polars as pl

from tests.conftest import REPO, SAMPLE_CORPUS
from tests.faults.pipeline import run_pipeline
from tests.faults.warehouse_state import columns_holding
from transforms.ingest.discovery import discover_snapshot
from transforms.ingest.local_files import fetch_pages
from transforms.ingest.sources import Source
from transforms.kernel.settings import Settings

ARTICLE = "<html><head><title>{0}</title></head><body><p>{0} body text.</p></body></html>"
OUTSIDE_MARKER = "OUTSIDE-ONLY-MARKER"


def _corpus(tmp_path: Path, articles: Path | None = None) -> Path:
    folder = tmp_path / "corpus"
    if articles is not None:
        shutil.copytree(articles, folder)
    (folder / "sub").mkdir(parents=True)
    (folder / "good.html").write_text(ARTICLE.format("Good"))
    (folder / "sub" / "real.html").write_text(ARTICLE.format("Real"))
    outside = tmp_path / "outside.html"
    outside.write_text(ARTICLE.format(OUTSIDE_MARKER))
    (folder / "passwd.html").symlink_to("/etc/passwd")
    (folder / "outside.html").symlink_to(outside)
    (folder / "loop_a.html").symlink_to(folder / "loop_b.html")
    (folder / "loop_b.html").symlink_to(folder / "loop_a.html")
    (folder / "dangling.html").symlink_to(folder / "nothing-here.html")
    (folder / "inside_link.html").symlink_to(folder / "sub" / "real.html")
    os.mkfifo(folder / "pipe.html")
    return folder


def _run(tmp_path: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    folder = _corpus(tmp_path)
    settings = Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})
    discovered = discover_snapshot(Source("snap", "snapshot", {"path": str(folder)}), settings)
    pages, quarantine = fetch_pages(discovered, "2026-01-01")
    return discovered, pages, quarantine


def test_links_out_of_the_folder_and_special_files_are_quarantined_unread(tmp_path):
    _, pages, quarantine = _run(tmp_path)
    by_name = dict(zip(quarantine["url"], quarantine["reason_code"], strict=True))
    unsafe = {f"snapshot://snap/{name}" for name in (
        "passwd.html", "outside.html", "loop_a.html", "loop_b.html", "dangling.html",
        "pipe.html")}
    assert by_name == dict.fromkeys(unsafe, "unsafe_path")  # one row per link, nothing else
    assert quarantine.height == len(unsafe)
    assert quarantine["input_excerpt"].is_null().all()
    fetched = pages.filter(pl.col("fetch_outcome") == "fetched")["url"].to_list()
    assert sorted(fetched) == ["snapshot://snap/good.html", "snapshot://snap/inside_link.html",
                               "snapshot://snap/sub/real.html"]
    assert pages.filter(pl.col("fetch_outcome") == "quarantined")["byte_count"].to_list() \
        == [0] * len(unsafe)
    messages = dict(zip(quarantine["url"], quarantine["error_message"], strict=True))
    assert "dangling" in messages["snapshot://snap/dangling.html"]
    assert "loop" in messages["snapshot://snap/loop_a.html"]
    assert "outside" in messages["snapshot://snap/passwd.html"]
    assert "FIFO" in messages["snapshot://snap/pipe.html"]


def test_no_byte_of_an_outside_file_reaches_any_row(tmp_path):
    _, pages, quarantine = _run(tmp_path)
    passwd_lines = [line for line in Path("/etc/passwd").read_text().splitlines() if line]
    cells = [str(value) for frame in (pages, quarantine) for column in frame.columns
             for value in frame[column].to_list() if value is not None]
    text = "\n".join(cells)
    assert OUTSIDE_MARKER not in text
    assert not any(line in text for line in passwd_lines)
    assert "root:" not in text


def test_a_run_over_the_linked_corpus_loads_and_no_table_holds_an_outside_byte(tmp_path):
    corpus = _corpus(tmp_path, SAMPLE_CORPUS)
    settings = Settings.from_env({"CLAIMLEDGER_HOME": str(REPO), "CLAIMLEDGER_CORPUS": str(corpus),
                                  "CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})
    run_pipeline(settings, "2026-03-02", "links-run")
    passwd_lines = [line for line in Path("/etc/passwd").read_text().splitlines() if line]
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        unsafe = con.execute("select count(*), count(distinct url) from raw.quarantine "
                             "where reason_code = 'unsafe_path'").fetchone()
        assert unsafe == (6, 6)  # passwd, outside, two loop ends, dangling, FIFO
        assert columns_holding(con, [OUTSIDE_MARKER, *passwd_lines]) == []
