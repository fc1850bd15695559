"""Extracted pages -> article rows: one article per canonical URL, failures to quarantine."""

from __future__ import annotations

import polars as pl

from transforms.extract.page import ExtractionError, extract_page
from transforms.kernel.keys import article_id
from transforms.kernel.quarantine import quarantine_frame, quarantine_row
from transforms.kernel.urls import article_canonical_url, normalise_url

ARTICLE_COLUMNS = {
    "article_id": pl.String, "source_name": pl.String, "url": pl.String,
    "canonical_url": pl.String, "title": pl.String, "author": pl.String,
    "published_date": pl.Date, "site_name": pl.String, "language": pl.String,
    "raw_text": pl.String, "extractor": pl.String, "extractor_version": pl.String,
    "extraction_path": pl.String, "content_hash": pl.String, "fetched_at": pl.Datetime("us"),
}


# What the extraction gives beside the article row: whether the page named its own URL,
# and the URL it named (or the fetch URL), for its copies (transforms/extract/copies.py).
EXTRACTED_COLUMNS = {**ARTICLE_COLUMNS, "names_own_url": pl.Boolean, "declared_url": pl.String}


def extract_pages(pages: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fetched pages in -> (articles in EXTRACTED_COLUMNS, quarantine rows) out, page by
    page."""
    articles, quarantined = [], []
    for page in pages.iter_rows(named=True):
        try:
            extracted = extract_page(page["html"], page["url"])
        except Exception as error:  # one hostile page must never stop the batch
            quarantined.append(page_refusal(page, error))
            continue
        canonical = article_canonical_url(extracted["canonical_url"], page["url"])
        articles.append({
            **{k: extracted.get(k) for k in ("title", "author", "published_date", "site_name",
                                             "language", "raw_text", "extraction_path",
                                             "extractor_version", "names_own_url")},
            "declared_url": extracted["canonical_url"],
            "article_id": article_id(canonical),
            "source_name": page["source_name"],
            "url": page["url"],
            "canonical_url": canonical,
            "extractor": "trafilatura",
            "content_hash": page["content_hash"],
            "fetched_at": page["fetched_at"],
        })
    return pl.DataFrame(articles, schema=EXTRACTED_COLUMNS), quarantine_frame(quarantined)


def page_refusal(page: dict, error: Exception) -> dict:
    """The extract stage's quarantine row for a page (url, source_name, html) that raised
    `error`: an ExtractionError's own reason, stage_error for anything else."""
    if isinstance(error, ExtractionError):
        reason, message = error.reason_code, str(error)
    else:
        reason, message = "stage_error", f"{type(error).__name__}: {error}"
    return quarantine_row(stage="extract", reason_code=reason, message=message,
                          url=page["url"], source_name=page["source_name"],
                          excerpt=page["html"])


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
    return extract_pages(with_staged_bodies(pages, pages_file))


def with_staged_bodies(pages: pl.DataFrame, pages_file: str) -> pl.DataFrame:
    """`pages` (rows of `pages_file` numbered by `_row`) with their `html` read from the
    file, without `_row`."""
    first, last = pages["_row"].min(), pages["_row"].max()
    bodies = pl.scan_parquet(pages_file).slice(first, last - first + 1).select("html") \
        .collect().with_columns(_row=pl.int_range(first, last + 1, dtype=pages["_row"].dtype))
    return pages.join(bodies, on="_row", how="left", maintain_order="left").drop("_row")
