"""Stage 2b: put back in order two runs of paragraphs the first attempt swapped.

The resolver places new text where the attempt writing it stands, which is right
when that attempt follows the article. An attempt that skipped a section (or
restarted without a marker) may write a later section first; the skipped one,
new when it comes, then lands after it. Later attempts that write both show the
order: after resolution, every segment is read again as the sequence of slots its
blocks went to, and two neighbouring runs of the article are swapped when the
attempts write them the other way round clearly more often than as they stand.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from dataclasses import replace

from dedupe_articles.slots import Resolution
from dedupe_articles.splitter import Document

# How many weak links after a run's start a swap looks at (a bound on the work
# for articles with many of them, not a limit anyone should meet).
_REACH = 8
# A swap must win by this many links. (Its inner link, the second run written right
# before the first, may come from one attempt: the one that wrote the whole
# article, after another skipped a section and wrote the next one first.)
_MARGIN = 2


def reorder(doc: Document, res: Resolution) -> Resolution:
    """``res`` with its slot order mended where the attempts agree on another.

    Only whole runs of slots move, and only past their neighbour: what each
    slot holds is unchanged.
    """
    links = slot_links(doc, res)
    if not links:
        return res
    order = list(res.order)
    for _ in range(len(order)):  # (each swap strictly raises the agreement)
        swap = _best_swap(order, links)
        if swap is None:
            break
        i, j, k = swap
        order[i:k] = order[j:k] + order[i:j]
    return res if order == res.order else replace(res, order=order)


def slot_links(doc: Document, res: Resolution) -> Counter[tuple[int, int]]:
    """For each pair of slots, how many segments write a block of the first right
    before a block of the second (copies and pieces count for the slot they went
    to; a segment counts each pair once).

    >>> from dedupe_articles.config import Config
    >>> from dedupe_articles.resolver import resolve
    >>> from dedupe_articles.splitter import parse
    >>> doc = parse("A one. A two.\\n\\nB one. B two.\\n---END---\\nA one. A two.\\n", Config())
    >>> res = resolve(doc, Config())
    >>> sorted(slot_links(doc, res).items())
    [((0, 1), 1)]
    """
    where: dict[int, int] = {}  # block start -> slot
    for slot in res.slots.values():
        for variant in slot.variants:
            for block in variant.blocks:
                where[block.start] = slot.id
    starts = [b.start for b in doc.blocks]
    for event in res.events:
        at = bisect.bisect_right(starts, event.start) - 1
        if event.slot is not None and at >= 0 and event.slot in res.slots:
            where.setdefault(doc.blocks[at].start, event.slot)
    runs: dict[int, list[int]] = {}
    for block in doc.blocks:
        slot_id = where.get(block.start)
        if slot_id is None:
            continue
        seq = runs.setdefault(block.segment, [])
        if not seq or seq[-1] != slot_id:
            seq.append(slot_id)
    links: Counter[tuple[int, int]] = Counter()
    for seq in runs.values():
        links.update(set(itertools.pairwise(seq)))
    return links


def _best_swap(order: list[int], links: Counter[tuple[int, int]]) -> tuple[int, int, int] | None:
    """The runs ``order[i:j]`` and ``order[j:k]`` whose swap the attempts favour
    most, if any clearly: the attempts write the second run before the first, and
    the first run's predecessor before the second."""
    n = len(order)
    weak = [k for k in range(1, n) if links[order[k - 1], order[k]] <= 1]
    ends = [*weak, n]
    best: tuple[int, tuple[int, int, int]] | None = None
    for a, i in enumerate(weak):
        for b in range(a + 1, min(a + 1 + _REACH, len(ends))):
            j = ends[b]
            if j >= n:
                break
            for c in range(b + 1, min(b + 1 + _REACH, len(ends))):
                k = ends[c]
                # (Only the runs' ends matter: first = order[i:j], second = order[j:k].)
                before, first, first_end = order[i - 1], order[i], order[j - 1]
                second, second_end = order[j], order[k - 1]
                inner = links[second_end, first]
                if not inner or not links[before, second]:
                    continue
                old = links[before, first] + links[first_end, second]
                new = links[before, second] + inner
                if k < n:
                    old += links[second_end, order[k]]
                    new += links[first_end, order[k]]
                gain = new - old
                if gain >= _MARGIN and (best is None or gain > best[0]):
                    best = gain, (i, j, k)
    return best[1] if best is not None else None
