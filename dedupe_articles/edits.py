"""Small edits between two sentences: a word added, dropped or swapped, a
character or two added or dropped, two neighbours swapped, and a cut copy
reworded before its cut. What :func:`dedupe_articles.index.relate` and the
alignment use to call two wordings one sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from dedupe_articles.normalize import HANGUL, is_unspaced


def opens_alike(cut: str, whole: str) -> bool:
    """Whether a cut sentence may be a reworded copy of ``whole`` by its opening:
    always in spaced scripts (their checks go by words); otherwise the first two
    characters agree ("この…" is no copy of "今回の…").

    >>> opens_alike("このmicrosoftと", "今回のmicrosoftと"), opens_alike("the cat", "a cat")
    (False, True)
    """
    return " " in cut or cut[:2] == whole[:2]


def one_word_apart(a: list[str], b: list[str]) -> bool:
    """The same words, in any order, but for at most one added or dropped.

    >>> one_word_apart("no todo ha sido fácil.".split(), "no también todo ha sido fácil.".split())
    True
    >>> one_word_apart("the cat sat".split(), "the dog sat".split())
    False
    """
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1:
        return False
    diff = Counter(a)
    diff.subtract(b)
    return sum(map(abs, diff.values())) <= 1


def one_edit_prefix(cut: str, whole: str) -> bool:
    """Whether the cut sentence ``cut`` is the head of ``whole`` with one edit:
    a word added, dropped or swapped with its neighbour (four words or more,
    the first one kept), or in scripts without spaces one or two characters
    added or dropped, or two neighbours swapped (the first two kept). Something
    of ``cut`` must follow the edit: a cut that only differs at its end, or not
    at all (a plain cut copy, which :func:`relate` judges), is no evidence.

    >>> one_edit_prefix("宁可也许慢一", "宁可慢一点，也不要受伤。")
    True
    >>> one_edit_prefix("下面是一个最单简的", "下面是一个最简单的部署配置。")
    True
    >>> one_edit_prefix("次に効果が大きいのは、サーバの", "次に効果が大きいのは、サーバーのサイズ")
    True
    >>> one_edit_prefix("메모리 업황을 판단할 몇", "메모리 업황을 판단할 때는 몇 가지")
    True
    >>> one_edit_prefix("메모리 업황을 때는", "메모리 업황을 판단할 때는 몇 가지")
    True
    >>> one_edit_prefix("the cat sat", "the dog sat on the mat.")
    False
    >>> one_edit_prefix("das erste brot", "das brot ist")  # three words say too little
    False
    >>> one_edit_prefix("singos", "sinsin mar")  # nor do letters of a spaced script
    False
    """
    if len(cut) >= len(whole) or whole.startswith(cut):
        return False
    if " " in cut:
        words, heads = cut.split(" "), whole.split(" ")
        n = len(words)
        # (Three Korean words, each a word with its particles, say enough.)
        if n < (3 if HANGUL.match(cut) else 4) or words[0] != heads[0]:
            return False
        repairs = [words[:p] + words[p + 1 :] for p in range(1, n - 1)]  # one added
        repairs += [[*words[:p], heads[p], *words[p:]] for p in range(1, min(n, len(heads)))]
        repairs += [[*words[:p], words[p + 1], words[p], *words[p + 2 :]] for p in range(1, n - 2)]
        return any(whole.startswith(" ".join(r)) for r in repairs)
    return any(len(f) >= 4 and whole.startswith(f) for f in _char_fixes(cut, whole))


def one_char_edit(a: str, b: str) -> bool:
    """Whether two sentences of a script without spaces differ by one or two
    characters added or dropped, or two neighbours swapped, after their first
    two: the same short sentence, reworded ("まさにの通り。", "まさにその通り。").

    >>> one_char_edit("まさにの通り。", "まさにその通り。")
    True
    >>> one_char_edit("まさにそ通り。", "まさにその通り。")
    True
    >>> one_char_edit("そうですね。", "そうですか。")  # another word: no edit of these
    False
    """
    return a != b and any(f == b for f in _char_fixes(a, b))


def _char_fixes(text: str, other: str) -> Iterator[str]:
    """``text`` with each edit undone that could make it begin as ``other`` does,
    at the first characters where they differ (the first two must agree)."""
    if text[:2] != other[:2] or not is_unspaced(text):
        return
    at = next((i for i, (a, b) in enumerate(zip(text, other, strict=False)) if a != b), None)
    if at is None:
        return
    for i in range(max(2, at - 2), min(at, len(text) - 1) + 1):
        for k in (1, 2):
            if i + k < len(text):
                yield text[:i] + text[i + k :]  # added
            yield text[:i] + other[i : i + k] + text[i:]  # dropped
        if i + 1 < len(text):
            yield text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # swapped


def prefix_ratio(cut: str, whole: str, cutoff: float) -> float:
    """How well the cut sentence ``cut`` matches the start of ``whole``, when it
    may have a word added or dropped (so the head to compare with is a little
    longer or shorter), or a reworded last word ("nicht eigentlich" for
    "nicht aus Gewohnheit").

    >>> prefix_ratio("by the time i come home in really the evening",
    ...               "by the time i come home in the evening it has doubled.", 88) > 88
    True
    >>> prefix_ratio("some students love digits, memorising so we hold a sm",
    ...               "some students love memorising digits, so we hold a contest.", 88)
    88
    >>> prefix_ratio("man sollte ihn aber nicht eigentlich",
    ...               "man sollte ihn aber nicht aus gewohnheit tippen.", 88)
    99.0
    >>> prefix_ratio("in the above example, we have", "in the above example, the program.", 88)
    0.0
    """
    size = len(cut)
    slack = max(2, size // 8)
    best = 0.0
    for k in range(max(1, size - slack), min(len(whole), size + slack) + 1):
        best = max(best, fuzz.ratio(cut, whole[:k], score_cutoff=cutoff))
    if best:
        return best
    head = cut.rsplit(" ", 1)[0]
    if len(head.split()) >= 4 and len(head) >= size * 0.6 and whole.startswith(head + " "):
        return 99.0  # only the last (cut, or added) word differs
    # The words before the cut one, with one added, dropped or swapped.
    words, heads = head.split(), whole.split()
    n = len(words)
    # (With one word fewer in ``whole``, the odd word must not be the last: an
    # added word shows by the words after it. "…, we" is no "…, the".)
    if n >= 4 and any(
        one_word_apart(words, heads[:k])
        for k in range(n if words[:-1] == heads[: n - 1] else n - 1, n + 2)
    ):
        return cutoff
    return 0.0


def one_word_inside(words: list[str], other: list[str]) -> bool:
    """Whether ``other`` holds ``words`` (``MIN_INSIDE_WORDS`` or more) with one word
    added, dropped or replaced between the first and the last, which it holds as
    they are, across one of its sentence ends: two sentences an attempt ran
    together when it dropped a word ("…o Lo que no ves…" for "…o no. Lo que no
    ves…").

    >>> one_word_inside("si lo haces o lo que no ves, no lo gastas.".split(),
    ...                 "decidir si lo haces o no. lo que no ves, no lo gastas.".split())
    True
    >>> one_word_inside("a b c. e f g h i".split(), "z a b c. d e f g h i".split())
    True
    >>> one_word_inside("a b c e f g h i".split(), "z a b c d e f g h i".split())
    False
    >>> one_word_inside("a b c. e f g h i".split(), "z a b c. d d e f g h i".split())
    False
    >>> one_word_inside("a b c. d e f g h".split(), "z a b c. d e f g h".split())
    False
    >>> one_word_inside("a b c. d e f g h".split(), "a b c. d e f g h j".split())
    False
    """
    n = len(words)
    if n < MIN_INSIDE_WORDS:
        return False
    return any(
        Levenshtein.distance(words, other[at : at + size]) == 1
        # (Across a sentence end of ``other``: a whole sentence reworded is the
        # resolver's to judge, with its neighbours.)
        and any(word.endswith(_ENDS) for word in other[at : at + size - 1])
        for size in (n - 1, n, n + 1)
        for at in range(len(other) - size + 1)
        # (The edit inside: a word added at an end may begin the next sentence.)
        if other[at] == words[0] and other[at + size - 1] == words[-1]
    )


_ENDS = (".", "!", "?")
# Text of this many words or more can be a reworded copy inside another.
MIN_INSIDE_WORDS = 8
