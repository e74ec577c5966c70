"""Kept paragraphs that another kept block holds whole: copies found late.

The resolver places blocks one by one, so a paragraph can be kept before a later
attempt writes the block that holds all of it (the rest of a cut list item, then
the list whole). The reassembler drops such a paragraph (in an article cut by
markers) with the help of this search.

(`tests/test_real.py` pins it on the real post that showed it: neuralink's
"paragraph inside another" problems.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dedupe_articles.edits import MIN_INSIDE_WORDS, one_word_inside
from dedupe_articles.slots import Resolution
from dedupe_articles.splitter import BlockKind


def inside_others(
    res: Resolution,
    order: Sequence[int],
    used: Mapping[int, Mapping[int, set[int]]],
    starts: Mapping[int, str],
) -> list[tuple[int, int]]:
    """(owner, slot) for each paragraph of two sentences or more whose whole text
    another kept block holds (the rest of a cut list item that a later attempt
    wrote inside its list). Candidates come from a grid of character grams, so
    the search stays near-linear."""
    grid: dict[str, set[int]] = {}
    for slot_id in order:
        if res.slots[slot_id].kind not in _HOLDERS:
            continue
        text = starts[slot_id]
        for at in range(0, len(text) - _GRAM + 1, _STEP):
            grid.setdefault(text[at : at + _GRAM], set()).add(slot_id)
    found: list[tuple[int, int]] = []
    for slot_id in order:
        text = starts[slot_id]
        if res.slots[slot_id].kind is not BlockKind.PARAGRAPH or len(text) < _GRAM + _STEP:
            continue
        owner: int | None = None
        if sum(map(len, used[slot_id].values())) >= 2:
            # (One of the first _STEP grams of the text falls on the owner's grid.)
            cands = set().union(*(grid.get(text[k : k + _GRAM], set()) for k in range(_STEP)))
            owner = next(
                (
                    o for o in sorted(cands)
                    if o != slot_id and len(starts[o]) > len(text) and text in starts[o]
                ),
                None,
            )  # fmt: skip
        if owner is None and len(words := text.split()) >= MIN_INSIDE_WORDS:
            # One word added, dropped or replaced: a reworded copy (verbatim, one
            # sentence may be used twice on purpose; reworded, it is an attempt's).
            cands = set().union(*(grid.get(text[k : k + _GRAM], set()) for k in range(len(text))))
            owner = next(
                (
                    o for o in sorted(cands)
                    if o != slot_id and len(starts[o]) > len(text)
                    and one_word_inside(words, starts[o].split())
                ),
                None,
            )  # fmt: skip
        if owner is not None:
            found.append((owner, slot_id))
    dropped = {slot_id for _, slot_id in found}
    return [(o, s) for o, s in found if o not in dropped]


# Grid of the containment search: grams of _GRAM characters every _STEP.
_GRAM, _STEP = 12, 6
# Blocks that hold a paragraph's text as a copy of it (code or a table may quote
# one on purpose).
_HOLDERS = frozenset({BlockKind.PARAGRAPH, BlockKind.LIST, BlockKind.QUOTE})
