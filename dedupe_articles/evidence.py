"""The resolver's evidence: what the index says about a block, and how much it weighs.

A mixin of the :class:`~dedupe_articles.resolver.Resolver`. A long prose block is
judged a copy on its own evidence (*strong*); a short or structural one (a heading,
a list item, a table row, code) repeats legitimately, so it counts as a copy only
when its neighbours show it belongs to a repeated run (*context*).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence

import regex

from dedupe_articles.index import Match, Relation, relate
from dedupe_articles.normalize import has_continuation_tag
from dedupe_articles.pieces import Pieces
from dedupe_articles.slots import PROSE, Variant
from dedupe_articles.splitter import Block, BlockKind, heading_level

# A section number may come before a heading run into an echo ("2. ", "iv) ").
_SECTION_NUMBER = 5

# A heading that opens with a section number: "## 3.4. …", "**2) …**".
_NUMBERED = regex.compile(
    r"^\s*(?:#{1,6}\s+|\*\*|__)?\d{1,2}(?:[.．]\d{1,2})*(?:[.．)）]\s*|(?<=\d[.．]\d{1,2})\s+)[^\s\d]"
)

# An echo runs over consecutive paragraphs (a short heading or two between).
ECHO_STEP = 3


class Evidence(Pieces):
    """Lookups and weights of evidence (state lives in the resolver)."""

    openers: set[int]
    _starts: list[int]  # where each block of the document starts

    def _lookup(self, block: Block) -> list[dict[int, Match]]:
        per_unit: list[dict[int, Match]] = []
        for j, unit in enumerate(block.units):
            found: dict[int, Match] = {}
            head = block.head and j == 0
            # Table rows and code lines that differ by a number are different rows.
            cutoff = 100.0 if block.kind in (BlockKind.TABLE, BlockKind.CODE) else None
            for match in self.index.lookup(
                unit.text, unit.key, cut=not unit.complete, head=head, cutoff=cutoff
            ):
                if (
                    block.kind is BlockKind.CODE
                    and unit.complete
                    and match.relation is not Relation.EXACT
                ):
                    continue  # two finished code blocks sharing lines are two examples
                if (
                    match.relation is Relation.INSIDE
                    and not (head or unit.complete)
                    and match.key.find(unit.key) > 2 * self.config.min_partial_chars
                    and not any(r.tail.startswith(unit.key) for r in self.continuations)
                ):
                    # A cut sentence opens where sentences open (or where a stitched
                    # continuation did), not in the middle of one. (Its attempt may
                    # have dropped a first word or two: "そして、".)
                    continue
                if match.relation is Relation.CONTAINS and not self._rest_known(
                    unit.key, match.key
                ):
                    continue  # a known sentence inside new text: the rest is content
                if (
                    match.relation is Relation.CONTAINS
                    and self.slots[match.slot].kind is BlockKind.HEADING
                    and unit.key.find(match.key) > _SECTION_NUMBER
                ):
                    continue  # an echo runs a heading into a sentence's start, not its middle
                found.setdefault(match.slot, match)
            if self.polluted and all(
                m.relation is Relation.EXTENDS and self.slots[s].kind is BlockKind.HEADING
                for s, m in found.items()
            ):
                found = self._heading_run_in(unit.key) or found
            per_unit.append(found)
        last = block.units[-1]
        if (
            len(per_unit) >= 2
            and not last.complete
            and len(last.key) < self.config.min_partial_chars
        ):
            # A few characters cut off after a sentence are too short to be evidence
            # of anything: they go with the sentence they end, copied or new.
            per_unit[-1] = {
                s: Match(s, Relation.PREFIX, 100.0, m.key) for s, m in per_unit[-2].items()
            }
        return per_unit

    def _strong(self, block: Block) -> bool:
        """Whether a block may be judged a copy on its own evidence."""
        if block.kind is BlockKind.HEADING:
            # Generic headings ("Example") repeat on purpose; long specific ones do not,
            # nor, in a polluted article, one written in another form ("**H**" for
            # "## H"): headings repeated on purpose repeat verbatim.
            # (A kept "### Example (continued)" is no other form of a "### Example":
            # the tag only said the section went on; a second example is legitimate.)
            # (Nor does a numbered one, "#### 3.4. エネルギー管理", in a polluted article.)
            numbered = (
                _NUMBERED.match(block.text) and len(block.key) >= self.config.min_partial_chars
            )
            if self.polluted and numbered:
                return True
            return len(block.key) >= self.config.strong_block_chars or (
                self.polluted
                and block.text not in self._seen_text
                and any(
                    self.slots[s].kind is BlockKind.HEADING
                    and not all(has_continuation_tag(v.text) for v in self.slots[s].variants)
                    for s in self.index.exact_slots(block.key)
                )
            )
        if block.kind is BlockKind.TABLE:
            # Rows repeat on purpose; a whole table of several rows does not.
            return len(block.units) >= 3 and len(block.key) >= 2 * self.config.strong_block_chars
        if block.kind is BlockKind.CODE:
            return (
                block.text.count("\n") >= 3 and len(block.key) >= 4 * self.config.strong_block_chars
            )
        if block.kind is BlockKind.LIST:
            # Short items ("- Yes") repeat on purpose; items of whole sentences do not,
            # nor, in an article already shown to repeat itself, a whole list of three.
            whole_list = self.polluted and len(block.units) >= 3
            long_items = all(len(u.key) >= 2 * self.config.strong_block_chars for u in block.units)
            return long_items or (
                whole_list and len(block.key) >= 2 * self.config.strong_block_chars
            )
        if block.kind not in PROSE or len(block.key) < self.config.strong_block_chars:
            return False
        return len(block.units) >= 2 or not block.units[0].complete

    def _nearest(self, slots: Sequence[int]) -> int:
        """Of several matching slots, the one the cursor most likely points at."""
        here = self.pos[self.last] if self.last is not None else -1
        return min(slots, key=lambda s: (self.pos[s] <= here, abs(self.pos[s] - here - 1)))

    def _followed(self, cands: list[int], seg_blocks: Sequence[Block], i: int) -> list[int]:
        """Of several slots a block copies (a repeated ``### Example``), those whose
        next slot the next block opens like: the run it repeats."""
        if len(cands) < 2 or i + 1 >= len(seg_blocks):
            return cands
        nxt = seg_blocks[i + 1]
        if not nxt.units:
            return cands
        first = nxt.units[0].key
        fits = []
        for cand in cands:
            p = self.pos[cand] + 1
            after = self.slots[self.order[p]] if p < len(self.order) else None
            if after is not None and any(
                v.units and v.units[0].key == first for v in after.variants
            ):
                fits.append(cand)
        return fits or cands

    def _context(
        self, block: Block, cands: Sequence[int], seg_blocks: Sequence[Block], i: int
    ) -> bool:
        """Whether a weak block's neighbours show it is part of a repeated run."""
        here = self.pos[self.last] if self.last is not None else -2
        probed: dict[int, tuple[set[int], bool]] = {}  # the same for every candidate

        def probe(j: int) -> tuple[set[int], bool]:
            if j not in probed:
                nxt = seg_blocks[j]
                found_next = self._lookup(nxt)
                hits = {s for found in found_next for s in found}
                sure = self._strong(nxt) or (nxt.kind in PROSE and self._piece(nxt, found_next))
                probed[j] = hits, sure
            return probed[j]

        for cand in cands:
            p = self.pos[cand]
            if cand == self.last or (self.in_run and here < p <= here + 2):
                return True
            if (
                i == len(seg_blocks) - 1
                and (here - 2 <= p or self._section_start(cand, here))
                and (i == 0 or (self.polluted and self._exact_copy(block, cand)))
                and (
                    p > here
                    or self._next_head is None
                    or any(self._lookup(self._next_head))
                    or _empty_section(block, self._next_head)
                )
            ):
                # Cut right after a copy of what the article already has a little back
                # (a restart) or further on (an attempt that skipped a section): alone
                # in its segment, or, an exact copy, last in it. (When new text follows
                # the marker, a block just behind may be where the article goes on: a
                # second "### Example".)
                return True
            if (
                self.polluted
                and len(seg_blocks) == 1
                and block.kind in PROSE
                and self._exact_copy(block, cand)
            ):
                return True  # all an attempt wrote: a kept paragraph, verbatim
            keys = [u.key for u in block.units]
            if self.polluted and any(
                [u.key for u in v.units[: len(keys)]] == keys and len(v.units) > len(keys)
                for v in self.slots[cand].variants
            ):
                # The opening of a kept paragraph, alone between markers, or before
                # a copy of what comes after that paragraph.
                if i == 0 and len(seg_blocks) == 1:
                    return True
                # (Or closing its segment, of a paragraph just behind: a restart
                # there, cut at a sentence's end.)
                if i == len(seg_blocks) - 1 and here - 2 <= p <= here:
                    return True
                if i + 1 < len(seg_blocks) and any(self.pos[s] > p for s in probe(i + 1)[0]):
                    return True
            if i == 0 and self.polluted and cand in self.openers:
                return True  # two attempts opening alike: the same continuation again
            if (
                (i == 0 or _cut_before(seg_blocks, i))
                and self.polluted
                and len(block.units) == 1
                and len(block.key) >= self.config.strong_block_chars
                and all(
                    len(v.units) > 1 or _cut_opening(v, self.slots[cand].variants)
                    for v in self.slots[cand].variants
                )
            ):
                # One sentence of a longer kept paragraph opening an attempt (after a
                # marker, or after a paragraph cut off without one).
                return True
            stop = min(len(seg_blocks), i + 1 + self.config.lookahead_blocks)
            if (
                self.polluted
                and len(block.units) == 1
                and any(
                    cand in probe(j)[0] and probe(j)[1] and len(seg_blocks[j].units) >= 2
                    for j in range(i + 1, stop)
                )
            ):
                return True  # a stray sentence of a paragraph this attempt repeats just after
            run = len(block.key)
            gap = False
            for j in range(i + 1, stop):
                hits, sure = probe(j)
                if not hits and not gap and self.polluted:
                    # (One block of new text may stand between: an attempt whose
                    # section another one worded without its first sentence.)
                    gap = True
                    continue
                if gap and seg_blocks[j].kind not in (BlockKind.PARAGRAPH, BlockKind.LIST):
                    # (Headings are where a restart jumps back to; code and tables
                    # repeat on purpose.)
                    break
                if sure:
                    # (After new text, only the slot in the very place.)
                    low = p + (j - i) if gap else p + 1
                    if any(low <= self.pos[s] <= p + (j - i) + (not gap) for s in hits):
                        return True
                    break
                # Short blocks repeated in the same order, together long enough,
                # are a repeated run too.
                if not any(self.pos[s] == p + (j - i) for s in hits):
                    break
                run += len(seg_blocks[j].key)
                # In an article already shown to repeat itself, two structural blocks
                # in a row ("* * *", "## Heading") repeating in order are enough.
                if run >= 2 * self.config.strong_block_chars or self.polluted:
                    return True
        return False

    def _section_start(self, heading: int, here: int) -> bool:
        """Whether slot ``heading`` is the heading of the section the article is
        in at position ``here`` (an attempt restarting the section begins there)."""
        slot = self.slots[heading]
        level = heading_level(slot.variants[0].text)
        p = self.pos[heading]
        return (
            slot.kind is BlockKind.HEADING
            and level > 0
            and p <= here
            and not any(
                self.slots[s].kind is BlockKind.HEADING
                and 0 < heading_level(self.slots[s].variants[0].text) <= level
                for s in self.order[p + 1 : here + 1]
            )
        )

    def _echo(self, block: Block) -> bool:
        """Whether a block that added nothing holds known text of several slots."""
        return len({s for found in self._lookup(block) for s in found}) >= 2

    def _exact_copy(self, block: Block, slot_id: int) -> bool:
        """Whether ``block`` is verbatim a variant of the slot (a repeated
        ``### Example`` may be a copy of any of its slots)."""
        return any(v.text == block.text for v in self.slots[slot_id].variants)

    def _held_apart(self, a: int, b: int) -> bool:
        """Whether some attempt held slots ``a`` and ``b`` as two blocks."""
        text = self.doc.text
        ys = [y for v in self.slots[b].variants for y in v.blocks]
        for x in (x for v in self.slots[a].variants for x in v.blocks):
            for y in ys:
                if x.segment != y.segment:
                    continue
                gap = text[min(x.end, y.end) : max(x.start, y.start)]
                # (Side by side: far apart, a restart may come between the two.)
                if gap.strip() == "" and ("\n\n" in gap or BlockKind.HEADING in (x.kind, y.kind)):
                    return True
        return False

    def _one_paragraph(self, runs: set[int]) -> bool:
        """Whether a block over adjacent slots that no attempt held apart shows
        they are one paragraph (complementary attempts of it), not an echo."""
        ids = sorted(runs, key=lambda s: self.pos[s])
        return (
            len(ids) >= 2
            and self._side_by_side(ids, self.pos[ids[0]])
            and not any(self._held_apart(a, b) for a, b in itertools.pairwise(ids))
        )

    def _merged_next(self, runs: set[int]) -> bool:
        """Whether a block over several slots holds the paragraphs right after the
        cursor, in order, away from a segment's head: the attempt wrote them as one
        paragraph as it went (a collapsed echo goes back to text far behind)."""
        if self.last is None or self._at_head or len(runs) < 2:
            return False
        return self._side_by_side(runs, self.pos[self.last] + 1)

    def _side_by_side(self, slots: Iterable[int], first: int) -> bool:
        """Whether ``slots`` stand one after another in the article from ``first`` on."""
        spots = sorted(self.pos[s] for s in slots)
        return spots == list(range(first, first + len(spots)))

    def _skipped_section_next(self, heading: Block, at: int) -> bool:
        """Whether new ``heading``, due right after the cursor at ``at``, comes
        where another attempt already has a section next that this attempt
        skipped: its new section then follows what the article has, not the other
        way round."""
        if heading.kind is not BlockKind.HEADING or at >= len(self.order):
            return False
        nxt = self.slots[self.order[at]]
        return (
            nxt.kind is BlockKind.HEADING
            and 0 < heading_level(heading.text) <= heading_level(nxt.variants[0].text)
            and self._skipped(self.order[at:])
            and not self._written_before(heading, nxt.id)
        )

    def _skipped(self, slots: Sequence[int]) -> bool:
        """Whether this attempt skipped the section ``slots`` begin with: it never
        comes back to it, and goes on for two blocks or more, or that heading was
        only ever seen cut off right after (the last block of its attempt). The
        attempt ends where its segment does, or where the text jumps back to a
        paragraph before the cursor without a marker."""
        wanted = set(slots)
        blocks, i = self._segment
        here = self.pos[self.last] if self.last is not None else len(self.order)
        ahead = 0  # blocks this attempt goes on with
        for b in blocks[i + 1 :]:
            found = {s for per_unit in self._lookup(b) for s in per_unit}
            if found & wanted:
                return False
            if found and b.kind in PROSE and max(self.pos[s] for s in found) < here:
                break  # (the text jumps back without a marker: another attempt)
            ahead += 1
        head = self.slots[slots[0]]
        return ahead >= 2 or all(self._last_in_segment(v.blocks[-1]) for v in head.variants)

    def _written_before(self, heading: Block, slot_id: int) -> bool:
        """Whether a later attempt writes ``heading`` and then, further on, the
        heading of ``slot_id``: the section ``heading`` opens comes first, so the
        attempt that went straight to ``slot_id`` skipped it (not this one)."""
        texts = {v.text for v in self.slots[slot_id].variants}
        blocks = self.doc.blocks
        at = bisect.bisect_right(self._starts, heading.start)
        for j in range(at, len(blocks)):
            if blocks[j].text != heading.text:
                continue
            for later in blocks[j + 1 :]:
                if later.segment != blocks[j].segment:
                    break
                if later.text in texts:
                    return True
        return False

    def _last_in_segment(self, block: Block) -> bool:
        at = bisect.bisect_right(self._starts, block.start)
        return at == len(self.doc.blocks) or self.doc.blocks[at].segment != block.segment

    def _assign(self, per_unit: list[dict[int, Match]]) -> list[int | None]:
        """One slot per unit, preferring to stay in the slot of the unit before."""
        out: list[int | None] = []
        prev: int | None = None
        for found in per_unit:
            if not found:
                out.append(None)
                continue
            if prev is not None and prev in found:
                choice = prev
            elif prev is not None:
                p = self.pos[prev]
                choice = min(found, key=lambda s: (self.pos[s] < p, abs(self.pos[s] - p - 1)))
            else:
                choice = self._nearest(list(found))
            out.append(choice)
            prev = choice
        return out

    def _splits(self, variant: Variant, block: Block) -> bool:
        """Whether ``block`` directly follows ``variant``'s last block and holds
        other sentences of the same slot (not a repeat of the variant's own)."""
        last = variant.blocks[-1]
        if block.segment != last.segment or block.kind not in PROSE or variant.kind not in PROSE:
            return False
        between = self.doc.text[last.end : block.start]
        if between.strip():
            return False
        if len(block.units[0].key) < self.config.min_partial_chars:
            return False  # a few characters left at a restart ("ました。…") open no paragraph
        if not variant.units[-1].complete:
            return False  # an attempt cut there: the block opens the next one
        for unit in block.units:
            for other in variant.units:
                if relate(unit.key, other.key, cutoff=self.config.variant_cutoff,
                          min_partial=self.config.min_partial_chars) is not None:  # fmt: skip
                    return False
        return True


def _cut_opening(variant: Variant, variants: Sequence[Variant]) -> bool:
    """Whether ``variant`` is only the cut start of another variant's first
    sentence: an attempt of that longer paragraph, cut, not a paragraph of one."""
    cut = variant.units[-1]
    return not cut.complete and any(
        len(o.units) > 1 and o.units[0].key.startswith(cut.key) for o in variants
    )


def _cut_before(blocks: Sequence[Block], i: int) -> bool:
    """Whether the block before ``blocks[i]`` is a paragraph cut mid-sentence: an
    attempt stopped there, and ``blocks[i]`` opens the next one."""
    prev = blocks[i - 1] if i > 0 else None
    return (
        prev is not None
        and prev.kind is BlockKind.PARAGRAPH
        and bool(prev.units)
        and not prev.units[-1].complete
    )


def _empty_section(heading: Block, after: Block) -> bool:
    """Whether ``after`` opens a section at ``heading``'s level or above: a heading
    cut off before any text of its own."""
    level = heading_level(heading.text) if heading.kind is BlockKind.HEADING else 0
    return after.kind is BlockKind.HEADING and 0 < heading_level(after.text) <= level
