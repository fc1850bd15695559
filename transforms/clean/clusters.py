"""Story clusters and near-duplicate sources of new articles, from their signatures.

The search and the matrices are called through their modules (search.compare_rows,
signatures.as_matrix) so the frozen all-pairs oracle of
tests/transforms/clean/test_near_duplicates_exact.py can stand in for them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from transforms.clean import search, signatures

OUTPUT_COLUMNS = {
    "article_id": pl.String,
    "story_cluster_id": pl.String,
    "near_duplicate_of": pl.String,
    "near_duplicate_similarity": pl.Float64,
    "story_similarity": pl.Float64,
}


def with_near_duplicates(
    new_signatures: pl.DataFrame,
    stored_signatures: pl.DataFrame,
    *,
    with_story_similarity: bool = False,
) -> pl.DataFrame:
    """Story cluster and near-duplicate source of each new article.

    In: signatures of the new articles, and of everything already stored (same columns,
    optionally story_cluster_id as already stored in raw.articles). Stored articles come
    first; among articles of the same batch the smaller article_id is the earlier.
    Out: one row per new article: story_cluster_id (the cluster of its earliest story-linked
    article, itself when none), near_duplicate_of (the most similar EARLIER article whose
    5-word-shingle similarity reaches the threshold, else null), near_duplicate_similarity
    (its highest shingle similarity to any other compared article, null when there is none)
    and, when with_story_similarity, story_similarity (the same over content words; not a
    raw.articles column yet). The result depends only on the two sets of signatures, not on
    their row order.
    """
    settings = signatures.similarity_settings()
    num_perm = settings["num_perm"]
    new = new_signatures.sort("article_id")
    stored = stored_signatures.filter(~pl.col("article_id").is_in(new["article_id"].implode()))
    stored = stored.sort("article_id")
    if "story_cluster_id" not in stored.columns:
        stored = stored.with_columns(story_cluster_id=pl.lit(None, dtype=pl.String))
    ids = stored["article_id"].to_list() + new["article_id"].to_list()
    stored_cluster = dict(zip(stored["article_id"], stored["story_cluster_id"], strict=True))
    n_stored = stored.height
    shingle, story = (np.vstack([signatures.as_matrix(stored, column, num_perm),
                                 signatures.as_matrix(new, column, num_perm)])
                      for column in ("minhash", "story_minhash"))
    empty = (shingle == signatures.EMPTY).all(axis=1)

    parent = list(range(len(ids)))  # union-find; index order is precedence order

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    new_rows = list(range(n_stored, len(ids)))
    thresholds = (num_perm, settings["min_similarity"], settings["story"]["min_similarity"])
    pairs, sources, best_shingle, best_story = search.compare_rows(
        shingle, story, empty, n_stored, thresholds)
    for row, other in pairs:
        a, b = find(row), find(other)
        parent[max(a, b)] = min(a, b)
    results = []
    for row in new_rows:
        compared = best_shingle[row] >= 0
        source = sources.get(row)
        results.append((ids[row], ids[source] if source is not None else None,
                        float(best_shingle[row]) if compared else None,
                        float(best_story[row]) if compared else None))

    index = {article_id: i for i, article_id in enumerate(ids)}
    rows = []
    for article_id, source, similarity, story_similarity in results:
        root = find(index[article_id])
        cluster = stored_cluster.get(ids[root]) if root < n_stored else None
        rows.append((article_id, cluster or ids[root], source, similarity, story_similarity))
    result = pl.DataFrame(rows, schema=OUTPUT_COLUMNS, orient="row").sort("article_id")
    return result if with_story_similarity else result.drop("story_similarity")
