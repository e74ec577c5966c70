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
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from importlib import import_module
from typing import Any

from dedupe_articles.config import Config
from dedupe_articles.files import (
    SKIPPED_DIRS,
    TEMP_SUFFIX,
    FileOutcome,
    Settings,
    atomic_write,
    clean_bytes,
    failure,
    os_reason,
)
from dedupe_articles.result import ActionKind

# fsspec, dask and distributed are optional: they are imported with import_module, so
# their objects are ``Any`` here and type-checking works with or without the extra.
AbstractFileSystem = Any

REPORT_DIR = "_report"
CONFIG_NAME = "config.json"
TOTALS_NAME = "totals.json"
EXTRA_HINT = "pip install 'dedupe-articles[dask]'"
# Uploads to these appear only once complete, so they are written under their final
# name: a temporary name and a rename would cost a copy and a delete per file.
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "abfs", "abfss", "az"})
LOCAL = frozenset({"file", "local"})
# Protocols whose data lives in one process: only a cluster of threads can share it.
PROCESS_LOCAL = frozenset({"memory"})
WORKER_WAIT = 60.0
# Words of the errors that S3, GCS and Azure give for refused or missing credentials.
_REFUSALS = (
    "AccessDenied",
    "Access Denied",
    "Forbidden",
    "Unauthorized",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "credentials",
)
_STORAGE_EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs"}


class DaskEngineError(Exception):
    """The Dask run cannot start; the message is one line for the user (exit 2)."""


class DaskUnavailable(DaskEngineError):
    """dask, distributed, fsspec or a storage driver (s3fs, gcsfs) is not installed."""


class SchedulerUnreachable(DaskEngineError):
    """The scheduler cannot be reached, has no workers, or its workers cannot run us."""


class StorageError(DaskEngineError):
    """SRC, DST or the file list cannot be read or written: missing, or access refused."""


@dataclass(frozen=True)
class DaskSummary:
    """What comes back to the client: totals, failures and where the records are.

    The counts have the meaning of the JSON report's ``totals``. ``reused`` files were
    already done by an earlier run of the same command (their records were kept, the
    files not touched); ``existing`` outputs were found complete and not written again.
    ``failures`` are ``(path, reason)`` pairs, sorted by path.
    """

    files: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    bytes_removed: int = 0
    actions: dict[str, int] = field(default_factory=lambda: {k.value: 0 for k in ActionKind})
    reused: int = 0
    existing: int = 0
    partitions: int = 0
    failures: tuple[tuple[str, str], ...] = ()
    report_dir: str = ""
    elapsed: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when every file was cleaned or skipped, 123 when at least one failed."""
        return 123 if self.failed else 0

    def totals(self) -> dict[str, Any]:
        """The counts as the JSON report's ``totals`` object."""
        keys = ("files", "changed", "unchanged", "skipped", "failed")
        out: dict[str, Any] = {key: getattr(self, key) for key in keys}
        out.update(bytes_in=self.bytes_in, bytes_out=self.bytes_out)
        out.update(bytes_removed=self.bytes_removed, actions=dict(self.actions))
        return out

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the end-of-run summary, as the local engine prints."""
        return [
            ("files scanned", str(self.files)),
            ("changed", str(self.changed)),
            ("unchanged", str(self.unchanged)),
            ("skipped", str(self.skipped)),
            ("failed", str(self.failed)),
            ("bytes removed", str(self.bytes_removed)),
            ("already done", str(self.reused + self.existing)),
            ("partitions", str(self.partitions)),
            ("report", self.report_dir),
            ("time", f"{self.elapsed:.2f}s"),
        ]


# --- paths ---------------------------------------------------------------------------


def _shown(base: str, rel: str) -> str:
    """A file as the user named it: SRC (or DST) as typed, then the path below it."""
    if base in ("", ".", "./"):
        return rel
    return base.rstrip("/") + "/" + rel if base.rstrip("/") else "/" + rel


def _protocols(fs: AbstractFileSystem) -> set[str]:
    proto = fs.protocol
    return {proto} if isinstance(proto, str) else set(proto)


def _matches(name: str, rel: str, patterns: Sequence[str]) -> bool:
    # As the local engine: a pattern with a slash is matched against the path below
    # SRC, others against the name alone.
    return any(fnmatchcase(rel if "/" in p else name, p) for p in patterns)


def _wanted(rel: str, patterns: Sequence[str], excludes: Sequence[str]) -> bool:
    parts = rel.split("/")
    for i, name in enumerate(parts[:-1]):
        if name in SKIPPED_DIRS or _matches(name, "/".join(parts[: i + 1]), excludes):
            return False
    return not _matches(parts[-1], rel, excludes) and _matches(parts[-1], rel, patterns)


_OS_REASONS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "No such file or directory"),
    (IsADirectoryError, "Is a directory"),
    (NotADirectoryError, "Not a directory"),
    (PermissionError, "Permission denied"),
)


def _reason(exc: BaseException) -> str:
    """One line saying why, without a traceback.

    >>> _reason(FileNotFoundError(2, "No such file or directory", "a.txt"))
    'No such file or directory'
    >>> _reason(FileNotFoundError("bucket/a.txt"))
    'No such file or directory'
    >>> _reason(RuntimeError("boom\\n  again"))
    'RuntimeError: boom again'
    """
    if isinstance(exc, OSError):
        if exc.strerror:
            return os_reason(exc)
        for cls, text in _OS_REASONS:
            if isinstance(exc, cls):
                return text
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _refused(exc: BaseException) -> bool:
    """Whether an exception from a storage driver means the credentials were refused."""
    if isinstance(exc, PermissionError):
        return True
    names = " ".join(cls.__name__ for cls in type(exc).__mro__)
    text = str(exc)
    return any(
        word in names for word in ("Credential", "Auth", "Forbidden", "Unauthorized")
    ) or any(word in text for word in _REFUSALS)


def _storage_error(exc: BaseException, what: str, url: str) -> StorageError:
    if isinstance(exc, FileNotFoundError):
        return StorageError(f"cannot {what} {url}: no such file or directory")
    if _refused(exc):
        return StorageError(
            f"cannot {what} {url}: access refused ({_reason(exc)}); check the credentials "
            "that the client and every worker use for this storage"
        )
    return StorageError(f"cannot {what} {url}: {_reason(exc)}")


def _url_to_fs(url: str) -> tuple[AbstractFileSystem, str]:
    try:
        fs, path = import_module("fsspec.core").url_to_fs(url)
    except ImportError as exc:
        proto = url.split("://", 1)[0]
        extra = _STORAGE_EXTRAS.get(proto)
        hint = f"pip install 'dedupe-articles[{extra}]'" if extra else "install its fsspec driver"
        message = f"{proto}:// needs a driver that is not installed ({exc}); {hint}"
        raise DaskUnavailable(message) from None
    except ValueError as exc:
        raise StorageError(f"cannot use {url}: {exc}") from None
    except Exception as exc:  # a driver that fails to start: bad options, no credentials
        raise _storage_error(exc, "open", url) from None
    return fs, str(path).rstrip("/") or "/"


def _import_dask() -> None:
    try:
        for name in ("dask", "distributed", "fsspec"):
            import_module(name)
    except ImportError as exc:
        raise DaskUnavailable(
            f"--engine dask needs dask, distributed and fsspec ({exc}); {EXTRA_HINT}"
        ) from None


# --- the work of one task --------------------------------------------------------------


@dataclass(frozen=True)
class _Partition:
    """One task: the files ``rels`` (below ``src``) cleaned to the same place below ``dst``."""

    index: int
    name: str
    src_url: str
    dst_url: str
    src: str
    dst: str
    src_base: str
    dst_base: str
    report: str
    rels: tuple[str, ...]
    settings: Settings
    resume: bool = False


def _put(fs: AbstractFileSystem, path: str, data: bytes, made: set[str]) -> None:
    """Write ``data`` so that ``path`` exists only once it is complete."""
    protocols = _protocols(fs)
    if protocols & OBJECT_STORES:
        fs.pipe_file(path, data)
        return
    parent, name = posixpath.split(path)
    if parent not in made:
        fs.makedirs(parent, exist_ok=True)
        made.add(parent)
    if protocols & LOCAL:
        # As the local engine writes: synced, then renamed, so that even a crash of the
        # machine leaves no incomplete file under the final name.
        atomic_write(path, data)
        return
    tmp = posixpath.join(parent, f".{name}.{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}")
    try:
        fs.pipe_file(tmp, data)
        fs.mv(tmp, path)
    except BaseException:
        with contextlib.suppress(Exception):
            fs.rm(tmp)
        raise


def _read_part(fs: AbstractFileSystem, path: str) -> dict[str, dict[str, Any]]:
    try:
        raw = fs.cat_file(path)
    except FileNotFoundError:
        return {}
    records: dict[str, dict[str, Any]] = {}
    for line in raw.decode("utf-8").splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if isinstance(record, dict) and isinstance(record.get("path"), str):
                records[record["path"]] = record
    return records


def _clean_one(
    part: _Partition,
    rel: str,
    fs_in: AbstractFileSystem,
    fs_out: AbstractFileSystem,
    made: set[str],
) -> tuple[FileOutcome, bool]:
    """Read, clean and write one file; never raises. Also: whether the output existed.

    Only a resumed run looks for existing outputs: in a fresh one, the only outputs
    that can exist are those of a task that Dask ran twice, and they have the same bytes.
    """
    from dedupe_articles.core import clean

    shown = _shown(part.src, rel)
    try:
        raw = fs_in.cat_file(posixpath.join(part.src_base, rel))
    except Exception as exc:
        return failure(shown, f"cannot read: {_reason(exc)}"), False
    outcome, new = clean_bytes(raw, shown, part.settings, clean)
    if new is None:
        return outcome, False
    output = _shown(part.dst, rel)
    dest = posixpath.join(part.dst_base, rel)
    try:
        # An output that exists is complete (see _put): this is a resumed run.
        existed = part.resume and bool(fs_out.exists(dest))
        if not existed:
            _put(fs_out, dest, new, made)
    except Exception as exc:
        error = f"cannot write {output}: {_reason(exc)}"
        return replace(outcome, status="failed", error=error), False
    return replace(outcome, output=output), existed


def _run_partition(part: _Partition) -> dict[str, Any]:
    """What a worker runs: clean the partition's files, write its report part.

    Returns only totals and failures. A file that fails is recorded and the others go
    on; only an error writing the report part fails the task.
    """
    from dedupe_articles.report import file_entry

    fs_in, _ = _url_to_fs(part.src_url)
    fs_out, _ = _url_to_fs(part.dst_url)
    part_path = posixpath.join(part.report, part.name)
    previous = _read_part(fs_out, part_path) if part.resume else {}
    made: set[str] = set()
    records: list[dict[str, Any]] = []
    reused = existing = 0
    for rel in part.rels:
        record = previous.get(_shown(part.src, rel))
        if record is not None and record.get("status") != "failed":
            reused += 1
        else:
            outcome, existed = _clean_one(part, rel, fs_in, fs_out, made)
            existing += existed
            record = file_entry(outcome)
        records.append(record)
    if reused < len(records):
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        _put(fs_out, part_path, lines.encode("utf-8"), made)
    out = _record_totals(records)
    out.update(reused=reused, existing=existing)
    return out


def _record_totals(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Totals over report records, as :func:`dedupe_articles.report.totals` counts them."""
    kinds = {kind.value: 0 for kind in ActionKind}
    out: dict[str, Any] = dict.fromkeys(("changed", "unchanged", "skipped", "failed"), 0)
    out.update(files=len(records), bytes_in=0, bytes_out=0, bytes_removed=0, actions=kinds)
    failures = []
    for record in records:
        out[record["status"]] = out.get(record["status"], 0) + 1
        out["bytes_in"] += record["bytes_in"]
        if record["bytes_out"] is not None:
            out["bytes_out"] += record["bytes_out"]
            out["bytes_removed"] += record["bytes_in"] - record["bytes_out"]
        for action in record["actions"]:
            kinds[action["kind"]] = kinds.get(action["kind"], 0) + 1
        if record["status"] == "failed":
            failures.append((record["path"], record["error"] or "failed"))
    out["failures"] = failures
    return out


def _worker_version() -> str:
    from dedupe_articles import __version__

    return __version__


# --- the client ------------------------------------------------------------------------


def _read_list(files_from: str) -> list[str]:
    try:
        if files_from == "-":
            return sys.stdin.read().splitlines()
        with import_module("fsspec.core").open(files_from, "rt", encoding="utf-8") as f:
            return str(f.read()).splitlines()
    except DaskEngineError:
        raise
    except ImportError as exc:
        raise DaskUnavailable(f"cannot read {files_from}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise StorageError(f"cannot read {files_from}: not UTF-8 ({exc.reason})") from None
    except Exception as exc:
        raise _storage_error(exc, "read", files_from) from None


def _rels_from_list(lines: Sequence[str], files_from: str, src: str, src_base: str) -> list[str]:
    """``--files-from`` lines as paths below SRC: relative, or SRC (as typed or as a
    full path) followed by the path. Blank lines are ignored."""
    prefixes = [p.rstrip("/") + "/" for p in (src, src_base) if p.rstrip("/")]
    rels = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        rel = next((line[len(p) :] for p in prefixes if line.startswith(p)), line)
        norm = posixpath.normpath(rel)
        if "://" in rel or rel.startswith("/") or norm == ".." or norm.startswith("../"):
            raise StorageError(f"{files_from}:{number}: {line!r} is not a file below {src}")
        rels.append(norm)
    return rels


def _list_files(
    fs: AbstractFileSystem,
    src: str,
    base: str,
    patterns: Sequence[str],
    excludes: Sequence[str],
) -> tuple[str, str, list[str]]:
    """(SRC as shown, its path, files below it): a file is taken alone, a directory walked."""
    try:
        if fs.isfile(base):
            return (
                posixpath.dirname(src.rstrip("/")),
                posixpath.dirname(base),
                [posixpath.basename(base)],
            )
        if not fs.isdir(base):
            raise FileNotFoundError(base)
        found = fs.find(base, withdirs=False)
    except Exception as exc:
        raise _storage_error(exc, "list", src) from None
    prefix = base.rstrip("/") + "/"
    rels = [str(p)[len(prefix) :] for p in found if str(p).startswith(prefix)]
    return src, base, [rel for rel in rels if _wanted(rel, patterns, excludes)]


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


def _partitions(rels: Sequence[str], size: int, template: _Partition) -> list[_Partition]:
    return [
        replace(template, index=i, name=f"part-{i:06d}.jsonl", rels=tuple(rels[at : at + size]))
        for i, at in enumerate(range(0, len(rels), size))
    ]


def _manifest(settings: Settings) -> dict[str, Any]:
    from dataclasses import asdict

    from dedupe_articles import __version__

    config = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(settings.config).items()}
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
            _put(fs, path, (json.dumps(wanted, indent=2) + "\n").encode("utf-8"), set())
            return
    except ValueError:
        found = {}
    except Exception as exc:
        raise _storage_error(exc, "write to", dst) from None
    if found != wanted:
        raise StorageError(
            f"{dst} holds the output of another run (different settings or version, see "
            f"{_shown(dst, REPORT_DIR + '/' + CONFIG_NAME)}); choose a new output or remove it"
        )


def _inside(child: str, parent: str) -> bool:
    return child == parent or child.startswith(parent.rstrip("/") + "/")


@contextlib.contextmanager
def _client(
    scheduler: str | None, n_workers: int | None, threads: bool, timeout: float
) -> Iterator[Any]:
    """A client of the scheduler at ``scheduler``, or of a new local cluster."""
    distributed = import_module("distributed")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster

    if scheduler is None:
        workers = n_workers or _cpus()
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
            raise DaskEngineError(f"cannot start a local Dask cluster: {_reason(exc)}") from None
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
            f"cannot reach the Dask scheduler at {scheduler}: {_reason(exc)}"
        ) from None
    with client:
        yield client


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _check_workers(client: Any, scheduler: str | None, timeout: float) -> None:
    from dedupe_articles import __version__

    where = f"the scheduler at {scheduler}" if scheduler else "the local cluster"
    try:
        # A cluster that scales up from zero may need a while to start a worker.
        client.wait_for_workers(1, timeout=max(timeout, WORKER_WAIT))
    except Exception:
        raise SchedulerUnreachable(f"{where} has no workers") from None
    try:
        versions = client.run(_worker_version)
    except Exception as exc:
        raise SchedulerUnreachable(
            f"the workers of {where} cannot run dedupe-articles ({_reason(exc)}); install "
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
    patterns: Sequence[str] = ("*.txt",),
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
    fs_in, src_base = _url_to_fs(src)
    fs_out, dst_base = _url_to_fs(dst)
    if type(fs_in) is type(fs_out) and _inside(dst_base, src_base):
        raise StorageError(f"cannot clean {src}: the output {dst} is inside it")
    threads = bool((_protocols(fs_in) | _protocols(fs_out)) & PROCESS_LOCAL)
    if threads and scheduler is not None:
        raise DaskEngineError(
            "memory:// lives inside one process; it cannot be shared with the workers of "
            f"{scheduler}: use a local cluster (no --scheduler) or shared storage"
        )
    settings = Settings(config=config, encoding=encoding, write="output-dir")
    if files_from is not None:
        lines = _read_list(files_from)
        rels = sorted(set(_rels_from_list(lines, files_from, src, src_base)))
        shown_src, base = src, src_base
    else:
        shown_src, base, rels = _list_files(fs_in, src, src_base, patterns, excludes)
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
        raise _storage_error(exc, "read", _shown(dst, run)) from None
    template = _Partition(
        0, "", src, dst, shown_src, shown_dst, base, dst_base, report, (), settings, resume
    )
    parts = _partitions(rels, partition_size, template)
    totals = _record_totals([])
    totals.update(reused=0, existing=0)
    failures: list[tuple[str, str]] = []
    if parts:
        with _client(scheduler, n_workers, threads, timeout) as client:
            _check_workers(client, scheduler, timeout)
            _gather(client, parts, totals, failures, progress)
    summary = DaskSummary(
        files=totals["files"],
        changed=totals["changed"],
        unchanged=totals["unchanged"],
        skipped=totals["skipped"],
        failed=totals["failed"],
        bytes_in=totals["bytes_in"],
        bytes_out=totals["bytes_out"],
        bytes_removed=totals["bytes_removed"],
        actions=totals["actions"],
        reused=totals["reused"],
        existing=totals["existing"],
        partitions=len(parts),
        failures=tuple(sorted(failures)),
        report_dir=_shown(dst, run),
        elapsed=time.perf_counter() - started,
    )
    _write_totals(fs_out, report, summary)
    return summary


def _gather(
    client: Any,
    parts: Sequence[_Partition],
    totals: dict[str, Any],
    failures: list[tuple[str, str]],
    progress: Callable[[int, int], None] | None,
) -> None:
    as_completed = import_module("distributed").as_completed

    token = uuid.uuid4().hex[:8]
    done, total = 0, sum(len(part.rels) for part in parts)
    if progress is not None:
        progress(done, total)
    keys = [f"dedupe-articles-{token}-{part.name}" for part in parts]
    futures = client.map(_run_partition, parts, key=keys, pure=False)
    by_key = {future.key: part for future, part in zip(futures, parts, strict=True)}
    try:
        for future in as_completed(futures):
            part = by_key[future.key]
            try:
                result = future.result()
            except Exception as exc:  # the task itself failed: a worker died, no report
                reason = f"partition {part.index} failed: {_reason(exc)}"
                result = _record_totals(
                    [_failed_record(_shown(part.src, rel), reason) for rel in part.rels]
                )
                result.update(reused=0, existing=0)
            for key in ("files", "changed", "unchanged", "skipped", "failed"):
                totals[key] += result[key]
            for key in ("bytes_in", "bytes_out", "bytes_removed", "reused", "existing"):
                totals[key] += result[key]
            for kind, count in result["actions"].items():
                totals["actions"][kind] = totals["actions"].get(kind, 0) + count
            failures.extend((str(p), str(e)) for p, e in result["failures"])
            future.release()
            done += len(part.rels)
            if progress is not None:
                progress(done, total)
    except BaseException:
        client.cancel(futures)
        raise


def _failed_record(path: str, reason: str) -> dict[str, Any]:
    """The report record of a file whose task failed before it could say more."""
    from dedupe_articles.report import file_entry

    return file_entry(failure(path, reason))


def _write_totals(fs: AbstractFileSystem, report: str, summary: DaskSummary) -> None:
    data = {**summary.totals(), "partitions": summary.partitions}
    path = posixpath.join(report, TOTALS_NAME)
    with contextlib.suppress(Exception):  # the parts hold everything; this is a convenience
        _put(fs, path, (json.dumps(data, indent=2) + "\n").encode("utf-8"), set())
