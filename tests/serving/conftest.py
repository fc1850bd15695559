"""Fixtures for the serving tests: a headless Chromium, a DuckDB 1.4 interpreter, the
example queries of docs/example_queries.sql."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

EXAMPLE_QUERIES = REPO / "docs" / "example_queries.sql"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--enable-logging=stderr", "--v=0"]
CONSOLE_LINE = re.compile(r":CONSOLE[:(]")


@dataclass(frozen=True)
class ExampleQuery:
    name: str
    sql: str
    requires: tuple[str, ...]


def example_queries() -> list[ExampleQuery]:
    """The `-- name:` blocks of docs/example_queries.sql, in file order."""
    text = EXAMPLE_QUERIES.read_text(encoding="utf-8")
    queries = []
    for block in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, body = block.split("\n", 1)
        requires = tuple(re.findall(r"^-- requires: (\S+)", body, flags=re.M))
        queries.append(ExampleQuery(name.strip(), body.strip().rstrip(";"), requires))
    return queries


@dataclass(frozen=True)
class LoadedPage:
    dom: str
    console: list[str]


@pytest.fixture(scope="session")
def load_page(chromium):
    """Load a local HTML file in headless Chromium: the DOM after load and console lines."""

    def load(page: Path) -> LoadedPage:
        with tempfile.TemporaryDirectory() as profile:
            done = subprocess.run(
                [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                 page.resolve().as_uri()],
                capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        console = [line for line in done.stderr.splitlines() if CONSOLE_LINE.search(line)]
        return LoadedPage(done.stdout, console)

    return load


@pytest.fixture(scope="session")
def duckdb14_python(tmp_path_factory) -> Path:
    """A Python interpreter with duckdb 1.4.x, in a throwaway venv (not the project's)."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed: cannot build the DuckDB 1.4 venv")
    venv = tmp_path_factory.mktemp("duckdb14") / "venv"
    made = subprocess.run([uv, "venv", "--quiet", "--python", "3.11", str(venv)],
                          capture_output=True, text=True, timeout=300, check=False)
    python = venv / "bin" / "python"
    if made.returncode == 0:
        made = subprocess.run([uv, "pip", "install", "--quiet", "--python", str(python),
                               "duckdb==1.4.*"], capture_output=True, text=True,
                              timeout=600, check=False)
    if made.returncode != 0:
        pytest.skip(f"could not install duckdb 1.4 from PyPI into a temporary venv: "
                    f"{made.stderr.strip()[-500:]}")
    return python
