"""robots.txt: parse a file into the rules that apply to one user agent (RFC 9309).

Written here rather than borrowed: urllib.robotparser ignores `*` and `$` in paths
and takes the first matching rule instead of the longest, so it allows pages a
site has disallowed. What this module follows:

- groups start at one or more `User-agent:` lines; several groups naming the same
  agent are merged; the group of our product token wins over `*`;
- `Allow`/`Disallow` patterns support `*` (any run of characters) and a final `$`
  (end of URL); the longest matching pattern wins and `Allow` wins a tie;
  an empty `Disallow:` allows everything;
- `Crawl-delay` of the chosen group is kept (seconds); `Sitemap:` lines are global.

Matching is linear in the path for a pattern of bounded length: a pattern is split at
its `*`s and each piece is searched once, leftmost, after the previous one (with only
`*` as wildcard the leftmost placement never loses a match, so nothing backtracks). A
regex with `.*` per `*` backtracks instead, and `/*a*a*a*a*a*b$` against a long path
never finishes. The rule count and pattern length are capped (transforms/rules/robots.yml).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from transforms.kernel.rules import rules as rule_file

MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309 lets a crawler stop parsing after 500 KiB


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one robots.txt for one user agent.

    rules: (is_allow, pattern) pairs; crawl_delay_s: seconds or None;
    sitemaps: every `Sitemap:` URL of the file; disallow_all: the file could not be
    read (5xx, network error), which RFC 9309 says to treat as "disallow everything".
    """

    rules: tuple[tuple[bool, str], ...] = ()
    crawl_delay_s: float | None = None
    sitemaps: tuple[str, ...] = ()
    disallow_all: bool = False
    note: str = ""

    def allows(self, path: str) -> bool:
        """Whether a URL path (with its query, starting with '/') may be fetched."""
        if path.split("?", 1)[0] == "/robots.txt":
            return True
        if self.disallow_all:
            return False
        best_length, allowed = -1, True
        for is_allow, pattern in self.rules:
            if pattern_matches(pattern, path):
                length = len(pattern)
                if length > best_length or (length == best_length and is_allow):
                    best_length, allowed = length, is_allow
        return allowed


ALLOW_ALL = RobotsRules(note="no robots.txt (4xx): everything allowed")


def product_token(user_agent: str) -> str:
    """'claimledger/0.1 (+https://…)' → 'claimledger': the name robots groups use."""
    token = user_agent.strip().split("/", 1)[0].split(" ", 1)[0]
    return token.lower()


def parse_robots(text: str, user_agent: str) -> RobotsRules:
    """The rules of a robots.txt text that apply to `user_agent`."""
    token = product_token(user_agent)
    groups: list[tuple[list[str], list[tuple[str, str]]]] = []
    sitemaps: list[str] = []
    agents: list[str] | None = None
    rules: list[tuple[str, str]] = []
    for raw_line in text[:MAX_ROBOTS_BYTES].splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "sitemap":
            if value:
                sitemaps.append(value)
        elif key == "user-agent":
            if agents is None or rules:  # a user-agent line after rules starts a new group
                agents, rules = [], []
                groups.append((agents, rules))
            agents.append(value.split("/", 1)[0].strip().lower())
        elif key in ("allow", "disallow", "crawl-delay") and agents is not None:
            rules.append((key, value))
    chosen = [g for g in groups if token in g[0]] or [g for g in groups if "*" in g[0]]
    compiled: list[tuple[bool, str]] = []
    limits = rule_file("robots")
    delay = None
    for _agents, group_rules in chosen:
        for key, value in group_rules:
            if key == "crawl-delay":
                try:
                    delay = max(delay or 0.0, float(value))
                except ValueError:
                    continue
            elif value:  # an empty Disallow means "allow all": no rule
                rule = _bounded_rule(key == "allow", value if value.startswith(("/", "*"))
                                     else "/" + value)
                if rule is not None and len(compiled) < limits["max_rules"]:
                    compiled.append(rule)
    return RobotsRules(rules=tuple(compiled), crawl_delay_s=delay, sitemaps=tuple(sitemaps))


def _bounded_rule(is_allow: bool, pattern: str) -> tuple[bool, str] | None:
    """A rule with its pattern within max_pattern_chars, erring towards disallowing:
    a long Disallow is cut (its prefix matches at least what it matched), a long Allow
    is dropped (a cut one would allow more than the site wrote)."""
    if len(pattern) <= rule_file("robots")["max_pattern_chars"]:
        return is_allow, pattern
    if is_allow:
        return None
    return False, pattern[:rule_file("robots")["max_pattern_chars"]].rstrip("$")


def pattern_matches(pattern: str, path: str) -> bool:
    """Whether a robots pattern matches a path from its start (`*`: any run, final `$`: end)."""
    return _scan(pattern, path)[0]


@cache
def _pieces(pattern: str) -> tuple[tuple[str, ...], bool]:
    anchored = pattern.endswith("$")
    return tuple((pattern[:-1] if anchored else pattern).split("*")), anchored


def _scan(pattern: str, path: str) -> tuple[bool, int]:
    """(match, searches): searches counts the substring searches made, at most one per
    piece of the pattern, which is what keeps the work linear in the path."""
    pieces, anchored = _pieces(pattern)
    first, *middle = pieces
    if not path.startswith(first):
        return False, 1
    searches, position = 1, len(first)
    if not middle:  # no `*`: a prefix, or with `$` the whole path
        return (not anchored or position == len(path)), searches
    last = middle.pop()
    for piece in middle:
        searches += 1
        found = path.find(piece, position)
        if found < 0:
            return False, searches
        position = found + len(piece)
    searches += 1
    if anchored:  # the last piece must end the path, after what the others used
        return (path.endswith(last) and len(path) - len(last) >= position), searches
    return path.find(last, position) >= 0, searches
