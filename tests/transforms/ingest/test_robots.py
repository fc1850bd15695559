"""robots.txt matching: linear in the path, and the same decisions as the regex reading
of RFC 9309 (`*` any run, final `$` the end, longest match wins, Allow wins a tie)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.ingest import robots
from transforms.ingest.robots import RobotsRules, parse_robots, pattern_matches
from transforms.kernel.rules import rules

AGENT = "claimledger/0.1"
HOSTILE = "/*a*a*a*a*a*a*a*a*b$"


def _reference_match(pattern: str, path: str) -> bool:
    """The former translation (each `*` a `.*`, `re.match`): exponential on hostile
    patterns, exact on short ones."""
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(piece) for piece in body.split("*"))
    return re.compile(regex + (r"\Z" if anchored else ""), re.S).match(path) is not None


def _reference_allows(rules_: tuple[tuple[bool, str], ...], path: str) -> bool:
    best, allowed = -1, True
    for is_allow, pattern in rules_:
        longer = len(pattern) > best or (len(pattern) == best and is_allow)
        if longer and _reference_match(pattern, path):
            best, allowed = len(pattern), is_allow
    return allowed


patterns = st.builds(lambda body, anchor: "/" + body + ("$" if anchor else ""),
                     st.text(alphabet="ab*/$", max_size=8), st.booleans())
paths = st.builds(lambda body: "/" + body, st.text(alphabet="ab/$*", max_size=12))


@settings(max_examples=3000, deadline=None)
@given(patterns, paths)
def test_pattern_matches_agrees_with_the_regex_reading(pattern, path):
    assert pattern_matches(pattern, path) == _reference_match(pattern, path)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.booleans(), patterns), max_size=6), paths)
def test_allows_agrees_with_longest_match_and_allow_wins_ties(rules_, path):
    assert RobotsRules(rules=tuple(rules_)).allows(path) == _reference_allows(tuple(rules_), path)


def test_allow_wins_a_tie_and_dollar_anchors():
    tie = RobotsRules(rules=((False, "/a*"), (True, "/a*")))
    assert tie.allows("/abc")
    anchored = RobotsRules(rules=((False, "/*.pdf$"),))
    assert not anchored.allows("/x.pdf") and anchored.allows("/x.pdf?x=1")


@pytest.mark.timeout(10)
def test_a_backtracking_pattern_against_a_long_path_is_one_search_per_piece():
    path = "/" + "a" * 2000
    matched, searches = robots._scan(HOSTILE, path)
    assert not matched
    assert searches <= HOSTILE.count("*") + 1  # no backtracking: each piece searched once
    disallowed = parse_robots(f"User-agent: *\nDisallow: {HOSTILE}\n", AGENT)
    assert disallowed.allows(path) and not disallowed.allows(path + "b")


def test_rule_count_and_pattern_length_are_capped():
    limits = rules("robots")
    many = "User-agent: *\n" + "".join(f"Disallow: /p{i}\n"
                                        for i in range(limits["max_rules"] + 50))
    assert len(parse_robots(many, AGENT).rules) == limits["max_rules"]
    long = "/" + "x" * (limits["max_pattern_chars"] * 2)
    parsed = parse_robots(f"User-agent: *\nDisallow: {long}\nAllow: {long}\n", AGENT)
    assert parsed.rules == ((False, long[:limits["max_pattern_chars"]]),)
    assert not parsed.allows(long)  # the cut Disallow still covers the long path
