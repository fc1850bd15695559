"""with_sentences: a deterministic rule-based splitter with spans into repaired_text."""

from __future__ import annotations

import polars as pl

from transforms.clean.sentences import SENTENCE_SCHEMA, sentence_spans, with_sentences


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_sentence_spans_split_on_final_punctuation():
    assert split("Trade grew. Exports fell! Why? Nobody knows.") == [
        "Trade grew.", "Exports fell!", "Why?", "Nobody knows."]


def test_sentence_spans_keep_abbreviations_and_acronyms_inside_a_sentence():
    text = "The U.S. President met Dr. Smith on Feb. 3. Talks went well."
    assert split(text) == ["The U.S. President met Dr. Smith on Feb. 3.", "Talks went well."]


def test_sentence_spans_keep_decimals_inside_a_sentence():
    assert split("Trade rose 1.9 percent to $245.5 billion. It slowed later.") == [
        "Trade rose 1.9 percent to $245.5 billion.", "It slowed later."]


def test_sentence_spans_keep_a_multi_sentence_quote_with_its_speaker():
    text = 'Kortunov concludes that "the axis is real. It will last." Others disagree.'
    assert split(text) == ['Kortunov concludes that "the axis is real. It will last."',
                           "Others disagree."]


def test_sentence_spans_split_after_a_closing_quote():
    assert split('They oppose "unilateral sanctions." The idea is simple.') == [
        'They oppose "unilateral sanctions."', "The idea is simple."]


def test_sentence_spans_split_a_quote_run_over_paragraphs_wire_style():
    # Wire copy opens a quote again in each paragraph and closes it only at the end: the
    # unclosed first paragraph is no quotation spanning everything after it.
    text = ('He said growth slowed. "We see risks. "But the direction will not change," '
            'he said. Exports fell 2 percent.')
    assert split(text) == ["He said growth slowed.", '"We see risks.',
                           '"But the direction will not change," he said.',
                           "Exports fell 2 percent."]


def test_sentence_spans_split_before_a_bullet():
    assert split("Demand held up. * Exports to China grew 19.4 percent. * Output rose.") == [
        "Demand held up.", "* Exports to China grew 19.4 percent.", "* Output rose."]


def test_with_sentences_numbers_sentences_across_the_article_in_paragraph_order():
    paragraphs = pl.DataFrame({
        "paragraph_id": ["a-p0001", "a-p0000", "b-p0000"],
        "article_id": ["a", "a", "b"],
        "position": [1, 0, 0],
        "repaired_text": ["Third one. Fourth one.", "  First one. Second one.", "Other."],
    })
    out = with_sentences(paragraphs)
    assert out.schema == pl.Schema(SENTENCE_SCHEMA)
    a = out.filter(pl.col("article_id") == "a")
    assert a["sentence_id"].to_list() == ["a-p0000-s000", "a-p0000-s001", "a-p0001-s000",
                                          "a-p0001-s001"]
    assert a["sentence_index"].to_list() == [0, 1, 2, 3]
    assert a["text"].to_list() == ["First one.", "Second one.", "Third one.", "Fourth one."]
    first = a.row(0, named=True)
    assert (first["char_start"], first["char_end"]) == (2, 12)
    assert out.filter(pl.col("article_id") == "b")["sentence_index"].to_list() == [0]


def test_with_sentences_spans_point_into_repaired_text():
    text = "China and Russia are close. Trade hit $245 billion in 2024."
    paragraphs = pl.DataFrame({"paragraph_id": ["x-p0000"], "article_id": ["x"],
                               "position": [0], "repaired_text": [text]})
    for row in with_sentences(paragraphs).iter_rows(named=True):
        assert text[row["char_start"] : row["char_end"]] == row["text"]
