"""The quality report: one self-contained HTML page, every scraped string escaped."""

from __future__ import annotations

from tests.quality.corpora import INGEST_DATE, RUN_ID, settings_for
from transforms.reports.quality_report import (
    QualityFacts,
    render_quality_report,
    write_quality_report,
)


def test_report_shows_conflicts_side_by_side_and_noisy_articles(planted_warehouse, tmp_path):
    settings = settings_for(tmp_path / "corpus", tmp_path / "warehouse")
    page = write_quality_report(settings, RUN_ID, INGEST_DATE, db=planted_warehouse.db)
    assert page == tmp_path / "warehouse" / "reports" / f"quality-{INGEST_DATE}.html"
    text = page.read_text(encoding="utf-8")
    for expected in ("value_conflict", "period_conflict", "growth_level_conflict",
                     "reference_deviation", "$254 billion", "$245 billion", "19%",
                     "eurasia_monitor", "global_affairs_wire", "GACC",
                     "repeated_paragraphs", "comment_widget", "warnings"):
        assert expected in text, expected
    sentence = planted_warehouse.rows(
        "select sentence_text from marts.rpt_figure_findings "
        "where stated_text = '$254 billion' limit 1")[0]["sentence_text"]
    assert sentence.replace("'", "&#x27;").replace('"', "&quot;") in text
    assert "<script" not in text and "http://" not in text.split("<body>")[0]


def test_report_escapes_every_scraped_string():
    hostile = "<script>alert(1)</script>"
    finding = {
        "check_name": "value_conflict", "flow": "bilateral", "reporter": "CHN",
        "partner": "RUS", "commodity": hostile, "period_year": 2024, "measure": "level",
        "source_name": hostile, "stated_text": hostile, "sentence_text": hostile,
        "other_trade_figure_id": "t", "other_source_name": hostile,
        "other_stated_text": hostile, "other_sentence_text": hostile,
        "other_period_year": 2024, "reference_source": None, "reference_value_usd": None,
        "explanation": hostile,
    }
    noise = {"article_id": "a", "title": hostile, "source_name": hostile, "url": hostile,
             "noise_flag": "x", "reason": hostile}
    check = {"check_source": "dbt", "check_name": hostile, "severity": "error",
             "status": "fail", "failing_row_count": 1, "failing_sample": hostile,
             "message": hostile}
    page = render_quality_report(QualityFacts(findings=[finding], noise=[noise],
                                              checks=[check]), hostile, hostile)
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # The verdict span itself, not the word in the page's CSS (.failed{...}).
    assert "<span class='verdict failed'>failed</span>" in page


def test_report_on_agreeing_articles_says_so(sample_warehouse, tmp_path):
    settings = settings_for(tmp_path / "corpus", tmp_path / "warehouse")
    text = write_quality_report(settings, RUN_ID, INGEST_DATE,
                                db=sample_warehouse.db).read_text(encoding="utf-8")
    assert "No inconsistent figures" in text
    assert "corroborated" in text and "single_source" in text
