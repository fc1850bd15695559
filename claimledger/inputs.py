"""Checks of a run's inputs before the DAG starts, each failing with one sentence.

A mistake found here costs a second instead of an Airflow start-up and a failed run, and
the sentence names the input and what is wrong with it (InputError's message).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from transforms.ingest.discovery import discover_snapshot
from transforms.ingest.sources import HTML_SUFFIXES, Source, SourceConfigError, load_sources
from transforms.kernel.settings import Settings


class InputError(ValueError):
    """An input of `claimledger run` is unusable; the message is one sentence."""


def today() -> date:
    """The latest date it is anywhere the run could be started from: UTC's or local."""
    return max(datetime.now(UTC).date(), datetime.now().astimezone().date())


def check_date(day: date, *, latest: date | None = None) -> date:
    """A logical date may be today or earlier (a future day has no news yet)."""
    latest = latest or today()
    if day > latest:
        raise InputError(f"--date {day.isoformat()} is in the future (today is "
                         f"{latest.isoformat()}); give today or an earlier day")
    return day


def check_corpus(folder: Path, *, allow_empty: bool = False) -> int:
    """A corpus folder exists, can be read and holds HTML pages; returns how many."""
    folder = folder.absolute()
    if not folder.exists():
        raise InputError(f"corpus folder not found: {folder}")
    if not folder.is_dir():
        raise InputError(f"corpus is not a folder: {folder}")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise InputError(f"corpus folder cannot be read (permission denied): {folder}")
    source = Source(folder.name or "corpus", "snapshot", {"path": str(folder)})
    return _count_pages(source, folder, Settings.from_env(), allow_empty)


def check_sources(settings: Settings, *, allow_empty: bool = False) -> list[Source]:
    """The sources file parses, names each source once, and its snapshot folders hold pages.

    Web sources are only parsed here: discovering them means fetching, the DAG's job.
    """
    try:
        sources = load_sources(settings)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InputError(f"sources file is not valid YAML{where}: "
                         f"{settings.sources_file}") from problem
    except SourceConfigError as problem:
        raise InputError(f"{problem}") from problem
    for source in sources:
        if source.kind == "snapshot":
            folder = Path(source.options.get("path", ""))
            folder = folder if folder.is_absolute() else settings.home / folder
            if not folder.is_dir():
                raise InputError(f"snapshot source {source.name!r}: folder not found: {folder}")
            _count_pages(source, folder, settings, allow_empty)
    return sources


def _count_pages(source: Source, folder: Path, settings: Settings, allow_empty: bool) -> int:
    """Pages discovery would find in the folder (the DAG's own discoverer, so both agree)."""
    try:
        pages = discover_snapshot(source, settings).height
    except (SourceConfigError, OSError) as problem:
        raise InputError(f"{problem}") from problem
    if pages == 0 and not allow_empty:
        suffixes = ", ".join(HTML_SUFFIXES)
        raise InputError(f"no pages in {folder} (no {suffixes} files); pass --allow-empty "
                         "to run over an empty folder anyway")
    return pages
