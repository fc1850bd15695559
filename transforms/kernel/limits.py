"""Bounds on the work one article may cost, and the quarantine rows of articles over them.

The caps are data (transforms/rules/limits.yml); each has its quarantine reason
(reasons.yml quarantine_reasons). An article over a cap is quarantined whole, so what is
cut is one row a user sees with its reason and count, never a silent truncation.
"""

from __future__ import annotations

import polars as pl

from transforms.kernel.quarantine import quarantine_row
from transforms.kernel.rules import rules

# limits.yml key -> the quarantine reason of an article over it, and what is counted.
LIMIT_REASONS = {
    "max_paragraphs_per_article": ("too_many_paragraphs", "paragraphs"),
    "max_sentences_per_article": ("too_many_sentences", "sentences"),
    "max_sentence_chars": ("sentence_too_long", "characters in its longest sentence"),
    "max_figures_per_article": ("too_many_figures", "figures"),
}


def limit(name: str) -> int:
    """One cap of transforms/rules/limits.yml (a key of LIMIT_REASONS)."""
    if name not in LIMIT_REASONS:
        raise KeyError(f"not a limit: {name}")
    return int(rules("limits")[name])


def over_limit(measured: pl.DataFrame, name: str, column: str) -> pl.DataFrame:
    """The rows of `measured` (article_id and `column`, one row per article) whose
    `column` exceeds the cap `name`, as article_id, measured (Int64)."""
    return measured.filter(pl.col(column) > limit(name)).select(
        "article_id", pl.col(column).cast(pl.Int64).alias("measured"))


def limit_quarantine(over: pl.DataFrame, articles: pl.DataFrame, name: str, stage: str,
                     excerpts: dict[str, str] | None = None) -> list[dict]:
    """One quarantine row per article of `over` (over_limit's frame), in `stage`.

    articles: article_id, url, source_name of (at least) those articles; excerpts: text
    to show by article_id (its first characters)."""
    if over.is_empty():
        return []
    reason, what = LIMIT_REASONS[name]
    cap = limit(name)
    known = over.join(articles.select("article_id", "url", "source_name"),
                      on="article_id", how="left")
    return [quarantine_row(
        stage=stage, reason_code=reason,
        message=f"{row['measured']:,} {what} exceed the limit of {cap:,} "
                f"(transforms/rules/limits.yml {name})",
        url=row["url"], source_name=row["source_name"],
        excerpt=(excerpts or {}).get(row["article_id"]))
        for row in known.sort("article_id").iter_rows(named=True)]
