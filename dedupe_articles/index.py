"""Stage 2: the shingle index that finds earlier copies of a sentence.

Every kept sentence is indexed once under its n-gram shingles (characters for
unspaced scripts, words elsewhere). A lookup counts shared shingles to pick a
few candidates and verifies only those with rapidfuzz, so the cost grows with
the article, not with the square of it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from enum import Enum

import regex
from rapidfuzz import fuzz

from dedupe_articles.config import Config
from dedupe_articles.edits import (
    one_char_edit,
    one_edit_prefix,
    one_word_apart,
    opens_alike,
    prefix_ratio,
)
from dedupe_articles.normalize import shingles

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
        # shorter than a cut one: its end must align too). (A piece opening as the
        # sentence does is all of it, worded differently: no tail of it.)
        tail_like = query[:_SAME_OPENING] != cand[:_SAME_OPENING]
        if tail_like and lq >= (3 if query_cut else 2) * min_partial:
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
        # A finished piece too short for a ratio, in a script without spaces, that
        # its attempt reworded by a character or two ("的时候也许根本做不到。").
        if (
            tail_like
            and not query_cut
            and lq >= min_partial
            and any(one_char_edit(query, cand[-k:]) for k in range(lq - 2, lq + 3) if k < lc)
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
    if query_cut and lq < lc and lq >= 2 * min_partial and opens_alike(query, cand):
        score = prefix_ratio(query, cand, cutoff)
        if score:
            return Relation.PREFIX, score
    if cand_cut and lc < lq and lc >= 2 * min_partial and (query_head or opens_alike(cand, query)):
        score = prefix_ratio(cand, query, cutoff)
        if score:
            return Relation.EXTENDS, score
    return None


# A segment head opening with this many characters of a sentence is no tail of it.
_SAME_OPENING = 6


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
        # Entries by their first two characters: all, and the cut ones.
        self._by_head: dict[str, list[int]] = {}
        self._cut_by_head: dict[str, list[int]] = {}

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
        if cut:
            self._cut_by_head.setdefault(key[:2], []).append(entry)

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
        # (A finished sentence can only extend a cut one.)
        heads = self._by_head if cut else self._cut_by_head
        for e in heads.get(key[:2], [])[-_MAX_POSTINGS:]:
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
        found = [m for m in found if not self._other_cut(key, m)]
        found.sort(key=lambda m: (_RANK[m.relation], -m.score))
        if cut:
            # A cut sentence that begins a finished one of a slot is a truncated copy
            # of it, whatever shorter cut of that sentence the slot also held (one a
            # continuation has since completed: "I poured| off the liquid").
            whole = {m.slot for m in found if m.relation is Relation.PREFIX}
            found = [m for m in found if m.relation is not Relation.EXTENDS or m.slot not in whole]
        return found

    def _other_cut(self, key: str, match: Match) -> bool:
        """Whether ``match`` says ``key`` goes on past a cut copy ("AIエージェント")
        of a finished sentence its slot holds, which ``key`` then leaves
        ("…は導入して" against "…が学習する"): the cut was that sentence's, not
        the start of this one."""
        if match.relation is not Relation.EXTENDS:
            return False
        cut = match.key
        return any(
            self._slots[e] == match.slot
            and not self._cut[e]
            and len(self._keys[e]) > len(cut)
            and self._keys[e].startswith(cut)
            and not key.startswith(self._keys[e][: len(cut) + 1])
            for e in self._by_head.get(cut[:2], ())
        )


_RANK = {
    Relation.EXACT: 0,
    Relation.EXTENDS: 1,
    Relation.PREFIX: 2,
    Relation.INSIDE: 3,
    Relation.NEAR: 4,
    Relation.CONTAINS: 5,
}
