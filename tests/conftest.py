"""Shared fixtures: settings pointed at a temporary warehouse, the bundled corpus path."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.kernel.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO / "corpus" / "sample"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose warehouse lives in tmp_path; sources are the repo's config."""
    return Settings.from_env({
        "CLAIMLEDGER_HOME": str(REPO),
        "CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
    })
