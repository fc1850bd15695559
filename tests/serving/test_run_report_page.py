"""The run report page without the DAG: charts, escaping, layout in a real headless browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.offline_pages import assert_loads_only_local_files, probe_page
from tests.serving.conftest import EXAMPLE_QUERIES, example_queries
from transforms.reports.charts import removed_text_chart_svg
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


REMOVED = [("eurasia_monitor", "navigation", 4, 600), ("eurasia_monitor", "duplicate", 2, 900),
           ("global_affairs_wire", "navigation", 1, 200),
           ("global_affairs_wire", "call_to_action", 3, 300), (HOSTILE, "byline", 1, 50)]


def _bars(svg: str) -> list[dict]:
    """The attributes of the chart's bar segments, in document order."""
    found: list[dict] = []

    class Bars(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "rect" and dict(attrs).get("class") == "bar":
                found.append(dict(attrs))

    Bars().feed(svg)
    return found


def test_removed_text_chart_has_one_segment_per_source_and_reason_sized_by_characters():
    svg = removed_text_chart_svg(REMOVED)
    bars = _bars(svg)
    assert [(b["data-source"], b["data-reason"]) for b in bars] == [
        # sources by characters removed, most first; reasons in one order in every bar
        ("eurasia_monitor", "duplicate"), ("eurasia_monitor", "navigation"),
        ("global_affairs_wire", "navigation"), ("global_affairs_wire", "call_to_action"),
        (HOSTILE, "byline")]
    width = {(b["data-source"], b["data-reason"]): float(b["width"]) for b in bars}
    assert width["eurasia_monitor", "duplicate"] == pytest.approx(
        1.5 * width["eurasia_monitor", "navigation"], rel=0.01)
    assert width["global_affairs_wire", "call_to_action"] == pytest.approx(
        1.5 * width["global_affairs_wire", "navigation"], rel=0.01)
    # A segment starts where the one before it in its bar ends.
    first, second = bars[0], bars[1]
    assert float(second["x"]) == pytest.approx(float(first["x"]) + float(first["width"]),
                                               abs=0.11)
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "4 paragraphs, 600 characters" in svg  # the tooltip of a segment


def test_removed_text_chart_without_removed_text_says_so():
    assert "<svg" not in removed_text_chart_svg([])
    assert "<svg" not in removed_text_chart_svg([("s", "navigation", 1, 0)])


def _wide_facts() -> dict:
    """A run whose conflict and trade tables are wider than any window."""
    columns = ["consistency_status", "status", "flow", "reporter", "partner", "commodity",
               "period_year", "is_forecast", "measure", "independent_source_count",
               "stated_texts", "growth_level_check"]
    stated = ", ".join(f"${n} billion (global_affairs_wire_{n})" for n in range(240, 262))
    rows = [("conflict", "conflict", "bilateral", "CHN", "RUS", "machinery_and_equipment_"
             "including_parts", 2024, False, "level", 4, stated, "not_applicable")] * 3
    facts = _facts(conflicts={"columns": columns, "rows": rows,
                              "by_status": [("conflict", 3)]})
    facts["removed_by_source"] = REMOVED
    long_url = "https://news.example/" + "a-very-long-slug-" * 12
    facts["quarantine"] = [("fetch", "not_html", long_url, "x" * 300)]
    return facts


def test_report_pages_load_no_script_or_style_from_the_network(tmp_path):
    page = tmp_path / "run-2026-03-02.html"
    page.write_text(render_html(_wide_facts(), "manual__1", "2026-03-02"), encoding="utf-8")
    assert assert_loads_only_local_files(page) == 0  # everything is inline
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:)?//""", page.read_text())


def test_run_report_is_styled_and_fits_a_1400px_window_with_the_network_off(
        tmp_path, chromium):
    page = tmp_path / "run-2026-03-02.html"
    page.write_text(render_html(_wide_facts(), "manual__1", "2026-03-02"), encoding="utf-8")
    probed = probe_page(chromium, page, styles=[
        ("collapse", "#conflicts", "border-collapse"),
        ("header", "#conflicts th", "background-color"),
        ("scroll", ".table-wrap", "overflow-x"),
        ("wrap", "#conflicts td", "overflow-wrap")],
        counts=[("tables", "table"), ("wrapped", ".table-wrap > table"),
                ("trade marks", "#trade-chart circle.mark"),
                ("removed bars", "#removed-chart rect.bar")])
    assert probed.console == []
    assert probed.resources == [] and probed.sheets == ["inline"]
    assert probed.window_width == 1400
    assert probed.scroll_width <= probed.window_width  # no table widens the page
    assert probed.styles == {"collapse": "collapse", "header": "rgb(243, 243, 243)",
                             "scroll": "auto", "wrap": "break-word"}
    assert probed.counts["tables"] == probed.counts["wrapped"] >= 10
    assert probed.counts["trade marks"] == 3 and probed.counts["removed bars"] == 5
