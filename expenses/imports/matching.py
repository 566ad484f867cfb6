"""Comparing descriptions: bank texts carry card numbers, dates and branch numbers that say
nothing about the payee ("ALBERT HEIJN 1403", "AMAZON MKTPL*ZX81K2"), so both sides are reduced
to their words before rapidfuzz compares them."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

_NOISE = re.compile(r"[^\w\s]|\d|_")


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lower-case words without digits or punctuation: "Albert Heijn 1403" → "albert heijn"."""
    return " ".join(_NOISE.sub(" ", (text or "").lower()).split())


def similarity(left: str, right: str) -> int:
    """0 to 100: how alike two normalised descriptions are (word order and extra words matter
    little: "electric bill" and "vattenfall electric bill nov" are alike)."""
    if not left or not right:
        return 0
    return round(fuzz.token_set_ratio(left, right))


# How descriptions are compared for suggestions (one name, so a test can count the calls).
SCORER = fuzz.token_set_ratio
# A word is looked up by its first letters, so a typo later in the word still finds it
# ("netflx" → "netflix").
PREFIX = 3


def _keys(words: str) -> set[str]:
    return {word[:PREFIX] for word in words.split()}


class SimilarDescriptions:
    """The most similar of a fixed list of normalised descriptions, for many descriptions at
    once, with bounded work.

    Comparing every description of a file with every past one costs a scorer call per row
    and past description (5,000 rows and 3,000 descriptions took seconds). Here each
    description is compared only with the choices that share the first letters of one of its
    words (an inverted index, built once), in the choices' order, so the answer is the one a
    full scan gives whenever the two share a word. Across one call at most `budget`
    comparisons are made: the descriptions that recur most are served first, and what is left
    past the budget gets no suggestion (a file of thousands of distinct unknown payees, not a
    statement)."""

    def __init__(self, choices: list[str], *, cutoff: int, budget: int):
        self.choices = choices
        self.cutoff = cutoff
        self.budget = budget
        self._by_key: dict[str, list[int]] = defaultdict(list)
        for position, words in enumerate(choices):
            for key in _keys(words):
                self._by_key[key].append(position)

    def candidates(self, words: str) -> list[int]:
        """Positions of the choices worth scoring against `words`, in the choices' order."""
        found: set[int] = set()
        for key in _keys(words):
            found.update(self._by_key.get(key, ()))
        return sorted(found)

    def most_similar(self, descriptions: Iterable[str]) -> dict[str, str | None]:
        """Each of `descriptions` (normalised; repeated ones count as more important) → the
        choice most like it scoring at least `cutoff`, else None."""
        order = Counter(words for words in descriptions if words).most_common()
        found: dict[str, str | None] = {}
        left = self.budget
        for words, _ in order:
            positions = self.candidates(words)
            if not positions or len(positions) > left:
                found[words] = None
                continue
            left -= len(positions)
            best = process.extractOne(
                words,
                [self.choices[position] for position in positions],
                scorer=SCORER,
                score_cutoff=self.cutoff,
            )
            found[words] = best[0] if best else None
        return found
