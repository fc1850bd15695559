"""The quality report a person opens: one self-contained HTML page per run day.

`write_quality_report(settings, run_id, ingest_date)` reads the run's build
database read-only (the marts the quality checks built and the run's rows of
audit.quality_results) and writes warehouse/reports/quality-<date>.html with:
the verdict, every figure inconsistency (the two articles' sentences and values
side by side, or the official reference), the consistency of every figure
group, the rows held out as implausible (check, value, sentence), the noisy
articles with their reasons, and the checks that did not pass. The page is
templates/quality_report.html.j2, autoescaped (scraped text above all); it loads
nothing from anywhere (inline CSS, a CSP that forbids scripts), and wide tables
scroll inside their own box.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from transforms.checks.gate import verdict
from transforms.kernel.settings import Settings
from transforms.reports.pages import render, safe

CHECK_TITLES = {
    "value_conflict": "Articles state different values for the same figure",
    "growth_level_conflict": "A growth rate the levels cannot produce",
    "period_conflict": "A value given for the wrong year",
    "reference_deviation": "A level off the official statistics",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass
class QualityFacts:
    """What the report shows, each a list of row dicts (empty when a mart is missing)."""

    findings: list[dict] = field(default_factory=list)
    consistency: list[dict] = field(default_factory=list)
    noise: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def collect_quality_facts(db: Path, run_id: str) -> QualityFacts:
    """Read the quality marts and the run's check results from the DuckDB file `db`."""
    import duckdb

    facts = QualityFacts()
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        present = {r[0] for r in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables()").fetchall()}
        queries = {
            "findings": ("marts.rpt_figure_findings",
                         "select * from marts.rpt_figure_findings "
                         "order by check_name, period_year, source_name, finding_id"),
            "consistency": ("marts.fct_figure_consistency",
                            "select * from marts.fct_figure_consistency "
                            "order by consistency_status <> 'conflict', flow, reporter, "
                            "partner, commodity, period_year, measure"),
            "rejected": ("marts.rpt_rejected_rows",
                         "select * from marts.rpt_rejected_rows "
                         "order by check_name, source_name, row_id"),
            "noise": ("marts.rpt_article_noise",
                      "select * from marts.rpt_article_noise "
                      "order by source_name, url, noise_flag"),
        }
        for name, (table, sql) in queries.items():
            if table in present:
                setattr(facts, name, _rows(con, sql))
            else:
                facts.missing.append(table)
        if "audit.quality_results" in present:
            facts.checks = _rows(con, """
                select check_source, check_name, severity, status, failing_row_count,
                       failing_sample, message
                from audit.quality_results
                where run_id = ? and status <> 'pass'
                order by severity = 'warn', check_source, check_name""", [run_id])
    return facts


# How the quality report names each verdict of transforms/checks/gate.py.
VERDICT_WORDS = {"fail": "failed", "warn": "warnings", "pass": "passed"}


def report_verdict(facts: QualityFacts) -> str:
    """failed (an error check did not pass) | warnings (findings or warn checks) | passed."""
    return VERDICT_WORDS[verdict(((c["severity"], c["status"]) for c in facts.checks),
                                 findings=len(facts.findings))]


def _figure_label(row: dict) -> str:
    return (f"{row['flow']} {row['reporter']}–{row['partner']} {row['commodity']} "
            f"{row['period_year']} {row['measure']}")


def _number(value: object, measure: str) -> str:
    if value is None:
        return ""
    if measure == "level":
        return f"USD {float(value) / 1e9:,.2f} bn"
    return f"{float(value):+.2f}%"


def render_quality_report(facts: QualityFacts, run_id: str, ingest_date: str) -> str:
    """The report as one HTML document (templates/quality_report.html.j2, autoescaped)."""
    statuses: dict[str, int] = {}
    for g in facts.consistency:
        statuses[g["consistency_status"]] = statuses.get(g["consistency_status"], 0) + 1
    by_article: dict[str, list[dict]] = {}
    for row in facts.noise:
        by_article.setdefault(row["article_id"], []).append(row)
    findings = [(check, title, [f for f in facts.findings if f["check_name"] == check])
                for check, title in CHECK_TITLES.items()]
    return render(
        "quality_report.html.j2", facts=facts, run_id=run_id, ingest_date=ingest_date,
        csp=safe(CSP), outcome=report_verdict(facts), statuses=sorted(statuses.items()),
        counts=[(check, len(rows)) for check, _, rows in findings],
        findings=[finding for finding in findings if finding[2]],
        noise=list(by_article.values()), noisy=len(by_article),
        label=_figure_label, number=_number)


def write_quality_report(settings: Settings, run_id: str, ingest_date: str,
                         db: Path | None = None) -> Path:
    """Write warehouse/reports/quality-<ingest_date>.html from `db` and return its path.

    db: the database to read (default: the build database, which holds this run's
    marts and check results even when the quality gate stopped it from publishing;
    the published copy when no build database exists).
    """
    source = db or (settings.build_db if settings.build_db.exists() else settings.published_db)
    facts = collect_quality_facts(source, run_id)
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    page = settings.reports_dir / f"quality-{ingest_date}.html"
    tmp = page.with_suffix(".html.tmp")
    tmp.write_text(render_quality_report(facts, run_id, ingest_date), encoding="utf-8")
    tmp.replace(page)
    return page
