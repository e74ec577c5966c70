"""Alignment of one slot's attempts: their sentences, in order, into *clusters*.

A cluster is one sentence of the clean paragraph as every attempt that has it
wrote it (copied, cut, reworded). The reassembler counts clusters to find the
most complete attempt and votes within each cluster on the wording.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence

from dedupe_articles.config import Config
from dedupe_articles.edits import one_char_edit
from dedupe_articles.index import Relation, relate
from dedupe_articles.slots import Slot, Variant
from dedupe_articles.splitter import Unit

_ALIGN_WINDOW = 24
Member = tuple[int, int]  # (variant index, unit index)


def cluster(slot: Slot, config: Config) -> list[list[Member]]:
    """Align every variant's units, in order, into clusters of the same sentence."""
    clusters: list[list[Member]] = []
    if len(slot.variants) == 1:
        return [[(0, ui)] for ui in range(len(slot.variants[0].units))]
    for vi, variant in enumerate(slot.variants):
        last = -1
        mine: set[int] = set()  # the clusters (by id) this variant already joined
        for ui, unit in enumerate(variant.units):
            best, best_score = -1, 0.0
            head = ui == 0  # a repeat may open with the tail of a cut sentence
            tail = ui == len(variant.units) - 1 and not unit.complete
            # Attempts drop a few sentences, not dozens: a bounded look ahead keeps
            # the alignment linear in the size of the slot.
            for ci in range(last + 1, min(len(clusters), last + 1 + _ALIGN_WINDOW)):
                score = _affinity(unit, clusters[ci], slot.variants, config, head=head, tail=tail)
                if score > best_score:
                    best, best_score = ci, score
            if best < 0:
                # Complementary attempts each lack other sentences, so one may have
                # put its own sentence before a sentence this one has first: look
                # back too (only a real match), and let the order be settled below.
                for ci in range(max(0, last + 1 - _ALIGN_WINDOW), last + 1):
                    if id(clusters[ci]) in mine:
                        continue
                    score = _affinity(
                        unit, clusters[ci], slot.variants, config, head=head, tail=tail
                    )
                    if score >= config.variant_cutoff and score > best_score:
                        best, best_score = ci, score
            if best < 0:
                clusters.insert(last + 1, [(vi, ui)])
                last += 1
                mine.add(id(clusters[last]))
            else:
                clusters[best].append((vi, ui))
                mine.add(id(clusters[best]))
                last = max(last, best)
    return _in_order(_bridged(clusters, slot, config), slot)


def _bridged(clusters: list[list[Member]], slot: Slot, config: Config) -> list[list[Member]]:
    """Merge neighbouring clusters that no variant has both of, when a member of one
    is a variant of a member of the other: three wordings of a sentence each one
    change apart from the next ("dos … a poco", "dos … supieron a poco", "también …
    supieron a poco") align as one sentence, not two."""
    out = [clusters[0]] if clusters else []
    for members in clusters[1:]:
        prev = out[-1]
        if not {vi for vi, _ in prev} & {vi for vi, _ in members} and any(
            _affinity(
                slot.variants[vi].units[ui], prev, slot.variants, config, head=False, tail=False
            )
            >= config.variant_cutoff
            for vi, ui in members
        ):
            out[-1] = prev + members
        else:
            out.append(members)
    return out


def _in_order(clusters: list[list[Member]], slot: Slot) -> list[list[Member]]:
    """The clusters in an order every variant agrees with (each variant's sentences
    come in its own order), otherwise as aligned; ties keep the aligned order."""
    where = {member: ci for ci, members in enumerate(clusters) for member in members}
    after: list[set[int]] = [set() for _ in clusters]
    needs = [0] * len(clusters)
    for vi, variant in enumerate(slot.variants):
        seq = [where[(vi, ui)] for ui in range(len(variant.units))]
        for a, b in itertools.pairwise(seq):
            if a != b and b not in after[a]:
                after[a].add(b)
                needs[b] += 1
    ready = [ci for ci in range(len(clusters)) if needs[ci] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        ci = heapq.heappop(ready)
        order.append(ci)
        for nxt in after[ci]:
            needs[nxt] -= 1
            if needs[nxt] == 0:
                heapq.heappush(ready, nxt)
    if len(order) < len(clusters):
        return clusters  # the variants disagree on the order (a cycle): keep it as aligned
    return [clusters[ci] for ci in order]


def _same_opening(cut: str, whole: str) -> bool:
    """Whether a cut fragment and a sentence open alike: the same first word, or
    (unspaced scripts) the same first two characters.

    >>> _same_opening("wir zwei", "wir hatten zwei pflanzen."), _same_opening("ab", "ac")
    (True, False)
    """
    if " " in cut:
        return cut.split(" ", 1)[0] == whole.split(" ", 1)[0]
    return len(cut) >= 2 and whole.startswith(cut[:2])


def _affinity(
    unit: Unit,
    members: list[Member],
    variants: Sequence[Variant],
    config: Config,
    *,
    head: bool,
    tail: bool,
) -> float:
    best = 0.0
    for vi, ui in members[:4]:
        other = variants[vi].units[ui]
        if len(other.key) > len(unit.key) and (
            (head and other.key.endswith(unit.key)) or (tail and other.key.startswith(unit.key))
        ):
            # Within one slot even a few characters left at a continuation's head,
            # or at an attempt's cut end, belong to the sentence they came from.
            return 100.0
        # A short cut tail that matches nothing else but opens like a sentence of
        # the other attempts is that sentence, cut and reworded ("Wir zwei|"):
        # weak evidence, taken only when nothing better aligns.
        cut, whole = (unit, other) if len(unit.key) < len(other.key) else (other, unit)
        if (
            not cut.complete
            and len(cut.key) < 3 * config.min_partial_chars
            and (cut is other or tail)
            and _same_opening(cut.key, whole.key)
        ):
            best = max(best, 1.0)
        verdict = relate(
            unit.key,
            other.key,
            cutoff=config.variant_cutoff,
            min_partial=config.min_partial_chars,
            query_cut=not unit.complete,
            cand_cut=not other.complete,
            query_head=head,
        )
        if verdict is not None:
            best = max(best, verdict[1] + (1 if verdict[0] is Relation.EXACT else 0))
        elif unit.complete and other.complete and one_char_edit(unit.key, other.key):
            # A sentence too short for a ratio, reworded by one or two characters.
            best = max(best, config.variant_cutoff)
    return best
