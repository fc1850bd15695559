"""The pipeline's stages as plain functions: what each DAG task calls.

Each stage reads its inputs from a batch folder of Parquet files and writes its
outputs next to them, so parallel (mapped) tasks never share a database: only
`load_partition` and later stages open DuckDB, through transforms.warehouse.
Every function returns something small (a path, a dict of counts).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import shutil
import time
from pathlib import Path

import polars as pl

from transforms.faults import fault_point
from transforms.quarantine import QUARANTINE_SCHEMA, quarantine_frame, quarantine_row
from transforms.rulebook import rules
from transforms.settings import Settings
from transforms.urls import normalise_url

log = logging.getLogger(__name__)

STAGES = ("discover", "fetch", "extract", "clean", "figures")


def _write(batch: Path, name: str, frame: pl.DataFrame, **options) -> None:
    tmp = batch / f".{name}.parquet.tmp"
    frame.write_parquet(tmp, **options)
    tmp.replace(batch / f"{name}.parquet")  # a killed task never leaves half a file


def _read(batch: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(batch / f"{name}.parquet")


def _write_counts(batch: Path, stage: str, items_in: int, items_out: int,
                  quarantined: int) -> dict:
    counts = {"stage": stage, "items_in": items_in, "items_out": items_out,
              "items_quarantined": quarantined, "items_unchanged": 0}
    _write(batch, f"counts_{stage}", pl.DataFrame([counts]))
    return counts


def plan_batches(settings: Settings, ingest_date: str, run_id: str | None = None) -> list[str]:
    """Discover every page of every source; split them into batch folders.

    The day's staging folder is rebuilt from scratch so a rerun never mixes
    outputs of two attempts. With a run_id, the run first claims the warehouse's
    run lease (transforms.run_lock): a second live run refuses here, before it
    deletes the first run's staging folder.
    """
    from transforms.sources import discover

    if run_id is not None:
        from transforms.run_lock import claim_run

        claim_run(settings, run_id, ingest_date)
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
        _write(batch, "discovered", part)
        _write_counts(batch, "discover", part.height, part.height, 0)
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


def fetch_batch(settings: Settings, batch_dir: str, ingest_date: str) -> dict:
    """Fetch the batch's pages into pages.parquet; unreadable ones to quarantine."""
    from transforms.fetch import PAGES_ROW_GROUP_ROWS
    from transforms.http_fetch import fetch_all_pages

    batch = Path(batch_dir)
    discovered = _read(batch, "discovered")
    known = validators_file(settings)
    validators = pl.read_parquet(known) if known.exists() else None
    pages, quarantined = fetch_all_pages(discovered, ingest_date, settings,
                                         validators=validators)
    fault_point("fetch_pages", "before_write")
    # In row groups: polars compresses row groups in parallel, and the extract workers,
    # which read row slices, decompress less.
    _write(batch, "pages", pages, row_group_size=PAGES_ROW_GROUP_ROWS)
    fault_point("fetch_pages", "during_write")
    _write(batch, "quarantine_fetch", quarantined)
    counts = _write_counts(batch, "fetch", discovered.height,
                           pages.filter(pl.col("fetch_outcome") == "fetched").height,
                           quarantined.height)
    unchanged = pages.filter(pl.col("fetch_outcome") == "unchanged").height
    if unchanged:
        counts["items_unchanged"] = unchanged
        _write(batch, "counts_fetch", pl.DataFrame([counts]))
    fault_point("fetch_pages", "after_write")
    return counts


ARTICLE_COLUMNS = {
    "article_id": pl.String, "source_name": pl.String, "url": pl.String,
    "canonical_url": pl.String, "title": pl.String, "author": pl.String,
    "published_date": pl.Date, "site_name": pl.String, "language": pl.String,
    "raw_text": pl.String, "extractor": pl.String, "extractor_version": pl.String,
    "extraction_path": pl.String, "content_hash": pl.String, "fetched_at": pl.Datetime("us"),
}


def article_id_for(canonical_url: str) -> str:
    """Stable article key: one canonical URL is one article, whatever day it is seen."""
    return hashlib.sha1(canonical_url.encode()).hexdigest()[:16]


def extract_pages(pages: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fetched pages in -> (articles in ARTICLE_COLUMNS, quarantine rows) out, page by page."""
    from transforms.extract import ExtractionError, extract_page

    articles, quarantined = [], []
    for page in pages.iter_rows(named=True):
        try:
            extracted = extract_page(page["html"], page["url"])
        except ExtractionError as error:
            quarantined.append(quarantine_row(
                stage="extract", reason_code=error.reason_code, message=str(error),
                url=page["url"], source_name=page["source_name"], excerpt=page["html"]))
            continue
        except Exception as error:  # one hostile page must never stop the batch
            quarantined.append(quarantine_row(
                stage="extract", reason_code="stage_error",
                message=f"{type(error).__name__}: {error}", url=page["url"],
                source_name=page["source_name"], excerpt=page["html"]))
            continue
        canonical = normalise_url(extracted.get("canonical_url") or page["url"])
        articles.append({
            **{k: extracted.get(k) for k in ("title", "author", "published_date", "site_name",
                                             "language", "raw_text", "extraction_path",
                                             "extractor_version")},
            "article_id": article_id_for(canonical),
            "source_name": page["source_name"],
            "url": page["url"],
            "canonical_url": canonical,
            "extractor": "trafilatura",
            "content_hash": page["content_hash"],
            "fetched_at": page["fetched_at"],
        })
    return pl.DataFrame(articles, schema=ARTICLE_COLUMNS), quarantine_frame(quarantined)


def one_page_per_article(articles: pl.DataFrame, stage: str
                         ) -> tuple[pl.DataFrame, list[dict]]:
    """Pages that name the same canonical URL are one article: keep one, quarantine the rest.

    The page that lives at its canonical URL wins, else the first by URL, so a copy never
    displaces the original. Returns (kept articles, duplicate_url quarantine rows).
    """
    if articles.is_empty():
        return articles, []
    ordered = articles.sort(
        pl.col("canonical_url") != pl.col("url").map_elements(normalise_url,
                                                               return_dtype=pl.String),
        "url")
    first = pl.int_range(pl.len()).over("article_id") == 0
    repeats = ordered.filter(~first)
    duplicates = [quarantine_row(
        stage=stage, reason_code="duplicate_url",
        message=f"canonical URL {r['canonical_url']} is already article {r['article_id']}",
        url=r["url"], source_name=r["source_name"]) for r in repeats.iter_rows(named=True)]
    return ordered.filter(first), duplicates


def extract_staged_pages(pages: pl.DataFrame, pages_file: str
                         ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """extract_pages over `pages` (rows of `pages_file` without their html, numbered by
    `_row`), reading the bodies of just these rows from the file.

    Each worker reads its own chunk's bodies: shipped from the batch task instead, the
    pages (~144 MiB of HTML per 1,000), a filtered copy and their pickles sat in the task's
    process at once, which made an extract batch the whole run's memory peak.
    """
    first, last = pages["_row"].min(), pages["_row"].max()
    bodies = pl.scan_parquet(pages_file).slice(first, last - first + 1).select("html") \
        .collect().with_columns(_row=pl.int_range(first, last + 1, dtype=pages["_row"].dtype))
    return extract_pages(pages.join(bodies, on="_row", how="left", maintain_order="left")
                         .drop("_row"))


def extract_batch(batch_dir: str) -> dict:
    """Run the extractor over each fetched page (in worker processes, transforms.parallel);
    failures become quarantine rows."""
    from transforms.parallel import map_frames

    batch = Path(batch_dir)
    pages_file = batch / "pages.parquet"
    columns = [c for c in pl.read_parquet_schema(pages_file) if c != "html"]
    pages = pl.read_parquet(pages_file, columns=columns).with_row_index("_row") \
        .filter(pl.col("fetch_outcome") == "fetched")
    if pages.is_empty():
        frame, quarantined = extract_pages(pages.drop("_row").with_columns(
            html=pl.lit(None, dtype=pl.String)))
    else:
        frame, quarantined = map_frames(
            functools.partial(extract_staged_pages, pages_file=str(pages_file)), pages,
            key="url")
    # Within the batch already, so cleaning never merges two pages into one article.
    frame, duplicates = one_page_per_article(frame.select(list(ARTICLE_COLUMNS)), "extract")
    quarantined = pl.concat([quarantined, quarantine_frame(duplicates)])
    fault_point("extract_articles", "before_write")
    _write(batch, "extracted", frame)
    fault_point("extract_articles", "during_write")
    _write(batch, "quarantine_extract", quarantined)
    counts = _write_counts(batch, "extract", pages.height, frame.height, quarantined.height)
    fault_point("extract_articles", "after_write")
    return counts


def clean_articles(extracted: pl.DataFrame
                   ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Extracted articles in -> (articles with noise metrics, paragraphs, sentences,
    near-duplicate signatures keyed by article_id and url) out."""
    from transforms.clean import article_noise_metrics, with_paragraph_decisions
    from transforms.near_duplicates import article_signatures
    from transforms.sentences import with_sentences

    paragraphs = (
        extracted.select("article_id", pl.col("raw_text").str.split("\n").alias("text"))
        .explode("text")
        .filter(pl.col("text").str.strip_chars() != "")
        .with_columns(position=pl.int_range(pl.len()).over("article_id").cast(pl.Int32))
        .select("article_id", "position", "text")
    )
    decided = with_paragraph_decisions(
        paragraphs, extracted.select("article_id", "language", "title", "author", "site_name"))
    metrics = article_noise_metrics(decided)
    articles = extracted.drop("language").join(metrics, on="article_id", how="left")
    # Evidence survives cleaning: a lede removed only because it repeats the headline still
    # states its figures, so its sentences are split too (their paragraph says why it is
    # not part of the clean text).
    evidence = decided.filter(pl.col("is_kept") | pl.col("removal_reason").is_in(
        rules("cleaning")["evidence_reasons"]))
    sentences = with_sentences(evidence.select("paragraph_id", "article_id", "position",
                                               "repaired_text"))
    # MinHash signatures cost ~2.5 ms an article: computed here, in the workers, not by the
    # single writer. Keyed by url too, since two URLs may share an article_id until load.
    signatures = pl.concat([
        article_signatures(part.select("article_id", "clean_text")).with_columns(
            url=pl.lit(part["url"][0]))
        for part in articles.partition_by("url")]) if articles.height else \
        pl.DataFrame(schema={"article_id": pl.String, "minhash": pl.List(pl.Int64),
                             "story_minhash": pl.List(pl.Int64), "url": pl.String})
    return articles, decided, sentences, signatures


def clean_batch(batch_dir: str) -> dict:
    """Decide every paragraph (kept or removed, with why), add noise metrics, split sentences
    (in worker processes, transforms.parallel)."""
    from transforms.parallel import map_frames

    batch = Path(batch_dir)
    extracted = _read(batch, "extracted")
    articles, decided, sentences, signatures = map_frames(
        clean_articles, extracted.sort("article_id"), key="article_id")
    fault_point("clean_paragraphs", "before_write")
    _write(batch, "articles", articles)
    _write(batch, "paragraphs", decided)
    fault_point("clean_paragraphs", "during_write")
    _write(batch, "sentences", sentences)
    _write(batch, "signatures", signatures)
    counts = _write_counts(batch, "clean", extracted.height, articles.height, 0)
    fault_point("clean_paragraphs", "after_write")
    return counts


def find_figures_in(sentences: pl.DataFrame, articles: pl.DataFrame
                    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Kept sentences and their articles in -> (figures, trade statements, claims) out."""
    from transforms.claims import claims, trade_statements
    from transforms.figures import figure_mentions

    figures = figure_mentions(sentences)
    trades = trade_statements(sentences, figures,
                              articles.select("article_id", "published_date", "title"))
    return figures, trades, claims(sentences, figures)


def figures_batch(batch_dir: str) -> dict:
    """Find every figure, trade statement and claim in the kept sentences (in worker
    processes, transforms.parallel)."""
    from transforms.parallel import map_frames

    batch = Path(batch_dir)
    sentences = _read(batch, "sentences").sort("article_id", maintain_order=True)
    articles = _read(batch, "articles").select("article_id", "published_date", "title")
    figures, trades, claim_rows = map_frames(find_figures_in, sentences, key="article_id",
                                             extra=[articles])
    fault_point("find_figures", "before_write")
    _write(batch, "figure_mentions", figures)
    _write(batch, "trade_statements", trades)
    fault_point("find_figures", "during_write")
    _write(batch, "claims", claim_rows)
    counts = _write_counts(batch, "figures", sentences.height, figures.height, 0)
    fault_point("find_figures", "after_write")
    return counts


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
    from transforms.warehouse import ParquetRows

    parts = []
    for batch in batches:
        if not (batch / f"{name}.parquet").exists():
            continue
        own = pl.read_parquet(batch / "articles.parquet", columns=["article_id", "url"])
        ids = own.join(kept_pairs, on=["article_id", "url"], how="semi")["article_id"]
        parts.append(ParquetRows(batch / f"{name}.parquet", tuple(ids.to_list())))
    return parts


def load_batches(settings: Settings, ingest_date: str, run_id: str,
                 batch_dirs: list[str]) -> dict:
    """The single writer: one transaction replaces the partition with the batches' rows."""
    from transforms import parallel
    from transforms.near_duplicates import article_signatures, with_near_duplicates
    from transforms.page_archive import archive_batch_pages, prune_other_runs
    from transforms.run_lock import claim_run
    from transforms.warehouse import TEXT_COLUMNS, ParquetRows, Warehouse

    claim_run(settings, run_id, ingest_date)  # refuses if another live run took over
    batches = sorted(Path(b) for b in batch_dirs)
    # The articles' text stays in the staged files, read by DuckDB at insert time: held
    # here (and copied by the sort, filter and join below), it grew the writer's memory by
    # ~0.1 GiB per 10,000 articles each time.
    articles = _concat(batches, "articles", exclude=TEXT_COLUMNS)
    quarantine = _concat(batches, "quarantine_fetch", QUARANTINE_SCHEMA)
    quarantine = pl.concat([quarantine, _concat(batches, "quarantine_extract",
                                                QUARANTINE_SCHEMA)])
    # Pages of different batches may still share a canonical URL.
    articles, duplicates = one_page_per_article(articles, "load")
    quarantine = pl.concat([quarantine, quarantine_frame(duplicates)])
    # raw.quarantine's key is sha1(ingest_date|stage|url) (raw_schema.sql): a URL that is
    # quarantined again the next day is a second row, not a key clash failing that load.
    quarantine = quarantine.with_columns(quarantine_id=pl.concat_str(
        pl.lit(ingest_date), "stage", pl.col("url").fill_null(""), separator="|")
        .map_elements(lambda key: hashlib.sha1(key.encode()).hexdigest()[:16],
                      return_dtype=pl.String))
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
    # (transforms/page_archive.py); raw.pages gets every other column and the file's name.
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
