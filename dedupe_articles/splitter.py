"""Stage 1: split an article into segments (at markers), blocks and sentences.

The splitter never changes text: every block keeps its original characters and
its offsets into the (LF-normalised) input, so the reassembler can write kept
blocks back verbatim and actions can point at input lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import Enum

import regex

from dedupe_articles.config import Config, marker_pattern
from dedupe_articles.normalize import (
    is_unspaced,
    normalize,
    opens_mid_sentence,
    sentence_gap,
    strip_leading_ellipsis,
)


class BlockKind(str, Enum):
    """The Markdown shape of a block; decides how it is split and how it may repeat."""

    PARAGRAPH = "paragraph"
    HEADING = "heading"
    LIST = "list"
    TABLE = "table"
    CODE = "code"
    QUOTE = "quote"
    SEPARATOR = "separator"


@dataclass(frozen=True)
class Unit:
    """A sentence of prose, an item of a list, a row of a table, or a whole code block.

    ``start``/``end`` are offsets into the block's text; ``key`` is the
    :func:`~dedupe_articles.normalize.normalize` form used for matching.
    """

    text: str
    start: int
    end: int
    key: str
    complete: bool


@dataclass
class Block:
    """A Markdown block of one segment, with its units and its input span."""

    kind: BlockKind
    text: str
    start: int
    end: int
    segment: int
    units: list[Unit] = field(default_factory=list)
    head: bool = False  # first block after a marker: may open mid-sentence
    ellipsis: bool = False  # a "…" glued on before it was dropped (it repeats words)

    @property
    def key(self) -> str:
        return "".join(u.key for u in self.units)


@dataclass
class Document:
    """The parsed input: newline style, front matter, marker spans and blocks."""

    newline: str
    bom: bool
    final_newline: bool
    front_matter: str | None
    front_matter_gap: str
    markers: list[tuple[int, int]]
    blocks: list[Block]
    text: str  # LF-normalised input, what all offsets refer to


_MIN_CUT_PARAGRAPH = 40
_MAYBE_CUT = frozenset((BlockKind.HEADING, BlockKind.LIST, BlockKind.TABLE))
_FENCE = regex.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = regex.compile(r"^ {0,3}#{1,6}(?:\s|$)")
_BOLD_LINE = regex.compile(r"^\s*(\*\*|__)[^*_\n]+\1\s*[:：]?\s*$")
# The same line cut before its closing "**" (the whole title said, "…歩みますか？").
_BOLD_LINE_CUT = regex.compile(r"^\s*(\*\*|__)[^*_\n]+[?？!！:：]\s*$")
_SEPARATOR = regex.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE = regex.compile(r"^\s*\|")
_LIST = regex.compile(r"^\s{0,3}(?:[-*+•]|\d{1,9}[.)])\s+")
_QUOTE = regex.compile(r"^\s{0,3}>")
_TERMINAL = regex.compile(r"[.!?。！？…:;：；][\"'”’」』）)\]】〕》*_`]*\s*$")
# A sentence ends at CJK terminators at once, or at Latin ones before whitespace.
# "「はい！」と言う。" is one sentence: a terminator inside a quote ends nothing,
# unless no particle follows the quote (a quoted title run into the next paragraph,
# "「…真意は？」正直なところ、…", in a collapsed echo).
# (A closing "*" or "_" right after the terminator, at the end of the line, is the
# sentence's: "*※ …いただけます。*".)
_CJK_END = regex.compile(
    r"[。！？]+[*_]+(?=\n|$)|[。！？]+(?![」』）)】〕》\"”’])|。[」』）)】〕》\"”’]+(?:[*_]+(?=\n|$))?"
    r"|[！？]+[」』]+(?=[ \t]*[^\sとっのをがはにでもやへかなど、。，．！？」』）)】〕》\"”’*_])"
)
# A sentence that quotes a question or exclamation at its end goes on after the
# quote, unless the quote is all it is.
_QUOTE_CUT = regex.compile(r"[！？][」』]+[*_]*$")
_LATIN_END = regex.compile(r"[.!?…]+[\"'”’)\]»]*(?=\s)")
_LAST_TOKEN = regex.compile(r"([\p{L}.]+)$")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "cf",
        "fig",
        "vol",
        "pp",
        "approx",
        "inc",
        "ltd",
        "corp",
        "jan",
        "feb",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "z.b",
        "d.h",
        "u.a",
        "bzw",
        "ca",
        "usw",
        "sog",
        "vgl",
        "sra",
        "dra",
        "ud",
        "uds",
        "p.ej",
        "mme",
        "mlle",
    ]
)


def parse(text: str, config: Config) -> Document:
    """Parse ``text`` into a :class:`Document`.

    >>> doc = parse("# T\\nbody one.\\n---END---\\nbody two.", Config())
    >>> [(b.kind.value, b.text, b.segment) for b in doc.blocks]
    [('heading', '# T', 0), ('paragraph', 'body one.', 0), ('paragraph', 'body two.', 1)]
    """
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\n"
    lf = text.replace("\r\n", "\n")
    front, body_start = _front_matter(lf)
    gap = ""
    if front is not None:
        gap_match = regex.match(r"[ \t]*\n(?:[ \t]*\n)*", lf[body_start:])
        gap = "\n\n" if gap_match and gap_match.group().count("\n") >= 1 else "\n"
    pattern = marker_pattern(config.markers)
    markers: list[tuple[int, int]] = []
    blocks: list[Block] = []
    seg_start = body_start
    segment = 0
    for match in pattern.finditer(lf, body_start):
        blocks.extend(_blocks(lf, seg_start, match.start(), segment))
        markers.append(match.span())
        seg_start = match.end()
        segment += 1
    blocks.extend(_blocks(lf, seg_start, len(lf), segment))
    seen: set[int] = {0}
    for i, block in enumerate(blocks):
        if block.segment not in seen:
            block.head = True
            seen.add(block.segment)
        elif i and _continues_cut(blocks[i - 1], block, polluted=bool(markers)):
            block.head = True  # a missing marker: the block goes on with a cut paragraph
        elif i and blocks[i - 1].head and _false_start(blocks[i - 1], block, config):
            block.head = True  # the segment's attempt broke off after a few characters
        elif block.kind is BlockKind.PARAGRAPH and (
            block.text[0].islower()
            or (
                markers
                and opens_mid_sentence(block.text)
                and bool(block.units)
                and block.units[0].complete
            )
        ):
            # A paragraph does not open in lower case (nor, in Japanese, with a
            # particle): a cut's tail (a finished one, in Japanese: a few characters
            # cut off may be the start of anything).
            block.head = True
        if block.kind is BlockKind.PARAGRAPH and (block.head or markers):
            _drop_leading_ellipsis(block)
        ends_segment = i + 1 == len(blocks) or blocks[i + 1].segment != block.segment
        if ends_segment and block.kind in _MAYBE_CUT and block.units:
            # A heading, list or table that ends a segment may have been cut there.
            last = block.units[-1]
            if not _TERMINAL.search(last.text):
                block.units[-1] = replace(last, complete=False)
    return Document(
        newline=newline,
        bom=bom,
        # The final newline is kept or left out as the input had it; a marker at
        # the very end does not count ("text\n---END---" ends with a newline).
        final_newline=pattern.sub("", lf).rstrip(" \t").endswith("\n"),
        front_matter=front,
        front_matter_gap=gap,
        markers=markers,
        blocks=blocks,
        text=lf,
    )


def _false_start(prev: Block, block: Block, config: Config) -> bool:
    """Whether ``prev`` is a few characters (a scrap: fewer than
    ``config.min_partial_chars``) that ``block``, in the same segment, begins
    with: an attempt that broke off and began again ("書" before "書かれているので、…").

    >>> a, b = _blocks("書\\n\\n書かれているので、すぐ読めます。", 0, 20, 0)
    >>> _false_start(a, b, Config()), _false_start(b, a, Config())
    (True, False)
    """
    start = prev.text.strip()
    return (
        prev.segment == block.segment
        and prev.kind is block.kind is BlockKind.PARAGRAPH
        and 0 < len(start) < config.min_partial_chars
        and len(block.text) > len(start)
        and block.text.startswith(start)
    )


def _drop_leading_ellipsis(block: Block) -> None:
    """A continuation often opens with "…" glued on: it is no part of the text."""
    body = strip_leading_ellipsis(block.text)
    if body and body != block.text:
        block.start += len(block.text) - len(body)
        block.text = body
        block.ellipsis = True
        if "\n" not in body and (
            _HEADING.match(body) or _BOLD_LINE.match(body) or _BOLD_LINE_CUT.match(body)
        ):
            block.kind = BlockKind.HEADING  # ("...**Heading**")
        block.units = split_units(body, block.kind)


def _continues_cut(prev: Block, block: Block, *, polluted: bool) -> bool:
    """Whether ``block`` looks like the rest of ``prev``, a paragraph cut mid-sentence
    with no marker between them: a long unfinished paragraph followed by one that
    opens in lower case (or in a script without case, or in an unspaced script
    after one)."""
    if prev.kind is not BlockKind.PARAGRAPH or block.kind is not BlockKind.PARAGRAPH:
        return False
    if prev.segment != block.segment or not prev.units or prev.units[-1].complete:
        return False
    if len(prev.key) < _MIN_CUT_PARAGRAPH:
        return False  # a short line without a full stop is a title, not a cut
    first = block.text[0]
    # (Scripts without case, Korean among them, cannot tell a paragraph's start:
    # only in an article with markers is an unfinished paragraph a cut.)
    caseless = polluted and first.isalpha() and not first.isupper() and not is_unspaced(first)
    return first.islower() or caseless or (is_unspaced(first) and is_unspaced(prev.text[-1]))


def _front_matter(lf: str) -> tuple[str | None, int]:
    for fence in ("---", "+++"):
        if lf.startswith(fence + "\n"):
            close = regex.search(rf"^{regex.escape(fence)}[ \t]*$", lf[4:], flags=regex.M)
            if close is not None:
                end = 4 + close.end()
                return lf[:end], end
    return None, 0


def _lines(lf: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    pos = start
    while pos < end:
        nl = lf.find("\n", pos, end)
        stop = end if nl == -1 else nl
        yield pos, lf[pos:stop]
        pos = stop + 1


def _blocks(lf: str, start: int, end: int, segment: int) -> list[Block]:
    out: list[Block] = []
    cur: list[tuple[int, str]] = []
    kind = BlockKind.PARAGRAPH
    fence: str | None = None

    def flush() -> None:
        nonlocal cur
        if cur:
            out.append(_make_block(kind, cur, segment))
        cur = []

    for pos, line in _lines(lf, start, end):
        if fence is not None:
            cur.append((pos, line))
            stripped = line.strip()
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
                flush()
            continue
        if not line.strip():
            flush()
            continue
        fence_match = _FENCE.match(line)
        if fence_match:
            flush()
            kind, fence = BlockKind.CODE, fence_match.group(1)
            cur.append((pos, line))
            continue
        heading = _HEADING.match(line) is not None
        if heading or _SEPARATOR.match(line):
            flush()
            kind = BlockKind.HEADING if heading else BlockKind.SEPARATOR
            cur.append((pos, line))
            flush()
            continue
        line_kind = _line_kind(line)
        continues = cur and (
            line_kind == kind
            or (line_kind is BlockKind.PARAGRAPH and kind in (BlockKind.LIST, BlockKind.QUOTE))
        )
        if not continues:
            flush()
            kind = line_kind
        cur.append((pos, line))
    flush()
    return out


def _line_kind(line: str) -> BlockKind:
    if _TABLE.match(line):
        return BlockKind.TABLE
    if _LIST.match(line):
        return BlockKind.LIST
    if _QUOTE.match(line):
        return BlockKind.QUOTE
    return BlockKind.PARAGRAPH


def _make_block(kind: BlockKind, lines: list[tuple[int, str]], segment: int) -> Block:
    start = lines[0][0]
    text = "\n".join(line for _, line in lines)
    # Trim surrounding whitespace (an inline marker leaves a space) but keep offsets true.
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    if kind is BlockKind.PARAGRAPH and bold_heading(text):
        kind = BlockKind.HEADING
    block = Block(kind, text, start + lead, start + lead + len(text), segment)
    block.units = split_units(text, kind)
    return block


def bold_heading(text: str) -> bool:
    """Whether a paragraph's text is a line in bold alone: a heading.

    >>> bold_heading("**まとめ**"), bold_heading("**どう歩みますか？"), bold_heading("**a** b")
    (True, True, False)
    """
    return bool(_BOLD_LINE.match(text) or _BOLD_LINE_CUT.match(text))


def split_units(text: str, kind: BlockKind) -> list[Unit]:
    """Split a block's text into matching units according to its kind.

    >>> [u.text for u in split_units("Dr. Who came. He left! 3.14 is pi", BlockKind.PARAGRAPH)]
    ['Dr. Who came.', 'He left!', '3.14 is pi']
    >>> [u.text for u in split_units("初めて。次に「はい！」と言う。続き", BlockKind.PARAGRAPH)]
    ['初めて。', '次に「はい！」と言う。', '続き']
    >>> [u.text for u in split_units("「真意は？」正直に言う。", BlockKind.PARAGRAPH)]
    ['「真意は？」', '正直に言う。']
    >>> [u.text for u in split_units("*※ 注記です。以上です。*", BlockKind.PARAGRAPH)]
    ['*※ 注記です。', '以上です。*']
    >>> [u.complete for u in split_units("Z. B. gut. Und dann", BlockKind.PARAGRAPH)]
    [True, False]
    """
    heading = kind is BlockKind.HEADING
    if kind in (BlockKind.CODE, BlockKind.SEPARATOR, BlockKind.HEADING):
        spans = [(0, len(text))]
    elif kind in (BlockKind.LIST, BlockKind.TABLE):
        spans = _item_spans(text, kind)
    else:
        spans = _sentence_spans(text)
    units = []
    for s, e in spans:
        raw = text[s:e]
        lead = len(raw) - len(raw.lstrip())
        raw = raw.strip()
        if not raw:
            continue
        key = normalize(raw, heading=heading) or (normalize(raw) if heading else "")
        complete = heading or kind is not BlockKind.PARAGRAPH or bool(_TERMINAL.search(raw))
        if raw.endswith(("…", "...")) and kind is BlockKind.PARAGRAPH:
            complete = False
        quoted = raw.rstrip("*_")[-1:] in ("」", "』") and raw[0] not in "「『"
        if kind is BlockKind.PARAGRAPH and quoted and _QUOTE_CUT.search(raw):
            complete = False  # ("例えば、「似合うかな？」" goes on: "と話しかければ…。")
        if kind is BlockKind.CODE:
            # Code is complete when its fence is closed: only an unclosed block can
            # be a cut copy of a longer one.
            lines = raw.split("\n")
            complete = len(lines) > 1 and _FENCE.match(lines[-1]) is not None
        units.append(Unit(raw, s + lead, s + lead + len(raw), key, complete))
    return units


def _item_spans(text: str, kind: BlockKind) -> list[tuple[int, int]]:
    starts = [0]
    pos = 0
    for line in text.split("\n")[:-1]:
        pos += len(line) + 1
        end = text.find("\n", pos)
        nxt = text[pos : end if end != -1 else len(text)]
        if kind is BlockKind.TABLE or _LIST.match(nxt):
            starts.append(pos)
    ends = [*starts[1:], len(text)]
    return list(zip(starts, ends, strict=False))


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    cuts = {0, len(text)}
    at = text.find("\n")
    while at != -1:
        cuts.add(at + 1)
        at = text.find("\n", at + 1)
    for match in _CJK_END.finditer(text):
        cuts.add(match.end())
    for match in _LATIN_END.finditer(text):
        if not _is_abbreviation(text, match.start(), match.end()):
            cuts.add(match.end())
    ordered = sorted(cuts)
    return [(a, b) for a, b in itertools.pairwise(ordered) if text[a:b].strip()]


def _is_abbreviation(text: str, start: int, end: int) -> bool:
    if text[start:end].rstrip("\"'”’)]»") not in (".",):
        return False  # "!", "?" and "..." always end a sentence
    before = text[max(0, start - 12) : start]
    token = _LAST_TOKEN.search(before)
    after = text[end:].lstrip()
    if after[:1].islower() or after[:1].isdigit():
        return True  # "e.g. this", "Fig. 3": a sentence does not start in lower case
    if token is None:
        return False
    word = token.group(1).casefold()
    return len(word) == 1 or "." in word or word.rstrip(".") in _ABBREVIATIONS


def heading_level(heading: str) -> int:
    """A Markdown heading's level (0 for another form, "**H**")."""
    text = heading.lstrip()
    return len(text) - len(text.lstrip("#"))


def sub_block(block: Block, keep: list[int]) -> Block:
    """A block made of some of ``block``'s units, joined as the block joined them."""
    pieces: list[str] = []
    for idx, j in enumerate(keep):
        unit = block.units[j]
        if idx:
            prev = block.units[keep[idx - 1]]
            if keep[idx - 1] == j - 1:
                pieces.append(block.text[prev.end : unit.start])
            else:
                pieces.append(sentence_gap(prev.text, unit.text))
        pieces.append(unit.text)
    text = "".join(pieces)
    first, last = block.units[keep[0]], block.units[keep[-1]]
    sub = Block(block.kind, text, block.start + first.start, block.start + last.end, block.segment)
    sub.units = split_units(text, block.kind)
    sub.ellipsis = block.ellipsis and first.start == 0
    return sub
