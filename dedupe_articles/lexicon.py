"""Word frequencies of the article's language, for joins at a cut inside a word.

When an attempt stops inside a word ("a state|ment of taste") or between two
("a good starting set|looks like this") and nothing in the text shows whitespace
at the cut, the article's own words often cannot tell the two apart: an article
uses "statement" once, if at all. How common "statement", "state" and "ment" are
in the language can: one word is written much more often than two words that
happen to spell it.

The frequencies are wordfreq's (``wordfreq`` package, its "small" lists of the
30,000-odd commonest words per language), for the languages written with spaces
in Latin script it covers well, and Korean. The lists are read-only data shipped
with that package and read once per process, like an import: the cleaner's output
never depends on what it cleaned before. Korean lists hold morphemes rather than
written words: they say when a cut fell inside one (:func:`runs_on`), and what
stands on each side of it (:mod:`~dedupe_articles.korean`).
The same lists tell a word fragment at a cut from a word ("Dat| Dateien", but
"in| information"), and the Japanese and Chinese ones a reduplicated word from two
characters a continuation repeated ("いろ|いろな", but "だけ|だけでなく").
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

# Languages written with spaces in Latin script, with good wordfreq coverage.
LANGUAGES = ("en", "de", "es", "fr", "it", "pt", "nl")
# How many of the article's commonest words decide its language.
_SAMPLE = 100
# Below this share of the sample found in the best list, the article is in none of
# these languages (or too short to tell): no lexicon.
_MIN_COVERAGE = 0.3


@functools.cache
def frequencies(language: str) -> Mapping[str, float]:
    """Word -> frequency (share of all words) in ``language``, lower-cased words.

    >>> frequencies("en")["the"] > frequencies("en")["statement"] > 0
    True
    """
    from wordfreq import get_frequency_dict  # (imported when first needed: CLI start-up)

    return get_frequency_dict(language, wordlist="small")


def guess_language(counts: Mapping[str, int]) -> str | None:
    """The language of :data:`LANGUAGES` whose list holds most of the commonest
    words of ``counts`` (word -> count in the article), or None.

    >>> guess_language({"der": 5, "und": 4, "nicht": 3, "ist": 3, "ein": 2})
    'de'
    >>> guess_language({"経済": 3}) is None
    True
    """
    sample = sorted(counts, key=lambda w: (-counts[w], w))[:_SAMPLE]
    if not sample:
        return None
    best, hits = None, 0
    for language in LANGUAGES:
        table = frequencies(language)
        found = sum(1 for word in sample if word in table)
        if found > hits:
            best, hits = language, found
    return best if hits >= _MIN_COVERAGE * len(sample) else None


def split_odds(left: str, right: str, table: Mapping[str, float]) -> float | None:
    """Log-odds of "two words" over "one word" for ``left`` + ``right`` in a
    language's ``table``; None when the table knows neither the joined word nor
    both halves (then it says nothing).

    >>> en = frequencies("en")
    >>> split_odds("state", "ment", en) < 0 < split_odds("set", "looks", en)
    True
    >>> split_odds("qzx", "vw", en) is None
    True
    """
    joined = table.get(left + right, 0.0)
    first, second = table.get(left, 0.0), table.get(right, 0.0)
    if not joined and not (first and second):
        return None
    return _log(first) + _log(second) + LEX_SPLIT_ODDS - _log(joined)


def runs_on(left: str, right: str, table: Mapping[str, float]) -> bool:
    """Whether a word of ``table`` longer than ``left`` begins with it and runs on
    into ``right``: the cut fell inside that word. For Korean, whose lists hold
    morphemes (a noun and its particle are two): "결|국" is "결국", while "사람|이"
    ("사람이", a noun and a particle) stays for the article's statistics.

    >>> ko = frequencies("ko")
    >>> runs_on("결", "국", ko), runs_on("사람", "이", ko)
    (True, False)
    """
    joined = left + right
    return any(joined[:k] in table for k in range(len(left) + 1, len(joined) + 1))


def spans_word(left: str, right: str) -> bool:
    """Whether a Japanese or Chinese word of two characters or more begins in the
    last characters of ``left`` and ends in the first of ``right``: a cut inside
    that word ("社|会のあらゆる層"), not between two sentences ("社|正直なところ").

    >>> spans_word("AIが社", "会のあらゆる層に"), spans_word("AIが社", "正直なところ")
    (True, False)
    """
    tables = [frequencies(language) for language in ("ja", "zh")]
    return any(
        left[-k:] + right[:m] in table
        for k in range(1, min(3, len(left)) + 1)
        for m in range(1, min(3, len(right)) + 1)
        for table in tables
    )


def _log(p: float) -> float:
    return math.log(max(p, _FLOOR))


# A frequency for words the list does not hold: rarer than its rarest word.
_FLOOR = 1e-9
# Two words that spell a third are rarely both common: a cut inside a word needs
# the one word to be merely as likely as this share of the two side by side
# (measured: benchmarks/joins.py, 1,000 best of 1/10/1,000/100,000).
LEX_SPLIT_ODDS = math.log(1000)
