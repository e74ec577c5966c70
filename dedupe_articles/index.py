"""Stage 2: the shingle index that finds earlier copies of a sentence.

Every kept sentence is indexed once under its n-gram shingles (characters for
unspaced scripts, words elsewhere). A lookup counts shared shingles to pick a
few candidates and verifies only those with rapidfuzz, so the cost grows with
the article, not with the square of it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

import regex
from rapidfuzz import fuzz

from dedupe_articles.config import Config
from dedupe_articles.normalize import is_unspaced, shingles

# A shingle shared by this many sentences says nothing about which one is meant;
# skipping it keeps lookups linear on inputs that repeat one phrase thousands of times.
_MAX_POSTINGS = 64
_RAREST = 8
_MIN_CUT = 3
_URL = regex.compile(r"[a-z][a-z0-9+.-]*://[^\s)\]>\"']+")
_MIN_HEAD = 5


class Relation(str, Enum):
    """How a looked-up sentence relates to an indexed one."""

    EXACT = "exact"  # the same after normalisation
    PREFIX = "prefix"  # the query is the indexed sentence cut short
    EXTENDS = "extends"  # the indexed sentence is the query cut short
    INSIDE = "inside"  # the query is a piece of the indexed sentence
    CONTAINS = "contains"  # the indexed sentence is a piece of the query
    NEAR = "near"  # the same sentence, worded slightly differently


@dataclass(frozen=True)
class Match:
    """One verified candidate: the slot it belongs to, the relation and the score."""

    slot: int
    relation: Relation
    score: float
    key: str


def relate(
    query: str,
    cand: str,
    *,
    cutoff: float,
    min_partial: int,
    query_cut: bool = False,
    cand_cut: bool = False,
    query_head: bool = False,
) -> tuple[Relation, float] | None:
    """Verify one candidate; ``None`` when the two are not copies of each other.

    >>> relate("abcdefghij", "abcdefghijklm", cutoff=88, min_partial=8)
    (<Relation.PREFIX: 'prefix'>, 100.0)
    >>> relate("the cat sat on the mat.", "the cat sat on a mat.", cutoff=88, min_partial=8)[0]
    <Relation.NEAR: 'near'>
    >>> relate("cell disappears coverage today.", "cell coverage disappears today.",
    ...        cutoff=88, min_partial=8)[0]
    <Relation.NEAR: 'near'>
    >>> relate("short", "shorter text", cutoff=88, min_partial=8) is None
    True
    >>> relate("[see it](https://x.jp/dp/47981)", "[see it](https://x.jp/dp/40491)",
    ...        cutoff=88, min_partial=8) is None
    True
    >>> relate("n wirklich ihn wirklich gut nutzt.", "wichtig, dass man ihn wirklich gut nutzt.",
    ...        cutoff=88, min_partial=8, query_head=True)[0]
    <Relation.INSIDE: 'inside'>
    """
    if query == cand:
        return Relation.EXACT, 100.0
    lq, lc = len(query), len(cand)
    # A sentence known to be cut mid-way is matched as a prefix from a few characters:
    # a fragment like "これまでも触" is still evidence of the attempt it was cut from.
    if lq < lc and lq >= (_MIN_CUT if query_cut else min_partial) and cand.startswith(query):
        return Relation.PREFIX, 100.0
    if lc < lq and lc >= (_MIN_CUT if cand_cut else min_partial) and query.startswith(cand):
        return Relation.EXTENDS, 100.0
    if lq >= min_partial and lq < lc and query in cand:
        return Relation.INSIDE, 100.0
    # The first sentence of a segment may be the tail of a sentence cut before it,
    # worded slightly differently by its attempt.
    if query_head and _MIN_HEAD <= lq < lc:
        if cand.endswith(query):
            return Relation.INSIDE, 100.0
        # Short pieces align by chance: exact suffixes only (a finished piece may be
        # shorter than a cut one: its end must align too).
        if lq >= (3 if query_cut else 2) * min_partial:
            score = fuzz.ratio(query, cand[-lq - 2 :], score_cutoff=cutoff)
            if score:
                return Relation.INSIDE, score
            # The same words as the sentence's last ones, with one added, dropped or
            # swapped (the first, maybe cut mid-word, aside); a finished piece only.
            rest, tail = query.split()[1:], cand.split()
            if (
                not query_cut
                and len(rest) >= 4
                and any(
                    one_word_apart(rest, tail[-n:]) for n in range(len(rest) - 1, len(rest) + 2)
                )
            ):
                return Relation.INSIDE, cutoff
    if lc >= min_partial and lc < lq and cand in query:
        return Relation.CONTAINS, 100.0
    if min(lq, lc) < min_partial:
        return None
    if ("://" in query or "://" in cand) and _URL.findall(query) != _URL.findall(cand):
        return None  # a link to somewhere else is other content, however alike the text
    score = fuzz.ratio(query, cand, score_cutoff=cutoff)
    if score:
        return Relation.NEAR, score
    # Two long words swapped, or one word added or dropped, cost many characters
    # in a short sentence but leave the same words.
    if abs(lq - lc) <= 24 and " " in query and one_word_apart(query.split(), cand.split()):
        return Relation.NEAR, cutoff
    # A reworded copy that was also cut short: compare it with the same-length head.
    # Only a sentence known to be cut qualifies; a finished one is not a fragment.
    # In scripts without spaces a reworded cut copy opens as its sentence does:
    # "このMicrosoftとNimbleE" is no copy of "今回のMicrosoftとNimbleEdgeの…" (a
    # segment's head, though, may open anywhere in the sentence it goes on with).
    if query_cut and lq < lc and lq >= 2 * min_partial and _opens_alike(query, cand):
        score = prefix_ratio(query, cand, cutoff)
        if score:
            return Relation.PREFIX, score
    if (
        cand_cut
        and lc < lq
        and lc >= 2 * min_partial
        and (query_head or _opens_alike(cand, query))
    ):
        score = prefix_ratio(cand, query, cutoff)
        if score:
            return Relation.EXTENDS, score
    return None


def _opens_alike(cut: str, whole: str) -> bool:
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
        if n < 4 or words[0] != heads[0]:
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
    if " " in cut and len(head) >= size * 0.6 and whole.startswith(head + " "):
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


class ShingleIndex:
    """Sentence keys of kept blocks, findable by exact key or shared shingles.

    >>> idx = ShingleIndex(Config())
    >>> idx.add("a whole sentence here.", "awholesentencehere.", slot=0)
    >>> [(m.slot, m.relation.value) for m in idx.lookup("a whole sentence", "awholesentence")]
    [(0, 'prefix')]
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._keys: list[str] = []
        self._slots: list[int] = []
        self._sizes: list[int] = []
        self._cut: list[bool] = []
        self._gram_cache: dict[str, frozenset[str]] = {}
        self._memo: dict[tuple[str, bool, bool, float], tuple[int, list[Match]]] = {}
        self._joined = ""
        self._starts: list[int] = []
        self._joined_size = 0
        self._exact: dict[str, list[int]] = {}
        self._postings: dict[str, list[int]] = {}
        self._by_head: dict[str, list[int]] = {}  # entries by their first two characters

    def _shingles(self, text: str, key: str) -> frozenset[str]:
        # Polluted articles repeat the same sentences many times: shingle each once.
        grams = self._gram_cache.get(key)
        if grams is None:
            grams = shingles(
                text, key, chars=self.config.shingle_chars, word_n=self.config.shingle_words
            )
            self._gram_cache[key] = grams
        return grams

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, text: str, key: str, *, slot: int, cut: bool = False) -> None:
        """Index one sentence (original ``text`` and matching ``key``) under ``slot``."""
        if not key:
            return
        for entry in self._exact.get(key, ()):
            if self._slots[entry] == slot:
                return
        entry = len(self._keys)
        grams = self._shingles(text, key)
        self._keys.append(key)
        self._slots.append(slot)
        self._sizes.append(len(grams))
        self._cut.append(cut)
        self._exact.setdefault(key, []).append(entry)
        for gram in grams:
            self._postings.setdefault(gram, []).append(entry)
        self._by_head.setdefault(key[:2], []).append(entry)

    def _containing(self, key: str) -> list[int]:
        """Entries whose key contains ``key``, by one search over all keys.

        The keys are joined into one string, rebuilt only when a quarter more keys
        have come (so rebuilding stays linear overall); newer keys are scanned.
        """
        if len(self._keys) > self._joined_size * 1.25 + 16:
            self._joined = "\x00".join(self._keys)
            self._starts = []
            pos = 0
            for k in self._keys:
                self._starts.append(pos)
                pos += len(k) + 1
            self._joined_size = len(self._keys)
        found: list[int] = []
        at = self._joined.find(key)
        while at != -1 and len(found) < self.config.max_candidates:
            entry = bisect.bisect_right(self._starts, at) - 1
            found.append(entry)
            at = self._joined.find(key, self._starts[entry] + len(self._keys[entry]) + 1)
        for entry in range(self._joined_size, len(self._keys)):
            if len(found) >= self.config.max_candidates:
                break
            if key in self._keys[entry]:
                found.append(entry)
        return found

    def exact_slots(self, key: str) -> list[int]:
        """The slots holding a sentence with exactly this key."""
        return [self._slots[e] for e in self._exact.get(key, ())]

    def ends(self, key: str, slot: int) -> bool:
        """Whether a longer sentence indexed under ``slot`` ends with ``key``."""
        return slot in self._longer(key, at_end=True)

    def completing(self, key: str) -> set[int]:
        """The slots of longer indexed sentences that begin with ``key`` (which is
        then a cut copy of one of them, even when ``key`` itself is indexed too)."""
        if len(key) < self.config.min_partial_chars:
            return set()
        return self._longer(key, at_end=False)

    def _longer(self, key: str, *, at_end: bool) -> set[int]:
        """The slots of longer indexed sentences that end (or begin) with ``key``."""
        return {
            self._slots[e]
            for e in self._containing(key)
            if len(self._keys[e]) > len(key)
            and (self._keys[e].endswith(key) if at_end else self._keys[e].startswith(key))
        }

    def lookup(
        self,
        text: str,
        key: str,
        *,
        cut: bool = False,
        head: bool = False,
        cutoff: float | None = None,
    ) -> list[Match]:
        """All indexed sentences that ``key`` is a copy, piece or variant of, best first.

        ``cut`` says the sentence is unfinished, ``head`` that it opens a segment
        (and may be the tail of a sentence the marker cut)."""
        if not key:
            return []
        cutoff = self.config.near_duplicate_cutoff if cutoff is None else cutoff
        # The same sentence is looked up again and again in a polluted article; an
        # answer stays valid until the index grows.
        memo = (key, cut, head, cutoff)
        hit = self._memo.get(memo)
        if hit is not None and hit[0] == len(self._keys):
            return hit[1]
        found = self._lookup(text, key, cut=cut, head=head, cutoff=cutoff)
        self._memo[memo] = (len(self._keys), found)
        return found

    def _lookup(self, text: str, key: str, *, cut: bool, head: bool, cutoff: float) -> list[Match]:
        exact = self._exact.get(key)
        if exact:
            return [Match(self._slots[e], Relation.EXACT, 100.0, key) for e in exact]
        grams = self._shingles(text, key)
        hits: Counter[int] = Counter()
        # Only the rarest shingles are counted: a copy shares them too, and common
        # ones ("です。", "of the") would make every lookup touch the whole index.
        # Sorted by size, then by the shingle itself: set order depends on the
        # interpreter's hash seed, and the choice of shingles must not.
        ranked = sorted(
            (len(p), g, p)
            for g, p in ((g, self._postings.get(g)) for g in grams)
            if p is not None and len(p) <= _MAX_POSTINGS
        )
        postings = [p for _, _, p in ranked]
        used = postings[:_RAREST]
        for posting in used:
            hits.update(posting)
        scored = sorted(
            ((n / max(1, min(len(used), self._sizes[e])), e) for e, n in hits.items()),
            key=lambda pair: (-pair[0], pair[1]),
        )
        # Short sentences have few shingles; one shared shingle is worth a check.
        floor = 0.0 if len(used) <= 4 else 0.3
        candidates = [e for share, e in scored[: self.config.max_candidates] if share >= floor]
        found = self._verify(key, candidates, cutoff=cutoff, cut=cut, head=head)
        if not found and (cut or head) and len(key) >= self.config.min_partial_chars:
            # A fragment cut inside words at both ends shares no word n-gram with
            # its sentence; find it by plain substring search instead (rare path).
            found = self._verify(key, self._containing(key), cutoff=cutoff, cut=cut, head=head)
        if not found and len(key) >= _MIN_HEAD:
            found = self._reworded_cut(key, cut=cut, cutoff=cutoff)
        return found

    def _reworded_cut(self, key: str, *, cut: bool, cutoff: float) -> list[Match]:
        """A short cut fragment reworded before its cut shares no rare shingle with
        its sentence; it begins as the sentence does, one edit apart (either may
        come first)."""
        found = []
        for e in self._by_head.get(key[:2], [])[-_MAX_POSTINGS:]:
            other = self._keys[e]
            if cut and len(other) > len(key) and one_edit_prefix(key, other):
                found.append(Match(self._slots[e], Relation.PREFIX, cutoff, other))
            elif self._cut[e] and len(other) >= _MIN_HEAD and one_edit_prefix(other, key):
                found.append(Match(self._slots[e], Relation.EXTENDS, cutoff, other))
        return found

    def _verify(
        self, key: str, entries: list[int], *, cutoff: float, cut: bool, head: bool
    ) -> list[Match]:
        found: list[Match] = []
        for entry in entries:
            verdict = relate(
                key,
                self._keys[entry],
                cutoff=cutoff,
                min_partial=self.config.min_partial_chars,
                query_cut=cut,
                cand_cut=self._cut[entry],
                query_head=head,
            )
            if verdict is not None:
                found.append(Match(self._slots[entry], verdict[0], verdict[1], self._keys[entry]))
        found.sort(key=lambda m: (_RANK[m.relation], -m.score))
        return found


_RANK = {
    Relation.EXACT: 0,
    Relation.EXTENDS: 1,
    Relation.PREFIX: 2,
    Relation.INSIDE: 3,
    Relation.NEAR: 4,
    Relation.CONTAINS: 5,
}
