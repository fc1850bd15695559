"""Session fixtures: the bundled corpus and the planted-error corpus, each built once.

Both are built in-process (tests/quality/corpora.py), ~15 s each; every test reads
them read-only.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from tests.quality.corpora import (
    article_ids_by_seed,
    build_warehouse,
    copy_corpus,
    planted_corpus,
)


class Built:
    """A built warehouse: its settings, build database and article ids by seed."""

    def __init__(self, settings):
        self.settings = settings
        self.db: Path = settings.build_db
        self.article_of = article_ids_by_seed(self.db)
        self.seed_of = {a: s for s, a in self.article_of.items()}

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        with closing(duckdb.connect(str(self.db), read_only=True)) as con:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Built:
    tmp = tmp_path_factory.mktemp("quality-sample")
    return Built(build_warehouse(copy_corpus(tmp / "corpus"), tmp / "warehouse"))


@pytest.fixture(scope="session")
def planted_warehouse(tmp_path_factory) -> Built:
    tmp = tmp_path_factory.mktemp("quality-planted")
    return Built(build_warehouse(planted_corpus(tmp / "corpus"), tmp / "warehouse"))
