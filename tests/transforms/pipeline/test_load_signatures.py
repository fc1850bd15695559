"""The load's near-duplicate signatures: staged by the clean workers, computed only for
articles staged without one, from the text in the staged files (the load holds no text)."""

from __future__ import annotations

import polars as pl

from transforms.clean.signatures import article_signatures
from transforms.pipeline.stages import _staged_signatures

TEXTS = {
    "a1": "Exports of wheat rose sharply in the first quarter of the year, officials said.",
    "a2": "The central bank kept its key rate unchanged for a third meeting in a row.",
    "a3": "Shipping costs on the route fell to their lowest level since early spring.",
}


def _stage(folder, ids: list[str], with_signatures: list[str]) -> None:
    folder.mkdir()
    articles = pl.DataFrame({"article_id": ids, "url": [f"https://x.test/{a}" for a in ids],
                             "raw_text": [TEXTS[a] for a in ids],
                             "clean_text": [TEXTS[a] for a in ids]})
    articles.write_parquet(folder / "articles.parquet")
    if with_signatures:
        staged = article_signatures(articles.filter(pl.col("article_id").is_in(with_signatures))
                                    .select("article_id", "clean_text"))
        staged.with_columns(url=pl.concat_str(pl.lit("https://x.test/"), "article_id")) \
            .write_parquet(folder / "signatures.parquet")


def _kept(ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"article_id": ids, "url": [f"https://x.test/{a}" for a in ids]})


def _expected(ids: list[str]) -> pl.DataFrame:
    return article_signatures(pl.DataFrame({"article_id": ids,
                                            "clean_text": [TEXTS[a] for a in ids]}))


def test_missing_signatures_are_computed_from_the_staged_text(tmp_path):
    _stage(tmp_path / "b0", ["a1", "a2"], with_signatures=["a1"])
    _stage(tmp_path / "b1", ["a3"], with_signatures=[])
    found = _staged_signatures([tmp_path / "b0", tmp_path / "b1"], _kept(["a1", "a2", "a3"]),
                               article_signatures)
    assert found.select("article_id", "minhash", "story_minhash").equals(
        _expected(["a1", "a2", "a3"]).select("article_id", "minhash", "story_minhash"))


def test_without_any_staged_signatures_every_article_is_computed(tmp_path):
    _stage(tmp_path / "b0", ["a2", "a1"], with_signatures=[])
    found = _staged_signatures([tmp_path / "b0"], _kept(["a2", "a1"]), article_signatures)
    assert found["article_id"].to_list() == ["a1", "a2"]
    assert found.select("minhash").equals(_expected(["a1", "a2"]).select("minhash"))


def test_a_signature_staged_under_another_url_is_not_taken(tmp_path):
    # a1 kept from its own URL; the staged signature belongs to a mirror copy
    _stage(tmp_path / "b0", ["a1"], with_signatures=["a1"])
    mirror = pl.read_parquet(tmp_path / "b0" / "signatures.parquet").with_columns(
        url=pl.lit("https://mirror.test/a1"), minhash=pl.lit([0], dtype=pl.List(pl.Int64)))
    mirror.write_parquet(tmp_path / "b0" / "signatures.parquet")
    found = _staged_signatures([tmp_path / "b0"], _kept(["a1"]), article_signatures)
    assert found["minhash"].to_list() == _expected(["a1"])["minhash"].to_list()
