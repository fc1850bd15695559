"""The quality report a person opens: one self-contained HTML page per run day.

`write_quality_report(settings, run_id, ingest_date)` reads the run's build
database read-only (the marts the quality checks built and the run's rows of
audit.quality_results) and writes warehouse/reports/quality-<date>.html with:
the verdict, every figure inconsistency (the two articles' sentences and values
side by side, or the official reference), the consistency of every figure
group, the rows held out as implausible (check, value, sentence), the noisy
articles with their reasons, and the checks that did not pass. Every string
from the warehouse (scraped text above all) goes through html.escape; the page
loads nothing from anywhere (inline CSS, a CSP that forbids scripts).
"""

from __future__ import annotations

import html
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from transforms.checks.gate import verdict
from transforms.kernel.settings import Settings

CHECK_TITLES = {
    "value_conflict": "Articles state different values for the same figure",
    "growth_level_conflict": "A growth rate the levels cannot produce",
    "period_conflict": "A value given for the wrong year",
    "reference_deviation": "A level off the official statistics",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'"
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #ddd;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f4f4f4}.conflict{color:#a00;font-weight:600}.ok{color:#070}
.verdict{font-size:1.2em;padding:.5em 1em;border-radius:4px;display:inline-block}
.passed{background:#e5f5e5}.warnings{background:#fff4d6}.failed{background:#fde2e2}
.side{width:50%}.why{color:#555;font-style:italic}
"""


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


def _e(value: object) -> str:
    return "" if value is None else html.escape(str(value))


def _figure_label(row: dict) -> str:
    return (f"{row['flow']} {row['reporter']}–{row['partner']} {row['commodity']} "
            f"{row['period_year']} {row['measure']}")


def _number(value: object, measure: str) -> str:
    if value is None:
        return ""
    if measure == "level":
        return f"USD {float(value) / 1e9:,.2f} bn"
    return f"{float(value):+.2f}%"


def _table(headers: list[str], cells: list[list[str]]) -> str:
    """An HTML table from already-escaped cells."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in cells)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _side(source: object, text: object, sentence: object, year: object) -> str:
    return (f"<b>{_e(source)}</b> ({_e(year)}): <q>{_e(text)}</q>"
            f"<br><span class=why>{_e(sentence)}</span>")


def _findings_section(findings: list[dict]) -> str:
    if not findings:
        return "<p class=ok>No inconsistent figures: every statement can be true as written.</p>"
    parts = []
    for check, title in CHECK_TITLES.items():
        rows = [f for f in findings if f["check_name"] == check]
        if not rows:
            continue
        cells = []
        for f in rows:
            if f["other_trade_figure_id"] is not None:
                other = _side(f["other_source_name"], f["other_stated_text"],
                              f["other_sentence_text"], f["other_period_year"])
            else:
                other = (f"<b>{_e(f['reference_source'])}</b> (official statistics)"
                         + (f": {_e(_number(f['reference_value_usd'], 'level'))}"
                            if f["reference_value_usd"] is not None else ""))
            cells.append([_e(_figure_label(f)),
                          _side(f["source_name"], f["stated_text"], f["sentence_text"],
                                f["period_year"]),
                          other, f"<span class=why>{_e(f['explanation'])}</span>"])
        parts.append(f"<h3>{_e(title)} <code>{_e(check)}</code> ({len(rows)})</h3>"
                     + _table(["figure", "this article", "contradicts", "why"], cells))
    return "".join(parts)


def _consistency_section(groups: list[dict]) -> str:
    if not groups:
        return "<p>No trade figure with a year was stated.</p>"
    cells = []
    for g in groups:
        status = g["consistency_status"]
        css = "conflict" if status == "conflict" else "ok"
        reference = ""
        if g["reference_value_usd"] is not None:
            within = "within tolerance" if g["is_within_reference_tolerance"] else "OFF"
            reference = (f"{_e(g['reference_source'])} "
                         f"{_e(_number(g['reference_value_usd'], 'level'))} ({within})")
        growth = ""
        if g["growth_level_check"] is not None:
            growth = _e(g["growth_level_check"])
            if g["implied_low_growth_pct"] is not None:
                growth += (f" (levels imply {g['implied_low_growth_pct']:+.2f}% to "
                           f"{g['implied_high_growth_pct']:+.2f}%)")
        cells.append([_e(_figure_label(g)), _e(g["stated_texts"]),
                      _e(_number(g["consensus_value"], g["measure"])),
                      _e(g["relative_spread_pct"]), _e(g["independent_source_count"]),
                      f"<span class={css}>{_e(status)}</span>", reference, growth])
    return _table(["figure", "stated", "consensus (median)", "spread %", "independent sources",
                   "status", "official statistics", "growth vs levels"], cells)


def _rejected_section(rejected: list[dict]) -> str:
    if not rejected:
        return "<p class=ok>No row was held out: every trade row met its plausibility bounds.</p>"
    cells = [[f"<code>{_e(r['check_name'])}</code><br>"
              f"<span class=why>{_e(r['check_description'])}</span>",
              f"{_e(r['column_name'])} = {_e(r['offending_value'])}<br>"
              f"<small>required: {_e(r['requirement'])}</small>",
              f"<q>{_e(r['figure_raw_text'])}</q><br>"
              f"<span class=why>{_e(r['sentence_text'])}</span>",
              _e(r["source_name"])] for r in rejected]
    return ("<p>Odd input, not a bug: these rows are kept out of the marts "
            "(<code>marts.rpt_rejected_rows</code>) and the rest of the day published.</p>"
            + _table(["check", "value", "figure and sentence", "source"], cells))


def _noise_section(noise: list[dict]) -> str:
    if not noise:
        return "<p class=ok>No article raised a noise flag.</p>"
    by_article: dict[str, list[dict]] = {}
    for row in noise:
        by_article.setdefault(row["article_id"], []).append(row)
    cells = []
    for rows in by_article.values():
        first = rows[0]
        reasons = "".join(f"<li><code>{_e(r['noise_flag'])}</code>: {_e(r['reason'])}</li>"
                          for r in rows)
        cells.append([f"<b>{_e(first['title'])}</b><br>{_e(first['source_name'])}<br>"
                      f"<small>{_e(first['url'])}</small>", f"<ul>{reasons}</ul>"])
    return _table(["article", "flags and reasons"], cells)


def _checks_section(checks: list[dict]) -> str:
    if not checks:
        return "<p class=ok>Every dbt test and Great Expectations check passed.</p>"
    cells = [[_e(c["check_source"]), _e(c["check_name"]), _e(c["severity"]), _e(c["status"]),
              _e(c["failing_row_count"]), _e(c["message"]),
              f"<pre>{_e(c['failing_sample'])}</pre>" if c["failing_sample"] else ""]
             for c in checks]
    return _table(["source", "check", "severity", "status", "rows", "message",
                   "failing rows (sample)"], cells)


def render_quality_report(facts: QualityFacts, run_id: str, ingest_date: str) -> str:
    """The report as one HTML document (every warehouse string escaped)."""
    outcome = report_verdict(facts)
    counts = {check: sum(f["check_name"] == check for f in facts.findings)
              for check in CHECK_TITLES}
    statuses: dict[str, int] = {}
    for g in facts.consistency:
        statuses[g["consistency_status"]] = statuses.get(g["consistency_status"], 0) + 1
    noisy = len({r["article_id"] for r in facts.noise})
    summary = (
        "<ul>"
        f"<li>figure groups: {_e(', '.join(f'{k} {v}' for k, v in sorted(statuses.items())))}"
        "</li>"
        f"<li>findings: {_e(', '.join(f'{k} {v}' for k, v in counts.items()))}</li>"
        f"<li>rows held out as implausible: {len(facts.rejected)}</li>"
        f"<li>noisy articles: {noisy}</li>"
        f"<li>checks not passing: {len(facts.checks)}</li>"
        "</ul>")
    missing = (f"<p>Not in this warehouse: {_e(', '.join(facts.missing))}.</p>"
               if facts.missing else "")
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>claimledger quality {_e(ingest_date)}</title><style>{STYLE}</style></head>"
        f"<body><h1>claimledger quality report {_e(ingest_date)}</h1>"
        f"<p>run <code>{_e(run_id)}</code> — verdict "
        f"<span class='verdict {outcome}'>{outcome}</span></p>{summary}{missing}"
        "<h2>Inconsistent figures</h2>" + _findings_section(facts.findings)
        + "<h2>Figure consistency</h2>"
        "<p>Each statement stands for the interval its wording allows (\"$245 billion\" is "
        "244.5–245.5 billion); statements conflict when those intervals do not meet. "
        "Near-duplicate copies count as one source. See docs/quality.md.</p>"
        + _consistency_section(facts.consistency)
        + "<h2>Rows held out as implausible</h2>" + _rejected_section(facts.rejected)
        + "<h2>Noisy articles</h2>" + _noise_section(facts.noise)
        + "<h2>Checks that did not pass</h2>" + _checks_section(facts.checks)
        + "</body></html>")


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
