"""The Dask engine (issue #5): same bytes as the local engine, resumable, clear errors.

Needs the ``dask`` extra (``pip install '.[test,dask]'``); without it only the tests
that check the base install still runs and fails clearly are run, and the others are
skipped, or fail when ``CI`` is set (see ``needs.py``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import needs
import pytest
from filetree import tree

from dedupe_articles import Config
from dedupe_articles.cli import main as cli_main
from dedupe_articles.distributed import (
    REPORT_DIR,
    DaskEngineError,
    DaskSummary,
    DaskUnavailable,
    SchedulerUnreachable,
    StorageError,
    run_dask,
)
from dedupe_articles.report import FILE_KEYS

CASES = Path(__file__).parent / "cases"
BAD_REASON = "invalid utf-8 at byte offset 4"


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A LocalCluster of two single-threaded worker processes, shared by the module."""
    distributed = needs.module("distributed")
    needs.module("fsspec")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as local:
        yield str(local.scheduler_address)


def make_corpus(root: Path) -> Path:
    """The test cases plus the awkward files: BOM, CRLF, empty, binary, invalid UTF-8."""
    src = root / "src"
    shutil.copytree(CASES, src, ignore=shutil.ignore_patterns("*.md", "*.py", "__pycache__"))
    (src / "bom_crlf.txt").write_bytes(
        "\ufeffA long enough first paragraph, here.\r\n\r\n---END---\r\n\r\n"
        "A long enough first paragraph, here.\r\n".encode()
    )
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"bin\0ary\n")
    (src / "bad.txt").write_bytes(b"bad \xff byte\n")
    (src / "ünï" / "dëep").mkdir(parents=True)
    (src / "ünï" / "dëep" / "ärger.txt").write_text("Grüße aus Köln, sehr lang.\n\n---END---\n")
    (src / "notes.md").write_text("not taken by the default pattern\n")
    (src / ".git").mkdir()
    (src / ".git" / "x.txt").write_text("never an article\n")
    return src


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path)


def local_engine(src: Path, out: Path) -> dict[str, Any]:
    """Run the local engine (the CLI) and return its JSON report."""
    report = out.parent / f"{out.name}.json"
    code = cli_main([str(src), "-o", str(out), "-q", "-j", "1", "--report", str(report)])
    assert code in (0, 123)
    return dict(json.loads(report.read_text()))


def outputs(root: Path) -> dict[str, bytes]:
    """The files an engine wrote below ``root``, not its report."""
    return tree(root, skip=REPORT_DIR)


def records(report_dir: str | Path) -> list[dict[str, Any]]:
    parts = sorted(Path(report_dir).glob("part-*.jsonl"))
    found = [json.loads(line) for part in parts for line in part.read_text().splitlines()]
    return sorted(found, key=lambda r: str(r["path"]))


def as_local(record: dict[str, Any], dst: Path, out: Path) -> dict[str, Any]:
    if record["output"] is not None:
        record = {**record, "output": str(out) + record["output"][len(str(dst)) :]}
    return record


# --- the base install ------------------------------------------------------------------


def test_base_install_does_not_import_dask() -> None:
    code = (
        "import sys, dedupe_articles, dedupe_articles.distributed, dedupe_articles.cli\n"
        "bad = {'dask', 'distributed', 'fsspec'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_library_import_does_not_import_the_cli_stack() -> None:
    """The Dask client and the report's totals, summary and exit codes need no click or rich."""
    code = (
        "import sys, dedupe_articles.distributed, dedupe_articles.report\n"
        "bad = {'click', 'rich'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("missing", ["dask", "distributed", "fsspec"])
def test_missing_extra_is_a_clear_error(
    missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # import raises ImportError
    with pytest.raises(DaskUnavailable, match=r"pip install 'dedupe-articles\[dask\]'"):
        run_dask(str(tmp_path), str(tmp_path / "out"), config=Config())


# --- same bytes, failures, resume --------------------------------------------------------


def test_identical_to_local_engine(cluster: str, corpus: Path, tmp_path: Path) -> None:
    local = local_engine(corpus, tmp_path / "local")
    dst = tmp_path / "dask"
    seen: list[tuple[int, int]] = []
    summary = run_dask(
        str(corpus),
        str(dst),
        config=Config(),
        scheduler=cluster,
        partition_size=40,
        progress=lambda done, total: seen.append((done, total)),
    )

    assert outputs(dst) == outputs(tmp_path / "local")
    assert seen[0] == (0, summary.files) and seen[-1] == (summary.files, summary.files)
    assert len(seen) == summary.partitions + 1
    assert "bom_crlf.txt" in outputs(dst) and "notes.md" not in outputs(dst)
    got = [as_local(r, dst, tmp_path / "local") for r in records(summary.report_dir)]
    assert got == local["files"]
    assert summary.totals() == local["totals"]
    # The bad file failed, alone; the job went on and said so.
    ((path, reason),) = summary.failures
    assert path == str(corpus / "bad.txt") and reason.startswith(BAD_REASON)
    assert summary.skipped == 1 and summary.exit_code == 123
    assert summary.partitions == -(-summary.files // 40)
    assert summary.report_dir.startswith(f"{dst}/{REPORT_DIR}/run-")
    written = json.loads((Path(summary.report_dir) / "totals.json").read_text())
    assert {k: written[k] for k in local["totals"]} == local["totals"]
    # Key order too: the local report's (pinned in test_cli), then the partitions.
    assert list(written) == [*local["totals"], "partitions"]
    assert list(written["actions"]) == list(local["totals"]["actions"])
    assert all(list(r) == list(FILE_KEYS) for r in got)


def test_resume_skips_what_is_done_and_retries_failures(
    cluster: str, corpus: Path, tmp_path: Path
) -> None:
    dst = tmp_path / "dask"
    first = run_dask(str(corpus), str(dst), config=Config(), scheduler=cluster, partition_size=25)
    first_records = records(first.report_dir)
    clean_tree = outputs(dst)

    # Interrupt one partition half-way: its part is gone, so are some of its outputs,
    # and one output that exists must not be written again.
    part = Path(first.report_dir) / "part-000002.jsonl"
    lost = [json.loads(line) for line in part.read_text().splitlines()]
    part.unlink()
    written = [Path(r["output"]) for r in lost if r["output"]]
    written[0].unlink()
    written[1].unlink()
    written[2].write_bytes(b"left alone\n")
    # And fix the file that failed: a re-run tries it again.
    (corpus / "bad.txt").write_bytes(b"Now valid and long enough.\n\n---END---\n")

    second = run_dask(str(corpus), str(dst), config=Config(), scheduler=cluster, partition_size=25)
    assert second.failed == 0 and second.exit_code == 0
    assert second.reused == first.files - len(lost) - 1  # bad.txt was in another part
    assert second.existing == len(written) - 2 and second.report_dir == first.report_dir
    assert written[2].read_bytes() == b"left alone\n"
    assert written[0].read_bytes() == clean_tree[written[0].relative_to(dst).as_posix()]
    bad = [r for r in records(second.report_dir) if r["path"].endswith("bad.txt")]
    assert bad[0]["status"] == "changed"
    assert [r for r in records(second.report_dir) if r not in bad] == [
        r for r in first_records if not r["path"].endswith("bad.txt")
    ]

    parts = {p: p.stat().st_mtime_ns for p in Path(first.report_dir).glob("part-*.jsonl")}
    third = run_dask(str(corpus), str(dst), config=Config(), scheduler=cluster, partition_size=25)
    assert third.reused == third.files and third.totals() == second.totals()
    assert {p: p.stat().st_mtime_ns for p in parts} == parts  # nothing rewritten


def test_files_from_then_full_run(cluster: str, corpus: Path, tmp_path: Path) -> None:
    local_engine(corpus, tmp_path / "local")
    names = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.txt"))
    names = [n for n in names if not n.startswith(".git/")]
    half = names[: len(names) // 2]
    listing = tmp_path / "list.txt"
    lines = [half[0], f"{corpus}/{half[1]}", "", *half[2:], "missing.txt"]
    listing.write_text("\n".join(lines) + "\n")
    dst = tmp_path / "dask"

    partial = run_dask(
        str(corpus), str(dst), config=Config(), scheduler=cluster, files_from=str(listing)
    )
    assert partial.files == len(half) + 1
    missing = (str(corpus / "missing.txt"), "cannot read: No such file or directory")
    assert missing in partial.failures

    full = run_dask(str(corpus), str(dst), config=Config(), scheduler=cluster)
    assert outputs(dst) == outputs(tmp_path / "local")
    assert full.files == len(names) and full.reused == full.existing == 0
    # Another file list is another run, with a report directory of its own: every file
    # once in each.
    assert full.report_dir != partial.report_dir
    assert [r["path"] for r in records(full.report_dir)] == [str(corpus / n) for n in names]
    listing.write_text("../escape.txt\n")
    with pytest.raises(StorageError, match=r"list\.txt:1: '\.\./escape\.txt' is not a file below"):
        run_dask(str(corpus), str(dst), config=Config(), files_from=str(listing))


def test_memory_filesystem_matches_local_engine(corpus: Path, tmp_path: Path) -> None:
    fsspec = needs.module("fsspec")
    needs.module("distributed")
    fs = fsspec.filesystem("memory")
    root = f"/t-{uuid.uuid4().hex}"
    for path in corpus.rglob("*"):
        if path.is_file():
            fs.pipe_file(f"{root}/in/{path.relative_to(corpus).as_posix()}", path.read_bytes())
    local_engine(corpus, tmp_path / "local")
    try:
        # No scheduler: a local cluster is started, of threads since memory:// is
        # private to this process.
        summary = run_dask(
            f"memory://{root}/in", f"memory://{root}/out", config=Config(), partition_size=30
        )
        got = {
            p[len(f"{root}/out/") :]: fs.cat_file(p)
            for p in fs.find(f"{root}/out")
            if not p.startswith(f"{root}/out/{REPORT_DIR}/")
        }
        assert got == outputs(tmp_path / "local")
        assert summary.failed == 1 and summary.failures[0][0] == f"memory://{root}/in/bad.txt"
        assert summary.report_dir.startswith(f"memory://{root}/out/{REPORT_DIR}/run-")
    finally:
        fs.rm(root, recursive=True)


# --- clear errors ------------------------------------------------------------------------


def test_unreachable_scheduler(corpus: Path, tmp_path: Path) -> None:
    needs.module("distributed")
    with pytest.raises(SchedulerUnreachable, match="cannot reach the Dask scheduler at tcp://"):
        run_dask(
            str(corpus),
            str(tmp_path / "out"),
            config=Config(),
            scheduler="tcp://127.0.0.1:9",
            timeout=1,
        )


def test_refused_credentials(tmp_path: Path) -> None:
    fsspec = needs.module("fsspec")
    needs.module("distributed")
    from fsspec.implementations.memory import MemoryFileSystem  # type: ignore[import-untyped]

    class DeniedFileSystem(MemoryFileSystem):  # type: ignore[misc]
        protocol = "denied"

        def isfile(self, path: str) -> bool:
            raise PermissionError("Access Denied")

    fsspec.register_implementation("denied", DeniedFileSystem, clobber=True)
    with pytest.raises(StorageError, match=r"access refused .*check the credentials"):
        run_dask("denied://bucket/in", str(tmp_path / "out"), config=Config())


def test_an_output_beside_the_input_named_through_dotdot_is_accepted(
    cluster: str, corpus: Path, tmp_path: Path
) -> None:
    """``SRC/../out`` is not inside SRC (fsspec leaves the ``..`` in the path)."""
    before = tree(corpus)
    summary = run_dask(str(corpus), f"{corpus}/../dotdot-out", config=Config(), scheduler=cluster)
    assert summary.changed >= 1  # (the corpus holds one undecodable file on purpose)
    local_engine(corpus, tmp_path / "local")
    assert outputs(corpus.parent / "dotdot-out") == outputs(tmp_path / "local")
    assert tree(corpus) == before  # nothing written inside the input


def test_unsafe_or_foreign_outputs_are_refused(cluster: str, corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is inside it"):
        run_dask(str(corpus), str(corpus / "out"), config=Config())
    with pytest.raises(StorageError, match="no such file or directory"):
        run_dask(str(tmp_path / "nope"), str(tmp_path / "out"), config=Config())
    with pytest.raises(DaskEngineError, match="memory:// lives inside one process"):
        run_dask("memory://a", "memory://b", config=Config(), scheduler=cluster)
    dst = tmp_path / "out"
    summary = run_dask(str(corpus / "bom_crlf.txt"), str(dst), config=Config(), scheduler=cluster)
    assert isinstance(summary, DaskSummary) and summary.changed == 1
    assert summary.failures == () and os.listdir(dst) == sorted(os.listdir(dst))
    with pytest.raises(StorageError, match="another run"):
        run_dask(str(corpus), str(dst), config=Config(stitch=False), scheduler=cluster)


def test_cli_engine_dask_matches_cli_local(cluster: str, corpus: Path, tmp_path: Path) -> None:
    local_code = cli_main([str(corpus), "-o", str(tmp_path / "local"), "-q", "--jobs", "1"])
    dask_args = ["--engine", "dask", "--scheduler", cluster, "-q"]
    dask_code = cli_main([str(corpus), "-o", str(tmp_path / "dask"), *dask_args])

    assert local_code == dask_code == 123  # the corpus holds one undecodable file
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")


def test_cli_dask_only_flags_need_the_dask_engine(corpus: Path, tmp_path: Path) -> None:
    assert cli_main([str(corpus), "-o", str(tmp_path / "o"), "--partition-size", "5"]) == 2
    assert cli_main([str(corpus), "--check", "--engine", "dask"]) == 2
