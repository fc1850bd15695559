"""The run report page without the DAG: chart marks, escaping, a real headless browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import REPO
from tests.serving.conftest import EXAMPLE_QUERIES, example_queries
from transforms.reports.run_report import render_html, trade_chart_svg

HOSTILE = "<script>alert(1)</script>"
HOSTILE_DOM = "<script>document.body.setAttribute('data-pwned', '1')</script>"


def _facts(source: str = "eurasia_monitor", sentence: str = "Trade reached $245 billion.",
           conflicts: dict | None = None) -> dict:
    chart_rows = [
        ("t1", source, 2024, 245e9, "bilateral", "CHN", "RUS", "all", "$245 billion"),
        ("t2", "global_affairs_wire", 2024, 245e9, "bilateral", "CHN", "RUS", "all", "$245bn"),
        ("t3", "eastwatch_notes", 2022, 190e9, "bilateral", "CHN", "RUS", "all", "$190 bn"),
    ]
    trade_rows = [(s, f, r, p, c, y, v, None, False, None, sentence)
                  for _, s, y, v, f, r, p, c, _ in chart_rows]
    trade_rows.append(("eastwatch_notes", "export", "RUS", "CHN", "energy", None, None, 40.0,
                       True, None, "Exports to grow 40%."))
    return {
        "database": Path("/w/build/claimledger.duckdb"), "articles_in_partition": 3,
        "articles_total": 3, "paragraphs_kept": 10, "paragraphs_removed": 2, "sentences": 9,
        "figures": 4, "claims": 1, "removal_reasons": [("navigation", 2)],
        "quarantine": [("fetch", "not_html", "file:///x/" + HOSTILE, "binary")],
        "trade_rows": trade_rows, "chart_rows": chart_rows,
        "noise_by_source": [(source, 1, 2, 10, 0.2, 0.0, 1, 0)],
        "conflicts": conflicts, "stage_counts": [("fetch", 4, 3, 1, 0)],
        "quality": [("dbt", "error", "pass", 10)], "quality_failures": [],
        "verdict": "passed",
    }


class _Marks(HTMLParser):
    """Collects the chart's circles and whether any <script> element exists."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[dict] = []
        self.scripts = 0
        self.in_svg = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "svg" and attributes.get("id") == "trade-chart":
            self.in_svg = True
        if tag == "circle" and "mark" in (attributes.get("class") or "").split():
            self.marks.append(attributes)
        if tag == "script":
            self.scripts += 1


def _parse(page: str) -> _Marks:
    parser = _Marks()
    parser.feed(page)
    return parser


def test_chart_has_one_mark_per_trade_figure_with_a_level_and_a_year():
    facts = _facts()
    marks = _parse(trade_chart_svg(facts["chart_rows"])).marks
    assert sorted(m["data-trade-figure-id"] for m in marks) == ["t1", "t2", "t3"]
    # Two sources stating the same 2024 level stay two visible marks.
    assert marks[0]["cx"] != marks[1]["cx"] or marks[0]["cy"] != marks[1]["cy"]
    higher = {m["data-trade-figure-id"]: float(m["cy"]) for m in marks}
    assert higher["t1"] < higher["t3"]  # 245 bn is drawn above 190 bn (SVG y grows down)


def test_chart_without_rows_says_so_instead_of_drawing_axes():
    assert "<svg" not in trade_chart_svg([])


def test_scraped_text_is_escaped_everywhere_on_the_page():
    page = render_html(_facts(source=HOSTILE, sentence=HOSTILE_DOM,
                              conflicts={"columns": ["consistency_status", "stated_texts"],
                                         "rows": [("conflict", HOSTILE)],
                                         "by_status": [("conflict", 1)]}),
                       run_id=HOSTILE, ingest_date="2026-03-02")
    assert _parse(page).scripts == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_missing_consistency_mart_is_explained_not_an_error():
    page = render_html(_facts(conflicts=None), run_id="r", ingest_date="2026-03-02")
    assert "fct_figure_consistency is not in this warehouse" in page


def test_report_page_loads_in_a_headless_browser_without_console_messages(tmp_path, load_page):
    page = tmp_path / "run.html"
    page.write_text(render_html(_facts(), "manual__1", "2026-03-02"), encoding="utf-8")
    loaded = load_page(page)
    assert loaded.console == []
    parsed = _parse(loaded.dom)
    assert parsed.in_svg and len(parsed.marks) == 3


def test_hostile_titles_and_text_show_as_text_in_the_browser(tmp_path, load_page):
    page = tmp_path / "hostile.html"
    page.write_text(render_html(_facts(source=HOSTILE, sentence=HOSTILE_DOM),
                                run_id=HOSTILE, ingest_date="2026-03-02"), encoding="utf-8")
    loaded = load_page(page)
    assert loaded.console == []  # no script ran, none was even blocked by the CSP
    assert "data-pwned" not in loaded.dom.split("<body", 1)[1].split(">", 1)[0]
    assert _parse(loaded.dom).scripts == 0
    # The text nodes hold the literal markup (the serializer escapes it back).
    assert loaded.dom.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3


def test_readme_shows_an_example_query_verbatim_and_links_the_rest():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    flat = re.sub(r"\s+", " ", readme)
    queries = example_queries()
    assert len(queries) == 10, EXAMPLE_QUERIES
    shown = [query.name for query in queries
             if re.sub(r"\s+", " ", "\n".join(
                 line for line in query.sql.splitlines() if not line.startswith("--"))).strip()
             in flat]
    assert shown == ["china_russia_trade_by_year"]
    assert "(docs/example_queries.sql)" in readme
