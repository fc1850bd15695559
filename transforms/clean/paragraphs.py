"""Decide, paragraph by paragraph, what of an extracted article is the article.

Nothing is deleted: every paragraph comes out with is_kept and, when removed, a
removal_reason from reasons.yml (removal_reasons) and, for repeats, the paragraph it
repeats. The rules are data: the boilerplate catalogue (rules/boilerplate.yml), thresholds
and per-site overrides (rules/cleaning.yml), language profiles (rules/languages.yml) and the
English word list for broken-word repair (rules/words_en.txt.gz).

Decision order for one paragraph (first match wins; docs/cleaning.md explains why):
too_short -> catalogue phrase or pattern (comment_widget, navigation, call_to_action,
empty_field, section_label, image_caption, byline, date_line) -> title_repeat -> byline
(author metadata, name-only line at the body's edge) -> foreign_language -> teaser_repeat ->
duplicate -> kept.
"""

from __future__ import annotations

import copy
import functools
import math
import re
import unicodedata
from typing import Any

import polars as pl

from transforms.clean.language import (
    all_stopwords,
    detect_language,
    is_foreign,
)
from transforms.clean.word_repair import english_words, repair_broken_words
from transforms.kernel.keys import paragraph_id
from transforms.kernel.rules import rules

_NON_WORD = re.compile(r"[\W_]+")
_ELLIPSIS = re.compile(r"(\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")
_NAME_TOKEN = re.compile(r"[^\W\d_][^\W\d_'’.-]*[.]?")

PARAGRAPH_COLUMNS = {
    "paragraph_id": pl.String,
    "repaired_text": pl.String,
    "repair_count": pl.Int32,
    "char_count": pl.Int32,
    "language": pl.String,
    "is_kept": pl.Boolean,
    "removal_reason": pl.String,
    "duplicate_of_paragraph_id": pl.String,
}


def normalise(text: str) -> str:
    """Comparison form: NFKC, NBSP -> space, casefold (ß = ss), punctuation -> space, collapsed."""
    text = unicodedata.normalize("NFKC", text or "").replace("\u00a0", " ").casefold()
    return _NON_WORD.sub(" ", text).strip()


def cleaning_rules(site_name: str | None = None) -> dict[str, Any]:
    """Thresholds and catalogue for one site: cleaning.yml + boilerplate.yml + overrides.

    Out: {"thresholds": {...}, "phrases": {reason: set of normalised phrases},
    "patterns": [(reason, compiled, max_words)], "date_words": set}.
    """
    return _site_rules((site_name or "").strip().lower())


@functools.cache
def _site_rules(site_key: str) -> dict[str, Any]:
    if site_key and not (rules("cleaning").get("site_overrides") or {}).get(site_key):
        # A site without overrides has the rules of no site: built once, not once a site
        # (normalising the catalogue for each of hundreds of sites was a visible cost).
        return _site_rules("")
    thresholds = copy.deepcopy(rules("cleaning"))
    catalogue = rules("boilerplate")
    override = thresholds.pop("site_overrides", {}).get(site_key, {}) or {}
    extra_phrases = override.get("phrases", {})
    for section, values in override.items():
        if section != "phrases":
            thresholds[section] = {**thresholds.get(section, {}), **values}
    phrases: dict[str, set[str]] = {}
    for reason, by_lang in catalogue["phrases"].items():
        phrases[reason] = {normalise(p) for ps in by_lang.values() for p in ps}
    for reason, values in extra_phrases.items():
        phrases.setdefault(reason, set()).update(normalise(p) for p in values)
    patterns = [
        (reason, re.compile(entry["pattern"]), entry.get("max_words"))
        for reason, entries in catalogue["patterns"].items()
        for entry in entries
    ]
    date_words = {w for ws in catalogue["date_words"].values() for w in ws}
    return {
        "thresholds": thresholds,
        "phrases": phrases,
        "patterns": patterns,
        "date_words": {normalise(w) for w in date_words},
    }


def catalogue_reason(text: str, rules: dict[str, Any], key: str | None = None) -> str | None:
    """The boilerplate reason of one paragraph by the catalogue alone, else None.

    key: normalise(text) when the caller has it already."""
    key = normalise(text) if key is None else key
    for reason, phrases in rules["phrases"].items():
        if key in phrases:
            return reason
    tokens = key.split()
    for reason, pattern, max_words in rules["patterns"]:
        if (max_words is None or len(tokens) <= max_words) and pattern.fullmatch(key):
            return reason
    limit = rules["thresholds"]["date_line"]["max_words"]
    if (
        2 <= len(tokens) <= limit
        and any(token.isdigit() for token in tokens)
        and any(not token.isdigit() for token in tokens)
        and all(token.isdigit() or token in rules["date_words"] for token in tokens)
    ):
        return "date_line"
    return None


def _is_name_line(text: str, max_words: int) -> bool:
    """A line of 2..max_words capitalised name tokens and no stopword ("Ümmügülsüm Çavuş")."""
    tokens = text.split()
    if not 2 <= len(tokens) <= max_words:
        return False
    stopwords = all_stopwords()
    # Title case only: "UP NEXT" or "FLOS" are labels, not names.
    return all(
        _NAME_TOKEN.fullmatch(token)
        and token[0].isupper()
        and not (len(token) > 1 and token.isupper())
        and token.lower() not in stopwords
        for token in tokens
    )


def _shingles(key: str, size: int = 3) -> set[tuple[str, ...]]:
    tokens = key.split()
    if len(tokens) < size:
        return {tuple(tokens)}
    # zip of the shifted lists: the windows tokens[i : i + size], without slicing each.
    return set(zip(*(tokens[i:] for i in range(size)), strict=False))


def _decide_article(texts: list[str], article: dict[str, Any]) -> list[dict[str, Any]]:
    """Decisions for one article's paragraphs, in position order (see module docstring)."""
    rules = cleaning_rules(article.get("site_name"))
    th = rules["thresholds"]
    known = english_words()
    never_join = frozenset(th["repair"]["never_join_right"])

    # The article's language: the language holding most characters among paragraphs
    # detected on their own; else the whole text's; else the page's markup (metadata).
    own_langs = [detect_language(text, th["language"]) for text in texts]
    votes: dict[str, int] = {}
    for text, lang in zip(texts, own_langs, strict=True):
        if lang:
            votes[lang] = votes.get(lang, 0) + len(text)
    article_lang = (
        (min(votes, key=lambda lang: (-votes[lang], lang)) if votes else None)
        or detect_language("\n".join(texts), th["language"])
        or ((article.get("language") or "").strip().lower()[:2] or None)
    )
    strict = {**th["language"], **th["language"]["foreign"]}
    rows: list[dict[str, Any]] = []
    for text, own_lang in zip(texts, own_langs, strict=True):
        lang = own_lang or article_lang
        repaired, repairs = text, 0
        if lang in th["repair"]["languages"]:
            repaired, repairs = repair_broken_words(text, known, never_join)
        key = normalise(repaired)
        foreign = own_lang is not None and is_foreign(own_lang, article_lang)
        rows.append(
            {
                "repaired_text": repaired,
                "repair_count": repairs,
                "char_count": len(text),
                "language": lang,
                "key": key,
                "n_words": len(key.split()),
                "is_foreign": foreign and is_foreign(detect_language(text, strict), article_lang),
            }
        )

    long_positions = [
        i for i, row in enumerate(rows) if row["n_words"] >= th["byline"]["body_min_words"]
    ]
    first_long = long_positions[0] if long_positions else len(rows)
    last_long = long_positions[-1] if long_positions else -1
    # The body's edges: the nearest non-empty paragraph before the first long one and after
    # the last long one (blank lines in between do not count).
    non_empty = [i for i, row in enumerate(rows) if row["n_words"] > 0]
    edges = {
        max((i for i in non_empty if i < first_long), default=None),
        min((i for i in non_empty if i > last_long), default=None),
    }
    title_key = normalise(article.get("title") or "")
    author_key = normalise(article.get("author") or "")

    kept_keys: dict[str, int] = {}
    kept_shingles = _NearIndex(rows, th["duplicate"])
    for i, row in enumerate(rows):
        reason, repeats = None, None
        # A normalised key holds only alphanumeric characters and single spaces.
        word_chars = len(row["key"]) - row["key"].count(" ")
        if word_chars < th["too_short"]["min_word_chars"]:
            reason = "too_short"
        else:
            reason = catalogue_reason(row["repaired_text"], rules, row["key"])
        if reason is None and title_key and row["key"] == title_key:
            reason = "title_repeat"
        if reason is None and (
            (author_key and row["key"] == author_key)
            or (
                i in edges
                and _is_name_line(row["repaired_text"].strip(), th["byline"]["max_words"])
            )
        ):
            reason = "byline"
        if reason is None and row["is_foreign"]:
            reason = "foreign_language"
        if reason is None:
            reason, repeats = _teaser_of(i, rows, th["teaser"])
        if reason is None and row["n_words"] >= th["duplicate"]["min_words"]:
            reason, repeats = _duplicate_of(row, kept_keys, kept_shingles, th["duplicate"])
        row["removal_reason"] = reason
        row["repeats_position"] = repeats
        if reason is None:
            kept_keys.setdefault(row["key"], i)
            if row["n_words"] >= th["duplicate"]["near_min_words"]:
                kept_shingles.add(i, row)
    return rows


def _teaser_of(i: int, rows: list[dict], th: dict) -> tuple[str | None, int | None]:
    """('teaser_repeat', position of the full paragraph) when paragraph i is its teaser."""
    row = rows[i]
    has_ellipsis = bool(_ELLIPSIS.search(row["repaired_text"]))
    needed = th["min_words"] if has_ellipsis else th["min_words_without_ellipsis"]
    if row["n_words"] < needed:
        return None, None
    for j in range(i + 1, min(len(rows), i + 1 + th["lookahead"])):
        other = rows[j]["key"]
        # Without an ellipsis only the very next paragraph can be the full version.
        is_prefix = len(other) > len(row["key"]) and other.startswith(row["key"])
        if is_prefix and (has_ellipsis or j == i + 1):
            return "teaser_repeat", j
    return None, None


def _row_shingles(row: dict) -> set[tuple[str, ...]]:
    """_shingles of the row's key, built once (duplicate test, then kept list)."""
    if "shingles" not in row:
        row["shingles"] = _shingles(row["key"])
    return row["shingles"]


class _NearIndex:
    """The kept paragraphs' word 3-gram sets, indexed for the near-duplicate test.

    Comparing each paragraph with every kept one was quadratic in the paragraph count (a
    page of 100,000 similar lines took minutes). Prefix filtering (Chaudhuri et al. 2006;
    Bayardo et al. 2007, "All-pairs") finds the same pairs: order every set's shingles one
    way for the whole article, rarest first; two sets with Jaccard >= t share at least
    ceil(t * |A|) shingles, so the first |A| - ceil(t * |A|) + 1 of A meet B's own prefix.
    Only kept paragraphs sharing a prefix shingle are compared, which on ordinary text (rare
    shingles first) is a handful each. A text built so that many paragraphs share their
    rarest shingles and still differ stays quadratic; limits.yml caps the paragraph count.
    """

    def __init__(self, rows: list[dict], th: dict) -> None:
        self.least = th["near_jaccard"]
        counts: dict[tuple[str, ...], int] = {}
        for row in rows:
            if row["n_words"] >= th["near_min_words"]:
                for shingle in _row_shingles(row):
                    counts[shingle] = counts.get(shingle, 0) + 1
        # One order for the whole article, rarest first (ties by the shingle itself), as a
        # rank per shingle: sorting a set by it is then a C-level key lookup.
        order = sorted(counts, key=lambda shingle: (counts[shingle], shingle))
        self.rank = {shingle: rank for rank, shingle in enumerate(order)}
        self.postings: dict[tuple[str, ...], list[int]] = {}
        self.sets: dict[int, tuple[set, int]] = {}

    def prefix(self, row: dict) -> list[tuple[str, ...]]:
        """The row's rarest shingles that any near repeat must share (built once a row)."""
        if "prefix" not in row:
            shingles = _row_shingles(row)
            size = len(shingles)
            # floor, not ceil, and one more: a longer prefix only adds candidates, so the
            # float rounding of t * size can never drop a pair.
            length = min(size, size - math.floor(self.least * size) + 2)
            row["prefix"] = sorted(shingles, key=self.rank.__getitem__)[:length]
        return row["prefix"]

    def add(self, position: int, row: dict) -> None:
        shingles = _row_shingles(row)
        self.sets[position] = (shingles, len(shingles))
        for shingle in self.prefix(row):
            self.postings.setdefault(shingle, []).append(position)

    def candidates(self, row: dict) -> list[int]:
        """Kept positions that may be near repeats of the row, earliest first."""
        found: set[int] = set()
        for shingle in self.prefix(row):
            found.update(self.postings.get(shingle, ()))
        return sorted(found)


def _duplicate_of(
    row: dict, kept_keys: dict[str, int], index: _NearIndex, th: dict
) -> tuple[str | None, int | None]:
    """('duplicate', position of the first kept copy) for exact or near-exact repeats."""
    if row["key"] in kept_keys:
        return "duplicate", kept_keys[row["key"]]
    if row["n_words"] < th["near_min_words"]:
        return None, None
    mine = _row_shingles(row)
    size = len(mine)
    least = th["near_jaccard"]
    for position in index.candidates(row):  # earliest first: point at the first copy
        theirs, other = index.sets[position]
        # Jaccard is at most the ratio of the smaller set's size to the larger's (also as
        # rounded floats: division rounds monotonically), so most pairs are decided without
        # building their intersection and union.
        if size <= other:
            if not other or size / other < least:
                continue
        elif other / size < least:
            continue
        common = len(mine & theirs)
        union = size + other - common  # |A | B| = |A| + |B| - |A & B|, without building it
        if union and common / union >= least:
            return "duplicate", position
    return None, None


def _runs(values: list) -> list[tuple[int, int]]:
    """(start, end) of each run of equal consecutive values."""
    bounds = [i for i in range(1, len(values)) if values[i] != values[i - 1]]
    return list(zip([0, *bounds], [*bounds, len(values)], strict=True)) if values else []


def with_paragraph_decisions(paragraphs: pl.DataFrame, articles: pl.DataFrame) -> pl.DataFrame:
    """Paragraphs with the raw.paragraphs decision columns added.

    In: paragraphs [article_id, position (0-based), text]; articles [article_id, language
    (may be null), title, author, site_name]. Out: the paragraphs (sorted by article_id,
    position) plus paragraph_id, repaired_text, repair_count, char_count, language,
    is_kept, removal_reason, duplicate_of_paragraph_id. Deterministic: decisions depend
    only on the article's own paragraphs and metadata, never on row order or other articles.
    """
    meta = {row["article_id"]: row for row in articles.iter_rows(named=True)}
    ordered = paragraphs.sort(["article_id", "position"])
    out: dict[str, list] = {name: [] for name in PARAGRAPH_COLUMNS}
    # Sorted by article_id: each article is one run of rows, sliced from whole-column lists
    # (a polars group per article cost more than some of the articles' decisions).
    article_ids = ordered["article_id"].to_list()
    all_positions = ordered["position"].to_list()
    all_texts = [text or "" for text in ordered["text"].to_list()]
    for start, end in _runs(article_ids):
        article_id = article_ids[start]
        ids = [paragraph_id(article_id, position) for position in all_positions[start:end]]
        texts = all_texts[start:end]
        for k, row in enumerate(_decide_article(texts, meta.get(article_id, {}))):
            out["paragraph_id"].append(ids[k])
            out["repaired_text"].append(row["repaired_text"])
            out["repair_count"].append(row["repair_count"])
            out["char_count"].append(row["char_count"])
            out["language"].append(row["language"])
            out["is_kept"].append(row["removal_reason"] is None)
            out["removal_reason"].append(row["removal_reason"])
            repeats = row["repeats_position"]
            out["duplicate_of_paragraph_id"].append(None if repeats is None else ids[repeats])
    decided = pl.DataFrame(out, schema=PARAGRAPH_COLUMNS)
    return pl.concat([ordered, decided], how="horizontal")


