"""The review page: one self-contained HTML file showing what was removed, file by file.

:func:`render_html` turns a batch of :class:`ReviewItem` (path, input text, the
:class:`~dedupe_articles.CleanResult` or an error) into one page with inline CSS and
JS that makes no network request:

- a summary (files, changed, unchanged, failed, bytes removed) and an inline SVG bar
  chart of the share of each file's UTF-8 bytes that was removed;
- the files, filterable by name and sortable by bytes or share removed; each opens
  to its input with every action's span highlighted in its kind's colour and a kind
  label at the start of each removed block. Hovering shows the kind, score, reason
  (``detail``) and the output block it matched (``matched_excerpt``); clicking jumps
  to that block in the clean output. The toggle shows the clean output instead;
- in the clean output, every block that a ``stitched`` action joined (or a
  ``merged`` action merged sentences into) is marked as a whole block (tinted, with
  a bar in the margin) with a ``joined`` / ``merged`` label at its start. Output
  blocks are found by splitting the output at blank lines and taken by
  ``matched_block`` only when ``matched_excerpt`` confirms them (front matter and
  code blocks holding blank lines shift the numbering); a block that cannot be
  confirmed is not marked.

The page is built only from ``CleanResult.actions`` (the data of the JSON report):
nothing is re-derived. Overlapping actions are cut into segments at every start
and end; a segment shows the kind of its innermost action (shortest span; on a tie
the more specific kind in :data:`SPECIFICITY`), is striped when several actions
cover it, and its tooltip lists all of them. An empty span (a stitch that removed
nothing) is a ``join`` label at its offset. Labels are CSS-generated content, so
copying an article copies only its text.

Each article's two views are pre-rendered, escaped HTML stored as JSON in a
``<script type="application/json">`` and put into the DOM only when the file is
opened; lines use ``content-visibility: auto``, so a file of a few hundred KB opens
in well under a second. The page reads ``filter``, ``sort`` (``name``, ``removed``,
``pct``), ``open`` (a row id such as ``f-0``, or a path), ``view`` (``input`` or
``output``), ``line`` (scroll the open view to a line) and ``action`` (scroll to an
action by its index in the report and show its tooltip) from the query string or
the ``#`` fragment, and keeps the fragment up to date, so a view can be linked to.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from dedupe_articles.report import kind_label
from dedupe_articles.result import Action, ActionKind, CleanResult, excerpt
from dedupe_articles.review_assets import CSS, JS

SPECIFICITY = (
    ActionKind.STITCHED,
    ActionKind.MARKER,
    ActionKind.MERGED,
    ActionKind.ECHO,
    ActionKind.TRUNCATED,
    ActionKind.NEAR_DUPLICATE,
    ActionKind.SHORTER_VARIANT,
    ActionKind.DUPLICATE,
)
"""Kinds from most to least specific: which colour wins where equal spans overlap."""

_RANK = {kind: rank for rank, kind in enumerate(SPECIFICITY)}
_HELP = {
    ActionKind.MARKER: "a continuation marker such as ---END---, removed",
    ActionKind.DUPLICATE: "an exact copy of kept text, removed",
    ActionKind.NEAR_DUPLICATE: "a slightly reworded copy of kept text, removed",
    ActionKind.TRUNCATED: "a copy cut short, removed",
    ActionKind.SHORTER_VARIANT: "an attempt lacking sentences the kept attempt has, removed",
    ActionKind.MERGED: "an attempt whose extra sentences were merged into the kept one",
    ActionKind.ECHO: "a block repeating several earlier blocks, removed",
    ActionKind.STITCHED: "a cut paragraph joined to its continuation",
}
_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class ReviewItem:
    """One file of the batch.

    Attributes:
        path: The name shown (and filtered on).
        text: The input as decoded (action offsets point into it).
        result: What :func:`dedupe_articles.clean` returned, or ``None`` if the file failed.
        error: Why the file failed (shown instead of the article's actions).
    """

    path: str
    text: str
    result: CleanResult | None
    error: str | None = None


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class _Info:
    """What the summary, the chart and a row say about one item."""

    status: str  # changed | unchanged | failed
    size_in: int
    size_out: int | None
    removed: int  # UTF-8 bytes; 0 for failures
    pct: float  # share of the input removed, in percent

    @classmethod
    def of(cls, item: ReviewItem) -> _Info:
        size_in = _size(item.text)
        if item.result is None:
            return cls("failed", size_in, None, 0, 0.0)
        size_out = _size(item.result.text)
        status = "changed" if item.result.text != item.text else "unchanged"
        gone = size_in - size_out
        return cls(status, size_in, size_out, gone, 100.0 * gone / size_in if size_in else 0.0)


def _lang(text: str) -> str:
    """A BCP 47 tag for CJK articles (so the browser picks the right glyphs), else ""."""
    sample = text[:20000]
    kana, hangul, han = (len(p.findall(sample)) for p in (_KANA, _HANGUL, _HAN))
    if kana and kana >= han // 20 and kana >= hangul:
        return "ja"
    if hangul:
        return "ko"
    return "zh" if han else ""


def _script_json(data: object) -> str:
    """JSON that cannot end its ``<script>`` element or be read as markup."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, code)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class _Lines:
    """Inline HTML collected into one ``<div class="ln">`` per input line."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.cur: list[str] = []

    def text(self, text: str, tag: str = "") -> None:
        for k, part in enumerate(text.replace("\r", "").split("\n")):
            if k:
                self.newline()
            if part:
                self.cur.append(f"{tag}{_esc(part)}</mark>" if tag else _esc(part))

    def raw(self, markup: str) -> None:
        self.cur.append(markup)

    def newline(self) -> None:
        no = len(self.done) + 1
        self.done.append(f'<div class="ln" data-n="{no}">' + "".join(self.cur) + "</div>")
        self.cur = []

    def finish(self, text: str) -> str:
        if self.cur or not text.endswith("\n"):
            self.newline()
        return "".join(self.done) if text else '<div class="empty">(empty file)</div>'


def _point(kind: ActionKind, ids: Sequence[int], label: str, cls: str = "pt") -> str:
    """An empty element labelled by CSS (the label is not part of the copied text)."""
    ids_text = " ".join(map(str, ids))
    return f'<span class="{cls} k-{kind.value}" data-a="{ids_text}" data-label="{label}"></span>'


def input_fragment(text: str, actions: Sequence[Action]) -> str:
    """The input as HTML lines, each action's span in a ``<mark class="k-KIND">``.

    ``data-a`` on a mark lists the indexes (in ``actions``) of every action covering it.

    >>> a = Action(ActionKind.MARKER, 3, 6, 1, 1, "<x>")
    >>> input_fragment("ab <x> &", [a])
    '<div class="ln" data-n="1">ab <mark class="k-marker" data-a="0">&lt;x&gt;</mark> &amp;</div>'
    """
    n = len(text)
    spans: list[tuple[int, int, int]] = []
    points: dict[int, list[int]] = {}
    for i, action in enumerate(actions):
        start = min(max(action.start, 0), n)
        end = min(max(action.end, start), n)
        if end > start:
            spans.append((start, end, i))
        else:
            points.setdefault(start, []).append(i)
    spans.sort()
    cuts = sorted({0, n, *points, *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = _Lines()
    active: list[tuple[int, int, int]] = []
    nxt = 0
    for pos, end in zip(cuts, [*cuts[1:], n], strict=True):
        for i in points.get(pos, ()):
            kind = actions[i].kind
            out.raw(_point(kind, [i], "join" if kind is ActionKind.STITCHED else kind_label(kind)))
        if end <= pos:
            continue
        active = [span for span in active if span[1] > pos]
        starting = []
        while nxt < len(spans) and spans[nxt][0] <= pos:
            active.append(spans[nxt])
            if actions[spans[nxt][2]].kind is not ActionKind.MARKER:
                starting.append(spans[nxt][2])
            nxt += 1
        if starting:
            kinds = sorted({actions[i].kind for i in starting}, key=_RANK.__getitem__)
            out.raw(_point(kinds[0], starting, " · ".join(map(kind_label, kinds)), "tag"))
        if not active:
            out.text(text[pos:end])
            continue
        *_, win = min(active, key=lambda t: (t[1] - t[0], _RANK[actions[t[2]].kind], t[2]))
        ids = " ".join(str(i) for i in sorted(t[2] for t in active))
        extra = " ov" if len(active) > 1 else ""
        out.text(text[pos:end], f'<mark class="k-{actions[win].kind.value}{extra}" data-a="{ids}">')
    return out.finish(text)


class _Blocks:
    """The output's blocks (runs of non-blank lines) and a finder for the one an action names."""

    def __init__(self, text: str) -> None:
        self.lines = [line.rstrip("\r") for line in text.split("\n")]
        if text.endswith("\n"):
            self.lines.pop()
        self.spans: list[tuple[int, int]] = []  # first and last line, 0-based
        for no, line in enumerate(self.lines):
            if not line.strip():
                continue
            if self.spans and self.spans[-1][1] == no - 1:
                self.spans[-1] = (self.spans[-1][0], no)
            else:
                self.spans.append((no, no))
        self.texts = ["\n".join(self.lines[a : b + 1]) for a, b in self.spans]
        self.by_excerpt: dict[str, list[int]] = {}
        for j, block in enumerate(self.texts):
            self.by_excerpt.setdefault(excerpt(block, 60), []).append(j)
        self._whole: list[str] | None = None

    def find(self, action: Action) -> int | None:
        """``matched_block`` confirmed by ``matched_excerpt`` (the nearest such block at or
        after that index: front matter and blank lines inside code blocks add blocks)."""
        index, matched = action.matched_block, action.matched_excerpt
        if index is None:
            return None
        found = self.by_excerpt.get(matched, [])
        if not found and matched:  # a block cut at a blank line has a shorter excerpt
            key = matched.removesuffix("…")
            if self._whole is None:
                self._whole = [excerpt(block, 10**9) for block in self.texts]
            found = [j for j, whole in enumerate(self._whole) if key.startswith(whole)]
        return min(found, key=lambda j: (j < index, abs(j - index))) if found else None


def _output_view(text: str, actions: Sequence[Action]) -> tuple[str, list[int | None]]:
    """:func:`output_fragment` and, for each action, the output line its block starts on."""
    blocks = _Blocks(text)
    found = [blocks.find(action) for action in actions]
    targets: dict[int, list[int]] = {}
    for i, (action, j) in enumerate(zip(actions, found, strict=True)):
        if j is not None and action.kind in (ActionKind.STITCHED, ActionKind.MERGED):
            targets.setdefault(j, []).append(i)
    marked: dict[int, tuple[str, str, str]] = {}
    for j, ids in targets.items():
        kinds = {actions[i].kind for i in ids}
        kind = ActionKind.STITCHED if ActionKind.STITCHED in kinds else ActionKind.MERGED
        first, last = blocks.spans[j]
        head = _point(kind, ids, "joined" if kind is ActionKind.STITCHED else "merged")
        for no in range(first, last + 1):
            marked[no] = (kind.value, " ".join(map(str, ids)), head if no == first else "")
    out = []
    for no, line in enumerate(blocks.lines):
        if no in marked:
            kind_value, ids_text, head = marked[no]
            attrs = f' class="ln tb k-{kind_value}" data-n="{no + 1}" data-a="{ids_text}"'
            out.append(f"<div{attrs}>{head}{_esc(line)}</div>")
        else:
            out.append(f'<div class="ln" data-n="{no + 1}">{_esc(line)}</div>')
    fragment = "".join(out) if text else '<div class="empty">(empty output)</div>'
    return fragment, [None if j is None else blocks.spans[j][0] + 1 for j in found]


def output_fragment(text: str, actions: Sequence[Action]) -> str:
    """The clean output as HTML lines; blocks that got a stitch or a merge are marked.

    >>> a = Action(ActionKind.STITCHED, 9, 9, 3, 3, "", 1, "Cut and joined.")
    >>> output_fragment("Title\\n\\nCut and joined.\\n", [a])  # doctest: +NORMALIZE_WHITESPACE
    '<div class="ln" data-n="1">Title</div><div class="ln" data-n="2"></div><div class="ln tb
    k-stitched" data-n="3" data-a="0"><span class="pt k-stitched" data-a="0"
    data-label="joined"></span>Cut and joined.</div>'
    """
    return _output_view(text, actions)[0]


def _chart(items: Sequence[ReviewItem], infos: Sequence[_Info]) -> str:
    """Inline SVG: one bar per file, tallest (largest share removed) first.

    The SVG stretches to its box; the axis labels are HTML so that they do not.
    """
    order = sorted(range(len(items)), key=lambda i: (-infos[i].pct, items[i].path))
    top = max([info.pct for info in infos] + [1.0])
    top = next(step for step in (5, 10, 25, 50, 75, 100) if top <= step)
    labels = "".join(
        f'<span class="ax" style="bottom:{frac * 92:g}%">{frac * top:g}%</span>'
        for frac in (0.0, 0.5, 1.0)
    )
    out = [
        f'<div class="plot">{labels}<svg viewBox="0 0 1000 100" preserveAspectRatio="none" '
        'role="img" aria-label="Share of bytes removed per file">'
    ]
    for frac in (0.0, 0.5, 1.0):
        y = 100 - frac * 92
        out.append(
            f'<line class="grid" x1="0" x2="1000" y1="{y:g}" y2="{y:g}" '
            'vector-effect="non-scaling-stroke"/>'
        )
    slot = 1000 / max(len(items), 1)
    bar = min(slot * 0.72, 60.0)
    for pos, i in enumerate(order):
        info, item = infos[i], items[i]
        h = 3.0 if info.status == "failed" else max(info.pct / top * 92, 1.0)
        what = (
            f"failed: {item.error or 'error'}"
            if info.status == "failed"
            else f"{info.removed:,} bytes ({info.pct:.1f}%) removed"
        )
        out.append(
            f'<a href="#open=f-{i}"><rect class="bar {info.status}" '
            f'x="{pos * slot + (slot - bar) / 2:.2f}" y="{100 - h:.2f}" width="{bar:.2f}" '
            f'height="{h:.2f}"><title>{_esc(f"{item.path}: {what}")}</title></rect></a>'
        )
    return "".join(out) + "</svg></div>"


def _stat(key: str, value: int, label: str, extra: str = "", cls: str = "") -> str:
    more = f'<span class="x">{_esc(extra)}</span>' if extra else ""
    return (
        f'<div class="stat {key} {cls}" data-stat="{key}" data-value="{value}">'
        f'<span class="n">{value:,}</span><span class="l">{label}</span>{more}</div>'
    )


def _summary(items: Sequence[ReviewItem], infos: Sequence[_Info]) -> str:
    statuses = [info.status for info in infos]
    size_in = sum(info.size_in for info in infos if info.size_out is not None)
    gone = sum(info.removed for info in infos)
    failed = statuses.count("failed")
    share = f"{100.0 * gone / size_in:.1f}% of {size_in:,}" if size_in else ""
    stats = [
        _stat("files", len(items), "files"),
        _stat("changed", statuses.count("changed"), "changed"),
        _stat("unchanged", statuses.count("unchanged"), "unchanged"),
        _stat("failed", failed, "failed", cls="some" if failed else ""),
        _stat("removed", gone, "bytes removed", share),
    ]
    return (
        f'<section class="summary"><div class="stats">{"".join(stats)}</div>'
        '<figure class="chart"><figcaption>Share of each file removed'
        "<span>one bar per file, largest first</span></figcaption>"
        f"{_chart(items, infos)}</figure></section>"
    )


def _row_head(index: int, item: ReviewItem, info: _Info) -> str:
    folder, _, name = item.path.rpartition("/")
    path = (f'<span class="dir">{_esc(folder)}/</span>' if folder else "") + _esc(name)
    counts = item.result.counts() if item.result is not None else {}
    chips = "".join(
        f'<span class="chip k-{kind}"><i class="sw"></i><b>{count}</b> '
        f"{kind_label(ActionKind(kind))}</span>"
        for kind, count in counts.items()
        if count
    )
    if not chips:
        text = "failed" if info.status == "failed" else "no changes"
        chips = f'<span class="badge {info.status}">{text}</span>'
    sign = "−" if info.removed > 0 else "+" if info.removed < 0 else ""
    delta = f"{sign}{abs(info.removed):,} B<small>{abs(info.pct):.1f}%</small>"
    if info.status == "failed":
        delta = "—"
    return (
        f'<button class="fh" type="button" aria-expanded="false" aria-controls="b-{index}">'
        f'<span class="chev"></span><span class="path" title="{_esc(item.path)}">{path}</span>'
        f'<span class="chips">{chips}</span><span class="meter">'
        f'<i style="width:{min(max(info.pct, 0.0), 100.0):.1f}%"></i></span>'
        f'<span class="delta">{delta}</span></button>'
    )


def _row(index: int, item: ReviewItem, info: _Info) -> str:
    actions = item.result.actions if item.result is not None else ()
    error = ""
    if info.status == "failed":
        error = f'<div class="error">{_esc(item.error or "cannot clean this file")}</div>'
    count = f"{len(actions)} action{'' if len(actions) == 1 else 's'}"
    lang = _lang(item.text)
    lang_attr = f' lang="{lang}"' if lang else ""
    out_button, out_size = "", "—"
    if info.size_out is not None:
        out_button = (
            '<button type="button" data-v="output" aria-pressed="false">Clean output</button>'
        )
        out_size = f"{info.size_out:,}"
    body = (
        f'<div class="fb" id="b-{index}" hidden>{error}<div class="vbar"><div class="seg">'
        '<button type="button" data-v="input" aria-pressed="true">Input, removals marked</button>'
        f"{out_button}</div><span>{count} · {info.size_in:,} → {out_size} bytes</span>"
        '<span class="nav"><button type="button" data-d="-1">↑ Previous</button>'
        '<button type="button" data-d="1">Next change ↓</button></span></div>'
        f'<div class="article" data-v="input"{lang_attr}></div>'
        f'<div class="article" data-v="output"{lang_attr} hidden></div></div>'
    )
    output, lines = (None, []) if item.result is None else _output_view(item.result.text, actions)
    data = {
        "input": input_fragment(item.text, actions),
        "output": output,
        "actions": [action.to_dict() for action in actions],
        "output_lines": lines,  # per action: output line of the block it matched, or null
    }
    return (
        f'<section class="file {info.status}" id="f-{index}" data-path="{_esc(item.path)}" '
        f'data-status="{info.status}" data-order="{index}" data-removed="{info.removed}" '
        f'data-pct="{info.pct:.3f}">{_row_head(index, item, info)}{body}'
        f'<script type="application/json" id="d-{index}">{_script_json(data)}</script></section>'
    )


def render_html(items: Sequence[ReviewItem], *, title: str = "dedupe-articles review") -> str:
    """The review page for ``items`` (shown sorted by path): one HTML document, no I/O.

    The same items give the same string (no timestamps).
    """
    from dedupe_articles import __version__

    items = sorted(items, key=lambda item: item.path)
    infos = [_Info.of(item) for item in items]
    legend = "".join(
        f'<span class="k-{kind.value}" title="{_esc(_HELP[kind])}"><i class="sw"></i>'
        f"{kind_label(kind)}</span>"
        for kind in ActionKind
    )
    n = len(items)
    files = f"{n:,} file{'' if n == 1 else 's'}"
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="dedupe-articles {__version__}">'
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>"
        f'<header class="top"><div class="wrap"><span class="logo">d</span><h1>{_esc(title)}</h1>'
        f'<p class="sub">dedupe-articles {__version__} · {files} · hover a highlight for the '
        'reason</p></div></header><main class="wrap">'
        "<noscript><p>Turn on JavaScript to open the articles.</p></noscript>"
        f'{_summary(items, infos)}<div class="toolbar"><label class="search">{_SEARCH_ICON}'
        '<input id="filter" type="search" placeholder="Filter files by name  ( / )" '
        'aria-label="Filter files by name" autocomplete="off"></label><label>Sort '
        '<select id="sort"><option value="name">by name</option><option value="removed">'
        'by bytes removed</option><option value="pct">by share removed</option></select></label>'
        f'<span id="count">{n} of {files}</span></div><div class="legend">{legend}</div>'
        '<div id="files">'
        + "".join(
            _row(i, item, info) for i, (item, info) in enumerate(zip(items, infos, strict=True))
        )
        + '</div><p class="nomatch" id="nomatch" hidden>No file matches the filter.</p></main>'
        f'<div id="tip" role="tooltip" hidden></div><script>{JS}</script></body></html>\n'
    )
    try:
        page.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates (from surrogateescape decoding)
        page = page.encode("utf-8", "replace").decode("utf-8")
    return page


_SEARCH_ICON = (
    '<svg width="15" height="15" viewBox="0 0 16 16" aria-hidden="true"><circle cx="7" cy="7" '
    'r="5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M11 11l3.5 3.5" '
    'stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>'
)
