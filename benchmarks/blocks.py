"""Clean articles for the benchmark: blocks, sentences, language and per-language data.

Independent of the engine in ``dedupe_articles``: the benchmark must not share the
cleaner's notion of a sentence or a block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CJK = frozenset({"ja", "zh"})  # no spaces between words (Korean has them)
FILLERS = {  # words a reworded attempt may add
    "en": ("really", "very", "also", "quite", "actually"),
    "de": ("wirklich", "sehr", "auch", "eigentlich"),
    "es": ("muy", "también", "realmente", "bastante"),
    "fr": ("vraiment", "très", "aussi", "plutôt"),
    "ko": ("정말", "매우", "또한", "사실"),
    "ja": ("とても", "実際に", "さらに", "やはり"),
    "zh": ("非常", "其实", "确实", "也许"),
}
CONT_TAGS = {  # "### Heading (continued)" in mixed-shape attempts
    "en": " (continued)",
    "de": " (Fortsetzung)",
    "es": " (continuación)",
    "fr": " (suite)",
    "ko": " (계속)",
    "ja": "（続き）",
    "zh": "（续）",
}
CJK_PUNCT = frozenset("。！？、，・「」『』（）()：；:;“”\"' ")
_ABBREV = frozenset(
    (
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "vs",
        "etc",
        "inc",
        "ltd",
        "no",
        "nr",
        "ca",
        "bzw",
        "usw",
        "vgl",
        "sr",
        "sra",
        "dra",
        "mme",
        "mlle",
        "approx",
        "fig",
        "jr",
        "str",
    )
)
_SENT_END = re.compile(r"[.!?…][\"'”’»)]*(?= )")
_CJK_SENT = re.compile(r"[^。！？]*[。！？]+[」』）】”]*|[^。！？]+$")
_HEADING = re.compile(r"(#{1,6}) (.+)")
_LIST = re.compile(r"\s*(?:[-*+]|\d+[.)]) ")


@dataclass(frozen=True)
class Block:
    kind: str  # front, heading, para, list, table, code, sep, other
    text: str


@dataclass(frozen=True)
class Cut:
    block: int  # block holding the cut ("para-end": the block the continuation starts with)
    head: int  # the segment before the cut ends with block.text[:head]
    tail: int  # the continuation starts with block.text[tail:]
    kind: str  # "para-end" | "mid-sentence" | "mid-word"


@dataclass(frozen=True)
class Item:
    block: int  # index into the blocks, -1 for synthetic text
    text: str
    whole_end: bool = True  # text runs to the end of the block
    glue: str = "\n\n"  # separator after this item


def detect_lang(text: str) -> str:
    """Very rough script-based guess (the benchmark passes the language explicitly)."""
    if len(re.findall(r"[\uac00-\ud7a3]", text)) > 20:
        return "ko"
    if len(re.findall(r"[\u3040-\u30ff]", text)) > 20:
        return "ja"
    return "zh" if len(re.findall(r"[\u4e00-\u9fff]", text)) > 20 else "en"


def split_sentences(text: str, lang: str) -> list[str]:
    """Sentences of one paragraph line; joining them back gives ``text`` again."""
    if lang in CJK:
        return [s for s in _CJK_SENT.findall(text) if s]
    out, start = [], 0
    for m in _SENT_END.finditer(text):
        token = text[start : m.start() + 1].rsplit(" ", 1)[-1]
        nxt = text[m.end() + 1 : m.end() + 2]
        if m.group()[0] == "." and (
            "." in token[:-1]
            or (len(token) == 2 and token.isascii())
            or token[:-1].lower() in _ABBREV
        ):
            continue
        if lang != "ko" and not (nxt.isupper() or nxt.isdigit() or nxt in "¿¡«\"“'(*"):
            continue
        out.append(text[start : m.end()])
        start = m.end() + 1
    out.append(text[start:])
    return [s for s in out if s]


def block_kind(text: str) -> str:
    lines = text.split("\n")
    if text.startswith("```"):
        return "code"
    if len(lines) == 1 and _HEADING.fullmatch(text):
        return "heading"
    if text in ("---", "* * *", "***", "___"):
        return "sep"
    if all(line.startswith("|") for line in lines):
        return "table"
    if all(_LIST.match(line) for line in lines):
        return "list"
    return "para" if len(lines) == 1 and not text.startswith((">", "<", "!")) else "other"


_FENCE_LINE = re.compile(r" {0,3}```")  # CommonMark: a fence may be indented up to three spaces


def parse_blocks(article: str) -> list[Block]:
    """Blank-line separated blocks; fenced code and YAML front matter stay whole."""
    blocks: list[Block] = []
    cur: list[str] = []
    fence = front = False
    for n, line in enumerate(article.split("\n")):
        if n == 0 and line == "---":
            front = True
        elif front and line == "---":
            front = False
            blocks.append(Block("front", "\n".join([*cur, line])))
            cur = []
            continue
        elif _FENCE_LINE.match(line) and not front:
            fence = not fence
        if line == "" and not fence and not front:
            if cur:
                blocks.append(Block(block_kind("\n".join(cur)), "\n".join(cur)))
            cur = []
        else:
            cur.append(line)
    if cur:
        blocks.append(Block(block_kind("\n".join(cur)), "\n".join(cur)))
    if "\n\n".join(b.text for b in blocks) + "\n" != article:
        raise ValueError(
            "article is not in clean form (one blank line between blocks, "
            "one trailing newline, no blank runs)"
        )
    return blocks


def render(items: list[Item]) -> str:
    return "".join(it.text + it.glue for it in items[:-1]) + (items[-1].text if items else "")
