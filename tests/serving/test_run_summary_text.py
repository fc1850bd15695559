"""The terminal summary (run_report.render_text) lists only files that exist and says why
a check without a row count failed."""

from __future__ import annotations

from pathlib import Path

from transforms.kernel.settings import Settings
from transforms.reports.run_report import render_text


def _facts(failures: list[tuple]) -> dict:
    return {
        "articles_in_partition": 0, "articles_total": 0, "paragraphs_kept": 0,
        "paragraphs_removed": 0, "removal_reasons": [], "sentences": 0, "figures": 0,
        "claims": 0, "trade_rows": [], "rejected": [], "rejected_checks": [],
        "quarantine": [], "quarantine_reasons": [], "verdict": "FAILED",
        "quality_failures": failures,
    }


def _settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})


def test_a_run_that_never_published_lists_no_warehouse_parquet_or_docs(tmp_path):
    settings = _settings(tmp_path)
    page = settings.reports_dir / "run-2026-03-02.html"
    text = render_text(_facts([]), settings, page)
    labels = [line.split()[0] for line in text.splitlines()[-3:]]
    assert "report" in labels
    for absent in ("warehouse ", "parquet ", "data docs", "dbt docs", "quality report"):
        assert f"  {absent}" not in text


def test_files_that_exist_are_listed(tmp_path):
    settings = _settings(tmp_path)
    settings.reports_dir.mkdir(parents=True)
    (settings.reports_dir / "dbt_docs.html").write_text("<html></html>")
    (settings.reports_dir / "quality-2026-03-02.html").write_text("<html></html>")
    settings.published_db.write_bytes(b"")
    (settings.reports_dir / "data_docs").mkdir()
    (settings.reports_dir / "data_docs" / "index.html").write_text("<html></html>")
    assert "data docs" not in render_text(_facts([]), settings, settings.reports_dir / "r.html")
    checked = {**_facts([]), "quality": [("great_expectations", "error", "pass", 3)]}
    assert "data docs" in render_text(checked, settings, settings.reports_dir / "r.html")
    text = render_text(_facts([]), settings, settings.reports_dir / "run-2026-03-02.html")
    assert f"  warehouse       {settings.published_db}" in text
    assert f"  dbt docs        {settings.reports_dir / 'dbt_docs.html'}" in text
    assert "quality report  " in text and "parquet" not in text


def test_a_failed_check_without_a_row_count_says_its_message_not_none_rows(tmp_path):
    failures = [("gx.fct_figures.suite", "error", None, "the suite raised KeyError: 'x'\nmore"),
                ("dbt.not_null_x", "error", 3, "3 rows")]
    text = render_text(_facts(failures), _settings(tmp_path), tmp_path / "run-x.html")
    assert "None rows" not in text
    assert "    error: gx.fct_figures.suite (the suite raised KeyError: 'x')" in text
    assert "    error: dbt.not_null_x (3 rows)" in text
