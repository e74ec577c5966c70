"""Stage 4: pick the most complete variant of each slot and write one article.

Within a slot the variants' sentences are aligned into *clusters* (one per
sentence of the clean paragraph). The variant covering the most clusters wins
(ties go to the most complete attempt overall); sentences only other variants
have are merged in at their place; everything else becomes an action.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from dedupe_articles.align import Member as _Member
from dedupe_articles.align import cluster
from dedupe_articles.config import Config
from dedupe_articles.edits import one_word_inside
from dedupe_articles.inside import inside_others
from dedupe_articles.normalize import has_continuation_tag, normalize, sentence_gap
from dedupe_articles.result import Action, ActionKind, excerpt
from dedupe_articles.slots import PROSE, Resolution, Slot, Variant
from dedupe_articles.splitter import Block, BlockKind, Document, heading_level
from dedupe_articles.store import scrap
from dedupe_articles.wording import count_outvoted, majority

_NEWLINE = re.compile("\n")
_TRAILING = re.compile(r"[ \t]+$", re.MULTILINE)


@dataclass
class _Choice:
    text: str
    best: int
    used: dict[int, set[int]]  # variant index -> unit indexes that reached the output
    clusters: list[list[_Member]]


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
    clusters: list[list[_Member]] | None = None,
    outvoted: Counter[int] | None = None,
) -> _Choice:
    """The slot's output text: the best variant, completed from the others."""
    variants = slot.variants
    finished = finished or {}
    clusters = cluster(slot, config) if clusters is None else clusters
    coverage = [0.0] * len(variants)
    for members in clusters:
        for member in members:
            coverage[member[0]] += _credit(member, members, variants)

    def rank(vi: int) -> tuple[float, bool, bool, int, bool, int, bool, int]:
        v = variants[vi]
        heading = v.kind is BlockKind.HEADING
        tagged = heading and has_continuation_tag(v.text)
        # "**H" cut before its "**" is no form of the heading of its own.
        cut = heading and any(
            len(o.text) > len(v.text) and o.text.startswith(v.text)
            and not o.text[len(v.text):].strip("*_")
            for o in variants
        )  # fmt: skip
        # A heading's form ("## H" or "**H**") is the one the input repeats most.
        copies = raw.count(v.text) if heading and raw else 0
        # (A stitched paragraph is as complete as the attempt that wrote its end.)
        size = attempt_size.get(v.attempt_at(len(v.text)), 0)
        done = finished.get(v.attempt, True)  # a cut attempt is not the complete one
        # (Both forms from one attempt, as often: the Markdown heading, not the bold line.)
        marked = heading and heading_level(v.text) > 0
        return (round(coverage[vi], 6), not tagged, not cut, copies, done, size, marked, -v.order)

    ranks = [rank(vi) for vi in range(len(variants))]
    best = max(range(len(variants)), key=ranks.__getitem__)

    keys = {u.key for v in variants for u in v.units}
    best_words = " ".join(u.key for u in variants[best].units).split()
    moved = [
        all(variants[vi].units[ui].key in slot.moved_out for vi, ui in members)
        for members in clusters
    ]
    picks: list[_Member] = []
    for members, gone in zip(clusters, moved, strict=True):
        if gone and not all(moved):
            continue  # (kept where the attempt that moved it had it first)
        own = [m for m in members if m[0] == best]
        if not own and all(scrap(variants[vi].units[ui], config) for vi, ui in members):
            continue  # a few characters of a cut attempt that match nothing: junk
        if not own and all(_tail_of_another(variants[vi].units[ui].key, keys, config)
                           for vi, ui in members):  # fmt: skip
            continue  # the end of a kept sentence left at a continuation's head
        if not own and all(one_word_inside(variants[vi].units[ui].key.split(), best_words)
                           for vi, ui in members):  # fmt: skip
            continue  # two of the best variant's sentences run together, reworded
        pool = own or (members if config.merge_variants else [])
        if not pool:
            continue
        pick = pool[0]
        longer = [
            m for m in members
            if variants[m[0]].units[m[1]].complete
            and len(variants[m[0]].units[m[1]].key) > len(variants[pick[0]].units[pick[1]].key)
            and variants[pick[0]].units[pick[1]].key in variants[m[0]].units[m[1]].key
            and not one_word_inside(variants[m[0]].units[m[1]].key.split(), best_words)
        ]  # fmt: skip
        if longer:
            pick = max(longer, key=lambda m: (len(variants[m[0]].units[m[1]].key), ranks[m[0]]))
        elif not own:
            pick = max(members, key=lambda m: (variants[m[0]].units[m[1]].complete, ranks[m[0]]))
        picks.append(majority(pick, members, variants, segments, outvoted or Counter()))
    used: dict[int, set[int]] = {}
    for vi, ui in picks:
        used.setdefault(vi, set()).add(ui)
    own_all = [(best, ui) for ui in range(len(variants[best].units))]
    text = variants[best].text if picks == own_all else _join(picks, variants)
    return _Choice(text, best, used, clusters)


def _tail_of_another(key: str, keys: set[str], config: Config) -> bool:
    """Whether ``key``, a few characters, ends a longer sentence of the slot.

    >>> _tail_of_another("ました。", {"表にまとめました。", "ました。"}, Config())
    True
    """
    return len(key) < config.min_partial_chars and any(
        len(other) > len(key) and other.endswith(key) for other in keys
    )


def _join(picks: list[_Member], variants: Sequence[Variant]) -> str:
    out: list[str] = []
    prev: _Member | None = None
    for vi, ui in picks:
        unit = variants[vi].units[ui]
        if prev is not None:
            if prev[0] == vi and prev[1] == ui - 1:
                out.append(variants[vi].text[variants[vi].units[prev[1]].end : unit.start])
            else:
                out.append(_gap(variants[prev[0]].units[prev[1]].text, unit.text, variants))
        out.append(unit.text)
        prev = (vi, ui)
    return "".join(out)


def _gap(left: str, right: str, variants: Sequence[Variant]) -> str:
    """The space between two sentences taken from different attempts: as an
    attempt writes it after a sentence ending like ``left`` ("？ また" in an
    article that spaces after a question mark), else by the script's rule."""
    fallback = None
    for v in variants:
        for a, b in itertools.pairwise(v.units):
            gap = v.text[a.end : b.start]
            if a.text[-1:] != left[-1:] or gap.strip():
                continue
            if b.text[:1] == right[:1]:
                return gap
            fallback = gap if fallback is None else fallback
    return sentence_gap(left, right) if fallback is None else fallback


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


def _begun_by(
    res: Resolution,
    order: list[int],
    i: int,
    starts: dict[int, str],
    choices: dict[int, _Choice],
    config: Config,
) -> int | None:
    """The kept block that slot ``order[i]``, one cut sentence in every attempt,
    is a truncated copy of: for a few characters (a scrap), a block they begin (the
    next one if it fits); for a longer cut, the next block, when an attempt of it
    begins so (the attempt that came first worded it otherwise: "目先の" against
    "目さらに先の")."""
    scraps = res.slots[order[i]].variants
    if not all(len(v.units) == 1 and not v.units[0].complete for v in scraps):
        return None
    key = scraps[0].units[0].key
    if not all(scrap(v.units[0], config) for v in scraps):
        there = order[i + 1] if i + 1 < len(order) else None
        if there is None or res.slots[there].kind is not res.slots[order[i]].kind:
            return None
        begins = (normalize(v.text) for v in res.slots[there].variants)
        return there if any(len(k) > len(key) and k.startswith(key) for k in begins) else None
    # (A heading cut short begins no paragraph, "## Sevilla" then "Sevilla nos…",
    # only another heading, with or without its "#".)
    heads = res.slots[order[i]].kind is BlockKind.HEADING
    others = [
        order[j] for j in (i + 1, *range(len(order)))
        if j < len(order) and j != i
        and (not heads or res.slots[order[j]].kind is BlockKind.HEADING)
    ]  # fmt: skip
    return next(
        (
            o for o in others
            for k in (starts[o], *([normalize(choices[o].text, heading=True)] if heads else []))
            if k.startswith(key) and len(k) > len(key)
        ),
        None,
    )  # fmt: skip


def _next_opening(
    slot: Slot, choice: _Choice, following: str, config: Config
) -> tuple[int, int] | None:
    """Drop a scrap cut at the end of ``choice`` that begins ``following`` (the next
    block's key): an attempt ran the next paragraph's first words on to this one
    and was cut there ("…concurrency support. Some"). Returns its input span."""
    variant = slot.variants[choice.best]
    last = variant.units[-1] if variant.units else None
    if (
        last is None
        or last.complete
        or len(variant.units) < 2
        or not scrap(last, config)
        or len(variant.units) - 1 not in choice.used.get(choice.best, set())
        or not following.startswith(last.key)
        or len(following) <= len(last.key)
        or not choice.text.endswith(last.text)
    ):
        return None
    choice.text = choice.text[: -len(last.text)].rstrip()
    choice.used[choice.best].discard(len(variant.units) - 1)
    block = variant.blocks[-1]
    at = block.text.rfind(last.text)
    start = block.start + at if at >= 0 else block.start
    return start, start + len(last.text)


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
    clustered = {slot_id: cluster(res.slots[slot_id], config) for slot_id in res.order}
    outvoted = count_outvoted(res, clustered)
    choices = {
        slot_id: choose(
            res.slots[slot_id],
            res.attempt_size,
            config,
            segments,
            doc.text,
            res.finished,
            clustered[slot_id],
            outvoted,
        )
        for slot_id in res.order
    }
    order = list(res.order)
    starts = {slot_id: normalize(choices[slot_id].text) for slot_id in order}
    for i in range(len(order) - 1, -1, -1):
        owner = _begun_by(res, order, i, starts, choices, config)
        if owner is None:
            continue
        for v in res.slots[order[i]].variants:
            for block in v.blocks:
                pending.append(
                    (ActionKind.TRUNCATED, block.start, block.end, owner, 100.0, "truncated")
                )
        del order[i]
    for here, there in itertools.pairwise(order):
        cut = _next_opening(res.slots[here], choices[here], starts[there], config)
        if cut is not None:
            pending.append((ActionKind.TRUNCATED, *cut, there, 100.0, "truncated"))
    used = {slot_id: choice.used for slot_id, choice in choices.items()}
    inside = inside_others(res, order, used, starts) if doc.markers else []
    for owner, slot_id in inside:
        # (A paragraph another kept block holds whole is a copy of it, in an
        # article cut by markers; elsewhere repeating it may be on purpose.)
        for v in res.slots[slot_id].variants:
            pending.extend(
                (ActionKind.DUPLICATE, b.start, b.end, owner, 100.0, "inside a kept block")
                for b in v.blocks
            )
        order.remove(slot_id)
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
    # Front matter is kept as it is, but for trailing spaces, like every other block.
    head = doc.front_matter
    head = "" if head is None else _TRAILING.sub("", head) + doc.front_matter_gap
    out = head + body
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
