"""Stage 3: decide what each input block is, and gather attempts into slots.

A *slot* is one block of the clean article. Every input block either opens a
new slot (new content, inserted after the slot its predecessor touched), joins
an existing slot as another *variant* of it (a copy, a truncated or shorter or
longer or reworded attempt), is dropped as an echo of several slots, or is
stitched onto the paragraph a marker cut. The reassembler later picks and merges
the variants of each slot.

Short or structural blocks (headings, lists, tables, code, separators, one-line
paragraphs) repeat legitimately, so they join a slot only when their neighbours
show they belong to a repeated run.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

from dedupe_articles.config import Config
from dedupe_articles.evidence import ECHO_STEP
from dedupe_articles.index import Match, Relation, ShingleIndex
from dedupe_articles.normalize import (
    JoinModel,
    has_continuation_tag,
    opens_mid_sentence,
)
from dedupe_articles.result import ActionKind
from dedupe_articles.reuse import Reuse
from dedupe_articles.slots import (
    PROSE,
    Continuation,
    Event,
    Resolution,
    Slot,
    Variant,
    closes_bold,
    fits,
    group,
)
from dedupe_articles.splitter import Block, BlockKind, Document, sub_block
from dedupe_articles.store import resplit_tail

_COVERING = (Relation.EXACT, Relation.PREFIX, Relation.INSIDE, Relation.NEAR)


class Resolver(Reuse):
    """Walks the blocks once, in input order, keeping a cursor in the clean article."""

    def __init__(self, doc: Document, config: Config) -> None:
        self.doc = doc
        self.config = config
        self.index = ShingleIndex(config)
        self.slots: dict[int, Slot] = {}
        self.order: list[int] = []
        self.pos: dict[int, int] = {}
        self.events: list[Event] = []
        self.attempt = 0
        self.attempt_size: Counter[int] = Counter()
        self.finished: dict[int, bool] = {}  # whether an attempt's last block ended a sentence
        self.last: int | None = None
        self.in_run = False
        self.cut_keys: dict[int, set[str]] = {}
        self.join_model = JoinModel(b.text for b in doc.blocks)  # learns lazily
        self._arrivals = 0
        self._at_head = False
        self._before: Block | None = None  # the block handled just before this one
        self.polluted = bool(doc.markers)  # markers seen, or a whole block repeated
        self._seen_text: dict[str, int] = {}  # block text -> the slot it first went to
        self._norm_memo: dict[str, str] = {}
        self._headings: dict[str, dict[str, int]] = {}
        self._recent_mark = 0  # arrivals before the current segment began
        self.continuations: list[Continuation] = []
        self._prev: tuple[int, Variant] | None = None  # the variant the last block joined
        self.openers: set[int] = set()  # slots an attempt opened with (a new or joined slot)
        self._next_head: Block | None = None
        self._segment_end = False
        self._segment: tuple[Sequence[Block], int] = ((), 0)  # the segment, the block's index
        self._starts = [b.start for b in doc.blocks]
        self.glued: list[tuple[int, int, Block]] = []  # slots one block held together

    def run(self) -> Resolution:
        for start, end in self.doc.markers:
            self.events.append(Event(ActionKind.MARKER, start, end, None, 100.0, "marker"))
        segments: dict[int, list[Block]] = {}
        for block in self.doc.blocks:
            segments.setdefault(block.segment, []).append(block)
        # Cuts not yet continued, newest first: a stray restart may come between a
        # cut and its continuation.
        pending: list[tuple[int, Variant]] = []
        seen_cuts: list[tuple[int, Variant]] = []  # paragraphs seen cut at a marker or restart
        recent = 0
        order = sorted(segments)
        for seg, after in itertools.zip_longest(order, order[1:]):
            blocks = segments[seg]
            self._next_head = segments[after][0] if after is not None else None
            self.attempt += 1
            self.in_run = False
            echoes = 0
            for i, block in enumerate(blocks):
                # An echo (earlier paragraphs collapsed onto a line) opening a segment
                # leaves the opening to the block after it: it may continue the last cut.
                opening = i == echoes
                self._segment_end = i == len(blocks) - 1
                self._segment = blocks, i
                if block.head and i > 0:
                    own = self._cut_at_end(blocks[i - 1])
                    cuts = [own] if own is not None else []
                    seen_cuts.extend(cuts)
                else:
                    cuts = pending if opening else []
                if i == len(blocks) - 1 and self._restarted_next(block):
                    # "一", then "一年が経ち、…": a truncated start of what follows,
                    # which goes on from whatever the scrap would have.
                    self._event(ActionKind.TRUNCATED, block, 0, len(block.text), None,
                                "truncated start of the next attempt")  # fmt: skip
                    continue
                # (The rest of a cut bold line after a glued-on "…" goes on from a
                # cut however far back: "...ムの変革**".)
                rest = block.ellipsis and closes_bold(block.text)
                if (
                    block.head or (opening and cuts) or self._restarts_piece(block) or rest
                ) and self.config.stitch:
                    # A cut seen earlier (in this or the last segment) may be what
                    # the block continues when the marker's neighbour is not.
                    cuts = cuts + [
                        c for c in seen_cuts
                        if c[1].order > recent and not c[1].units[-1].complete and c not in cuts
                    ]  # fmt: skip
                    # A longer attempt of a continuation already stitched on goes
                    # on from the same cut, which that stitch has since closed.
                    record = self._restarts(block.key, finished=block.units[-1].complete)
                    if record is not None and (record.slot, record.variant) not in cuts:
                        cuts.append((record.slot, record.variant))
                    if opens_mid_sentence(block.text):
                        # Text that cannot open a paragraph goes on from some cut,
                        # however many attempts of others came between.
                        cuts = cuts + [c for c in self._cut_variants() if c not in cuts]
                        cuts = self._word_cuts_first(cuts, block)
                    # (A cut the block's first letters or characters complete a word
                    # with comes first.)
                    first = self._latin_word_cuts(block) or self._word_spanning_cut(cuts, block)
                    cuts = first + [c for c in cuts if c not in first]
                    if self._restart_of_cut(block, cuts):
                        self._before = block
                        continue
                    if any(self._stitch(block, *cut) for cut in cuts):
                        pending = [] if opening else pending
                        self._before = block
                        continue
                if self._list_goes_on(block):
                    self._before = block
                    continue
                self._at_head = i == 0
                arrivals = self._arrivals
                self._place(block, blocks, i)
                self._at_head = False
                if opening and self._arrivals == arrivals and self._echo(block):
                    echoes += 1
                if len(blocks) == 1 and self._echoed(block):
                    continue  # (a cut before a lone echo is still the last marker's)
                self._before = block
            recent = self._recent_mark
            self._recent_mark = self._arrivals
            cut = self._cut_at_end(blocks[-1])
            if cut is not None:
                seen_cuts.append(cut)
            pending = ([cut] if cut is not None else []) + [
                c for c in pending if c != cut and not c[1].units[-1].complete
            ][:2]
        together = {(a, b) for a, b, _ in self.glued if not self._held_apart(a, b)}
        return Resolution(
            self.slots, self.order, self.events, self.attempt_size, self.finished, self.glued,
            together,
        )  # fmt: skip

    # -- placement -----------------------------------------------------------

    def _place(self, block: Block, seg_blocks: Sequence[Block], i: int) -> None:
        self.attempt_size[self.attempt] += len(block.key)
        if not block.units:
            return
        if (len(seg_blocks) == 1 or self._segment_end) and self._punctuation_only(block):
            self._event(ActionKind.TRUNCATED, block, 0, len(block.text), None, "punctuation only")
            return
        self.finished[self.attempt] = block.units[-1].complete
        seen = self._seen_text.get(block.text)
        if seen is not None and block.head and self._reworded_continuation(block):
            return
        if (
            seen is not None
            and self._strong(block)
            and group(self.slots[seen].kind) is group(block.kind)
        ):
            self._join(seen, block)  # the commonest case: a verbatim copy of a kept block
            return
        # Pieces of kept text (the cursor moves to the slot they belong to, except
        # for a stray sentence end, after which the article goes on where it was).
        pieces = (
            (self._stitched_copy, "shorter attempt of a stitched continuation", True),
            (self._cut_heading, "bold heading cut before its end", True),
            (self._tail_piece, "end of a kept sentence", True),
            (self._stray_tail, "end of a kept sentence", False),
            (self._said_again, "words of a cut sentence said again", False),
            (self._cut_sentence_end, "end of a cut sentence", False),
            (self._scrap_teaser, "a few words of a kept sentence before a dot leader", False),
        )
        for find, detail, moves in pieces:
            target = find(block)
            if target is not None:
                self._event(ActionKind.TRUNCATED, block, 0, len(block.text), target, detail)
                if moves:
                    back = self.last is not None and self.pos[target] < self.pos[self.last]
                    if back and i > 0:
                        self.attempt += 1  # the text went back without a marker
                    self.last, self.in_run = target, True
                return
        per_unit = self._lookup(block)
        n = len(block.units)
        # A piece of a longer kept sentence, cut off or left at the head of a
        # continuation, is never legitimate repetition, however short.
        kind = group(block.kind)
        piece = block.kind in PROSE and self._piece(block, per_unit)
        # In a polluted article a sentence that is almost, not exactly, a kept one is
        # a reworded attempt: sentences used twice on purpose repeat verbatim.
        reworded = (
            self.polluted
            and block.kind in PROSE
            and len(block.key) >= self.config.strong_block_chars
            and all(any(m.relation is Relation.NEAR for m in found.values()) for found in per_unit)
        )
        strong = piece or reworded or self._strong(block)
        full = [
            s for s in set.intersection(*(set(found) for found in per_unit))
            if fits(self.slots[s], block)
        ]  # fmt: skip
        if not full and seen is not None and group(self.slots[seen].kind) is kind:
            # Too short to be indexed ("具体的には、" before a list), yet verbatim a
            # block seen before: a copy if its neighbours say so.
            full = [seen]
        if block.head and block.key and self._reworded_continuation(block):
            return
        if piece and not full:
            # The tail of a cut heading (or another kind of block) repeated at a head.
            target = self._nearest(list(per_unit[0]))
            if self._echo_behind(per_unit):
                # (Several kept paragraphs collapsed onto one cut line: the article
                # goes on where it was.)
                self._event(ActionKind.ECHO, block, 0, len(block.text), target, "echo")
                return
            self._event(
                ActionKind.TRUNCATED, block, 0, len(block.text), target, "piece of a kept block"
            )
            self.last, self.in_run = target, True
            return
        tail_of = self._lone_tail(block, per_unit)
        if tail_of is not None:
            # (An echo of a piece: the article goes on where it was.)
            self._event(
                ActionKind.TRUNCATED, block, 0, len(block.text), tail_of, "piece of a kept block"
            )
            return
        if full and block.kind is BlockKind.HEADING and has_continuation_tag(block.text):
            # "Heading (continued)" only says the section goes on: the text that
            # follows continues where the article is, not under a new heading.
            target = self._nearest(full)
            self._event(
                ActionKind.DUPLICATE, block, 0, len(block.text), target, "continuation heading"
            )
            if self.last is None or self.pos[self.last] < self.pos[target]:
                self.last = target  # (the section has not begun where the article is)
            return
        glued = any(m.relation is Relation.CONTAINS for found in per_unit for m in found.values())
        # (A section number left of a heading, "1.", is too short to be new text.)
        fresh = [
            j for j, found in enumerate(per_unit)
            if not found and (block.units[j].complete or j < n - 1)
            and len(block.units[j].key) >= self.config.min_partial_chars
        ]  # fmt: skip
        # (One sentence is an echo only when a heading runs into known text.)
        heading_run = n == 1 and (
            any(
                m.relation is Relation.CONTAINS and self.slots[m.slot].kind is BlockKind.HEADING
                for m in per_unit[0].values()
            )
            or (glued and bool(self._heading_run_in(block.units[0].key)))
        )
        if glued and strong and (n >= 2 or heading_run) and not fresh:
            # Known sentences run together with other known text (a heading glued to
            # a paragraph): a collapsed echo, never a better attempt of a slot. A cut
            # tail it ends with is echo too.
            target = next(iter(m.slot for found in per_unit for m in found.values()))
            self._event(ActionKind.ECHO, block, 0, len(block.text), target, "echo")
            return
        if full and self._teaser(block, per_unit):
            self._new(block)
            return
        if full and self._far_scrap(block, full):
            self._event(
                ActionKind.TRUNCATED, block, 0, len(block.text), self._nearest(full), "truncated"
            )
            return
        if full:
            if strong or self._context(block, full, seg_blocks, i):
                self._join(self._nearest(self._followed(full, seg_blocks, i)), block)
                return
            self._new(block)
            return
        assign = self._assign(per_unit)
        runs = {s for s in assign if s is not None}
        covered = sum(s is not None for s in assign)
        counts = Counter(s for s in assign if s is not None)
        # A slot that lends the block a single sentence, a small part of itself, is
        # a sentence reused on purpose, not a sign that the block echoes that slot.
        major = [
            s for s in runs
            if counts[s] >= 2 or 2 * counts[s] >= max(len(v.units) for v in self.slots[s].variants)
        ]  # fmt: skip
        seq = [self.pos[s] for s in assign if s is not None]
        # Only the closing sentence(s) go back to an earlier paragraph, or far ahead
        # (not to a paragraph an echo would run on to): a refrain.
        cut = next(
            (j for j in range(1, len(seq)) if not 0 <= seq[j] - seq[j - 1] <= ECHO_STEP),
            len(seq),
        )
        refrain = 0 < cut < len(seq) and len(set(seq[cut:])) == 1
        # (The last sentence alone reused far ahead says nothing of the slot it is in.)
        ahead = refrain and cut == len(seq) - 1 and seq[cut] > seq[cut - 1]
        if not runs:
            self._new(block)
        elif len(major) <= 1 and not ahead:
            target = major[0] if major else max(runs, key=lambda s: (counts[s], -self.pos[s]))
            self._place_partial(block, per_unit, assign, target, seg_blocks, i)
        elif refrain:
            # Echoes and paragraphs merged by an attempt keep the article's order; a
            # block that ends going back to an earlier paragraph, or far ahead, only
            # reuses a sentence there.
            first = next(s for s in assign if s is not None)
            self._place_partial(block, per_unit, assign, first, seg_blocks, i)
        elif (
            strong
            and covered == n
            and not self._one_paragraph(runs)
            and not self._merged_next(runs)
            and not any(
                found[s].relation in (Relation.EXTENDS, Relation.CONTAINS)
                for found, s in zip(per_unit, assign, strict=True)
                if s is not None
            )
        ):
            # (A sentence longer than its kept copy is new text: not an echo.)
            first = min(runs, key=lambda s: self.pos[s])
            self._event(ActionKind.ECHO, block, 0, len(block.text), first, "echo of earlier blocks")
        elif strong and 2 * covered >= n:
            self._split(block, assign)
        else:
            self._new(block)

    def _place_partial(
        self,
        block: Block,
        per_unit: list[dict[int, Match]],
        assign: list[int | None],
        target: int,
        seg_blocks: Sequence[Block],
        i: int,
    ) -> None:
        """A block sharing sentences with one slot (and at most single sentences
        with others)."""
        n = len(block.units)
        if group(self.slots[target].kind) is not group(block.kind):
            self._new(block)
            return
        mostly = self._regenerates(block, per_unit, assign, target)
        # Tables share header rows and code shares lines on purpose: partly matching
        # structural blocks need their neighbours' word, however long they are.
        strong = self._strong(block) and block.kind not in (BlockKind.TABLE, BlockKind.CODE)
        if mostly and (strong or self._context(block, [target], seg_blocks, i)):
            glued = self._closing_glued(block, per_unit, assign, target)
            if glued:
                # The paragraph before's closing line(s), run into this one on the
                # line: a repeat, not a sentence this attempt adds to it.
                self._event(ActionKind.DUPLICATE, block, 0, block.units[glued].start, assign[0],
                            "repeated closing line")  # fmt: skip
                block = sub_block(block, list(range(glued, n)))
            self._join(target, block)
            return
        lead = 0
        while lead < n and assign[lead] == target and per_unit[lead][target].relation in _COVERING:
            lead += 1
        # (Opening with the closing line of the paragraph just written: a repeat,
        # unless that paragraph is far behind, where only cut attempts of the
        # refrain took the cursor back.)
        if lead and target == self.last and lead < n and not self._reused(block, assign, target):
            rest = block.units[lead]
            if rest.start > 0 and block.text[rest.start - 1] == "\n":
                head = block.units[lead - 1]
                self._event(
                    ActionKind.DUPLICATE, block, 0, head.end, target, "repeated closing line"
                )
                self._new(sub_block(block, list(range(lead, n))))
            else:
                self._join(target, block)
            return
        moved = self._moved(block, per_unit, assign, target)
        if moved and len(moved) < n:
            for j in moved:
                unit = block.units[j]
                self._event(ActionKind.DUPLICATE, block, unit.start, unit.end, target,
                            "sentence this attempt moved from an earlier paragraph")  # fmt: skip
            keys = {block.units[j].key for j in moved}
            slot_id = self._new(sub_block(block, [j for j in range(n) if j not in moved]))
            self.slots[slot_id].moved_out |= keys
            return
        self._new(block)

    def _split(self, block: Block, assign: list[int | None]) -> None:
        """A block holding several slots' sentences (paragraphs merged into one):
        each run of sentences joins its slot; new sentences go with the run before."""
        groups: list[tuple[int, list[int]]] = []
        pending: list[int] = []
        for j, slot in enumerate(assign):
            if slot is None or group(self.slots[slot].kind) is not group(block.kind):
                if groups and slot is None:
                    groups[-1][1].append(j)
                elif slot is None:
                    pending.append(j)
                continue
            if groups and groups[-1][0] == slot:
                groups[-1][1].append(j)
            else:
                groups.append((slot, [*pending, j]))
                pending = []
        if not groups:
            self._new(block)
            return
        pieces = []
        for slot, units in groups:
            piece = sub_block(block, units)
            self._join(slot, piece, jump=False)
            pieces.append((slot, piece))
        # The reassembler writes two such slots as one paragraph when the first was
        # never seen finished on its own (a cut copy beside a complementary one).
        self.glued.extend((a, b, piece) for (a, piece), (b, _) in itertools.pairwise(pieces))

    def _join(self, slot_id: int, block: Block, *, jump: bool = True) -> None:
        slot = self.slots[slot_id]
        if self._at_head:
            self.openers.add(slot_id)
        strong = self._strong(block)
        if strong:
            self.polluted = True
        if jump and strong and self.last is not None and self.pos[slot_id] < self.pos[self.last]:
            self.attempt += 1  # the text jumped back without a marker: a new attempt
        prev = self._prev
        if prev is not None and prev[0] == slot_id and self._splits(prev[1], block):
            # This attempt keeps as two paragraphs what another merged into one:
            # its two blocks together are one variant, paragraph break included.
            variant = prev[1]
            variant.text = variant.text + "\n\n" + block.text
            resplit_tail(variant)
            variant.blocks.append(block)
            self._index(slot_id, block.units)
        else:
            added = self._variant_or_copy(slot, block.text, block.kind, block.units, block)
            self._prev = (slot_id, added) if added is not None else None
            self.last, self.in_run = slot_id, True
            return
        self._prev = None
        self.last, self.in_run = slot_id, True

    def _new(self, block: Block) -> int:
        slot = Slot(len(self.slots), block.kind)
        if self._at_head:
            self.openers.add(slot.id)
        self.slots[slot.id] = slot
        at = self.pos[self.last] + 1 if self.last is not None else len(self.order)
        if self._at_head:
            # New text opening a segment goes on from the furthest point the article
            # reached, not from where a repeated (and cut) attempt stopped.
            at = len(self.order)
        elif self._skipped_section_next(block, at):
            at = len(self.order)
        self.order.insert(at, slot.id)
        for j in range(at, len(self.order)):
            self.pos[self.order[j]] = j
        self._add_variant(slot, block.text, block.kind, block.units, [block])
        self.last = slot.id
        self.in_run = False
        self._prev = None
        return slot.id


def resolve(doc: Document, config: Config) -> Resolution:
    """Run the resolver over a parsed document."""
    return Resolver(doc, config).run()
