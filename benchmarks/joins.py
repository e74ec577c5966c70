#!/usr/bin/env python3
"""Join benchmark: how often the cleaner puts the right space, or none, at a cut.

When an attempt stops between two words and its continuation carries no whitespace
(the marker swallowed it), or stops inside a word, nothing in the text says which it
was: ``boundary_joiner`` guesses from the article's own word statistics. This script
cuts the corpus articles at random points, with the whitespace at the cut removed,
gives the joiner exactly what the cleaner would see (the article around the cut, the
two pieces apart) and counts right answers per language, separately for cuts between
words (a space is right) and inside words (none is right).

    python benchmarks/joins.py [--cuts 30] [--seed 1] [--langs de ko] [--show]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.blocks import parse_blocks  # noqa: E402
from dedupe_articles.normalize import JoinModel, boundary_joiner, is_unspaced  # noqa: E402

CORPUS = ROOT / "benchmarks" / "corpus"
_PARAGRAPH = re.compile(r"\n\s*\n")
# Share of cuts that fall inside a word: the quality benchmark's generator cuts truncated
# attempts inside a word 25% of the time (benchmarks/corrupt.py, 12% at continuation
# points). The weight of the headline rate only; the two kinds are printed apart.
INSIDE_SHARE = 0.25
_WORD = re.compile(r"\w+")


def paragraphs(article: str) -> list[str]:
    """Prose paragraphs long enough to cut (no headings, lists, tables or code)."""
    return [b.text for b in parse_blocks(article) if b.kind == "para" and len(b.text) > 80]


def trial(article: str, rng: random.Random) -> tuple[str, str, str, str] | None:
    """One cut: (the right joiner, left piece, right piece, the paragraph cut), or
    None if none fits."""
    paras = paragraphs(article)
    if not paras:
        return None
    para = rng.choice(paras)
    inner = list(_WORD.finditer(para))[1:-1]
    if not inner:
        return None
    word = rng.choice(inner)
    if rng.random() < 0.5:  # between words: the space before ``word`` is lost
        if not para[word.start() - 1].isspace():
            return None  # "getattr(|record", "qu'|il": not a cut between words
        return " ", para[: word.start()].rstrip(), para[word.start() :], para
    if len(word.group()) < 2:
        return None
    at = word.start() + rng.randint(1, len(word.group()) - 1)
    return "", para[:at], para[at:], para


Tally = Counter[tuple[str, str]]  # (language, kind of cut) -> count


def run(langs: list[str] | None, cuts: int, seed: int, show: bool) -> tuple[Tally, Tally]:
    """Right guesses and cuts tried, per language and kind of cut."""
    rng = random.Random(seed)
    right: Tally = Counter()
    total: Tally = Counter()
    for path in sorted(CORPUS.glob("*/*.md")):
        lang = path.parent.name
        if langs and lang not in langs:
            continue
        article = path.read_text(encoding="utf-8")
        for _ in range(cuts):
            t = trial(article, rng)
            if t is None:
                continue
            want, left, rest, para = t
            if is_unspaced(left[-1:] + rest[:1]):
                continue  # no space either way in Chinese and Japanese: nothing to guess
            # The model learns from the article as the cleaner sees it: this paragraph
            # in two pieces, the rest whole.
            others = [p for p in _PARAGRAPH.split(article) if p != para]
            got = boundary_joiner(left, rest.lstrip(), JoinModel([*others, left, rest]))
            kind = "between words" if want else "inside a word"
            total[lang, kind] += 1
            right[lang, kind] += got == want
            if show and got != want:
                print(f"{lang} {kind}: {left[-25:]!r} | {rest[:25]!r} -> {got!r}")
    return right, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cuts", type=int, default=30, help="cuts per article (default 30)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--langs", nargs="+", help="only these languages (e.g. de ko)")
    parser.add_argument("--show", action="store_true", help="print every wrong guess")
    parser.add_argument(
        "--inside-share",
        type=float,
        default=INSIDE_SHARE,
        help=f"share of cuts inside a word, to weigh the headline rate (default {INSIDE_SHARE})",
    )
    args = parser.parse_args(argv)
    right, total = run(args.langs, args.cuts, args.seed, args.show)
    print(f"{'lang':5} {'cut':14} {'right':>6} {'cuts':>5} {'rate':>6}")
    for (lang, kind), n in sorted(total.items()):
        ok = right[lang, kind]
        print(f"{lang:5} {kind:14} {ok:6d} {n:5d} {100 * ok / n:5.1f}%")
    rates = {}
    for kind in ("between words", "inside a word"):
        n = sum(v for (_, k), v in total.items() if k == kind)
        rates[kind] = sum(v for (_, k), v in right.items() if k == kind) / max(n, 1)
        print(f"{'all':5} {kind:14} {100 * rates[kind]:18.1f}%")
    share = args.inside_share
    weighted = (1 - share) * rates["between words"] + share * rates["inside a word"]
    print(f"weighted ({100 * share:.0f}% of cuts inside a word): {100 * weighted:.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
