"""Storage for the Dask engine: fsspec paths, file lists, complete writes, errors.

Everything the Dask engine does to files goes through here, on any fsspec
filesystem: local disks, ``memory://`` and object stores (``s3://``, ``gs://``...).
An output exists only once it is complete, and every failure becomes one line
that names the path and the reason; refused credentials say so.

Nothing here imports fsspec at import time: the base install does not have it.
"""

from __future__ import annotations

import contextlib
import json
import posixpath
import sys
import uuid
from collections.abc import Sequence
from importlib import import_module
from typing import Any

from dedupe_articles.atomic import TEMP_SUFFIX, atomic_write
from dedupe_articles.files import SKIPPED_DIRS, matches, os_reason

# fsspec, dask and distributed are optional: they are imported with import_module, so
# their objects are ``Any`` here and type-checking works with or without the extra.
AbstractFileSystem = Any

# Uploads to these appear only once complete, so they are written under their final
# name: a temporary name and a rename would cost a copy and a delete per file.
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "abfs", "abfss", "az"})
LOCAL = frozenset({"file", "local"})
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


class StorageError(DaskEngineError):
    """SRC, DST or the file list cannot be read or written: missing, or access refused."""


# --- paths ---------------------------------------------------------------------------


def display_path(base: str, rel: str) -> str:
    """A file as the user named it: SRC (or DST) as typed, then the path below it."""
    if base in ("", ".", "./"):
        return rel
    return base.rstrip("/") + "/" + rel if base.rstrip("/") else "/" + rel


def fs_protocols(fs: AbstractFileSystem) -> set[str]:
    proto = fs.protocol
    return {proto} if isinstance(proto, str) else set(proto)


def is_wanted(rel: str, patterns: Sequence[str], excludes: Sequence[str]) -> bool:
    parts = rel.split("/")
    for i, name in enumerate(parts[:-1]):
        if name in SKIPPED_DIRS or matches(name, "/".join(parts[: i + 1]), excludes):
            return False
    return not matches(parts[-1], rel, excludes) and matches(parts[-1], rel, patterns)


_OS_REASONS: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "No such file or directory"),
    (IsADirectoryError, "Is a directory"),
    (NotADirectoryError, "Not a directory"),
    (PermissionError, "Permission denied"),
)


def exc_reason(exc: BaseException) -> str:
    """One line saying why, without a traceback.

    >>> exc_reason(FileNotFoundError(2, "No such file or directory", "a.txt"))
    'No such file or directory'
    >>> exc_reason(FileNotFoundError("bucket/a.txt"))
    'No such file or directory'
    >>> exc_reason(RuntimeError("boom\\n  again"))
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


def storage_error(exc: BaseException, what: str, url: str) -> StorageError:
    if isinstance(exc, FileNotFoundError):
        return StorageError(f"cannot {what} {url}: no such file or directory")
    if _refused(exc):
        return StorageError(
            f"cannot {what} {url}: access refused ({exc_reason(exc)}); check the credentials "
            "that the client and every worker use for this storage"
        )
    return StorageError(f"cannot {what} {url}: {exc_reason(exc)}")


def url_to_fs(url: str) -> tuple[AbstractFileSystem, str]:
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
        raise storage_error(exc, "open", url) from None
    return fs, str(path).rstrip("/") or "/"


# --- writing and reading ----------------------------------------------------------


def put_complete(fs: AbstractFileSystem, path: str, data: bytes, made: set[str]) -> None:
    """Write ``data`` so that ``path`` exists only once it is complete."""
    protocols = fs_protocols(fs)
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


def read_records(fs: AbstractFileSystem, path: str) -> dict[str, dict[str, Any]]:
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


# --- file lists -------------------------------------------------------------------


def read_file_list(files_from: str) -> list[str]:
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
        raise storage_error(exc, "read", files_from) from None


def rels_from_list(lines: Sequence[str], files_from: str, src: str, src_base: str) -> list[str]:
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


def list_files(
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
        raise storage_error(exc, "list", src) from None
    prefix = base.rstrip("/") + "/"
    rels = [str(p)[len(prefix) :] for p in found if str(p).startswith(prefix)]
    return src, base, [rel for rel in rels if is_wanted(rel, patterns, excludes)]
