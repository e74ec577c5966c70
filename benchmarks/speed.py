"""Speed benchmark: throughput beside the baseline, scaling, large input, CLI and jobs.

    python benchmarks/speed.py            # everything (a few minutes)
    python benchmarks/speed.py --quick    # smaller sizes, for a smoke run

Each heavy measurement runs in a fresh subprocess so that its peak memory (the
child's maximum resident set size) is its own. Numbers are for this machine
only; compare them run against run, never with a threshold in a unit test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corrupt import SHAPES, corrupt  # noqa: E402
from benchmarks.quality import baseline, load_corpus  # noqa: E402

SEED = ROOT / "samples" / "000_3c562c15f48485c9.txt"
REAL = ROOT / "tests" / "real"


def corpus_texts() -> list[str]:
    """The quality corpus corrupted in every shape, plus samples/ and the real posts."""
    texts = []
    for article in load_corpus(None).values():
        for shape in SHAPES:
            texts.append(corrupt(article, seed=0, shape=shape).text)
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").rglob("*.txt"))]
    if REAL.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(REAL.rglob("*.md"))]
    return texts


def throughput(fn: Callable[[str], str], texts: list[str], repeat: int = 3) -> float:
    """Best-of-``repeat`` MB/s of ``fn`` over ``texts`` (UTF-8 bytes)."""
    size = sum(len(t.encode("utf-8")) for t in texts)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            fn(text)
        best = min(best, time.perf_counter() - start)
    return size / 1e6 / best


def _shift(text: str, k: int) -> str:
    """A distinct copy of ``text`` with the same shape: CJK and Latin letters rotated."""
    out = []
    for ch in text:
        o = ord(ch)
        if 0x4E00 <= o <= 0x9FFF:
            out.append(chr(0x4E00 + (o - 0x4E00 + 131 * k) % 0x5200))
        elif "a" <= ch <= "z":
            out.append(chr(97 + (o - 97 + k) % 26))
        else:
            out.append(ch)
    return "".join(out)


def scaled_input(factor: int) -> str:
    """The seed with ``factor`` times as many attempts and paragraphs: ``factor``
    distinct copies of its polluted body (each regenerated continuation included),
    every copy also re-emitting its continuation once more, slightly varied."""
    body = SEED.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
    parts = []
    rng = random.Random(factor)
    for k in range(factor):
        copy = _shift(body, k)
        extra = copy.split("---END---")[4] if copy.count("---END---") > 4 else copy
        lines = extra.split("\n")
        i = rng.randrange(len(lines))
        lines[i] = lines[i][:-1] if len(lines[i]) > 40 else lines[i]
        parts.append(copy + "\n---END---\n" + "\n".join(lines))
    return "\n---END---\n".join(parts)


def pathological_input(megabytes: float, distinct: int = 300) -> str:
    """A generation loop: ``distinct`` paragraphs repeated until ``megabytes`` MB."""
    rng = random.Random(7)
    words = ["alpha", "bravo", "delta", "echo", "kilo", "lima", "oscar", "sierra", "tango", "zulu"]
    paragraphs = []
    for i in range(distinct):
        sentences = [
            " ".join(rng.choice(words) for _ in range(8)).capitalize() + f" number {i}-{j}."
            for j in range(3)
        ]
        paragraphs.append(" ".join(sentences))
    out, size, i = [], 0, 0
    while size < megabytes * 1e6:
        p = paragraphs[i % distinct]
        out.append(p)
        size += len(p) + 2
        i += 1
    return "\n\n".join(out) + "\n"


def _child(kind: str, arg: float) -> None:
    """Run one measurement in this (child) process and print JSON."""
    from dedupe_articles import clean_text

    text = scaled_input(int(arg)) if kind == "scale" else pathological_input(arg)
    start = time.perf_counter()
    out = clean_text(text)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB -> MB on Linux
    check = {}
    if kind == "pathological":
        check = {"paragraphs_out": out.count("\n\n") + 1}
    size = len(text.encode()) / 1e6
    print(json.dumps({"mb": size, "seconds": elapsed, "peak_mb": peak, **check}))


def measure(kind: str, arg: float) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", kind, str(arg)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def cli_seconds(args: list[str], repeat: int = 5) -> float:
    exe = shutil.which("dedupe-articles") or ""
    cmd = [exe, *args] if exe else [sys.executable, "-m", "dedupe_articles", *args]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False, cwd=ROOT)
        best = min(best, time.perf_counter() - start)
    return best


def jobs_series(files: int) -> tuple[float, float]:
    texts = [t for t in corpus_texts() if len(t) < 20_000]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "in")
        src.mkdir()
        for i in range(files):
            (src / f"{i:05d}.txt").write_text(texts[i % len(texts)], encoding="utf-8")
        one = cli_seconds([str(src), "--check", "-q", "--jobs", "1"], repeat=1)
        two = cli_seconds([str(src), "--check", "-q", "--jobs", "2"], repeat=1)
    return one, two


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--skip-dask", action="store_true", help="do not run the Dask comparison")
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], float(args.child[1]))
        return 0
    from dedupe_articles import clean_text

    print("== throughput (quality corpus in every shape + samples + real posts)")
    texts = corpus_texts()
    size = sum(len(t.encode()) for t in texts) / 1e6
    engine = throughput(clean_text, texts)
    base = throughput(baseline, texts)
    print(f"files {len(texts)}, {size:.2f} MB")
    print(f"engine   {engine:8.2f} MB/s")
    print(f"baseline {base:8.2f} MB/s")
    print(f"ratio    {engine / base:8.3f}  (target >= 0.333)")

    print("\n== scaling: the seed with 1x, 10x, 100x attempts and paragraphs")
    factors = [1, 10] if args.quick else [1, 10, 100]
    rows = {f: measure("scale", f) for f in factors}
    for f, r in rows.items():
        print(f"{f:>4}x  {r['mb']:7.2f} MB  {r['seconds']:7.2f} s  peak {r['peak_mb']:7.0f} MB")
    last = factors[-1]
    growth = rows[last]["seconds"] / rows[1]["seconds"]
    print(f"time({last}x)/time(1x) = {growth:.1f}  (target <= 1.5 x {last})")

    mb = 2 if args.quick else 20
    print(f"\n== pathological: {mb} MB of 300 paragraphs repeated")
    r = measure("pathological", mb)
    ok = r["paragraphs_out"] == 300
    print(f"{r['mb']:.1f} MB in {r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MB, "
          f"{r['paragraphs_out']:.0f} paragraphs out ({'right' if ok else 'WRONG'}; "
          "target < 30 s, < 2048 MB)")  # fmt: skip

    print("\n== CLI start-up: one small file, --check")
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp, "a.txt")
        small.write_text("A short clean paragraph.\n", encoding="utf-8")
        print(f"{cli_seconds([str(small), '--check']):.3f} s  (target < 0.3 s)")

    files = 200 if args.quick else 2000
    print(f"\n== --jobs 1 vs --jobs 2 on {files} small files (--check)")
    one, two = jobs_series(files)
    print(f"jobs 1: {one:.2f} s   jobs 2: {two:.2f} s   speed-up {one / two:.2f}x (target >= 1.6x)")

    dask_script = ROOT / "benchmarks" / "dask_speed.py"
    if not args.skip_dask and dask_script.exists():
        print("\n== local engine vs Dask")
        n = 1000 if args.quick else 10000
        done = subprocess.run([sys.executable, str(dask_script), "--files", str(n)], cwd=ROOT,
                              capture_output=True, text=True, check=False)  # fmt: skip
        print(done.stdout.strip() or done.stderr.strip().splitlines()[-1:])
    print(f"\ncpus: {os.cpu_count()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
