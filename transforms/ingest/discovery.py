"""Discovery: which pages a run should fetch, one row of DISCOVERED_SCHEMA per URL.

Each source kind has a discoverer in DISCOVERERS, `(source, settings) -> frame`; the
snapshot kind (a folder of saved pages) lives here, the web kinds in discovery_web.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import polars as pl

from transforms.ingest.discovery_web import (
    discover_rss,
    discover_sitemap,
    discover_urls,
    discover_warc,
)
from transforms.ingest.sources import (
    DISCOVERED_SCHEMA,
    HTML_SUFFIXES,
    Source,
    SourceConfigError,
    load_sources,
)
from transforms.kernel.settings import Settings
from transforms.kernel.urls import normalise_url


def discover_snapshot(source: Source, settings: Settings) -> pl.DataFrame:
    """Every HTML file of a snapshot folder, with its URL from the manifest or its name.

    Without a manifest (or for files it does not list) the URL is
    `snapshot://<source>/<relative path>`: stable wherever the folder lives. A manifest's
    URL is kept in its canonical form (normalise_url); one that is not http(s) is kept
    too, and the fetch quarantines it as `unsupported_url`.

    Every entry with an HTML name that is not a plain directory gets a row, so nothing
    vanishes unseen: a symbolic link whose target is a regular file inside the folder is
    located at that target; any other link (leaving the folder, dangling, looping) and any
    special file keeps its own path, which the fetch refuses as `unsafe_path` without
    reading it (local_files._read_snapshot).
    """
    folder = Path(source.options.get("path", ""))
    if not folder.is_absolute():
        folder = settings.home / folder
    if not folder.is_dir():
        raise SourceConfigError(f"snapshot source {source.name!r}: folder not found: {folder}")
    manifest = _read_manifest(folder / source.options.get("manifest", "manifest.csv"))
    root = folder.resolve()
    rows = []
    for file in sorted(folder.rglob("*")):  # rglob does not descend into linked folders
        if file.suffix.lower() not in HTML_SUFFIXES or (file.is_dir() and not file.is_symlink()):
            continue
        relative = file.relative_to(folder).as_posix()
        url, source_name = manifest.get(relative, (None, None))
        rows.append({
            "source_name": source_name or source.name,
            "source_kind": source.kind,
            "url": normalise_url(url) if url else f"snapshot://{source.name}/{relative}",
            "location": str(_inside_target(file, root)),
        })
    return pl.DataFrame(rows, schema=DISCOVERED_SCHEMA)


def _inside_target(file: Path, root: Path) -> Path:
    """A link's target when it is a regular file inside `root`, else the entry itself."""
    if not file.is_symlink():
        return file
    try:
        target = file.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop (RuntimeError before 3.13)
        return file
    return target if target.is_relative_to(root) and target.is_file() else file


def _read_manifest(path: Path) -> dict[str, tuple[str, str | None]]:
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"file", "url"} - set(reader.fieldnames or [])
        if missing:
            raise SourceConfigError(f"{path}: manifest lacks columns {sorted(missing)}")
        return {row["file"]: (row["url"], row.get("source_name") or None) for row in reader}


DISCOVERERS: dict[str, Callable[[Source, Settings], pl.DataFrame]] = {
    "snapshot": discover_snapshot, "rss": discover_rss, "sitemap": discover_sitemap,
    "urls": discover_urls, "warc": discover_warc,
}


def discover(settings: Settings) -> pl.DataFrame:
    """All pages of all sources, one row per URL (first source wins on a repeat)."""
    frames = [DISCOVERERS[s.kind](s, settings) for s in load_sources(settings)]
    discovered = pl.concat(frames) if frames else pl.DataFrame(schema=DISCOVERED_SCHEMA)
    return discovered.unique(subset="url", keep="first", maintain_order=True)
