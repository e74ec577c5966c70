"""Stage 4: pick the most complete variant of each slot and write one article.

Within a slot the variants' sentences are aligned into *clusters* (one per
sentence of the clean paragraph). The variant covering the most clusters wins
(ties go to the most complete attempt overall); sentences only other variants
have are merged in at their place; everything else becomes an action.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from dedupe_articles.config import Config
from dedupe_articles.index import Relation, relate
from dedupe_articles.normalize import has_continuation_tag, normalize, sentence_gap
from dedupe_articles.result import Action, ActionKind, excerpt
from dedupe_articles.slots import PROSE, Resolution, Slot, Variant
from dedupe_articles.splitter import Block, BlockKind, Document, Unit

_NEWLINE = re.compile("\n")
_ALIGN_WINDOW = 24
_Member = tuple[int, int]  # (variant index, unit index)


@dataclass
class _Choice:
    text: str
    best: int
    used: dict[int, set[int]]  # variant index -> unit indexes that reached the output
    clusters: list[list[_Member]]


def cluster(slot: Slot, config: Config) -> list[list[_Member]]:
    """Align every variant's units, in order, into clusters of the same sentence."""
    clusters: list[list[_Member]] = []
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


def _bridged(clusters: list[list[_Member]], slot: Slot, config: Config) -> list[list[_Member]]:
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


def _in_order(clusters: list[list[_Member]], slot: Slot) -> list[list[_Member]]:
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
    members: list[_Member],
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
    return best


def _scrap(unit: Unit, config: Config) -> bool:
    return not unit.complete and len(unit.key) < config.min_partial_chars


def _credit(member: _Member, members: list[_Member], variants: Sequence[Variant]) -> float:
    key = variants[member[0]].units[member[1]].key
    longest = max(len(variants[vi].units[ui].key) for vi, ui in members)
    for vi, ui in members:
        other = variants[vi].units[ui].key
        if len(other) > len(key) and key in other:
            return len(key) / longest  # a cut or partial copy of a longer member
    return 1.0


def choose(
    slot: Slot,
    attempt_size: dict[int, int],
    config: Config,
    segments: Sequence[str] = (),
    raw: str = "",
    finished: dict[int, bool] | None = None,
) -> _Choice:
    """The slot's output text: the best variant, completed from the others."""
    variants = slot.variants
    finished = finished or {}
    clusters = cluster(slot, config)
    coverage = [0.0] * len(variants)
    for members in clusters:
        for member in members:
            coverage[member[0]] += _credit(member, members, variants)

    def rank(vi: int) -> tuple[float, bool, int, bool, int, int]:
        v = variants[vi]
        heading = v.kind is BlockKind.HEADING
        tagged = heading and has_continuation_tag(v.text)
        # A heading's form ("## H" or "**H**") is the one the input repeats most.
        copies = raw.count(v.text) if heading and raw else 0
        size = attempt_size.get(v.attempt, 0)
        done = finished.get(v.attempt, True)  # a cut attempt is not the complete one
        return (round(coverage[vi], 6), not tagged, copies, done, size, -v.order)

    ranks = [rank(vi) for vi in range(len(variants))]
    best = max(range(len(variants)), key=ranks.__getitem__)

    picks: list[_Member] = []
    for members in clusters:
        own = [m for m in members if m[0] == best]
        if not own and all(_scrap(variants[vi].units[ui], config) for vi, ui in members):
            continue  # a few characters of a cut attempt that match nothing: junk
        pool = own or (members if config.merge_variants else [])
        if not pool:
            continue
        pick = pool[0]
        longer = [
            m for m in members
            if variants[m[0]].units[m[1]].complete
            and len(variants[m[0]].units[m[1]].key) > len(variants[pick[0]].units[pick[1]].key)
            and variants[pick[0]].units[pick[1]].key in variants[m[0]].units[m[1]].key
        ]  # fmt: skip
        if longer:
            pick = max(longer, key=lambda m: (len(variants[m[0]].units[m[1]].key), ranks[m[0]]))
        elif not own:
            pick = max(members, key=lambda m: (variants[m[0]].units[m[1]].complete, ranks[m[0]]))
        picks.append(_majority(pick, members, variants, segments))
    used: dict[int, set[int]] = {}
    for vi, ui in picks:
        used.setdefault(vi, set()).add(ui)
    own_all = [(best, ui) for ui in range(len(variants[best].units))]
    text = variants[best].text if picks == own_all else _join(picks, variants)
    return _Choice(text, best, used, clusters)


def _majority(
    pick: _Member,
    members: list[_Member],
    variants: Sequence[Variant],
    segments: Sequence[str],
) -> _Member:
    """The wording of a sentence most attempts agree on (a cut copy agrees with the
    wordings it begins); ``pick`` unless another wording has strictly more votes.
    Ties go to the wording more segments of the input hold (echoes and stray
    copies repeat the original wording too), then to the one the others differ
    from least; still tied, ``pick``: the wording of the paragraph's most complete
    variant (measured better than the attempt's size or its finish).

    Rewording is noise an attempt adds on its own; the original wording is the
    one several attempts share.
    """
    keys = [variants[vi].units[ui].key for vi, ui in members]
    complete = [
        (m, k) for m, k in zip(members, keys, strict=True) if variants[m[0]].units[m[1]].complete
    ]
    # One say per attempt: an attempt repeating its closing sentences as a paragraph
    # of their own still wrote them once.
    distinct = {(variants[m[0]].attempt, k): k for m, k in complete}.values()

    def voters() -> Iterator[tuple[object, str]]:
        for (vi, ui), key in zip(members, keys, strict=True):
            yield ("attempt", variants[vi].attempt), key
            unit = variants[vi].units[ui]
            for segment, held in variants[vi].copies.items():  # exact copies vote too
                if held >= unit.end:
                    yield ("copy", segment), key
                elif held > unit.start:  # for the words of it they held, if any
                    yield ("copy", segment), normalize(unit.text[: held - unit.start])

    ballots = [key for _, key in dict.fromkeys(voters())]

    def votes(wording: str) -> int:
        return sum(wording.startswith(k) for k in ballots)  # a cut copy agrees with all it begins

    def found(wording: str) -> int:
        return sum(wording in segment for segment in segments)

    def centre(wording: str) -> float:
        # With three wordings, each its own, the original is the one the others
        # differ from least: every attempt changed it in a different place.
        return round(sum(fuzz.ratio(wording, k) for k in distinct), 6)

    pick_key = variants[pick[0]].units[pick[1]].key
    best, best_votes = pick, votes(pick_key)
    for member, key in complete:
        best_key = variants[best[0]].units[best[1]].key
        if key in pick_key or pick_key in key:
            continue  # a piece or an extension is not another wording
        if len(key) < len(pick_key) * 0.6:
            continue
        if key[:2] != pick_key[:2] and len(key) < len(pick_key):
            continue  # the tail of it left at a continuation's head is not a wording
        mine = votes(key)
        if mine > best_votes:
            best, best_votes = member, mine
        elif mine == best_votes and _letter_dropped(best_key, key):
            best, best_votes = member, mine  # the other wording lost a letter: a typo
        elif mine == best_votes and segments and not _letter_dropped(key, best_key):
            here, there = (found(key), centre(key)), (found(best_key), centre(best_key))
            if here > there:
                best, best_votes = member, mine
    return best


def _letter_dropped(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` with one letter missing from one word (a typo
    an attempt made; dropping a whole word or adding one says nothing like it).

    >>> _letter_dropped("a short evenng talk", "a short evening talk")
    True
    >>> _letter_dropped("a short talk", "a short evening talk")
    False
    >>> _letter_dropped("不仅书的效率", "不仅读书的效率")
    True
    """
    if len(long) != len(short) + 1:
        return False
    i = next((k for k, (a, b) in enumerate(zip(short, long, strict=False)) if a != b), len(short))
    return long[:i] + long[i + 1 :] == short and long[i].isalnum()


def _join(picks: list[_Member], variants: Sequence[Variant]) -> str:
    out: list[str] = []
    prev: _Member | None = None
    for vi, ui in picks:
        unit = variants[vi].units[ui]
        if prev is not None:
            if prev[0] == vi and prev[1] == ui - 1:
                out.append(variants[vi].text[variants[vi].units[prev[1]].end : unit.start])
            else:
                out.append(sentence_gap(out[-1] if out else "", unit.text))
        out.append(unit.text)
        prev = (vi, ui)
    return "".join(out)


def _never_whole(slot: Slot, piece: Block) -> bool:
    """Whether the slot was only ever seen cut, apart from ``piece``."""
    others = [v for v in slot.variants if v.blocks[0] is not piece]
    return bool(others) and all(v.units and not v.units[-1].complete for v in others)


def _dropped_kind(
    vi: int, choice: _Choice, variants: Sequence[Variant]
) -> tuple[ActionKind, float]:
    """Why variant ``vi`` is not the output: copy, cut, shorter or reworded."""
    variant = variants[vi]
    if variant.text == choice.text:
        return ActionKind.DUPLICATE, 100.0
    kind, score = ActionKind.DUPLICATE, 100.0
    clusters_of_v = 0
    for members in choice.clusters:
        mine = [m for m in members if m[0] == vi]
        if not mine:
            continue
        clusters_of_v += 1
        key = variant.units[mine[0][1]].key
        kept = [
            variants[m[0]].units[m[1]].key for m in members if m[1] in choice.used.get(m[0], ())
        ]
        if not kept or key in kept:
            continue
        if any(key in k and len(k) > len(key) for k in kept):
            kind = ActionKind.TRUNCATED
        elif kind is not ActionKind.TRUNCATED:
            kind, score = ActionKind.NEAR_DUPLICATE, min(score, fuzz.ratio(key, kept[0]))
    if kind is ActionKind.DUPLICATE and clusters_of_v < len(choice.clusters):
        kind = ActionKind.SHORTER_VARIANT
    return kind, score


def assemble(
    doc: Document, res: Resolution, config: Config, original: str
) -> tuple[str, list[Action]]:
    """Write the clean article and turn every decision into an :class:`Action`."""
    texts: list[str] = []
    out_index: dict[int, int] = {}
    pending: list[tuple[ActionKind, int, int, int | None, float, str]] = []
    bounds = [0, *(i for span in doc.markers for i in span), len(doc.text)]
    # Per segment: a wording an attempt repeats (closing sentences again) counts once.
    segments = tuple(
        normalize(doc.text[a:b]) for a, b in zip(bounds[::2], bounds[1::2], strict=True)
    )
    choices = {
        slot_id: choose(
            res.slots[slot_id], res.attempt_size, config, segments, doc.text, res.finished
        )
        for slot_id in res.order
    }
    order = list(res.order)
    starts = {slot_id: normalize(choices[slot_id].text) for slot_id in order}
    for i in range(len(order) - 1, -1, -1):
        scraps = res.slots[order[i]].variants
        if not all(len(v.units) == 1 and _scrap(v.units[0], config) for v in scraps):
            continue
        key = scraps[0].units[0].key
        # A few characters of a cut attempt standing alone are a truncated copy of
        # a block they begin (the next one if it fits); otherwise they are kept.
        others = [order[j] for j in (i + 1, *range(len(order))) if j < len(order) and j != i]
        owner = next(
            (o for o in others if starts[o].startswith(key) and len(starts[o]) > len(key)), None
        )
        if owner is None:
            continue
        for v in scraps:
            for block in v.blocks:
                pending.append(
                    (ActionKind.TRUNCATED, block.start, block.end, owner, 100.0, "truncated")
                )
        del order[i]
    glue = {
        (a, b) for a, b, piece in res.glued
        if res.slots[a].kind in PROSE and res.slots[b].kind in PROSE
        and (_never_whole(res.slots[a], piece) or (a, b) in res.together)
    }  # fmt: skip
    prev: int | None = None
    for slot_id in order:
        slot = res.slots[slot_id]
        choice = choices[slot_id]
        text = choice.text
        if slot.kind is not BlockKind.CODE:
            text = "\n".join(line.rstrip() for line in text.split("\n"))
        if (prev, slot_id) in glue and texts:
            texts[-1] += sentence_gap(texts[-1], text) + text
        else:
            texts.append(text)
        out_index[slot_id] = len(texts) - 1
        prev = slot_id
        for vi, variant in enumerate(slot.variants):
            if vi == choice.best:
                continue
            if choice.used.get(vi):
                for block in variant.blocks:
                    pending.append((ActionKind.MERGED, block.start, block.end, slot_id, 100.0,
                                    "sentences only this attempt had were merged"))  # fmt: skip
            kind, score = _dropped_kind(vi, choice, slot.variants)
            for block in variant.blocks:
                pending.append(
                    (kind, block.start, block.end, slot_id, score, kind.value.replace("_", " "))
                )
    for ev in res.events:
        pending.append((ev.kind, ev.start, ev.end, ev.slot, ev.score, ev.detail))
    if not pending:
        return original, []
    body = "\n\n".join(texts)
    out = (doc.front_matter + doc.front_matter_gap if doc.front_matter is not None else "") + body
    if doc.final_newline and out:
        out += "\n"
    out = out.replace("\n", doc.newline)
    if doc.bom:
        out = "\ufeff" + out
    actions = _locate(pending, doc, texts, out_index)
    return out, actions


def _locate(
    pending: list[tuple[ActionKind, int, int, int | None, float, str]],
    doc: Document,
    texts: list[str],
    out_index: dict[int, int],
) -> list[Action]:
    """Turn LF offsets into offsets and line numbers of the input as given."""
    newlines = [m.start() for m in _NEWLINE.finditer(doc.text)]
    crlf = doc.newline == "\r\n"
    shift = 1 if doc.bom else 0

    def place(offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(newlines, offset)
        return offset + shift + (line if crlf else 0), line + 1

    actions = []
    for kind, start, end, slot, score, detail in sorted(
        pending, key=lambda p: (p[1], p[2], p[0].value)
    ):
        s, s_line = place(start)
        e, _ = place(end)
        _, e_line = place(max(start, end - 1))
        block = out_index.get(slot) if slot is not None else None
        actions.append(
            Action(
                kind=kind,
                start=s,
                end=e,
                start_line=s_line,
                end_line=e_line,
                excerpt=excerpt(doc.text[start:end]),
                matched_block=block,
                matched_excerpt=excerpt(texts[block], 60) if block is not None else "",
                score=score,
                detail=detail,
            )
        )
    return actions
