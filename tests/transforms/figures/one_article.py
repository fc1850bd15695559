"""One hand-written article through sentences, figures, trade statements and claims: the
frames the figures tests share."""

from __future__ import annotations

import datetime as dt

import polars as pl

from transforms.clean.sentences import with_sentences
from transforms.figures.claims import claims
from transforms.figures.mentions import figure_mentions
from transforms.figures.trade import trade_statements


def statements(*paragraphs: str, published: dt.date | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(trade statements, claims) of an article made of `paragraphs`."""
    frame = pl.DataFrame({
        "paragraph_id": [f"t-p{i:04d}" for i in range(len(paragraphs))],
        "article_id": ["t"] * len(paragraphs),
        "position": list(range(len(paragraphs))),
        "repaired_text": list(paragraphs),
    })
    articles = pl.DataFrame({"article_id": ["t"], "published_date": [published],
                             "title": ["t"]},
                            schema={"article_id": pl.String, "published_date": pl.Date,
                                    "title": pl.String})
    sentences = with_sentences(frame)
    figures = figure_mentions(sentences)
    return trade_statements(sentences, figures, articles), claims(sentences, figures)
