"""Deterministic corruption generator for the quality benchmark.

``corrupt(article, seed=..., shape=...)`` turns a clean article into the kind of polluted
text the cleaner receives: the article cut at continuation points, each continuation
regenerated several times and glued with ``---END---`` markers, truncated, shorter and
reworded attempts, echoes, restarts (see benchmarks/README.md).  The same
``(article, seed, shape)`` always gives the same text; the ground truth is always the
original article (CRLF for CRLF variants).  The generator only adds material or damaged
copies next to an intact one, so legitimate repetition is never removed, and it asserts
that every sentence of the original is still present in full (a sentence crossing a cut:
its head before the cut and its tail after it).
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, replace
from itertools import takewhile

from benchmarks.blocks import (
    CJK,
    CJK_PUNCT,
    CONT_TAGS,
    FILLERS,
    Cut,
    Item,
    detect_lang,
    parse_blocks,
    render,
    split_sentences,
)

MARKER = "---END---"
SHAPES = ("regenerated", "complementary", "overlap", "reworded", "mixed", "clean")
# Probability of the optional features per shape (base features are always possible).
_SHAPE_P = {
    "overlap": {"overlap": 0.8, "mixed": 0.4},
    "reword": {"reworded": 1.0, "mixed": 0.4},
    "complementary": {"complementary": 1.0, "mixed": 0.35},
    "tag": {"mixed": 0.4},
    "bold": {"mixed": 0.25},
    "crlf": {"mixed": 0.3},
    "spaces": {"mixed": 0.4},
}


@dataclass(frozen=True)
class Corrupted:
    """One corrupted article and its ground truth (``notes``: what was done, for --show)."""

    text: str
    original: str
    shape: str
    lang: str
    seed: int
    notes: tuple[str, ...] = ()


def corrupt(article: str, *, seed: int, shape: str, lang: str | None = None) -> Corrupted:
    """Corrupt ``article`` deterministically; see the module docstring and README."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; choose from {SHAPES}")
    lang = lang or detect_lang(article)
    if shape == "clean":
        return Corrupted(article, article, shape, lang, seed)
    digest = hashlib.sha1(article.encode()).hexdigest()
    gen = _Gen(article, lang, random.Random(f"{shape}/{seed}/{digest}"), shape)
    text, original = gen.build(), article
    gen.check(text)
    if gen.chance("spaces"):
        text = gen.trailing_spaces(text)
    if gen.chance("crlf"):
        text, original = text.replace("\n", "\r\n"), original.replace("\n", "\r\n")
        gen.notes.append("crlf")
    assert text != original
    return Corrupted(text, original, shape, lang, seed, tuple(gen.notes))


class _Gen:
    def __init__(self, article: str, lang: str, rng: random.Random, shape: str) -> None:
        self.blocks = parse_blocks(article)
        self.lang, self.rng, self.shape = lang, rng, shape
        self.join = "" if lang in CJK else " "
        self.notes: list[str] = []
        self.first = next(i for i, b in enumerate(self.blocks) if b.kind != "front")
        self.cuts: list[Cut] = []
        self.protected: set[int] = set()  # complementary targets: never re-emitted whole

    # -- small helpers -------------------------------------------------------------
    def chance(self, feature: str) -> bool:
        return self.rng.random() < _SHAPE_P[feature].get(self.shape, 0.0)

    def sents(self, text: str) -> list[str]:
        return split_sentences(text, self.lang)

    def is_para(self, it: Item) -> bool:
        return it.block >= 0 and self.blocks[it.block].kind == "para"

    def span(self, a: Cut | None, b: Cut | None) -> list[Item]:
        """The original text between two cuts as items."""
        b0, lo = (a.block, a.tail) if a else (0, 0)
        stop = (b.block + (1 if b.head else 0)) if b else len(self.blocks)
        items = []
        for i in range(b0, stop):
            t = self.blocks[i].text
            s = lo if i == b0 else 0
            e = b.head if (b and i == b.block and b.head) else len(t)
            items.append(Item(i, t[s:e], whole_end=e == len(t)))
        return items

    def inner_point(self, text: str, midword_p: float, lo: int = 4) -> tuple[int, int, str] | None:
        """A point inside a paragraph that is not a sentence boundary: (head, tail, kind)."""
        rng, n = self.rng, len(text)
        if self.lang in CJK:
            cands = [
                i
                for i in range(lo, n - 3)
                if text[i - 1] not in CJK_PUNCT and text[i] not in CJK_PUNCT
            ]
            i = rng.choice(cands) if cands else -1
            return (i, i, "mid-sentence") if cands else None
        if rng.random() < midword_p:
            pat = r"[^\W\d_]{3,}" if self.lang == "ko" else r"[^\W\d_]{5,}"
            words = [m for m in re.finditer(pat, text) if m.start() > lo and m.end() < n - 4]
            if words:
                m = rng.choice(words)
                edge = 1 if self.lang == "ko" else 2
                i = rng.randint(m.start() + edge, m.end() - edge)
                return i, i, "mid-word"
        cands = [
            i
            for i in range(lo + 4, n - 6)
            if text[i] == " " and text[i - 1] not in '.!?…:;"”»«' and text[i + 1] not in "?!:;»…"
        ]
        if not cands:
            return None
        i = rng.choice(cands)
        return i, i + 1, "mid-sentence"

    # -- cuts and the top-level assembly --------------------------------------------
    def choose_cuts(self) -> list[Cut]:
        rng = self.rng
        want = rng.choices([1, 2, 3], weights=[4, 3.5, 2.5])[0]
        cands = list(range(self.first + 3, len(self.blocks) - 1))  # paragraphs weigh 3x:
        cands.sort(
            key=lambda c: rng.random() ** (1 / (3 if self.blocks[c].kind == "para" else 1)),
            reverse=True,
        )
        chosen: list[int] = []
        for c in cands:
            if len(chosen) < want and all(abs(c - x) >= 3 for x in chosen):
                chosen.append(c)
        cuts = []
        for b in sorted(chosen):
            blk = self.blocks[b]
            pt = None
            if blk.kind == "para" and rng.random() < 0.75:
                pt = self.inner_point(blk.text, midword_p=0.12, lo=8)
            cuts.append(Cut(b, *pt) if pt else Cut(b + 1, 0, 0, "para-end"))
        if not cuts:
            cuts = [Cut(len(self.blocks) - 1, 0, 0, "para-end")]
        self.notes.append("cuts=" + ",".join(f"{c.kind}@{c.block}" for c in cuts))
        return cuts

    def build(self) -> str:
        rng = self.rng
        self.cuts = cuts = self.choose_cuts()
        seg0 = self.span(None, cuts[0])
        if rng.random() < 0.35:
            seg0 = self.closing_repeat(seg0)
        rounds: list[list[str]] = [[render(seg0)]]
        want_comp, done_comp = self.chance("complementary"), False
        for a, b in zip(cuts, [*cuts[1:], None], strict=True):
            comp = want_comp and (not done_comp or rng.random() < 0.5)
            rounds.append(self.round(a, b, comp))
            done_comp = done_comp or any(n.startswith("complementary") for n in self.notes)
        extras = [("echo", self.echo(), 0.35), ("restart-begin", self.restart_begin(), 0.2)]
        for name, seg, p in extras:
            if seg and rng.random() < p:
                rnd = rounds[rng.randint(1, len(rounds) - 1)]
                rnd.insert(rng.randint(0, len(rnd)), seg)
                self.notes.append(name)
        out = rounds[0][0]
        for rnd in rounds[1:]:
            for k, seg in enumerate(rnd):
                out += self.separator(same_round=k > 0) + seg
        end = rng.random()
        return out + ("\n\n---END---\n" if end < 0.3 else "\n\n---END---" if end < 0.4 else "\n")

    def separator(self, same_round: bool) -> str:
        if same_round and self.rng.random() < 0.1:
            self.notes.append("missing-marker")
            return "\n\n"
        opts = [
            "\n\n---END---\n\n",
            "\n---END---\n\n",
            "\n\n---END--- ",
            "\n\n---END---\n\n---END--- ",
            "\n\n---END---\n---END---\n\n",
            "\n\n---END---\n\n---END---\n\n",
        ]
        return self.rng.choices(opts, weights=[55, 10, 10, 8, 7, 5])[0]

    def round(self, a: Cut, b: Cut | None, comp: bool) -> list[str]:
        """All attempts at one continuation; exactly one is complete."""
        rng = self.rng
        items = self.span(a, b)
        n = rng.randint(2, 5)
        lap = [self.chance("overlap") for _ in range(n)]
        if self.shape == "overlap" and not any(lap):
            lap[rng.randrange(n)] = True
        targets = self.comp_targets(items) if comp else []
        protect = {items[t].block for t in targets}
        self.protected |= protect
        main, other = self.complementary(items, targets) if targets else (items, [])
        complete = self.overlap(main, a, lap[0])
        if not targets and rng.random() < 0.25:
            complete = (self.restart(complete, a, b, complete=True) or (0, complete))[1]
        if rng.random() < 0.12:
            complete = self.closing_repeat(complete)
        attempts = [self.variant(items, a, b, protect, complete, lap[k + 1]) for k in range(n - 1)]
        if targets:
            attempts[0] = self.overlap(other, a, lap[1])
            self.notes.append(f"complementary@{sorted(protect)}")
        pos = rng.randint(0, n - 1)
        attempts.insert(pos, complete)
        self.notes.append(f"round@{a.block}: {n} attempts, complete=#{pos}")
        return [render(att) for att in attempts]

    def variant(
        self,
        items: list[Item],
        a: Cut,
        b: Cut | None,
        protect: set[int],
        complete: list[Item],
        lap: bool,
    ) -> list[Item]:
        """A non-complete attempt: truncated, shorter, reworded, restarted..."""
        rng = self.rng
        att = self.overlap(items, a, lap)
        short = rng.random() < 0.4
        if short:
            att = self.shorten(att)
        if self.chance("reword"):
            att = self.reword(att)
        if self.chance("tag") or self.chance("bold"):
            att = self.retag(att)
        heads = [
            i for i, it in enumerate(att[:-1]) if self._level(it) >= 2 and self.is_para(att[i + 1])
        ]
        if heads and rng.random() < 0.25:
            i = rng.choice(heads)
            att[i] = replace(att[i], glue="\n")
        min_index = 0
        if not protect and rng.random() < 0.12:
            restarted = self.restart(att, a, b, complete=False)
            if restarted:
                min_index, att = restarted
        if not short or min_index or rng.random() < 0.35 or render(att) == render(complete):
            att = self.truncate(att, min_index)
        if rng.random() < 0.12:
            att = self.closing_repeat(att)
        for i, it in enumerate(att):  # complementary: no other attempt holds a target whole
            if it.block in protect and it.text == self.blocks[it.block].text:
                s = self.sents(it.text)
                del s[rng.randrange(len(s))]
                att[i] = replace(it, text=self.join.join(s))
        if render(att) == render(complete):
            att = self.truncate(att)
        return att

    # -- attempt transformations ---------------------------------------------------
    def truncate(self, items: list[Item], min_index: int = 0) -> list[Item]:
        rng = self.rng
        ends = list(range(min_index, len(items) - 1))
        paras = [
            i
            for i in range(min_index, len(items))
            if self.is_para(items[i]) and len(items[i].text) > 16
        ]
        if paras and (not ends or rng.random() < 0.7):
            i = rng.choice(paras)
            it = items[i]
            if rng.random() < 0.1:  # stop at a sentence end inside the paragraph
                s = self.sents(it.text)
                if len(s) > 1:
                    k = rng.randint(1, len(s) - 1)
                    return [*items[:i], replace(it, text=self.join.join(s[:k]), whole_end=False)]
            pt = self.inner_point(it.text, midword_p=0.25, lo=1)
            if pt:
                text = it.text[: pt[0]]
                if rng.random() < 0.15:
                    text += rng.choice(["…", "..."])
                    self.notes.append("teaser")
                return [*items[:i], replace(it, text=text, whole_end=False)]
        return items[: rng.choice(ends) + 1] if ends else items

    def shorten(self, att: list[Item]) -> list[Item]:
        """Shorter variant: trailing sentences of some paragraphs and/or a section."""
        rng = self.rng
        cands = [
            i
            for i, it in enumerate(att)
            if self.is_para(it) and it.whole_end and len(self.sents(it.text)) >= 2
        ]
        for i in rng.sample(cands, min(len(cands), rng.randint(1, 3))):
            s = self.sents(att[i].text)
            att[i] = replace(att[i], text=self.join.join(s[: rng.randint(1, len(s) - 1)]))
        heads = [i for i, it in enumerate(att) if i > 0 and self._level(it) >= 2]
        if heads and rng.random() < 0.35:
            h = rng.choice(heads)
            lvl = self._level(att[h])
            end = next(
                (j for j in range(h + 1, len(att)) if 0 < self._level(att[j]) <= lvl), len(att)
            )
            att = att[:h] + att[end:]
            self.notes.append("section-dropped")
        return att

    def _level(self, it: Item) -> int:
        heading = it.block >= 0 and self.blocks[it.block].kind == "heading"
        return len(it.text) - len(it.text.lstrip("#")) if heading else 0

    def reword(self, att: list[Item]) -> list[Item]:
        rng = self.rng
        idx = [i for i, it in enumerate(att) if self.is_para(it) and len(it.text) >= 30]
        for i in rng.sample(idx, min(len(idx), rng.randint(1, 3))):
            s = self.sents(att[i].text)
            j = rng.randrange(len(s))
            s[j] = self.reword_sentence(s[j])
            att[i] = replace(att[i], text=self.join.join(s))
        self.notes.append("reworded")
        return att

    def reword_sentence(self, s: str) -> str:
        rng = self.rng
        op = rng.choice(["add", "drop", "swap", "char"])
        filler = rng.choice(FILLERS.get(self.lang, FILLERS["en"]))
        if self.lang in CJK:
            pos = [
                i
                for i in range(2, len(s) - 3)
                if s[i] not in CJK_PUNCT and s[i + 1] not in CJK_PUNCT and s[i] != s[i + 1]
            ]
            if not pos:
                return s
            i = rng.choice(pos)
            return {
                "add": s[:i] + filler + s[i:],
                "drop": s[:i] + s[i + 2 :],
                "swap": s[:i] + s[i + 1] + s[i] + s[i + 2 :],
                "char": s[:i] + s[i + 1 :],
            }[op]
        w = s.split(" ")
        if len(w) < 5:
            return s
        i = rng.randint(1, len(w) - 3)
        if op == "add":
            w.insert(i, filler)
        elif op == "drop":
            del w[i]
        elif op == "swap" and w[i] != w[i + 1]:
            w[i], w[i + 1] = w[i + 1], w[i]
        else:  # a character missing from a longer word (or a word, if there is none)
            k = rng.choice([k for k, x in enumerate(w[:-1]) if len(x) >= 5 and x.isalpha()] or [i])
            c = rng.randint(1, max(1, len(w[k]) - 2))
            w[k] = w[k][:c] + w[k][c + 1 :]
        return " ".join(w)

    def retag(self, att: list[Item]) -> list[Item]:
        heads = [i for i, it in enumerate(att) if self._level(it) >= 2]
        if heads:
            i = self.rng.choice(heads)
            title = att[i].text.lstrip("#").strip()
            tag = CONT_TAGS.get(self.lang, " (continued)")
            text = att[i].text + tag if self.rng.random() < 0.6 else f"**{title}**"
            att[i] = replace(att[i], text=text)
            self.notes.append("heading-variant")
        return att

    def overlap(self, items: list[Item], a: Cut, on: bool) -> list[Item]:
        """Start the continuation before the cut (repeated words, sentence, paragraph, …)."""
        rng = self.rng
        if not on:
            return list(items)
        ell = rng.choice(["…", "..."])
        if a.kind == "para-end":
            prev, first_para = self.blocks[a.block - 1], self.is_para(items[0])
            if prev.kind == "para" and (not first_para or rng.random() < 0.7):
                self.notes.append("overlap-paragraph")
                return [Item(a.block - 1, prev.text), *items]
            if not first_para:
                return list(items)
            self.notes.append("overlap-ellipsis")
            return [replace(items[0], text=ell + items[0].text), *items[1:]]
        text = self.blocks[a.block].text
        mode = rng.choice(["words", "sentence", "paragraph", "ellipsis"])
        start = a.tail
        if mode in ("words", "ellipsis") and (mode == "words" or rng.random() < 0.4):
            if self.lang in CJK:
                start = max(0, a.head - rng.randint(2, 10))
            else:
                start = a.head
                for _ in range(rng.randint(1, 4)):
                    start = max(text.rfind(" ", 0, start), 0)
                start = start + 1 if start else 0
        elif mode == "sentence":
            start = 0
            for s in self.sents(text):
                if start + len(s) >= a.head:
                    break
                start += len(s) + len(self.join)
        elif mode == "paragraph":
            start = 0
        new = text[start:]
        self.notes.append(f"overlap-{mode}")
        return [
            replace(items[0], text=(ell + new) if mode == "ellipsis" else new),
            *items[1:],
        ]

    def restart(
        self, att: list[Item], a: Cut, b: Cut | None, complete: bool
    ) -> tuple[int, list[Item]] | None:
        """After a complete paragraph, jump back (often to a heading) and re-emit a run."""
        rng = self.rng
        ks = [k for k, it in enumerate(att[:-1]) if self.is_para(it) and it.whole_end]
        if not ks:
            return None
        k = rng.choice(ks)
        bk = att[k].block
        heads = [
            g for g in range(max(self.first, bk - 6), bk + 1) if self.blocks[g].kind == "heading"
        ]
        if rng.random() < 0.3:
            run = self.span(a, b)
        elif heads and rng.random() < 0.7:
            run = self.span(Cut(rng.choice(heads), 0, 0, "para-end"), b)
        else:
            run = self.span(Cut(rng.randint(max(self.first, bk - 3), bk), 0, 0, "para-end"), b)
        if any(it.block in self.protected for it in run):
            run = self.span(a, b)
        self.notes.append("restart" + ("-complete" if complete else ""))
        return k + 1, att[: k + 1] + run

    def closing_repeat(self, att: list[Item]) -> list[Item]:
        """Repeat the closing sentences of a paragraph as their own paragraph."""
        idx = [
            i
            for i, it in enumerate(att)
            if self.is_para(it) and it.whole_end and len(self.sents(it.text)) >= 2
        ]
        if not idx:
            return att
        i = self.rng.choice(idx)
        s = self.sents(att[i].text)
        k = self.rng.randint(1, min(2, len(s) - 1))
        self.notes.append("closing-repeat")
        return [*att[: i + 1], Item(-1, self.join.join(s[-k:])), *att[i + 1 :]]

    def comp_targets(self, items: list[Item]) -> list[int]:
        idx = [
            i
            for i, it in enumerate(items)
            if 0 < i < len(items) - 1 and self.is_para(it) and len(self.sents(it.text)) >= 3
        ]
        return self.rng.sample(idx, min(len(idx), self.rng.randint(1, 2)))

    def complementary(self, items: list[Item], targets: list[int]) -> tuple[list[Item], list[Item]]:
        """Two attempts, each missing a different sentence of the target paragraphs; the
        missing sentences are >= 2 apart, so the in-order union is unambiguous."""
        main, other = list(items), list(items)
        for t in targets:
            s = self.sents(items[t].text)
            pairs = [(i, j) for i in range(len(s)) for j in range(len(s)) if abs(i - j) >= 2]
            i, j = self.rng.choice(pairs)
            main[t] = replace(items[t], text=self.join.join(s[:i] + s[i + 1 :]))
            other[t] = replace(items[t], text=self.join.join(s[:j] + s[j + 1 :]))
        if self.rng.random() < 0.6:
            other = self.truncate(other, max(targets) + 1)
        return main, other

    # -- extra segments --------------------------------------------------------------
    def _prose_run(self, start: int) -> list[int]:
        prose = ("heading", "para")
        return list(
            takewhile(lambda b: self.blocks[b].kind in prose, range(start, self.cuts[0].block))
        )

    def echo(self) -> str | None:
        """An earlier passage collapsed onto one line, truncated."""
        rng = self.rng
        heads = [
            b for b in range(self.first + 1, self.cuts[0].block) if self.blocks[b].kind == "heading"
        ]
        start = rng.choice(heads) if heads and rng.random() < 0.3 else self.first
        run = self._prose_run(start)[: rng.randint(3, 8)]
        if len(run) < 2:
            return None
        joiner = "" if self.lang in CJK and rng.random() < 0.5 else " "
        line = joiner.join(self.blocks[b].text.lstrip("#").strip() for b in run)
        pt = self.inner_point(line, midword_p=0.2, lo=int(len(line) * 0.4))
        line = line[: pt[0]] if pt else line
        return line + (" ---END---" if rng.random() < 0.4 else "")

    def restart_begin(self) -> str | None:
        """The title line and intro again, cut short."""
        run = self._prose_run(self.first)[: self.rng.randint(2, 4)]
        if len(run) < 2:
            return None
        items = self.truncate([Item(b, self.blocks[b].text) for b in run], min_index=1)
        return render(items)

    def trailing_spaces(self, text: str) -> str:
        """Trailing spaces on some prose lines: sentence-final lines and headings, never
        inside fenced code (fences are always whole in corrupted text)."""
        lines, fence = text.split("\n"), False
        for i, line in enumerate(lines):
            if re.sub(r"^(?:---END--- ?)+", "", line).startswith("```"):
                fence = not fence
            elif (
                not fence
                and self.rng.random() < 0.3
                and (re.match(r"#{2,6} ", line) or re.search(r"[.!?。！？]$", line))
            ):
                lines[i] = line + " " * self.rng.randint(1, 3)
        self.notes.append("trailing-spaces")
        return "\n".join(lines)

    # -- ground-truth guarantee ---------------------------------------------------
    def check(self, text: str) -> None:
        """Every sentence (prose) / line (other blocks) of the original is present in full;
        a sentence crossing a cut is present as its head and its tail."""
        split = {(c.block, c.head): c for c in self.cuts if c.head}
        for n, blk in enumerate(self.blocks):
            if blk.kind != "para":
                units = [(line, -1) for line in blk.text.split("\n") if line]
            else:
                units, pos = [], 0
                for s in self.sents(blk.text):
                    units.append((s, pos))
                    pos += len(s) + len(self.join)
            for unit, pos in units:
                if unit in text:
                    continue
                cut = next(
                    (c for (b, h), c in split.items() if b == n and pos <= h <= pos + len(unit)),
                    None,
                )
                ok = (
                    cut is not None
                    and blk.text[pos : cut.head] in text
                    and blk.text[cut.tail : pos + len(unit)] in text
                )
                if not ok:
                    raise AssertionError(f"sentence lost by the generator: {unit!r}")
