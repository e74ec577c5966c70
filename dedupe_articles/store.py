"""The resolver's state: slots in article order, their variants, the index and
the events, with the few operations that keep them consistent.

:class:`Store` is the base of the resolver's mixins (:class:`~dedupe_articles.
stitcher.Stitcher`, :class:`~dedupe_articles.evidence.Evidence`) and of the
:class:`~dedupe_articles.resolver.Resolver` itself, which sets the state up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import regex

from dedupe_articles.config import Config
from dedupe_articles.index import Match, Relation, ShingleIndex, relate
from dedupe_articles.normalize import LATIN_TAIL, JoinModel
from dedupe_articles.result import ActionKind
from dedupe_articles.slots import PROSE, Continuation, Event, Slot, Variant, opens_bold
from dedupe_articles.splitter import Block, BlockKind, Document, Unit, bold_heading, split_units

# How many of the newest slots or continuations a cut or a retry is looked for
# in: a continuation follows its cut closely, and a fixed window keeps long
# inputs linear.
RECENT_SLOTS = 64

# How far around a block other attempts of its paragraph are looked for in the
# input's text (regenerations follow each other closely).
_AROUND = 20_000

# Latin letters opening a block glued to text without spaces ("Iがより…").
_LATIN_HEAD = regex.compile(r"^[A-Za-z]+(?=[^\sA-Za-z])")


class Store:
    """Slots, variants, index and events of one resolution (set up by the resolver)."""

    doc: Document
    config: Config
    index: ShingleIndex
    slots: dict[int, Slot]
    order: list[int]
    pos: dict[int, int]
    events: list[Event]
    attempt: int
    attempt_size: Counter[int]
    finished: dict[int, bool]
    last: int | None
    in_run: bool
    cut_keys: dict[int, set[str]]
    join_model: JoinModel
    continuations: list[Continuation]
    polluted: bool
    _arrivals: int
    _seen_text: dict[str, int]
    # Headings by their key's first characters: a collapsed echo runs a heading
    # into the sentence after it, a text no index lookup matches as a whole.
    _headings: dict[str, dict[str, int]]
    _norm_memo: dict[str, str]  # text -> normalize(text), for repeated checks
    _before: Block | None
    _open_list: tuple[int, Variant, Block] | None = None  # a list item just stitched
    _prev: tuple[int, Variant] | None
    _next_head: Block | None  # the first block of the segment after this one
    _segment_end: bool  # the block at hand is its segment's last
    _at_head: bool  # the block at hand opens its segment
    _segment: tuple[Sequence[Block], int]  # the segment being placed, the block's index

    def _variant_or_copy(
        self, slot: Slot, text: str, kind: BlockKind, units: list[Unit], block: Block
    ) -> Variant | None:
        """Add ``text`` (from ``block``) as a new variant of ``slot``; or, when a variant
        has exactly this text already, count ``block`` as a copy of it (a vote for its
        wording when it comes from another segment) and return None."""
        for variant in slot.variants:
            if variant.text == text:
                self._event(ActionKind.DUPLICATE, block, 0, len(block.text), slot.id, "exact copy")
                if block.segment != variant.blocks[0].segment:
                    variant.copies.setdefault(block.segment, len(text))
                return None
        return self._add_variant(slot, text, kind, units, [block])

    def _add_variant(
        self, slot: Slot, text: str, kind: BlockKind, units: list[Unit], blocks: list[Block]
    ) -> Variant:
        self._arrivals += 1
        variant = Variant(text, kind, units, self.attempt, self._arrivals, blocks)
        slot.variants.append(variant)
        if kind is BlockKind.HEADING:
            self._whole_bold_line(slot, variant)
        self._seen_text.setdefault(text, slot.id)
        # The head of a repeated continuation is a tail fragment of a known
        # sentence; indexing it would make later fragments look like whole copies.
        skip = 1 if len(slot.variants) > 1 and blocks[0].head else 0
        self._index(slot.id, units[skip:])
        return variant

    def _index(self, slot_id: int, units: list[Unit]) -> None:
        kind = self.slots[slot_id].kind
        prose = kind in PROSE
        if kind is BlockKind.HEADING and len(units) == 1:
            key = units[0].key
            if len(key) >= 4:  # (a short heading in Japanese: "道具について")
                self._headings.setdefault(key[:4], {}).setdefault(key, slot_id)
        for unit in units:
            if prose and scrap(unit, self.config):
                continue  # "Mar" cut after a sentence would "begin" every "Mar..." later
            self.index.add(unit.text, unit.key, slot=slot_id, cut=not unit.complete)
            if not unit.complete:
                self.cut_keys.setdefault(slot_id, set()).add(unit.key)

    def _around(self, block: Block) -> str:
        """The input text near ``block``: where other attempts of its paragraph are
        (a fixed window keeps long inputs linear)."""
        start = max(0, block.start - _AROUND)
        return self.doc.text[start : block.end + _AROUND]

    def _said_again(self, block: Block, slot_id: int | None = None) -> int | None:
        """``slot_id`` (by default the slot just written) when ``block``, a short
        fragment with a glued-on ``…``, holds only words its cut sentence has before
        the cut ("…の明…" after "先見の明を持っ"): said again, not the cut's rest."""
        slot_id = self.last if slot_id is None else slot_id
        if slot_id is None or not block.ellipsis or len(block.units) != 1:
            return None
        inner = block.key.strip("…. ")
        cut_inside = any(
            v.units and not v.units[-1].complete and inner in v.units[-1].key
            for v in self.slots[slot_id].variants
        )
        return slot_id if 0 < len(inner) < self.config.min_partial_chars and cut_inside else None

    def _echoed(self, block: Block) -> bool:
        """Whether ``block`` was just found to be an echo (earlier paragraphs
        collapsed onto one line)."""
        last = self.events[-1] if self.events else None
        return last is not None and last.kind is ActionKind.ECHO and last.start >= block.start

    def _hash_heading_apart(self, slot_id: int, text: str) -> bool:
        """Whether ``slot_id`` is a ``#`` heading and ``text`` has no ``#``: a cut
        copy of the heading keeps its marks, so ``text`` is none ("Marsins" against
        "## Marsins sodis torkan")."""
        return self.slots[slot_id].variants[0].text.startswith("#") and not text.startswith("#")

    def _whole_bold_line(self, slot: Slot, variant: Variant) -> None:
        """Make ``slot`` a heading when ``variant`` is a bold line whole and every
        other attempt of the slot that bold line cut before its ``**`` (a paragraph
        to the splitter): stitched on or copied whole, the line is the heading its
        whole copies are."""
        if (
            slot.kind is BlockKind.PARAGRAPH
            and bold_heading(variant.text)
            and all(v is variant or opens_bold(v.text) for v in slot.variants)
        ):
            slot.kind = variant.kind = BlockKind.HEADING

    def _same_sentence(self, a: str, b: str) -> bool:
        """Whether two sentences are one, worded alike or a little differently."""
        found = relate(
            a, b, cutoff=self.config.variant_cutoff, min_partial=self.config.min_partial_chars
        )
        return found is not None and found[0] in (Relation.EXACT, Relation.NEAR)

    def _closes(self, slot_id: int, key: str, before: str) -> bool:
        """Whether ``key`` is the closing sentence of a paragraph of ``slot_id`` (also
        worded a little differently), after other text than ``before`` (else the two
        repeat that paragraph's end)."""
        return any(
            len(v.units) > 1
            and self._same_sentence(v.units[-1].key, key)
            and not v.units[-2].key.endswith(before)
            for v in self.slots[slot_id].variants
        )

    def _longest_cut(self, slot_id: int, kinds: tuple[BlockKind, ...]) -> Variant | None:
        """The slot's longest variant of ``kinds``, if its text ends mid-sentence."""
        found = [v for v in self.slots[slot_id].variants if v.kind in kinds and v.units]
        if not found:
            return None
        longest = max(found, key=lambda v: (len(v.text), -v.order))
        return None if longest.units[-1].complete else longest

    def _latin_word_cuts(self, block: Block) -> list[tuple[int, Variant]]:
        """Recent cuts ending in Latin letters that, with the Latin letters ``block``
        opens with, make a word the input writes elsewhere: in text without spaces
        a cut may fall inside a Latin word ("…哲学は、A" + "Iがより…": "AI")."""
        return [
            (slot_id, variant)
            for slot_id, variant in self._cut_variants()
            if self._latin_word_across(variant.text, block.text)
        ]

    def _latin_word_across(self, cut: str, text: str) -> bool:
        """Whether ``cut`` ends and ``text`` opens with Latin letters glued to text
        without spaces, that together make a word the input writes elsewhere."""
        head = _LATIN_HEAD.match(text)
        tail = LATIN_TAIL.search(cut.rstrip()) if head is not None else None
        if head is None or tail is None:
            return False
        word = regex.compile(r"(?<![A-Za-z])" + tail.group() + head.group() + r"(?![A-Za-z])")
        return word.search(self.doc.text) is not None

    def _cut_variants(self) -> list[tuple[int, Variant]]:
        """The longest variant of each recent slot whose text ends mid-sentence.

        Only the most recently opened slots are looked at: a continuation follows
        a cut made lately, and scanning every slot would make long inputs quadratic.
        """
        out = []
        for slot_id in range(max(0, len(self.slots) - RECENT_SLOTS), len(self.slots)):
            longest = self._longest_cut(slot_id, PROSE)
            if longest is not None:
                out.append((slot_id, longest))
        return out

    def _heading_run_in(self, key: str) -> dict[int, Match]:
        """A known heading that ``key`` opens with, run into known text (the
        start of a paragraph, cut or whole): a collapsed echo's first sentence."""
        for heading, slot_id in self._headings.get(key[:4], {}).items():
            # (A rest of a few characters is no evidence here, unlike in _rest_known.)
            if (
                key.startswith(heading)
                and len(key[len(heading) :].strip()) >= self.config.min_partial_chars
                and self._rest_known(key, heading)
            ):
                return {slot_id: Match(slot_id, Relation.CONTAINS, 100.0, heading)}
        return {}

    def _rest_known(self, key: str, inner: str) -> bool:
        """Whether what ``key`` holds besides ``inner`` is negligible or known text
        (a heading and a sentence run together in a collapsed echo)."""
        rest = key.replace(inner, "", 1).strip()
        if len(rest) < self.config.min_partial_chars:
            return True
        return bool(self.index.lookup(rest, rest, cut=True, head=True))

    def _event(
        self, kind: ActionKind, block: Block, s: int, e: int, slot: int | None, why: str
    ) -> None:
        self.events.append(Event(kind, block.start + s, block.start + e, slot, 100.0, why))


def key_of(text: str, kind: BlockKind) -> str:
    """The matching key ``text`` would have as a block of ``kind`` (its sentences'
    keys run together, as :attr:`Block.key` is)."""
    return "".join(u.key for u in split_units(text, kind))


def resplit_tail(variant: Variant) -> list[Unit]:
    """Re-split a variant whose text grew at its end; return the units that changed.

    Only the text from the start of its last unit on is split again, so a paragraph
    stitched many times costs linear time, not quadratic.
    """
    keep = variant.units[:-1]
    start = variant.units[-1].start if variant.units else 0
    tail = [
        Unit(u.text, u.start + start, u.end + start, u.key, u.complete)
        for u in split_units(variant.text[start:], variant.kind)
    ]
    variant.units = keep + tail
    return tail


def scrap(unit: Unit, config: Config) -> bool:
    """Whether ``unit`` is a *scrap*: a few characters of a cut attempt, too short
    to index or to match on its own."""
    return not unit.complete and len(unit.key) < config.min_partial_chars
