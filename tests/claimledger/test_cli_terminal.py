"""`claimledger run` as a person meets it: the real CLI in a subprocess, refusing bad input
before Airflow starts, with one sentence of cause as its last line and no Airflow log line.

The good run and the gate stop (minutes each) are recorded in docs/terminal-sessions.md;
tests/e2e/test_news_daily_dag.py follows a real run through the same code.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.dag_harness import dag_env

# An Airflow (structlog) log record: "2026-12-07T12:28:31.776441Z [error    ] ..."
AIRFLOW_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z? \[")


def _run_cli(tmp_path: Path, *args: str, sources: Path | None = None) -> tuple[int, list[str]]:
    extra = {"sources": sources} if sources else {}
    env = dag_env(tmp_path / "airflow_home", tmp_path / "warehouse", **extra)
    done = subprocess.run([sys.executable, "-m", "claimledger.cli", "run", *args], cwd=REPO,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=120, check=False)
    return done.returncode, done.stdout.strip().splitlines()


def _assert_refused_before_the_dag(tmp_path: Path, code: int, lines: list[str]) -> None:
    assert code == 2, lines
    assert not [line for line in lines if AIRFLOW_LOG_LINE.match(line)]
    assert not (tmp_path / "warehouse" / "logs").exists()  # Airflow was never started
    assert not (tmp_path / "airflow_home").exists()


def test_a_missing_corpus_folder_is_one_sentence_before_anything_starts(tmp_path):
    code, lines = _run_cli(tmp_path, "--corpus", str(tmp_path / "no_such_folder"),
                           "--date", "2026-03-02")
    _assert_refused_before_the_dag(tmp_path, code, lines)
    assert lines == [f"claimledger run: corpus folder not found: {tmp_path / 'no_such_folder'}"]


@pytest.mark.parametrize("day", ["2026-13-40", "2026-02-30", "02/03/2026", "yesterday"])
def test_a_date_that_is_not_on_the_calendar_is_one_sentence(tmp_path, day):
    code, lines = _run_cli(tmp_path, "--date", day)
    _assert_refused_before_the_dag(tmp_path, code, lines)
    assert lines == [f"claimledger run: --date {day} is not a calendar date: give YYYY-MM-DD "
                     "with a real month and day, e.g. 2026-03-02"]


def test_a_future_date_is_refused(tmp_path):
    code, lines = _run_cli(tmp_path, "--date", "2999-01-01")
    _assert_refused_before_the_dag(tmp_path, code, lines)
    assert re.fullmatch(r"claimledger run: --date 2999-01-01 is in the future \(today is "
                        r"\d{4}-\d\d-\d\d\); give today or an earlier day", lines[-1])


def test_an_empty_corpus_folder_is_refused_unless_allowed(tmp_path):
    (tmp_path / "empty").mkdir()
    code, lines = _run_cli(tmp_path, "--corpus", str(tmp_path / "empty"), "--date", "2026-03-02")
    _assert_refused_before_the_dag(tmp_path, code, lines)
    assert lines[-1] == (f"claimledger run: no pages in {tmp_path / 'empty'} (no .html, .htm, "
                         ".xhtml files); pass --allow-empty to run over an empty folder anyway")
    assert len(lines) == 1


def test_a_sources_file_naming_a_source_twice_is_refused(tmp_path):
    sources = tmp_path / "sources.yml"
    folder = REPO / "corpus" / "sample"
    sources.write_text(f"sources:\n  - {{name: a, kind: snapshot, path: {folder}}}\n"
                       f"  - {{name: a, kind: snapshot, path: {folder}}}\n")
    code, lines = _run_cli(tmp_path, "--date", "2026-03-02", sources=sources)
    _assert_refused_before_the_dag(tmp_path, code, lines)
    assert lines == [f"claimledger run: {sources}: source names must be unique: ['a', 'a']"]
