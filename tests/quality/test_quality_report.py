"""The quality report: one self-contained HTML page, every scraped string escaped."""

from __future__ import annotations

from markupsafe import escape

from tests.offline_pages import assert_loads_only_local_files, probe_page
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
    assert str(escape(sentence)) in text  # as the template's autoescape writes it
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


def _wide_facts() -> QualityFacts:
    """A report whose tables hold long unbroken text: stated lists, URLs, samples."""
    long_text = "$245-billion-" * 40
    group = {"flow": "bilateral", "reporter": "CHN", "partner": "RUS", "commodity": "all",
             "period_year": 2024, "measure": "level", "stated_texts": long_text,
             "consensus_value": 245e9, "relative_spread_pct": 0.1,
             "independent_source_count": 2, "consistency_status": "conflict",
             "reference_value_usd": 245e9, "reference_source": "GACC",
             "is_within_reference_tolerance": True, "growth_level_check": None,
             "implied_low_growth_pct": None, "implied_high_growth_pct": None}
    noise = {"article_id": "a", "title": long_text, "source_name": "s",
             "url": "https://news.example/" + "slug-" * 80, "noise_flag": "x", "reason": "r"}
    check = {"check_source": "dbt", "check_name": "c" * 200, "severity": "error",
             "status": "fail", "failing_row_count": 1, "failing_sample": long_text,
             "message": long_text}
    return QualityFacts(consistency=[group] * 3, noise=[noise], checks=[check])


def test_quality_report_loads_no_script_or_style_from_the_network(tmp_path):
    page = tmp_path / "quality.html"
    page.write_text(render_quality_report(_wide_facts(), "r", "2026-03-02"), encoding="utf-8")
    assert assert_loads_only_local_files(page) == 0  # everything is inline


def test_quality_report_is_styled_and_fits_a_1400px_window_with_the_network_off(
        tmp_path, chromium):
    page = tmp_path / "quality.html"
    page.write_text(render_quality_report(_wide_facts(), "r", "2026-03-02"), encoding="utf-8")
    probed = probe_page(chromium, page, styles=[
        ("collapse", "table", "border-collapse"), ("header", "th", "background-color"),
        ("scroll", ".table-wrap", "overflow-x"), ("verdict", ".verdict", "background-color")],
        counts=[("tables", "table"), ("wrapped", ".table-wrap > table")])
    assert probed.console == []
    assert probed.resources == [] and probed.sheets == ["inline"]
    assert probed.scroll_width <= probed.window_width == 1400
    assert probed.styles == {"collapse": "collapse", "header": "rgb(244, 244, 244)",
                             "scroll": "auto", "verdict": "rgb(253, 226, 226)"}
    assert probed.counts["tables"] == probed.counts["wrapped"] == 3
