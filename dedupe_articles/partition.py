"""One task of the Dask engine: clean a partition of files where they are.

A task runs on a worker. It reads, cleans and writes its files itself, through
:mod:`dedupe_articles.storage`, then writes their records as one JSON Lines part and
returns only totals and failures (a :class:`PartResult`), so that a large corpus never
passes through the client. The bytes written are those of the local engine
(:func:`dedupe_articles.files.clean_bytes` is shared).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dedupe_articles.core import clean
from dedupe_articles.files import FileOutcome, Settings, clean_bytes, failure
from dedupe_articles.report import Totals, file_entry
from dedupe_articles.storage import (
    AbstractFileSystem,
    display_path,
    exc_reason,
    put_complete,
    read_records,
    url_to_fs,
)


@dataclass(frozen=True)
class Partition:
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


@dataclass(frozen=True)
class PartResult:
    """What a task sends back: its files' totals, the ``(path, reason)`` of each failed
    file, and how many were ``reused`` (recorded by an earlier run) or found
    ``existing`` (an output complete but not recorded)."""

    totals: Totals = field(default_factory=Totals)
    failures: tuple[tuple[str, str], ...] = ()
    reused: int = 0
    existing: int = 0

    @classmethod
    def of_records(
        cls, records: Sequence[dict[str, Any]], reused: int = 0, existing: int = 0
    ) -> PartResult:
        failures = tuple(
            (str(r["path"]), str(r["error"] or "failed"))
            for r in records
            if r["status"] == "failed"
        )
        return cls(Totals.of_records(records), failures, reused, existing)


def _clean_one(
    part: Partition,
    rel: str,
    fs_in: AbstractFileSystem,
    fs_out: AbstractFileSystem,
    made: set[str],
) -> tuple[FileOutcome, bool]:
    """Read, clean and write one file; never raises. Also: whether the output existed.

    Only a resumed run looks for existing outputs: in a fresh one, the only outputs
    that can exist are those of a task that Dask ran twice, and they have the same bytes.
    """
    shown = display_path(part.src, rel)
    try:
        raw = fs_in.cat_file(posixpath.join(part.src_base, rel))
    except Exception as exc:
        return failure(shown, f"cannot read: {exc_reason(exc)}"), False
    outcome, new = clean_bytes(raw, shown, part.settings, clean)
    if new is None:
        return outcome, False
    output = display_path(part.dst, rel)
    dest = posixpath.join(part.dst_base, rel)
    try:
        # An output that exists is complete (see put_complete): this is a resumed run.
        existed = part.resume and bool(fs_out.exists(dest))
        if not existed:
            put_complete(fs_out, dest, new, made)
    except Exception as exc:
        error = f"cannot write {output}: {exc_reason(exc)}"
        return replace(outcome, status="failed", error=error), False
    return replace(outcome, output=output), existed


def run_partition(part: Partition) -> PartResult:
    """What a worker runs: clean the partition's files, write its report part.

    Returns only totals and failures. A file that fails is recorded and the others go
    on; only an error writing the report part fails the task.
    """
    fs_in, _ = url_to_fs(part.src_url)
    fs_out, _ = url_to_fs(part.dst_url)
    part_path = posixpath.join(part.report, part.name)
    previous = read_records(fs_out, part_path) if part.resume else {}
    made: set[str] = set()
    records: list[dict[str, Any]] = []
    reused = existing = 0
    for rel in part.rels:
        record = previous.get(display_path(part.src, rel))
        if record is not None and record.get("status") != "failed":
            reused += 1
        else:
            outcome, existed = _clean_one(part, rel, fs_in, fs_out, made)
            existing += existed
            record = file_entry(outcome)
        records.append(record)
    if reused < len(records):
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        put_complete(fs_out, part_path, lines.encode("utf-8"), made)
    return PartResult.of_records(records, reused, existing)


def worker_version() -> str:
    from dedupe_articles import __version__

    return __version__
