"""claimledger.inputs: the run's date, corpus folder and sources file, checked before the DAG."""

from __future__ import annotations

from datetime import date

import pytest

from claimledger.inputs import InputError, check_corpus, check_date, check_sources
from tests.conftest import REPO, SAMPLE_CORPUS
from transforms.kernel.settings import Settings


def test_today_and_earlier_days_pass_a_future_day_is_refused():
    today = date(2026, 3, 2)
    assert check_date(today, latest=today) == today
    assert check_date(date(2020, 2, 29), latest=today) == date(2020, 2, 29)
    with pytest.raises(InputError, match=r"--date 2026-03-03 is in the future \(today is "
                                         r"2026-03-02\)"):
        check_date(date(2026, 3, 3), latest=today)


def test_the_bundled_corpus_holds_its_pages():
    assert check_corpus(SAMPLE_CORPUS) == len(list(SAMPLE_CORPUS.glob("*.html")))


def test_a_missing_corpus_folder_is_named(tmp_path):
    with pytest.raises(InputError, match=r"corpus folder not found: .*/nowhere$"):
        check_corpus(tmp_path / "nowhere")


def test_a_file_given_as_corpus_is_not_a_folder(tmp_path):
    (tmp_path / "page.html").write_text("<p>x</p>")
    with pytest.raises(InputError, match="corpus is not a folder"):
        check_corpus(tmp_path / "page.html")


def test_a_folder_without_pages_is_refused_unless_allowed(tmp_path):
    (tmp_path / "notes.txt").write_text("no pages here")
    with pytest.raises(InputError, match=r"no pages in .* pass --allow-empty"):
        check_corpus(tmp_path)
    assert check_corpus(tmp_path, allow_empty=True) == 0


def test_pages_in_subfolders_count(tmp_path):
    (tmp_path / "2026" / "03").mkdir(parents=True)
    (tmp_path / "2026" / "03" / "a.htm").write_text("<p>x</p>")
    assert check_corpus(tmp_path) == 1


def test_a_malformed_manifest_is_an_input_error(tmp_path):
    (tmp_path / "a.html").write_text("<p>x</p>")
    (tmp_path / "manifest.csv").write_text("name,address\na.html,https://x\n")
    with pytest.raises(InputError, match="manifest lacks columns"):
        check_corpus(tmp_path)


def _settings(tmp_path, sources: str) -> Settings:
    path = tmp_path / "sources.yml"
    path.write_text(sources, encoding="utf-8")
    return Settings.from_env({"CLAIMLEDGER_HOME": str(REPO), "CLAIMLEDGER_SOURCES": str(path),
                              "CLAIMLEDGER_WAREHOUSE_DIR": str(tmp_path / "warehouse")})


def test_the_repositorys_sources_file_passes(settings):
    assert [s.name for s in check_sources(settings)] == ["sample"]


def test_a_sources_file_that_is_not_yaml_names_its_line(tmp_path):
    settings = _settings(tmp_path, "sources:\n  - name: a\n    kind: [snapshot\n")
    with pytest.raises(InputError, match=r"sources file is not valid YAML \(line \d+\)"):
        check_sources(settings)


def test_source_names_must_be_unique(tmp_path):
    settings = _settings(tmp_path, f"""sources:
  - {{name: news, kind: snapshot, path: {SAMPLE_CORPUS}}}
  - {{name: news, kind: snapshot, path: {SAMPLE_CORPUS}}}
""")
    with pytest.raises(InputError, match="source names must be unique"):
        check_sources(settings)


def test_a_snapshot_source_without_its_folder_is_named(tmp_path):
    settings = _settings(tmp_path, "sources:\n  - {name: gone, kind: snapshot, path: gone}\n")
    with pytest.raises(InputError, match="snapshot source 'gone': folder not found"):
        check_sources(settings)


def test_a_web_source_is_parsed_not_fetched(tmp_path):
    settings = _settings(tmp_path, "sources:\n  - {name: feed, kind: rss, "
                                   "url: 'http://127.0.0.1:9/feed.xml'}\n")
    assert [s.kind for s in check_sources(settings)] == ["rss"]
