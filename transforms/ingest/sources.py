"""Source types: the entries of config/sources.yml and the rows discovery makes of them.

A source is a name, a kind and the kind's settings; each kind has a discoverer
(transforms/ingest/discovery.py DISCOVERERS) that turns it into rows of DISCOVERED_SCHEMA.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl
import yaml

from transforms.kernel.settings import Settings

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


KINDS = ("snapshot", "rss", "sitemap", "urls", "warc")


