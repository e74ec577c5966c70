"""The wording of each sentence: which of its attempts' wordings the clean
paragraph keeps (part of stage 4, the reassembler).

One say per attempt, exact copies in other segments voting too; ties go to the
wording more segments hold, then to the attempt outvoted less often elsewhere,
then to the wording the others differ from least, then to the paragraph's most
complete variant. A wording that is another with a letter missing, or two
neighbouring letters swapped, is a typo and loses a tie.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

import regex
from rapidfuzz import fuzz

from dedupe_articles.align import Member as _Member
from dedupe_articles.normalize import normalize
from dedupe_articles.slots import Resolution, Variant


def majority(
    pick: _Member,
    members: list[_Member],
    variants: Sequence[Variant],
    segments: Sequence[str],
    outvoted: Counter[int],
) -> _Member:
    """The wording of a sentence most attempts agree on (a cut copy agrees with the
    wordings it begins); ``pick`` unless another wording has strictly more votes.
    Ties go to the wording more segments of the input hold (echoes and stray
    copies repeat the original wording too), then to the attempt outvoted less
    often elsewhere (``outvoted``), then to the one the others differ from
    least; still tied, ``pick``: the wording of the paragraph's most complete
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

    def voters() -> Iterator[tuple[object, str | tuple[str, str]]]:
        for (vi, ui), key in zip(members, keys, strict=True):
            yield ("attempt", variants[vi].attempt), key
            unit = variants[vi].units[ui]
            for segment, held in variants[vi].copies.items():  # exact copies vote too
                if held >= unit.end:
                    yield ("copy", segment), key
                elif held > unit.start:  # for the words of it they held, if any
                    yield ("copy", segment), normalize(unit.text[: held - unit.start])
            if any(unit.start < at < unit.end for at, _ in variants[vi].stitches):
                for segment, end in variants[vi].ends.items():
                    yield ("copy", segment), ("end", end)
            text = variants[vi].text
            for segment, tail in variants[vi].tail_copies.items():
                at = len(text) - len(tail) if text.endswith(tail) else unit.end
                if at <= unit.start:
                    yield ("copy", segment), key
                elif at < unit.end:  # the end of the cut sentence: a vote for how it ends
                    yield ("copy", segment), ("end", normalize(unit.text[at - unit.start :]))

    ballots = [ballot for _, ballot in dict.fromkeys(voters())]

    def votes(wording: str) -> int:
        # A cut copy agrees with all it begins; a repeated continuation, with how it ends.
        return sum(
            wording.endswith(b[1]) if isinstance(b, tuple) else wording.startswith(b)
            for b in ballots
        )

    def found(wording: str) -> int:
        return sum(wording in segment for segment in segments)

    def centre(wording: str) -> float:
        # With three wordings, each its own, the original is the one the others
        # differ from least: every attempt changed it in a different place.
        return round(sum(fuzz.ratio(wording, k) for k in distinct), 6)

    def attempt(member: _Member) -> int:
        return variants[member[0]].attempt_at(variants[member[0]].units[member[1]].start)

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
        elif mine == best_votes and _transposed_worse(best_key, key, segments):
            best, best_votes = member, mine  # the other swapped two letters: a typo
        elif mine == best_votes and _split_word(key, best_key):
            continue  # (a word inserted inside a katakana or Latin word: "アクセ実際にス")
        elif mine == best_votes and _split_word(best_key, key):
            best, best_votes = member, mine
        elif mine == best_votes and segments and not _letter_dropped(key, best_key):
            here = (found(key), -outvoted[attempt(member)], centre(key))
            there = (found(best_key), -outvoted[attempt(best)], centre(best_key))
            if here > there:
                best, best_votes = member, mine
    return best


def count_outvoted(res: Resolution, clustered: dict[int, list[list[_Member]]]) -> Counter[int]:
    """Per attempt, how many sentences it worded otherwise than a strict majority of
    the attempts holding them: an attempt that reworded sentences where others
    outvote it is the less likely holder of the original wording where nobody
    does (two attempts, two wordings)."""
    outvoted: Counter[int] = Counter()
    for slot_id, clusters in clustered.items():
        variants = res.slots[slot_id].variants
        for members in clusters:
            held: dict[str, set[int]] = {}
            for vi, ui in members:
                unit = variants[vi].units[ui]
                if unit.complete:
                    held.setdefault(unit.key, set()).add(variants[vi].attempt_at(unit.start))
            if len(held) < 2:
                continue
            ranked = sorted(held.items(), key=lambda kv: -len(kv[1]))
            (top, voters), (_, second) = ranked[0], ranked[1]
            if len(voters) <= len(second):
                continue
            for key, attempts in ranked[1:]:
                if key in top or top in key or len(key) < len(top) * 0.6:
                    continue  # a piece or an extension is not another wording
                outvoted.update(attempts - voters)
    return outvoted


def _transposed_worse(typo: str, other: str, segments: Sequence[str]) -> bool:
    """Whether ``typo`` is ``other`` with two neighbouring letters swapped, and the
    letters around the swap are written elsewhere in the input only as ``other``
    has them ("変わまりす" against "変わります").

    >>> _transposed_worse("がまりす。", "がります。", ["変わります。なります。", "がまりす。"])
    True
    """
    if len(typo) != len(other):
        return False
    diff = [i for i, (a, b) in enumerate(zip(typo, other, strict=True)) if a != b]
    if len(diff) != 2 or diff[1] != diff[0] + 1:
        return False
    i = diff[0]
    if (typo[i], typo[i + 1]) != (other[i + 1], other[i]):
        return False

    def seen(word: str) -> int:
        # (Copies of the letters near the swap do not count: the sentence itself
        # may be written nowhere whole, a stitch of a cut and its rest.)
        near = word[max(0, i - 4) : i + 6]
        grams = {word[k : k + 3] for k in range(max(0, i - 2), min(len(word) - 2, i + 2))}
        return sum(
            sum(seg.count(g) for seg in segments) > sum(seg.count(near) for seg in segments)
            for g in grams
        )

    return seen(other) > seen(typo)


def _split_word(longer: str, shorter: str) -> bool:
    """Whether ``longer`` is ``shorter`` with a few characters inserted inside a
    katakana or Latin word, which no rewording does: an attempt's slip.

    >>> _split_word("aiへのアクセ実際にスを", "aiへのアクセスを"), _split_word("とてもいい", "いい")
    (True, False)
    """
    extra = len(longer) - len(shorter)
    if not 0 < extra <= 4:
        return False
    # Where the insertion may be: within the common head, and the common tail.
    ahead = zip(shorter, longer, strict=False)
    head = next((i for i, (a, b) in enumerate(ahead) if a != b), len(shorter))
    behind = zip(reversed(shorter), reversed(longer), strict=False)
    tail = next((i for i, (a, b) in enumerate(behind) if a != b), len(shorter))
    for at in range(max(1, len(shorter) - tail), min(head, len(shorter) - 1) + 1):
        left, right = shorter[at - 1], shorter[at]
        inserted = longer[at : at + extra]
        if inserted != inserted.strip():
            continue  # (words added between words: "y| yo" is "y yo")
        for run in (_KATAKANA, _LATIN):
            if (
                run.match(left)
                and run.match(right)
                and not (run.match(inserted[0]) or run.match(inserted[-1]))
            ):
                return True
    return False


_KATAKANA = regex.compile(r"[\p{Katakana}ー]")
_LATIN = regex.compile(r"[a-z]")


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
