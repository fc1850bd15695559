"""The pipeline's stages as plain functions: what each DAG task calls.

Each stage reads its inputs from a batch folder of Parquet files and writes its
outputs next to them (transforms/pipeline/steps.py), so parallel (mapped) tasks never
share a database: only `load_batches` opens DuckDB, through transforms/warehouse/writer.py.
Every function returns something small (a path, a dict of counts).
"""

from __future__ import annotations

import functools
import logging
import shutil
import time
from pathlib import Path

import polars as pl

from transforms.clean.articles import clean_articles
from transforms.clean.clusters import with_near_duplicates
from transforms.clean.signatures import article_signatures
from transforms.extract.articles import (
    ARTICLE_COLUMNS,
    extract_pages,
    extract_staged_pages,
    one_page_per_article,
)
from transforms.extract.copies import copy_articles, split_copies, staged_copies_with_own_metadata
from transforms.figures.claims import claims
from transforms.figures.mentions import figure_mentions
from transforms.figures.trade import trade_statements
from transforms.ingest.discovery import discover
from transforms.ingest.fetch import fetch_all_pages, unchanged_bodies, unchanged_files
from transforms.ingest.local_files import (
    FILE_STAMP_SCHEMA,
    file_stamps,
    unchanged_snapshot_pages,
)
from transforms.ingest.pages import HTTP_PAGE_COLUMNS, PAGES_ROW_GROUP_ROWS
from transforms.kernel import parallel
from transforms.kernel.faults import fault_point
from transforms.kernel.keys import quarantine_ids
from transforms.kernel.limits import limit_quarantine, over_limit
from transforms.kernel.parallel import map_frames
from transforms.kernel.quarantine import QUARANTINE_SCHEMA, quarantine_frame
from transforms.kernel.settings import Settings
from transforms.pipeline.steps import (
    StepOutputs,
    finish_step,
    read_frame,
    write_counts,
    write_frame,
)
from transforms.warehouse.page_archive import archive_batch_pages, prune_other_runs
from transforms.warehouse.run_lock import RunOwner, claim_run
from transforms.warehouse.writer import TEXT_COLUMNS, ParquetRows, Warehouse

log = logging.getLogger(__name__)

STAGES = ("discover", "fetch", "extract", "clean", "figures")
# Worker processes start with this module (and so every stage's code) imported.
parallel.preload_in_workers(__name__)


def plan_batches(settings: Settings, ingest_date: str, run_id: str | None = None,
                 owner: RunOwner | None = None) -> list[str]:
    """Discover every page of every source; split them into batch folders.

    The day's staging folder is rebuilt from scratch so a rerun never mixes
    outputs of two attempts. With a run_id, the run first claims the warehouse's
    run lease (transforms/warehouse/run_lock.py): a second live run refuses here, before it
    deletes the first run's staging folder.
    """
    if run_id is not None:
        claim_run(settings, run_id, ingest_date, owner)
    staging = settings.staging_dir(ingest_date)
    fault_point("discover_pages", "before_write")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    discovered = discover(settings)
    size = max(settings.batch_size, 1)
    batches = []
    for index, offset in enumerate(range(0, max(discovered.height, 1), size)):
        batch = staging / f"batch-{index:04d}"
        batch.mkdir()
        part = discovered.slice(offset, size)
        write_frame(batch, "discovered", part)
        write_counts(batch, "discover", part.height, part.height, 0)
        batches.append(str(batch))
        fault_point("discover_pages", "during_write")
    fault_point("discover_pages", "after_write")
    return batches


def validators_file(settings: Settings) -> Path:
    """ETag/Last-Modified of every stored URL, exported by the writer after each load.

    Fetch tasks read this Parquet file instead of DuckDB, so parallel fetches never
    contend for the database lock.
    """
    return settings.warehouse_dir / "state" / "http_validators.parquet"


def stored_bodies_file(settings: Settings) -> Path:
    """Each URL's last fetched body (url, content_hash, content_type, ingest_date),
    exported by the writer after each load, for the fetch stage (as validators_file is)."""
    return settings.warehouse_dir / "state" / "stored_bodies.parquet"


def _stored_bodies(settings: Settings) -> pl.DataFrame | None:
    """The stored bodies file, or None when there is none or it is not of this version's
    shape (a file left by an older version is only a cache: its pages are extracted)."""
    path = stored_bodies_file(settings)
    if not path.exists():
        return None
    frame = pl.read_parquet(path)
    wanted = {"url", "content_hash", "content_type", "ingest_date"}
    if not wanted <= set(frame.columns):
        log.warning("%s lacks %s: every page is extracted this run", path,
                    sorted(wanted - set(frame.columns)))
        return None
    return frame


def file_stamps_file(settings: Settings) -> Path:
    """Each snapshot URL's file stamp (url, location, size, mtime_ns) with the content_hash
    of the bytes read under it, merged in by the writer after each load."""
    return settings.warehouse_dir / "state" / "file_stamps.parquet"


def _known_stamps(settings: Settings) -> pl.DataFrame | None:
    path = file_stamps_file(settings)
    if not path.exists():
        return None
    frame = pl.read_parquet(path)
    return frame if {*FILE_STAMP_SCHEMA, "content_hash"} <= set(frame.columns) else None


def fetch_batch(settings: Settings, batch_dir: str, ingest_date: str) -> dict:
    """Fetch the batch's pages into pages.parquet; unreadable ones to quarantine; pages
    whose URL gave the same bytes on an earlier day are unchanged, before extraction. A
    snapshot file whose size and mtime are those it had when those bytes were read is
    not read again (its stamps go to file_stamps.parquet for the load to keep)."""
    batch = Path(batch_dir)
    discovered = read_frame(batch, "discovered")
    known = validators_file(settings)
    validators = pl.read_parquet(known) if known.exists() else None
    stored = _stored_bodies(settings)
    stamps = file_stamps(discovered)
    same = unchanged_files(stamps, _known_stamps(settings), stored, ingest_date)
    pages, quarantined = fetch_all_pages(discovered.join(same, on="url", how="anti"),
                                         ingest_date, settings, validators=validators)
    if stored is not None:
        pages = unchanged_bodies(pages, stored, ingest_date)
    if same.height:
        quiet = unchanged_snapshot_pages(
            discovered.select("source_name", "url").join(same, on="url"), ingest_date)
        quiet = quiet.with_columns(
            [pl.lit(None, dtype=t).alias(c) for c, t in HTTP_PAGE_COLUMNS.items()])
        order = discovered.select("url").with_row_index("_order")
        pages = pl.concat([pages, quiet.select(pages.columns)]).join(order, on="url") \
            .sort("_order").drop("_order")
    read = pages.filter(pl.col("fetch_outcome").is_in(["fetched", "unchanged"]))
    stamped = stamps.join(read.select("url", "content_hash"), on="url")
    outcome = pages["fetch_outcome"]
    return finish_step(batch, "fetch_pages", "fetch", StepOutputs(
        first={"pages": pages}, then={"quarantine_fetch": quarantined, "file_stamps": stamped},
        items_in=discovered.height, items_out=(outcome == "fetched").sum(),
        quarantined=quarantined.height, unchanged=(outcome == "unchanged").sum(),
        # In row groups: polars compresses row groups in parallel, and the extract
        # workers, which read row slices, decompress less.
        options={"pages": {"row_group_size": PAGES_ROW_GROUP_ROWS}}))


def extract_batch(batch_dir: str) -> dict:
    """Run the extractor over each fetched page (in worker processes, kernel/parallel.py);
    failures become quarantine rows. A page with the same bytes as an earlier page of the
    batch is not extracted again: it takes that page's text (transforms/extract/copies.py)."""
    batch = Path(batch_dir)
    pages_file = batch / "pages.parquet"
    columns = [c for c in pl.read_parquet_schema(pages_file) if c != "html"]
    pages = pl.read_parquet(pages_file, columns=columns).with_row_index("_row") \
        .filter(pl.col("fetch_outcome") == "fetched")
    originals, copies = split_copies(pages)
    if originals.is_empty():
        frame, quarantined = extract_pages(originals.drop("_row").with_columns(
            html=pl.lit(None, dtype=pl.String)))
    else:
        frame, quarantined = map_frames(
            functools.partial(extract_staged_pages, pages_file=str(pages_file)), originals,
            key="url")
    copied, pending, refused = copy_articles(copies, frame, quarantined)
    if pending.height:
        own, own_refused = map_frames(functools.partial(
            staged_copies_with_own_metadata, pages_file=str(pages_file), schema=frame.schema),
            pending, key="url")
        copied, refused = pl.concat([copied, own]), pl.concat([refused, own_refused])
    if copies.height:
        log.info("extract: %d pages, %d with the bytes of an earlier page (not extracted "
                 "again; %d read their own metadata)", pages.height, copies.height,
                 pending.height)
    frame, quarantined = pl.concat([frame, copied]), pl.concat([quarantined, refused])
    # Within the batch already, so cleaning never merges two pages into one article.
    frame, duplicates = one_page_per_article(frame.select(list(ARTICLE_COLUMNS)), "extract")
    quarantined = pl.concat([quarantined, quarantine_frame(duplicates)])
    return finish_step(batch, "extract_articles", "extract", StepOutputs(
        first={"extracted": frame}, then={"quarantine_extract": quarantined},
        items_in=pages.height, items_out=frame.height, quarantined=quarantined.height))


def clean_batch(batch_dir: str) -> dict:
    """Decide every paragraph (kept or removed, with why), add noise metrics, split sentences
    (in worker processes, kernel/parallel.py)."""
    batch = Path(batch_dir)
    extracted = read_frame(batch, "extracted")
    articles, decided, sentences, signatures, quarantined = map_frames(
        clean_articles, extracted.sort("article_id"), key="article_id")
    return finish_step(batch, "clean_paragraphs", "clean", StepOutputs(
        first={"articles": articles, "paragraphs": decided},
        then={"sentences": sentences, "signatures": signatures,
              "quarantine_clean": quarantined},
        items_in=extracted.height, items_out=articles.height,
        quarantined=quarantined.height))


def find_figures_in(sentences: pl.DataFrame, articles: pl.DataFrame
                    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Kept sentences and their articles (article_id, url, source_name, published_date,
    title) in -> (figures, trade statements, claims, quarantine rows) out.

    An article with more figures than limits.yml max_figures_per_article is quarantined
    before trade statements and claims are read (they compare a sentence's figures with
    each other); the load leaves it out of every table (load_batches)."""
    figures = figure_mentions(sentences)
    over = over_limit(figures.group_by("article_id").len(), "max_figures_per_article", "len")
    quarantined = quarantine_frame(limit_quarantine(over, articles, "max_figures_per_article",
                                                    "figures"))
    if over.height:
        figures = figures.join(over, on="article_id", how="anti")
        sentences = sentences.join(over, on="article_id", how="anti")
    trades = trade_statements(sentences, figures,
                              articles.select("article_id", "published_date", "title"))
    return figures, trades, claims(sentences, figures), quarantined


def figures_batch(batch_dir: str) -> dict:
    """Find every figure, trade statement and claim in the kept sentences (in worker
    processes, kernel/parallel.py)."""
    batch = Path(batch_dir)
    sentences = read_frame(batch, "sentences").sort("article_id", maintain_order=True)
    articles = read_frame(batch, "articles").select(
        "article_id", "url", "source_name", "published_date", "title")
    figures, trades, claim_rows, quarantined = map_frames(
        find_figures_in, sentences, key="article_id", extra=[articles])
    return finish_step(batch, "find_figures", "figures", StepOutputs(
        first={"figure_mentions": figures, "trade_statements": trades},
        then={"claims": claim_rows, "quarantine_figures": quarantined},
        items_in=sentences.height, items_out=figures.height,
        quarantined=quarantined.height))


def _concat(batches: list[Path], name: str, schema: dict | None = None, *,
            columns: tuple[str, ...] | None = None,
            exclude: tuple[str, ...] = ()) -> pl.DataFrame:
    """Every batch's `name` file, concatenated: only `columns` (default all) without the
    `exclude` ones; the others are never read."""
    frames = []
    for batch in batches:
        path = batch / f"{name}.parquet"
        if path.exists():
            wanted = [c for c in (columns or pl.read_parquet_schema(path)) if c not in exclude]
            frames.append(pl.read_parquet(path, columns=wanted))
    if not frames:
        return pl.DataFrame(schema=schema or {})
    return pl.concat(frames, how="diagonal_relaxed")


def _staged_signatures(batches: list[Path], articles: pl.DataFrame,
                       compute) -> pl.DataFrame:
    """The kept articles' signatures, as the clean workers staged them (by article_id and
    url); computed here only for articles staged without one, from their staged text."""
    staged = _concat(batches, "signatures")
    keys = articles.select("article_id", "url")
    found = keys.join(staged, on=["article_id", "url"], how="inner").drop("url") \
        if staged.height else None
    missing = keys if found is None else keys.join(found.select("article_id"),
                                                   on="article_id", how="anti")
    if missing.is_empty() and found is not None:
        return found.sort("article_id")
    texts = _concat(batches, "articles", {"article_id": pl.String, "url": pl.String,
                                          "clean_text": pl.String},
                    columns=("article_id", "url", "clean_text"))
    computed = compute(missing.join(texts, on=["article_id", "url"], how="inner")
                       .select("article_id", "clean_text"))
    return (computed if found is None else pl.concat([found, computed])).sort("article_id")


def _kept_parts(batches: list[Path], name: str, kept_pairs: pl.DataFrame) -> list:
    """Each batch's `name` file, as ParquetRows of the articles whose kept copy (article_id
    and url) that batch holds. The writer's DuckDB reads the files one at a time, so these
    tables never sit in memory whole; and an article seen under two URLs in two batches loads
    once (two URLs of one article inside one batch are still merged by the clean stage)."""
    parts = []
    for batch in batches:
        if not (batch / f"{name}.parquet").exists():
            continue
        own = pl.read_parquet(batch / "articles.parquet", columns=["article_id", "url"])
        ids = own.join(kept_pairs, on=["article_id", "url"], how="semi")["article_id"]
        parts.append(ParquetRows(batch / f"{name}.parquet", tuple(ids.to_list())))
    return parts


def load_batches(settings: Settings, ingest_date: str, run_id: str,
                 batch_dirs: list[str], owner: RunOwner | None = None) -> dict:
    """The single writer: one transaction replaces the partition with the batches' rows."""
    claim_run(settings, run_id, ingest_date, owner)  # refuses if another live run took over
    batches = sorted(Path(b) for b in batch_dirs)
    # The articles' text stays in the staged files, read by DuckDB at insert time: held
    # here (and copied by the sort, filter and join below), it grew the writer's memory by
    # ~0.1 GiB per 10,000 articles each time.
    articles = _concat(batches, "articles", exclude=TEXT_COLUMNS)
    quarantine = _concat(batches, "quarantine_fetch", QUARANTINE_SCHEMA)
    for stage in ("extract", "clean", "figures"):
        quarantine = pl.concat([quarantine, _concat(batches, f"quarantine_{stage}",
                                                    QUARANTINE_SCHEMA)])
    # An article the figures stage refused (limits.yml) is in the clean stage's files:
    # it loads nowhere but in the quarantine, like one refused earlier.
    refused = _concat(batches, "quarantine_figures", QUARANTINE_SCHEMA, columns=("url",))
    if refused.height:
        articles = articles.join(refused, on="url", how="anti")
    # Pages of different batches may still share a canonical URL.
    articles, duplicates = one_page_per_article(articles, "load")
    quarantine = pl.concat([quarantine, quarantine_frame(duplicates)])
    quarantine = quarantine.with_columns(quarantine_ids(quarantine, ingest_date))
    kept_ids = articles["article_id"]

    # The stage pool's workers keep the memory of the batches they processed (~0.25 GiB
    # each at the end of a 10,000-page run) and the writer needs them no more: they would
    # sit idle beside its peak. A later batch task starts a new pool in milliseconds.
    parallel.shutdown()
    warehouse = Warehouse(settings)
    signatures = _staged_signatures(batches, articles, article_signatures)
    stored = warehouse.stored_signatures().filter(~pl.col("article_id").is_in(kept_ids))
    started = time.monotonic()
    near = with_near_duplicates(signatures, stored, with_story_similarity=True)
    # The near-duplicate search compares every new article with every stored one: the
    # benchmark reads this line to see when it starts to dominate a load.
    log.info("near-duplicate search: %d new x %d stored articles in %.2f s",
             signatures.height, stored.height, time.monotonic() - started)
    articles = articles.join(near, on="article_id", how="left")

    # The bodies stay in the fetch stage's files, linked into the page archive
    # (transforms/warehouse/page_archive.py); raw.pages gets every other column and the file's name.
    page_files = [b / "pages.parquet" for b in batches if (b / "pages.parquet").exists()]
    archived = archive_batch_pages(settings, ingest_date, run_id, page_files)
    frames = {
        "pages": [ParquetRows(f, exclude=("html",), constants=(("archive_file", name),))
                  for f, name in zip(page_files, archived, strict=True)],
        "quarantine": quarantine,
        "articles": articles,
        "article_texts": [b / "articles.parquet" for b in batches
                          if (b / "articles.parquet").exists()],
        "article_signatures": signatures,
    }
    kept_pairs = articles.select("article_id", "url")
    for name in ("paragraphs", "sentences", "figure_mentions", "trade_statements", "claims"):
        frames[name] = _kept_parts(batches, name, kept_pairs)
    fault_point("load_warehouse", "before_write")
    report = warehouse.load_partition(ingest_date, run_id, frames)
    prune_other_runs(settings, ingest_date, run_id)  # committed: earlier runs' files unused
    fault_point("load_warehouse", "after_write")
    warehouse.export_validators(validators_file(settings))
    warehouse.export_stored_bodies(stored_bodies_file(settings))
    _keep_file_stamps(settings, batches)

    counts = _concat(batches, "counts_discover")
    for stage in STAGES[1:]:
        counts = pl.concat([counts, _concat(batches, f"counts_{stage}")])
    counts = counts.group_by("stage", maintain_order=True).sum()
    load_counts = pl.DataFrame([{
        "stage": "load", "items_in": articles.height + len(duplicates),
        "items_out": report.articles_loaded, "items_quarantined": len(duplicates),
        "items_unchanged": report.articles_unchanged}])
    counts = pl.concat([counts, load_counts], how="vertical_relaxed")
    warehouse.write_audit("stage_counts", run_id, ingest_date,
                          counts.with_columns(pl.col(pl.Int64).cast(pl.Int32)))
    return {"articles_loaded": report.articles_loaded,
            "articles_unchanged": report.articles_unchanged,
            "quarantined": report.quarantined, "rows": report.rows_by_table}


def _keep_file_stamps(settings: Settings, batches: list[Path]) -> None:
    """Merge the batches' file stamps into file_stamps_file (a URL's newest stamp wins).

    Only a cache: a stamp is used when its hash is also the URL's stored body, so a lost
    or stale file costs reads, never a wrong page.
    """
    fresh = [pl.read_parquet(b / "file_stamps.parquet") for b in batches
             if (b / "file_stamps.parquet").exists()]
    if not fresh:
        return
    stamps = pl.concat(fresh).unique("url", keep="last")
    earlier = _known_stamps(settings)
    if earlier is not None:
        stamps = pl.concat([earlier.join(stamps, on="url", how="anti"),
                            stamps.select(earlier.columns)])
    path = file_stamps_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    stamps.write_parquet(tmp)
    tmp.replace(path)
