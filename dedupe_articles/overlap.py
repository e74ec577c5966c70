"""What a continuation repeats from before the cut it goes on from.

An attempt that goes on from a cut often starts a few words or characters before
it: the words at the cut come twice ("we saw the| the stone"), a cut word begins
again ("Dat| Dateien"), or two CJK characters repeat ("だけ|だけでなく"). Each test
here measures the repeat, so the stitcher keeps those characters once.
"""

from __future__ import annotations

import itertools

import regex

from dedupe_articles.lexicon import frequencies
from dedupe_articles.normalize import CJK_PUNCT, HANGUL, JoinModel, is_unspaced


def repeated_at_cut(left: str, right: str, shortest: int, whole_words: bool = False) -> int:
    """Length of the longest start of ``right`` that ``left`` already ends with: the
    words a continuation repeats from before the cut (at least ``shortest``
    characters; three do in unspaced scripts, where one character is a word, and
    a word of two or three letters does, whole on both sides).

    ``whole_words``: a space stood at the cut, so ``left`` ends with a whole word
    and the repeated words end at a word boundary too ("vellu| vellun" repeats
    nothing).

    >>> repeated_at_cut("we saw the stone", "the stone wall", 4)
    9
    >>> repeated_at_cut("the stone", "stonework", 4, whole_words=True)
    0
    >>> repeated_at_cut("通知goroutin", "outine结束。", 4)  # counted in characters
    5
    >>> repeated_at_cut("the budget that is", "is left.", 4), repeated_at_cut("a cris", "is it", 4)
    (2, 0)
    """
    left = left.rstrip()
    limit = min(len(left), len(right), 600)
    if is_unspaced(right.lstrip(CJK_PUNCT)[:1]):  # (，都可以 repeats "，都可")
        shortest = min(shortest, 3)
    if 0 < len(left) < shortest:
        shortest = len(left)  # a scrap of a paragraph the continuation restarts
    # A Latin name in Chinese or Japanese text ("goroutin| outine") may be
    # repeated from inside: the attempt counted characters, not words.
    unspaced = any(is_unspaced(c) for c in left[-40:])
    # A short word repeated whole ("that is| is left"), in spaced scripts.
    word = 2 if not unspaced and not is_unspaced(right[:1]) else shortest
    for size in range(limit, min(shortest, word) - 1, -1):
        piece = right[:size]
        if not left.endswith(piece):
            continue
        if size < shortest and not (
            piece.isalpha()
            and (size == len(left) or not left[-size - 1].isalnum())
            and right[size : size + 1].isspace()
        ):
            continue
        before = left[-size - 1] if size < len(left) else " "
        # In spaced scripts the repeated words must start at a word boundary.
        if (
            piece[0].isalnum()
            and before.isalnum()
            and not is_unspaced(piece[0])
            and not (unspaced and size >= _LATIN_IN_CJK_OVERLAP)
        ):
            continue
        after = right[size] if size < len(right) else " "
        if whole_words and after.isalnum() and not is_unspaced(piece[-1]):
            continue
        return size
    return 0


def repeated_but_one(left: str, right: str) -> int:
    """Length of the start of ``right`` that repeats the last words of ``left``
    with one word between its first and last left out: the words at the cut,
    repeated by an attempt that also reworded them ("…Konfiguration im" +
    "passenden im Dockerfile…" repeats "passenden Konfiguration im"). Spaced
    scripts only; 0 when nothing is repeated so, or nothing follows.

    >>> repeated_but_one("mit einer passenden Konfiguration im", "passenden im Dockerfile.")
    12
    >>> repeated_but_one("the size of the", "of the matter.")  # nothing left out
    0
    """
    # (Only the last and first few words can take part.)
    mine = left.rsplit(None, _MAX_REPEATED_WORDS + 1)[-_MAX_REPEATED_WORDS - 1 :]
    spans = [m.span() for m in itertools.islice(_WORD_RUN.finditer(right), _MAX_REPEATED_WORDS + 1)]
    theirs = [right[a:b] for a, b in spans]
    if not mine or not theirs or is_unspaced(right[:1]) or is_unspaced(left.rstrip()[-1:]):
        return 0
    for k in range(min(len(theirs) - 1, len(mine) - 1, _MAX_REPEATED_WORDS), 1, -1):
        window, head = mine[-k - 1 :], theirs[:k]
        if (
            window[0] == head[0]
            and window[-1] == head[-1]
            and any(window[:p] + window[p + 1 :] == head for p in range(1, k))
        ):
            return spans[k - 1][1]
    return 0


def word_edge(text: str, at: int) -> bool:
    """Whether ``at`` falls between words of ``text`` (always, in unspaced scripts;
    and at either end).

    >>> word_edge("laptop is", 3), word_edge("laptop is", 6), word_edge("通知", 1)
    (False, True, True)
    """
    if at <= 0 or at >= len(text):
        return True
    return not text[at - 1].isalnum() or not text[at].isalnum() or is_unspaced(text[at])


def restarted_word(left: str, right: str, model: JoinModel) -> int:
    """Length of the cut word ``right`` begins again, if it does: the end of
    ``left`` is a fragment of a word (no word of the article nor a common one
    of its language) that the first word of ``right`` begins ("Dat| Dateien").

    >>> m = JoinModel(["die Dateien und die Daten liegen in der Datenbank"])
    >>> restarted_word("gehören Dat", "Dateien, die", m), restarted_word("die", "dieses", m)
    (3, 0)
    """
    cut = _LAST_WORD.search(left.rstrip())
    first = _FIRST_WORD.match(right)
    if cut is None or first is None:
        return 0
    stem, word = cut.group(), first.group()
    if len(stem) < 2 or len(word) <= len(stem) or not word.startswith(stem):
        return 0
    if is_unspaced(stem) or HANGUL.search(stem) or model.is_word(stem):
        return 0
    return len(stem)


def doubled_at_cut(left: str, right: str, text: str = "") -> int:
    """2 when the continuation ``right`` repeats the last two CJK characters of the
    cut ``left`` ("だけ|だけでなく"), unless the four make a word of the language
    written that way (a reduplication: "いろ|いろな", "看|看") commoner than any
    word of three characters or more that ``right`` opens with, or ``text`` (the
    input around the block) writes them twice there (:func:`doubled_attested`).

    >>> doubled_at_cut("売上だけ", "だけでなく"), doubled_at_cut("いろ", "いろな方法")
    (2, 0)
    >>> doubled_at_cut("止まります。そこ", "そこで私たちは")  # "そこで" is commoner than "そこそこ"
    2
    """
    left = left.rstrip()
    pair = left[-2:]
    if len(pair) < 2 or not right.startswith(pair) or not all(map(_CJK_LETTER.match, pair)):
        return 0
    tables = [frequencies(language) for language in ("ja", "zh")]
    doubled = max(table.get(pair + pair, 0.0) for table in tables)
    # A commoner word that the continuation opens with, longer than the two, says
    # it restarts the cut sentence ("そこ|そこで私たちは": "そこで", not "そこそこ").
    longer = max(
        (table.get(right[:k], 0.0) for table in tables for k in range(3, min(len(right), 8) + 1)),
        default=0.0,
    )
    if doubled_attested(left, right, 2, text):
        return 0
    return 2 if not doubled or longer > doubled else 0


def attested_at_cut(left: str, right: str, text: str) -> int:
    """1 or 2 when the continuation ``right`` repeats that many characters of the
    cut ``left`` and ``text`` (the input around the block) writes the join with
    them once but never twice ("利|利用者から": another attempt has "。利用者から").
    Unspaced scripts, where one character can be a word, so only the input can say.

    >>> attested_at_cut("減りました。利", "利用者から苦情", "…減りました。利用者から苦情…")
    1
    >>> attested_at_cut("いろ", "いろな方法", "いろいろな方法"), attested_at_cut("利", "利用者", "")
    (0, 0)
    """
    left = left.rstrip()
    for size in (2, 1):
        piece = right[:size]
        if len(right) <= size or not left.endswith(piece):
            continue
        if not all(map(_CJK_LETTER.match, piece)):
            continue
        once = left[-_ATTEST:] + right[size : size + _ATTEST]
        twice = left[-_ATTEST:] + right[:_ATTEST]
        if len(once) >= 2 * _ATTEST and once in text and twice not in text:
            return size
    return 0


def doubled_attested(left: str, right: str, size: int, text: str) -> bool:
    """Whether the words ``right`` repeats from the end of ``left`` (``size``
    characters) are meant twice: ``text`` (the input around the block) writes them
    twice before the next word and never once after the word before the cut
    ("pegon torkas| torkas sinvel": another attempt has "torkas torkas sinvel").

    >>> doubled_attested("x pegon torkas", "torkas sinvel", 6, "torkas torkas sinvel mi")
    True
    >>> doubled_attested("we saw the", "the stone wall", 3, "we saw the stone wall")
    False
    >>> doubled_attested("語らん計能ち", "能ち章発め", 2, "…計能ち能ち章発め…")
    True
    """
    words, left = right[:size], left.rstrip()
    if is_unspaced(words[:1]):  # (characters on each side, no spaces: "計能ち|能ち章")
        after, before = right[size : size + 2], left[:-size][-2:]
        if len(after) < 2 or len(before) < 2:
            return False
        return words * 2 + after in text and before + words + after not in text
    next_word, prev_word = _NEXT_WORD.match(right[size:]), _PREV_WORD.search(left[:-size])
    if not words.strip() or next_word is None or prev_word is None:
        return False
    twice = f"{words} {words}{next_word[0]}"
    return twice in text and f"{prev_word[0]}{words}{next_word[0]}" not in text


_NEXT_WORD = regex.compile(r"\s+\w+")
_PREV_WORD = regex.compile(r"\w+\s+$")
_CJK_LETTER = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")
_LAST_WORD = regex.compile(r"(?<![\w-])\w+$")
_FIRST_WORD = regex.compile(r"\w+")


# A repeat from inside a Latin word in CJK text needs this many characters (fewer
# may match by chance: "in", "ion").
_LATIN_IN_CJK_OVERLAP = 4
# Characters on each side of a join that the input must write elsewhere for a
# repeat too short to tell by itself ("。利" + "用者か").
_ATTEST = 4

# Words of a spaced script, as the split of ``left`` in repeated_but_one sees them.
_WORD_RUN = regex.compile(r"\S+")
# A reworded repeat longer than this many words is a restart, not a repeat.
_MAX_REPEATED_WORDS = 8
