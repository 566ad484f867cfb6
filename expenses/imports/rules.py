"""Household import rules applied to bank rows, and category suggestions from history — pure
functions, no database.

A rule matches when the row's description contains / equals / matches its pattern (ignoring
case), and, when the rule says so, the amount is within its range and the currency is its own.
Precedence: rules run in the household's order (position), then "equals" before "regex" before
"contains", then the longer pattern first; the first rule that matches decides every field it
sets. Without a rule, the category most used for a similar description in the household's
history is suggested.

Patterns are the household's own input, so regular expressions are guarded: at most
MAX_PATTERN characters, refused when they take too long on hostile probes when saved, and run
with a timeout (a rule that times out stops being applied for that preview).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import regex

from .matching import SimilarDescriptions, normalise
from .rows import ImportRow

CONTAINS, EQUALS, REGEX = "contains", "equals", "regex"
MATCH_ORDER = {EQUALS: 0, REGEX: 1, CONTAINS: 2}
MAX_PATTERN = 100
MATCH_TIMEOUT = 0.02  # seconds, per row
PROBE_TIMEOUT = 0.05
# Texts that make a backtracking pattern blow up, tried once when a rule is saved.
PROBES = ("a" * 60 + "!", "1" * 60 + "x", " " * 60 + "x", "ab" * 40 + "!", "x" * 200)
SUGGESTION_SCORE = 85
# Past descriptions suggestions compare with (the most used first), and the most comparisons
# one preview makes: bounded, whatever the file and the history hold (~0.2 s of scoring).
HISTORY_WORDS = 2_000
SUGGESTION_BUDGET = 200_000


class UnsafePattern(ValueError):
    """A regular expression that cannot be used; the message says why."""


def check_pattern(pattern: str) -> None:
    """Refuse a regular expression that does not compile, is too long or backtracks badly."""
    if len(pattern) > MAX_PATTERN:
        raise UnsafePattern(f"A pattern has at most {MAX_PATTERN} characters.")
    try:
        compiled = regex.compile(pattern, regex.IGNORECASE)
    except (regex.error, OverflowError, RecursionError) as error:
        raise UnsafePattern(f"This is not a valid regular expression ({error}).") from error
    for probe in PROBES:
        try:
            compiled.search(probe, timeout=PROBE_TIMEOUT)
        except TimeoutError as error:
            raise UnsafePattern(
                "This regular expression takes too long to match; make it simpler."
            ) from error


@dataclass(frozen=True)
class Rule:
    """What applying a rule needs (built from the ImportRule model by the selector)."""

    pk: int
    match: str
    pattern: str
    label: str
    position: int = 100
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    currency: str = ""
    category_id: int | None = None
    payment_method_id: int | None = None
    description: str = ""
    ignore: bool = False

    @property
    def order(self) -> tuple:
        return (self.position, MATCH_ORDER.get(self.match, 9), -len(self.pattern), self.pk)


class RuleBook:
    """The household's rules compiled once for a whole file."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules = sorted(rules, key=lambda rule: rule.order)
        self.broken: set[int] = set()
        self._compiled = {}
        for rule in self.rules:
            if rule.match == REGEX:
                try:
                    self._compiled[rule.pk] = regex.compile(rule.pattern, regex.IGNORECASE)
                except (regex.error, OverflowError, RecursionError):
                    self.broken.add(rule.pk)

    def _matches_text(self, rule: Rule, text: str) -> bool:
        if rule.match == EQUALS:
            return text.casefold() == rule.pattern.casefold()
        if rule.match == CONTAINS:
            return rule.pattern.casefold() in text.casefold()
        try:
            return self._compiled[rule.pk].search(text, timeout=MATCH_TIMEOUT) is not None
        except TimeoutError:
            self.broken.add(rule.pk)
            return False

    def first(self, row: ImportRow) -> Rule | None:
        """The rule that decides for this row, if any."""
        for rule in self.rules:
            if rule.pk in self.broken:
                continue
            if rule.currency and rule.currency != row.currency:
                continue
            if row.amount is not None:
                if rule.min_amount is not None and row.amount < rule.min_amount:
                    continue
                if rule.max_amount is not None and row.amount > rule.max_amount:
                    continue
            elif rule.min_amount is not None or rule.max_amount is not None:
                continue
            if self._matches_text(rule, row.description):
                return rule
        return None


class History:
    """The category a household used most for each description, for suggestions."""

    def __init__(self, counts: Iterable[tuple[str, int, int]], *, limit: int = HISTORY_WORDS):
        """`counts`: (description, category id, how many expenses) rows; the `limit` most
        used descriptions (as words) count."""
        best: dict[str, tuple[int, int]] = {}
        for description, category_id, count in counts:
            words = normalise(description)
            if words and count > best.get(words, (0, 0))[0]:
                best[words] = (count, category_id)
        # The most used first (a stable sort keeps the given order among equals).
        most_used = sorted(best.items(), key=lambda item: -item[1][0])[:limit]
        self._best = {words: category_id for words, (_, category_id) in most_used}
        self._similar = SimilarDescriptions(
            list(self._best), cutoff=SUGGESTION_SCORE, budget=SUGGESTION_BUDGET
        )

    def suggest(self, description: str) -> int | None:
        """The category id most used for this description or a similar one, else None."""
        return self.suggest_all([description]).get(description)

    def suggest_all(self, descriptions: Iterable[str]) -> dict[str, int | None]:
        """Each description → the category most used for it or a similar one, else None: exact
        words from a dict first, then one bounded search for all the others at once."""
        descriptions = list(descriptions)  # repeated ones are served first
        words_of = {description: normalise(description) for description in descriptions}
        unknown = [
            words_of[description]
            for description in descriptions
            if words_of[description] and words_of[description] not in self._best
        ]
        similar = self._similar.most_similar(unknown) if unknown else {}
        found: dict[str, int | None] = {}
        for description, words in words_of.items():
            match = words if words in self._best else similar.get(words)
            found[description] = self._best[match] if match else None
        return found
