"""Extracted articles -> clean articles: paragraphs decided, noise measured, sentences
split, near-duplicate signatures computed (in the workers, not by the single writer)."""

from __future__ import annotations

import polars as pl

from transforms.clean.metrics import article_noise_metrics
from transforms.clean.paragraphs import with_paragraph_decisions
from transforms.clean.sentences import with_sentences
from transforms.clean.signatures import article_signatures
from transforms.kernel.rules import rules


def split_paragraphs(extracted: pl.DataFrame) -> pl.DataFrame:
    """Articles (article_id, raw_text) in -> one row per non-blank line of raw_text out:
    article_id, position (0-based among the article's non-blank lines, Int32), text."""
    return (
        extracted.select("article_id", pl.col("raw_text").str.split("\n").alias("text"))
        .explode("text")
        .filter(pl.col("text").str.strip_chars() != "")
        .with_columns(position=pl.int_range(pl.len()).over("article_id").cast(pl.Int32))
        .select("article_id", "position", "text")
    )


def clean_articles(extracted: pl.DataFrame
                   ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Extracted articles in -> (articles with noise metrics, paragraphs, sentences,
    near-duplicate signatures keyed by article_id and url) out."""
    decided = with_paragraph_decisions(split_paragraphs(extracted), extracted.select(
        "article_id", "language", "title", "author", "site_name"))
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
