"""The run summary a person reads: a few lines in the terminal and one HTML page.

`write_run_report(settings, run_id, ingest_date)` reads the build database
read-only (the summary runs after the last writer; when a writer holds it, the
published database instead), writes reports/run-<date>.html and
reports/summary.txt, and returns (summary text, page path).

The page is self-contained: no script, no network (a Content-Security-Policy
forbids both), one inline SVG chart drawn here. Every value that reaches the page
goes through html.escape: titles, sentences and source names are scraped text.
"""

from __future__ import annotations

import html
import math
from contextlib import closing
from pathlib import Path

import duckdb

from transforms.checks import gate
from transforms.kernel.settings import Settings
from transforms.publish.versions import Layout, current_version, list_versions

# Colours of the chart's sources, in order of first appearance (Okabe–Ito, colour-blind safe).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
           "#000000")
CONSISTENCY_MART = "fct_figure_consistency"  # added by the quality checks; may be absent
# Its columns the page shows, when present (a person reads the status and the sources).
CONSISTENCY_COLUMNS = ("consistency_status", "status", "flow", "reporter", "partner",
                       "commodity", "period_year", "is_forecast", "measure",
                       "independent_source_count", "stated_texts", "growth_level_check")
MAX_TABLE_ROWS = 200
SUMMARY_ROWS = 10  # rows of a list the terminal summary shows; the HTML report shows all
PIPELINE_STAGES = ("discover", "fetch", "extract", "clean", "figures", "load")


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    try:
        return con.execute(sql, params or []).fetchall()
    except duckdb.CatalogException:
        return []  # the mart was not built (the run stopped earlier)


def open_run_database(settings: Settings) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """A read-only connection to the build database, or to the published one when a
    writer holds the build database (or it does not exist); returns (connection, path)."""
    for path in (settings.build_db, settings.published_db):
        if not path.exists():
            continue
        try:
            return duckdb.connect(str(path), read_only=True), path
        except duckdb.IOException:
            continue  # locked by a writer: fall back to the published copy
    raise FileNotFoundError(f"no warehouse database under {settings.warehouse_dir}: "
                            "run `make run` first")


def last_run(settings: Settings) -> tuple[str, str] | None:
    """(run_id, ingest_date) of the last run recorded in the warehouse, or None."""
    con, _ = open_run_database(settings)
    with closing(con):
        rows = _query(con, "select run_id, ingest_date::varchar from audit.stage_counts "
                           "order by recorded_at desc limit 1")
    return (rows[0][0], rows[0][1]) if rows else None


def collect_run_facts(settings: Settings, run_id: str, ingest_date: str) -> dict:
    """Counts, trade rows, conflicts, noise, quarantine and quality of one run, as plain data."""
    con, source_db = open_run_database(settings)
    with closing(con):
        one = lambda sql, params=None: (_query(con, sql, params) or [(0,)])[0][0]  # noqa: E731
        facts = {
            "database": source_db,
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
            "quarantine_reasons": _query(con, "select stage || '/' || reason_code, count(*) "
                                              "from raw.quarantine where ingest_date = ?::date "
                                              "group by 1 order by 2 desc, 1", [ingest_date]),
            "rejected": _query(con, """
                select check_name, figure_raw_text, sentence_text
                from marts.rpt_rejected_rows order by check_name, row_id"""),
            "rejected_checks": _query(con, "select check_name, count(*) "
                                           "from marts.rpt_rejected_rows "
                                           "group by 1 order by 2 desc, 1"),
            "trade_rows": _query(con, """
                select a.source_name, t.flow, t.reporter, t.partner, t.commodity,
                       t.period_year,
                       -- a level without a dollar value of its year shows as stated
                       struct_pack(value := coalesce(t.value_usd, t.value_native),
                                   currency := case when t.value_usd is not null then 'USD'
                                                    else t.currency end) as stated_value,
                       t.growth_pct, t.is_forecast, t.attributed_to, t.evidence_text
                from marts.fct_trade_figures as t join marts.dim_articles as a using (article_id)
                order by t.period_year nulls last, t.flow, a.source_name"""),
            "chart_rows": _query(con, """
                select t.trade_figure_id, a.source_name, t.period_year, t.value_usd,
                       t.flow, t.reporter, t.partner, t.commodity, t.value_raw_text
                from marts.fct_trade_figures as t join marts.dim_articles as a using (article_id)
                where t.value_usd is not null and t.period_year is not null
                order by t.period_year, a.source_name, t.trade_figure_id"""),
            "noise_by_source": _query(con, """
                with articles as (
                    select source_name, count(*) as articles,
                           sum(paragraph_count - kept_paragraph_count) as removed_paragraphs,
                           sum(paragraph_count) as paragraphs,
                           avg(removed_char_ratio) as removed_char_ratio,
                           avg(duplicate_paragraph_ratio) as duplicate_paragraph_ratio,
                           sum(boilerplate_line_count) as boilerplate_lines
                    from marts.dim_articles group by source_name
                ),
                quarantined as (
                    select source_name, count(*) as quarantined
                    from marts.rpt_quarantine group by source_name
                )
                select coalesce(a.source_name, q.source_name), coalesce(a.articles, 0),
                       a.removed_paragraphs, a.paragraphs, round(a.removed_char_ratio, 3),
                       round(a.duplicate_paragraph_ratio, 3), a.boilerplate_lines,
                       coalesce(q.quarantined, 0)
                from articles as a full join quarantined as q using (source_name)
                order by a.removed_char_ratio desc nulls last, 1"""),
            "articles": _query(con, """
                select title, source_name, published_date, language,
                       kept_paragraph_count || ' / ' || paragraph_count, sentence_count,
                       figure_count, trade_figure_count, claim_count, url
                from marts.dim_articles
                order by ingest_date desc, source_name, title"""),
            "conflicts": _consistency(con),
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


def _consistency(con: duckdb.DuckDBPyConnection) -> dict | None:
    """Groups of marts.fct_figure_consistency, conflicts first; None when the mart is absent.

    The mart belongs to the quality checks; its columns are read, not assumed (the
    status column may be `consistency_status` or `status`), so the report keeps
    working as it changes.
    """
    columns = [r[0] for r in _query(con, "select column_name from duckdb_columns() "
                                         "where schema_name = 'marts' and table_name = ? "
                                         "order by column_index", [CONSISTENCY_MART])]
    if not columns:
        return None
    status = next((c for c in ("consistency_status", "status") if c in columns), None)
    shown = [c for c in CONSISTENCY_COLUMNS if c in columns] or columns
    select = ", ".join(f'"{c}"' for c in shown)
    order = (f"order by \"{status}\" <> 'conflict', \"{status}\", 1" if status
             else "order by 1")
    rows = _query(con, f"select {select} from marts.{CONSISTENCY_MART} {order} "
                       f"limit {MAX_TABLE_ROWS}")
    by_status = (_query(con, f'select "{status}", count(*) from marts.{CONSISTENCY_MART} '
                             "group by 1 order by 2 desc, 1") if status else [])
    return {"columns": shown, "rows": rows, "by_status": by_status}


# How the summary says each verdict of transforms/checks/gate.py.
VERDICT_LINES = {
    "fail": "FAILED: error checks failed; the warehouse was not published",
    "warn": "passed with warnings",
    "pass": "passed",
}


def verdict_of(quality: list[tuple]) -> str:
    """One line from (check_source, severity, status, count) rows of a run's checks."""
    if not quality:
        return "not checked (the run stopped before the quality checks)"
    return VERDICT_LINES[gate.verdict((severity, status) for _, severity, status, _ in quality)]


def _money(value: float | dict | None) -> str:
    """ "USD 245.0 bn" from a dollar value or a {value, currency} as stated."""
    currency = "USD"
    if isinstance(value, dict):
        value, currency = value["value"], value["currency"] or "?"
    return "" if value is None else f"{currency} {value / 1e9:,.1f} bn"


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
        f"  trade figures   {len(facts['trade_rows'])}"
        + ("  (no trade statement in these articles)" if not facts["trade_rows"] else ""),
    ]
    for source, flow, rep, par, com, year, usd, growth, forecast, _by, _ in \
            facts["trade_rows"][:SUMMARY_ROWS]:
        parts = [f"{flow} {rep}-{par}", com, str(year or "period n/a"), _money(usd),
                 f"{growth:+g}%" if growth is not None else "", "forecast" if forecast else ""]
        lines.append(f"    {source:<22} " + "  ".join(p for p in parts if p))
    if len(facts["trade_rows"]) > SUMMARY_ROWS:
        lines.append(f"    ... and {len(facts['trade_rows']) - SUMMARY_ROWS} more (see the report)")
    rejected = facts.get("rejected", [])
    lines.append(f"  rejected rows   {len(rejected)}" + (
        " held out of the marts as implausible (" + ", ".join(
            f"{check} {n}" for check, n in facts["rejected_checks"]) + ")" if rejected else ""))
    for check, raw_text, sentence in rejected[:SUMMARY_ROWS]:
        lines.append(f"    {check}: {_printable(raw_text)} in \"{_printable(sentence)[:80]}\"")
    lines.append(f"  quarantined     {len(facts['quarantine'])} inputs" + (
        " (" + ", ".join(f"{why} {n}" for why, n in facts["quarantine_reasons"]) + ")"
        if facts["quarantine"] else ""))
    for stage, reason, url, _ in facts["quarantine"][:SUMMARY_ROWS]:
        lines.append(f"    {stage}/{reason}: {_printable(url)}")
    lines.append(f"  quality         {facts['verdict']}")
    for name, severity, rows, message in facts["quality_failures"][:10]:
        # a check that could not count rows (a suite that raised) says why instead
        said = (f"{rows} rows" if rows is not None
                else _printable(str(message or "no row count").split("\n")[0])[:100])
        lines.append(f"    {severity}: {name} ({said})")
    warehouse = settings.warehouse_dir
    quality_page = report_path.with_name(report_path.name.replace("run-", "quality-"))
    files = [  # only what exists: a run that did not publish has no parquet or dbt docs
        ("warehouse", settings.published_db, ""),
        ("parquet", warehouse / "parquet",
         f"  (views: {warehouse / 'claimledger_parquet.duckdb'})"),
        ("report", report_path, f"\n                  {report_path.resolve().as_uri()}"),
        ("quality report", quality_page, ""),
        *([("data docs", settings.reports_dir / "data_docs" / "index.html", "")]
          if any(source == "great_expectations" for source, *_ in facts.get("quality", []))
          else []),  # an earlier run's Data Docs when this run's checks never ran
        ("dbt docs", settings.reports_dir / "dbt_docs.html", ""),
    ]
    lines += [f"  {label:<15} {path}{extra}" for label, path, extra in files
              if path == report_path or path.exists()]
    return "\n".join(lines)


def _printable(value: object) -> str:
    """Scraped text for a terminal: control characters (escape sequences) as '?'."""
    return "".join(c if c.isprintable() else "?" for c in str(value))


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _nice_step(span: float) -> float:
    """A round tick step (1, 2 or 5 × 10^k) giving about five ticks over `span`."""
    raw = max(span, 1e-9) / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 5, 10) if f * power >= raw)


def trade_chart_svg(rows: list[tuple], width: int = 760, height: int = 340) -> str:
    """An inline SVG: trade levels (USD bn) by period year, one circle per trade figure.

    rows: (trade_figure_id, source_name, period_year, value_usd, flow, reporter,
    partner, commodity, value_raw_text), value_usd in full US dollars. Each source has
    a colour; marks of one year are spread by source so equal figures stay visible.
    Each circle has class "mark", its trade_figure_id and a <title> tooltip.
    """
    if not rows:
        return "<p>No trade figure with both a level and a year to chart.</p>"
    left, right, top, bottom = 70, 190, 20, 45
    plot_w, plot_h = width - left - right, height - top - bottom
    years = sorted({r[2] for r in rows})
    sources = list(dict.fromkeys(r[1] for r in rows))
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sources)}
    top_bn = max(r[3] for r in rows) / 1e9
    step = _nice_step(top_bn)
    y_max = step * (int(top_bn / step) + 1)
    band = plot_w / len(years)

    def y_of(bn: float) -> float:
        return top + plot_h - bn / y_max * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="trade-chart" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-labelledby="trade-chart-title">',
             '<title id="trade-chart-title">Trade levels by period year and source, '
             'USD billion</title>',
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
             'stroke="#ccc"/>']
    tick = 0.0
    while tick <= y_max + 1e-9:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="11">{tick:,.0f}</text>')
        tick += step
    parts.append(f'<text x="14" y="{top + plot_h / 2:.0f}" font-size="11" '
                 f'transform="rotate(-90 14 {top + plot_h / 2:.0f})" text-anchor="middle">'
                 'USD billion</text>')
    for i, year in enumerate(years):
        x = left + band * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                     f'font-size="12">{_e(year)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle" '
                 'font-size="11">period year</text>')
    spread = min(band * 0.7, 24 * len(sources))
    for figure_id, source, year, usd, flow, rep, par, commodity, raw in rows:
        offset = ((sources.index(source) + 0.5) / len(sources) - 0.5) * spread
        x = left + band * (years.index(year) + 0.5) + offset
        label = f"{source}: {flow} {rep}-{par} {commodity} {year}: {_money(usd)} ({raw})"
        parts.append(f'<circle class="mark" data-trade-figure-id="{_e(figure_id)}" '
                     f'cx="{x:.1f}" cy="{y_of(usd / 1e9):.1f}" r="6" fill="{colour[source]}" '
                     f'fill-opacity="0.85" stroke="#333"><title>{_e(label)}</title></circle>')
    for i, source in enumerate(sources):
        y = top + 14 + i * 18
        parts.append(f'<circle cx="{width - right + 16}" cy="{y - 4}" r="5" '
                     f'fill="{colour[source]}"/>')
        parts.append(f'<text x="{width - right + 26}" y="{y}" font-size="12">{_e(source)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _table(headers: list[str], rows: list[tuple], css_id: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>"
                   for row in rows[:MAX_TABLE_ROWS]) \
        or f"<tr><td colspan='{len(headers)}'>none</td></tr>"
    attr = f' id="{css_id}"' if css_id else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _conflicts_section(conflicts: dict | None) -> str:
    if conflicts is None:
        return ("<p>marts.fct_figure_consistency is not in this warehouse, so figures are "
                "not compared here; see the corroboration counts in the trade figures.</p>")
    summary = ", ".join(f"{_e(s)} {_e(n)}" for s, n in conflicts["by_status"])
    verdict = ("" if not conflicts["by_status"]
               or any(s == "conflict" for s, _ in conflicts["by_status"])
               else "No group of figures is in conflict. ")
    return ((f"<p>{verdict}Groups by status: {summary}.</p>" if summary else "")
            + _table(conflicts["columns"], conflicts["rows"], "conflicts"))


CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(facts: dict, run_id: str, ingest_date: str) -> str:
    """The run's page: verdict, chart, conflicts, noise, trade figures, checks (escaped)."""
    trade_rows = [(s, f, r, p, c, y, _money(v), g, fc, by, ev)
                  for s, f, r, p, c, y, v, g, fc, by, ev in facts["trade_rows"]]
    unplotted = len(facts["trade_rows"]) - len(facts["chart_rows"])
    verdict = facts["verdict"]
    verdict_class = "bad" if verdict.startswith("FAILED") else \
        "warn" if "warn" in verdict or verdict.startswith("not") else "good"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>claimledger run {_e(ingest_date)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem;color:#222}}
table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}td,th{{border:1px solid #ccc;
padding:.25rem .5rem;text-align:left;vertical-align:top}}th{{background:#f3f3f3}}
.verdict{{padding:.2rem .5rem;border-radius:.25rem}}.good{{background:#d9f2e3}}
.warn{{background:#fdf0c8}}.bad{{background:#f8d4d4}}td{{max-width:40rem}}</style>
</head><body>
<h1>claimledger run {_e(ingest_date)}</h1>
<p>Run <code>{_e(run_id)}</code>. Quality verdict:
<strong class="verdict {verdict_class}" id="verdict">{_e(verdict)}</strong>.
Read from <code>{_e(facts['database'].name)}</code>
({_e(facts['database'].parent.name)}).</p>
<h2>Trade figures by period and source</h2>
{trade_chart_svg(facts["chart_rows"])}
<p>{len(facts["chart_rows"])} trade figures charted; {unplotted} not charted (no level or no
year: growth-only statements and undated forecasts).</p>
<h2>Figures in conflict</h2>
{_conflicts_section(facts["conflicts"])}
<h2>Noise by source</h2>
{_table(["source", "articles", "paragraphs removed", "paragraphs", "mean removed char ratio",
         "mean duplicate paragraph ratio", "boilerplate lines", "inputs quarantined"],
        facts["noise_by_source"], "noise")}
<h2>Quality checks</h2>
{_table(["source", "severity", "status", "checks"], facts["quality"])}
{_table(["failing check", "severity", "failing rows", "message"], facts["quality_failures"])}
<h2>Counts</h2>
{_table(["measure", "value"], [
    ("articles loaded this partition", facts["articles_in_partition"]),
    ("articles in the warehouse", facts["articles_total"]),
    ("paragraphs kept", facts["paragraphs_kept"]),
    ("paragraphs removed", facts["paragraphs_removed"]),
    ("sentences", facts["sentences"]), ("figures", facts["figures"]),
    ("claims", facts["claims"])])}
<h2>Stage accounting</h2>
{_table(["stage", "in", "out", "quarantined", "unchanged"], facts["stage_counts"])}
<h2>Articles</h2>
{_table(["title", "source", "published", "language", "paragraphs kept", "sentences",
         "figures", "trade figures", "claims", "url"], facts.get("articles", []), "articles")}
<h2>Trade figures</h2>
{_table(["source", "flow", "reporter", "partner", "commodity", "year", "value", "growth %",
         "forecast", "attributed to", "evidence"], trade_rows, "trade-figures")}
<h2>Rows held out as implausible</h2>
<p>Each failed a plausibility check (bounds in expectations/thresholds.yml); the rest of the
day published. <code>marts.rpt_rejected_rows</code> has them with the offending value.</p>
{_table(["check", "figure as written", "sentence"], facts.get("rejected", []), "rejected")}
<h2>Removed paragraphs by reason</h2>
{_table(["reason", "paragraphs"], facts["removal_reasons"])}
<h2>Quarantine</h2>
{_table(["stage", "reason", "url", "error"], facts["quarantine"])}
<p><a href="quality-{_e(ingest_date)}.html">quality report</a> ·
<a href="data_docs/index.html">Great Expectations Data Docs</a> ·
<a href="dbt_docs.html">dbt docs (the documented schema)</a></p>
</body></html>
"""


def write_run_report(settings: Settings, run_id: str, ingest_date: str) -> tuple[str, Path]:
    """Write reports/run-<date>.html and reports/summary.txt; return (text, html path)."""
    facts = collect_run_facts(settings, run_id, ingest_date)
    settings.reports_dir.mkdir(parents=True, exist_ok=True)
    page = settings.reports_dir / f"run-{ingest_date}.html"
    tmp = page.with_name(page.name + ".tmp")
    tmp.write_text(render_html(facts, run_id, ingest_date), encoding="utf-8")
    tmp.replace(page)
    text = render_text(facts, settings, page)
    (settings.reports_dir / "summary.txt").write_text(text + "\n", encoding="utf-8")
    return text, page


def collect_status(settings: Settings, runs: int = 5) -> dict:
    """What `claimledger status` shows, as plain data, from the published database.

    runs: the last `runs` runs recorded in its audit tables, each (run_id, ingest_date,
    finished_at, verdict, [(stage, items_in, items_out, quarantined, unchanged)]);
    marts: rows per mart; versions/current: the published versions; unpublished:
    runs in the build database newer than the served data (failed checks, or a run
    still going), or a note when the build database is held by a writer.
    """

    layout = Layout.of(settings)
    facts: dict = {"published_db": settings.published_db, "runs": [], "marts": [],
                   "versions": list_versions(layout), "current": current_version(layout),
                   "unpublished": []}
    if not settings.published_db.exists():
        return facts
    with closing(duckdb.connect(str(settings.published_db), read_only=True)) as con:
        recent = _query(con, "select run_id, ingest_date::varchar, max(recorded_at) "
                             "from audit.stage_counts group by all "
                             "order by 3 desc limit ?", [runs])
        for run_id, ingest_date, finished in recent:
            quality = _query(con, "select check_source, severity, status, count(*) "
                                  "from audit.quality_results where run_id = ? group by all",
                             [run_id])
            stages = _query(con, "select stage, items_in, items_out, items_quarantined, "
                                 "items_unchanged from audit.stage_counts where run_id = ? "
                                 "order by list_position(?, stage) nulls last, stage",
                            [run_id, list(PIPELINE_STAGES)])
            facts["runs"].append((run_id, ingest_date, finished, verdict_of(quality), stages))
        for (table,) in _query(con, "select table_name from duckdb_tables() "
                                    "where schema_name = 'marts' order by 1"):
            facts["marts"].append((table, con.execute(
                f'select count(*) from marts."{table}"').fetchone()[0]))
        served_runs = {r[0] for r in _query(con, "select distinct run_id from audit.stage_counts")}
    try:
        with closing(duckdb.connect(str(settings.build_db), read_only=True)) as build:
            for run_id, ingest_date in _query(
                    build, "select run_id, ingest_date::varchar from audit.stage_counts "
                           "group by all order by max(recorded_at) desc limit ?", [runs]):
                if run_id not in served_runs:
                    quality = _query(build, "select check_source, severity, status, count(*) "
                                            "from audit.quality_results where run_id = ? "
                                            "group by all", [run_id])
                    facts["unpublished"].append((run_id, ingest_date, verdict_of(quality)))
    except duckdb.IOException:
        facts["unpublished"].append(("(the build database is held by a writer: a run is "
                                     "in progress)", "", ""))
    except duckdb.Error:
        pass  # no build database here (a copied warehouse): nothing unpublished to show
    return facts


def render_status(facts: dict) -> str:
    """The terminal text of `claimledger status`."""
    if not facts["published_db"].exists():
        return f"nothing published yet at {facts['published_db']}: run `make run` first"
    lines = [f"published  {facts['published_db']}",
             f"  version  {facts['current'] or 'unknown'}"
             + (f"  ({len(facts['versions'])} kept for rollback)" if facts["versions"] else "")]
    lines.append("recent runs (newest first)")
    for run_id, ingest_date, finished, verdict, stages in facts["runs"]:
        lines.append(f"  {ingest_date}  {run_id}")
        lines.append(f"      finished {finished:%Y-%m-%d %H:%M:%S} UTC   quality {verdict}")
        flow = "  ".join(f"{stage} {items_in}→{items_out}"
                         + (f" (q {quarantined})" if quarantined else "")
                         for stage, items_in, items_out, quarantined, _ in stages)
        lines.append(f"      {flow}")
    for run_id, ingest_date, verdict in facts["unpublished"]:
        lines.append(f"  not published: {ingest_date}  {run_id}  {verdict}".rstrip())
    lines.append("marts (rows)")
    lines += [f"  marts.{table:<28} {rows:>8}" for table, rows in facts["marts"]]
    return "\n".join(lines)
