"""claimledger.eval_extraction: the benchmark's scoring, and the pinned quality floor."""

from __future__ import annotations

import pytest

from claimledger.eval_extraction import (
    eval_dir,
    evaluate_article_benchmark,
    shingle_scores,
    system_outputs,
)


def test_shingle_scores_count_repeated_shingles():
    truth = "one two three four five"
    assert shingle_scores(truth, truth) == (1.0, 1.0)
    # The output repeats the text: 7 shingles, of which only 2 are in the truth (each once;
    # the repeated copies and the 3 shingles spanning the seam are false positives).
    precision, recall = shingle_scores(truth, truth + " " + truth)
    assert precision == pytest.approx(2 / 7)
    assert recall == 1.0


def test_empty_output_scores_zero_precision_unless_truth_is_empty():
    assert shingle_scores("one two three four five", "") == (0.0, 0.0)
    assert shingle_scores("", "")[0] == 1.0


def test_system_outputs_on_a_page_without_article():
    outputs = system_outputs("<html><body><nav>Home</nav></body></html>", "https://x.example/")
    assert outputs["trafilatura_ours"] == outputs["claimledger"] == ""


@pytest.mark.skipif(
    not (eval_dir() / "article-extraction-benchmark").exists(),
    reason="evaluation data not present (../shared/eval or CLAIMLEDGER_EVAL_DIR)",
)
def test_claimledger_beats_bare_trafilatura_on_the_benchmark():
    # The quality floor (STYLE habit 4): raise it as cleaning improves. ~10 s on 2 cores.
    results = evaluate_article_benchmark(workers=2)
    ours, bare = results["claimledger"], results["trafilatura_bare"]
    assert ours["precision"] > bare["precision"]
    assert ours["f1"] >= bare["f1"]
    assert ours["f1"] >= 0.955
