"""Pieces and scraps: what is left of a sentence when an attempt is cut.

A mixin of the :class:`~dedupe_articles.resolver.Resolver`, under
:class:`~dedupe_articles.evidence.Evidence`. A *scrap* is a few characters of a
cut attempt; a *piece* is part of a kept sentence: its tail left at a
continuation's head, its start cut off at a marker, or a shorter attempt of a
stitched continuation. Each test says which slot the piece belongs to, or no.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from dedupe_articles.index import Match, Relation
from dedupe_articles.normalize import is_unspaced, opens_mid_sentence
from dedupe_articles.slots import PROSE, Continuation, closes_bold, opens_bold
from dedupe_articles.splitter import Block, BlockKind
from dedupe_articles.stitcher import Stitcher
from dedupe_articles.store import RECENT_SLOTS, scrap


class Pieces(Stitcher):
    """Recognising pieces and scraps (state lives in the resolver)."""

    def _piece(self, block: Block, per_unit: list[dict[int, Match]]) -> bool:
        """Whether a prose block is only a piece of kept text: its first sentence
        the tail of a kept one (at a segment's head), its last one cut from a kept
        one, everything else copied."""
        if not all(per_unit):
            return False
        if any(all(m.relation is Relation.EXTENDS for m in found.values()) for found in per_unit):
            return False  # a sentence longer than any kept copy of it: new text
        last = len(per_unit) - 1
        partial = False
        for j, found in enumerate(per_unit):
            for m in found.values():
                cross = (
                    m.relation is Relation.EXACT and self.slots[m.slot].kind is BlockKind.HEADING
                )
                if j == 0 and block.head and (m.relation is Relation.INSIDE or cross):
                    partial = True
                if j == last and not block.units[j].complete and m.relation is Relation.PREFIX:
                    partial = partial or not self._hash_heading_apart(m.slot, block.text)
        return partial

    def _teaser(self, block: Block, per_unit: list[dict[int, Match]]) -> bool:
        """Whether ``block`` is a few words closed by a dot leader that begin only
        sentences inside paragraphs, none's opening: an attempt's teaser of the
        paragraph it would write next ("The rule…" after a paragraph whose last
        sentence begins "The rule is…"), not a piece of those."""
        if (
            len(per_unit) != 1
            or block.units[0].complete
            or len(block.key) >= self.config.strong_block_chars
            or not block.text.rstrip().endswith(("…", "..."))
        ):
            return False
        prose = [m for m in per_unit[0].values() if self.slots[m.slot].kind in PROSE]
        return bool(prose) and all(
            m.relation is Relation.PREFIX
            and not any(
                v.units and v.units[0].key.startswith(block.key)
                for v in self.slots[m.slot].variants
            )
            for m in prose
        )

    def _lone_tail(self, block: Block, per_unit: list[dict[int, Match]]) -> int | None:
        """The slot whose sentence ends with the whole of ``block``, a single
        sentence in unspaced text away from a head: there case cannot show a
        sentence's middle, so a tail standing alone ("住拿起来看看消息。") is a piece
        of the kept sentence wherever it comes."""
        if not self.polluted or block.head or len(per_unit) != 1 or block.kind not in PROSE:
            return None
        if not is_unspaced(block.text[:1]) or not block.units[0].complete:
            return None
        key = block.units[0].key
        return next((s for s in per_unit[0] if self.index.ends(key, s)), None)

    def _restarted_next(self, block: Block) -> bool:
        """Whether a scrap closing its segment is the start of the next segment's
        first block: a truncated attempt of it, not a continuation of anything."""
        head = self._next_head
        if head is None or len(head.key) <= len(block.key):
            return False
        if (self._scrap(block) or self._bold_cut(block)) and head.key.startswith(block.key):
            return True
        if self._opens_next(block, head):
            return True
        # A few words cut short, one dropped or changed (a scrap too: "La avec"):
        # "el antes", then "el ritmo antes de exigirme más."
        mine, theirs = block.key.split(), head.key.split()[: len(block.key.split()) + 1]
        return (
            self.polluted
            and block.kind in PROSE
            and len(block.units) == 1
            and not block.units[0].complete
            and len(block.key) < self.config.strong_block_chars
            and len(mine) >= 2
            and mine[0] == theirs[0]
            and mine != theirs[: len(mine)]  # (the same words: the head goes on from it)
            and _subsequence(mine, theirs)
        )

    def _opens_next(self, block: Block, head: Block) -> bool:
        """Whether a paragraph of whole sentences closing its segment is how the next
        segment's first paragraph begins, which then goes on: an attempt cut after
        those sentences, begun again whole. (Kept text holding them elsewhere says
        nothing: a conclusion may open with an earlier paragraph's sentence.)"""
        n = len(block.units)
        return (
            self.polluted
            and block.kind is BlockKind.PARAGRAPH
            and head.kind is BlockKind.PARAGRAPH
            and block.units[-1].complete
            and len(head.units) > n
            and [u.key for u in head.units[:n]] == [u.key for u in block.units]
        )

    def _bold_cut(self, block: Block) -> bool:
        """Whether ``block`` is a bold line cut before its closing ``**``, closing its
        segment in a polluted article ("**1. 技術的課題")."""
        return (
            self.polluted
            and self._segment_end
            and block.kind is BlockKind.PARAGRAPH
            and opens_bold(block.text)
            and len(block.key) >= 3
        )

    def _cut_heading(self, block: Block) -> int | None:
        """The kept heading a bold line cut before its closing ``**`` begins
        ("**1. 技術的課題" for "**1. 技術的課題の深掘り：**"): a truncated copy of it,
        however short."""
        if not self._bold_cut(block):
            return None
        key = block.key
        return next(
            (
                slot_id
                for heading, slot_id in self._headings.get(key[:4], {}).items()
                if len(heading) > len(key) and heading.startswith(key)
            ),
            None,
        )

    def _restarts_piece(self, block: Block) -> bool:
        """Whether a block (not at a head) opens with the whole of a short stitched
        continuation ("た。", then the sentences after it): an attempt restarting
        without a marker at the cut, longer than the one stitched."""
        if not self.polluted or block.head or block.kind not in PROSE or len(block.units) < 2:
            return False
        first = block.units[0].key
        record = self._restarts(block.key, finished=block.units[-1].complete)
        if record is None:
            return False
        if len(first) < self.config.min_partial_chars:
            return record.tail == first
        # (A long one, its first sentence a little reworded: "アルリズム", "アルゴリズム".)
        near = fuzz.ratio(first, record.tail[: len(first)]) >= self.config.variant_cutoff
        return near and not record.tail.startswith(first)

    def _short_piece(self, block: Block) -> bool:
        """A short finished fragment (too short to be looked up like a sentence) in a
        polluted article: it may be the last words of a sentence."""
        return (
            self.polluted
            and block.kind in PROSE
            and len(block.units) == 1
            and block.units[0].complete
            and len(block.key) < self.config.min_partial_chars
        )

    def _stitched_copy(self, block: Block) -> int | None:
        """The slot a continuation was stitched onto, when ``block`` repeats it: at a
        segment's head, any shorter attempt of it; elsewhere (an attempt restarting
        without a marker), a short fragment, or text no sentence opens with, that was
        the whole continuation, a short finished fragment it begins with ("句话。",
        the end of the cut sentence), or a scrap cut at a marker that begins it."""
        blocks, i = self._segment
        # (One character may as well be where the next segment goes on.)
        scrap = self._scrap(block) and i == len(blocks) - 1 and len(block.key) > 1
        # (A cut sentence closing its segment that opens where a stitch went on; a
        # scrap there may be a cut of its own.)
        rest = (
            self.polluted
            and i == len(blocks) - 1
            and not block.units[-1].complete
            and len(block.key) >= self.config.min_partial_chars
        )
        # (Text that cannot open a sentence, "の真価を…", is a piece wherever it is.)
        short = self._short_piece(block)
        # (Nor can text that closes a bold line it never opened: "争優位性**".)
        piece = short or (
            self.polluted and (opens_mid_sentence(block.text) or closes_bold(block.text))
        )
        if not block.key or not (block.head or scrap or piece or rest):
            return None
        found = next(
            (
                r
                for r in self.continuations
                if (
                    r.tail.startswith(block.key)
                    if block.head or scrap
                    else r.tail == block.key
                    or (short and r.tail.startswith(block.key))
                    or (rest and self._opens_at_stitch(r, block.key))
                )
            ),
            None,
        )
        if found is None and (block.head or scrap or rest):
            found = self._reworded_cut_of(block)
        elif found is not None and found.tail == block.key and block.segment != found.block.segment:
            # The continuation repeated whole: a vote for its wording (reassembler).
            found.variant.tail_copies.setdefault(block.segment, block.text.strip())
        return found.slot if found is not None else None

    def _opens_at_stitch(self, stitch: Continuation, key: str) -> bool:
        """Whether a cut sentence ``key`` opens where ``stitch`` went on from its cut,
        in the words of any attempt of the stitched sentence (the stitched one may
        have dropped a letter: "忙しいメバーも" against "忙しいメンバーも要点")."""
        if stitch.tail.startswith(key):
            return True
        return bool(stitch.cut) and any(
            _after_cut(u.key, stitch.cut, key)
            for v in self.slots[stitch.slot].variants
            for u in v.units
        )

    def _cut_sentence_end(self, block: Block) -> int | None:
        """The slot whose cut sentence a stitched continuation finished with
        ``block``'s words, when ``block`` is one finished sentence away from a segment
        head: the end of that sentence again ("시작할 수 있었다."), not a sentence of
        its own (a cut at a sentence's end leaves a whole sentence to stitch on).
        Another attempt may have finished it in other words: ``block`` then ends a
        kept sentence that begins with the cut."""
        if (
            not self.polluted
            or block.head
            or block.kind not in PROSE
            or len(block.units) != 1
            or not block.units[0].complete
        ):
            return None
        key = block.key
        ends: dict[int, list[str]] = {}  # slot -> its sentences ending with ``key``
        for record in self.continuations:
            if not record.cut:
                continue
            if record.tail == key:
                return record.slot
            if record.slot not in ends:
                ends[record.slot] = [
                    u.key for v in self.slots[record.slot].variants for u in v.units
                    if u.key.endswith(key) and u.key != key
                ]  # fmt: skip
            if any(_after_cut(u, record.cut, key) for u in ends[record.slot]):
                return record.slot
        return None

    def _punctuation_only(self, block: Block) -> bool:
        """Whether a paragraph is only a full stop or dots (emphasis marks too, "*…"),
        in a polluted article: what a cut left between markers, no content."""
        bare = not block.key.strip("….。 *_")
        return self.polluted and block.kind is BlockKind.PARAGRAPH and bare

    def _scrap(self, block: Block) -> bool:
        """Whether ``block`` is only a few characters of a cut attempt."""
        return (
            block.kind in PROSE
            and len(block.units) == 1
            and bool(block.key)
            and scrap(block.units[0], self.config)
        )

    def _far_scrap(self, block: Block, slots: Sequence[int]) -> bool:
        """Whether ``block`` is a scrap, inside its segment, of paragraphs all well
        behind the cursor: a few characters say nothing of where an attempt went
        ("Un jar", cut where a conclusion opens like a section's paragraph, then a
        restart): dropped as truncated, the cursor stays. (A scrap closing its
        segment is a cut the next segment may go on from.)"""
        here = self.pos[self.last] if self.last is not None else None
        return (
            self.polluted
            and here is not None
            and not self._segment_end
            and self._scrap(block)
            and all(self.pos[s] < here - 1 for s in slots)
        )

    def _echo_behind(self, per_unit: list[dict[int, Match]]) -> bool:
        """Whether a block's sentences copy two paragraphs or more, all behind the
        cursor: an echo of them, not an attempt that went back there."""
        slots = {s for found in per_unit for s in found}
        return (
            self.last is not None
            and len(per_unit) >= 2
            and len({min(found, key=lambda s: self.pos[s]) for found in per_unit}) >= 2
            and all(self.pos[s] < self.pos[self.last] for s in slots)
        )

    def _scrap_teaser(self, block: Block) -> int | None:
        """The recent slot one of whose sentences holds ``block``, a scrap closed by
        a dot leader ("no ves,…" of "Lo que no ves, no lo gastas."): a few words an
        attempt repeated and broke off, no text of its own (the cursor stays)."""
        if not self.polluted or not self._scrap(block):
            return None
        if not block.text.rstrip().endswith(("…", "...")) or len(block.key) < 3:
            return None
        return next(
            (
                s
                for s in reversed(self.order[-RECENT_SLOTS:])
                if any(block.key in u.key for v in self.slots[s].variants for u in v.units)
            ),
            None,
        )

    def _tail_piece(self, block: Block) -> int | None:
        """The slot just written, when ``block`` is only the last few words of one of
        its sentences: a short fragment that opens like no sentence can (lower case,
        or an unspaced script). Elsewhere such a line may be a paragraph of its own
        ("以上です。")."""
        if self.last is None or not self._short_piece(block):
            return None
        first = block.text.lstrip("…. ")[:1]
        if not (first.islower() or is_unspaced(first)):
            return None
        return self.last if self.index.ends(block.key, self.last) else None

    def _stray_tail(self, block: Block) -> int | None:
        """A recent slot ending one of its sentences with ``block``, a short finished
        fragment that no sentence can open with ("ん。"): what a cut left of a
        sentence another attempt has whole. (The article goes on where it was.)"""
        if not self._short_piece(block) or not opens_mid_sentence(block.text):
            return None
        return next(
            (s for s in reversed(self.order[-RECENT_SLOTS:]) if self.index.ends(block.key, s)),
            None,
        )


def _subsequence(short: list[str], long: list[str]) -> bool:
    """Whether ``short`` is ``long`` with some items left out.

    >>> _subsequence(["el", "antes"], ["el", "ritmo", "antes"])
    True
    >>> _subsequence(["b", "a"], ["a", "b"])
    False
    """
    rest = iter(long)
    return all(item in rest for item in short)


def _after_cut(sentence: str, cut: str, piece: str) -> bool:
    """Whether ``sentence`` begins with ``cut`` and ``piece`` comes right after it
    (a space may stand between the cut and its rest).

    >>> _after_cut("the cat sat down.", "the cat", "sat down."), _after_cut("ab", "a", "x")
    (True, False)
    """
    return sentence.startswith(cut) and sentence.find(piece, len(cut)) - len(cut) in (0, 1)
