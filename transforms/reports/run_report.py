"""The run summary a person reads: a few lines in the terminal and one HTML page.

`write_run_report(settings, run_id, ingest_date)` reads the build database
read-only (the summary runs after the last writer; when a writer holds it, the
published database instead), writes reports/run-<date>.html and
reports/summary.txt, and returns (summary text, page path).

The page is self-contained: no script, no network (a Content-Security-Policy
forbids both), two inline SVG charts (transforms/reports/charts.py), wide tables
scrolling inside their own box. It is templates/run_report.html.j2, autoescaped:
titles, sentences and source names are scraped text.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import duckdb

from transforms.checks import gate
from transforms.checks.unchanged_inputs import carried_from
from transforms.kernel.settings import Settings
from transforms.publish.versions import Layout, current_version, list_versions
from transforms.reports.charts import money, removed_text_chart_svg, trade_chart_svg
from transforms.reports.pages import render, safe

CONSISTENCY_MART = "fct_figure_consistency"  # added by the quality checks; may be absent
# Its columns the page shows, when present (a person reads the status and the sources).
CONSISTENCY_COLUMNS = ("consistency_status", "status", "flow", "reporter", "partner",
                       "commodity", "period_year", "is_forecast", "measure",
                       "independent_source_count", "stated_texts", "growth_level_check")
MAX_TABLE_ROWS = 200
SUMMARY_ROWS = 10  # rows of a list the terminal summary shows; the HTML report shows all
CHECK_SOURCES = {"dbt": "dbt build", "great_expectations": "Great Expectations"}
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
            "removed_by_source": _query(con, """
                select a.source_name, p.removal_reason, count(*), sum(p.char_count)
                from raw.paragraphs as p join raw.articles as a using (article_id)
                where not p.is_kept group by all order by all"""),
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
        carried = _query(con, "select check_source, list(message) from audit.quality_results "
                              "where run_id = ? group by all order by all", [run_id])
    facts["verdict"] = verdict_of(facts["quality"])
    facts["carried"] = [(source, origin) for source, messages in carried
                        if (origin := carried_from(messages))]
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
        parts = [f"{flow} {rep}-{par}", com, str(year or "period n/a"), money(usd),
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
    for source, origin in facts.get("carried", []):
        lines.append(f"    {CHECK_SOURCES.get(source, source)} not run: the marts' inputs are "
                     f"unchanged since run {origin}, whose results are carried")
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


CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(facts: dict, run_id: str, ingest_date: str) -> str:
    """The run's page: verdict, charts, conflicts, noise, trade figures, checks (escaped)."""
    verdict = facts["verdict"]
    conflicts = facts["conflicts"]
    return render(
        "run_report.html.j2", facts=facts, run_id=run_id, ingest_date=ingest_date, csp=safe(CSP),
        max_rows=MAX_TABLE_ROWS,
        verdict_class="bad" if verdict.startswith("FAILED")
        else "warn" if "warn" in verdict or verdict.startswith("not") else "good",
        trade_chart=safe(trade_chart_svg(facts["chart_rows"])),
        removed_chart=safe(removed_text_chart_svg(facts.get("removed_by_source", []))),
        unplotted=len(facts["trade_rows"]) - len(facts["chart_rows"]),
        no_conflict=bool(conflicts and conflicts["by_status"])
        and not any(s == "conflict" for s, _ in conflicts["by_status"]),
        trade_rows=[(s, f, r, p, c, y, money(v), g, fc, by, ev)
                    for s, f, r, p, c, y, v, g, fc, by, ev in facts["trade_rows"]],
        counts=[("articles loaded this partition", facts["articles_in_partition"]),
                ("articles in the warehouse", facts["articles_total"]),
                ("paragraphs kept", facts["paragraphs_kept"]),
                ("paragraphs removed", facts["paragraphs_removed"]),
                ("sentences", facts["sentences"]), ("figures", facts["figures"]),
                ("claims", facts["claims"])])


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
