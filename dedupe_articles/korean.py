"""Korean joins: whether a cut between two Hangul syllables needs a space.

Korean is written with spaces between words (eojeol), but a word is a stem with
particles or endings glued on, so a cut between syllables may fall between two
words ("가족들|모두") or inside one ("월급|을", "결|국"). The article's own words
decide first, then what the language's word list (wordfreq's ko list, which holds
morphemes: stems, nouns, particles and endings apart) says of each side, then the
article's syllable statistics, which one article rarely fills.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dedupe_articles.lexicon import frequencies, runs_on

if TYPE_CHECKING:
    from dedupe_articles.normalize import JoinModel


def korean_gap(left: str, right: str, model: JoinModel) -> str:
    """The text to put between ``left``, the last Korean token of a cut paragraph,
    and ``right``, the first of its continuation: a space or nothing.

    >>> from dedupe_articles.normalize import JoinModel
    >>> m = JoinModel(["가 경비 생활비를 줄이고 나"])  # "비를" seen in a word
    >>> korean_gap("경비", "를", m), korean_gap("가족들", "모두", m), korean_gap("결", "국", m)
    ('', ' ', '')
    >>> korean_gap("잠시", "쉬게", m), korean_gap("잠시", "만", m), korean_gap("끝나", "고", m)
    (' ', '', '')
    """
    # A word seen whole decides; then the language's list; then the syllable
    # pair at the cut; otherwise syllable statistics.
    a, b = left[-1], right[0]
    model.learn()
    known = model.vocab
    if known[left + right] and not known[left]:
        return ""
    if not right.startswith(left) and runs_on(left, right, frequencies("ko")):
        return ""  # a word of the language runs on across the cut: "결|국"
    if auxiliary_after(left, right):
        return " "  # "-아/어 있다" is written apart: "달려| 있다고"
    if particle_after(left, right) or right in KO_ENDINGS:
        return ""  # a particle or an ending never stands alone: "월급|을", "끝나|고"
    if left in _ADVERBS and not right.startswith(_VERB_SUFFIXES):
        return " "  # an adverb takes no ending: "잠시| 쉬게", "가장| 큰"
    if (word_with_particles(left) or stem_with_ending(left)) and opens_with_word(right):
        # Words of the language on both sides, maybe with their particles or
        # endings: "가지|지표를", "스마트폰과|개인용", "바라보며|마시는" (an ending
        # alone, "하|지만", is no word).
        return " "
    # The two syllables at the cut seen together, in a word or across a space,
    # say the most: a particle glues to its noun ("경비|를") however well
    # known the noun is.
    inside, across = model.pair_in[a + b], model.pair_across[a + b]
    if inside + across:
        return " " if _PAIR_ODDS * across >= inside else ""
    if known[left] or known[right]:
        return " "
    # A syllable is a whole unit of its own: how often this one ends (or
    # starts) a word in the article says whether a word ends at the cut.
    p_end = _ratio(model.end1[a], model.seen1[a])
    p_start = _ratio(model.start1[b], model.seen1[b])
    return " " if _SPLIT_ODDS * p_end * p_start >= (1 - p_end) * (1 - p_start) else ""


# Common Korean adverbs of two syllables or more: a word of their own before
# whatever follows (a particle after one, "잠시|만", is caught before; 하다 forms,
# "함께|하는", may join it; one syllable, "참", "더", begins too many words).
_ADVERBS = frozenset(
    ("잠시", "다시", "아주", "매우", "정말", "너무", "가장", "바로", "함께", "먼저", "이미",
     "아직", "계속", "조금", "특히", "항상", "자주", "거의", "모두", "직접", "갑자기",
     "천천히", "충분히", "오히려", "이제", "벌써", "훨씬", "점점", "드디어", "마침내",
     "물론", "아마", "과연", "혹시", "별로", "전혀", "절대", "반드시", "제법", "무척",
     "상당히", "미리", "이렇게", "그렇게", "어떻게", "많이", "빨리", "쉽게", "새로", "따로",
     "같이")
)  # fmt: skip

# Korean syllable statistics: how much likelier a cut is between words.
_SPLIT_ODDS = 4
# ...unless the two syllables were seen side by side: then only that counts (measured:
# benchmarks/joins.py; the odds hardly matter).
_PAIR_ODDS = 1


def _ratio(part: int, whole: int) -> float:
    return (part + 0.5) / (whole + 1.0)


def word_with_particles(token: str) -> bool:
    """Whether a Korean ``token`` is a word of two syllables or more from the
    language's list, alone or with particles after it ("지표를"); never a form of
    하다/되다, which joins the noun before it ("검색|해야").

    >>> word_with_particles("지표를"), word_with_particles("해야"), word_with_particles("를")
    (True, False, False)
    >>> word_with_particles("시간을"), word_with_particles("시키고")
    (True, False)
    """
    return any(
        k == len(token) or particle_after(token[:k], token[k:]) for k in _listed_heads(token)
    )


def stem_with_ending(token: str) -> bool:
    """Whether a Korean ``token`` is a listed stem of two syllables or more and an
    ending that closes a word before the next one ("바라보며", "마시고").

    >>> stem_with_ending("바라보며"), stem_with_ending("바라")
    (True, False)
    """
    table = frequencies("ko")
    return any(
        token[:k] in table and token[k:] in _CONNECTIVE for k in range(len(token) - 1, 1, -1)
    )


# Endings after which a Korean verb stem's word is over: "and", "while", "if", "but"...
_CONNECTIVE = frozenset(
    ("며", "면서", "고", "서", "어서", "아서", "면", "지만", "는데", "도록", "다가")
)


def opens_with_word(token: str) -> bool:
    """Whether a Korean ``token`` begins with a word of two syllables or more from
    the language's list (whatever ending follows: "자연스럽게", "들여다보지는"),
    and is no form of 하다/되다.

    >>> opens_with_word("자연스럽게"), opens_with_word("해야"), opens_with_word("쉬게")
    (True, False, False)
    """
    return any(True for _ in _listed_heads(token))


def _listed_heads(token: str) -> Iterator[int]:
    """The lengths (longest first, two syllables or more) of the starts of
    ``token`` that the ko list holds; none for a form of 하다/되다."""
    if token.startswith(_VERB_SUFFIXES):
        return
    table = frequencies("ko")
    yield from (k for k in range(len(token), 1, -1) if token[:k] in table)


# 하다, 되다 and 시키다 forms ("시간", time, is a noun: only 시키/시켜/시켰 count).
_VERB_SUFFIXES = (*"하해했한할함합되된될됐돼됨됩", "시키", "시켜", "시켰")


# Korean verb endings that never stand alone as a word (nor open a sentence).
KO_ENDINGS = frozenset(
    ("고", "며", "면서", "는데", "지만", "어서", "아서", "도록", "었다", "았다", "였다",
     "습니다", "니다")
)  # fmt: skip

# Korean particles that never stand alone as a word, by what the syllable before
# them must end with: a consonant (받침), a vowel, or either.
_AFTER_CONSONANT = frozenset(("을", "은", "과", "으로", "이나", "으로는", "으로도"))
# ("와" is left out: also the verb "come", "다시 와 보고")
_AFTER_VOWEL = frozenset(("가", "를", "는", "로", "로는", "로도"))
_AFTER_EITHER = frozenset(
    ("의", "에", "에서", "에게", "에는", "에도", "에서는", "까지", "부터", "처럼", "보다",
     "만", "도", "마다", "조차", "밖에", "한테", "들", "들이", "들은", "들을", "들의",
     "들로", "들도", "들과", "들에게")
)  # fmt: skip


def auxiliary_after(left: str, right: str) -> bool:
    """Whether ``right`` is a form of 있다 after a verb's connective ending in
    ``left`` (a last syllable in ㅏ/ㅓ/ㅕ/ㅐ… with no final consonant): the
    auxiliary is a word of its own ("달려 있다", "놓여 있는"), unlike 있다 glued to
    a noun ("맛있다", "재미있는").

    >>> [auxiliary_after(a, b) for a, b in (("달려", "있다고"), ("재미", "있는"), ("맛", "있다"))]
    [True, False, False]
    """
    if not right.startswith("있") or not left or not 0xAC00 <= ord(left[-1]) <= 0xD7A3:
        return False
    code = ord(left[-1]) - 0xAC00
    return code % 28 == 0 and code // 28 % 21 in _CONNECTIVE_VOWELS


# The vowels a verb's connective -아/-어 ends in, contracted or not (ㅏ ㅐ ㅑ ㅓ ㅔ ㅕ
# ㅘ ㅙ ㅝ ㅞ, as indices of the Hangul syllable table).
_CONNECTIVE_VOWELS = frozenset((0, 1, 2, 4, 5, 6, 9, 10, 14, 15))


def particle_after(left: str, right: str) -> bool:
    """Whether ``right`` is only a Korean particle (or particles) that may follow
    ``left``'s last syllable: a noun and its particle are one word ("월급|을",
    "방수|가"). "이" is left out: it is also a word of its own ("이 방식").

    >>> particle_after("월급", "을"), particle_after("방수", "가"), particle_after("방수", "을")
    (True, True, False)
    >>> particle_after("사람", "들로"), particle_after("코드", "리뷰를")
    (True, False)
    """
    if not left or not 0xAC00 <= ord(left[-1]) <= 0xD7A3:
        return False
    final = (ord(left[-1]) - 0xAC00) % 28  # 0: the syllable ends with its vowel
    if right in _AFTER_EITHER:
        return True
    if final == 0 or final == 8:  # (ㄹ takes the vowel forms of 로: "물로")
        return right in _AFTER_VOWEL and (final == 0 or right.startswith("로"))
    return right in _AFTER_CONSONANT
