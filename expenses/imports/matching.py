"""Comparing descriptions: bank texts carry card numbers, dates and branch numbers that say
nothing about the payee ("ALBERT HEIJN 1403", "AMAZON MKTPL*ZX81K2"), so both sides are reduced
to their words before rapidfuzz compares them."""

from __future__ import annotations

import re
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


def most_similar(words: str, choices: list[str], *, cutoff: int) -> str | None:
    """The choice most like `words` scoring at least `cutoff`, else None (one C-level pass)."""
    if not words or not choices:
        return None
    found = process.extractOne(words, choices, scorer=fuzz.token_set_ratio, score_cutoff=cutoff)
    return found[0] if found else None
