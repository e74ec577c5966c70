"""The one configuration object of the cleaner.

Every knob of :func:`dedupe_articles.clean` lives here, and the CLI exposes each
field as a flag of the same name (``min_overlap_chars`` -> ``--min-overlap-chars``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields, replace
from typing import Any

import regex

DEFAULT_MARKERS: tuple[str, ...] = (r"-{3}\s*END\s*-{3}",)


@functools.lru_cache(maxsize=16)
def marker_pattern(markers: tuple[str, ...]) -> regex.Pattern[str]:
    r"""The one pattern the splitter searches: any of ``markers``.

    >>> bool(marker_pattern((r"-{3}\s*END\s*-{3}", "<<STOP>>")).search("a <<STOP>> b"))
    True
    """
    return regex.compile("|".join(f"(?:{p})" for p in markers))


class MarkerError(ValueError):
    """A marker that is not a valid regular expression; ``pattern`` and ``reason`` say
    which and why."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"markers: {pattern!r} is not a valid regular expression: {reason}")
        self.pattern, self.reason = pattern, reason


@dataclass(frozen=True)
class Config:
    """Settings for :func:`dedupe_articles.clean`; all scores are on a 0-100 scale.

    Attributes:
        markers: Regular expressions (``regex`` syntax) for the continuation markers
            that glue attempts together. The text is split wherever one occurs: on its
            own line, inline before or after text, doubled, or at the very end.
            Default: ``("-{3}\\s*END\\s*-{3}",)``, which matches ``---END---``.
        near_duplicate_cutoff: Minimum ``rapidfuzz.fuzz.ratio`` between two normalised
            sentences, looked up anywhere in the article, for them to count as the same
            sentence worded slightly differently. Default: ``88``.
        variant_cutoff: The same, but for sentences of two paragraphs already known
            to be attempts of one paragraph. Default: ``85``.
        min_partial_chars: A fragment shorter than this (normalised characters) is
            matched only exactly, never as a prefix, suffix or fuzzy copy, so short
            common phrases are not mistaken for truncated copies. Default: ``8``.
        min_overlap_chars: Shortest text, in characters, that a continuation may
            repeat from before the cut for the repeat to be removed when the two are
            stitched (at most 3 in unspaced scripts such as Chinese and Japanese,
            where a character carries more). Default: ``4``.
        strong_block_chars: A prose block with at least this many normalised
            characters and two sentences (or one truncated sentence) is removed as a
            copy on its own evidence. Shorter blocks, headings, lists, tables, code and
            separators are removed only when their neighbours show they belong to a
            repeated run, so legitimate repetition survives. Default: ``20``.
        lookahead_blocks: How many following blocks are searched for that
            neighbouring evidence. Default: ``4``.
        shingle_chars: Character n-gram size for CJK and other unspaced text.
            Default: ``3``.
        shingle_words: Word n-gram size for space-delimited text. Default: ``2``.
        max_candidates: Candidates per sentence, taken from the shingle index, that
            are verified with rapidfuzz. Default: ``8``.
        stitch: Join a paragraph cut at a marker to its continuation. Default: ``True``.
        merge_variants: Merge sentences that only a less complete attempt of a
            paragraph has into the most complete one. Default: ``True``.

    Raises:
        ValueError: A score outside 0-100, a size below 1, no marker, or a marker that
            is not a valid ``regex`` pattern (:class:`MarkerError`, which names it).
    """

    markers: tuple[str, ...] = DEFAULT_MARKERS
    near_duplicate_cutoff: float = 88.0
    variant_cutoff: float = 85.0
    min_partial_chars: int = 8
    min_overlap_chars: int = 4
    strong_block_chars: int = 20
    lookahead_blocks: int = 4
    shingle_chars: int = 3
    shingle_words: int = 2
    max_candidates: int = 8
    stitch: bool = True
    merge_variants: bool = True

    def __post_init__(self) -> None:
        for name in ("near_duplicate_cutoff", "variant_cutoff"):
            value = getattr(self, name)
            if not 0 <= value <= 100:
                raise ValueError(f"{name} must be between 0 and 100, got {value}")
        for name in (
            "min_partial_chars",
            "min_overlap_chars",
            "strong_block_chars",
            "lookahead_blocks",
            "shingle_chars",
            "shingle_words",
            "max_candidates",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not self.markers:
            raise ValueError("markers must hold at least one pattern")
        for pattern in self.markers:
            try:
                regex.compile(pattern)
            except regex.error as exc:
                raise MarkerError(pattern, str(exc)) from None
        try:
            marker_pattern(self.markers)
        except regex.error as exc:  # e.g. an inline "(?x)" that swallows the ")" after it
            raise MarkerError(" | ".join(self.markers), f"cannot be combined: {exc}") from None

    def with_changes(self, **changes: Any) -> Config:
        """Return a copy with some fields changed.

        >>> Config().with_changes(stitch=False).stitch
        False
        """
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON values (tuples become lists), for reports and manifests.

        >>> Config().to_dict()["markers"] == list(Config().markers)
        True
        """
        return {
            f.name: list(value) if isinstance(value := getattr(self, f.name), tuple) else value
            for f in fields(self)
        }

    @classmethod
    def field_names(cls) -> list[str]:
        """The public field names, in declaration order (the CLI builds flags from them).

        >>> Config.field_names()[:2]
        ['markers', 'near_duplicate_cutoff']
        """
        return [f.name for f in fields(cls) if not f.name.startswith("_")]
