"""The Dask engine: clean a corpus on a Dask cluster, local or in object storage.

``dedupe-articles SRC -o DST --engine dask`` lands here. SRC and DST are local paths
or fsspec URLs (``s3://``, ``gs://``, ``memory://``...). The client lists the files
(or reads them from ``--files-from``), cuts the sorted list into partitions and sends
each partition to the cluster as one task. A task reads, cleans and writes its files
itself, then writes their records as one JSON Lines part,
``DST/_report/run-ID/part-NNNNNN.jsonl``; only its totals and failures come back to
the client. ``run-ID`` names the file list and partition size, so that the same
command finds its parts again and another list never mixes its records with them.

Every output is complete once it exists: it is written under a temporary name and
renamed (synced first on a local disk, as the local engine does; object stores,
whose uploads only appear when complete, are written directly). A partition's part
is written after its files. Re-running the same command therefore resumes: a file
its partition's part records as done is not touched again, a file with an output
but no record is cleaned again for its record but not written, and a file that
failed is tried again. ``DST/_report/config.json`` holds the settings and version
that wrote DST; another configuration is refused rather than mixed in.

The bytes written are those of the local engine (:func:`dedupe_articles.files.clean_bytes`
is shared) and the records are the ``files[]`` entries of its JSON report.

This module is the client: listing, partitioning, the cluster, resuming and the
summary. A task's work is :mod:`dedupe_articles.partition`; paths, complete writes
and one-line storage errors are :mod:`dedupe_articles.storage`.

Nothing here imports dask or fsspec at import time: the base install has neither,
and :class:`DaskUnavailable` says how to get them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import posixpath
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from importlib import import_module
from typing import Any

from dedupe_articles.batch import available_cpus
from dedupe_articles.config import Config
from dedupe_articles.files import (
    DEFAULT_GLOBS,
    Settings,
    failure,
)
from dedupe_articles.partition import Partition, PartResult, run_partition, worker_version
from dedupe_articles.report import EXIT_FAILED, EXIT_OK, Totals, file_entry, summary_rows
from dedupe_articles.storage import (
    AbstractFileSystem,
    DaskEngineError,
    DaskUnavailable,
    StorageError,
    display_path,
    exc_reason,
    fs_protocols,
    list_files,
    put_complete,
    read_file_list,
    rels_from_list,
    storage_error,
    url_to_fs,
)

__all__ = [
    "REPORT_DIR",
    "DaskEngineError",
    "DaskSummary",
    "DaskUnavailable",
    "SchedulerUnreachable",
    "StorageError",
    "run_dask",
]

REPORT_DIR = "_report"
CONFIG_NAME = "config.json"
TOTALS_NAME = "totals.json"
EXTRA_HINT = "pip install 'dedupe-articles[dask]'"
# Protocols whose data lives in one process: only a cluster of threads can share it.
PROCESS_LOCAL = frozenset({"memory"})
WORKER_WAIT = 60.0


class SchedulerUnreachable(DaskEngineError):
    """The scheduler cannot be reached, has no workers, or its workers cannot run us."""


@dataclass(frozen=True)
class DaskSummary(Totals):
    """What comes back to the client: totals, failures and where the records are.

    The counts (:class:`dedupe_articles.report.Totals`) are the JSON report's
    ``totals``. ``reused`` files were already done by an earlier run of the same
    command (their records were kept, the files not touched); ``existing`` outputs
    were found complete and not written again. ``failures`` are ``(path, reason)``
    pairs, sorted by path.
    """

    reused: int = 0
    existing: int = 0
    partitions: int = 0
    failures: tuple[tuple[str, str], ...] = ()
    report_dir: str = ""
    elapsed: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when every file was cleaned or skipped, 123 when at least one failed."""
        return EXIT_FAILED if self.failed else EXIT_OK

    def totals(self) -> dict[str, Any]:
        """The counts as the JSON report's ``totals`` object."""
        return self.to_dict()

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the end-of-run summary, as the local engine prints."""
        extra = [
            ("already done", str(self.reused + self.existing)),
            ("partitions", str(self.partitions)),
            ("report", self.report_dir),
        ]
        return summary_rows(self, self.elapsed, extra=extra)


def _import_dask() -> None:
    try:
        for name in ("dask", "distributed", "fsspec"):
            import_module(name)
    except ImportError as exc:
        raise DaskUnavailable(
            f"--engine dask needs dask, distributed and fsspec ({exc}); {EXTRA_HINT}"
        ) from None


# --- the client ------------------------------------------------------------------------


def _run_id(rels: Sequence[str], size: int, src: str, dst: str) -> str:
    """Names the report directory of a run after what it cleans and how it is cut.

    The same command finds its parts again and resumes; another file list (or
    partition size) gets a directory of its own, so a directory never holds two
    records of a file.
    """
    digest = hashlib.sha1(f"{src}\0{dst}\0{size}\0".encode())
    for rel in rels:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
    return f"run-{digest.hexdigest()[:12]}"


def _partitions(rels: Sequence[str], size: int, template: Partition) -> list[Partition]:
    return [
        replace(template, index=i, name=f"part-{i:06d}.jsonl", rels=tuple(rels[at : at + size]))
        for i, at in enumerate(range(0, len(rels), size))
    ]


def _manifest(settings: Settings) -> dict[str, Any]:
    from dedupe_articles import __version__

    config = settings.config.to_dict()
    return {
        "tool": "dedupe-articles",
        "version": __version__,
        "encoding": settings.encoding,
        "config": config,
    }


def _check_manifest(fs: AbstractFileSystem, dst: str, dst_base: str, settings: Settings) -> None:
    """Refuse to resume into a DST written with another configuration or version."""
    path = posixpath.join(dst_base, REPORT_DIR, CONFIG_NAME)
    wanted = _manifest(settings)
    try:
        try:
            found = json.loads(fs.cat_file(path).decode("utf-8"))
        except FileNotFoundError:
            found = None
        if found is None:
            put_complete(fs, path, (json.dumps(wanted, indent=2) + "\n").encode("utf-8"), set())
            return
    except ValueError:
        found = {}
    except Exception as exc:
        raise storage_error(exc, "write to", dst) from None
    if found != wanted:
        raise StorageError(
            f"{dst} holds the output of another run (different settings or version, see "
            f"{display_path(dst, REPORT_DIR + '/' + CONFIG_NAME)}); "
            "choose a new output or remove it"
        )


def _inside(child: str, parent: str) -> bool:
    """Whether path ``child`` is ``parent`` or below it (``..`` resolved first:
    fsspec leaves ``/work/src/../out`` as it is).

    >>> _inside("/w/src/../out", "/w/src"), _inside("/w/src/out", "/w/src/")
    (False, True)
    """
    child, parent = posixpath.normpath(child), posixpath.normpath(parent)
    return child == parent or child.startswith(parent.rstrip("/") + "/")


@contextlib.contextmanager
def _client(
    scheduler: str | None, n_workers: int | None, threads: bool, timeout: float
) -> Iterator[Any]:
    """A client of the scheduler at ``scheduler``, or of a new local cluster."""
    distributed = import_module("distributed")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster

    if scheduler is None:
        workers = n_workers or available_cpus()
        # Processes, one thread each: the cleaner is pure Python and holds the GIL.
        # A process-local file system (memory://) needs a cluster of threads instead.
        try:
            cluster = LocalCluster(
                n_workers=1 if threads else workers,
                threads_per_worker=workers if threads else 1,
                processes=not threads,
                silence_logs=logging.ERROR,
                dashboard_address=":0",
            )
        except Exception as exc:
            raise DaskEngineError(f"cannot start a local Dask cluster: {exc_reason(exc)}") from None
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    kwargs: dict[str, Any] = {"timeout": timeout}
    if scheduler.endswith(".json") and os.path.isfile(scheduler):
        kwargs["scheduler_file"] = scheduler
    else:
        kwargs["address"] = scheduler
    try:
        client = Client(**kwargs)
    except Exception as exc:  # OSError, TimeoutError, a bad address (ValueError)
        raise SchedulerUnreachable(
            f"cannot reach the Dask scheduler at {scheduler}: {exc_reason(exc)}"
        ) from None
    with client:
        yield client


def _check_workers(client: Any, scheduler: str | None, timeout: float) -> None:
    from dedupe_articles import __version__

    where = f"the scheduler at {scheduler}" if scheduler else "the local cluster"
    try:
        # A cluster that scales up from zero may need a while to start a worker.
        client.wait_for_workers(1, timeout=max(timeout, WORKER_WAIT))
    except Exception:
        raise SchedulerUnreachable(f"{where} has no workers") from None
    try:
        versions = client.run(worker_version)
    except Exception as exc:
        raise SchedulerUnreachable(
            f"the workers of {where} cannot run dedupe-articles ({exc_reason(exc)}); install "
            f"dedupe-articles[dask]=={__version__} on every worker"
        ) from None
    wrong = sorted({v for v in versions.values() if v != __version__})
    if wrong:
        raise SchedulerUnreachable(
            f"the workers of {where} run dedupe-articles {', '.join(wrong)}, this client "
            f"{__version__}; install the same version everywhere so outputs are identical"
        )


def run_dask(
    src: str,
    dst: str,
    *,
    config: Config,
    scheduler: str | None = None,
    files_from: str | None = None,
    partition_size: int = 100,
    patterns: Sequence[str] = DEFAULT_GLOBS,
    excludes: Sequence[str] = (),
    encoding: str = "utf-8",
    n_workers: int | None = None,
    timeout: float = 10.0,
    progress: Callable[[int, int], None] | None = None,
) -> DaskSummary:
    """Clean every file below ``src`` into ``dst`` on a Dask cluster.

    Args:
        src: A local path or fsspec URL: a directory (walked for ``patterns``) or a file.
        dst: Where the clean files go, mirroring ``src``; the report parts go to
            ``dst/_report/``.
        config: The cleaner's settings.
        scheduler: Address (``tcp://host:8786``) or scheduler file (``*.json``) of a
            running scheduler; ``None`` starts a local cluster (``n_workers`` processes).
        files_from: A file (path, URL or ``-`` for stdin) naming the files to clean, one
            a line, relative to ``src``; replaces listing ``src``.
        partition_size: Files per task.
        patterns, excludes: Which files to take while listing (as ``--glob`` and
            ``--exclude``); files named in ``files_from`` are always taken.
        encoding: Codec of the files.
        n_workers: Worker processes of the local cluster (default: the CPUs).
        timeout: Seconds to wait for the scheduler to answer (a first worker is waited
            for at least a minute).
        progress: Called as ``progress(done, total)`` in files, after the listing and as
            each partition completes.

    Raises:
        DaskUnavailable: The ``dask`` extra (or ``s3``/``gcs`` for those URLs) is missing.
        SchedulerUnreachable: The scheduler cannot be reached or has no usable workers.
        StorageError: SRC, DST or the list cannot be read or written (missing,
            credentials refused), DST is inside SRC, or DST holds another run's output.
    """
    started = time.perf_counter()
    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, got {partition_size}")
    _import_dask()
    fs_in, src_base = url_to_fs(src)
    fs_out, dst_base = url_to_fs(dst)
    if type(fs_in) is type(fs_out) and _inside(dst_base, src_base):
        raise StorageError(f"cannot clean {src}: the output {dst} is inside it")
    threads = bool((fs_protocols(fs_in) | fs_protocols(fs_out)) & PROCESS_LOCAL)
    if threads and scheduler is not None:
        raise DaskEngineError(
            "memory:// lives inside one process; it cannot be shared with the workers of "
            f"{scheduler}: use a local cluster (no --scheduler) or shared storage"
        )
    settings = Settings(config=config, encoding=encoding, write="output-dir")
    if files_from is not None:
        lines = read_file_list(files_from)
        rels = sorted(set(rels_from_list(lines, files_from, src, src_base)))
        shown_src, base = src, src_base
    else:
        shown_src, base, rels = list_files(fs_in, src, src_base, patterns, excludes)
        rels.sort()
    if type(fs_in) is type(fs_out) and dst_base == base:
        raise StorageError(f"cannot clean {src}: the output {dst} is where the input is")
    _check_manifest(fs_out, dst, dst_base, settings)
    shown_dst = dst.rstrip("/") or dst
    run = f"{REPORT_DIR}/{_run_id(rels, partition_size, shown_src, shown_dst)}"
    report = posixpath.join(dst_base, run)
    try:
        resume = bool(fs_out.exists(report))
    except Exception as exc:
        raise storage_error(exc, "read", display_path(dst, run)) from None
    template = Partition(
        0, "", src, dst, shown_src, shown_dst, base, dst_base, report, (), settings, resume
    )
    parts = _partitions(rels, partition_size, template)
    done = PartResult()
    if parts:
        with _client(scheduler, n_workers, threads, timeout) as client:
            _check_workers(client, scheduler, timeout)
            done = _gather(client, parts, progress)
    summary = DaskSummary(
        **vars(done.totals),
        reused=done.reused,
        existing=done.existing,
        partitions=len(parts),
        failures=tuple(sorted(done.failures)),
        report_dir=display_path(dst, run),
        elapsed=time.perf_counter() - started,
    )
    _write_totals(fs_out, report, summary)
    return summary


def _gather(
    client: Any,
    parts: Sequence[Partition],
    progress: Callable[[int, int], None] | None,
) -> PartResult:
    """Run the partitions; their results summed, failures in completion order."""
    as_completed = import_module("distributed").as_completed

    token = uuid.uuid4().hex[:8]
    done, total = 0, sum(len(part.rels) for part in parts)
    if progress is not None:
        progress(done, total)
    keys = [f"dedupe-articles-{token}-{part.name}" for part in parts]
    futures = client.map(run_partition, parts, key=keys, pure=False)
    by_key = {future.key: part for future, part in zip(futures, parts, strict=True)}
    totals = Totals()
    failures: list[tuple[str, str]] = []
    reused = existing = 0
    try:
        for future in as_completed(futures):
            part = by_key[future.key]
            try:
                result: PartResult = future.result()
            except Exception as exc:  # the task itself failed: a worker died, no report
                reason = f"partition {part.index} failed: {exc_reason(exc)}"
                result = PartResult.of_records(
                    [file_entry(failure(display_path(part.src, rel), reason)) for rel in part.rels]
                )
            totals += result.totals
            failures.extend(result.failures)
            reused += result.reused
            existing += result.existing
            future.release()
            done += len(part.rels)
            if progress is not None:
                progress(done, total)
    except BaseException:
        client.cancel(futures)
        raise
    return PartResult(totals, tuple(failures), reused, existing)


def _write_totals(fs: AbstractFileSystem, report: str, summary: DaskSummary) -> None:
    data = {**summary.totals(), "partitions": summary.partitions}
    path = posixpath.join(report, TOTALS_NAME)
    with contextlib.suppress(Exception):  # the parts hold everything; this is a convenience
        put_complete(fs, path, (json.dumps(data, indent=2) + "\n").encode("utf-8"), set())
