"""The report pages' charts, as inline SVG strings (no script, no network).

`trade_chart_svg(rows)` plots trade levels by period year and source;
`removed_text_chart_svg(rows)` draws the text cleaning removed, one stacked bar per
source with a segment per removal reason. Every label is scraped or configured text
and goes through html.escape; every mark has a <title> tooltip with its numbers.
"""

from __future__ import annotations

import html
import math

# Colours in order of first use: Okabe–Ito (colour-blind safe), then Tol's muted colours
# for the removal reasons beyond eight.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
           "#000000", "#882255", "#44AA99", "#999933", "#332288", "#AA4499", "#888888")


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def money(value: float | dict | None) -> str:
    """ "USD 245.0 bn" from a dollar value or a {value, currency} as stated."""
    currency = "USD"
    if isinstance(value, dict):
        value, currency = value["value"], value["currency"] or "?"
    return "" if value is None else f"{currency} {value / 1e9:,.1f} bn"


def _nice_step(span: float) -> float:
    """A round tick step (1, 2 or 5 × 10^k) giving about five ticks over `span`."""
    raw = max(span, 1e-9) / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 5, 10) if f * power >= raw)


def trade_chart_svg(rows: list[tuple], width: int = 760, height: int = 340) -> str:
    """An inline SVG: trade levels (USD bn) by period year, one circle per trade figure.

    rows: (trade_figure_id, source_name, period_year, value_usd, flow, reporter,
    partner, commodity, value_raw_text), value_usd in full US dollars. Each source has
    a colour; marks of one year are spread by source so equal figures stay visible.
    Each circle has class "mark", its trade_figure_id and a <title> tooltip.
    """
    if not rows:
        return "<p>No trade figure with both a level and a year to chart.</p>"
    left, right, top, bottom = 70, 190, 20, 45
    plot_w, plot_h = width - left - right, height - top - bottom
    years = sorted({r[2] for r in rows})
    sources = list(dict.fromkeys(r[1] for r in rows))
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sources)}
    top_bn = max(r[3] for r in rows) / 1e9
    step = _nice_step(top_bn)
    y_max = step * (int(top_bn / step) + 1)
    band = plot_w / len(years)

    def y_of(bn: float) -> float:
        return top + plot_h - bn / y_max * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="trade-chart" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-labelledby="trade-chart-title">',
             '<title id="trade-chart-title">Trade levels by period year and source, '
             'USD billion</title>',
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
             'stroke="#ccc"/>']
    tick = 0.0
    while tick <= y_max + 1e-9:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="11">{tick:,.0f}</text>')
        tick += step
    parts.append(f'<text x="14" y="{top + plot_h / 2:.0f}" font-size="11" '
                 f'transform="rotate(-90 14 {top + plot_h / 2:.0f})" text-anchor="middle">'
                 'USD billion</text>')
    for i, year in enumerate(years):
        x = left + band * (i + 0.5)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
                     f'font-size="12">{_e(year)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle" '
                 'font-size="11">period year</text>')
    spread = min(band * 0.7, 24 * len(sources))
    for figure_id, source, year, usd, flow, rep, par, commodity, raw in rows:
        offset = ((sources.index(source) + 0.5) / len(sources) - 0.5) * spread
        x = left + band * (years.index(year) + 0.5) + offset
        label = f"{source}: {flow} {rep}-{par} {commodity} {year}: {money(usd)} ({raw})"
        parts.append(f'<circle class="mark" data-trade-figure-id="{_e(figure_id)}" '
                     f'cx="{x:.1f}" cy="{y_of(usd / 1e9):.1f}" r="6" fill="{colour[source]}" '
                     f'fill-opacity="0.85" stroke="#333"><title>{_e(label)}</title></circle>')
    for i, source in enumerate(sources):
        y = top + 14 + i * 18
        parts.append(f'<circle cx="{width - right + 16}" cy="{y - 4}" r="5" '
                     f'fill="{colour[source]}"/>')
        parts.append(f'<text x="{width - right + 26}" y="{y}" font-size="12">{_e(source)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def removed_text_chart_svg(rows: list[tuple], width: int = 760) -> str:
    """An inline SVG: characters removed by cleaning, one bar per source, by reason.

    rows: (source_name, removal_reason, paragraphs, characters). Sources are sorted by
    characters removed (most first), reasons keep one colour across bars and appear in
    the legend in the same order. Each segment has class "bar", data-source and
    data-reason attributes and a <title> with its paragraphs and characters.
    """
    rows = [r for r in rows if r[3]]
    if not rows:
        return "<p>Cleaning removed no text.</p>"
    by_source: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    for source, reason, _, chars in rows:
        by_source[source] = by_source.get(source, 0) + chars
        by_reason[reason] = by_reason.get(reason, 0) + chars
    sources = sorted(by_source, key=lambda s: (-by_source[s], s))
    reasons = sorted(by_reason, key=lambda r: (-by_reason[r], str(r)))
    colour = {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(reasons)}
    left, right, top, bar, gap = 190, 80, 24, 20, 8
    plot_w = width - left - right
    step = _nice_step(max(by_source.values()))
    x_max = step * math.ceil(max(by_source.values()) / step)
    plot_h = len(sources) * (bar + gap)
    legend_rows = math.ceil(len(reasons) / 4)
    height = top + plot_h + 30 + legend_rows * 18 + 10

    def x_of(chars: float) -> float:
        return left + chars / x_max * plot_w

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="removed-chart" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'aria-labelledby="removed-chart-title">',
             '<title id="removed-chart-title">Characters removed by cleaning, by source and '
             'removal reason</title>']
    tick = 0.0
    while tick <= x_max + 1e-9:
        x = x_of(tick)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{top + plot_h}" '
                     'stroke="#e3e3e3"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" '
                     f'font-size="11">{tick:,.0f}</text>')
        tick += step
    order = {r: i for i, r in enumerate(reasons)}
    for i, source in enumerate(sources):
        y = top + i * (bar + gap) + gap / 2
        parts.append(f'<text x="{left - 8}" y="{y + bar * 0.7:.1f}" text-anchor="end" '
                     f'font-size="12">{_e(source)}</text>')
        x = float(left)
        for _, reason, paragraphs, chars in sorted(
                (r for r in rows if r[0] == source), key=lambda r: order[r[1]]):
            w = chars / x_max * plot_w
            label = f"{source}: {reason}, {paragraphs} paragraphs, {chars:,} characters"
            parts.append(f'<rect class="bar" data-source="{_e(source)}" '
                         f'data-reason="{_e(reason)}" x="{x:.1f}" y="{y:.1f}" '
                         f'width="{w:.1f}" height="{bar}" fill="{colour[reason]}">'
                         f'<title>{_e(label)}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + bar * 0.7:.1f}" font-size="11">'
                     f'{by_source[source]:,}</text>')
    legend_top = top + plot_h + 24
    for i, reason in enumerate(reasons):
        x = left + (i % 4) * (plot_w + right) / 4
        y = legend_top + (i // 4) * 18
        parts.append(f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" '
                     f'fill="{colour[reason]}"/>')
        parts.append(f'<text x="{x + 16:.1f}" y="{y}" font-size="12">{_e(reason)}</text>')
    parts.append(f'<text x="{left - 8}" y="{legend_top}" text-anchor="end" '
                 'font-size="11">characters removed</text>')
    parts.append("</svg>")
    return "\n".join(parts)
