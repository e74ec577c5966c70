"""The resolver's data: slots of the clean article and the attempts (variants) of each.

A *slot* is one block of the clean article; a *variant* is one attempt's text of
it. The resolver builds them, the reassembler picks and merges the variants.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dedupe_articles.result import ActionKind
from dedupe_articles.splitter import Block, BlockKind, Unit

PROSE = (BlockKind.PARAGRAPH, BlockKind.QUOTE)


def group(kind: BlockKind) -> BlockKind:
    """Kinds that may be variants of each other (a quote is prose)."""
    return BlockKind.PARAGRAPH if kind in PROSE else kind


def fits(slot: Slot, block: Block) -> bool:
    """Whether ``block`` may be another attempt of ``slot``: a block of the same
    group, or a bold line and a piece of it (cut before its ``**``, or the rest of
    one), whichever came first: a stitch or a whole copy makes the line a heading.

    >>> heading = Slot(0, BlockKind.HEADING)
    >>> heading.variants.append(Variant("**技術者の機会**", BlockKind.HEADING, [
    ...     Unit("**技術者の機会**", 0, 10, "技術者の機会", True)], 0, 0, []))
    >>> piece = Block(BlockKind.PARAGRAPH, "術者の機会**", 0, 7, 0)
    >>> piece.units = [Unit("術者の機会**", 0, 7, "術者の機会", True)]
    >>> fits(heading, piece)
    True
    """
    if group(slot.kind) is group(block.kind):
        return True
    if slot.kind is BlockKind.HEADING and block.kind is BlockKind.PARAGRAPH:
        key = block.key
        return (opens_bold(block.text) or closes_bold(block.text)) and any(
            v.units and (v.units[0].key.startswith(key) or v.units[0].key.endswith(key))
            for v in slot.variants
        )
    return (
        slot.kind is BlockKind.PARAGRAPH
        and block.kind is BlockKind.HEADING
        and block.text.lstrip().startswith("**")
        and all(
            opens_bold(v.text) and block.key.startswith("".join(u.key for u in v.units))
            for v in slot.variants
        )
    )


def opens_bold(text: str) -> bool:
    """Whether ``text`` opens a bold line it never closes (cut before its ``**``).

    >>> opens_bold("**1. 技術的課題"), opens_bold("**見出し**"), opens_bold("争優位性**")
    (True, False, False)
    """
    text = text.strip()
    return text.startswith("**") and text.count("**") % 2 == 1


def open_emphasis(text: str) -> bool:
    """Whether ``text`` leaves a ``**`` emphasis open: it was cut inside it.

    >>> open_emphasis("次に、**プライ"), open_emphasis("**強力な**という点")
    (True, False)
    """
    return text.count("**") % 2 == 1


def closes_bold(text: str) -> bool:
    """Whether ``text`` closes a bold line it never opened (the rest of one cut).

    >>> closes_bold("争優位性**"), closes_bold("**見出し**"), closes_bold("**1. 技術")
    (True, False, False)
    """
    text = text.strip()
    return text.endswith("**") and not text.startswith("**") and text.count("**") == 1


@dataclass
class Variant:
    """One attempt's text of a slot; ``blocks`` are the input blocks it came from."""

    text: str
    kind: BlockKind
    units: list[Unit]
    attempt: int
    order: int
    blocks: list[Block]
    # Other segments that had exactly this text, and how long the text was then: each
    # is a vote for the wording of the sentences it held whole (a stitch may since
    # have completed the last one in words the copy never had).
    copies: dict[int, int] = field(default_factory=dict)
    # Other segments that repeated a stitched continuation whole, and its text: a
    # vote for the wording of what ``text`` ends with (the cut sentence's end too).
    tail_copies: dict[int, str] = field(default_factory=dict)
    # Other segments whose continuation finished the cut sentence before a longer
    # attempt replaced it, and that sentence's key: a vote for how the cut one ends.
    ends: dict[int, str] = field(default_factory=dict)
    # Where a stitched continuation begins in ``text``, and the attempt that wrote
    # it: the text from there on is that attempt's words, not ``attempt``'s.
    stitches: list[tuple[int, int]] = field(default_factory=list)

    def attempt_at(self, offset: int) -> int:
        """The attempt that wrote the text at ``offset``.

        >>> v = Variant("cut here and", BlockKind.PARAGRAPH, [], 2, 0, [])
        >>> v.stitches.append((8, 5))
        >>> v.attempt_at(0), v.attempt_at(9)
        (2, 5)
        """
        return next((a for at, a in reversed(self.stitches) if at <= offset), self.attempt)


@dataclass
class Slot:
    """One block of the clean article and every attempt of it."""

    id: int
    kind: BlockKind
    variants: list[Variant] = field(default_factory=list)
    # Sentences that belong to another slot: an attempt moved them here. Copies of
    # the block that brought them do not put them back.
    moved_out: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Event:
    """A decision taken while resolving; ``slot`` is the slot it matched, if any."""

    kind: ActionKind
    start: int
    end: int
    slot: int | None
    score: float
    detail: str


@dataclass(frozen=True)
class Continuation:
    """One stitch: what the variant was before, the key of what was stitched on,
    the joined text, and the block it came from."""

    slot: int
    variant: Variant
    base: str
    tail: str
    joined: str
    block: Block
    # The key of the cut sentence the stitch went on from ("" when the base ended
    # with a whole sentence).
    cut: str = ""


@dataclass
class Resolution:
    """What the resolver hands the reassembler."""

    slots: dict[int, Slot]
    order: list[int]
    events: list[Event]
    attempt_size: Counter[int]
    finished: dict[int, bool] = field(default_factory=dict)
    # (slot, next slot, the first slot's piece): adjacent slots one block held as one
    # paragraph, split by the resolver.
    glued: list[tuple[int, int, Block]] = field(default_factory=list)
    # The glued pairs that no attempt held as two blocks.
    together: set[tuple[int, int]] = field(default_factory=set)
