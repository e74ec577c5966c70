"""Files on disk for the tests: a small corpus and its bytes, the seed sample, exact reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from articles import EXPECTED, POLLUTED

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "000_3c562c15f48485c9.txt"  # the shipped polluted sample
CLEAN = "# Notes\n\nA clean article with nothing to remove.\n"
P, E, C = POLLUTED.encode(), EXPECTED.encode(), CLEAN.encode()


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``a.txt`` polluted, ``b.txt`` clean, ``sub/c.txt`` polluted; cwd is the corpus.

    It is one level below ``tmp_path`` so that ``../out`` is private to the test.
    """
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    monkeypatch.chdir(root)
    (root / "a.txt").write_bytes(P)
    (root / "b.txt").write_bytes(C)
    (root / "sub" / "c.txt").write_bytes(P)
    return root


def read_exact(path: Path) -> str:
    """A file's text exactly: UTF-8, no newline translation (CRLF stays CRLF)."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def tree(root: Path, *, skip: str | None = None) -> dict[str, bytes]:
    """Every file below ``root`` (but those under a directory named ``skip``): its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (skip is None or skip not in p.relative_to(root).parts)
    }


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    """Every file's modification time and inode: unchanged means not rewritten."""
    return {
        p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
        for p in root.rglob("*")
        if p.is_file()
    }
