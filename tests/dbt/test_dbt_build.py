"""`dbt build` over a small raw layer: the marts come out right, and a broken invariant fails.

Each test makes a raw DuckDB in tmp_path from transforms/warehouse/raw_schema.sql and a
handful of rows (two articles reporting the same China-Russia total), then runs the
real dbt project once through run_dbt_build (~5-10 s per test).
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import yaml

from transforms.checks.dbt_build import generate_dbt_docs, project_fingerprint, run_dbt_build

REPO = Path(__file__).resolve().parents[2]
SCHEMA_SQL = REPO / "transforms" / "warehouse" / "raw_schema.sql"
INGEST = date(2025, 1, 15)
FETCHED = datetime(2025, 1, 15, 6, 0)

# article id -> (source, published, paragraphs as (text, removal_reason or None))
ARTICLES = {
    "a000000000000001": ("tass", date(2025, 1, 14), [
        ("Skip to content", "navigation"),
        ("China and Russia traded goods worth $245 billion in 2024, up 1.9 percent. "
         "Officials called it a record.", None),
        ("Lavrov said ties could deepen further.", None),
    ]),
    "b000000000000002": ("scmp", date(2025, 1, 15), [
        ("Bilateral trade reached $244.8 billion last year.", None),
        ("Analysts expect slower growth.", None),
    ]),
    # a syndicated copy of the first article: it repeats, it does not corroborate
    "c000000000000003": ("wire", date(2025, 1, 15), [
        ("China and Russia traded goods worth $245 billion in 2024.", None),
    ]),
}
NEAR_DUPLICATE_OF = {"c000000000000003": "a000000000000001"}


def _figure(sentence: dict, raw_text: str, **parsed) -> dict:
    start = sentence["text"].index(raw_text)
    return {
        "figure_id": f"{sentence['sentence_id']}-f{start}",
        "article_id": sentence["article_id"], "sentence_id": sentence["sentence_id"],
        "raw_text": raw_text, "span_start": start, "span_end": start + len(raw_text),
        "is_approximate": False, "is_range": False, **parsed,
    }


def raw_frames() -> dict[str, pl.DataFrame]:
    """The fixture's raw tables (without ingest_date/run_id, stamped at insert)."""
    articles, paragraphs, sentences = [], [], []
    for article_id, (source, published, paras) in ARTICLES.items():
        kept = [text for text, reason in paras if reason is None]
        articles.append({
            "article_id": article_id, "source_name": source,
            "url": f"https://{source}.example/{article_id}",
            "canonical_url": f"https://{source}.example/{article_id}",
            "title": f"Trade story {article_id[:1]}", "author": " ", "published_date": published,
            "site_name": source.upper(), "language": "en",
            "raw_text": "\n".join(t for t, _ in paras), "clean_text": "\n".join(kept),
            "extractor": "trafilatura", "extractor_version": "2.3.1",
            "extraction_path": "precision", "content_hash": article_id * 4,
            "fetched_at": FETCHED, "paragraph_count": len(paras),
            "kept_paragraph_count": len(kept), "removed_char_ratio": 0.1,
            # one story: the first article represents it
            "story_cluster_id": "a000000000000001", "story_similarity": 1.0,
            "near_duplicate_of": NEAR_DUPLICATE_OF.get(article_id),
            "near_duplicate_similarity": 0.97 if article_id in NEAR_DUPLICATE_OF else None,
        })
        index = 0
        for position, (text, reason) in enumerate(paras):
            paragraph_id = f"{article_id}-p{position:04d}"
            paragraphs.append({
                "paragraph_id": paragraph_id, "article_id": article_id, "position": position,
                "text": text, "repaired_text": text, "repair_count": 0,
                "char_count": len(text), "language": "en", "is_kept": reason is None,
                "removal_reason": reason,
            })
            if reason is not None:
                continue
            start = 0
            for piece in text.split(". "):
                sentence = piece if piece.endswith(".") else piece + "."
                begin = text.index(sentence, start)
                sentences.append({
                    "sentence_id": f"{paragraph_id}-s{index:03d}", "article_id": article_id,
                    "paragraph_id": paragraph_id, "sentence_index": index,
                    "char_start": begin, "char_end": begin + len(sentence), "text": sentence,
                })
                start, index = begin + len(sentence), index + 1
    by_text = {(s["article_id"][0], s["text"][:20]): s for s in sentences}
    s_a = by_text["a", "China and Russia tra"]
    s_b = by_text["b", "Bilateral trade reac"]
    s_c = by_text["c", "China and Russia tra"]
    s_quote = by_text["a", "Lavrov said ties cou"]
    money = {"quantity_kind": "money", "unit": "USD", "currency": "USD", "scale": "billion"}
    figures = [
        _figure(s_a, "$245 billion", value=245.0, value_full=245e9, value_usd=245e9,
                decimals=0, **money),
        _figure(s_a, "1.9 percent", quantity_kind="percent", value=1.9, unit="percent",
                decimals=1, direction="up"),
        _figure(s_b, "$244.8 billion", value=244.8, value_full=244.8e9, value_usd=244.8e9,
                decimals=1, **money),
        _figure(s_c, "$245 billion", value=245.0, value_full=245e9, value_usd=245e9,
                decimals=0, **money),
    ]
    trade = {"flow": "bilateral", "reporter": "CHN", "partner": "RUS", "commodity": "all",
             "period_year": 2024, "is_forecast": False}
    trade_statements = [
        {"trade_figure_id": "t-a", "article_id": s_a["article_id"],
         "sentence_id": s_a["sentence_id"], **trade, "value_usd": 245e9,
         "currency": "USD", "value_native": 245e9,
         "value_figure_id": figures[0]["figure_id"], "growth_pct": 1.9,
         "growth_figure_id": figures[1]["figure_id"], "evidence_text": s_a["text"]},
        {"trade_figure_id": "t-b", "article_id": s_b["article_id"],
         "sentence_id": s_b["sentence_id"], **trade, "value_usd": 244.8e9,
         "currency": "USD", "value_native": 244.8e9,
         "value_figure_id": figures[2]["figure_id"], "evidence_text": s_b["text"]},
        {"trade_figure_id": "t-c", "article_id": s_c["article_id"],
         "sentence_id": s_c["sentence_id"], **trade, "value_usd": 245e9,
         "currency": "USD", "value_native": 245e9,
         "value_figure_id": figures[3]["figure_id"], "evidence_text": s_c["text"]},
    ]
    claims = [
        {"claim_id": "c-a", "article_id": s_a["article_id"], "sentence_id": s_a["sentence_id"],
         "claim_text": s_a["text"], "claim_type": "trade_figure", "figure_count": 2},
        {"claim_id": "c-quote", "article_id": s_quote["article_id"],
         "sentence_id": s_quote["sentence_id"], "claim_text": s_quote["text"],
         "claim_type": "quote", "speaker": "Lavrov", "attribution_text": "Lavrov said",
         "hedge": "could", "figure_count": 0},
    ]
    quarantine = [{
        "quarantine_id": "q1", "source_name": "tass", "url": "https://tass.example/bad.pdf",
        "stage": "fetch", "reason_code": "not_html", "error_message": "application/pdf",
        "recorded_at": FETCHED,
    }]
    return {name: pl.DataFrame(rows, infer_schema_length=None) for name, rows in {
        "articles": articles, "paragraphs": paragraphs, "sentences": sentences,
        "figure_mentions": figures, "trade_statements": trade_statements, "claims": claims,
        "quarantine": quarantine}.items()}


def make_raw_db(path: Path, frames: dict[str, pl.DataFrame]) -> Path:
    """Create the raw layer at `path` and insert `frames` by column name."""
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
        for table, frame in frames.items():
            frame = frame.with_columns(ingest_date=pl.lit(INGEST))
            columns = {r[0] for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = ?", [table]).fetchall()}
            if "run_id" in columns:
                frame = frame.with_columns(run_id=pl.lit("test-run"))
            con.register("incoming", frame)
            con.execute(f"insert into raw.{table} by name select * from incoming")
            con.unregister("incoming")
    finally:
        con.close()
    return path


def mart_yaml() -> list[dict]:
    models = []
    for path in (REPO / "dbt_project" / "models" / "marts").rglob("_*.yml"):
        models.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["models"])
    return models


def query(path: Path, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def test_dbt_build_turns_raw_rows_into_marts(tmp_path: Path) -> None:
    db = make_raw_db(tmp_path / "claimledger.duckdb", raw_frames())

    result = run_dbt_build(db, target_dir=tmp_path / "dbt")

    failed = result.results.filter(pl.col("status").is_in(["fail", "error", "warn"]))
    assert result.success, (result.message, failed.to_dicts())
    assert failed.is_empty(), failed.to_dicts()
    # one columns_hold test per model and seed (per-column coverage: test_dbt_project.py)
    assert result.results["check_name"].str.starts_with("columns_hold_").sum() > 25
    assert set(result.results["status"].unique()) == {"pass"}
    assert set(result.results.columns) >= {"check_name", "severity", "status",
                                           "failing_row_count", "message"}

    articles = query(db, "select * from marts.dim_articles order by article_id")
    assert articles["article_id"].to_list() == list(ARTICLES)
    assert articles["paragraph_count"].to_list() == [3, 2, 1]
    assert articles["kept_paragraph_count"].to_list() == [2, 2, 1]
    assert articles["sentence_count"].to_list() == [3, 2, 1]
    assert articles["figure_count"].to_list() == [2, 1, 1]
    assert articles["is_near_duplicate"].to_list() == [False, False, True]
    assert articles["author"].to_list() == [None] * 3  # a blank byline is not an author

    trade = query(db, "select * from marts.fct_trade_figures order by trade_figure_id")
    assert trade["trade_figure_id"].to_list() == ["t-a", "t-b", "t-c"]
    # 245 (±0.5) and 244.8 billion agree; the copy c corroborates b but not its original a
    assert trade["corroborating_article_count"].to_list() == [1, 2, 1]
    assert trade["value_raw_text"].to_list() == ["$245 billion", "$244.8 billion",
                                                 "$245 billion"]
    assert trade["growth_raw_text"].to_list() == ["1.9 percent", None, None]
    assert trade["reference_value_usd"].to_list() == [244.81e9] * 3
    assert trade["reference_deviation_pct"].to_list() == [0.08, -0.0, 0.08]
    assert trade["published_date"].to_list() == [date(2025, 1, 14), date(2025, 1, 15),
                                                 date(2025, 1, 15)]
    assert trade["source_name"].to_list() == ["tass", "scmp", "wire"]

    # the copy c states the same figure but counts once, with its original a
    level = query(db, "select * from marts.fct_figure_consistency where measure = 'level'")
    assert level.select("statement_count", "article_count", "independent_source_count",
                        "consistency_status").rows() == [(3, 3, 2, "corroborated")]
    assert query(db, "select * from marts.rpt_figure_findings").is_empty()

    claims = query(db, "select * from marts.fct_claims order by claim_id")
    assert claims["claim_id"].to_list() == ["c-a", "c-quote"]
    assert claims["corroborating_article_count"].to_list() == [1, 0]
    assert claims["is_hedged"].to_list() == [False, True]

    figures = query(db, "select figure_id, is_trade_evidence from marts.fct_figures")
    assert figures.height == 4 and figures["is_trade_evidence"].all()
    quarantine = query(db, "select reason_description from marts.rpt_quarantine")
    assert quarantine["reason_description"].to_list() == [
        "the body is not HTML (binary, PDF, image, wrong content type)"]
    # every mart column is documented in the YAML, and the docs reach the warehouse
    columns = query(db, "select table_name, column_name, comment from duckdb_columns() "
                        "where schema_name = 'marts'")
    documented = {(m["name"], c["name"]) for m in mart_yaml() for c in m["columns"]}
    assert set(columns.select("table_name", "column_name").iter_rows()) == documented
    assert columns["comment"].is_not_null().all()


def test_dbt_build_reports_broken_invariants_as_failing_tests(tmp_path: Path) -> None:
    frames = raw_frames()
    trade = frames["trade_statements"]
    frames["trade_statements"] = trade.with_columns(
        # a bilateral total must be stored once, smaller code first
        reporter=pl.when(pl.col("trade_figure_id") == "t-b").then(pl.lit("RUS"))
        .otherwise(pl.col("reporter")),
        partner=pl.when(pl.col("trade_figure_id") == "t-b").then(pl.lit("CHN"))
        .otherwise(pl.col("partner")),
        # a level its figure ("$245 billion") does not state, far from the official total
        value_usd=pl.when(pl.col("trade_figure_id") == "t-a").then(pl.lit(300e9))
        .otherwise(pl.col("value_usd")),
        value_native=pl.when(pl.col("trade_figure_id") == "t-a").then(pl.lit(300e9))
        .otherwise(pl.col("value_native")),
    )
    db = make_raw_db(tmp_path / "claimledger.duckdb", frames)

    result = run_dbt_build(db, target_dir=tmp_path / "dbt")

    assert not result.success
    failing = {r["check_name"]: r for r in result.results.filter(pl.col("status") != "pass")
               .iter_rows(named=True)}
    not_passing = len(failing)
    pair = failing.pop("is_alphabetical_pair_fct_trade_figures_reporter__partner")
    assert (pair["status"], pair["severity"], pair["failing_row_count"]) == ("fail", "error", 1)
    assert '"first_value": "RUS"' in pair["failing_sample"]
    evidence = failing.pop("assert_trade_figure_evidence_lies_in_its_sentence")
    assert (evidence["status"], evidence["severity"]) == ("fail", "error")
    assert "number differs from its figure" in evidence["failing_sample"]
    reference = failing.pop("assert_trade_levels_near_reference_statistics")
    assert (reference["status"], reference["severity"]) == ("fail", "warn")
    # 300 billion for 2024 contradicts the copy's 245 billion (b is now RUS-CHN)
    agree = failing.pop("assert_trade_figures_agree_across_articles")
    assert (agree["status"], agree["severity"], agree["failing_row_count"]) == (
        "fail", "warn", 1)
    assert failing == {}  # nothing else broke, and every other check ran
    assert result.results.filter(pl.col("status") == "pass").height == (
        result.results.height - not_passing) > 90


def _last_invocation_log(target: Path) -> str:
    log = (target / "logs" / "dbt.log").read_text(encoding="utf-8")
    return log[log.rindex("running dbt with arguments"):]


def test_docs_reuse_the_builds_parse_and_manifest_with_a_fresh_catalog(tmp_path: Path) -> None:
    db = make_raw_db(tmp_path / "claimledger.duckdb", raw_frames())
    target = tmp_path / "dbt_target"  # the default: beside the database
    assert run_dbt_build(db).success
    built_manifest = (target / "manifest.json").read_text(encoding="utf-8")
    # a column added after the build must reach the docs: the catalog is read now
    con = duckdb.connect(str(db))
    try:
        con.execute("alter table marts.fct_trade_figures add column docs_probe integer")
    finally:
        con.close()

    page = generate_dbt_docs(db)

    log = _last_invocation_log(target)
    assert "Partial parsing enabled, no changes found, skipping parsing" in log
    assert "Unable to do partial parsing" not in log
    assert "Began compiling node" not in log  # --no-compile: the build compiled them
    html = page.read_text(encoding="utf-8")
    assert (target / "manifest.json").read_text(encoding="utf-8") == built_manifest
    assert built_manifest in html  # the build's manifest, compiled SQL included
    assert '"compiled_code"' in built_manifest
    catalog = (target / "catalog.json").read_text(encoding="utf-8")
    assert catalog in html
    columns = json.loads(catalog)["nodes"]["model.claimledger.fct_trade_figures"]["columns"]
    assert columns["value_usd"]["type"] == "DOUBLE"
    assert columns["docs_probe"]["type"] == "INTEGER"


def _next_day(db: Path) -> None:
    """Raw changes as later loads make them: b loaded again by another run with its figure
    and trade statement gone, c removed (its day re-run without it), d new (a's rows under
    another id, loaded by that run)."""
    b, c, a, d = "b000000000000002", "c000000000000003", "a000000000000001", "d000000000000004"
    con = duckdb.connect(str(db))
    try:
        con.execute("update raw.articles set run_id = 'run-2' where article_id = ?", [b])
        con.execute("delete from raw.trade_statements where article_id = ?", [b])
        con.execute("delete from raw.figure_mentions where article_id = ?", [b])
        for table in ("articles", "paragraphs", "sentences", "figure_mentions",
                      "trade_statements", "claims"):
            con.execute(f"delete from raw.{table} where article_id = ?", [c])
            text_columns = [name for name, kind in con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ?", [table]).fetchall()
                if kind == "VARCHAR" and name != "story_cluster_id"]
            # ids that do not contain the article's id get a suffix instead
            renamed = ", ".join(
                f"{name} || '-d' as {name}" if name in ("claim_id", "trade_figure_id")
                else f"replace({name}, '{a}', '{d}') as {name}"
                for name in text_columns if name != "run_id")
            run = ", 'run-2' as run_id" if table == "articles" else ""
            con.execute(f"insert into raw.{table} select * replace ({renamed}{run}) "
                        f"from raw.{table} where article_id = ?", [a])
    finally:
        con.close()


def test_incremental_marts_equal_a_full_rebuild_after_loads_add_replace_and_remove(
        tmp_path: Path) -> None:
    db = make_raw_db(tmp_path / "claimledger.duckdb", raw_frames())
    target = tmp_path / "dbt"
    first = run_dbt_build(db, target_dir=target)
    assert first.success and first.full_refresh  # a new target folder builds in full

    _next_day(db)
    second = run_dbt_build(db, target_dir=target)
    assert second.success, second.message
    assert not second.full_refresh  # same project: only the changed articles are rebuilt

    rebuilt = tmp_path / "rebuilt" / "claimledger.duckdb"
    rebuilt.parent.mkdir()
    shutil.copy(db, rebuilt)
    full = run_dbt_build(rebuilt, target_dir=tmp_path / "dbt-full")
    assert full.success and full.full_refresh
    for mart in ("dim_articles", "fct_figures"):
        incremental = query(db, f"select * from marts.{mart} order by all")
        assert incremental.equals(query(rebuilt, f"select * from marts.{mart} order by all")), mart
    articles = query(db, "select article_id, figure_count, run_id from marts.dim_articles "
                         "order by article_id")
    assert articles.rows() == [("a000000000000001", 2, "test-run"),
                               ("b000000000000002", 0, "run-2"),
                               ("d000000000000004", 2, "run-2")]
    figures = query(db, "select distinct article_id from marts.fct_figures order by 1")
    assert figures["article_id"].to_list() == ["a000000000000001", "d000000000000004"]

    # a changed project (here: its fingerprint) rebuilds the incremental marts in full once
    (target / "incremental_fingerprint.txt").write_text("an older project")
    assert run_dbt_build(db, target_dir=target).full_refresh
    assert not run_dbt_build(db, target_dir=target).full_refresh


def test_the_project_fingerprint_follows_model_macro_and_seed_files_only(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("models/marts", "macros", "seeds", "tests"):
        (project / name).mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: x\n")
    (project / "models/marts/fct_x.sql").write_text("select 1 as x\n")
    before = project_fingerprint(project)
    (project / "tests/assert_x.sql").write_text("select 1 where false\n")
    assert project_fingerprint(project) == before  # a new test changes no mart
    for changed in ("models/marts/fct_x.sql", "macros/m.sql", "seeds/s.csv",
                    "dbt_project.yml"):
        previous = project_fingerprint(project)
        path = project / changed
        path.write_text((path.read_text() if path.exists() else "") + "-- changed\n")
        assert project_fingerprint(project) != previous, changed
