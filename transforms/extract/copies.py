"""The same bytes are extracted once: later pages with an earlier page's body take its text.

Feeds deliver one article many times: through RSS and a sitemap, syndicated under another
outlet's URL, re-fetched unchanged. trafilatura's text depends on the bytes alone (links,
images and comments are off, transforms/rules/extraction.yml), so a page whose body
(content_hash and content_type, since the charset decides the decoding) equals an earlier
page's in the batch takes that page's text, extraction path and version. Its metadata is
the original's too when the page names its own URL (og:url, canonical link): then no field
depends on the URL it was fetched from (transforms/extract/metadata.py). Otherwise its own
metadata is read, which is a parse and the metadata search, not the text extraction.
A copy of a refused page is refused with the original's reason.
"""

from __future__ import annotations

import polars as pl

from transforms.extract.articles import page_refusal, with_staged_bodies
from transforms.extract.page import page_metadata_fields
from transforms.kernel.keys import article_id
from transforms.kernel.quarantine import QUARANTINE_SCHEMA, quarantine_frame, quarantine_row
from transforms.kernel.urls import article_canonical_url

# Two pages are copies when both are equal: the bytes, and how they are decoded.
BODY_KEY = ("content_hash", "content_type")
# What a copy takes from the original's extraction whatever its URL.
TEXT_FIELDS = ("raw_text", "extraction_path", "extractor_version")
# What it takes too when the original named its own URL.
METADATA_FIELDS = ("title", "author", "published_date", "site_name", "language")


def split_copies(pages: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(each distinct body's first page, the later pages) in the order of `pages`; the later
    ones carry `original_url`, the URL of the first page with their body."""
    first = pl.int_range(pl.len()).over(BODY_KEY) == 0
    originals = pages.filter(first)
    copies = pages.filter(~first).join(
        originals.select(*BODY_KEY, pl.col("url").alias("original_url")),
        on=list(BODY_KEY), how="left", nulls_equal=True, maintain_order="left")
    return originals, copies


def copy_articles(copies: pl.DataFrame, originals: pl.DataFrame, refused: pl.DataFrame
                  ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The copies' article rows from their originals' extraction.

    In: copies (split_copies' second frame, without html), the originals' articles (in
    transforms/extract/articles.py's EXTRACTED_COLUMNS) and the originals' quarantine rows.
    Out: (article rows, in the originals' schema, of copies whose original named its URL;
    copies still needing their own metadata, with their original's text fields; quarantine
    rows of copies whose original was refused).
    """
    extracted = copies.join(
        originals.select(pl.col("url").alias("original_url"), "names_own_url",
                         "declared_url", *TEXT_FIELDS, *METADATA_FIELDS),
        on="original_url", how="inner", maintain_order="left")
    own = extracted.filter(pl.col("names_own_url"))
    rows = [_article_row(page, page, page["declared_url"]) for page in own.iter_rows(named=True)]
    pending = extracted.filter(~pl.col("names_own_url")).drop(*METADATA_FIELDS)
    refusals = copies.join(refused.select(pl.col("url").alias("original_url"), "reason_code",
                                          "error_message", "input_excerpt"),
                           on="original_url", how="inner", maintain_order="left")
    quarantined = [
        {**quarantine_row(stage="extract", reason_code=page["reason_code"],
                          message=f"the same bytes as {page['original_url']}, refused: "
                                  f"{page['error_message']}",
                          url=page["url"], source_name=page["source_name"]),
         "input_excerpt": page["input_excerpt"]}
        for page in refusals.iter_rows(named=True)]
    return pl.DataFrame(rows, schema=originals.schema), pending, \
        pl.DataFrame(quarantined, schema=QUARANTINE_SCHEMA)


def copies_with_own_metadata(pending: pl.DataFrame, schema: dict
                             ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Article rows (in `schema`) of copies whose original did not name its URL: their own
    metadata (read from their `html`), their original's text. Out: (articles, quarantine
    rows)."""
    rows, quarantined = [], []
    for page in pending.iter_rows(named=True):
        try:
            fields = page_metadata_fields(page["html"], page["url"])
        except Exception as error:  # one hostile page must never stop the batch
            quarantined.append(page_refusal(page, error))
            continue
        rows.append(_article_row(page, fields, fields["canonical_url"]))
    return pl.DataFrame(rows, schema=schema), quarantine_frame(quarantined)


def _article_row(page: dict, fields: dict, declared: str | None) -> dict:
    url = article_canonical_url(declared, page["url"])
    return {**{k: fields[k] for k in METADATA_FIELDS}, **{k: page[k] for k in TEXT_FIELDS},
            "article_id": article_id(url), "source_name": page["source_name"],
            "url": page["url"], "canonical_url": url, "extractor": "trafilatura",
            "content_hash": page["content_hash"], "fetched_at": page["fetched_at"],
            "names_own_url": fields["names_own_url"], "declared_url": declared}


def staged_copies_with_own_metadata(pending: pl.DataFrame, pages_file: str, schema: dict
                                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """copies_with_own_metadata over `pending` (rows of `pages_file` numbered by `_row`),
    reading just their bodies from the file, as extract_staged_pages does."""
    return copies_with_own_metadata(with_staged_bodies(pending, pages_file), schema)
