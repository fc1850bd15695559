"""Shared fixtures: settings pointed at a temporary warehouse, the bundled corpus path."""

from __future__ import annotations

import os
import shutil
import subprocess
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


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a Chromium binary; installed with apt-get when missing and we are root."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True,
                       timeout=600, check=False)
        found = shutil.which("chromium")
    if not found:
        pytest.skip("no chromium: /usr/bin/chromium is missing and `apt-get install -y "
                    "chromium` was not possible (not root, or no package source)")
    return found
