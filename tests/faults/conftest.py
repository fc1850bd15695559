"""Fixtures of the fault tests: a small corpus with bad pages, and a clean reference run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE_CORPUS
from transforms.kernel.settings import Settings

INGEST_DATE = "2026-03-02"


def fault_corpus(folder: Path) -> Path:
    """The bundled five articles plus two pages that quarantine (fetch and extract)."""
    shutil.copytree(SAMPLE_CORPUS, folder)
    (folder / "empty.html").write_bytes(b"")
    (folder / "no_article.html").write_text(
        "<html><head><title>x</title></head><body><nav><a href='/'>Home</a></nav></body></html>")
    return folder


def env_for(corpus: Path, warehouse: Path) -> dict[str, str]:
    """The CLAIMLEDGER_* settings of a run over `corpus` into `warehouse`."""
    return {"CLAIMLEDGER_HOME": str(REPO), "CLAIMLEDGER_CORPUS": str(corpus),
            "CLAIMLEDGER_WAREHOUSE_DIR": str(warehouse)}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    return fault_corpus(tmp_path_factory.mktemp("faults") / "corpus")


@pytest.fixture(scope="session")
def reference(tmp_path_factory, corpus) -> dict:
    """A clean run of the day into a fresh warehouse, and its snapshot."""
    from tests.faults.pipeline import run_pipeline
    from tests.faults.warehouse_state import snapshot

    warehouse = tmp_path_factory.mktemp("reference") / "warehouse"
    settings = Settings.from_env(env_for(corpus, warehouse))
    run_pipeline(settings, INGEST_DATE, "clean-run")
    return {"warehouse": warehouse, "settings": settings, "state": snapshot(settings.build_db)}
