#!/usr/bin/env python3
"""Quality benchmark: corrupt the clean corpus, clean it, compare with the original.

Runs ``dedupe_articles.clean_text`` and a naive exact-paragraph-dedup baseline on the
same corrupted files and reports, per language, per shape and overall: exact-match
rate, sentences lost, duplicates left, junk left and throughput, then the worst cases.
See benchmarks/README.md.  Always exits 0 unless ``--min-exact`` is given and missed.

    python benchmarks/quality.py [--seeds N] [--shapes regenerated,mixed] [--json out.json]
    python benchmarks/quality.py --show ja/01_cloud_cost.md:2:mixed
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.blocks import parse_blocks  # noqa: E402
from benchmarks.corrupt import MARKER, SHAPES, Corrupted, corrupt  # noqa: E402
from dedupe_articles import clean_text  # noqa: E402

CORPUS = ROOT / "benchmarks" / "corpus"
DUP_MIN = 20  # sentences shorter than this are not counted as duplicates
# One "sentence" of a line: up to .!? followed by whitespace/end, or up to 。！？ (+closers).
_UNIT = re.compile(r".+?(?:[.!?]+[\"'”’)\]]*(?=\s|$)|[。！？]+[」』）】》”’]*|$)")
Cleaner = Callable[[str], str]


def units(text: str) -> list[str]:
    """Sentences of every non-empty line (the metric's own, deliberately simple splitter)."""
    out: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        out.extend(u.strip() for u in _UNIT.findall(line.strip()) if u.strip())
    return out


def baseline(text: str) -> str:
    """Naive cleaner: split on markers and blank lines, keep the first occurrence of each
    exact paragraph, join with blank lines (keeps CRLF if the input had it)."""
    nl = "\r\n" if "\r\n" in text else "\n"
    seen: set[str] = set()
    out: list[str] = []
    for segment in text.replace("\r\n", "\n").split(MARKER):
        for para in re.split(r"\n[ \t]*\n", segment):
            para = "\n".join(line.rstrip() for line in para.strip().split("\n"))
            if para and para not in seen:
                seen.add(para)
                out.append(para)
    return ("\n\n".join(out) + "\n").replace("\n", nl)


@dataclass
class Case:
    key: str  # lang/file.md:seed:shape  (reproduce with --show KEY)
    lang: str
    shape: str
    tool: str
    exact: bool
    sentences: int
    lost: int
    dups: int
    junk: int
    nbytes: int
    seconds: float
    error: str = ""


def score(key: str, c: Corrupted, tool: str, fn: Cleaner) -> Case:
    t0 = time.perf_counter()
    try:
        out, error = fn(c.text), ""
    except Exception as exc:  # a crash is a result, not the end of the report
        out, error = "", f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    exp, got = Counter(units(c.original)), Counter(units(out))
    return Case(
        key=key,
        lang=c.lang,
        shape=c.shape,
        tool=tool,
        exact=out == c.original,
        sentences=sum(exp.values()),
        lost=sum(max(0, n - got[u]) for u, n in exp.items()),
        dups=sum(max(0, got[u] - n) for u, n in exp.items() if len(u) >= DUP_MIN),
        junk=sum(n for u, n in got.items() if u not in exp),
        nbytes=len(c.text.encode()),
        seconds=seconds,
        error=error,
    )


def load_corpus(langs: Iterable[str] | None) -> dict[str, str]:
    files = sorted(CORPUS.glob("*/*.md"))
    return {
        f"{p.parent.name}/{p.name}": p.read_text(encoding="utf-8")
        for p in files
        if not langs or p.parent.name in langs
    }


def load_real_posts(root: Path) -> dict[str, str]:
    """Real polluted posts, cleaned by the engine, as more clean articles: their
    Markdown, length and repetitive style are the real blog's, not the corpus's.
    Keyed ``real-<lang>/<file>``; the language is ``ja`` for the Japanese blog's
    folder, ``en`` otherwise. Outputs the generator cannot take apart into blocks
    (blank-line runs inside kramdown attributes and the like) are left out."""
    posts = {}
    for p in sorted(root.glob("*/*.md")):
        text = clean_text(p.read_text(encoding="utf-8"))
        try:
            parse_blocks(text)
        except ValueError:
            continue
        posts[f"real-{'ja' if p.parent.name.startswith('ja') else 'en'}/{p.name}"] = text
    return posts


def run(
    corpus: dict[str, str],
    shapes: list[str],
    seeds: int,
    tools: dict[str, Cleaner],
    first_seed: int = 0,
) -> list[Case]:
    cases: list[Case] = []
    for name, article in corpus.items():
        lang = name.split("/")[0].removeprefix("real-")
        for shape in shapes:
            count = 1 if shape == "clean" else seeds
            for seed in range(first_seed, first_seed + count):
                c = corrupt(article, seed=seed, shape=shape, lang=lang)
                key = f"{name}:{seed}:{shape}"
                cases.extend(score(key, c, tool, fn) for tool, fn in tools.items())
    return cases


def summarize(cases: list[Case]) -> dict[str, float | int]:
    n, sents = len(cases), sum(c.sentences for c in cases)
    secs = sum(c.seconds for c in cases)
    return {
        "cases": n,
        "exact": sum(c.exact for c in cases),
        "exact_pct": 100.0 * sum(c.exact for c in cases) / n if n else 0.0,
        "sentences": sents,
        "lost": sum(c.lost for c in cases),
        "lost_pct": 100.0 * sum(c.lost for c in cases) / sents if sents else 0.0,
        "dups": sum(c.dups for c in cases),
        "junk": sum(c.junk for c in cases),
        "errors": sum(bool(c.error) for c in cases),
        "mb_per_s": sum(c.nbytes for c in cases) / 1e6 / secs if secs else 0.0,
        "seconds": secs,
    }


def grouped(cases: list[Case], by: str) -> dict[str, dict[str, dict[str, float | int]]]:
    """{group: {tool: summary}} for by in lang | shape | overall."""
    out: dict[str, dict[str, dict[str, float | int]]] = {}
    keys = sorted(
        {"all" if by == "overall" else getattr(c, by) for c in cases},
        key=lambda k: (SHAPES.index(k) if k in SHAPES else -1, k),
    )
    for group in keys:
        sel = [c for c in cases if by == "overall" or getattr(c, by) == group]
        out[group] = {
            tool: summarize([c for c in sel if c.tool == tool])
            for tool in dict.fromkeys(c.tool for c in sel)
        }
    return out


def badness(c: Case) -> tuple[int, int, int]:
    return (bool(c.error), 4 * c.lost + c.dups + c.junk, c.nbytes)


HEADERS = ["group", "tool", "cases", "exact%", "lost", "lost%", "dups", "junk", "err", "MB/s"]


def table_rows(groups: dict[str, dict[str, dict[str, float | int]]]) -> list[list[str]]:
    rows = []
    for group, tools in groups.items():
        for tool, s in tools.items():
            rows.append(
                [
                    group,
                    tool,
                    f"{s['cases']}",
                    f"{s['exact_pct']:.1f}",
                    f"{s['lost']}",
                    f"{s['lost_pct']:.2f}",
                    f"{s['dups']}",
                    f"{s['junk']}",
                    f"{s['errors']}",
                    f"{s['mb_per_s']:.2f}",
                ]
            )
    return rows


def print_table(
    title: str, headers: list[str], rows: list[list[str]], fancy: bool, labels: int = 2
) -> None:
    if fancy:
        from rich import box
        from rich.console import Console
        from rich.table import Table

        t = Table(
            title=title,
            box=box.SIMPLE_HEAD,
            title_justify="left",
            pad_edge=False,
            collapse_padding=True,
        )
        for i, h in enumerate(headers):
            t.add_column(h, justify="left" if i < labels else "right", no_wrap=True)
        for r in rows:
            t.add_row(*r, style={"engine": "bold", "baseline": "dim"}.get(r[1]))
        Console().print(t)
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(f"\n{title}")
    for r in [headers, ["-" * w for w in widths], *rows]:
        print(
            "  ".join(
                x.ljust(w) if i < labels else x.rjust(w)
                for i, (x, w) in enumerate(zip(r, widths, strict=True))
            )
        )


def show(key: str, fn: Cleaner, real_posts: Path | None = None) -> int:
    """Print the corrupted input, the expected text and a diff of actual vs expected."""
    m = re.fullmatch(r"([\w-]+/[^:]+\.md):(\d+):(\w+)", key)
    articles = load_real_posts(real_posts) if real_posts is not None else {}
    path = CORPUS / m.group(1) if m else CORPUS
    if m and m.group(1) in articles:
        article = articles[m.group(1)]
    elif m and path.is_file():
        article = path.read_text(encoding="utf-8")
    else:
        article = ""
    if not m or not article or m.group(3) not in SHAPES:
        print(
            f"bad case key {key!r}: want LANG/FILE.md:SEED:SHAPE with an existing "
            f"file under {CORPUS} (or real-LANG/FILE.md with --real-posts) and a shape "
            f"in {SHAPES}",
            file=sys.stderr,
        )
        return 2
    name, seed, shape = m.groups()
    lang = name.split("/")[0].removeprefix("real-")
    c = corrupt(article, seed=int(seed), shape=shape, lang=lang)
    actual = fn(c.text)
    bar = "=" * 30
    print(f"{bar} {key}  notes: {', '.join(c.notes) or '-'}")
    print(f"{bar} corrupted input ({len(c.text)} chars)\n{c.text}")
    print(f"{bar} expected ({len(c.original)} chars)\n{c.original}")
    diff = difflib.unified_diff(
        c.original.splitlines(keepends=True), actual.splitlines(keepends=True), "expected", "actual"
    )
    text = "".join(diff)
    print(f"{bar} diff expected -> actual\n{text if text else '(identical: exact match)'}")
    return 0


def changes(old: list[dict[str, Any]], new: list[Case]) -> list[str]:
    """The engine's results against an earlier ``--json`` run, case by case: a
    totals line, then each case that became exact (GAIN) or stopped being exact
    (LOSS), or whose lost/dups/junk counts moved (``~``). Cases in only one run are
    left out, so a run on a subset compares with a full one."""
    before = {str(c["key"]): c for c in old if c["tool"] == "engine"}
    now = [c for c in new if c.tool == "engine" and c.key in before]
    counts = ("exact", "lost", "dups", "junk")
    totals = "  ".join(
        f"{name} {sum(int(before[c.key][name]) for c in now)} -> "
        f"{sum(int(getattr(c, name)) for c in now)}"
        for name in counts
    )
    lines = [f"against the earlier run ({len(now)} cases in both): {totals}"]
    for c in sorted(now, key=lambda c: c.key):
        was = before[c.key]
        moved = " ".join(f"{n} {was[n]}->{getattr(c, n)}" for n in counts[1:])
        if bool(was["exact"]) != c.exact:
            lines.append(f"{'GAIN' if c.exact else 'LOSS'} {c.key}  {moved}")
        elif not c.exact and any(was[n] != getattr(c, n) for n in counts[1:]):
            lines.append(f"~    {c.key}  {moved}")
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--seeds",
        type=int,
        default=5,
        help="corruptions per article per shape (the clean shape always runs once)",
    )
    ap.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="seed of the first corruption (another range of seeds is another corpus"
        " the engine was not tuned on: --first-seed 10)",
    )
    ap.add_argument(
        "--shapes",
        nargs="+",
        default=list(SHAPES),
        help=f"subset of {', '.join(SHAPES)} (space or comma separated)",
    )
    ap.add_argument("--langs", nargs="+", help="only these corpus languages (e.g. en ja)")
    ap.add_argument("--json", type=Path, help="write all results to this JSON file")
    ap.add_argument(
        "--against",
        type=Path,
        metavar="OLD.json",
        help="list the engine's gains and losses, case by case, against an earlier --json run",
    )
    ap.add_argument("--top", type=int, default=10, help="how many worst cases to list")
    ap.add_argument(
        "--show",
        metavar="LANG/FILE.md:SEED:SHAPE",
        help="print input, expected and the diff of one case, then exit",
    )
    ap.add_argument(
        "--min-exact",
        type=float,
        help="exit 1 if the engine's overall "
        "exact-match rate is below this (fraction 0-1, or a percentage > 1)",
    )
    ap.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    ap.add_argument(
        "--real-posts",
        type=Path,
        metavar="DIR",
        help="also corrupt the engine's cleaned output of each real post in DIR/*/*.md "
        "(e.g. tests/real), reported as languages real-ja and real-en",
    )
    args = ap.parse_args(argv)
    args.shapes = [s for arg in args.shapes for s in arg.split(",") if s]
    bad = [s for s in args.shapes if s not in SHAPES]
    if bad:
        ap.error(f"unknown shape(s) {bad}; choose from {SHAPES}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.show:
        return show(args.show, clean_text, args.real_posts)
    tools: dict[str, Cleaner] = {"engine": clean_text}
    if not args.no_baseline:
        tools["baseline"] = baseline
    corpus = load_corpus(args.langs)
    if args.real_posts is not None:
        corpus.update(load_real_posts(args.real_posts))
    if not corpus:
        print("empty corpus selection", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    cases = run(corpus, args.shapes, args.seeds, tools, args.first_seed)
    wall = time.perf_counter() - t0
    fancy = sys.stdout.isatty()
    report = {by: grouped(cases, by) for by in ("lang", "shape", "overall")}
    for by, groups in report.items():
        print_table(f"by {by}", HEADERS, table_rows(groups), fancy)
    worst = sorted(
        (c for c in cases if c.tool == "engine" and not c.exact), key=badness, reverse=True
    )[: args.top]
    if worst:
        rows = [[c.key, str(c.lost), str(c.dups), str(c.junk), c.error[:40] or "-"] for c in worst]
        print_table(
            "worst engine cases (reproduce: python benchmarks/quality.py --show KEY)",
            ["KEY", "lost", "dups", "junk", "error"],
            rows,
            fancy,
            labels=1,
        )
    n_articles = len(corpus)
    print(
        f"\n{n_articles} articles, {len(cases) // len(tools)} corrupted inputs per tool, "
        f"wall time {wall:.1f}s"
    )
    if args.against:
        print()
        print("\n".join(changes(json.loads(args.against.read_text())["cases"], cases)))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "config": {
                        "seeds": args.seeds,
                        "first_seed": args.first_seed,
                        "shapes": args.shapes,
                        "langs": args.langs,
                        "articles": n_articles,
                        "wall_seconds": wall,
                    },
                    "summary": report,
                    "worst": [c.key for c in worst],
                    "cases": [asdict(c) for c in cases],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    if args.min_exact is not None:
        need = args.min_exact / 100 if args.min_exact > 1 else args.min_exact
        got = report["overall"]["all"]["engine"]["exact_pct"] / 100
        if got < need:
            print(f"engine exact-match rate {got:.1%} < required {need:.1%}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # piped into head & co.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
