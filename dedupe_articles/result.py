"""What :func:`dedupe_articles.clean` returns: the clean text and its explanation.

Actions are plain data (like ftfy's explanations): a report, a diff view or an
HTML page can be built from them without re-running the cleaner.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class ActionKind(str, Enum):
    """Why a piece of the input is not in the output as it was.

    The values are the report vocabulary used by ``--explain``, ``--report`` and
    ``--html``.
    """

    MARKER = "marker"
    """A continuation marker such as ``---END---`` was removed."""
    DUPLICATE = "duplicate"
    """An exact copy (after normalisation) of kept text was removed."""
    NEAR_DUPLICATE = "near_duplicate"
    """A copy worded slightly differently from kept text was removed."""
    TRUNCATED = "truncated"
    """A copy cut short (a prefix of kept text) was removed."""
    SHORTER_VARIANT = "shorter_variant"
    """An attempt of a paragraph lacking sentences the kept attempt has was removed."""
    MERGED = "merged"
    """Sentences only this attempt had were merged into the kept attempt."""
    ECHO = "echo"
    """A block repeating several earlier blocks (often collapsed onto one line)."""
    STITCHED = "stitched"
    """A paragraph cut at a marker was joined to its continuation."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Action:
    """One decision of the cleaner, located in the input.

    Attributes:
        kind: What was done (see :class:`ActionKind`).
        start: Offset of the affected input text, in characters of the input string.
        end: End offset (exclusive) in the input string.
        start_line: 1-based line number of ``start`` in the input.
        end_line: 1-based line number of the last character of the span.
        excerpt: The affected input text, shortened to about 80 characters.
        matched_block: Index (0-based, front matter excluded) of the output block the
            span was matched to or merged into, or ``None`` (markers).
        matched_excerpt: Start of that output block, shortened.
        score: Similarity on the 0-100 scale (100 for exact copies and markers).
        detail: A short human-readable reason.
    """

    kind: ActionKind
    start: int
    end: int
    start_line: int
    end_line: int
    excerpt: str
    matched_block: int | None = None
    matched_excerpt: str = ""
    score: float = 100.0
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``kind`` becomes its string value."""
        data = asdict(self)
        data["kind"] = self.kind.value
        data["score"] = round(self.score, 1)
        return data


@dataclass(frozen=True)
class CleanResult:
    """The clean article and the list of actions that produced it.

    Attributes:
        text: The clean article.
        actions: Every removal, merge and stitch, ordered by input position.
    """

    text: str
    actions: tuple[Action, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        """Whether the cleaner found anything to remove, merge or stitch."""
        return bool(self.actions)

    def counts(self) -> dict[str, int]:
        """Number of actions of each kind, kinds in vocabulary order."""
        out = {kind.value: 0 for kind in ActionKind}
        for action in self.actions:
            out[action.kind.value] += 1
        return out


def excerpt(text: str, limit: int = 80) -> str:
    """Shorten ``text`` to one line of at most ``limit`` characters.

    >>> excerpt("a\\nb", 10)
    'a ⏎ b'
    >>> excerpt("x" * 100, 10)
    'xxxxxxxxx…'
    """
    one_line = " ⏎ ".join(part.strip() for part in text.strip().splitlines())
    if len(one_line) <= limit:
        return one_line
    return one_line[: limit - 1] + "…"
