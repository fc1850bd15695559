"""The run summary a person reads: a few lines in the terminal and one HTML page.

Reads the build database read-only (the summary runs after the last writer).
Every scraped string that reaches the HTML page goes through html.escape.
"""

from __future__ import annotations

import html
from contextlib import closing
from pathlib import Path

import duckdb

from transforms.settings import Settings


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    try:
        return con.execute(sql, params or []).fetchall()
    except duckdb.CatalogException:
        return []  # the mart was not built (the run stopped earlier)


def collect_run_facts(settings: Settings, run_id: str, ingest_date: str) -> dict:
    """Counts, trade rows, quarantine and quality results of one run, as plain data."""
    with closing(duckdb.connect(str(settings.build_db), read_only=True)) as con:
        one = lambda sql, params=None: (_query(con, sql, params) or [(0,)])[0][0]  # noqa: E731
        facts = {
            "articles_in_partition": one(
                "select count(*) from raw.articles where ingest_date = ?::date", [ingest_date]),
            "articles_total": one("select count(*) from raw.articles"),
            "paragraphs_kept": one("select count(*) from raw.paragraphs where is_kept"),
            "paragraphs_removed": one("select count(*) from raw.paragraphs where not is_kept"),
            "sentences": one("select count(*) from raw.sentences"),
            "figures": one("select count(*) from raw.figure_mentions"),
            "claims": one("select count(*) from raw.claims"),
            "removal_reasons": _query(con, "select removal_reason, count(*) from raw.paragraphs "
                                           "where not is_kept group by 1 order by 2 desc, 1"),
            "quarantine": _query(con, "select stage, reason_code, url, error_message "
                                      "from raw.quarantine where ingest_date = ?::date "
                                      "order by stage, url", [ingest_date]),
            "trade_rows": _query(con, """
                select a.source_name, t.flow, t.reporter, t.partner, t.commodity,
                       t.period_year, t.value_usd, t.growth_pct, t.is_forecast,
                       t.attributed_to, t.evidence_text
                from marts.fct_trade_figures as t join marts.dim_articles as a using (article_id)
                order by t.period_year nulls last, t.flow, a.source_name"""),
            "stage_counts": _query(con, "select stage, items_in, items_out, items_quarantined, "
                                        "items_unchanged from audit.stage_counts "
                                        "where run_id = ? order by recorded_at, stage",
                                   [run_id]),
            "quality": _query(con, "select check_source, severity, status, count(*) "
                                   "from audit.quality_results where run_id = ? "
                                   "group by all order by all", [run_id]),
            "quality_failures": _query(con, "select check_name, severity, failing_row_count, "
                                            "message from audit.quality_results "
                                            "where run_id = ? and status in ('fail', 'error') "
                                            "order by severity, check_name", [run_id]),
        }
    facts["verdict"] = verdict_of(facts["quality"])
    return facts


def verdict_of(quality: list[tuple]) -> str:
    if not quality:
        return "not checked (the run stopped before the quality checks)"
    failing = {(sev, status) for _, sev, status, _ in quality if status in ("fail", "error")}
    if any(sev == "error" for sev, _ in failing):
        return "FAILED: error checks failed; the warehouse was not published"
    if failing:
        return "passed with warnings"
    return "passed"


def _money(value: float | None) -> str:
    return "" if value is None else f"USD {value / 1e9:,.1f} bn"


def render_text(facts: dict, settings: Settings, report_path: Path) -> str:
    lines = [
        "claimledger run summary",
        f"  articles        {facts['articles_in_partition']} loaded this partition, "
        f"{facts['articles_total']} in the warehouse",
        f"  paragraphs      {facts['paragraphs_kept']} kept, {facts['paragraphs_removed']} removed"
        + (" (" + ", ".join(f"{r} {n}" for r, n in facts["removal_reasons"]) + ")"
           if facts["removal_reasons"] else ""),
        f"  sentences       {facts['sentences']}",
        f"  figures         {facts['figures']}    claims {facts['claims']}",
        f"  trade figures   {len(facts['trade_rows'])}",
    ]
    for source, flow, rep, par, com, year, usd, growth, forecast, _by, _ in facts["trade_rows"]:
        parts = [f"{flow} {rep}-{par}", com, str(year or "period n/a"), _money(usd),
                 f"{growth:+g}%" if growth is not None else "", "forecast" if forecast else ""]
        lines.append(f"    {source:<22} " + "  ".join(p for p in parts if p))
    lines.append(f"  quarantined     {len(facts['quarantine'])}")
    for stage, reason, url, _ in facts["quarantine"][:10]:
        lines.append(f"    {stage}/{reason}: {url}")
    lines.append(f"  quality         {facts['verdict']}")
    for name, severity, rows, _ in facts["quality_failures"][:10]:
        lines.append(f"    {severity}: {name} ({rows} rows)")
    lines += [
        f"  warehouse       {settings.published_db}",
        f"  report          {report_path}",
        f"  data docs       {settings.reports_dir / 'data_docs' / 'index.html'}",
    ]
    return "\n".join(lines)


def render_html(facts: dict, run_id: str, ingest_date: str) -> str:
    e = lambda v: html.escape("" if v is None else str(v))  # noqa: E731

    def table(headers: list[str], rows: list[tuple]) -> str:
        head = "".join(f"<th>{e(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>"
                       for row in rows) or f"<tr><td colspan='{len(headers)}'>none</td></tr>"
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    trade_rows = [(s, f, r, p, c, y, _money(v), g, fc, by, ev)
                  for s, f, r, p, c, y, v, g, fc, by, ev in facts["trade_rows"]]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>claimledger run {e(ingest_date)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}}
table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}td,th{{border:1px solid #ccc;
padding:.25rem .5rem;text-align:left;vertical-align:top}}th{{background:#f3f3f3}}</style>
</head><body>
<h1>claimledger run {e(ingest_date)}</h1>
<p>Run <code>{e(run_id)}</code>. Quality verdict: <strong>{e(facts['verdict'])}</strong>.</p>
<h2>Counts</h2>
{table(["measure", "value"], [
    ("articles loaded this partition", facts["articles_in_partition"]),
    ("articles in the warehouse", facts["articles_total"]),
    ("paragraphs kept", facts["paragraphs_kept"]),
    ("paragraphs removed", facts["paragraphs_removed"]),
    ("sentences", facts["sentences"]), ("figures", facts["figures"]),
    ("claims", facts["claims"])])}
<h2>Stage accounting</h2>
{table(["stage", "in", "out", "quarantined", "unchanged"], facts["stage_counts"])}
<h2>Trade figures</h2>
{table(["source", "flow", "reporter", "partner", "commodity", "year", "value", "growth %",
        "forecast", "attributed to", "evidence"], trade_rows)}
<h2>Removed paragraphs by reason</h2>
{table(["reason", "paragraphs"], facts["removal_reasons"])}
<h2>Quarantine</h2>
{table(["stage", "reason", "url", "error"], facts["quarantine"])}
<h2>Quality checks</h2>
{table(["source", "severity", "status", "checks"], facts["quality"])}
{table(["failing check", "severity", "failing rows", "message"], facts["quality_failures"])}
<p><a href="data_docs/index.html">Great Expectations Data Docs</a></p>
</body></html>
"""


def write_run_report(settings: Settings, run_id: str, ingest_date: str) -> tuple[str, Path]:
    """Write reports/run-<date>.html and reports/summary.txt; return (text, html path)."""
    facts = collect_run_facts(settings, run_id, ingest_date)
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    page = settings.reports_dir / f"run-{ingest_date}.html"
    page.write_text(render_html(facts, run_id, ingest_date), encoding="utf-8")
    text = render_text(facts, settings, page)
    (settings.reports_dir / "summary.txt").write_text(text + "\n", encoding="utf-8")
    return text, page
