"""What a warehouse holds, in a form two runs can be compared by.

`snapshot(db)` gives, per table, its row count and a content checksum over every column
except the volatile ones (VOLATILE_COLUMNS: which run wrote a row and when, never what it
says), plus the integrity problems (duplicate keys, orphan rows) the fault tests require
to be empty. `audit.stage_counts` is compared for one run_id (the last run), since every
run adds its own rows by design.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import duckdb

# Which run wrote a row, and when: differs between any two runs that write the same data
# (archive_file names the run's folder of page files; the bodies are compared by
# archive_checksum instead).
VOLATILE_COLUMNS = ("run_id", "recorded_at", "fetched_at", "archive_file")

RAW_TABLES = {  # table -> primary key
    "raw.pages": "page_id",
    "raw.articles": "article_id",
    "raw.paragraphs": "paragraph_id",
    "raw.sentences": "sentence_id",
    "raw.figure_mentions": "figure_id",
    "raw.trade_statements": "trade_figure_id",
    "raw.claims": "claim_id",
    "raw.quarantine": "quarantine_id",
    "raw.article_signatures": "article_id",
}

# child table, child column, parent table, parent column: every child row needs its parent.
REFERENCES = [
    ("raw.paragraphs", "article_id", "raw.articles", "article_id"),
    ("raw.sentences", "article_id", "raw.articles", "article_id"),
    ("raw.sentences", "paragraph_id", "raw.paragraphs", "paragraph_id"),
    ("raw.figure_mentions", "sentence_id", "raw.sentences", "sentence_id"),
    ("raw.trade_statements", "article_id", "raw.articles", "article_id"),
    ("raw.claims", "article_id", "raw.articles", "article_id"),
    ("raw.article_signatures", "article_id", "raw.articles", "article_id"),
    ("raw.articles", "article_id", "raw.article_signatures", "article_id"),
]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, name = table.split(".")
    rows = con.execute("select column_name from information_schema.columns "
                       "where table_schema = ? and table_name = ? order by ordinal_position",
                       [schema, name]).fetchall()
    return [r[0] for r in rows if r[0] not in VOLATILE_COLUMNS]


def checksum(con: duckdb.DuckDBPyConnection, table: str, where: str = "true",
              params: list | None = None) -> tuple[int, str]:
    # Table names come from the constants above, never from data.
    cols = ", ".join(f'"{c}"' for c in _columns(con, table))
    row = con.execute(
        f"select count(*), coalesce(md5(string_agg(r, chr(10) order by r)), '') from "
        f"(select cast(row({cols}) as varchar) as r from {table} where {where})",
        params or []).fetchone()
    return int(row[0]), row[1]


def snapshot(db: Path) -> dict:
    """{'tables': {table: (rows, md5)}, 'problems': [...]} of one DuckDB file (read-only)."""
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        tables = {t: checksum(con, t) for t in RAW_TABLES}
        last = con.execute("select run_id from audit.stage_counts "
                           "order by recorded_at desc limit 1").fetchone()
        if last:
            tables["audit.stage_counts"] = checksum(con, "audit.stage_counts",
                                                     "run_id = ?", [last[0]])
        problems = []
        for table, key in RAW_TABLES.items():
            dupes = con.execute(f"select count(*) from (select {key} from {table} "
                                f"group by {key} having count(*) > 1)").fetchone()[0]
            if dupes:
                problems.append(f"{table}: {dupes} duplicate {key}")
        for child, column, parent, parent_column in REFERENCES:
            orphans = con.execute(
                f"select count(*) from {child} as c where not exists (select 1 from "
                f"{parent} as p where p.{parent_column} = c.{column})").fetchone()[0]
            if orphans:
                problems.append(f"{child}.{column}: {orphans} rows without {parent}")
        # build/claimledger.duckdb and published/<version> sit one folder down, the served
        # copy at the top of the warehouse folder, which holds archive/.
        warehouse = next((d for d in (db.parent, db.parent.parent) if (d / "archive").is_dir()),
                         db.parent.parent)
        tables["archive.pages"], missing = archive_checksum(con, warehouse)
        problems += missing
        if last:
            problems += stage_count_problems(con, last[0])
        counts = con.execute(
            "select count(*) from (select run_id, stage from audit.stage_counts "
            "group by all having count(*) > 1)").fetchone()[0]
        if counts:
            problems.append(f"audit.stage_counts: {counts} duplicate (run_id, stage)")
    return {"tables": tables, "problems": problems}


def archive_checksum(con: duckdb.DuckDBPyConnection, warehouse: Path
                     ) -> tuple[tuple[int, str], list[str]]:
    """(rows, md5) of (page_id, html) of every page body raw.pages points at, and the
    problems: a referenced archive file that is missing, or one without the page."""
    files = [r[0] for r in con.execute("select distinct archive_file from raw.pages "
                                       "where archive_file is not null").fetchall()]
    problems = [f"archive file missing: {f}" for f in files if not (warehouse / f).exists()]
    if not files or problems:
        return (0, ""), problems
    paths = [str(warehouse / f) for f in files]
    row = con.execute(
        "select count(*), count(b.page_id), coalesce(md5(string_agg(cast(row(p.page_id, "
        "b.html) as varchar), chr(10) order by p.page_id)), '') from raw.pages as p "
        "left join read_parquet(?) as b using (page_id) where p.archive_file is not null",
        [paths]).fetchone()
    if row[1] != row[0]:
        problems.append(f"archive: {row[0] - row[1]} pages not in their archive file")
    return (int(row[0]), row[2]), problems


def stage_count_problems(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """Where one run's audit.stage_counts do not add up (pages and articles are conserved:
    each stage's in = out + quarantined + unchanged, and each stage's in is the previous
    stage's out), as messages; [] when nothing vanished."""
    rows = con.execute("select stage, items_in, items_out, items_quarantined, items_unchanged "
                       "from audit.stage_counts where run_id = ?", [run_id]).fetchall()
    c = {stage: {"in": i, "out": o, "q": q, "u": u} for stage, i, o, q, u in rows}
    if set(c) < {"discover", "fetch", "extract", "clean", "load"}:
        return [f"stage_counts of {run_id}: stages missing ({sorted(c)})"]
    checks = {
        "fetch in = discover out": c["fetch"]["in"] == c["discover"]["out"],
        "fetch in = out + quarantined + unchanged":
            c["fetch"]["in"] == c["fetch"]["out"] + c["fetch"]["q"] + c["fetch"]["u"],
        "extract in = fetch out": c["extract"]["in"] == c["fetch"]["out"],
        "extract in = out + quarantined": c["extract"]["in"] == c["extract"]["out"]
        + c["extract"]["q"],
        "clean in = out = extract out": c["clean"]["in"] == c["clean"]["out"]
        == c["extract"]["out"],
        "load in = clean out": c["load"]["in"] == c["clean"]["out"],
        "load in = out + quarantined + unchanged":
            c["load"]["in"] == c["load"]["out"] + c["load"]["q"] + c["load"]["u"],
    }
    return [f"stage_counts of {run_id}: {name} fails ({c})" for name, ok in checks.items()
            if not ok]


def columns_holding(con: duckdb.DuckDBPyConnection, needles: list[str]
                    ) -> list[tuple[str, str, str]]:
    """(schema, table, column) of every text column with a value containing any needle."""
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_catalog = current_database()").fetchall()
    found = []
    for schema, table, column in columns:  # names from information_schema, quoted
        values = con.execute(f'select "{column}" from "{schema}"."{table}" '
                             f'where "{column}" is not null').fetchall()
        text = "\n".join(value for (value,) in values)
        if any(needle in text for needle in needles):
            found.append((schema, table, column))
    return found
