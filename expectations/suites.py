"""Great Expectations suites for claimledger's marts: plausibility, not structure.

dbt's tests own the structural contract (keys unique and not null, accepted values,
relationships). These suites ask whether the numbers are *believable*: trade values
in a real-world range, growth rates a rate can take, spans that make sense, average
text noise under a ceiling. Thresholds are data (thresholds.yml); every expectation
carries ``meta={"why": ..., "severity": "error" | "warn"}`` ('error' fails the run,
'warn' only reports), and the same severity as GX's own field so Data Docs show it.

Some checks need facts from outside one mart (how many articles exist) or a value
GX cannot compute (a year derived from a date): those come in as suite parameters
(``run_parameters``) and derived columns (``with_derived_columns``), both applied
by the runner. great_expectations is imported inside the builders: it takes
seconds to import, and the DAG parses modules that import this one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from collections.abc import Mapping

    import great_expectations as gx
    import pandas as pd

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.yml")

# The marts the suites validate, each with the key column that names failing rows.
MART_KEYS: dict[str, str] = {
    "dim_articles": "article_id",
    "fct_figures": "figure_id",
    "fct_trade_figures": "trade_figure_id",
    "fct_claims": "claim_id",
}

# Suite parameters ({"$PARAMETER": name}) the runner fills from the warehouse.
MIN_FIGURE_ROWS = "min_figure_rows"
MIN_CLAIM_ROWS = "min_claim_rows"
MAX_CORROBORATING_ARTICLES = "max_corroborating_articles"

# Derived columns (added before validation: GX has no column arithmetic).
LATEST_PLAUSIBLE_PERIOD_YEAR = "latest_plausible_period_year"
LATEST_RESULT_PERIOD_YEAR = "latest_result_period_year"

# Why a row-level plausibility check is an error although its input is odd text: dbt's
# plausibility screen (int_trade_figures_rejected) holds such rows out of the mart, so
# one found here means the screen and these bounds disagree, which is a bug.
SCREENED = ": one in the mart means the screen is broken."

# Our severity vocabulary (audit.quality_results) → GX's own FailureSeverity values.
_GX_SEVERITY = {"error": "critical", "warn": "warning"}


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, Any]:
    """Read thresholds.yml: {mart: {threshold name: value}}."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _tag(severity: str, why: str, **meta: Any) -> dict[str, Any]:
    """Keyword arguments that give an expectation its meta and GX severity."""
    return {"meta": {"why": why, "severity": severity, **meta}, "severity": _GX_SEVERITY[severity]}


def _param(name: str) -> dict[str, str]:
    return {"$PARAMETER": name}


def build_fct_trade_figures_suite(
    thresholds: Mapping[str, Any] | None = None,
) -> gx.ExpectationSuite:
    """Suite 'fct_trade_figures': one row per trade statement; value_usd in full dollars."""
    import great_expectations as gx

    t = (thresholds or load_thresholds())["fct_trade_figures"]
    e = gx.expectations
    return gx.ExpectationSuite(
        name="fct_trade_figures",
        expectations=[
            e.ExpectColumnValuesToBeBetween(
                column="value_usd",
                min_value=t["value_usd"]["min"],
                max_value=t["value_usd"]["max"],
                **_tag(
                    "error",
                    f"A trade flow below ${t['value_usd']['min']:,.0f} lost its scale word; "
                    f"above ${t['value_usd']['max']:,.0f} (world trade is ~$32 trillion a "
                    "year) a scale was applied twice. dbt's screen holds such rows out "
                    f"(rpt_rejected_rows){SCREENED}",
                ),
            ),
            e.ExpectColumnValuesToBeBetween(
                column="growth_pct",
                min_value=t["growth_pct"]["min"],
                max_value=t["growth_pct"]["max"],
                **_tag(
                    "error",
                    f"Nothing falls by more than {-t['growth_pct']['min']}%; a rise above "
                    f"{t['growth_pct']['max']}% is a level or a year read as a growth rate. "
                    f"dbt's screen holds such rows out (rpt_rejected_rows){SCREENED}",
                ),
            ),
            e.ExpectColumnMedianToBeBetween(
                column="growth_pct",
                min_value=t["median_growth_pct"]["min"],
                max_value=t["median_growth_pct"]["max"],
                **_tag(
                    "warn",
                    "A typical stated rate outside this band means the extractor "
                    "systematically picks the wrong percentage (a share, an inflation rate).",
                ),
            ),
            e.ExpectColumnValuesToBeBetween(
                column="period_year",
                min_value=t["period_year_min"],
                **_tag(
                    "error",
                    f"A period before {t['period_year_min']} is a misread number (a count, "
                    "an amount) taken for a year. dbt's screen holds such rows out "
                    f"(rpt_rejected_rows){SCREENED}",
                ),
            ),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=LATEST_PLAUSIBLE_PERIOD_YEAR,
                column_B="period_year",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                **_tag(
                    "error",
                    "A statement may look ahead a few years from its publication "
                    "(forecasts), not decades: a later period_year is a misread number. "
                    f"dbt's screen holds such rows out (rpt_rejected_rows){SCREENED}",
                ),
            ),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=LATEST_RESULT_PERIOD_YEAR,
                column_B="period_year",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                **_tag(
                    "warn",
                    "A result (not a forecast) cannot be about a year after its article "
                    "was published: the tense detection missed a forecast, or the year "
                    "was misread. The figure is kept as stated and reported.",
                ),
            ),
            e.ExpectColumnMeanToBeBetween(
                column="is_forecast",
                max_value=t["forecast_share_max"],
                **_tag(
                    "warn",
                    "News mostly reports past flows; a majority of forecasts says the "
                    "tense detection fires on any 'will' or 'expected'.",
                ),
            ),
            e.ExpectColumnValueLengthsToBeBetween(
                column="evidence_text",
                min_value=t["evidence_text_length"]["min"],
                max_value=t["evidence_text_length"]["max"],
                **_tag(
                    "error",
                    "Evidence is one sentence: shorter is a fragment, longer means the "
                    "sentence splitter glued sentences or paragraphs together. dbt's "
                    f"screen holds such rows out (rpt_rejected_rows){SCREENED}",
                ),
            ),
            e.ExpectColumnValuesToBeBetween(
                column="corroborating_article_count",
                min_value=0,
                max_value=_param(MAX_CORROBORATING_ARTICLES),
                **_tag(
                    "error",
                    "A trade figure cannot be corroborated by more articles than the "
                    "warehouse holds: the corroboration join fans out.",
                ),
            ),
            e.ExpectCompoundColumnsToBeUnique(
                column_list=[
                    "article_id",
                    "sentence_id",
                    "flow",
                    "reporter",
                    "partner",
                    "commodity",
                    "period_year",
                ],
                **_tag(
                    "warn",
                    "One sentence stating the same flow twice means one statement was "
                    "split (level and growth as two rows) or extracted twice.",
                ),
            ),
        ],
    )


def build_fct_figures_suite(thresholds: Mapping[str, Any] | None = None) -> gx.ExpectationSuite:
    """Suite 'fct_figures': one row per quantity in a kept sentence; spans end-exclusive."""
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    t = (thresholds or load_thresholds())["fct_figures"]
    e = gx.expectations
    return gx.ExpectationSuite(
        name="fct_figures",
        expectations=[
            e.ExpectTableRowCountToBeBetween(
                min_value=_param(MIN_FIGURE_ROWS),
                **_tag(
                    "warn",
                    "Articles exist but not one quantity was found in them: news "
                    "text without a single number means the figure matcher broke.",
                ),
            ),
            e.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="span_end",
                column_B="span_start",
                or_equal=False,
                **_tag(
                    "error",
                    "Evidence must point at a non-empty span of its sentence; an "
                    "empty or reversed span cannot be shown to a reader.",
                ),
            ),
            e.ExpectColumnValueLengthsToBeBetween(
                column="raw_text",
                min_value=t["raw_text_length"]["min"],
                max_value=t["raw_text_length"]["max"],
                **_tag(
                    "warn",
                    "A figure mention is a short phrase; a long one means the matcher "
                    "ran across words.",
                ),
            ),
            e.ExpectColumnValuesToBeBetween(
                column="value",
                min_value=t["percent_value"]["min"],
                max_value=t["percent_value"]["max"],
                row_condition=Column("quantity_kind") == "percent",
                **_tag(
                    "warn",
                    "A percentage outside this band was not a percentage (a year or a "
                    "code glued to a % sign).",
                ),
            ),
            e.ExpectColumnValuesToNotBeNull(
                column="value_usd",
                mostly=t["money_with_value_usd_share_min"],
                row_condition=Column("quantity_kind") == "money",
                **_tag(
                    "warn",
                    "Money figures stay without value_usd when their currency has no "
                    "rate; many of them means the currency table or the matcher drifted.",
                ),
            ),
            e.ExpectCompoundColumnsToBeUnique(
                column_list=["article_id", "sentence_id", "span_start"],
                **_tag(
                    "error",
                    "Two figures starting at the same character of a sentence are one "
                    "quantity counted twice, which would double it in every sum.",
                ),
            ),
            e.ExpectCompoundColumnsToBeUnique(
                column_list=["article_id", "sentence_id", "span_end"],
                **_tag(
                    "warn",
                    "Two figures ending at the same character are overlapping matches "
                    "('$5 billion' and '5 billion') of one quantity.",
                ),
            ),
        ],
    )


def build_fct_claims_suite(thresholds: Mapping[str, Any] | None = None) -> gx.ExpectationSuite:
    """Suite 'fct_claims': one row per checkable claim with its speaker and figures."""
    import great_expectations as gx

    t = (thresholds or load_thresholds())["fct_claims"]
    e = gx.expectations
    return gx.ExpectationSuite(
        name="fct_claims",
        expectations=[
            e.ExpectTableRowCountToBeBetween(
                min_value=_param(MIN_CLAIM_ROWS),
                **_tag(
                    "warn",
                    "Articles exist but no claim came out of them; claims are sparser "
                    "than figures, so this is worth a look rather than a failed run.",
                ),
            ),
            e.ExpectColumnValueLengthsToBeBetween(
                column="claim_text",
                min_value=t["claim_text_length"]["min"],
                max_value=t["claim_text_length"]["max"],
                **_tag(
                    "warn",
                    "A claim is a sentence or a quote: shorter is a fragment, longer "
                    "means sentences were glued.",
                ),
            ),
            e.ExpectColumnValuesToBeBetween(
                column="figure_count",
                max_value=t["figure_count_max"],
                **_tag("warn", "More figures than this in one claim is a table read as prose."),
            ),
            e.ExpectColumnValuesToBeBetween(
                column="corroborating_article_count",
                min_value=0,
                max_value=_param(MAX_CORROBORATING_ARTICLES),
                **_tag(
                    "error",
                    "A claim cannot be corroborated by more articles than the "
                    "warehouse holds: the corroboration join fans out.",
                ),
            ),
            e.ExpectColumnValueLengthsToBeBetween(
                column="speaker",
                max_value=t["speaker_length_max"],
                **_tag(
                    "warn",
                    "A speaker is a name or an institution; a long one means the "
                    "attribution captured a clause.",
                ),
            ),
            e.ExpectCompoundColumnsToBeUnique(
                column_list=["article_id", "sentence_id", "claim_text"],
                **_tag(
                    "warn",
                    "The same claim text twice in one sentence is one claim extracted "
                    "twice, which would inflate corroboration counts.",
                ),
            ),
        ],
    )


def build_dim_articles_suite(thresholds: Mapping[str, Any] | None = None) -> gx.ExpectationSuite:
    """Suite 'dim_articles': one row per article with its text-quality metrics."""
    import datetime as dt

    import great_expectations as gx

    t = (thresholds or load_thresholds())["dim_articles"]
    e = gx.expectations
    expectations: list[Any] = [
        e.ExpectTableRowCountToBeBetween(
            min_value=1,
            **_tag(
                "warn",
                "An empty article table after a run means nothing was ever loaded; "
                "every other mart is then empty too.",
            ),
        ),
        # dbt's value_in_range holds every ratio in [0, 1]; this one is kept here too
        # because Data Docs readers look for the cleaner's headline metric.
        e.ExpectColumnValuesToBeBetween(
            column="removed_char_ratio",
            min_value=0,
            max_value=1,
            **_tag(
                "error",
                "removed_char_ratio is a share of an article's extracted "
                "characters: outside [0, 1] it is computed over the wrong text.",
            ),
        ),
    ]
    expectations += [
        e.ExpectColumnMeanToBeBetween(
            column=column,
            max_value=ceiling,
            **_tag(
                "warn",
                f"Mean {column} over all articles above {ceiling}: extraction lets "
                "through more page chrome or repetition than usual (a source changed "
                "its layout, the extractor regressed) or cleaning eats real text.",
            ),
        )
        for column, ceiling in t["mean_max"].items()
    ]
    expectations += [
        e.ExpectColumnMeanToBeBetween(
            column="is_near_duplicate",
            max_value=t["near_duplicate_share_max"],
            **_tag(
                "warn",
                "Syndicated copies are common but not the norm; most articles "
                "marked near-duplicates means the similarity threshold is too loose.",
            ),
        ),
        e.ExpectColumnValuesToBeBetween(
            column="sentence_count",
            min_value=1,
            mostly=t["with_sentences_share_min"],
            **_tag(
                "warn",
                "Articles should keep at least one sentence; many without any means "
                "the cleaner removes real text.",
            ),
        ),
        e.ExpectColumnValueLengthsToBeBetween(
            column="title",
            min_value=t["title_length"]["min"],
            max_value=t["title_length"]["max"],
            **_tag(
                "warn",
                "A short title is a section label, a long one is body text taken for the headline.",
            ),
        ),
        e.ExpectColumnValuesToBeBetween(
            column="published_date",
            min_value=dt.datetime.fromisoformat(str(t["published_date_min"])),
            **_tag(
                "warn",
                f"A publication date before {t['published_date_min']} in this corpus is "
                "a misparsed date (a day/month swap or an epoch default).",
            ),
        ),
        e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="ingest_date",
            column_B="published_date",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            mostly=t["published_before_ingest_share_min"],
            **_tag(
                "warn",
                "An article cannot be published after we fetched it (time zones allow "
                "a few a day ahead); many such dates are misparsed.",
            ),
        ),
    ]
    return gx.ExpectationSuite(name="dim_articles", expectations=expectations)


SUITE_BUILDERS = {
    "dim_articles": build_dim_articles_suite,
    "fct_figures": build_fct_figures_suite,
    "fct_trade_figures": build_fct_trade_figures_suite,
    "fct_claims": build_fct_claims_suite,
}


def run_parameters(
    article_count: int | None, thresholds: Mapping[str, Any] | None = None
) -> dict[str, int | None]:
    """Suite parameters for one run, from the number of rows in dim_articles.

    Row-count floors apply only once articles exist (an empty warehouse is reported by
    dim_articles' own check); corroboration cannot exceed the article count. When
    dim_articles is missing (article_count None) the cross-mart bounds are open
    (floor 0, no ceiling), so its absence is reported once, not as knock-on failures.
    """
    t = thresholds or load_thresholds()
    has_articles = bool(article_count)
    return {
        MIN_FIGURE_ROWS: t["fct_figures"]["min_rows_when_articles_exist"] * has_articles,
        MIN_CLAIM_ROWS: t["fct_claims"]["min_rows_when_articles_exist"] * has_articles,
        MAX_CORROBORATING_ARTICLES: article_count,
    }


def with_derived_columns(
    mart: str, df: pd.DataFrame, thresholds: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """The mart frame plus the columns its suite compares against (a copy; input untouched).

    fct_trade_figures gains latest_plausible_period_year = year(published_date) + the
    allowed look-ahead, and latest_result_period_year = year(published_date) for a
    result (null for a forecast, which may look ahead); both null when
    published_date is null or the column is missing.
    """
    import pandas as pd

    if mart != "fct_trade_figures" or "published_date" not in df.columns:
        return df
    years_ahead = (thresholds or load_thresholds())[mart]["period_year_max_years_after_publication"]
    published_year = pd.to_datetime(df["published_date"], errors="coerce").dt.year
    derived = {LATEST_PLAUSIBLE_PERIOD_YEAR: published_year + years_ahead}
    if "is_forecast" in df.columns:
        is_forecast = df["is_forecast"].fillna(False).astype(bool)
        derived[LATEST_RESULT_PERIOD_YEAR] = published_year.where(~is_forecast)
    return df.assign(**derived)


def suite_columns(mart: str, thresholds: Mapping[str, Any] | None = None) -> list[str]:
    """The columns of ``mart`` its suite reads: the ones its expectations name, the key
    that names failing rows, and the inputs of with_derived_columns (not the derived
    columns themselves, which the mart does not have). In the mart's own order is not
    needed: the runner selects them by name.

    The runner reads only these, so text columns no expectation looks at (article text,
    URLs, evidence the suites do not check) never reach pandas: at 10,000 articles the
    whole marts are ~160 MiB of pandas objects that the task process keeps after GX.
    """
    suite = SUITE_BUILDERS[mart](thresholds)
    named: list[str] = [MART_KEYS[mart]]
    for expectation in suite.expectations:
        kwargs = expectation.configuration.kwargs
        for field in ("column", "column_A", "column_B"):
            if kwargs.get(field):
                named.append(kwargs[field])
        named += list(kwargs.get("column_list") or [])
        condition = kwargs.get("row_condition")
        if isinstance(condition, str) and condition:
            return None  # a condition in GX's string syntax: its columns are unknown here
        named += _condition_columns(condition)
    if mart == "fct_trade_figures":
        named += ["published_date", "is_forecast"]
    derived = {LATEST_PLAUSIBLE_PERIOD_YEAR, LATEST_RESULT_PERIOD_YEAR}
    return list(dict.fromkeys(c for c in named if c not in derived))


def _condition_columns(condition: Any) -> list[str]:
    """Column names in a row condition as GX serialises it ({"column": {"name": ...}},
    nested in the "conditions" of and/or), in order."""
    if isinstance(condition, dict):
        column = condition.get("column")
        own = [column["name"]] if isinstance(column, dict) and "name" in column else []
        return own + [c for value in condition.values() for c in _condition_columns(value)]
    if isinstance(condition, list):
        return [c for item in condition for c in _condition_columns(item)]
    return []


def check_name(
    suite_name: str,
    expectation_type: str,
    kwargs: Mapping[str, Any],
    meta: Mapping[str, Any] | None = None,
) -> str:
    """'gx.<mart>.<expectation type>[.<column(s)>][.<label>]', unique within a suite.

    Columns of pair and compound expectations are joined with '+'; meta 'label'
    disambiguates two checks of one type on one column.
    """
    if kwargs.get("column"):
        columns = [kwargs["column"]]
    elif kwargs.get("column_A"):
        columns = [kwargs["column_A"], kwargs["column_B"]]
    else:
        columns = list(kwargs.get("column_list") or [])
    parts = ["gx", suite_name, expectation_type]
    if columns:
        parts.append("+".join(columns))
    if meta and meta.get("label"):
        parts.append(str(meta["label"]))
    return ".".join(parts)
