#!/usr/bin/env python3
"""Speed of the Dask engine against the local engine on many small files.

Writes N small polluted articles (the first paragraphs of the benchmark corpus,
corrupted with ``benchmarks.corrupt``), then cleans them:

* ``clean only``: :func:`dedupe_articles.files.clean_bytes` over the bytes in memory,
  one process, no I/O: the cleaning work itself;
* ``local engine``: ``dedupe-articles SRC -o DST -j W`` (the CLI, in this process);
* ``dask, new cluster``: :func:`dedupe_articles.distributed.run_dask` with no scheduler,
  so the time includes starting a local cluster of W worker processes;
* ``dask, running cluster``: the same on a cluster started beforehand (as with
  ``--scheduler``), so only the run itself is timed;
* ``dask, resumed``: the same command again, every partition already done.

Per file: the wall time divided by N, and the engine overhead, which is the
worker-time each file costs beyond the cleaning itself:
``(wall x workers - clean only) / N``. Both engines' outputs are compared byte for byte.

    python benchmarks/dask_speed.py [--files 10000] [--workers 2] [--partition-size 100]
                                    [--json out.json]

Needs the ``dask`` extra. ``run(files, workers, partition_size)`` returns the numbers as
a dict, for benchmarks/speed.py.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corrupt import SHAPES, corrupt  # noqa: E402
from dedupe_articles import Config, clean  # noqa: E402
from dedupe_articles.cli import main as cli_main  # noqa: E402
from dedupe_articles.distributed import REPORT_DIR, run_dask  # noqa: E402
from dedupe_articles.files import Settings, clean_bytes  # noqa: E402

CORPUS = ROOT / "benchmarks" / "corpus"


def small_articles(count: int) -> list[bytes]:
    """``count`` polluted articles of about 1 KB, deterministic, in every language."""
    articles = sorted(CORPUS.glob("*/*.md"))
    out = []
    for i in range(count):
        paragraphs = articles[i % len(articles)].read_text(encoding="utf-8").split("\n\n")
        start = (i // len(articles)) % 3
        small = "\n\n".join(paragraphs[start : start + 4]).strip() + "\n"
        out.append(corrupt(small, seed=i, shape=SHAPES[i % len(SHAPES)]).text.encode("utf-8"))
    return out


def write_corpus(root: Path, data: list[bytes]) -> None:
    # 100 files a directory, as a sharded corpus would be.
    for i, raw in enumerate(data):
        path = root / f"{i // 100:04d}" / f"{i:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and REPORT_DIR not in p.relative_to(root).parts
    }


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = func()
    return time.perf_counter() - started, value


def run(files: int, workers: int, partition_size: int = 100) -> dict[str, Any]:
    """Time every engine on ``files`` small files; see the module docstring."""
    LocalCluster = importlib.import_module("distributed").LocalCluster  # the dask extra

    data = small_articles(files)
    settings = Settings(config=Config(), write="output-dir")
    clean_only, _ = timed(lambda: [clean_bytes(raw, "x", settings, clean) for raw in data])
    with tempfile.TemporaryDirectory(prefix="dask-speed-") as tmp:
        root = Path(tmp)
        src = root / "src"
        write_corpus(src, data)
        local_out, new_out, running_out = root / "local", root / "dask-new", root / "dask-run"

        local, code = timed(
            lambda: cli_main([str(src), "-o", str(local_out), "-q", "-j", str(workers)])
        )
        if code != 0:
            raise SystemExit(f"the local engine exited {code}")

        def dask_run(out: Path, scheduler: str | None) -> Any:
            return run_dask(
                str(src),
                str(out),
                config=Config(),
                scheduler=scheduler,
                partition_size=partition_size,
                n_workers=workers,
            )

        new_cluster, summary = timed(lambda: dask_run(new_out, None))
        startup, cluster = timed(
            lambda: LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
        )
        with cluster:
            running, summary = timed(lambda: dask_run(running_out, cluster.scheduler_address))
            resumed, again = timed(lambda: dask_run(running_out, cluster.scheduler_address))
        expected = tree(local_out)
        mismatches = sorted(
            f"{out.name}/{name}"
            for out in (new_out, running_out)
            for name, _ in tree(out).items() ^ expected.items()
        )
        identical = not mismatches
        if summary.failed or again.reused != files:
            raise SystemExit(f"unexpected Dask summary: {summary} / {again}")

    def row(wall: float, cleaned: bool = True) -> dict[str, float]:
        # A resumed run cleans nothing: all of its time is overhead.
        work = clean_only if cleaned else 0.0
        return {
            "wall_s": round(wall, 3),
            "per_file_ms": round(wall / files * 1000, 3),
            "overhead_per_file_ms": round((wall * workers - work) / files * 1000, 3),
        }

    return {
        "files": files,
        "workers": workers,
        "partition_size": partition_size,
        "bytes": sum(map(len, data)),
        "identical_outputs": identical,
        "mismatches": sorted(set(mismatches))[:20],
        "clean_only": row(clean_only / workers),
        "local_engine": row(local),
        "dask_new_cluster": row(new_cluster),
        "dask_running_cluster": row(running),
        "dask_resumed": row(resumed, cleaned=False),
        "cluster_startup_s": round(startup, 3),
        "dask_vs_local_per_file_ms": round((running - local) / files * 1000, 3),
    }


def show(result: dict[str, Any]) -> None:
    print(
        f"{result['files']} files ({result['bytes'] / result['files']:.0f} bytes on average), "
        f"{result['workers']} workers, partitions of {result['partition_size']}"
    )
    print(f"{'':24} {'wall':>9} {'per file':>10} {'overhead/file':>14}")
    for key, label in (
        ("clean_only", "clean only (ideal)"),
        ("local_engine", "local engine"),
        ("dask_new_cluster", "dask, new cluster"),
        ("dask_running_cluster", "dask, running cluster"),
        ("dask_resumed", "dask, resumed (no-op)"),
    ):
        r = result[key]
        print(
            f"{label:24} {r['wall_s']:8.2f}s {r['per_file_ms']:8.3f}ms "
            f"{r['overhead_per_file_ms']:12.3f}ms"
        )
    print(f"cluster start-up: {result['cluster_startup_s']:.2f}s")
    print(f"dask (running cluster) - local, per file: {result['dask_vs_local_per_file_ms']:.3f}ms")
    print(f"identical outputs: {'yes' if result['identical_outputs'] else 'NO'}")
    for name in result["mismatches"]:
        print(f"  differs: {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000, help="number of files (10000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (CPUs)")
    parser.add_argument("--partition-size", type=int, default=100, help="files per task (100)")
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    args = parser.parse_args(argv)
    result = run(args.files, args.workers, args.partition_size)
    show(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["identical_outputs"] else 1


if __name__ == "__main__":
    sys.exit(main())
