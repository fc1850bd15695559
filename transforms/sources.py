"""Sources and discovery: which pages a run should fetch.

A source is one entry of config/sources.yml: a name, a kind and the kind's
settings. Each kind has a discoverer that turns the entry into rows of
DISCOVERED_SCHEMA. New kinds (rss, sitemap, urls, warc) register a function in
DISCOVERERS; nothing else changes.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from transforms.settings import Settings

DISCOVERED_SCHEMA = {
    "source_name": pl.String,
    "source_kind": pl.String,
    "url": pl.String,
    "location": pl.String,  # where the fetcher reads the page: a file path or the URL itself
}

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


class SourceConfigError(ValueError):
    """The sources file is missing, malformed or names an unknown kind."""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)


def load_sources(settings: Settings) -> list[Source]:
    """The sources of a run: the CORPUS override alone, else config/sources.yml."""
    if settings.corpus_override is not None:
        folder = settings.corpus_override
        options = {"path": str(folder)}
        return [Source(name=folder.name or "corpus", kind="snapshot", options=options)]
    path = settings.sources_file
    if not path.exists():
        raise SourceConfigError(f"sources file not found: {path}")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = document.get("sources")
    if not isinstance(entries, list) or not entries:
        raise SourceConfigError(f"{path}: expected a non-empty list under 'sources'")
    sources = []
    for entry in entries:
        if not isinstance(entry, dict) or "name" not in entry or "kind" not in entry:
            raise SourceConfigError(f"{path}: every source needs 'name' and 'kind': {entry!r}")
        if entry["kind"] not in KINDS:
            known = ", ".join(sorted(KINDS))
            raise SourceConfigError(f"{path}: source {entry['name']!r} has unknown kind "
                                    f"{entry['kind']!r} (known: {known})")
        options = {k: v for k, v in entry.items() if k not in ("name", "kind")}
        sources.append(Source(name=str(entry["name"]), kind=str(entry["kind"]), options=options))
    names = [s.name for s in sources]
    if len(names) != len(set(names)):
        raise SourceConfigError(f"{path}: source names must be unique: {names}")
    return sources


def discover_snapshot(source: Source, settings: Settings) -> pl.DataFrame:
    """Every HTML file of a snapshot folder, with its URL from the manifest or its name.

    Without a manifest (or for files it does not list) the URL is
    `snapshot://<source>/<relative path>`: stable wherever the folder lives.
    """
    folder = Path(source.options.get("path", ""))
    if not folder.is_absolute():
        folder = settings.home / folder
    if not folder.is_dir():
        raise SourceConfigError(f"snapshot source {source.name!r}: folder not found: {folder}")
    manifest = _read_manifest(folder / source.options.get("manifest", "manifest.csv"))
    rows = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        if file.suffix.lower() not in HTML_SUFFIXES:
            continue
        relative = file.relative_to(folder).as_posix()
        url, source_name = manifest.get(relative, (None, None))
        rows.append({
            "source_name": source_name or source.name,
            "source_kind": source.kind,
            "url": url or f"snapshot://{source.name}/{relative}",
            "location": str(file),
        })
    return pl.DataFrame(rows, schema=DISCOVERED_SCHEMA)


def _read_manifest(path: Path) -> dict[str, tuple[str, str | None]]:
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"file", "url"} - set(reader.fieldnames or [])
        if missing:
            raise SourceConfigError(f"{path}: manifest lacks columns {sorted(missing)}")
        return {row["file"]: (row["url"], row.get("source_name") or None) for row in reader}


def _web_discoverers() -> dict[str, Callable[[Source, Settings], pl.DataFrame]]:
    # discovery_web imports this module (Source, DISCOVERED_SCHEMA): import it late.
    from transforms.discovery_web import (
        discover_rss,
        discover_sitemap,
        discover_urls,
        discover_warc,
    )

    return {"rss": discover_rss, "sitemap": discover_sitemap, "urls": discover_urls,
            "warc": discover_warc}


DISCOVERERS: dict[str, Callable[[Source, Settings], pl.DataFrame]] = {
    "snapshot": discover_snapshot,
}
KINDS = ("snapshot", "rss", "sitemap", "urls", "warc")


def discover(settings: Settings) -> pl.DataFrame:
    """All pages of all sources, one row per URL (first source wins on a repeat)."""
    sources = load_sources(settings)
    discoverers = DISCOVERERS
    if any(s.kind not in DISCOVERERS for s in sources):
        discoverers = {**DISCOVERERS, **_web_discoverers()}
    frames = [discoverers[s.kind](s, settings) for s in sources]
    discovered = pl.concat(frames) if frames else pl.DataFrame(schema=DISCOVERED_SCHEMA)
    return discovered.unique(subset="url", keep="first", maintain_order=True)
