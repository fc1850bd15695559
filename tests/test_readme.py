"""The README stays a guide: short, and its layout table matches the tree."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
MAX_LINES = 250


def _layout_paths() -> list[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Layout", 1)[1]
    return re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE)


def _tracked_top_level() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.split()
    return {f.split("/")[0] + "/" for f in files if "/" in f and not f.startswith(".")}


def test_readme_is_at_most_250_lines():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_every_layout_path_exists():
    missing = [p for p in _layout_paths() if not (REPO / p).exists()]
    assert not missing, f"README layout names paths that do not exist: {missing}"


def test_every_subpackage_and_top_level_folder_is_in_the_layout():
    listed = set(_layout_paths())
    subpackages = {f"transforms/{p.parent.name}/"
                   for p in (REPO / "transforms").glob("*/__init__.py")}
    missing = sorted((subpackages | _tracked_top_level()) - listed)
    assert not missing, f"README layout lacks: {missing}"
