"""Decided paragraphs -> one row per article: its clean text, language and noise metrics."""

from __future__ import annotations

import polars as pl

from transforms.clean.language import language_profiles, words
from transforms.clean.paragraphs import cleaning_rules

# Reasons that come from the boilerplate catalogue (counted as boilerplate_line_count).
BOILERPLATE_REASONS = (
    "comment_widget",
    "navigation",
    "call_to_action",
    "empty_field",
    "section_label",
    "image_caption",
    "byline",
    "date_line",
    "title_repeat",
)
REPEAT_REASONS = ("duplicate", "teaser_repeat")


def _is_foreign_expr(paragraph_lang: str, article_lang: str) -> pl.Expr:
    """language.is_foreign over two columns, vectorised: both known (not null, not empty),
    different, and not a compatible pair of languages.yml."""
    paragraph, article = pl.col(paragraph_lang), pl.col(article_lang)
    compatible = [(article == lang) & (paragraph == other)
                  for lang, others in language_profiles().get("compatible", {}).items()
                  for other in others]
    foreign = ((paragraph.fill_null("") != "") & (article.fill_null("") != "")
               & (paragraph != article))
    if compatible:
        foreign = foreign & ~pl.any_horizontal(compatible)
    return foreign.fill_null(False)


def article_noise_metrics(decided_paragraphs: pl.DataFrame) -> pl.DataFrame:
    """One row per article_id: language, clean_text and the raw.articles noise metrics.

    In: the output of with_paragraph_decisions. Out: article_id, language (the most common
    language of its paragraphs by characters, ties to the smaller code), clean_text (kept repaired
    paragraphs joined by "\\n"), paragraph_count, kept_paragraph_count,
    duplicate_paragraph_ratio and duplicate_char_ratio (duplicate + teaser_repeat, share of
    paragraphs / of characters), removed_char_ratio, boilerplate_line_count (catalogue and
    metadata reasons), broken_word_count (repairs), short_line_ratio (paragraphs under
    short_line.max_words words) and foreign_paragraph_count (paragraphs whose detected
    language is not the article's, whatever removed them). Ratios are 0..1, null for an
    article without characters.
    """
    short_max = cleaning_rules()["thresholds"]["short_line"]["max_words"]
    df = decided_paragraphs.sort(["article_id", "position"]).with_columns(
        is_repeat=pl.col("removal_reason").is_in(REPEAT_REASONS).fill_null(False),
        is_boilerplate=pl.col("removal_reason").is_in(BOILERPLATE_REASONS).fill_null(False),
    )
    # One Python pass over the texts (words() is the definition of a word), not a UDF call.
    df = df.with_columns(is_short=pl.Series(
        [len(words(text or "")) < short_max for text in df["text"].to_list()],
        dtype=pl.Boolean))
    languages = (
        df.filter(pl.col("language").is_not_null())
        .group_by("article_id", "language")
        .agg(pl.col("char_count").sum().alias("n"))
        .sort(["article_id", "n", "language"], descending=[False, True, False])
        .group_by("article_id", maintain_order=True)
        .first()
        .select("article_id", pl.col("language").alias("article_language"))
    )
    total_chars = pl.col("char_count").sum()

    def ratio(numerator: pl.Expr) -> pl.Expr:
        return pl.when(total_chars > 0).then(numerator / total_chars).otherwise(None)

    metrics = df.group_by("article_id", maintain_order=True).agg(
        clean_text=pl.col("repaired_text").filter(pl.col("is_kept")).str.join("\n"),
        paragraph_count=pl.len().cast(pl.Int32),
        kept_paragraph_count=pl.col("is_kept").sum().cast(pl.Int32),
        duplicate_paragraph_ratio=pl.col("is_repeat").mean(),
        duplicate_char_ratio=ratio(pl.col("char_count").filter(pl.col("is_repeat")).sum()),
        removed_char_ratio=ratio(pl.col("char_count").filter(~pl.col("is_kept")).sum()),
        boilerplate_line_count=pl.col("is_boilerplate").sum().cast(pl.Int32),
        broken_word_count=pl.col("repair_count").sum().cast(pl.Int32),
        short_line_ratio=pl.col("is_short").mean(),
    )
    metrics = metrics.join(languages, on="article_id", how="left")
    foreign = (
        df.join(languages, on="article_id", how="left")
        .group_by("article_id")
        .agg(
            foreign_paragraph_count=_is_foreign_expr("language", "article_language")
            .sum()
            .cast(pl.Int32)
        )
    )
    return (
        metrics.join(foreign, on="article_id", how="left")
        .rename({"article_language": "language"})
        .select(
            "article_id",
            "language",
            "clean_text",
            "paragraph_count",
            "kept_paragraph_count",
            "duplicate_paragraph_ratio",
            "duplicate_char_ratio",
            "removed_char_ratio",
            "boilerplate_line_count",
            "broken_word_count",
            "short_line_ratio",
            "foreign_paragraph_count",
        )
        .sort("article_id")
    )
