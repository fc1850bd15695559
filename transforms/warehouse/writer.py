"""The one module that writes DuckDB.

Everything the pipeline stores goes through `Warehouse`, which holds the only
read-write connection to the private build database. Loads replace a whole
ingest partition in one transaction, so a rerun of a day changes nothing and a
crash mid-load leaves the previous state (DuckDB's WAL rolls the transaction
back on the next open).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from transforms.kernel.faults import fault_point
from transforms.kernel.settings import Settings
from transforms.warehouse.column_docs import apply_comments

SCHEMA_SQL = Path(__file__).with_name("raw_schema.sql")

# Tables keyed by article: an article re-ingested on a later day moves to that day.
ARTICLE_TABLES = ("articles", "paragraphs", "sentences", "figure_mentions",
                  "trade_statements", "claims", "article_signatures")
# Article columns a load may leave in the staged files (load_partition's article_texts).
TEXT_COLUMNS = ("raw_text", "clean_text")
# Tables that belong to the day they were recorded on.
PARTITION_TABLES = ("pages", "quarantine")


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ParquetRows:
    """Rows of one staged Parquet file, read by DuckDB itself at insert time.

    path: the file. article_ids: only rows of these articles (None: every row).
    exclude: columns left out (the page bodies stay in the page archive). constants:
    columns added with one value (the archive file's name).
    Going through polars and Arrow instead kept ~0.3 GiB more of the writer's memory
    after a 10,000-page load (measured), growing with every batch read.
    """

    path: Path
    article_ids: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    constants: tuple[tuple[str, str], ...] = ()

    def without(self, article_ids: set[str]) -> ParquetRows:
        """The same rows minus those of `article_ids` (unchanged articles)."""
        if not article_ids:
            return self
        if self.article_ids is None:
            raise ValueError(f"{self.path}: no article_ids to filter on")
        kept = tuple(a for a in self.article_ids if a not in article_ids)
        return ParquetRows(self.path, kept, self.exclude, self.constants)


@dataclass(frozen=True)
class LoadReport:
    """What one partition load did, in rows."""

    pages: int
    articles_loaded: int
    articles_unchanged: int
    quarantined: int
    rows_by_table: dict[str, int]


class Warehouse:
    """The build database, opened read-write by exactly one task at a time."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.path = settings.build_db

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived writer connection with the raw schema in place."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The storage version only takes effect when the file is created; it keeps the
        # file (and the published copies of it) readable by DuckDB 1.4-era clients.
        config = {"storage_compatibility_version": self.settings.storage_compatibility_version,
                  "memory_limit": self.settings.duckdb_memory_limit}
        con = duckdb.connect(str(self.path), config=config)
        try:
            con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
            apply_comments(con)
            yield con
        finally:
            con.close()

    def load_partition(self, ingest_date: str, run_id: str,
                       frames: dict[str, pl.DataFrame | list[ParquetRows]]) -> LoadReport:
        """Replace one ingest partition with `frames` (table name → rows), atomically.

        `frames` holds the run's pages, quarantine and per-article tables; any table but
        articles may also be a list of ParquetRows (one per batch), read by DuckDB and
        loaded one by one in the same transaction. With "article_texts" (staged Parquet
        files holding article_id, url and TEXT_COLUMNS), the articles frame comes without
        its text, and each article's text is read from the file whose (article_id, url)
        matches, so the text never sits in this process's memory. An article
        already stored under another partition with the same content hash is left
        where it is (counted unchanged); otherwise its old rows are replaced.
        """
        stamp = {"ingest_date": ingest_date, "run_id": run_id}
        with self.connect() as con:
            con.execute("begin transaction")
            try:
                articles = frames["articles"]
                unchanged = self._unchanged_article_ids(con, articles, ingest_date)
                keep = ~pl.col("article_id").is_in(unchanged)
                fresh = {name: [part.without(set(unchanged)) for part in frame]
                         if isinstance(frame, list) else frame.filter(keep)
                         for name, frame in frames.items() if name in ARTICLE_TABLES}
                fresh_ids = fresh["articles"]["article_id"]
                con.register("fresh_ids", pl.DataFrame({"article_id": fresh_ids}))
                for table in ARTICLE_TABLES:
                    con.execute(f"delete from raw.{table} where ingest_date = ?::date "
                                "or article_id in (select article_id from fresh_ids)",
                                [ingest_date])
                for table in PARTITION_TABLES:
                    con.execute(f"delete from raw.{table} where ingest_date = ?::date",
                                [ingest_date])
                counts = {}
                for table in (*ARTICLE_TABLES, *PARTITION_TABLES):
                    frame = fresh.get(table, frames.get(table))
                    if frame is None:
                        continue
                    # A table may come as one staged file per batch: DuckDB reads each in
                    # turn, so memory follows the batch size, not the corpus.
                    if table == "articles" and frames.get("article_texts"):
                        counts[table] = self._insert_with_texts(
                            con, "raw.articles", frame, frames["article_texts"], stamp)
                        continue
                    counts[table] = sum(
                        self._insert_parquet(con, f"raw.{table}", part, stamp)
                        for part in frame) if isinstance(frame, list) else \
                        self._insert(con, f"raw.{table}", frame, stamp)
                    # Test hook: die with the partition half replaced, inside the transaction.
                    fault_point("load_warehouse", "during_write")
                con.execute("commit")
                # Test hook: die committed but unclosed (the WAL not yet folded in).
                fault_point("load_warehouse", "after_commit")
            except Exception:
                # A failed commit has already ended the transaction: keep its error.
                with suppress(duckdb.TransactionException):
                    con.execute("rollback")
                raise
        return LoadReport(
            pages=counts.get("pages", 0),
            articles_loaded=counts.get("articles", 0),
            articles_unchanged=len(unchanged),
            quarantined=counts.get("quarantine", 0),
            rows_by_table=counts,
        )

    def checkpoint(self) -> None:
        """Fold the WAL into the database file, so a copy of the file alone is complete.

        Opening read-write replays a stale WAL left by a crashed writer (committed
        transactions) and drops its uncommitted tail; publish calls this before copying.
        """
        with self.connect() as con:
            con.execute("checkpoint")

    def stored_signatures(self) -> pl.DataFrame:
        """Every stored article's near-duplicate signature (the persisted index)."""
        with self.connect() as con:
            return con.sql("""
                select s.article_id, s.minhash, s.story_minhash, a.story_cluster_id
                from raw.article_signatures as s
                left join raw.articles as a using (article_id)""").pl()

    def export_validators(self, path: Path) -> int:
        """Write the latest ETag/Last-Modified per URL to Parquet for the next fetch."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as con:
            frame = con.sql("""
                select url, etag, last_modified
                from raw.pages
                where etag is not null or last_modified is not null
                qualify row_number() over (partition by url order by fetched_at desc) = 1
            """).pl()
        tmp = path.with_suffix(".tmp")
        frame.write_parquet(tmp)
        tmp.replace(path)
        return frame.height

    def export_stored_bodies(self, path: Path) -> int:
        """Write each URL's last processed body to Parquet: (url, content_hash, content_type,
        ingest_date) of its latest fetched page. The fetch stage reads this file, not the
        database: the same bytes at the same URL again would come to what they came to
        then (an article, a copy of one, or a refusal on record in that day's quarantine),
        so they are unchanged before extraction, as after a 304.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as con:
            frame = con.sql("""
                select url, content_hash, content_type, ingest_date
                from raw.pages
                where fetch_outcome = 'fetched' and content_hash is not null
                qualify row_number() over (partition by url order by fetched_at desc) = 1
            """).pl()
        tmp = path.with_suffix(".tmp")
        frame.write_parquet(tmp)
        tmp.replace(path)
        return frame.height

    def write_audit(self, table: str, run_id: str, ingest_date: str, frame: pl.DataFrame) -> int:
        """Replace this run's rows of an audit table (stage_counts, quality_results)."""
        if table not in ("stage_counts", "quality_results"):
            raise ValueError(f"not an audit table: {table}")
        stamp = {"run_id": run_id, "ingest_date": ingest_date}
        with self.connect() as con:
            con.execute("begin transaction")
            if table == "quality_results" and frame.height:
                sources = frame["check_source"].unique().to_list()
                con.execute(f"delete from audit.{table} where run_id = ? "
                            "and check_source in (select unnest(?))", [run_id, sources])
            elif table == "stage_counts" and frame.height:
                stages = frame["stage"].unique().to_list()
                con.execute(f"delete from audit.{table} where run_id = ? "
                            "and stage in (select unnest(?))", [run_id, stages])
            count = self._insert(con, f"audit.{table}", frame, stamp)
            con.execute("commit")
        return count

    @staticmethod
    def _unchanged_article_ids(con: duckdb.DuckDBPyConnection, articles: pl.DataFrame,
                               ingest_date: str) -> list[str]:
        if articles.is_empty():
            return []
        con.register("incoming", articles.select("article_id", "content_hash"))
        rows = con.execute(
            "select a.article_id from raw.articles as a "
            "join incoming as i using (article_id) "
            "where a.content_hash = i.content_hash and a.ingest_date <> ?::date",
            [ingest_date]).fetchall()
        return [r[0] for r in rows]

    @staticmethod
    def _insert_parquet(con: duckdb.DuckDBPyConnection, table: str, part: ParquetRows,
                        stamp: dict[str, str]) -> int:
        """Bulk insert of a staged Parquet file's rows by DuckDB's own reader, by column name;
        stamps partition columns the file lacks."""
        if part.article_ids is not None and not part.article_ids:
            return 0
        columns = _table_columns(con, table)
        source = f"read_parquet({_quote(str(part.path))})"
        in_file = [row[0] for row in con.execute(f"describe select * from {source}").fetchall()]
        selected = [c for c in in_file if c not in part.exclude]
        values = _stamp_values(columns, selected, stamp, dict(part.constants))
        unknown = (set(selected) | set(values)) - columns
        if unknown:
            raise ValueError(f"{table}: file has columns the table lacks: {sorted(unknown)}")
        select = [_ident(c) for c in selected] + [f"? as {_ident(k)}" for k in values]
        where = ""
        if part.article_ids is not None:
            con.register("incoming_ids", pl.DataFrame({"article_id": list(part.article_ids)}))
            where = " where article_id in (select article_id from incoming_ids)"
        count = con.execute(f"insert into {table} by name select {', '.join(select)} "
                            f"from {source}{where}", list(values.values())).fetchall()[0][0]
        if part.article_ids is not None:
            con.unregister("incoming_ids")
        return count

    @staticmethod
    def _insert_with_texts(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame,
                           texts: list[Path], stamp: dict[str, str]) -> int:
        """Bulk insert of `frame` (rows without TEXT_COLUMNS) with each row's text read by
        DuckDB from the staged file holding its (article_id, url); fails when a row finds
        no text or more than one, so no article is stored without its text or twice."""
        if frame.is_empty():
            return 0
        frame = _stamped(con, table, frame, stamp, joined=TEXT_COLUMNS)
        con.register("incoming_rows", frame)
        text = ", ".join(f"staged.{_ident(c)}" for c in TEXT_COLUMNS)
        loaded = 0
        for path in texts:
            loaded += con.execute(
                f"insert into {table} by name select incoming_rows.*, {text} "
                f"from incoming_rows join read_parquet({_quote(str(path))}) as staged "
                "on staged.article_id = incoming_rows.article_id "
                "and staged.url = incoming_rows.url").fetchall()[0][0]
        con.unregister("incoming_rows")
        if loaded != frame.height:
            raise ValueError(f"{table}: {frame.height} rows but {loaded} found their text in "
                             f"the staged files (each must find exactly one)")
        return loaded

    @staticmethod
    def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame,
                stamp: dict[str, str]) -> int:
        """Bulk insert through Arrow, by column name; stamps partition columns."""
        if frame.is_empty():
            return 0
        frame = _stamped(con, table, frame, stamp)
        con.register("incoming_rows", frame)
        con.execute(f"insert into {table} by name select * from incoming_rows")
        con.unregister("incoming_rows")
        return frame.height


def _stamped(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame,
             stamp: dict[str, str], joined: tuple[str, ...] = ()) -> pl.DataFrame:
    """`frame` with the partition columns it lacks (_stamp_values); `joined`: columns the
    insert adds from elsewhere. Raises when a column is not in the table."""
    columns = _table_columns(con, table)
    values = _stamp_values(columns, [*frame.columns, *joined], stamp)
    frame = frame.with_columns(**{k: pl.lit(v) for k, v in values.items()})
    unknown = (set(frame.columns) | set(joined)) - columns
    if unknown:
        raise ValueError(f"{table}: frame has columns the table lacks: {sorted(unknown)}")
    return frame


def _stamp_values(columns: set[str], present: list[str], stamp: dict[str, str],
                  constants: dict[str, str] | None = None) -> dict[str, object]:
    """The one-value columns to add to rows with `present` columns: `constants`, then the
    table's partition columns from `stamp` and recorded_at (now, UTC) that the rows lack."""
    values: dict[str, object] = dict(constants or {})
    values.update({k: v for k, v in stamp.items()
                   if k in columns and k not in present and k not in values})
    if "recorded_at" in columns and "recorded_at" not in present:
        values["recorded_at"] = now_utc()
    return values


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {row[0] for row in con.execute(
        "select column_name from information_schema.columns "
        "where table_schema || '.' || table_name = ?", [table]).fetchall()}


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'

