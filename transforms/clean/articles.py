"""Extracted articles -> clean articles: paragraphs decided, noise measured, sentences
split, near-duplicate signatures computed (in the workers, not by the single writer)."""

from __future__ import annotations

import polars as pl

from transforms.clean.metrics import article_noise_metrics
from transforms.clean.paragraphs import with_paragraph_decisions
from transforms.clean.sentences import with_sentences
from transforms.clean.signatures import article_signatures
from transforms.kernel.limits import limit_quarantine, over_limit
from transforms.kernel.quarantine import quarantine_frame
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


def _quarantined(over: pl.DataFrame, extracted: pl.DataFrame, name: str) -> list[dict]:
    """limit_quarantine rows of the clean stage, each with its article's first text."""
    texts = dict(extracted.filter(pl.col("article_id").is_in(over["article_id"].implode()))
                 .select("article_id", "raw_text").iter_rows())
    return limit_quarantine(over, extracted, name, "clean", texts)


def clean_articles(extracted: pl.DataFrame) -> tuple[pl.DataFrame, ...]:
    """Extracted articles in -> (articles with noise metrics, paragraphs, sentences,
    near-duplicate signatures keyed by article_id and url, quarantine rows) out.

    An article over a cap of transforms/rules/limits.yml (paragraphs before they are
    decided; sentences and sentence length once split) is left out of every output but
    the quarantine, which says which cap and by how much."""
    paragraphs = split_paragraphs(extracted)
    too_many = over_limit(paragraphs.group_by("article_id").len(),
                          "max_paragraphs_per_article", "len")
    quarantined = _quarantined(too_many, extracted, "max_paragraphs_per_article")
    if too_many.height:
        # Refused before any paragraph is decided: the decisions are the stage's cost.
        extracted = extracted.join(too_many, on="article_id", how="anti")
        paragraphs = paragraphs.join(too_many, on="article_id", how="anti")
    decided = with_paragraph_decisions(paragraphs, extracted.select(
        "article_id", "language", "title", "author", "site_name"))
    # Evidence survives cleaning: a lede removed only because it repeats the headline still
    # states its figures, so its sentences are split too (their paragraph says why it is
    # not part of the clean text).
    evidence = decided.filter(pl.col("is_kept") | pl.col("removal_reason").is_in(
        rules("cleaning")["evidence_reasons"]))
    sentences = with_sentences(evidence.select("paragraph_id", "article_id", "position",
                                               "repaired_text"))
    measured = sentences.group_by("article_id").agg(
        count=pl.len(), longest=(pl.col("char_end") - pl.col("char_start")).max())
    refused = []
    for name, column in (("max_sentences_per_article", "count"),
                         ("max_sentence_chars", "longest")):
        over = over_limit(measured, name, column)
        if refused:  # one row per article: the first cap it breaks
            over = over.join(pl.concat(refused), on="article_id", how="anti")
        quarantined += _quarantined(over, extracted, name)
        refused.append(over.select("article_id"))
    refused_ids = pl.concat(refused)
    if refused_ids.height:
        extracted = extracted.join(refused_ids, on="article_id", how="anti")
        decided = decided.join(refused_ids, on="article_id", how="anti")
        sentences = sentences.join(refused_ids, on="article_id", how="anti")
    metrics = article_noise_metrics(decided)
    articles = extracted.drop("language").join(metrics, on="article_id", how="left")
    # MinHash signatures cost ~2.5 ms an article: computed here, in the workers, not by the
    # single writer. Keyed by url too, since two URLs may share an article_id until load.
    signatures = pl.concat([
        article_signatures(part.select("article_id", "clean_text")).with_columns(
            url=pl.lit(part["url"][0]))
        for part in articles.partition_by("url")]) if articles.height else \
        pl.DataFrame(schema={"article_id": pl.String, "minhash": pl.List(pl.Int64),
                             "story_minhash": pl.List(pl.Int64), "url": pl.String})
    return articles, decided, sentences, signatures, quarantine_frame(quarantined)
