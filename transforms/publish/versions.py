"""Publish the build database to readers: a checked copy, swapped in atomically.

The DAG and dbt write the private build database (warehouse/build/claimledger.duckdb);
analysts and BI tools open warehouse/claimledger.duckdb read-only. DuckDB allows many
read-only processes or one writer, never both, so readers only ever see copies:

    warehouse/published/claimledger-<stamp>-<run>.duckdb    one published version
    warehouse/published/claimledger-<stamp>-<run>.parquet/  its marts (and audit) as Parquet
    warehouse/published/CURRENT                             the name of the served version
    warehouse/claimledger.duckdb                            the served version (a hard link, 0444)
    warehouse/parquet -> published/<served version>.parquet (a relative symlink)
    warehouse/claimledger_parquet.duckdb                    views over the served Parquet
    warehouse/reports/dbt_docs.html                         `dbt docs generate --static`
                                                            (made in build/dbt_target)

`publish(settings, run_id)` folds the build database's WAL into its file (through
Warehouse, the one writer; a stale WAL of a crashed writer is replayed or discarded
there), writes the dbt docs page, copies the file to a new version (keeping only the
schemas readers use, PUBLISHED_SCHEMAS), checks the copy opens, exports Parquet
(transforms/publish/parquet_export.py), then swaps the served file (a second name of
the version file, never a second copy) in with os.replace(): a reader
holding the old file keeps its consistent old snapshot (the old inode) until it
reconnects.
`rollback(settings)` serves the version before the current one. The last
`settings.publish_keep` versions are kept (never the served one deleted).
"""

from __future__ import annotations

import calendar
import contextlib
import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transforms.checks.dbt_build import generate_dbt_docs
from transforms.kernel.faults import fault_point
from transforms.kernel.settings import Settings
from transforms.publish.parquet_export import export_parquet, write_parquet_views
from transforms.warehouse.writer import Warehouse

VERSION_PREFIX = "claimledger-"
# What a published copy holds for readers: the marts, the run bookkeeping (audit), and
# the raw layer (read-only like the whole file) to trace a number back to its page.
# dbt's working schemas (staging and intermediate views, seeds, anything in main) are
# dropped from the copy, so BI tools list only these; the build database keeps them.
PUBLISHED_SCHEMAS = ("marts", "audit", "raw")
Progress = Callable[[str], None]


class PublishError(RuntimeError):
    """Publishing (or rolling back) could not produce a readable served database."""


@dataclass(frozen=True)
class Layout:
    """Where the served files live under one warehouse folder."""

    warehouse: Path

    @classmethod
    def of(cls, settings: Settings) -> Layout:
        return cls(settings.warehouse_dir)

    @property
    def versions(self) -> Path:
        return self.warehouse / "published"

    @property
    def current_file(self) -> Path:
        return self.versions / "CURRENT"

    @property
    def served_db(self) -> Path:
        return self.warehouse / "claimledger.duckdb"

    @property
    def parquet_link(self) -> Path:
        return self.warehouse / "parquet"

    @property
    def parquet_views_db(self) -> Path:
        return self.warehouse / "claimledger_parquet.duckdb"

    @property
    def dbt_docs(self) -> Path:
        return self.warehouse / "reports" / "dbt_docs.html"

    def version_db(self, name: str) -> Path:
        return self.versions / f"{name}.duckdb"

    def version_digest(self, name: str) -> Path:
        return self.versions / f"{name}.sha256"

    def version_parquet(self, name: str) -> Path:
        return self.versions / f"{name}.parquet"


@dataclass(frozen=True)
class PublishResult:
    """What one publish (or rollback) served: the version name and the files."""

    version: str
    published_db: Path
    parquet_views_db: Path
    parquet_dir: Path
    dbt_docs: Path | None
    kept_versions: list[str]
    notes: list[str]


def _quiet(_: str) -> None:
    return None


def publish(settings: Settings, run_id: str, *, progress: Progress = _quiet,
            docs: bool = True) -> PublishResult:
    """Serve the current build database as a new version; return what was served.

    progress receives one short line per step ("checkpoint", "copy", ...). docs=False
    skips `dbt docs generate` (a failure there is noted, never blocks the data).
    """

    layout = Layout.of(settings)
    if not settings.build_db.exists():
        raise PublishError(f"no build database at {settings.build_db}: run the DAG first")
    notes: list[str] = []
    with _publish_lock(layout):
        docs_path = None
        if docs:
            progress("dbt docs generate --static")
            try:
                docs_path = write_dbt_docs(settings, layout.dbt_docs)
            except Exception as exc:  # the docs page never keeps checked data from readers
                notes.append(f"dbt docs not generated: {exc}")
                progress(notes[-1])
        progress("checkpoint the build database")
        Warehouse(settings).checkpoint()
        stored = list_versions(layout)
        name = _version_name(run_id, stored[-1] if stored else None)
        version_db = layout.version_db(name)
        layout.versions.mkdir(parents=True, exist_ok=True)
        progress("copy to a new version")
        _copy_synced(settings.build_db, version_db, prepare=keep_published_schemas)
        try:
            _check_opens(version_db)
        except PublishError:
            version_db.unlink()  # never leave a version a rollback could pick
            raise
        _write_digest(version_db, layout.version_digest(name))
        progress("export marts to Parquet")
        export_parquet(version_db, layout.version_parquet(name),
                       memory_limit=settings.duckdb_memory_limit)
        fault_point("publish_warehouse", "during_write")  # a version nobody serves yet
        progress("swap the served database")
        _serve(layout, name)
        kept = _prune(layout, settings.publish_keep)
    return PublishResult(name, layout.served_db, layout.parquet_views_db,
                         layout.parquet_link, docs_path, kept, notes)


def rollback(settings: Settings, *, progress: Progress = _quiet) -> PublishResult:
    """Serve the version published before the current one; return it.

    Raises PublishError when there is no earlier version to go back to.
    """
    layout = Layout.of(settings)
    with _publish_lock(layout):
        names = list_versions(layout)
        # A warehouse published before CURRENT existed serves its newest version.
        current = current_version(layout) or (names[-1] if names else None)
        if current not in names:
            raise PublishError(f"the served version {current!r} is not in {layout.versions}")
        position = names.index(current)
        if position == 0:
            raise PublishError(f"no version before {current} to roll back to "
                               f"(kept: {', '.join(names)})")
        previous = names[position - 1]
        progress(f"check {previous}")
        _check_digest(layout.version_db(previous), layout.version_digest(previous))
        _check_opens(layout.version_db(previous))
        if not layout.version_parquet(previous).is_dir():
            progress("export its marts to Parquet")
            export_parquet(layout.version_db(previous), layout.version_parquet(previous),
                           memory_limit=settings.duckdb_memory_limit)
        progress("swap the served database")
        _serve(layout, previous)
    docs = layout.dbt_docs if layout.dbt_docs.exists() else None
    return PublishResult(previous, layout.served_db, layout.parquet_views_db,
                         layout.parquet_link, docs, names,
                         [f"rolled back from {current}; dbt docs still describe the newest build"])


def list_versions(layout: Layout) -> list[str]:
    """Published version names, oldest first (the names sort by their UTC stamp)."""
    if not layout.versions.is_dir():
        return []
    return sorted(p.stem for p in layout.versions.glob(f"{VERSION_PREFIX}*.duckdb"))


def current_version(layout: Layout) -> str | None:
    """The name of the served version, or None before the first publish."""
    try:
        return layout.current_file.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


# --- steps -------------------------------------------------------------------------------

@contextmanager
def _publish_lock(layout: Layout) -> Iterator[None]:
    """One publish or rollback at a time per warehouse (the DAG and a person may race)."""
    layout.warehouse.mkdir(parents=True, exist_ok=True)
    with (layout.warehouse / ".publish.lock").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _version_name(run_id: str, newer_than: str | None = None) -> str:
    """A version name that sorts after `newer_than` (the newest stored version).

    The stamp comes from one clock reading: seconds and microseconds read apart straddle
    a second now and then and sort a later publish first. A clock stepped back still
    gets a name after the newest version, so list order stays publish order.
    """
    safe_run = "".join(c if c.isalnum() or c in "-_" else "_" for c in run_id)[:40]
    micros = _wall_clock_ns() // 1000
    if newer_than is not None:
        micros = max(micros, _stamp_micros(newer_than) + 1)
    seconds, fraction = divmod(micros, 10**6)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(seconds)) + f"{fraction:06d}"
    return f"{VERSION_PREFIX}{stamp}-{safe_run}"


def _wall_clock_ns() -> int:
    return time.time_ns()


def _stamp_micros(name: str) -> int:
    """Microseconds since the epoch of a version name's stamp."""
    stamp = name.removeprefix(VERSION_PREFIX).split("-", 1)[0]
    whole = calendar.timegm(time.strptime(stamp[:15], "%Y%m%dT%H%M%S"))
    return whole * 10**6 + int(stamp[15:21])


def _copy_synced(source: Path, target: Path,
                 prepare: Callable[[Path], None] | None = None) -> None:
    """Copy through a temporary name and fsync, so `target` is whole or absent.

    prepare: called with the temporary copy before it takes the target's name.
    """
    tmp = target.with_name(target.name + ".tmp")
    shutil.copyfile(source, tmp)
    if prepare is not None:
        prepare(tmp)
    with tmp.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)


def keep_published_schemas(database: Path) -> list[str]:
    """Drop from the DuckDB file every schema but PUBLISHED_SCHEMAS; return those dropped.

    `main` cannot be dropped (DuckDB's default schema), so its tables, views, macros and
    sequences are. The file is checkpointed, leaving no WAL beside it.
    """
    dropped = []
    with closing(duckdb.connect(str(database))) as con:
        for (schema,) in con.execute(
                "select schema_name from duckdb_schemas() where database_name = "
                "current_database() and not internal and schema_name not in "
                "(select unnest(?))", [list(PUBLISHED_SCHEMAS)]).fetchall():
            con.execute(f'drop schema "{schema}" cascade')
            dropped.append(schema)
        in_main = con.execute("""
            select 'view', view_name from duckdb_views()
            where database_name = current_database() and schema_name = 'main'
              and not internal
            union all
            select 'table', table_name from duckdb_tables()
            where database_name = current_database() and schema_name = 'main'
            union all
            select distinct case function_type when 'table_macro' then 'macro table'
                                               else 'macro' end, function_name
            from duckdb_functions()
            where database_name = current_database() and schema_name = 'main'
              and not internal and function_type in ('macro', 'table_macro')
            union all
            select 'sequence', sequence_name from duckdb_sequences()
            where database_name = current_database() and schema_name = 'main'
            """).fetchall()
        for kind, name in in_main:
            con.execute(f'drop {kind} if exists main."{name}" cascade')
        if in_main:
            dropped.append("main")
        con.execute("checkpoint")
    return dropped


def _link_read_only(version: Path, target: Path) -> None:
    """Make `target` a second name of the version file (a hard link), both mode 0444.

    The served file and its version are one inode: no second copy to write and fsync,
    no second file on disk. Neither is ever opened for writing (readers open the served
    file read-only; a new publish or a rollback swaps in another inode with
    os.replace, so readers holding this one keep their snapshot), and the read-only
    mode stops a client that forgets read_only (root excepted) from changing the
    version a rollback would serve. Where the file system has no hard links, a copy.
    The build database is never linked: the writer changes it in place.
    """
    with contextlib.suppress(PermissionError):  # a version another account published
        os.chmod(version, 0o444)
    target.unlink(missing_ok=True)  # left by a publish that died before its swap
    try:
        os.link(version, target)
    except OSError:
        _copy_synced(version, target)
        os.chmod(target, 0o444)


def _check_opens(path: Path) -> None:
    """Open a copy read-only and read its catalogue: never serve a file that fails this."""
    try:
        with closing(duckdb.connect(str(path), read_only=True)) as con:
            tables = con.execute("select count(*) from duckdb_tables() "
                                 "where schema_name = 'marts'").fetchone()[0]
    except duckdb.Error as exc:
        raise PublishError(f"{path.name} does not open read-only: {exc}") from exc
    if not tables:
        raise PublishError(f"{path.name} holds no marts tables: was dbt run?")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _write_digest(version: Path, target: Path) -> None:
    """Record the version file's sha256 as read back from disk after its copy."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(f"{_file_sha256(version)}  {version.name}\n", encoding="utf-8")
    os.replace(tmp, target)


def _check_digest(version: Path, recorded: Path) -> None:
    """Refuse a version whose bytes changed since it was published (a damaged disk block
    DuckDB may only notice when a query reads it). Versions published before digests
    were recorded have none and are checked by opening them only."""
    if not recorded.exists():
        return
    expected = recorded.read_text(encoding="utf-8").split()[0]
    if _file_sha256(version) != expected:
        raise PublishError(f"{version.stem} is damaged: its sha256 no longer matches the one "
                           f"recorded when it was published ({recorded.name}); it will not "
                           "be served")


def _serve(layout: Layout, name: str) -> None:
    """Make version `name` the served one: the database file, the Parquet link, the views."""
    served = layout.served_db
    tmp = served.with_name(served.name + ".tmp")
    _link_read_only(layout.version_db(name), tmp)
    # The served file is never opened for writing, so a WAL beside it is stale (a client
    # that opened it read-write and crashed); DuckDB would try to replay it into the
    # new file. Remove it before the swap.
    served.with_name(served.name + ".wal").unlink(missing_ok=True)
    link_tmp = layout.parquet_link.with_name("parquet.tmp")
    link_tmp.unlink(missing_ok=True)
    link_tmp.symlink_to(Path(layout.versions.name) / layout.version_parquet(name).name)
    if layout.parquet_link.is_dir() and not layout.parquet_link.is_symlink():
        shutil.rmtree(layout.parquet_link)  # an export from before versions were linked
    views_tmp = layout.parquet_views_db.with_name(layout.parquet_views_db.name + ".tmp")
    write_parquet_views(layout.version_parquet(name), views_tmp)
    os.replace(link_tmp, layout.parquet_link)
    os.replace(views_tmp, layout.parquet_views_db)
    os.replace(tmp, served)
    current_tmp = layout.current_file.with_name("CURRENT.tmp")
    current_tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(current_tmp, layout.current_file)
    _fsync_dir(layout.warehouse)
    _fsync_dir(layout.versions)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _prune(layout: Layout, keep: int) -> list[str]:
    """Delete all but the newest `keep` versions (never the served one); return the kept."""
    keep = max(keep, 2)  # the served version and one to roll back to
    names = list_versions(layout)
    current = current_version(layout)
    for name in names[:-keep]:
        if name == current:
            continue
        layout.version_db(name).unlink(missing_ok=True)
        layout.version_digest(name).unlink(missing_ok=True)
        shutil.rmtree(layout.version_parquet(name), ignore_errors=True)
    return list_versions(layout)


# --- dbt docs ----------------------------------------------------------------------------

def write_dbt_docs(settings: Settings, target_html: Path) -> Path:
    """Write the `dbt docs generate --static` page of the build database to target_html.

    The page is generated in the build's dbt target folder from the manifest of the
    last `dbt build` and the catalog (column types) of the build database as it is now
    (transforms/dbt_build.generate_dbt_docs). Needs the build database free of writers
    (publish runs after the checks, in the writer pool). Returns the written HTML path.
    """

    try:
        page = generate_dbt_docs(settings.build_db, project_dir=settings.dbt_project_dir)
    except RuntimeError as exc:
        raise PublishError(str(exc)) from exc
    target_html.parent.mkdir(parents=True, exist_ok=True)
    _copy_synced(page, target_html)
    return target_html
