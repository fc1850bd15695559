"""Score trade statements against hand-labelled news articles (evaluation only).

Run: `python -m claimledger.eval_trade [--gold DIR ...] [--part P] [--misses N]
[--through-warehouse DB]`.
A labelled set is a folder with `gold.json` (`{"pages": {file: {..., split}}, "records":
[...]}`) and `pages/<file>`: by default, where present, the trade_dev set
(CLAIMLEDGER_TRADE_DEV_DIR, else ../shared/eval/trade-dev) and
../shared/eval/trade-realworld-dev (CLAIMLEDGER_EVAL_DIR overrides ../shared/eval), read,
never copied. Neither is in the repository (docs/trade_dev.md says why); the labelling
rules are in docs/trade_dev.md.

Scoring:
- A gold statement (a record with no `scope`) matches a predicted row of the same page
  whose sentence contains, or overlaps, the gold sentence when the unordered pair, the
  flow, the period year (when gold has one; `period_alt` years also count) and the value
  within 1% agree. The value is the USD value when gold has one, else the native value in
  gold's currency; `also_*` (a second rendering of the figure) is accepted too; a gold
  statement with no money value is compared on its growth rate instead. A surplus of A
  with B and a deficit of B with A are the same balance. Each row matches at most one
  statement.
- `scope: ignore` records are neither required nor penalised: a row matching one is left
  out of the count. A row matching a `total` / `distractor` record, or nothing, is a
  false positive.
- precision = matched / counted rows, recall = matched / gold statements. A missed
  statement is charged to the fields its nearest row (same sentence, fewest differences)
  gets wrong: pair, flow, period, value; `missing` when its sentence has no row at all.

Parts: each page of a set has a fixed `split` (tuning or held_out; gold.json's, else
`split_of` of its file name). Tune on `tuning`; `held_out` says whether rules generalise.
By default the extractor itself runs on the pages (extract -> clean -> sentences ->
trade_statements, as the DAG's stages do); `--through-warehouse DB` scores the rows a
built warehouse stored in marts.fct_trade_figures for pages of these names instead (build
it with `make run CORPUS=<a folder holding the pages>`). Exit status 1 when a set's
held-out part (a set with no split: the whole set) is below precision 0.95 or recall
0.90; 2 when no data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path

import polars as pl

from claimledger.eval_figures import PARTS, split_of
from claimledger.scores import MatchRates
from transforms.clean.articles import clean_articles
from transforms.extract.articles import extract_pages
from transforms.pipeline.stages import find_figures_in

PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.90
REL_TOL = 0.01
# Growth rates are printed to a tenth at most: a 1% relative tolerance with this floor.
GROWTH_ABS_TOL = 0.05
FLOWS = ("export", "import", "bilateral", "surplus", "deficit")
BALANCES = ("surplus", "deficit")
SCOPES = ("ignore", "total", "distractor")
REGIONS = ("EU", "EUROPE", "LATAM", "ASIA")
FIELDS = ("pair", "flow", "period", "value")
WHOLE = "all"
REPO = Path(__file__).resolve().parents[1]


def shared_eval_dir() -> Path:
    """CLAIMLEDGER_EVAL_DIR, else ../shared/eval beside the repository."""
    base = os.environ.get("CLAIMLEDGER_EVAL_DIR")
    return Path(base) if base else REPO.parent / "shared" / "eval"


def trade_dev_dir() -> Path:
    """Where the trade_dev set is read from: CLAIMLEDGER_TRADE_DEV_DIR, else
    <shared eval>/trade-dev. Its pages are public news text from public copies of the
    corpora, which the project may read but not commit (docs/trade_dev.md)."""
    configured = os.environ.get("CLAIMLEDGER_TRADE_DEV_DIR")
    return Path(configured) if configured else shared_eval_dir() / "trade-dev"


def default_gold_dirs() -> list[Path]:
    """The labelled sets present beside the repository: trade_dev, the shared sample."""
    dirs = [trade_dev_dir(), shared_eval_dir() / "trade-realworld-dev"]
    return [d for d in dirs if (d / "gold.json").exists()]


@dataclass
class GoldSet:
    """One labelled set: its pages (file -> title, published, source, split) and records."""

    name: str
    folder: Path
    pages: dict[str, dict]
    records: list[dict]
    has_splits: bool

    def part_of(self, file: str) -> str:
        if not self.has_splits:
            return WHOLE
        return self.pages[file].get("split") or split_of(file)

    def parts(self) -> tuple[str, ...]:
        return PARTS if self.has_splits else (WHOLE,)


def load_gold(folder: Path) -> GoldSet:
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    pages = gold["pages"]
    has_splits = any("split" in meta for meta in pages.values())
    return GoldSet(folder.name, folder, pages, gold["records"], has_splits)


@dataclass(frozen=True)
class Row:
    """One predicted trade statement, from the extractor or a warehouse.

    value_usd and value_native are full units (not billions); currency names value_native.
    """

    file: str
    sentence: str
    reporter: str | None
    partner: str | None
    flow: str | None
    period_year: int | None
    value_usd: float | None
    growth_pct: float | None = None
    currency: str | None = None
    value_native: float | None = None

    def describe(self) -> str:
        value = f"{self.value_usd / 1e9:g}bn USD" if self.value_usd is not None else "-"
        if self.currency and self.currency != "USD" and self.value_native is not None:
            value = f"{self.value_native / 1e9:g}bn {self.currency}"
        growth = f" {self.growth_pct:+g}%" if self.growth_pct is not None else ""
        return (f"{self.reporter}-{self.partner} {self.flow} {self.period_year} "
                f"{value}{growth}")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def sentences_overlap(gold: str, predicted: str) -> bool:
    """The same sentence, one inside the other, or a long shared stretch (splitters
    differ on abbreviations such as "U.S. Taiwan's")."""
    a, b = _norm(gold), _norm(predicted)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size >= min(60, 0.5 * min(len(a), len(b)))


def _close(a: float, b: float, rel: float = REL_TOL, floor: float = 0.0) -> bool:
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), floor)


def _gold_values(record: dict) -> list[tuple[str, float]]:
    """(currency, full units) renderings of a gold figure: its value and any also_*."""
    values = []
    if record.get("value_usd_bn") is not None:
        values.append(("USD", record["value_usd_bn"] * 1e9))
    elif record.get("currency") and record.get("value_native_bn") is not None:
        values.append((record["currency"], record["value_native_bn"] * 1e9))
    if record.get("also_currency") and record.get("also_native_bn") is not None:
        values.append((record["also_currency"], record["also_native_bn"] * 1e9))
    return values


def _row_values(row: Row) -> list[tuple[str, float]]:
    values = []
    if row.value_usd is not None:
        values.append(("USD", row.value_usd))
    if row.currency and row.value_native is not None:
        values.append((row.currency, row.value_native))
    return values


def pair_ok(record: dict, row: Row) -> bool:
    return {record.get("reporter"), record.get("partner")} == {row.reporter, row.partner}


def _surplus_holder(reporter: str | None, partner: str | None, flow: str | None) -> str | None:
    return reporter if flow == "surplus" else partner


def flow_ok(record: dict, row: Row) -> bool:
    """Same flow, or the same balance told from the other side (A's surplus with B is
    B's deficit with A)."""
    if record.get("flow") == row.flow:
        return True
    if record.get("flow") in BALANCES and row.flow in BALANCES:
        return (_surplus_holder(record["reporter"], record["partner"], record["flow"])
                == _surplus_holder(row.reporter, row.partner, row.flow))
    return False


def period_ok(record: dict, row: Row) -> bool:
    if record.get("period") is None:
        return True
    return row.period_year in {record["period"], *record.get("period_alt", [])}


def value_ok(record: dict, row: Row) -> bool:
    gold = _gold_values(record)
    if gold:
        ours = _row_values(row)
        return any(gc == pc and _close(gv, pv) for gc, gv in gold for pc, pv in ours)
    if record.get("growth_pct") is not None and row.growth_pct is not None:
        return _close(record["growth_pct"], row.growth_pct, floor=GROWTH_ABS_TOL)
    return False


CHECKS = {"pair": pair_ok, "flow": flow_ok, "period": period_ok, "value": value_ok}


def wrong_fields(record: dict, row: Row) -> list[str]:
    return [name for name, check in CHECKS.items() if not check(record, row)]


def matches(record: dict, row: Row) -> bool:
    return sentences_overlap(record["sentence"], row.sentence) and not wrong_fields(record, row)


@dataclass
class Score(MatchRates):
    """Counts, per-field errors and readable misses of one part of one labelled set."""

    gold: int = 0
    predicted: int = 0  # rows counted: every row but those matching a scope:ignore record
    matched: int = 0
    ignored_rows: int = 0
    errors: Counter = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)

    @property
    def passes(self) -> bool:
        return self.precision >= PRECISION_FLOOR and self.recall >= RECALL_FLOOR

    def add(self, other: Score) -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.matched += other.matched
        self.ignored_rows += other.ignored_rows
        self.errors.update(other.errors)
        self.missed.extend(other.missed)
        self.false_positives.extend(other.false_positives)


def _describe_gold(record: dict) -> str:
    value = "-"
    if record.get("value_usd_bn") is not None:
        value = f"{record['value_usd_bn']:g}bn USD"
    elif record.get("currency") and record.get("value_native_bn") is not None:
        value = f"{record['value_native_bn']:g}bn {record['currency']}"
    growth = f" {record['growth_pct']:+g}%" if record.get("growth_pct") is not None else ""
    return (f"{record.get('reporter')}-{record.get('partner')} {record.get('flow')} "
            f"{record.get('period')} {value}{growth}")


def score_page(file: str, records: list[dict], rows: list[Row]) -> Score:
    """Score the rows predicted for one page against that page's records."""
    score = Score()
    statements = [r for r in records if "scope" not in r]
    ignored = [r for r in records if r.get("scope") == "ignore"]
    near = [r for r in records if r.get("scope") in ("total", "distractor")]
    score.gold = len(statements)
    used: set[int] = set()
    unmatched = []
    for record in statements:
        hit = next((i for i, row in enumerate(rows) if i not in used and matches(record, row)),
                   None)
        if hit is None:
            unmatched.append(record)
        else:
            used.add(hit)
            score.matched += 1
    for record in unmatched:
        nearby = [(wrong_fields(record, row), row) for i, row in enumerate(rows)
                  if i not in used and sentences_overlap(record["sentence"], row.sentence)]
        if nearby:
            wrong, row = min(nearby, key=lambda item: len(item[0]))
            score.errors.update(wrong)
            why = f"{', '.join(wrong)} wrong; nearest row {row.describe()}"
        else:
            score.errors["missing"] += 1
            why = "no row in this sentence"
        score.missed.append(f"{file}: {_describe_gold(record)} ({why}) <- {record['sentence']}")
    for i, row in enumerate(rows):
        if i in used:
            continue
        if any(matches(record, row) for record in ignored):
            score.ignored_rows += 1
            continue
        score.predicted += 1
        near_hit = next((r for r in near if sentences_overlap(r["sentence"], row.sentence)),
                        None)
        why = f"{near_hit['scope']}: {near_hit.get('note', '')}" if near_hit else "no gold"
        score.false_positives.append(f"{file}: {row.describe()} ({why}) <- {row.sentence}")
    score.predicted += score.matched
    return score


def score_set(gold: GoldSet, rows: Iterable[Row]) -> dict[str, Score]:
    """{part: Score} over every page of the set (pages with no rows score as empty)."""
    by_file: dict[str, list[Row]] = {}
    for row in rows:
        by_file.setdefault(row.file, []).append(row)
    by_page: dict[str, list[dict]] = {file: [] for file in gold.pages}
    for record in gold.records:
        by_page.setdefault(record["file"], []).append(record)
    scores = {part: Score() for part in gold.parts()}
    for file, records in sorted(by_page.items()):
        scores[gold.part_of(file)].add(score_page(file, records, by_file.get(file, [])))
    return scores


# --- predictions -------------------------------------------------------------------------

def _trade_rows(trades, sentences, file_of: dict[str, str]) -> list[Row]:
    """Rows of a trade_statements-shaped frame, with their sentence text and page file."""
    text_of = dict(zip(sentences["sentence_id"], sentences["text"], strict=True))
    columns = set(trades.columns)
    rows = []
    for t in trades.iter_rows(named=True):
        rows.append(Row(
            file=file_of.get(t["article_id"], ""),
            sentence=text_of.get(t["sentence_id"]) or t.get("evidence_text") or "",
            reporter=t["reporter"], partner=t["partner"], flow=t["flow"],
            period_year=t["period_year"], value_usd=t["value_usd"],
            growth_pct=t["growth_pct"],
            currency=t["currency"] if "currency" in columns else None,
            value_native=t["value_native"] if "value_native" in columns else None))
    return rows


def extractor_rows(gold: GoldSet) -> list[Row]:
    """Run the pipeline's own stage functions on each page of the set, in this process."""
    pages = []
    for file in sorted(gold.pages):
        html = (gold.folder / "pages" / file).read_bytes().decode("utf-8")
        pages.append({
            "url": f"snapshot://{gold.name}/{file}", "html": html, "source_name": gold.name,
            "content_hash": hashlib.sha1(html.encode()).hexdigest(),
            "fetched_at": datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)})
    extracted, _quarantined = extract_pages(pl.DataFrame(pages))
    if extracted.is_empty():
        return []
    articles, _paragraphs, sentences, _signatures, _refused = clean_articles(extracted)
    _figures, trades, _claims, _refused = find_figures_in(sentences, articles)
    file_of = {a: u.rsplit("/", 1)[-1] for a, u in zip(articles["article_id"],
                                                        articles["url"], strict=True)}
    return _trade_rows(trades, sentences, file_of)


def warehouse_rows(db: Path, files: set[str]) -> list[Row]:
    """The rows a warehouse stored in marts.fct_trade_figures for pages named in `files`
    (the page file is the last part of the article's URL); read-only."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = {c for (c,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'fct_trade_figures'").fetchall()}
        optional = [f"t.{c}" if c in columns else f"null as {c}"
                    for c in ("currency", "value_native")]
        found = con.execute(f"""
            select a.url, t.sentence_text, t.reporter, t.partner, t.flow, t.period_year,
                   t.value_usd, t.growth_pct, {", ".join(optional)}
            from marts.fct_trade_figures as t join marts.dim_articles as a using (article_id)
            order by t.trade_figure_id""").fetchall()
    finally:
        con.close()
    rows = []
    for url, *values in found:
        file = (url or "").rsplit("/", 1)[-1]
        if file in files:
            rows.append(Row(file, values[0] or "", *values[1:]))
    return rows


# --- report ------------------------------------------------------------------------------

def _column(gold: GoldSet, part: str) -> str:
    return gold.name if part == WHOLE else f"{gold.name}:{part}"


def summary_table(results: dict[str, dict[str, Score]], sets: list[GoldSet],
                  how: str) -> str:
    """Every set's parts side by side: tuning beside held-out shows overfitting."""
    columns = [(g, p) for g in sets for p in g.parts()]
    names = [_column(g, p) for g, p in columns]
    width = max(12, *(len(n) + 2 for n in names))
    lines = [f"trade statements, {how}", "  " + " " * 22 + "".join(f"{n:>{width}}"
                                                                   for n in names)]
    rows = [("pages", None), ("gold statements", "gold"), ("rows counted", "predicted"),
            ("matched", "matched"), ("precision", "precision"), ("recall", "recall")]
    rows += [(f"errors: {f}", f) for f in (*FIELDS, "missing")]
    rows += [("false positives", "fp"), ("rows on ignore records", "ignored_rows"),
             ("verdict", "verdict")]
    for label, attribute in rows:
        cells = []
        for gold, part in columns:
            score = results[gold.name][part]
            if attribute is None:
                value = str(sum(1 for f in gold.pages if gold.part_of(f) == part))
            elif attribute in ("precision", "recall"):
                value = f"{getattr(score, attribute):.3f}"
            elif attribute in (*FIELDS, "missing"):
                value = str(score.errors[attribute])
            elif attribute == "fp":
                value = str(len(score.false_positives))
            elif attribute == "verdict":
                value = "PASS" if score.passes else "FAIL"
            else:
                value = str(getattr(score, attribute))
            cells.append(f"{value:>{width}}")
        lines.append(f"  {label:22}" + "".join(cells))
    lines.append(f"  (floors: precision {PRECISION_FLOOR}, recall {RECALL_FLOOR})")
    return "\n".join(lines)


def report(score: Score, title: str, misses: int = 40) -> str:
    lines = [title]
    for heading, items in (("missed statements", score.missed),
                           ("false positives", score.false_positives)):
        lines.append(f"\n{heading} ({len(items)}):")
        lines.extend(f"  - {item[:260]}" for item in items[:misses])
        if len(items) > misses:
            lines.append(f"  ... {len(items) - misses} more (--misses)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """CLI entry: print the report; 1 when a held-out part misses a floor, 2: no data."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, action="append",
                        help="a labelled set folder (gold.json + pages/); repeatable; "
                             "default: trade_dev (CLAIMLEDGER_TRADE_DEV_DIR) and ../shared/eval/"
                             "trade-realworld-dev")
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all",
                        help="list the misses of one part only (the table shows all)")
    parser.add_argument("--misses", type=int, default=40, help="items listed per kind")
    parser.add_argument("--through-warehouse", type=Path, metavar="DB",
                        help="score marts.fct_trade_figures of a built warehouse instead "
                             "of running the extractor")
    args = parser.parse_args(argv)
    folders = args.gold or default_gold_dirs()
    missing = [f for f in folders if not (f / "gold.json").exists()]
    if not folders or missing:
        print(f"no labelled set at {', '.join(map(str, missing)) or 'the defaults'}",
              file=sys.stderr)
        return 2
    sets = [load_gold(folder) for folder in folders]
    how = (f"through the warehouse {args.through_warehouse}" if args.through_warehouse
           else "extractor")
    results = {}
    for gold in sets:
        rows = (warehouse_rows(args.through_warehouse, set(gold.pages))
                if args.through_warehouse else extractor_rows(gold))
        results[gold.name] = score_set(gold, rows)
    print(summary_table(results, sets, how))
    for gold in sets:
        for part in gold.parts():
            if args.part != "all" and part not in (args.part, WHOLE):
                continue
            print()
            print(report(results[gold.name][part], f"{_column(gold, part)} ({how})",
                         args.misses))
    verdicts = [results[g.name]["held_out" if g.has_splits else WHOLE].passes for g in sets]
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
