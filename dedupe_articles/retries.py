"""Other attempts of a continuation already stitched on.

A mixin of the :class:`~dedupe_articles.resolver.Resolver`, under the
:class:`~dedupe_articles.stitcher.Stitcher`: a later attempt of the same
continuation may be longer (it replaces the stitched text), cut shorter, or
worded a little differently (it becomes a whole variant of the paragraph, so the
reassembler can vote on the wording). A cut another attempt went on past is no
longer a cut to go on from. Likewise a block that begins a cut
paragraph again in other words is another attempt of that paragraph, not its
continuation (the cut still waits for one). And a continuation whose first
sentences the article has elsewhere is an ordinary copy, not the cut's rest
(`_known_elsewhere`), unless it is a few words ending an earlier sentence of the
cut attempt itself (`_ends_own_sentence`).
"""

from __future__ import annotations

import regex
from rapidfuzz import fuzz

from dedupe_articles.edits import one_edit_prefix, prefix_ratio
from dedupe_articles.index import Relation
from dedupe_articles.lexicon import spans_word
from dedupe_articles.normalize import (
    is_link_line,
    is_unspaced,
    normalize,
    opens_mid_sentence,
    strip_leading_ellipsis,
)
from dedupe_articles.overlap import repeated_at_cut, restarted_word, word_edge
from dedupe_articles.slots import PROSE, Continuation, Variant, group
from dedupe_articles.splitter import Block, BlockKind, Unit, split_units
from dedupe_articles.store import RECENT_SLOTS, Store, key_of

# How many characters of a continuation must agree with a known sentence's text
# after the cut for that sentence to complete the cut.
_DIVERGES = 4
_TERMINATOR = regex.compile(r"[。！？]|[.!?](?=\s)")


class Retries(Store):
    """Recognising retried continuations (state lives in the resolver)."""

    def _completed(self, slot_id: int, variant: Variant) -> bool:
        """Whether another variant of the slot holds the cut text and goes on (also
        worded a little differently: "your quries..." and "your queries will…")."""
        cut = normalize(variant.text)
        others = [v for v in self.slots[slot_id].variants if v is not variant]
        if any(len(k := normalize(v.text)) > len(cut) and k.startswith(cut) for v in others):
            return True
        n, last = len(variant.units), variant.units[-1] if variant.units else None
        if last is None or last.complete or len(last.key) < self.config.min_partial_chars:
            return False
        cutoff = self.config.variant_cutoff
        # (Past the cut sentence: an attempt that stops when it ends may be cut
        # there, with the continuation still to come.)
        return any(
            len(v.units) > n
            and all(
                self._same_sentence(a.key, b.key)
                for a, b in zip(variant.units[: n - 1], v.units, strict=False)
            )
            and prefix_ratio(last.key, v.units[n - 1].key, cutoff) > 0
            for v in others
        )

    def _known_whole(self, slot_id: int, variant: Variant, body: str, again: bool) -> bool:
        """Whether the cut sentence ending ``variant`` is known whole: a truncated
        copy, not a cut. (A short cut that begins sentences of several paragraphs,
        "しかし、オンデバイ", or of another paragraph only, after whole sentences of
        this one, is a common opening: after a marker, it says nothing of which
        paragraph it copies.)"""
        cut = variant.units[-1].key
        slots = [
            s for s in self.index.completing(cut)
            if group(self.slots[s].kind) is group(variant.kind) and (s == slot_id or not again)
        ]  # fmt: skip
        common = len(cut) < 2 * self.config.min_partial_chars and (
            len(slots) > 1 or (len(variant.units) > 1 and slot_id not in slots)
        )
        # (In scripts without spaces, only when a word runs on across the cut.)
        runs_on = not is_unspaced(body[:1]) or spans_word(variant.text.rstrip(), body)
        if (
            slots
            and slot_id not in slots
            and len(variant.units) > 1
            and self._latin_word_across(variant.text, body)
        ):
            # Another paragraph's sentence this one reuses, going on otherwise than
            # that one does, inside a Latin word run into text without spaces
            # ("…Stable Diffusi" + "onなどが", against "…Stable Diffusionといった"):
            # a cut after all.
            going_on = key_of(body, variant.kind)[:_DIVERGES]
            slots = [
                s for s in slots
                for v in self.slots[s].variants for u in v.units
                if u.key.startswith(cut) and _agrees(u.key[len(cut):].lstrip(), going_on)
            ]  # fmt: skip
        return bool(slots) and not (common and runs_on and self._segment[1] == 0)

    def _restarts(self, key: str, *, finished: bool) -> Continuation | None:
        """The stitched continuation (newest first) that the text of ``key`` is a
        longer attempt of, if its variant still ends with it (then the cut it
        continues is, by construction, known whole)."""
        latest = {id(r.variant): r for r in self.continuations}  # each variant's last stitch
        for record in reversed(self.continuations):
            text = record.variant.text
            if text != record.joined and _went_on_from(record, latest[id(record.variant)]):
                # (Later stitches went on from this one's end: what they all wrote
                # after this cut is what a longer attempt begins with.)
                chained = key_of(text[len(record.base) :], record.variant.kind)
                if len(key) > len(chained) and key.startswith(chained):
                    return record
            if text != record.joined or len(key) <= len(record.tail):
                continue
            if key.startswith(record.tail):
                return record
            # (Begun with the cut's last words again: "発来いめ本力発は語た計設。者ち計"
            # after "…発来いめ" + "本力発は語た計設。".)
            # (In a spaced script, begun with the whole cut sentence again, up to
            # a word: "길이 대부분 … 질척해지기 때문이다. 우비를…" after "때문이다.")
            long = len(record.tail) >= self.config.min_partial_chars and is_unspaced(key[:1])
            at = key.find(record.tail, 1) if long else key.find(" " + record.tail) + 1
            head = key[:at].rstrip()
            again = record.cut.endswith(head) if long else record.cut == head
            if (
                at >= (self.config.min_overlap_chars if long else self.config.min_partial_chars)
                and again
                and len(key) > at + len(record.tail)
            ):
                return record
            # The continuation in other words ("avant que même le prog"), begun
            # again and longer: the earlier attempt was a shorter one (a finished
            # one gives way only to a finished attempt).
            if (
                (finished or not record.variant.units[-1].complete)
                and len(record.tail) >= 2 * self.config.min_partial_chars
                and key[:2] == record.tail[:2]
                and prefix_ratio(record.tail, key, self.config.variant_cutoff)
            ):
                return record
            # (Too short for a ratio, a finished one a character or two apart:
            # "返し発します。大切なのは…" after "返し発生します。".)
            if (
                record.variant.units[-1].complete
                and is_unspaced(key[:1])
                and one_edit_prefix(record.tail, key)
            ):
                return record
        return None

    def _reworded_cut_of(self, block: Block) -> Continuation | None:
        """The recent stitched continuation whose start a cut block is, slightly
        reworded (a letter missing, a word changed): a shorter attempt of it.
        (Only recent ones: a continuation's attempts follow it closely, and looking
        at all of them would make long inputs quadratic.)"""
        if not block.units or block.units[-1].complete:
            return None
        size = len(block.key)
        if size < self.config.min_partial_chars:
            return None
        cutoff = self.config.variant_cutoff
        # (Too short for a ratio: one edit apart, "く変わります。手動" of "く変わまりす。…".)
        short = size < 2 * self.config.min_partial_chars
        return next(
            (
                r
                for r in reversed(self.continuations[-RECENT_SLOTS:])
                if size < len(r.tail)
                and r.tail[:2] == block.key[:2]  # (starts it: "dimar banras…" is no "banras…")
                and (
                    one_edit_prefix(block.key, r.tail)
                    # (A swap in a short one is too much for the ratio: "avant même
                    # que le" of "avant que même le prog".)
                    or (not short and prefix_ratio(block.key, r.tail, cutoff) > 0)
                )
            ),
            None,
        )

    def _rewording_of(self, block: Block) -> Continuation | None:
        """The stitched continuation (newest first) that ``block``, opening a
        segment, is another wording of: about as long, and closer to it than to
        the whole paragraph it was stitched onto (that would be a restart)."""
        if block.kind not in PROSE or not block.units or not block.units[-1].complete:
            return None
        for record in reversed(self.continuations):
            size = len(record.tail)
            if (
                abs(len(block.key) - size) > max(0.2 * size, 10)  # (a word, in a short one)
                or block.key.endswith(record.tail)
                or block.key in record.tail
            ):
                continue  # the same words, or fewer, or a few repeated from the cut: a copy
            score = fuzz.ratio(block.key, record.tail, score_cutoff=self.config.variant_cutoff)
            if score and fuzz.ratio(block.key, key_of(record.joined, block.kind)) < score:
                return record
        return None

    def _reworded_continuation(self, block: Block) -> bool:
        """Another wording of a continuation already stitched in (a word added,
        dropped or swapped) becomes a whole variant of the paragraph, the cut
        text plus this wording, so the reassembler can vote on the wording
        instead of seeing only a piece of a sentence."""
        record = self._rewording_of(block)
        if record is None:
            return False
        body = block.text.strip()
        # Words repeated from before the cut are the cut text's, not new ones:
        # drop the repeated start whose removal leaves text most like the
        # continuation (whose own repeated words were dropped when stitched).
        # (Or the cut word begun again whole: "…典型だ。Constitu" + "Constitutional".)
        cut_word = restarted_word(record.base, body, self.join_model)
        repeats = [
            size for size in range(1, min(len(body), 80))
            if record.base.endswith(body[:size].rstrip()) and body[:size].strip()
            and (word_edge(body, size) or size == cut_word)
        ]  # fmt: skip
        best = max(
            [0, *repeats],
            key=lambda size: (fuzz.ratio(key_of(body[size:], block.kind), record.tail), -size),
        )
        body = body[best:].lstrip()
        rest = record.joined[len(record.base) :]
        text = record.base + rest[: len(rest) - len(rest.lstrip())] + body
        slot = self.slots[record.slot]
        kind = record.variant.kind
        if record.block.segment == block.segment:
            # The attempt went back to write it again: the restart is a new attempt,
            # this block its first.
            self.attempt_size[self.attempt] -= len(block.key)
            self.attempt += 1
            self.attempt_size[self.attempt] += len(block.key)
        self._variant_or_copy(slot, text, kind, split_units(text, kind), block)
        self.last, self.in_run, self._prev = record.slot, True, None
        return True

    def _ends_own_sentence(self, unit: Unit, body: str, variant: Variant) -> bool:
        """Whether ``unit``, a few words opening a continuation in a spaced script
        that no sentence opens with (lower case, a Korean ending), is also the end
        of an earlier sentence of the cut ``variant`` ("…en pleine terre. … une
        partie de la" + "terre."): the rest of the cut sentence, not a stray end of
        that one, which is whole in this very attempt. (Not of a sentence a stitch
        finished: the words may be another attempt of that stitch.)"""
        if not (
            unit.complete
            and len(unit.key) < self.config.strong_block_chars
            and opens_mid_sentence(body)
            and not any(map(is_unspaced, unit.text))
        ):
            return False
        return any(
            u.complete
            and len(u.key) > len(unit.key)
            and u.key.endswith(unit.key)
            and not any(
                r.variant is variant and r.cut and u.key.startswith(r.cut)
                for r in self.continuations
            )
            for u in variant.units[:-1]
        )

    def _known_elsewhere(
        self,
        first: list[Unit],
        slot_id: int,
        variant: Variant,
        body: str,
        overlap: int,
        confirmed: bool,
    ) -> bool:
        """Whether the continuation's first sentences are text the article has
        elsewhere: an ordinary copy, not the rest of the cut paragraph."""
        new = False
        # A few words ending another paragraph's sentence ("てくるでしょう。") right
        # after the cut the marker made are that cut's rest, unless the attempt goes
        # on with what follows that other paragraph, or with anything written before
        # the cut (then the words restart the article there).
        short = len(first[0].key) < self.config.strong_block_chars
        # (However far back the cut, when it and the words run into one word of
        # Japanese or Chinese: "後押しするこ|とでしょう。")
        # (Or the words cannot open a sentence at all: "になりました。" after "…以下".)
        loose = short and (
            (is_unspaced(body[:1]) and spans_word(variant.text.rstrip(), body))
            or opens_mid_sentence(body)
        )
        after = self._next_block_slots(slot_id, loose=loose) if short else None
        for j, unit in enumerate(first[:2]):
            if j == 0 and confirmed:
                continue
            if unit.end <= overlap:
                continue  # the words repeated from the cut ("りました。| 午前中に…")
            if (
                unit.start < overlap
                and len(unit.key) < self.config.strong_block_chars
                and _TERMINATOR.search(body, 0, overlap)
            ):
                continue  # (the short cut sentence they run on to: "からだ。考え|てみて…")
            if j == 1 and confirmed and len(unit.key) < self.config.strong_block_chars:
                break  # (after the cut sentence begun again, a short one may be anywhere)
            if j == 0 and self._heading_run_in(unit.key):
                return True  # a heading run into a known paragraph's start: an echo
            found = [
                m for m in self.index.lookup(
                    unit.text, unit.key, cut=not unit.complete, head=j == 0
                )
                # A sentence naming a section ("los problemas") is no copy of it.
                if (m.relation is not Relation.CONTAINS
                    or self.slots[m.slot].kind is not BlockKind.HEADING)
                and not (j == 0 and m.relation is Relation.INSIDE and m.slot != slot_id
                         and after is not None and self.pos[m.slot] + 1 not in after
                         and all(p > self.pos[slot_id] for p in after))
            ]  # fmt: skip
            if new and all(
                m.slot != slot_id and self._closes(m.slot, unit.key, first[0].key) for m in found
            ):
                break  # new text, then the closing line of another paragraph: a refrain
            own_end = (
                len(first) == 1 and not overlap and self._ends_own_sentence(unit, body, variant)
            )
            # Text known elsewhere is an ordinary copy, not a continuation (an
            # overlap may be chance: "marlu" ends one word, starts another).
            if any(m.slot != slot_id or not (overlap or own_end) for m in found):
                return True
            # (Words finishing the cut sentence are new however short: lower case,
            # "o| no.", or going on from the words repeated at the cut.)
            new = (
                not found
                and unit.complete
                and (
                    len(unit.key) >= self.config.strong_block_chars
                    or (j == 0 and opens_mid_sentence(body) and not is_unspaced(body[:1]))
                    or (j == 0 and unit.start < overlap)
                )
            )
        return False

    def _next_block_slots(self, slot_id: int, *, loose: bool = False) -> set[int] | None:
        """Where the block after the one at hand goes in the article (the positions
        of the slots it copies; empty for new text), when the one at hand follows
        the cut of ``slot_id`` the marker just made (``loose``: any cut of it);
        else None."""
        blocks, i = self._segment
        # (A heading says where the attempt went on however short: "#### 2.5. 運用".)
        after = blocks[i + 1] if i + 1 < len(blocks) else None
        if after is None or len(after.key) < (
            self.config.min_partial_chars
            if after.kind is BlockKind.HEADING
            else self.config.strong_block_chars
        ):
            return None
        if not any(
            v.blocks
            and self._before is not None
            # (a verbatim copy of the variant's block is counted, not added to it)
            and (loose or v.blocks[-1].text == self._before.text)
            and len(v.units[-1].key) >= self.config.min_partial_chars
            for v in self.slots[slot_id].variants
        ):
            return None
        return {
            self.pos[m.slot]
            for u in after.units
            for m in self.index.lookup(u.text, u.key, cut=not u.complete)
        }

    def _restart_of_cut(self, block: Block, cuts: list[tuple[int, Variant]]) -> bool:
        """Add ``block`` as another attempt of a cut paragraph it begins again in
        slightly other words (a word or character added, dropped or swapped), if
        it does: no continuation, so the cut still waits for one."""
        if block.kind not in PROSE or not block.units or is_link_line(block.text):
            return False
        body = strip_leading_ellipsis(block.text)
        for slot_id, variant in cuts:
            if (
                variant.kind in PROSE
                and self._restarted_in_other_words(variant, body)
                and not repeated_at_cut(
                    variant.text, body, self.config.min_overlap_chars,
                    self._spaced_cut(variant, block),
                )
            ):  # fmt: skip
                units = split_units(body, block.kind)
                self._variant_or_copy(self.slots[slot_id], body, block.kind, units, block)
                self.attempt_size[self.attempt] += len(block.key)
                self.last, self.in_run = slot_id, True
                return True
        return False

    def _restarted_in_other_words(self, variant: Variant, body: str) -> bool:
        """Whether ``body`` opens with the whole cut text of ``variant``, reworded:
        the same first word, then within ``variant_cutoff`` of it, a word longer
        or shorter (not verbatim: that is an overlap the stitcher keeps once)."""
        cut, head = normalize(variant.text), normalize(body)
        size = len(cut)
        if size < self.config.min_partial_chars or head.startswith(cut):
            return False
        # The same first word (two characters of unspaced text): a continuation
        # overlapping the cut begins inside it.
        start = 2 if is_unspaced(cut[:1]) else cut.find(" ") + 1 or size
        if head[:start] != cut[:start]:
            return False
        slack = max(4, size // 6)  # a word added or dropped
        return any(
            fuzz.ratio(cut, head[:k], score_cutoff=self.config.variant_cutoff)
            for k in range(size - slack, min(len(head), size + slack) + 1)
        )

    def _spaced_cut(self, variant: Variant, block: Block) -> bool:
        """Whether whitespace stood at the cut: after the cut text or before its
        continuation, on the same line as the marker."""
        text = self.doc.text
        line_start = text.rfind("\n", 0, block.start) + 1
        lead = text[line_start : block.start]
        end = variant.blocks[-1].end
        line_end = text.find("\n", end)
        trail = text[end : line_end if line_end != -1 else len(text)]
        # A space that only separates the text from an inline marker is no evidence.
        return (lead != "" and lead.strip() == "") or (trail != "" and trail.strip() == "")


def _agrees(rest: str, going_on: str) -> bool:
    """Whether a sentence's ``rest`` after a cut and a continuation's start agree
    as far as both go (and the sentence goes on)."""
    n = min(len(rest), len(going_on))
    return n > 0 and rest[:n] == going_on[:n]


def _went_on_from(record: Continuation, latest: Continuation) -> bool:
    """Whether ``latest``, the stitch that last changed ``record``'s variant, went on
    from ``record``'s end (not from an earlier base: a longer attempt replaced it)."""
    return latest.joined == record.variant.text and latest.base.startswith(record.joined)
