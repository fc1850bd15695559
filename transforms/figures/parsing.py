"""Parse the figures (money, percentages, counts) written in one sentence.

`parse_figures(text)` is pure: text in, a list of `Figure` out, ordered by position, spans
end-exclusive character offsets into `text`. It never raises on any string. The words it
knows (number words, scales, currencies, approximations, direction words, what is *not*
an amount) are data in transforms/rules/*.yml.

Conventions (they match raw.figure_mentions):
- `value` is the number as written, scale not applied ("$245 billion" → 245.0, scale
  'billion'); `value_full` applies the scale (245e9). For percentages value_full = value.
- Ranges ("5-10%", "one to two years", "$3 billion to $5 billion", "hundreds of
  thousands") set is_range; range_low/range_high are full values like value_full (scale
  applied), and value/value_full describe the low end.
- Vague plurals ("dozens of", "tens of thousands of") are approximate ranges.
- Years, dates, ordinals, clock times and labels ("Part 3", "iPhone 11") are not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from transforms.figures.patterns import alternation
from transforms.kernel.rules import rules

__all__ = ["DIGIT", "Figure", "format_number", "number_words", "parse_figures"]


@dataclass(frozen=True)
class Figure:
    """One quantity found in a sentence (see the module docstring for the conventions)."""

    raw_text: str
    span_start: int
    span_end: int
    quantity_kind: str  # money | percent | count
    value: float
    unit: str | None
    currency: str | None
    scale: str | None
    value_full: float
    is_approximate: bool
    approximation: str | None
    is_range: bool
    range_low: float | None
    range_high: float | None
    direction: str | None  # up | down | None
    decimals: int

    @property
    def change(self) -> str:
        """The NewsQuant-style change symbol: up, down, '~', '>', '<' or '='."""
        if self.direction:
            return self.direction
        if self.approximation:
            return str(rules("approximations")["approximations"].get(self.approximation, "~"))
        return "="


def format_number(value: float, decimals: int = 0, thousands: bool = True) -> str:
    """Write `value` the way a newsroom would ("1,234.5"); used by tests and docs."""
    text = f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    return text


# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class _Patterns:
    core: re.Pattern[str]
    core_words: tuple[str, ...]  # every phrase the core's word branches can start with
    word_units: dict[str, int]
    word_tens: dict[str, int]
    scales: dict[str, str]
    factors: dict[str, float]
    vague: dict[str, tuple[float, float]]
    fractions: dict[str, float]
    scale_after: re.Pattern[str]
    scale_attached: re.Pattern[str]
    range_after: re.Pattern[str]
    currency_prefix: re.Pattern[str]
    currency_prefixes: dict[str, str]
    currency_suffix: re.Pattern[str]
    currency_suffixes: dict[str, str]
    percent_suffix: re.Pattern[str]
    percent_suffixes: dict[str, str]
    measure: re.Pattern[str]
    measures: dict[str, str]
    approx_before: re.Pattern[str]
    approximations: dict[str, str]
    up: frozenset[str]
    down: frozenset[str]
    linkers: frozenset[str]
    months: frozenset[str]
    year_range: tuple[int, int]
    ordinals: tuple[str, ...]
    clock_after: re.Pattern[str]
    label_words: frozenset[str]
    not_names: frozenset[str]
    stop_words: frozenset[str]
    non_noun_suffixes: tuple[str, ...]
    max_noun_words: int
    negative: re.Pattern[str]
    of_determiners: tuple[str, ...]
    glued_non_units: frozenset[str]
    plural_ends_phrase: bool


_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")


@cache
def _patterns() -> _Patterns:
    numbers = rules("numbers")
    units = rules("units")
    approx = rules("approximations")["approximations"]
    directions = rules("directions")
    not_amounts = rules("not_amounts")
    nouns = rules("counted_nouns")

    word_units = {k.lower(): int(v) for k, v in numbers["units"].items()}
    word_tens = {k.lower(): int(v) for k, v in numbers["tens"].items()}
    single = [w for w in word_units if " " not in w and w != "dozen"]
    tens_alt = alternation(list(word_tens))
    units_alt = alternation([w for w in single if 0 < word_units[w] < 10])
    vague = {k: (float(v[0]), float(v[1])) for k, v in numbers["vague_multiples"].items()}
    fractions = {k.lower(): float(v) for k, v in numbers["fractions"].items()}
    big = alternation(["thousands", "millions", "billions"])
    # The words the core's word branches start with (vague, fraction, words), kept in one
    # list so that number_words() cannot miss one that the core is built from.
    core_words = (*vague, *fractions, *word_tens, "a dozen", *single)

    core = re.compile(
        r"(?P<vague>\b(?:" + alternation(list(vague)) + r")\s+of\b"
        r"(?:\s+(?P<vague_scale>" + big + r")\s+of\b|\s+(?P<vague_scale2>" + big + r")\b)?)"
        r"|(?P<fraction>\b(?:" + alternation(list(fractions)) + r")(?=\s+of\b))"
        r"|(?P<slash>(?<![\w./$€£])\d{1,3}\s?[/⁄]\d{1,3}(?![\d/⁄]))"
        # Digits: Indian lakh grouping (10,00,000) or thousands groups or none. Not a figure:
        # a number in scientific notation (1e309: neither its mantissa nor its exponent),
        # or one followed by a comma and a digit that form no group ("1,000,00").
        r"|(?P<digits>(?<![\d.,/:])(?<!\d[eE])(?<!\d[eE][+-])"
        r"(?:(?:\d{1,2}(?:,\d{2})+,\d{3}|\d{1,3}(?:,\d{3})+|\d{1,3}(?:[\u2009\u202f]\d{3})+"
        r"|\d+)(?:[.·]\d+)?"
        r"|(?<![\w.])\.\d+)"
        r"(?!\d)(?![/⁄]\d)(?![eE][+-]?\d)(?!,\d))"
        r"|(?P<words>\b(?:(?:" + tens_alt + r")(?:[- ](?:" + units_alt + r"))?"
        r"|a dozen|" + alternation(single) + r")\b)",
        re.IGNORECASE,
    )
    scales = {k.lower(): v for k, v in numbers["scales"].items()}
    long_scales = [k for k in scales if len(k) > 2 or k in ("bn", "mn", "tn")]
    scale_after = re.compile(r"\s*(?:-\s*)?(" + alternation(long_scales) + r")\b", re.IGNORECASE)
    scale_attached = re.compile(r"(" + alternation(list(scales)) + r")\b", re.IGNORECASE)
    range_after = re.compile(
        r"(?:-|\s*[–—]\s*|\s+to\s+|\s+and\s+)"
        r"(?P<cur>" + alternation(list(units["currency_prefixes"])) + r")?\s?"
        r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\b(?:" + tens_alt + r"|"
        + alternation(single) + r")\b)",
        re.IGNORECASE,
    )
    cur_pre = {k: v for k, v in units["currency_prefixes"].items()}
    currency_prefix = re.compile(
        r"(?:^|(?<=[\s(\[\"'“]))(" + alternation(list(cur_pre)) + r")\s?$"
    )
    cur_suf = {k.lower(): v for k, v in units["currency_suffixes"].items()}
    currency_suffix = re.compile(r"\s+(" + alternation(list(cur_suf)) + r")\b", re.IGNORECASE)
    pct = {k.lower(): v for k, v in units["percent_suffixes"].items()}
    percent_suffix = re.compile(r"\s*(%)|\s+(" + alternation([k for k in pct if k != "%"])
                                + r")\b", re.IGNORECASE)
    measures = {k.lower(): v for k, v in units["measurement_units"].items()}
    measure = re.compile(r"[ -]?(" + alternation(list(measures)) + r")(?![\w/])", re.IGNORECASE)
    approx_before = re.compile(r"\b(" + alternation(list(approx)) + r")\s+$", re.IGNORECASE)
    year_range = not_amounts["year_range"]
    return _Patterns(
        core=core,
        core_words=core_words,
        word_units=word_units,
        word_tens=word_tens,
        scales=scales,
        factors={k: float(v) for k, v in numbers["scale_factors"].items()},
        vague=vague,
        fractions=fractions,
        scale_after=scale_after,
        scale_attached=scale_attached,
        range_after=range_after,
        currency_prefix=currency_prefix,
        currency_prefixes=cur_pre,
        currency_suffix=currency_suffix,
        currency_suffixes=cur_suf,
        percent_suffix=percent_suffix,
        percent_suffixes=pct,
        measure=measure,
        measures=measures,
        approx_before=approx_before,
        approximations={k.lower(): v for k, v in approx.items()},
        up=frozenset(w.lower() for w in directions["up"]),
        down=frozenset(w.lower() for w in directions["down"]),
        linkers=frozenset(w.lower() for w in directions["linkers"]),
        months=frozenset(m.lower() for m in not_amounts["months"]),
        year_range=(int(year_range[0]), int(year_range[1])),
        ordinals=tuple(not_amounts["ordinal_suffixes"]),
        # ":" and a digit ("17:22"), or a clock suffix, after the digits of a clock time.
        clock_after=re.compile(r"(?::\d|\s?(?:" + alternation(not_amounts["clock_suffixes"])
                               + r")(?![A-Za-z]))", re.IGNORECASE),
        label_words=frozenset(w.lower() for w in not_amounts["label_words"]),
        not_names=frozenset(w.lower() for w in not_amounts["capitalised_but_not_names"]),
        stop_words=frozenset(w.lower() for w in nouns["stop_words"]),
        non_noun_suffixes=tuple(nouns["non_noun_suffixes"]),
        max_noun_words=int(nouns["max_words"]),
        glued_non_units=frozenset(not_amounts["glued_non_units"]),
        of_determiners=tuple(re.escape(w) for w in nouns["of_determiners"]),
        negative=re.compile(
            r"(?:\b(?:" + alternation(numbers["negative_words"]) + r")[\s-]?|(?:^|(?<=[\s(]))-)$",
            re.IGNORECASE,
        ),
        plural_ends_phrase=bool(nouns["plural_ends_phrase"]),
    )


# Every figure starts where the core matches: at a digit (or a "." before one) or at one
# of number_words(). A sentence with neither holds no figure.
DIGIT = re.compile(r"\d")
# Where a figure written in digits can start: a digit, or a point before one (".5").
_DIGITS_START = re.compile(r"\.?\d")


def number_words() -> tuple[str, ...]:
    """The words (from rules/numbers.yml) that a figure written without digits starts
    with; used to skip sentences that cannot hold a figure (transforms/figures/mentions.py)."""
    return _patterns().core_words


# --------------------------------------------------------------------------- helpers


def _word_value(text: str, p: _Patterns) -> float | None:
    """Value of a spelled-out number ("twenty-five", "a dozen", "fifteen")."""
    words = re.split(r"[\s-]+", text.lower().strip())
    if " ".join(words) in p.word_units:
        return float(p.word_units[" ".join(words)])
    total = 0.0
    for word in words:
        if word in p.word_tens:
            total += p.word_tens[word]
        elif word in p.word_units:
            total += p.word_units[word]
        else:
            return None
    return total


_DIGIT_MARKS = str.maketrans({",": None, "\u2009": None, "\u202f": None, "·": "."})


def _digits_value(text: str) -> tuple[float, int]:
    """Value and written decimals of a digit string ("190,000" → 190000.0, 0; "6·5" → 6.5, 1:
    a middle dot is a decimal point in British typesetting; a thin space groups thousands)."""
    clean = text.translate(_DIGIT_MARKS)
    decimals = len(clean.split(".", 1)[1]) if "." in clean else 0
    return float(clean), decimals


def _previous_words(text: str, end: int, count: int) -> list[str]:
    """The last `count` words before position `end`, nearest last, lowercased."""
    return [w.lower() for w in _WORD.findall(text[max(0, end - 60) : end])][-count:]


def _previous_word_raw(text: str, end: int) -> str | None:
    """The word right before `end` (only spaces between), as written, or None."""
    match = re.search(r"([A-Za-z][\w.'’\-]*)\s+$", text[max(0, end - 40) : end])
    return match.group(1) if match else None


def _stripped_end(text: str, end: int) -> int:
    """len(text[:end].rstrip()), without copying the prefix (a copy per figure made a long
    sentence's figures quadratic in its length)."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def _is_sentence_start(text: str, start: int) -> bool:
    before = _stripped_end(text, start)
    return not before or text[before - 1] in ".!?:;\"“(—–-"


def _ends_with_word(text: str, end: int, word: str) -> bool:
    r"""re.search(rf"\b{word}\s+$", text[:end], re.IGNORECASE) for a lowercase word,
    read backwards from `end` instead of searched across the whole prefix."""
    stripped = _stripped_end(text, end)
    start = stripped - len(word)
    if stripped == end or start < 0 or text[start:stripped].lower() != word:
        return False
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_")


# Characters after a number that the unit, scale and suffix patterns may read: a window,
# not the rest of the sentence (copied once per figure, that was quadratic in its length).
# Only a run of more spaces or letters than this reads differently.
_AFTER_CHARS = 256
_NOUN_WORD = re.compile(r"\s+([A-Za-z][A-Za-z'’\-]*)(?![\w$%€£])")
_NEXT_WORD = re.compile(r"\s+([A-Za-z][A-Za-z'’\-]*)\b")


def _counted_noun(text: str, pos: int, p: _Patterns) -> tuple[str | None, int]:
    """The head noun after a count ("13000 workers" → 'workers') and where it ends."""
    words: list[tuple[str, int]] = []
    cursor = pos
    while len(words) < p.max_noun_words:
        match = _NOUN_WORD.match(text, cursor)
        if not match:
            break
        word = match.group(1)
        lower = word.lower()
        if lower.endswith(p.non_noun_suffixes) and lower not in p.stop_words:
            # "517 rushing yards": a verb form before a plural noun is its modifier.
            following = _NEXT_WORD.match(text, match.end())
            if not following or not following.group(1).lower().endswith("s") or len(words):
                break
        elif lower in p.stop_words or lower in p.months:
            break
        if lower in p.word_units or lower in p.word_tens or lower in p.scales:
            break
        cursor = match.end()
        words.append((lower, cursor))
        if p.plural_ends_phrase and lower.endswith("s") and not lower.endswith("ss"):
            # "90 miles wide": a plural noun is the head; what follows describes it.
            break
    if not words:
        return None, pos
    return words[-1][0], words[-1][1]


@cache
def _of_phrase(determiners: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\s+of\s+(?:(?:" + "|".join(determiners) + r")\s+)?(?:most\s+)?",
                      re.IGNORECASE)


def _noun_after_of(text: str, pos: int, p: _Patterns) -> str | None:
    """'one of the most spectacular catches' → 'catches' (the span is not extended)."""
    match = _of_phrase(p.of_determiners).match(text, pos)
    if not match:
        return None
    noun, _ = _counted_noun(text, match.end() - 1, p)
    return noun


# --------------------------------------------------------------------------- parse


def parse_figures(text: str, number_words: bool = True) -> list[Figure]:
    """Return the figures of one sentence, in order; never raises.

    `text` is a sentence (any string is accepted). Each Figure's span is an
    end-exclusive range of `text` and raw_text is `text[span_start:span_end]`.
    number_words=False is the caller's word (from a screen: transforms/figures/mentions.py) that
    no word of number_words() occurs in `text`; then only digits can start a figure, and
    the scan jumps from digit to digit instead of reading every character in between.
    """
    if not isinstance(text, str) or not text:
        return []
    try:
        return _parse(text, digits_only=not number_words)
    except (ValueError, OverflowError, IndexError, KeyError, RecursionError):
        # A malformed number must cost one sentence its figures, never the whole run.
        return []


def _parse(text: str, digits_only: bool = False) -> list[Figure]:
    p = _patterns()
    figures: list[Figure] = []
    pos = 0
    while True:
        if digits_only:
            # No match can start before the next digit; search still reads the text before
            # `pos` for its look-behinds, so the match is the one a full scan would find.
            ahead = _DIGITS_START.search(text, pos)
            if ahead is None:
                return figures
            pos = ahead.start()
        match = p.core.search(text, pos)
        if match is None:
            return figures
        floor = figures[-1].span_end if figures else 0
        figure, next_pos = _figure_at(text, match, p, floor)
        if figure is not None:
            if figures and _joins_as_range(text, figures[-1], figure):
                figure = _merged(text, figures.pop(), figure)
            figures.append(figure)
        pos = max(next_pos, match.end(), match.start() + 1)


def _figure_at(
    text: str, m: re.Match[str], p: _Patterns, floor: int = 0
) -> tuple[Figure | None, int]:
    """The figure whose number core is `m`, and where scanning continues. Words before
    the number (sign, currency, approximation) are read no further back than `floor`,
    the end of the previous figure, so figures never overlap."""
    start, end = m.start(), m.end()
    is_range = False
    range_low = range_high = None
    approximation: str | None = None
    scale: str | None = None
    decimals = 0

    if m.group("vague"):
        base = m.group("vague").split()[0].lower()
        low, high = p.vague[base]
        scale_word = (m.group("vague_scale") or m.group("vague_scale2") or "").lower()
        if scale_word:
            scale = p.scales[scale_word]
        value, range_low, range_high = low, low, high
        is_range, approximation = True, base
        # "dozens of people": the counted noun follows the "of".
    elif m.group("fraction"):
        value = p.fractions[m.group("fraction").lower()]
        decimals = 0
    elif m.group("slash"):
        # "1/2 pound", "1⁄32 of a quart": a written fraction.
        numerator, denominator = re.split(r"\s?[/⁄]", m.group("slash"))
        if int(denominator) == 0:
            return None, end
        value = int(numerator) / int(denominator)
    elif m.group("digits"):
        value, decimals = _digits_value(m.group("digits"))
        sign = p.negative.search(text[max(floor, start - 9) : start])
        if sign:
            value = -value
            start -= len(sign.group(0))
        glued = text[max(0, start - 1) : start]
        if glued and (glued.isalpha() or glued in "-_") and not _glued_prefix_ok(text, start, p):
            # "V10", "COVID-19", "S8": digits inside a name are not an amount.
            return None, end
    else:
        word_value = _word_value(m.group("words"), p)
        if word_value is None:
            return None, end
        value = word_value
        raw = m.group("words")
        # A capitalised number word inside a sentence is a name ("BBC One").
        if raw[0].isupper() and not _is_sentence_start(text, start):
            return None, end

    after = text[end : end + _AFTER_CHARS]
    # Ordinals ("80th", "21st") and clock times ("17:22", "10pm") are not amounts.
    if m.group("digits"):
        low_after = after[:3].lower()
        if any(low_after.startswith(s) and not after[len(s) : len(s) + 1].isalpha()
               for s in p.ordinals):
            return None, end + 2
        if p.clock_after.match(after):
            return None, end
        if re.search(r"\d:$", text[max(0, start - 3) : start]):
            return None, end

    # Ranges: "5-10%", "one to two years", "between 5 and 10", "$5-$10 billion".
    range_match = p.range_after.match(text, end) if not is_range else None
    if range_match:
        joiner = text[end : range_match.start("num")].strip().lower()
        before_words = _previous_words(text, start, 2)
        ok = True
        if joiner.startswith("and"):
            ok = "between" in before_words
        elif joiner.startswith("to"):
            # "$750,000 to $1 million": each side has its own scale; the merge pass joins
            # them once both are read.
            ok = not range_match.group("cur")
        if ok:
            num = range_match.group("num")
            if num[0].isdigit():
                high, high_decimals = _digits_value(num)
                decimals = max(decimals, high_decimals)
            else:
                high = _word_value(num, p)
            if m.group("digits") and _looks_like_year(value, m, p):
                # "2018-2019", "2014-15": a span of years, not an amount. "in 1986 to 11
                # billion marks" is a year and then an amount: a short end only after a dash.
                short_end = num.isdigit() and len(num) == 2 and not joiner.startswith("to")
                if high is not None and (high >= 1000 or short_end):
                    return None, range_match.end()
            elif high is not None and high > value:
                # A "range" whose end is not above its start ("won 3-1", "634 – 1.704")
                # is a score or a list, not a range: the first number stands alone.
                is_range, range_low, range_high = True, value, high
                end = range_match.end()
                after = text[end : end + _AFTER_CHARS]

    # Scale: "$245 billion", "USD 88bn", "25k", "3.9 million".
    attached = p.scale_attached.match(after)
    spaced = p.scale_after.match(after)
    if scale is None and m.group("digits") and attached and not after[:1].isspace():
        scale = p.scales[attached.group(1).lower()]
        end += attached.end()
    elif scale is None and spaced:
        scale = p.scales[spaced.group(1).lower()]
        end += spaced.end()
        larger = p.scale_after.match(text, end)
        if scale == "hundred" and larger and p.scales[larger.group(1).lower()] != "hundred":
            # "4 hundred million": the hundreds multiply the larger scale.
            value *= 100
            scale = p.scales[larger.group(1).lower()]
            end = larger.end()
    after = text[end : end + _AFTER_CHARS]

    # Currency before the number ("$", "US$", "USD "), approximation before that.
    prefix_start = start
    currency: str | None = None
    prefix = p.currency_prefix.search(text[max(floor, start - 8) : start])
    if prefix:
        currency = p.currency_prefixes[prefix.group(1)]
        prefix_start = start - (len(text[max(floor, start - 8) : start]) - prefix.start(1))
    unit: str | None = None
    kind = "count"
    measured = False  # a unit of measure ("640bhp", "20 years") marks an amount
    if currency is None:
        suffix = p.currency_suffix.match(after)
        if suffix:
            currency = p.currency_suffixes[suffix.group(1).lower()]
            end += suffix.end()
    if currency:
        kind, unit = "money", currency
    else:
        pct = p.percent_suffix.match(after)
        if pct:
            kind = "percent"
            unit = p.percent_suffixes[(pct.group(1) or pct.group(2)).lower()]
            end += pct.end()
        else:
            measure = p.measure.match(after)
            if measure and (not after[:1].isalpha() or m.group("digits")):
                unit = p.measures[measure.group(1).lower()]
                measured = True
                end += measure.end()
            elif m.group("digits") and re.match(r"[A-Za-z]+\b", after) and not is_range:
                # Letters glued to digits are the unit as written ("5G", "164p").
                glued = re.match(r"[A-Za-z]+", after)
                assert glued is not None
                if glued.group(0).lower() in p.glued_non_units:
                    return None, end + glued.end()
                unit = glued.group(0)
                measured = True
                end += glued.end()
            else:
                hyphen = re.match(r"-([A-Za-z]+(?:-[A-Za-z]+)?)\b", after)
                if hyphen:
                    unit = hyphen.group(1).lower()
                    end += hyphen.end()
                else:
                    noun, noun_end = _counted_noun(text, end, p)
                    if noun:
                        unit, end = noun, noun_end
                    else:
                        unit = _noun_after_of(text, end, p)

    # Not amounts: years, dates and labels, only when nothing marks the number as one.
    bare = kind == "count" and scale is None and not measured
    if bare and m.group("digits") and not is_range and _looks_like_year(value, m, p):
        return None, end
    if bare and m.group("digits") and _is_date(text, start, end, p):
        return None, m.end()
    if bare and m.group("digits") and _is_label(text, start, p):
        return None, m.end()

    approx_match = p.approx_before.search(text[max(floor, prefix_start - 30) : prefix_start])
    span_start = prefix_start
    if approx_match and approximation is None:
        approximation = approx_match.group(1).lower()
        span_start = prefix_start - (len(text[max(floor, prefix_start - 30) : prefix_start])
                                     - approx_match.start(1))
    direction = _direction(text, span_start, end, p)

    factor = p.factors.get(scale, 1.0) if scale else 1.0
    if kind == "percent":
        factor = 1.0
    value_full = value * factor
    if range_low is not None and range_high is not None:
        range_low, range_high = range_low * factor, range_high * factor
    raw_text = text[span_start:end]
    return (
        Figure(
            raw_text=raw_text,
            span_start=span_start,
            span_end=end,
            quantity_kind=kind,
            value=float(value),
            unit=unit,
            currency=currency,
            scale=scale,
            value_full=float(value_full),
            is_approximate=approximation is not None,
            approximation=approximation,
            is_range=is_range,
            range_low=None if range_low is None else float(range_low),
            range_high=None if range_high is None else float(range_high),
            direction=direction,
            decimals=decimals,
        ),
        end,
    )


_RANGE_JOINER = re.compile(r"\s*(?:to|-|–|—|and)\s*", re.IGNORECASE)


def _joins_as_range(text: str, low: Figure, high: Figure) -> bool:
    """Two figures of the same unit joined by "to"/"-" (or "and" after "between") are one
    range: "$750,000 to $1 million", "between 5% and 6%", "1 per cent to 1.5 per cent"."""
    joiner = text[low.span_end : high.span_start]
    if not _RANGE_JOINER.fullmatch(joiner) or low.is_range or high.is_range:
        return False
    if low.quantity_kind != high.quantity_kind or low.direction:
        return False
    if low.value_full is None or high.value_full is None or high.value_full <= low.value_full:
        return False  # "634 – 1.704": a score or a list, not a range
    if low.unit != high.unit and not (low.quantity_kind == "count" and low.unit is None):
        # "four thousand to five thousand people": the noun is written once, at the end.
        return False
    if joiner.strip().lower() == "and":
        return _ends_with_word(text, low.span_start, "between")
    return True


def _merged(text: str, low: Figure, high: Figure) -> Figure:
    if low.scale is None and high.scale is not None and low.value < high.value:
        # "$10 to $15 billion": the scale is written once, after the high end ("$750,000
        # to $1 million", whose low end is the larger number, has none to share).
        factor = high.value_full / high.value if high.value else 1.0
        low = replace(low, scale=high.scale, value_full=low.value * factor)
    return Figure(
        raw_text=text[low.span_start : high.span_end],
        span_start=low.span_start,
        span_end=high.span_end,
        quantity_kind=low.quantity_kind,
        value=low.value,
        unit=high.unit,
        currency=low.currency,
        scale=low.scale,
        value_full=low.value_full,
        is_approximate=low.is_approximate or high.is_approximate,
        approximation=low.approximation or high.approximation,
        is_range=True,
        range_low=low.value_full,
        range_high=high.value_full,
        direction=high.direction,
        decimals=max(low.decimals, high.decimals),
    )


def _glued_prefix_ok(text: str, start: int, p: _Patterns) -> bool:
    """Letters glued to digits are fine when they are a currency ("USD10m", "$US113")
    or a lowercase word joined by a hyphen ("sub-300", "minus-1.4")."""
    window = text[max(0, start - 8) : start]
    if p.currency_prefix.search(window):
        return True
    return bool(re.search(r"(?:^|\s)[a-z]+-$", window))


def _looks_like_year(value: float, m: re.Match[str], p: _Patterns) -> bool:
    digits = m.group("digits") or ""
    return (
        len(digits) == 4
        and digits.isdigit()
        and p.year_range[0] <= value <= p.year_range[1]
    )


_MONTH_AFTER = re.compile(r"\s*(?:of\s+)?([A-Za-z]+)")


def _is_date(text: str, start: int, end: int, p: _Patterns) -> bool:
    """A day of month next to a month name ("May 24", "24 May", "October 1 2019")."""
    before = _previous_words(text, start, 1)
    after = _MONTH_AFTER.match(text, end)
    near_month = bool(before and before[-1] in p.months) or bool(
        after and after.group(1).lower() in p.months
    )
    return near_month


def _is_label(text: str, start: int, p: _Patterns) -> bool:
    """A bare number that names something ("Part 3", "iPhone 11", "Fortune 100")."""
    word = _previous_word_raw(text, start)
    if word is None:
        return False
    lower = word.lower()
    if lower in p.label_words:
        return True
    if lower in p.not_names or lower in p.months:
        return False
    word_start = _stripped_end(text, start) - len(word)
    has_capital = any(c.isupper() for c in word)
    return has_capital and not _is_sentence_start(text, max(0, word_start))


_FOLLOWING = re.compile(r"\s+([A-Za-z]+)")


def _direction(text: str, start: int, end: int, p: _Patterns) -> str | None:
    """'up'/'down' from a direction word right before or right after the figure."""
    for word in reversed(_previous_words(text, start, 4)):
        if word in p.up:
            return "up"
        if word in p.down:
            return "down"
        if word not in p.linkers:
            break
    following = _FOLLOWING.match(text, end)
    if following:
        word = following.group(1).lower()
        if word not in ("up", "down") and word in p.up:
            return "up"
        if word not in ("up", "down") and word in p.down:
            return "down"
    return None
