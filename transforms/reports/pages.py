"""The report pages' Jinja environment: templates/ beside this module, autoescaped.

Every value a template prints is escaped (titles, sentences and source names are
scraped text); only the charts, built by transforms/reports/charts.py from escaped
parts, are marked safe. Undefined names raise, so a misspelt fact fails a test instead
of printing nothing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).with_name("templates")


def _text(value: object) -> object:
    return "" if value is None else value


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["text"] = _text
    return env


def render(template: str, **context: object) -> str:
    """templates/<template> rendered with `context`."""
    return environment().get_template(template).render(**context)


def safe(svg: str) -> Markup:
    """Markup from a chart builder (which escaped every label itself) or a constant."""
    return Markup(svg)
