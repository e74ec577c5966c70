"""Stitching: joining a paragraph cut at a marker (or a missing one) to its continuation.

A mixin of the :class:`~dedupe_articles.resolver.Resolver`: it finds the cut a
continuation goes on from (the segment's own cut, the furthest attempt of it, a
cut the continuation's first words overlap), removes the repeated words, decides
whether a space belongs at the join, and replaces a shorter stitched attempt by a
longer one (recognised by :class:`~dedupe_articles.retries.Retries`).
"""

from __future__ import annotations

from bisect import bisect_left

import regex

from dedupe_articles.lexicon import spans_word
from dedupe_articles.normalize import (
    boundary_joiner,
    is_link_line,
    is_unspaced,
    normalize,
    opens_mid_sentence,
    strip_leading_ellipsis,
)
from dedupe_articles.overlap import (
    attested_at_cut,
    doubled_at_cut,
    doubled_attested,
    repeated_at_cut,
    repeated_but_one,
    restarted_word,
)
from dedupe_articles.result import ActionKind
from dedupe_articles.retries import Retries
from dedupe_articles.slots import PROSE, Continuation, Event, Variant, open_emphasis
from dedupe_articles.splitter import Block, BlockKind, Unit, split_units
from dedupe_articles.store import RECENT_SLOTS, key_of, resplit_tail, scrap

_STITCHABLE = (*PROSE, BlockKind.HEADING)
_MAX_HEADING_REST = 80
_FIRST_TOKEN = regex.compile(r"[\p{Ll}\p{Lu}]+")
_LAST_TOKEN = regex.compile(r"(?<![\w-])[\p{Ll}\p{Lu}]+$")
_LIST_ITEM_END = regex.compile(r"[.!?。！？…:;：；)）」』\]]\W*$")


class Stitcher(Retries):
    """The stitching half of the resolver."""

    def _cut_at_end(self, block: Block) -> tuple[int, Variant] | None:
        """The variant cut mid-sentence that the next segment may continue.

        Usually the segment's own last block; but when that block was only a
        shorter copy of an attempt (regenerations are glued in any order), the
        cut is at the end of the article built so far.
        """
        if not self.config.stitch or self.last is None or not self.order:
            return None
        last_unit = block.units[-1] if block.units else None
        cut_here = (
            block.kind in _STITCHABLE
            and last_unit is not None
            and not last_unit.complete
            and (len(block.key) >= self.config.min_partial_chars or block.kind is BlockKind.HEADING)
        ) or (block.kind is BlockKind.LIST and self._list_cut(block))
        if cut_here:
            slot = self.slots[self.last]
            mine = next((v for v in slot.variants if v.blocks[-1] is block), None)
            if mine is not None and len(mine.text) >= max(len(v.text) for v in slot.variants):
                return self.last, mine
            own = self._longest_cut(self.last, _STITCHABLE)
            if own is not None and "".join(u.key for u in own.units).startswith(block.key):
                return self.last, own  # the block is a shorter copy of this cut
        tail = self.order[-1]
        if len(self.order) > 1 and self._begins(
            tail, self.order[-RECENT_SLOTS - 1 : -1], scraps_only=False
        ):
            tail = self.order[-2]
        longest = self._longest_cut(tail, _STITCHABLE)
        return (tail, longest) if longest is not None else None

    def _begins(self, scrap_id: int, slot_ids: list[int], *, scraps_only: bool = True) -> bool:
        """Whether a slot holding only a scrap (a few characters of a cut attempt, a
        teaser) is the start of one of ``slot_ids``: the full attempt came later and
        went in ahead of it, and the scrap is no cut to go on from. (The article's
        tail may be any one cut sentence: ``scraps_only=False``.)"""
        scraps = self.slots[scrap_id].variants
        if not all(
            len(v.units) == 1
            and (scrap(v.units[0], self.config) or not (scraps_only or v.units[0].complete))
            for v in scraps
        ):  # (a scrap, or with scraps_only=False any one cut sentence)
            return False
        slot_ids = [s for s in slot_ids if not self._hash_heading_apart(s, scraps[0].text)]
        return self._opens_any(scraps[0].units[0].key, slot_ids)

    def _opens_any(self, key: str, slot_ids: list[int]) -> bool:
        """Whether ``key`` is the start of a longer block of one of ``slot_ids``."""
        return any(
            len(k := self._normalized(v.text)) > len(key) and k.startswith(key)
            for slot_id in slot_ids
            for v in self.slots[slot_id].variants
        )

    def _normalized(self, text: str) -> str:
        """``normalize(text)``, remembered: scraps are checked against the same
        recent variants again and again."""
        found = self._norm_memo.get(text)
        if found is None:
            found = self._norm_memo[text] = normalize(text)
        return found

    def _list_cut(self, block: Block) -> bool:
        """Whether a list ends cut inside its last item: a marker follows at once, and
        the item ends unfinished (no end punctuation; in unspaced scripts, which have
        no lower case to tell a continuation by, an emphasis left open)."""
        item = block.units[-1].text if block.units else ""
        if not item or _LIST_ITEM_END.search(item):
            return False
        # The marker follows on the item's line or after at most a blank line.
        markers = self.doc.markers
        at = bisect_left(markers, block.end, key=lambda span: span[0])
        if at == len(markers) or markers[at][0] > block.end + 2:
            return False
        return not is_unspaced(item[-1]) or open_emphasis(item)

    def _stitch(self, block: Block, slot_id: int, variant: Variant) -> bool:
        """Join a continuation onto the paragraph the marker cut, if it continues it."""
        if block.kind not in PROSE or not block.units:
            return False
        if self._begins(slot_id, self.order[-RECENT_SLOTS:]):
            return False
        if variant.kind is BlockKind.LIST and not (
            block.text[:1].islower()
            or (is_unspaced(block.text[:1]) and open_emphasis(variant.units[-1].text))
        ):
            return False  # a list item goes on only with text that cannot open a paragraph
        if variant.kind is BlockKind.HEADING and not _heading_rest(block):
            return False  # only the short unfinished rest of a heading line continues it
        if is_link_line(block.text) or is_link_line(variant.units[-1].text):
            return False  # a line that is only a link ("[Amazonで見る →](…)") is whole
        body = strip_leading_ellipsis(block.text)
        skipped = len(block.text) - len(body)
        first = split_units(body, block.kind)
        if not first:
            return False
        found_cut = self._cut_to_continue(slot_id, variant, body)
        if found_cut is None:
            return False
        slot_id, variant, cut = found_cut
        key = "".join(u.key for u in first)  # (what key_of(body) would split again)
        if (
            len(first) == 1
            and scrap(first[0], self.config)
            and len(key) >= 4
            and (self._opens_any(key, [slot_id, *self.order[-RECENT_SLOTS:]]))
        ):
            # A kept block begun again and cut sooner ("[Amazo"): a copy. (One to
            # three characters may begin anything: "技|育".)
            return False
        record = self._restarts(key, finished=first[-1].complete)
        if record is None and self._completed(slot_id, variant):
            return False  # another attempt already went on past this cut
        # The cut and the block's first words together make a sentence the article
        # already has: the block is the rest of the cut sentence, whatever else
        # the article repeats.
        confirmed = cut is not None and any(
            self.index.exact_slots(cut.key + sep + first[0].key) for sep in ("", " ")
        )
        # (A continuation beginning the cut sentence again, all of it, shows the
        # cut is this paragraph's, whatever other paragraph has that sentence.)
        again = (
            cut is not None
            and len(variant.units) > 1
            and len(cut.key) >= self.config.min_partial_chars
            and self._normalized(body).startswith(cut.key)
            and not cut.text.rstrip().endswith(("…", "..."))  # (a teaser, not a cut)
        )
        if (
            cut is not None
            and record is None
            and not confirmed
            and not (opens_mid_sentence(body) and len(cut.key) < 2 * self.config.min_partial_chars)
            and self._known_whole(slot_id, variant, body, again)
        ):  # fmt: skip
            # The "cut" sentence is known whole: a truncated copy, not a cut. (A
            # heading beginning with the same words completes no paragraph. A cut
            # of a word or two, "…。NimbleEdge", begins many sentences: text that
            # cannot open one, "のSDKが…", goes on from it all the same.)
            return False
        if (
            any(r.tail.startswith(key) for r in self.continuations)
            or self._reworded_cut_of(block)
            or self._rewording_of(block)
        ):
            return False  # another attempt of a continuation already stitched in
        restarted = record is not None
        if record is not None:
            # Another, longer attempt of the continuation just stitched on:
            # it replaces the shorter one rather than following it.
            slot_id, variant = record.slot, record.variant
            variant.text = record.base
            variant.units = split_units(variant.text, variant.kind)  # (none of the old tail)
            old = record.block
            if old.units and old.units[0].complete:
                variant.ends.setdefault(old.segment, old.units[0].key)
            self.events.append(Event(ActionKind.TRUNCATED, old.start, old.end, slot_id, 100.0,
                                     "shorter attempt of a stitched continuation"))  # fmt: skip
        spaced = self._spaced_cut(variant, block)
        # (After a glued-on "…" the attempt says it repeats: "私た" + "…：私たちは".)
        glued = skipped or block.ellipsis
        least = (
            2
            if glued and is_unspaced(variant.text.rstrip()[-1:])
            else self.config.min_overlap_chars
        )
        overlap = repeated_at_cut(variant.text, body, least, spaced)
        if overlap == 0 and not restarted:
            # The continuation may repeat the end of another cut paragraph (the
            # marker's own predecessor can be a stray copy): that one wins.
            for other_id, other in self._cut_variants():
                shortest = self.config.min_overlap_chars
                size = repeated_at_cut(other.text, body, shortest, self._spaced_cut(other, block))
                if size > overlap:
                    slot_id, variant, overlap = other_id, other, size
        if overlap and doubled_attested(variant.text, body, overlap, self._around(block)):
            overlap = 0  # ("that| that plan": another attempt writes "that that")
        if overlap == 0 and not restarted:
            overlap = repeated_but_one(variant.text, body)  # (reworded as they repeat)
        # What the stitch records as the continuation's own text starts after the
        # repeated words, or with the word begun again ("Dat| Dateien") whole.
        tail_from = overlap
        if overlap == 0 and not spaced:
            around = self._around(block)  # (the input near it: how other attempts join)
            overlap = restarted_word(variant.text, body, self.join_model)
            tail_from = 0 if overlap else doubled_at_cut(variant.text, body, around)
            if not (overlap or tail_from):
                tail_from = attested_at_cut(variant.text, body, around)
            overlap = overlap or tail_from
        if overlap >= len(body.rstrip()):
            return False  # nothing beyond the repeated words: a copy, not a continuation
        if not overlap and self._said_again(block, slot_id) is not None:
            return False
        if not restarted and self._known_elsewhere(
            first, slot_id, variant, body, overlap, confirmed or again
        ):
            return False
        self._attach(block, slot_id, variant, body, skipped, overlap, spaced, tail_from)
        return True

    def _word_spanning_cut(
        self, cuts: list[tuple[int, Variant]], block: Block
    ) -> list[tuple[int, Variant]]:
        """The one cut of ``cuts`` that ``block``, opening in Japanese or Chinese,
        completes a word with, when the newest does not ("只有几个服" + "务，…", not
        "一套" + "务"), as a list; else empty."""
        body = strip_leading_ellipsis(block.text)
        if len(cuts) < 2 or not is_unspaced(body[:1]):
            return []
        spanning = [c for c in cuts if spans_word(c[1].text.rstrip(), body)]
        return spanning if len(spanning) == 1 and spanning[0] != cuts[0] else []

    def _word_cuts_first(
        self, cuts: list[tuple[int, Variant]], block: Block
    ) -> list[tuple[int, Variant]]:
        """``cuts`` with those ending a word (or after punctuation) first, when
        ``block`` opens with a whole word: a cut inside a word ("of luk") goes on
        with the rest of that word, not with another ("while the same…")."""
        lasts = [_LAST_TOKEN.search(v.text.rstrip()) for _, v in cuts]
        # (Only a cut ending in letters can move behind one after it; asking for
        # words reads the article's vocabulary, so it is asked last.)
        first = _FIRST_TOKEN.match(block.text)
        if (
            not any(last is not None for last in lasts[:-1])
            or first is None
            or not self.join_model.is_word(first.group(), listed=True)
        ):
            return cuts
        inside = [
            last is not None and not self.join_model.is_word(last.group(), listed=True)
            for last in lasts
        ]
        return [cuts[i] for i in sorted(range(len(cuts)), key=inside.__getitem__)]

    def _cut_to_continue(
        self, slot_id: int, variant: Variant, body: str
    ) -> tuple[int, Variant, Unit | None] | None:
        """The cut paragraph ``body`` goes on from: this one, or another attempt of it
        cut later; None if the cut cannot go on with ``body``."""
        cut = variant.units[-1] if variant.units else None
        if cut is not None:
            # Another attempt of this paragraph may have been cut later: it, not this
            # shorter copy, is where the text goes on.
            # (A few characters cut off may begin another slot's cut paragraph too.)
            others = self._cut_variants() if len(cut.key) < self.config.min_partial_chars else []
            mine = [(slot_id, v) for v in self.slots[slot_id].variants]
            further = [
                (sid, v) for sid, v in [*mine, *others]
                if v.units and not v.units[-1].complete and len(v.units[-1].key) > len(cut.key)
                and v.units[-1].key.startswith(cut.key)
            ]  # fmt: skip
            if further:
                slot_id, variant = max(further, key=lambda sv: len(sv[1].units[-1].key))
                cut = variant.units[-1]
            if (
                len(cut.key) < self.config.min_partial_chars
                and body[:1].isupper()
                and len(variant.units) == 1
            ):
                # "Lo" + "No soy...": a capital does not finish a word. (After whole
                # sentences a short cut is a word, and a name may follow, or the cut
                # sentence begin again: "…efficient. The" + "Go compiler…",
                # "…were clear. We" + "We decided…".)
                return None
            if variant.kind is BlockKind.HEADING and (
                variant.blocks[-1] is not self._before
                or self._segment_end
                or len(self.slots[slot_id].variants) > 1
                or cut.text.rstrip("*_ ").endswith(("?", "？", "!", "！", "。", ".", ":", "："))
            ):
                # A heading goes on only right after itself, and only when it is not
                # known whole (repeated elsewhere, or ending like a sentence). Text
                # that is all its attempt wrote is a cut paragraph under the heading:
                # an attempt stopping just after a heading's last words is unlikely.
                return None
        return slot_id, variant, cut

    def _attach(
        self,
        block: Block,
        slot_id: int,
        variant: Variant,
        body: str,
        skipped: int,
        overlap: int,
        spaced: bool,
        tail_from: int,
    ) -> None:
        """Join ``body`` (after ``overlap`` repeated characters) onto ``variant`` and
        record the stitch (the continuation's own text from ``tail_from`` on)."""
        if overlap:
            # What follows the repeated words keeps its own spacing ("fox| jumps").
            joined = variant.text.rstrip() + body[overlap:].rstrip()
        else:
            tail = body.lstrip()
            joiner = boundary_joiner(variant.text, tail, self.join_model)
            if joiner == "" and spaced and not is_unspaced(tail[:1]):
                joiner = " "  # the glued text kept the space that stood at the cut
            joined = variant.text.rstrip() + joiner + tail
        self.continuations.append(
            Continuation(
                slot_id,
                variant,
                variant.text.rstrip(),
                key_of(body[tail_from:], block.kind),
                joined,
                block,
                variant.units[-1].key if variant.units and not variant.units[-1].complete else "",
            )
        )
        # Every attempt that stopped exactly at this cut ran to the end of its
        # round (a truncated attempt stops elsewhere): its wording is the one to trust.
        base = normalize(variant.text)
        for other in self.slots[slot_id].variants:
            if other is variant or normalize(other.text) == base:
                self.finished[other.attempt] = True
        cut = len(variant.text.rstrip())
        variant.stitches = [s for s in variant.stitches if s[0] < cut]
        variant.stitches.append((cut, self.attempt))
        variant.text = joined
        self._whole_bold_line(self.slots[slot_id], variant)  # ("**教育の" + "変革**")
        fresh = resplit_tail(variant)
        variant.blocks.append(block)
        self._index(slot_id, fresh)
        self.attempt_size[self.attempt] += len(block.key)
        detail = (
            f"continues the cut paragraph; {overlap} repeated characters removed"
            if overlap
            else "continues the cut paragraph"
        )
        self.events.append(
            Event(
                ActionKind.STITCHED,
                block.start,
                block.start + skipped + overlap,
                slot_id,
                100.0,
                detail,
            )
        )
        self.last = slot_id
        self.in_run = True  # what follows a continuation may repeat what followed it before
        if variant.kind is BlockKind.LIST:
            self._open_list = (slot_id, variant, block)

    def _list_goes_on(self, block: Block) -> bool:
        """Append new list items that follow, on the next line, the rest of a cut item:
        the list goes on, it does not start another."""
        open_list, self._open_list = self._open_list, None
        if open_list is None or block.kind is not BlockKind.LIST:
            return False
        slot_id, variant, rest = open_list
        if self._before is not rest or self.doc.text[rest.end : block.start].count("\n") != 1:
            return False
        if any(self.index.lookup(u.text, u.key, cut=not u.complete) for u in block.units):
            return False  # known items: a copy, for the resolver to place
        variant.text = variant.text.rstrip() + "\n" + block.text
        fresh = resplit_tail(variant)
        variant.blocks.append(block)
        self._index(slot_id, fresh)
        self.attempt_size[self.attempt] += len(block.key)
        self.last = slot_id
        return True


def _heading_rest(block: Block) -> bool:
    """Whether ``block`` can be the rest of a heading cut in two: one short unfinished
    line that does not open like a sentence (a capital, in spaced scripts)."""
    if len(block.units) > 1 or block.units[0].complete or "\n" in block.text:
        return False
    first = block.text[0]
    if is_unspaced(first):
        return len(block.text) <= _MAX_HEADING_REST // 4
    return len(block.text) <= _MAX_HEADING_REST and not first.isupper()
