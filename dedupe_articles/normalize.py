"""Matching views of text: normalisation, script detection, shingles, word joins.

Normalisation is for matching only; the output always uses the original text.
"""

from __future__ import annotations

import functools
import itertools
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

import regex

from dedupe_articles.korean import KO_ENDINGS, korean_gap
from dedupe_articles.lexicon import frequencies, guess_language, split_odds

# Scripts written without spaces between words; Hangul is spaced, so it is not here.
# (The prolonged sound mark "ー" is in neither kana script by Unicode's account.)
_UNSPACED_SCRIPTS = (
    r"\p{Han}\p{Hiragana}\p{Katakana}\u30fc\uff70\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
)
_UNSPACED = regex.compile(f"[{_UNSPACED_SCRIPTS}]")
_QUOTES = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"',
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'",
        "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
    }
)  # fmt: skip
_MARKUP = regex.compile(r"\*\*|__|`+|~~")
# A fragment this short ending in one "*" is a cut in the middle of "**".
_HALF_MARKUP_SCRAP = 8
# Full-width punctuation of unspaced scripts (shared with the overlap rules).
CJK_PUNCT = "、。，！？「」（）"
_SPACE_NEAR_UNSPACED = regex.compile(
    f" (?=[{_UNSPACED_SCRIPTS}{CJK_PUNCT}])"
    f"|(?<=[{_UNSPACED_SCRIPTS}{CJK_PUNCT}]) "
    # Full-width punctuation is ASCII after NFKC: "提言：** BCI" and "提言：**BCI" match.
    f"|(?<=[{_UNSPACED_SCRIPTS}][:;!?,.)]) "
)
_TRAILING_ELLIPSIS = regex.compile(r"(?:…|\.{3,}|・{3,})+$")
_LEADING_ELLIPSIS = regex.compile(r"^\s*(?:…|\.{3,})+\s*")
_LINK_LINE = regex.compile(r"^!?\[[^\]\n]+\]\([^)\s]+\)\s*$")
_HEADING_PREFIX = regex.compile(r"^\s{0,3}#{1,6}\s*")
# Tags an LLM adds to a heading when it is asked to go on; compared after NFKC and casefold.
_CONTINUATION_TAG = regex.compile(
    r"\s*[\(\[]\s*(?:continued|cont\.?|続き|つづき|续|續|계속|suite|fortsetzung|"
    r"continuación|continuacion|continuazione|continuação)\s*[\)\]]\s*[:：]?\s*$"
)
# A Hangul syllable or letter (shared with the edit and overlap rules).
HANGUL = regex.compile(r"\p{Hangul}")
_SAMPLE_ABOVE = 24  # character grams of a sentence beyond which only half are kept
_WORD = regex.compile(r"[\p{L}\p{N}]+(?:['’][\p{L}]+)*")


def is_unspaced(text: str) -> bool:
    """Whether ``text`` contains characters of a script written without spaces.

    >>> is_unspaced("発揮される"), is_unspaced("hello"), is_unspaced("안녕하세요")
    (True, False, False)
    """
    return _UNSPACED.search(text) is not None


def normalize(text: str, *, heading: bool = False) -> str:
    """The compact matching key of a sentence or block.

    NFKC, case folding, emphasis markup removed, quote and dash variants unified,
    all whitespace removed (so text collapsed onto one line still matches) and a
    trailing ellipsis dropped (a teaser is a prefix of the full sentence).

    >>> normalize("Hello,  **World**…")
    'hello, world'
    >>> normalize("### Results (continued)", heading=True)
    'results'
    >>> normalize("発揮される。")
    '発揮される。'
    >>> normalize("提言：** BCIの課題"), normalize("次に、*")
    ('提言:bciの課題', '次に、')
    """
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    out = text.casefold().translate(_QUOTES)
    if heading:
        out = _HEADING_PREFIX.sub("", out)
    if "*" in out or "_" in out or "`" in out or "~" in out:
        out = _MARKUP.sub("", out)
        if out.endswith("*") and out.count("*") % 2 and len(out) <= _HALF_MARKUP_SCRAP:
            out = out[:-1]  # half of a "**" left by a cut ("次に、*"), not "…。*" closing
    if heading:
        out = _CONTINUATION_TAG.sub("", out).rstrip(":：")
    # One space between words of spaced scripts (so "sotor nenes" never begins
    # with the fragment "sotorn"); none next to unspaced characters, so text
    # collapsed onto one line with or without spaces still matches.
    out = " ".join(out.split())
    if " " in out and _UNSPACED.search(out):
        out = _SPACE_NEAR_UNSPACED.sub("", out)
    if out.endswith(("…", "...", "・・・")):
        out = _TRAILING_ELLIPSIS.sub("", out).rstrip()
    return out


def has_continuation_tag(text: str) -> bool:
    """Whether a heading carries a tag such as ``(continued)`` or ``（続き）``.

    >>> has_continuation_tag("## 結論（続き）"), has_continuation_tag("## 結論")
    (True, False)
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _CONTINUATION_TAG.search(_MARKUP.sub("", folded).rstrip()) is not None


def opens_mid_sentence(text: str) -> bool:
    """Whether ``text`` cannot open a sentence: a lower-case letter in a cased
    script, or in Japanese a particle, small kana or punctuation no sentence begins
    with. (Leading ``…`` is skipped.)

    >>> [opens_mid_sentence(t) for t in ("and then", "のSDKが", "もちろん", "Then")]
    [True, True, False, False]
    >>> opens_mid_sentence("0/1M, 出力$0.00/1M）など"), opens_mid_sentence("会社（東京）は")
    (True, False)
    >>> opens_mid_sentence("고 있다."), opens_mid_sentence("고양이는 잔다.")
    (True, False)
    """
    first = text.lstrip("….")[:1]
    if first.islower() and not is_unspaced(first):
        return True
    if first in _NEVER_FIRST:
        return True
    if _KO_ENDING_FIRST.match(text.lstrip("….")):
        return True  # a Korean ending alone, cut off its stem: "고 있다."
    # (Inside brackets it never opened: "0/1M, 出力$0.00/1M）など…".)
    unclosed = _UNOPENED.match(text)
    return unclosed is not None and not _SENTENCE_END.intersection(unclosed[1])


# Hiragana that end a word and never start a sentence: particles and small kana.
_NEVER_FIRST = frozenset("のをがにるれてらんっゃゅょぁぃぅぇぉーゝ、。，．")
# A Korean ending opening the text, cut off its stem.
_KO_ENDING_ALTERNATIVES = "|".join(sorted(KO_ENDINGS, key=len, reverse=True))
_KO_ENDING_FIRST = regex.compile(rf"(?:{_KO_ENDING_ALTERNATIVES})(?=[\s.,])")
# Text up to a full-width closing bracket with no opening one before it.
_UNOPENED = regex.compile(r"([^（「『【〔《\n]{1,80}?)[）」』】〕》]")
_SENTENCE_END = frozenset("。！？")


def is_link_line(text: str) -> bool:
    """Whether ``text`` is one Markdown link or image and nothing else: a line that
    opens a paragraph of its own ("[Amazonで見る →](…)"), never the rest of a cut one,
    and that nothing goes on from.

    >>> is_link_line("[Amazonで見る →](https://example.com/x)"), is_link_line("see [x](y) here")
    (True, False)
    >>> is_link_line("![diagram](https://example.com/d.png)")
    True
    """
    return _LINK_LINE.match(text) is not None


def strip_leading_ellipsis(text: str) -> str:
    """Drop a ``…`` or ``...`` that a continuation glued onto its start.

    >>> strip_leading_ellipsis("...and then it ran.")
    'and then it ran.'
    """
    return _LEADING_ELLIPSIS.sub("", text, count=1)


def words(text: str) -> list[str]:
    """Case-folded word tokens, for word shingles and the join vocabulary.

    >>> words("Don't stop, U.S. team!")
    ["don't", 'stop', 'u', 's', 'team']
    """
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    return _WORD.findall(folded)


def shingles(text: str, key: str, *, chars: int, word_n: int) -> frozenset[str]:
    """The n-gram shingles of one sentence: characters for unspaced text, words otherwise.

    ``key`` is the sentence's :func:`normalize` form, ``text`` its original form.

    >>> sorted(shingles("a b c", "a b c", chars=3, word_n=2))
    ['$c', '^a b', 'a b', 'b c']
    >>> sorted(shingles("Torlun kator", "torlun kator", chars=3, word_n=2))
    ['$kator', '^tor', '^torlun k', 'torlun kator']
    >>> sorted(shingles("発揮される", "発揮される", chars=3, word_n=2))
    ['される', 'れる', '揮され', '発揮さ']
    """
    if is_unspaced(key):
        if len(key) <= chars:
            return frozenset((key,))
        grams = {key[i : i + chars] for i in range(len(key) - chars + 1)}
        if len(grams) > _SAMPLE_ABOVE:
            # Keep the grams chosen by their content (so a fragment keeps the same
            # ones as its sentence): half the index and lookup work for long text.
            grams = {g for g in grams if (ord(g[0]) ^ ord(g[-1])) & 1}
        # The tail gram lets a fragment cut one character short still share it.
        grams.add(key[-(chars - 1) :])
        return frozenset(grams)
    toks = words(text)
    if not toks:
        return frozenset((key,))
    # The last word alone lets the tail of a sentence, left at the head of a
    # continuation, find the sentence it was cut from.
    grams = {"$" + toks[-1]}
    # Its first characters let a fragment cut in its first words find it.
    grams.update("^" + key[:size] for size in (3, 8) if len(key) >= size)
    if len(toks) <= word_n:
        grams.add(" ".join(toks))
    else:
        grams.update(" ".join(toks[i : i + word_n]) for i in range(len(toks) - word_n + 1))
    return frozenset(grams)


_LATIN_RUN_ANY = regex.compile(r"(?<![A-Za-z])[A-Za-z]+(?![A-Za-z])")
# Latin letters ending a text (a word cut there, in any script: "…Stable Diffusi").
LATIN_TAIL = regex.compile(r"(?<![A-Za-z])[A-Za-z]+$")
_LATIN_RUN = regex.compile(r"^[A-Za-z]+(?![A-Za-z])")


class JoinModel:
    """Decides whether two pieces of a word cut apart need a space between them.

    Built from the article itself, so no dictionary is needed in any language: its
    known words, and a character trigram model of its words (how likely a word is
    to spell as it does), which weighs "two words" against "one word" at the cut.
    Korean (:func:`~dedupe_articles.korean.korean_gap`) uses syllable statistics
    instead (``end1``/``start1``): each syllable is a unit of its own, too many
    kinds for trigrams on one article.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts: Iterable[str] | None = texts
        self.vocab: Counter[str] = Counter()
        self.seen1: Counter[str] = Counter()
        self.end1: Counter[str] = Counter()
        self.start1: Counter[str] = Counter()
        # Two syllables side by side in one word, and across a space.
        self.pair_in: Counter[str] = Counter()
        self.pair_across: Counter[str] = Counter()
        # A symbol beside a letter or digit ("72%", "a -"), by whether a space stood
        # between them: ("<", "9", "%") for a symbol after a digit, (">", "(", "a")
        # for a letter after one.
        self.marks: Counter[tuple[str, str, str, bool]] = Counter()
        self.latin: Counter[str] = Counter()  # runs of Latin letters, as written
        self._grams: Counter[str] = Counter()  # 1-, 2- and 3-grams of "^^word$"
        self._heads: Counter[str] = Counter()  # their first 0-2 characters (contexts)

    def learn(self) -> None:
        """Count the article's words (deferred: most articles never need it)."""
        texts, self._texts = self._texts, None
        for text in texts or ():
            toks = words(text)
            # The first and last words of a piece may be fragments of a cut.
            for tok in toks[1:-1]:
                self.vocab[tok] += 1
                self.seen1.update(tok)
                self.end1[tok[-1]] += 1
                self.start1[tok[0]] += 1
                self.pair_in.update(tok[i : i + 2] for i in range(len(tok) - 1))
            self.pair_across.update(x[-1] + y[0] for x, y in itertools.pairwise(toks))
            end = len(text.rstrip())
            self.latin.update(  # (not at either end of a piece: maybe cut there)
                m[0] for m in _LATIN_RUN_ANY.finditer(text) if m.start() > 0 and m.end() < end
            )
            for m in _MARK_AFTER.finditer(text):
                self.marks["<", _kind(m[1]), m[3], m[2] == ""] += 1
            for m in _MARK_BEFORE.finditer(text):
                self.marks[">", m[1], _kind(m[3]), m[2] == ""] += 1

    def _count_grams(self) -> None:
        """The trigram table (deferred further: known words and Korean decide most
        cuts without it)."""
        for word, n in self.vocab.items():
            padded = "^^" + word + "$"
            for i in range(2, len(padded)):
                for size in (1, 2, 3):
                    self._grams[padded[i - size + 1 : i + 1]] += n
                    self._heads[padded[i - size + 1 : i]] += n

    def _log_p(self, word: str) -> float:
        """Log-likelihood of ``word`` under the article's character trigrams
        (interpolated with bigrams and unigrams, so unseen spellings are possible)."""
        if not self._heads and self.vocab:
            self._count_grams()
        padded = "^^" + word + "$"
        kinds = len(self.seen1) + 2
        total = 0.0
        for i in range(2, len(padded)):
            p = (self._grams[padded[i]] + 1) / (self._heads[""] + kinds)
            for size in (2, 3):
                gram = padded[i - size + 1 : i + 1]
                p = (self._grams[gram] + 2 * p) / (self._heads[gram[:-1]] + 2)
            total += math.log(p)
        return total

    @functools.cached_property
    def _language(self) -> Mapping[str, float] | None:
        """The word frequencies of the article's language, if it is one of
        :data:`~dedupe_articles.lexicon.LANGUAGES` (asked after :meth:`learn`)."""
        language = guess_language(self.vocab)
        return frequencies(language) if language else None

    def is_word(self, token: str, *, listed: bool = False) -> bool:
        """Whether ``token`` stands alone as a word of the article, or as a common
        one of its language (``_COMMON_WORD``; ``listed``: any word of its list).

        >>> m = JoinModel(["we saw the jumps and the jumps again here"])
        >>> m.is_word("jumps"), m.is_word("jum"), m.is_word("engineers", listed=True)
        (True, False, True)
        """
        self.learn()
        if self.vocab[token] > 0:
            return True
        table = self._language
        if table is None:
            return False
        frequency = table.get(token.lower(), 0.0)
        return frequency > 0 if listed else frequency >= _COMMON_WORD

    def needs_space(self, left: str, right: str) -> bool:
        """Whether ``left`` (end of the cut text) and ``right`` (start of its
        continuation) are two words rather than halves of one.

        >>> m = JoinModel(["we saw the jumps and the jumps again here"])
        >>> m.needs_space("the", "jumps"), m.needs_space("ju", "mps")
        (True, False)
        """
        if not left or not right:
            return True
        self.learn()
        joined = left + right
        left_known, right_known = self.vocab[left] > 0, self.vocab[right] > 0
        if self.vocab[joined] > 0 and not (left_known and right_known):
            return False
        # The language's word frequencies know "statement" better than one
        # article does ("state|ment"); the article's own statistics decide the rest.
        table = self._language
        odds = split_odds(left, right, table) if table is not None else None
        if odds is not None:
            return odds >= 0
        if (left_known or right_known) and not (
            # (A known word, then letters neither the article nor its language has
            # as a word: "Was|serkanister", "peak|s".)
            table is not None
            and left_known
            and not right_known
            and right[:1].islower()
            and table.get(right, 0.0) == 0.0
        ):
            return True  # a whole word on one side: "whole|algorithm"
        two_words = self._log_p(left) + self._log_p(right) + _LOG_SPLIT_ODDS
        return two_words >= self._log_p(joined)


# A token this frequent in the language is a word, not a fragment (German "dat"
# is 1e-5, "de" 4e-4; English "con" 2e-5, "in" 2e-2).
_COMMON_WORD = 1e-4
# Cuts fall between words more often than inside one: a mid-word join needs the
# one word to be this much likelier than the two (measured: benchmarks/joins.py).
_LOG_SPLIT_ODDS = math.log(10)


def sentence_gap(left: str, right: str) -> str:
    """The space between two sentences put side by side: none after or before an
    unspaced script or its full-width punctuation.

    >>> sentence_gap("です。", "GPUは"), sentence_gap("fine.", "Then"), sentence_gap("a", "")
    ('', ' ', ' ')
    """
    if is_unspaced(left[-1:] + right[:1]) or left[-1:] in _FULL_WIDTH_END:
        return ""
    return " "


_FULL_WIDTH_END = frozenset("。！？」』）】》、，；：")

_MARK_AFTER = regex.compile(r"([\p{L}\p{N}])( ?)([^\p{L}\p{N}\s])")
_MARK_BEFORE = regex.compile(r"([^\p{L}\p{N}\s])( ?)([\p{L}\p{N}])")


_OPENS_OR_CLOSES = frozenset("`'\"*_~")


def _kind(char: str) -> str:
    """A digit, or a letter (any script): what a symbol beside it is counted by."""
    return "9" if char.isdigit() else "a"


def boundary_joiner(left: str, right: str, model: JoinModel) -> str:
    """The text to put between the end of a cut paragraph and its continuation.

    >>> m = JoinModel([])
    >>> boundary_joiner("ポテンシャルが", "発揮される", m), boundary_joiner("a cat", ", then", m)
    ('', '')
    >>> boundary_joiner("The cat", "sat down.", JoinModel(["x the cat sat down y"]))
    ' '
    >>> pct = JoinModel(["the rate rose from 50% to 60% this year"])  # "0%" is written so
    >>> boundary_joiner("up from 72", "% to 90%", pct), boundary_joiner("sat", "(twice)", pct)
    ('', ' ')
    >>> oa = JoinModel(["x OpenAIの戦略と OpenAIの製品 y"])  # a name written whole
    >>> boundary_joiner("見解は、Open", "AIの攻勢", oa), boundary_joiner("an Open", "Source", oa)
    ('', ' ')
    >>> ko = JoinModel(["가 경비 생활비를 줄이고 나"])  # "비를" seen in a word
    >>> boundary_joiner("여행 경비", "를 모았다", ko)
    ''
    """
    if not left or not right:
        return ""
    if left.strip().strip("#") == "":
        return " "  # a heading cut right after its marker: "##" + "Title"
    a, b = left[-1], right[0]
    if is_unspaced(a) or is_unspaced(b):
        return ""
    if b in ",.;:!?)]}、。，" or a in "([{":
        return ""
    if not (a.isalnum() and b.isalnum()):
        # How the article writes this symbol beside a letter or digit: "72%" or
        # "72 %", "TikZ-based" or "TikZ - based"; unknown, a space.
        side = ("<", _kind(a), b) if a.isalnum() else (">", a, _kind(b)) if b.isalnum() else None
        if side is None or a in _OPENS_OR_CLOSES or b in _OPENS_OR_CLOSES:
            return " "  # a quote or emphasis mark opens or closes: no telling which
        model.learn()
        tight_key, spaced_key = (*side, True), (*side, False)
        tight, spaced = model.marks[tight_key], model.marks[spaced_key]
        return "" if tight > spaced else " "
    if b.isupper() and a.islower():
        # A word's second half starts with a capital only in a name the article
        # writes whole ("Open" + "AIの…": "OpenAI").
        model.learn()
        head, tail = LATIN_TAIL.search(left), _LATIN_RUN.match(right)
        named = head and tail and model.latin[head[0] + tail[0]] > model.latin[head[0]]
        return "" if named else " "
    if HANGUL.match(a) and HANGUL.match(b):
        lw, rw = words(left[-40:]), words(right[:40])
        return korean_gap(lw[-1], rw[0], model) if lw and rw else " "
    lw, rw = words(left[-40:]), words(right[:40])
    if not lw or not rw:
        return " "
    return " " if model.needs_space(lw[-1], rw[0]) else ""
