"""Serving through the real DAG: two runs, readers held open across the second one.

One module-scoped fixture runs news_daily twice with `airflow dags test` (two DAG
runs in all): day 1 over the bundled corpus without article 004, day 2 over the whole
corpus (004 adds the 2023 figures). Between them it opens a read-only duckdb
connection and a SQLAlchemy (duckdb-engine) connection on the published database,
and SIGKILLs a writer in the middle of a transaction on the build database. The
tests then read what those readers answered, the published files, the Parquet
views (also with DuckDB 1.4), the dbt docs page, the run report in Chromium and
the CLI. The rollback test changes the served version, so it runs last.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from claimledger.cli import app, run_dag
from tests.conftest import REPO, SAMPLE_CORPUS
from tests.dag_harness import dag_env, init_airflow
from tests.offline_pages import assert_loads_only_local_files
from tests.serving.conftest import example_queries

pytestmark = pytest.mark.e2e

DAY_1, DAY_2 = "2026-03-02", "2026-03-03"
# The question the held readers keep asking: trade figures per period year, and articles.
QUESTION = ("select coalesce(period_year::varchar, 'n/a'), count(*) "
            "from marts.fct_trade_figures group by 1 order by 1")
ARTICLES = "select count(*) from marts.dim_articles"

KILLED_WRITER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], config={"storage_compatibility_version": "v1.4.0"})
    con.execute("begin transaction")
    con.execute("delete from marts.fct_trade_figures")
    con.execute("delete from raw.articles")
    con.execute("insert into raw.quarantine (quarantine_id, ingest_date, run_id, stage, "
                "reason_code, error_message, url, recorded_at) "
                "select 'crashed-' || i, '2026-03-02', 'crashed', 'fetch', 'stage_error', "
                "'killed', 'x' || i, now() from range(50000) as r(i)")
    print("mid-transaction", flush=True)
    time.sleep(120)
""")


def _ask(con: duckdb.DuckDBPyConnection) -> dict:
    return {"by_year": con.execute(QUESTION).fetchall(),
            "articles": con.execute(ARTICLES).fetchone()[0]}


# A BI-tool-like reader in its own process (as Superset would be): one SQLAlchemy
# connection through duckdb-engine, held open; "ask" answers through it, "reconnect"
# disposes the pool first. (In one process DuckDB refuses a second connection to a
# file with a different configuration, and duckdb-engine adds its user agent.)
SQLALCHEMY_READER = textwrap.dedent("""
    import json, sys
    from sqlalchemy import create_engine, text
    url, question, articles = sys.argv[1:4]
    engine = create_engine(url)
    conn = engine.connect()
    for command in sys.stdin:
        if command.strip() == "reconnect":
            conn.close()
            engine.dispose()
            conn = engine.connect()
        answer = {"by_year": [list(r) for r in conn.execute(text(question)).fetchall()],
                  "articles": conn.execute(text(articles)).scalar()}
        print(json.dumps(answer), flush=True)
    conn.close()
    engine.dispose()
""")


class SqlalchemyReader:
    """The reader process: `ask()` through the held connection, `reconnect()` first."""

    def __init__(self, published: Path) -> None:
        url = f"duckdb:///{published}?access_mode=read_only"
        self.process = subprocess.Popen(
            [sys.executable, "-c", SQLALCHEMY_READER, url, QUESTION, ARTICLES],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def _send(self, command: str) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        return {"by_year": [tuple(r) for r in answer["by_year"]],
                "articles": answer["articles"]}

    def ask(self) -> dict:
        return self._send("ask")

    def reconnect(self) -> dict:
        return self._send("reconnect")

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def _kill_a_writer_mid_transaction(build_db: Path) -> dict:
    process = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(build_db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip() if process.stdout else ""
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    return {"reached": line, "returncode": process.returncode}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("serving")
    full = tmp / "corpus_full"
    shutil.copytree(SAMPLE_CORPUS, full)
    partial = tmp / "corpus_partial"
    shutil.copytree(SAMPLE_CORPUS, partial)
    next(partial.glob("004_*.html")).unlink()
    warehouse = tmp / "warehouse"
    published = warehouse / "claimledger.duckdb"
    env_1 = dag_env(tmp / "airflow_home", warehouse, corpus=partial)
    env_2 = dag_env(tmp / "airflow_home", warehouse, corpus=full)
    init_airflow(env_1)
    facts: dict = {"tmp": tmp, "warehouse": warehouse, "published": published,
                   "logs": (tmp / "day1.log", tmp / "day2.log")}
    facts["code_1"] = run_dag(DAY_1, log_path=tmp / "day1.log", env=env_1, echo=False)
    if facts["code_1"] != 0:
        return facts

    reader = duckdb.connect(str(published), read_only=True)
    bi_tool = SqlalchemyReader(published)
    try:
        facts["before"] = _ask(reader)
        facts["before_sqlalchemy"] = bi_tool.ask()
        facts["killed"] = _kill_a_writer_mid_transaction(warehouse / "build" / "claimledger.duckdb")
        facts["wal_after_kill"] = (warehouse / "build" / "claimledger.duckdb.wal").exists()
        facts["after_kill"] = _ask(reader)
        facts["code_2"] = run_dag(DAY_2, log_path=tmp / "day2.log", env=env_2, echo=False)
        facts["held_after_run_2"] = _ask(reader)
        facts["held_sqlalchemy_after_run_2"] = bi_tool.ask()
        facts["reconnected_sqlalchemy"] = bi_tool.reconnect()
    finally:
        bi_tool.close()
        reader.close()
    with closing(duckdb.connect(str(published), read_only=True)) as again:
        facts["reconnected"] = _ask(again)
    return facts


def _require_runs(served: dict) -> None:
    for code, log in zip((served.get("code_1"), served.get("code_2")), served["logs"],
                         strict=True):
        assert code == 0, log.read_text()[-5000:] if log.exists() else "not run"


def test_both_dag_runs_succeed_despite_readers_and_a_killed_writer(served):
    _require_runs(served)
    assert served["killed"] == {"reached": "mid-transaction", "returncode": -signal.SIGKILL}


def test_held_readers_keep_the_old_answers_until_they_reconnect(served):
    _require_runs(served)
    before = served["before"]
    assert ("2023", 3) not in before["by_year"] and before["articles"] == 4
    assert served["before_sqlalchemy"] == before
    assert served["held_after_run_2"] == before
    assert served["held_sqlalchemy_after_run_2"] == before
    after = served["reconnected"]
    assert ("2023", 3) in after["by_year"] and after["articles"] == 5
    assert served["reconnected_sqlalchemy"] == after


def test_a_writer_killed_mid_transaction_leaves_readers_on_the_last_good_version(served):
    _require_runs(served)
    assert served["after_kill"] == served["before"]
    with closing(duckdb.connect(str(served["published"]), read_only=True)) as con:
        crashed = con.execute("select count(*) from raw.quarantine "
                              "where run_id = 'crashed'").fetchone()[0]
    assert crashed == 0  # the uncommitted transaction never reached a published version


def test_published_columns_carry_their_dbt_descriptions(served):
    _require_runs(served)
    with closing(duckdb.connect(str(served["published"]), read_only=True)) as con:
        rows = con.execute("select table_name, column_name, comment from duckdb_columns() "
                           "where schema_name = 'marts' and table_name in "
                           "('fct_trade_figures', 'dim_articles', 'fct_claims')").fetchall()
        tables = dict(con.execute("select table_name, comment from duckdb_tables() "
                                  "where schema_name = 'marts'").fetchall())
    assert len(rows) > 50
    assert [(t, c) for t, c, comment in rows if not comment] == []
    assert tables["fct_trade_figures"]  # the model description, with its grain


def test_published_file_holds_marts_audit_and_raw_with_every_raw_and_audit_column_described(
        served):
    _require_runs(served)
    with closing(duckdb.connect(str(served["published"]), read_only=True)) as con:
        schemas = {r[0] for r in con.execute(
            "select schema_name from duckdb_tables() union "
            "select schema_name from duckdb_views() where not internal").fetchall()}
        undescribed = con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where schema_name in ('raw', 'audit') and coalesce(comment, '') = ''").fetchall()
        raw_columns = con.execute("select count(*) from duckdb_columns() "
                                  "where schema_name in ('raw', 'audit')").fetchone()[0]
    assert schemas == {"marts", "audit", "raw"}  # no staging, intermediate, seeds, main
    assert raw_columns > 140 and undescribed == []


def test_every_report_page_of_the_run_loads_nothing_from_the_network(served):
    _require_runs(served)
    pages = sorted((served["warehouse"] / "reports").rglob("*.html"))
    names = {page.name for page in pages}
    assert {f"run-{DAY_2}.html", f"quality-{DAY_2}.html", "dbt_docs.html",
            "index.html"} <= names
    for page in pages:
        # dbt's page is dbt's: only checked for remote loads (its favicon link is broken).
        assert_loads_only_local_files(page, local_files_exist=page.name != "dbt_docs.html")


def test_dbt_docs_page_is_one_html_file_in_the_warehouse(served):
    _require_runs(served)
    page = served["warehouse"] / "reports" / "dbt_docs.html"
    html = page.read_text(encoding="utf-8")
    assert len(html) > 100_000
    for name in ("fct_trade_figures", "run_report", "china_russia_trade_dashboard"):
        assert name in html


def _run_examples(db: Path) -> dict[str, list]:
    results = {}
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        present = {r[0] for r in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "union all select schema_name || '.' || view_name from duckdb_views()").fetchall()}
        for query in example_queries():
            if not set(query.requires) <= present:
                continue
            results[query.name] = sorted(map(repr, con.execute(query.sql).fetchall()))
    return results


def test_example_queries_answer_alike_on_the_published_file_and_the_parquet_views(served):
    _require_runs(served)
    on_file = _run_examples(served["published"])
    on_parquet = _run_examples(served["warehouse"] / "claimledger_parquet.duckdb")
    assert on_file == on_parquet
    assert len(on_file["china_russia_trade_by_year"]) == 6
    assert len(on_file["changed_since_yesterday"]) == 5
    missing = {q.name for q in example_queries()} - set(on_file)
    consistency_model = REPO / "dbt_project" / "models" / "marts" / "quality" / \
        "fct_figure_consistency.sql"
    # figures_in_conflict may only be skipped when the project has no consistency mart.
    assert missing == (set() if consistency_model.exists() else {"figures_in_conflict"})


DUCKDB_14_SCRIPT = textwrap.dedent("""
    import json, sys, duckdb
    queries = json.loads(sys.argv[1])
    out = {"version": duckdb.__version__}
    for db in sys.argv[2:]:
        con = duckdb.connect(db, read_only=True)
        present = {r[0] for r in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "union all select schema_name || '.' || view_name from duckdb_views()").fetchall()}
        out[db] = {q["name"]: len(con.execute(q["sql"]).fetchall())
                   for q in queries if set(q["requires"]) <= present}
        con.close()
    print(json.dumps(out))
""")


def test_duckdb_14_opens_the_published_file_and_parquet_views_and_runs_the_examples(
        served, duckdb14_python, tmp_path):
    _require_runs(served)
    queries = [{"name": q.name, "sql": q.sql, "requires": list(q.requires)}
               for q in example_queries()]
    dbs = [str(served["published"]), str(served["warehouse"] / "claimledger_parquet.duckdb")]
    done = subprocess.run([str(duckdb14_python), "-c", DUCKDB_14_SCRIPT, json.dumps(queries),
                           *dbs], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    assert out["version"].startswith("1.4.")
    expected = {name: len(rows) for name, rows in _run_examples(served["published"]).items()}
    assert out[dbs[0]] == expected
    assert out[dbs[1]] == expected


def test_polars_reads_the_partitioned_parquet_export(served):
    _require_runs(served)
    import polars as pl

    folder = served["warehouse"] / "parquet" / "marts.fct_trade_figures"
    frame = pl.scan_parquet(str(folder / "**" / "*.parquet"), hive_partitioning=True).collect()
    with closing(duckdb.connect(str(served["published"]), read_only=True)) as con:
        expected = con.execute("select period_year, count(*) from marts.fct_trade_figures "
                               "group by 1").fetchall()
    assert sorted(frame.group_by("period_year").len().rows(), key=repr) == \
        sorted(expected, key=repr)


def test_run_report_shows_one_chart_mark_per_dated_trade_level_in_chromium(served, load_page):
    _require_runs(served)
    page = served["warehouse"] / "reports" / f"run-{DAY_2}.html"
    loaded = load_page(page)
    assert loaded.console == []
    with closing(duckdb.connect(str(served["published"]), read_only=True)) as con:
        ids = {r[0] for r in con.execute(
            "select trade_figure_id from marts.fct_trade_figures "
            "where value_usd is not null and period_year is not null").fetchall()}
    svg = loaded.dom.split('id="trade-chart"', 1)[1].split("</svg>", 1)[0]
    marks = {part.split('"', 1)[0] for part in svg.split('data-trade-figure-id="')[1:]}
    assert marks == ids and len(ids) == 6
    assert 'id="verdict"' in loaded.dom and ">passed<" in loaded.dom


def test_run_summary_links_the_report_and_the_served_files(served):
    _require_runs(served)
    summary = (served["warehouse"] / "reports" / "summary.txt").read_text(encoding="utf-8")
    page = served["warehouse"] / "reports" / f"run-{DAY_2}.html"
    assert page.resolve().as_uri() in summary
    assert "claimledger_parquet.duckdb" in summary and "dbt_docs.html" in summary


@pytest.fixture
def cli_env(served, monkeypatch):
    monkeypatch.setenv("CLAIMLEDGER_HOME", str(REPO))
    monkeypatch.setenv("CLAIMLEDGER_WAREHOUSE_DIR", str(served["warehouse"]))
    return CliRunner()


def test_status_lists_both_runs_with_verdicts_and_mart_rows(served, cli_env):
    _require_runs(served)
    result = cli_env.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert DAY_1 in result.output and DAY_2 in result.output
    assert result.output.count("quality passed") == 2
    assert "marts.fct_trade_figures" in result.output
    assert "not published" not in result.output


def test_report_command_rerenders_the_last_runs_page_and_prints_its_path(served, cli_env):
    _require_runs(served)
    page = served["warehouse"] / "reports" / f"run-{DAY_2}.html"
    page.unlink()
    result = cli_env.invoke(app, ["report"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(page)
    assert "trade-chart" in page.read_text(encoding="utf-8")


def test_rollback_serves_day_one_again_then_refuses_to_go_past_the_oldest(served, cli_env):
    _require_runs(served)
    result = cli_env.invoke(app, ["publish", "--rollback"])
    assert result.exit_code == 0, result.output
    with closing(duckdb.connect(str(served["published"]), read_only=True)) as con:
        assert _ask(con) == served["before"]
    views = served["warehouse"] / "claimledger_parquet.duckdb"
    with closing(duckdb.connect(str(views), read_only=True)) as con:
        assert _ask(con) == served["before"]
    again = cli_env.invoke(app, ["publish", "--rollback"])
    assert again.exit_code == 1 and "no version before" in again.output
