"""Reuse or regeneration: what a sentence shared with a kept paragraph says.

A mixin of the :class:`~dedupe_articles.resolver.Resolver`, over
:class:`~dedupe_articles.evidence.Evidence`. A block sharing sentences with a kept
paragraph is another attempt of it (a regeneration: it joins that slot), or new
text that uses a sentence again on purpose (a refrain, a conclusion opening like
an earlier paragraph), or it moved a sentence there, or it runs the paragraph
before's closing line into its own. The tests here tell these apart.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from dedupe_articles.edits import one_word_apart
from dedupe_articles.evidence import ECHO_STEP, Evidence
from dedupe_articles.index import Match, Relation
from dedupe_articles.normalize import is_unspaced, opens_mid_sentence
from dedupe_articles.slots import Variant
from dedupe_articles.splitter import Block, BlockKind, Unit


class Reuse(Evidence):
    """Sentences used again: on purpose, or by another attempt (state lives in the
    resolver)."""

    def _regenerates(
        self, block: Block, per_unit: list[dict[int, Match]], assign: list[int | None], target: int
    ) -> bool:
        """Whether ``block``, sharing sentences with ``target`` (at most single ones
        with other slots), is another attempt of that paragraph."""
        n, k = len(block.units), sum(s == target for s in assign)
        slot = self.slots[target]
        size = max(len(v.units) for v in slot.variants)
        # (A lone sentence of the paragraph, kept as a copy of it, says nothing of
        # how the paragraph opens: "宁可慢一点，也不要受伤。" may close it.)
        inner = [u.key for v in slot.variants for u in v.units[1:]]
        whole = [
            v for v in slot.variants
            if len(v.units) > 1 or not any(key.startswith(v.units[0].key) for key in inner)
        ]  # fmt: skip
        # (A cut sentence completed after new sentences of the block's own is a
        # sentence the article uses again, not the rest of that paragraph.)
        extends_cut = (block.head or target == self.last) and any(
            m.relation in (Relation.EXTENDS, Relation.CONTAINS)
            and m.key in self.cut_keys.get(target, ())
            and all(s == target for s in assign[:j])
            for j, found in enumerate(per_unit)
            for s, m in found.items()
            if s == target
        )
        first = per_unit[0].get(target)
        same_opening = (
            first is not None
            and first.relation is Relation.EXACT
            and len(block.units[0].key) >= self.config.strong_block_chars
            and any(v.units and v.units[0].key == block.units[0].key for v in whole)
        )
        # One shared sentence is weak evidence: an article may reuse a sentence on
        # purpose. It counts only when the block belongs to another attempt.
        # (In an article already shown to be polluted, by markers or whole repeated
        # blocks, a paragraph opening like an earlier one is a regeneration too.)
        elsewhere = all(v.attempt != self.attempt for v in slot.variants) or (
            self.polluted and self.last is not None and self.pos[target] < self.pos[self.last]
        )
        reused = self._reused(block, assign, target)
        longer = any(len(v.units) > 1 for v in whole)
        # (A lone cut piece found inside a kept sentence, beside longer new text, is
        # no sign: "私たちが日常的に使うスマ" in "正直なところ、私たちが日常的に…".)
        # (Nor is one another attempt words otherwise: "…Stable Diffusionなどが、…
        # 注目を" against "…Stable Diffusionといったサービスが、…".)
        j = assign.index(target) if k == 1 else -1
        shared = per_unit[j][target] if j >= 0 else None
        slight = (
            shared is not None
            and not block.units[j].complete
            and (
                shared.relation is Relation.INSIDE
                or (shared.relation is Relation.PREFIX and shared.score < 100)
            )
            and 2 * len(block.units[j].key) < len(block.key)
        )
        return (
            (
                2 * k >= n
                and (k >= 2 or elsewhere or target == self.last)
                and not reused
                and not slight
            )
            or (k >= 2 and 2 * k >= size)
            or extends_cut
            # (A paragraph opening like one far behind, met as the article's newest
            # text, reuses that opening, unless its neighbours repeat that one's.)
            or (same_opening and elsewhere and (not reused or self._beside_neighbours(target)))
            or any(
                continues(block.units, v.units)
                # (A cut copy of the opening sentence alone, written after another
                # paragraph than this block, may be a cut attempt of the paragraph
                # whose opening this block reuses: it links the two only when it
                # stands where this block does.)
                # (Nor does a whole one-sentence attempt of a longer paragraph, for
                # a block met as the article's newest text: "Un jardin partagé,
                # c'est d'abord une histoire de voisins." alone, then the
                # conclusion opening with it.)
                and not (
                    reused
                    and len(v.units) == 1
                    and (not v.units[0].complete or (self._at_newest() and longer))
                    and not self._after_same(v)
                )
                for v in whole
            )
        )

    def _closing_glued(
        self, block: Block, per_unit: list[dict[int, Match]], assign: list[int | None], target: int
    ) -> int:
        """How many of the block's first sentences are, verbatim, the closing
        sentences of the paragraph just before ``target`` (0 if none)."""
        other = assign[0]
        # (Fragments of cut attempts may stand between the two.)
        if other is None or not 0 < self.pos[target] - self.pos[other] <= ECHO_STEP:
            return 0
        k = 0
        while k < len(assign) - 1 and assign[k] == other:
            if per_unit[k][other].relation is not Relation.EXACT:
                return 0
            k += 1
        if assign[k] != target:
            return 0
        lead = [u.key for u in block.units[:k]]
        closes = any(
            len(v.units) > k and [u.key for u in v.units[-k:]] == lead
            for v in self.slots[other].variants
        )
        return k if closes else 0

    def _reused(self, block: Block, assign: list[int | None], target: int) -> bool:
        """Whether the sentence(s) ``block`` shares with ``target`` are used again on
        purpose, not a sign that the block is another attempt of that paragraph."""
        n, k = len(block.units), sum(s == target for s in assign)
        here = self.pos[self.last] if self.last is not None else 0
        # A block opening with the closing sentence(s) of a paragraph written
        # further back (not the paragraph due next), then going on with its own:
        # an echo on purpose (a refrain in the conclusion). (Cut attempts of that
        # refrain may have taken the cursor back to the paragraph: far behind the
        # article's newest text, it is still further back.)
        if (
            (target != self.last or self.pos[target] < len(self.order) - 1 - ECHO_STEP)
            and not (self.last is not None and self.pos[target] == here + 1)
            and k < n
            and all(s == target for s in assign[:k])
            and any(
                len(v.units) > k
                and [u.key for u in v.units[-k:]] == [u.key for u in block.units[:k]]
                for v in self.slots[target].variants
            )
        ):
            return True
        # One sentence shared verbatim (or cut) with a paragraph behind the one
        # just written, met while the attempt writes the article's newest text
        # (after a paragraph, not a heading that may be another of the same name):
        # a sentence the article reuses.
        shared = {u.key for u, s in zip(block.units, assign, strict=True) if s == target}
        # (Or its other sentences go to the paragraph due next: another attempt of
        # that one, which reuses the sentence too.)
        due = self.order[here + 1] if self.last is not None and here + 1 < len(self.order) else None
        return (
            k == 1
            and (
                (self._at_newest() and not block.head)
                or (due is not None and due in assign and not block.head)
                or (block.head and self._segment[1] == 0 and not self._beside_neighbours(target))
            )
            and self.pos[target] < here - 1
            and any(
                u.key.startswith(key)
                or (not u.complete and key.startswith(u.key))
                # (Worded a little differently too, inside a paragraph: a
                # lone sentence so worded is more likely a cut attempt.)
                or (len(v.units) > 1 and self._same_sentence(key, u.key))
                for v in self.slots[target].variants
                for u in v.units
                for key in shared
            )
            and not opens_mid_sentence(block.text)
            and self._before is not None
            and not self._heading_of_several(self._before)
            and (
                sum(len(u.key) for u, s in zip(block.units, assign, strict=True) if s != target)
                >= self.config.strong_block_chars
                # (or a sentence of its own cut short, nothing of that paragraph's)
                or (
                    assign[-1] is None
                    and not block.units[-1].complete
                    and len(block.units[-1].key) >= self.config.min_partial_chars
                )
            )
        )

    def _beside_neighbours(self, target: int) -> bool:
        """Whether the block's neighbours in its attempt repeat the paragraphs next to
        ``target``: a run written again (a regeneration), not one sentence reused."""
        blocks, i = self._segment
        p = self.pos[target]
        near = {self.order[q] for q in range(p - 1, p + 3) if q != p and 0 <= q < len(self.order)}
        return any(
            near.intersection(found)
            for j in (i - 1, i + 1, i + 2)
            if 0 <= j < len(blocks) and blocks[j].units
            for found in self._lookup(blocks[j])
        )

    def _after_same(self, variant: Variant) -> bool:
        """Whether the block before ``variant`` in its attempt and the block before
        this one share a slot: the two stand at the same place in the article."""
        blocks, i = self._segment
        if i == 0 or not variant.blocks:
            return False
        # (The input block holding the variant's text: it may be a piece of one.)
        k = bisect.bisect_right(self._starts, variant.blocks[0].start) - 1
        if k <= 0 or self.doc.blocks[k - 1].segment != variant.blocks[0].segment:
            return False
        mine = {s for found in self._lookup(blocks[i - 1]) for s in found}
        return any(s in mine for found in self._lookup(self.doc.blocks[k - 1]) for s in found)

    def _at_newest(self) -> bool:
        """Whether the cursor is at the article's newest paragraph."""
        return self.last is not None and self.pos[self.last] == len(self.order) - 1

    def _heading_of_several(self, block: Block) -> bool:
        """Whether ``block`` is a heading that several slots hold ("### Example")."""
        return (
            block.kind is BlockKind.HEADING
            and sum(block.text in (v.text for v in self.slots[s].variants) for s in self.order) > 1
        )

    def _moved(
        self, block: Block, per_unit: list[dict[int, Match]], assign: list[int | None], target: int
    ) -> list[int]:
        """The sentence of a new block that is verbatim a sentence of ``target``
        which this very attempt left out of its own text of ``target``: a
        regeneration that moved it here. (A sentence used twice on purpose is in
        both places in every attempt.)"""
        # This attempt's text of the paragraph: whole sentences (a piece left at a
        # continuation's head says nothing of what the attempt left out).
        own = [
            v for v in self.slots[target].variants
            if v.attempt == self.attempt and len(v.units) >= 2
        ]  # fmt: skip
        if not own:
            return []
        moved = [
            j for j, unit in enumerate(block.units)
            if assign[j] == target
            and per_unit[j][target].relation is Relation.EXACT
            and len(unit.key) >= self.config.strong_block_chars
            and not any(unit.key in u.key or u.key in unit.key for v in own for u in v.units)
        ]  # fmt: skip
        # One sentence among new ones; a block made mostly of the paragraph's
        # sentences is another attempt of that paragraph, for the caller.
        return moved if len(moved) == 1 and 3 * len(moved) <= len(block.units) else []


def continues(longer: Sequence[Unit], shorter: Sequence[Unit]) -> bool:
    """Whether ``longer`` starts with all of ``shorter`` (whose last sentence may be
    cut), each sentence the same or worded slightly differently."""
    if not shorter or len(shorter) > len(longer):
        return False
    for j, unit in enumerate(shorter):
        key = longer[j].key
        if key == unit.key or (
            j == len(shorter) - 1 and not unit.complete and key.startswith(unit.key)
        ):
            continue
        # A reworded opening: a word added, dropped or swapped (not another word
        # put in its place, nor a quote mark: that may be another paragraph).
        if unit.complete and one_word_apart(unit.key.split(), key.split()):
            continue
        if unit.complete and is_unspaced(unit.key) and _characters_apart(unit.key, key):
            continue  # (the same, in a script without spaces, for a few characters)
        return False
    return True


def _characters_apart(a: str, b: str) -> bool:
    """Whether two long sentences differ only by two neighbouring characters
    swapped, or by a run of up to four characters added or dropped.

    >>> _characters_apart("さらに、この動きは、デジタルデバイドの解消に寄与する。",
    ...                   "さらに、この動きは、デジタデルバイドの解消に寄与する。")
    True
    >>> _characters_apart("如果多个发送方共用一个通道，就需要额外的同步机制。",
    ...                   "如果多个发送方共用一个通道，就需外的同步机制。")
    True
    >>> _characters_apart("如果多个发送方共用一个通道，就需要额外的同步机制。",
    ...                   "如果多个接收方共用一个通道，就需要额外的同步机制。")
    False
    """
    if min(len(a), len(b)) < _MIN_CHARACTERS_APART or a == b:
        return False
    if len(a) == len(b):
        i = next(j for j in range(len(a)) if a[j] != b[j])
        return a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1]
    short, long = sorted((a, b), key=len)
    gap = len(long) - len(short)
    if gap > 4:
        return False
    i = next((j for j in range(len(short)) if short[j] != long[j]), len(short))
    return long[:i] + long[i + gap :] == short


# Sentences shorter than this (characters) may differ by a few on purpose.
_MIN_CHARACTERS_APART = 16
