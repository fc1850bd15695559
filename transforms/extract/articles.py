"""Extracted pages -> article rows: one article per canonical URL, failures to quarantine."""

from __future__ import annotations

import polars as pl

from transforms.extract.page import ExtractionError, extract_page
from transforms.kernel.keys import article_id
from transforms.kernel.quarantine import quarantine_frame, quarantine_row
from transforms.kernel.urls import article_url_problem, normalise_url

ARTICLE_COLUMNS = {
    "article_id": pl.String, "source_name": pl.String, "url": pl.String,
    "canonical_url": pl.String, "title": pl.String, "author": pl.String,
    "published_date": pl.Date, "site_name": pl.String, "language": pl.String,
    "raw_text": pl.String, "extractor": pl.String, "extractor_version": pl.String,
    "extraction_path": pl.String, "content_hash": pl.String, "fetched_at": pl.Datetime("us"),
}


def extract_pages(pages: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fetched pages in -> (articles in ARTICLE_COLUMNS, quarantine rows) out, page by page."""
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
        canonical = _canonical_url(extracted.get("canonical_url"), page["url"])
        articles.append({
            **{k: extracted.get(k) for k in ("title", "author", "published_date", "site_name",
                                             "language", "raw_text", "extraction_path",
                                             "extractor_version")},
            "article_id": article_id(canonical),
            "source_name": page["source_name"],
            "url": page["url"],
            "canonical_url": canonical,
            "extractor": "trafilatura",
            "content_hash": page["content_hash"],
            "fetched_at": page["fetched_at"],
        })
    return pl.DataFrame(articles, schema=ARTICLE_COLUMNS), quarantine_frame(quarantined)


def _canonical_url(declared: str | None, page_url: str) -> str:
    """The page's declared canonical URL when it can be an article's, else its own URL:
    a hostile <link rel=canonical href="javascript:..."> must not become the article's
    key or its stored link."""
    if declared and article_url_problem(declared) is None:
        return normalise_url(declared)
    return normalise_url(page_url)


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
