"""Batches: --jobs, a crashing engine, Ctrl-C and kill, in process and in real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filetree import SEED, C, E, P, tree

import dedupe_articles.batch as batch
import dedupe_articles.files as files
from dedupe_articles import Config, clean
from dedupe_articles.cli import main
from dedupe_articles.result import Action, ActionKind, CleanResult


def test_jobs_2_gives_the_same_bytes_as_jobs_1(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(6):
        (corpus / "sub" / f"x{i}.txt").write_bytes(P if i % 2 else C)
    (corpus / "sub" / "bad.txt").write_bytes(b"\xff")
    results = []
    for jobs in ("1", "2"):
        code = main(["--check", "--diff", "--explain", ".", "-j", jobs, "--report", f"r{jobs}"])
        out = capsys.readouterr().out
        assert main([".", "-j", jobs, "-o", f"../out{jobs}"]) == 123
        results.append(
            (code, out, (corpus / f"r{jobs}").read_bytes(), tree(corpus / f"../out{jobs}"))
        )
    assert results[0] == results[1]
    assert results[0][0] == 123
    assert tree(corpus / "../out2")["sub/x1.txt"] == E


def test_engine_crash_fails_one_file_only(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fragile(text: str, config: Config | None = None) -> CleanResult:
        if "Notes" in text:
            raise RuntimeError("boom")
        cut = text.index("---END---")
        return CleanResult(
            text=text[:cut], actions=(Action(ActionKind.MARKER, cut, cut, 6, 6, ""),)
        )

    monkeypatch.setattr(batch, "clean", fragile)
    assert main(["--in-place", ".", "-j", "1"]) == 123
    assert tree(corpus) == {"a.txt": E, "b.txt": C, "sub/c.txt": E}
    assert "error: cannot clean b.txt: internal error: RuntimeError: boom\n" in (
        capsys.readouterr().err
    )


def test_ctrl_c_stops_cleanly(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = files.process_file

    def interrupt_on_second(target: object, *args: object) -> object:
        if str(getattr(target, "path", "")).startswith("b"):
            raise KeyboardInterrupt
        return real(target, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "process_file", interrupt_on_second)
    assert main(["--in-place", ".", "-j", "1"]) == 130
    assert tree(corpus) == {"a.txt": E, "b.txt": C, "sub/c.txt": P}
    assert capsys.readouterr().err.endswith("error: interrupted; no file was left half-written\n")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("group", [False, True], ids=["process", "group"])
def test_interrupted_run_leaves_old_or_new_files_only(
    tmp_path: Path, sig: int, group: bool
) -> None:
    """Ctrl-C signals the whole process group, workers included; ``kill`` the parent."""
    # Real articles take long enough to clean (tens of ms each) to be stopped midway.
    big = SEED.read_bytes()
    cleaned = clean(big.decode()).text.encode()
    assert cleaned != big
    for i in range(300):
        (tmp_path / f"f{i:03}.txt").write_bytes(big)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dedupe_articles", "--in-place", str(tmp_path), "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    # Signal once the first file is written: midway, however fast the machine is.
    first, deadline = tmp_path / "f000.txt", time.monotonic() + 60
    while first.read_bytes() != cleaned and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.endswith("error: interrupted; no file was left half-written\n")
    assert "Traceback" not in err
    contents = [p.read_bytes() for p in sorted(tmp_path.iterdir())]
    assert len(contents) == 300  # no file missing, no temporary file left
    assert set(contents) == {big, cleaned}  # stopped midway, every file old or new
