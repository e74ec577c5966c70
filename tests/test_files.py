"""The file layer: discovery, decoding, BOM and newline handling, safe writes."""

from __future__ import annotations

import codecs
import os
import shutil
import signal
import stat
from pathlib import Path
from typing import Any

import pytest
from articles import EXPECTED, POLLUTED
from filetree import tree

from dedupe_articles import Config, clean
from dedupe_articles.atomic import TEMP_SUFFIX, atomic_write
from dedupe_articles.files import (
    FatalError,
    FileOutcome,
    Settings,
    Target,
    clean_bytes,
    decode,
    discover,
    plan_outputs,
    process_file,
    unified_diff,
)
from dedupe_articles.result import Action, ActionKind, CleanResult

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def drop_marker(text: str, config: Config) -> CleanResult:
    """A stand-in cleaner with a known effect, to test the file layer on its own."""
    if "XX\n" not in text and "XX\r\n" not in text:
        return CleanResult(text=text)
    action = Action(ActionKind.MARKER, 0, 2, 1, 1, "XX")
    return CleanResult(text=text.replace("XX\r\n", "").replace("XX\n", ""), actions=(action,))


# --- decoding ----------------------------------------------------------------------


def test_decode_keeps_bom_apart_and_text_as_is() -> None:
    bom, codec, text = decode(codecs.BOM_UTF8 + b"a\r\nb")
    assert (bom, codec, text) == (codecs.BOM_UTF8, "utf-8", "a\r\nb")


def test_invalid_utf8_names_the_byte_offset_counting_the_bom() -> None:
    with pytest.raises(ValueError) as info:
        decode(codecs.BOM_UTF8 + b"abc\xe9def")
    assert str(info.value) == (
        "invalid utf-8 at byte offset 6 (byte 0xe9: invalid continuation byte); "
        "use --encoding to name another encoding"
    )


def test_nul_byte_means_binary() -> None:
    with pytest.raises(ValueError, match=r"^binary file \(NUL byte at offset 3\)$"):
        decode(b"abc\0\xff")


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_utf16_round_trips_with_its_own_bom(bom: bytes) -> None:
    codec = "utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be"
    raw = bom + "XX\nHello.\n".encode(codec)
    outcome, out = clean_bytes(raw, "a.txt", Settings(encoding="utf-16"), drop_marker)
    assert outcome.status == "changed"
    assert out == bom + b"Hello.\n".decode().encode(codec)


def test_utf16_text_is_not_mistaken_for_binary() -> None:
    raw = "Hello.\n".encode("utf-16")
    outcome, out = clean_bytes(raw, "a.txt", Settings(encoding="utf-16"), drop_marker)
    assert (outcome.status, out) == ("unchanged", raw)


# --- clean_bytes -------------------------------------------------------------------


def test_cleaner_sees_text_without_bom_and_with_crlf() -> None:
    seen: list[str] = []

    def spy(text: str, config: Config) -> CleanResult:
        seen.append(text)
        return drop_marker(text, config)

    raw = codecs.BOM_UTF8 + b"XX\r\nKeep me.\r\nno final newline"
    outcome, out = clean_bytes(raw, "a.txt", Settings(), spy)
    assert seen == ["XX\r\nKeep me.\r\nno final newline"]
    assert out == codecs.BOM_UTF8 + b"Keep me.\r\nno final newline"
    assert (outcome.status, outcome.bytes_in, outcome.bytes_out) == ("changed", 33, 29)


def test_unchanged_output_is_the_input_byte_for_byte() -> None:
    raw = b"\xef\xbb\xbfSame\r\n\r\ntext"
    outcome, out = clean_bytes(raw, "a.txt", Settings(), drop_marker)
    assert outcome == FileOutcome("a.txt", "unchanged", len(raw), len(raw))
    assert out is raw


def test_empty_input_passes_without_calling_the_cleaner() -> None:
    def boom(text: str, config: Config) -> CleanResult:
        raise AssertionError("must not be called")

    assert clean_bytes(b"", "e.txt", Settings(), boom) == (
        FileOutcome("e.txt", "unchanged", 0, 0),
        b"",
    )


def test_cleaner_crash_is_a_failed_outcome_not_an_exception() -> None:
    def boom(text: str, config: Config) -> CleanResult:
        raise RuntimeError("engine bug")

    outcome, out = clean_bytes(b"text", "a.txt", Settings(), boom)
    assert out is None
    assert (outcome.status, outcome.error) == ("failed", "internal error: RuntimeError: engine bug")


def test_keep_text_keeps_input_and_result_for_review_pages() -> None:
    outcome, _ = clean_bytes(b"XX\nBody.\n", "a.txt", Settings(keep_text=True), drop_marker)
    assert outcome.text == "XX\nBody.\n"
    assert outcome.result is not None and outcome.result.text == "Body.\n"
    plain, _ = clean_bytes(b"XX\nBody.\n", "a.txt", Settings(), drop_marker)
    assert (plain.text, plain.result) == (None, None)


def test_real_engine_through_the_file_layer_keeps_bom_and_crlf() -> None:
    raw = codecs.BOM_UTF8 + POLLUTED.replace("\n", "\r\n").encode()
    outcome, out = clean_bytes(raw, "a.txt", Settings(), clean)
    assert out == codecs.BOM_UTF8 + EXPECTED.replace("\n", "\r\n").encode()
    assert outcome.changed


def test_diff_is_patch_compatible() -> None:
    assert unified_diff("a\r\nb\nc", "a\r\nc", "f.txt") == (
        "--- f.txt\t(original)\n+++ f.txt\t(cleaned)\n@@ -1,3 +1,2 @@\n"
        " a\r\n-b\n c\n\\ No newline at end of file\n"
    )


# --- discovery ---------------------------------------------------------------------


def make_corpus(root: Path) -> None:
    for rel in ["b.txt", "a.txt", "notes.md", "sub/c.txt", "sub/skip.txt", ".git/x.txt"]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)


def paths(items: list[Target | FileOutcome]) -> list[str]:
    return [item.path for item in items]


def test_walk_is_sorted_filtered_and_skips_vcs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert paths(discover(["."])) == ["a.txt", "b.txt", "sub/c.txt", "sub/skip.txt"]
    assert paths(discover(["."], ["*.md", "*.txt"], ["skip.txt"])) == [
        "a.txt",
        "b.txt",
        "notes.md",
        "sub/c.txt",
    ]
    assert paths(discover(["."], excludes=["sub"])) == ["a.txt", "b.txt"]
    assert paths(discover(["."], ["sub/*.txt"])) == ["sub/c.txt", "sub/skip.txt"]


def test_named_files_are_taken_whatever_the_glob_and_only_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    items = discover(["notes.md", "sub", "sub/c.txt", "./sub/c.txt"], excludes=["*.md"])
    assert paths(items) == ["notes.md", "sub/c.txt", "sub/skip.txt"]
    assert [t.rel for t in items if isinstance(t, Target)] == ["notes.md", "c.txt", "skip.txt"]


def test_missing_path_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match="no such file or directory"):
        discover([str(tmp_path / "nope.txt")])


def test_directory_symlink_loop_is_reported_not_followed(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("a")
    (tmp_path / "d" / "loop").symlink_to("..")
    items = discover([str(tmp_path)])
    assert paths(items) == [str(tmp_path / "d" / "a.txt"), str(tmp_path / "d" / "loop")]
    loop = items[1]
    assert isinstance(loop, FileOutcome) and loop.status == "failed"
    assert loop.error == "symlink loop (a directory inside itself)"


def test_self_referencing_file_link_fails_when_read(tmp_path: Path) -> None:
    (tmp_path / "self.txt").symlink_to("self.txt")
    (target,) = discover([str(tmp_path)])
    assert isinstance(target, Target)
    outcome = process_file(target, Settings(), clean)
    assert outcome.error == "cannot read: symlink loop (too many levels of symbolic links)"


def test_fifo_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    outcome = process_file(Target(str(tmp_path / "pipe.txt"), "pipe.txt"), Settings(), clean)
    assert (outcome.status, outcome.error) == ("failed", "cannot read: not a regular file")


def test_plan_outputs_mirrors_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    planned = plan_outputs(["sub", "a.txt"], discover(["sub", "a.txt"]), "out")
    assert [(t.path, t.dest) for t in planned if isinstance(t, Target)] == [
        ("a.txt", "out/a.txt"),
        ("sub/c.txt", "out/c.txt"),
        ("sub/skip.txt", "out/skip.txt"),
    ]


@pytest.mark.parametrize(
    ("args", "out", "message"),
    [
        (["."], "out", "cannot clean .: output directory out is inside it"),
        (["sub"], "sub", "cannot clean sub: output directory sub is inside it"),
        (["sub/c.txt"], "sub", "cannot clean sub/c.txt: the output sub/c.txt is the input itself"),
        (["a.txt", "sub"], "out", "cannot clean sub/a.txt: a.txt is also written to out/a.txt"),
    ],
)
def test_plan_outputs_refuses_unsafe_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], out: str, message: str
) -> None:
    make_corpus(tmp_path)
    (tmp_path / "sub" / "a.txt").write_text("clash")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FatalError) as info:
        plan_outputs(args, discover(args), out)
    assert str(info.value).startswith(message)


# --- writing -----------------------------------------------------------------------


def test_atomic_write_keeps_mode_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"old")
    path.chmod(0o640)
    atomic_write(str(path), b"new", 0o640)
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["a.txt"]


@pytest.mark.parametrize("where", ["open", "replace"])
def test_interrupted_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Ctrl-C instead of the final rename, or just after the temporary file is made
    (a signal handler can run between ``os.open`` returning and the next line)."""
    path = tmp_path / "a.txt"
    path.write_bytes(b"old")
    real = getattr(os, where)

    def interrupted(*args: Any, **kwargs: Any) -> None:
        if where == "open":
            real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, where, interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(str(path), b"new" * 1000)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_ctrl_c_during_a_write_waits_for_the_file_to_be_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"old")
    real_fsync = os.fsync

    def fsync_then_signalled(fd: int) -> None:
        real_fsync(fd)
        os.kill(os.getpid(), signal.SIGINT)
        # Let the interpreter run any handler for a signal that was not held back.
        for _ in range(100):
            pass

    monkeypatch.setattr(os, "fsync", fsync_then_signalled)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(str(path), b"new")
    assert path.read_bytes() == b"new"  # the interrupt came after the write, not in it
    assert os.listdir(tmp_path) == ["a.txt"]


def test_in_place_follows_symlinks_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_bytes(b"XX\nBody.\n")
    (tmp_path / "link.txt").symlink_to("real.txt")
    outcome = process_file(
        Target(str(tmp_path / "link.txt"), "link.txt"), Settings(write="in-place"), drop_marker
    )
    assert outcome.status == "changed"
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "real.txt").read_bytes() == b"Body.\n"


def test_in_place_refuses_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"XX\nBody.\n")
    path.chmod(0o444)
    outcome = process_file(Target(str(path), "a.txt"), Settings(write="in-place"), drop_marker)
    assert (outcome.status, outcome.error) == (
        "failed",
        f"cannot write {path}: file is read-only",
    )
    assert path.read_bytes() == b"XX\nBody.\n"


def test_output_copy_is_not_rewritten_when_up_to_date(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Body.\n")
    dest = tmp_path / "out" / "deep" / "a.txt"
    target = Target(str(tmp_path / "a.txt"), "a.txt", str(dest))
    settings = Settings(write="output-dir")
    assert process_file(target, settings, drop_marker).output == str(dest)
    os.utime(dest, ns=(1, 1))
    assert process_file(target, settings, drop_marker).status == "unchanged"
    assert dest.stat().st_mtime_ns == 1
    assert tree(tmp_path / "out") == {"deep/a.txt": b"Body.\n"}


def test_output_directories_are_made_once_and_outputs_stated_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one run (one ``made`` set) each output directory is made once, and an
    existing output is stat'ed once to see whether it is up to date."""
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_bytes(b"XX\nBody.\n")
    out = tmp_path / "out" / "deep"
    targets = [Target(str(tmp_path / f"{n}.txt"), f"{n}.txt", str(out / f"{n}.txt")) for n in "abc"]
    made_dirs: list[str] = []
    stats: list[str] = []
    real_makedirs, real_stat = os.makedirs, os.stat

    def makedirs(name: str, *args: Any, **kwargs: Any) -> None:
        made_dirs.append(os.fspath(name))
        real_makedirs(name, *args, **kwargs)

    def counting_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        stats.append(os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "makedirs", makedirs)
    monkeypatch.setattr(os, "stat", counting_stat)
    settings = Settings(write="output-dir")
    for _ in range(2):  # the second run finds every output up to date
        made: set[str] = set()
        assert [process_file(t, settings, drop_marker, made).status for t in targets] == [
            "changed"
        ] * 3
    assert made_dirs.count(str(out)) == 2  # once per run (os.makedirs also makes "out")
    assert [stats.count(str(out / f"{n}.txt")) for n in "abc"] == [2, 2, 2]  # once per run
    assert tree(out) == dict.fromkeys(("a.txt", "b.txt", "c.txt"), b"Body.\n")


def test_output_directory_removed_during_a_run_is_made_again(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"XX\nBody.\n")
    out = tmp_path / "out"
    made: set[str] = set()
    settings = Settings(write="output-dir")
    for name in ("a.txt", "b.txt"):
        target = Target(str(tmp_path / "a.txt"), name, str(out / name))
        assert process_file(target, settings, drop_marker, made).status == "changed"
        shutil.rmtree(out)
    assert made == {str(out)} and not out.exists()


def test_write_failure_is_a_failed_outcome(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Body.\n")
    (tmp_path / "out").write_bytes(b"a file where a directory should be")
    target = Target(str(tmp_path / "a.txt"), "a.txt", str(tmp_path / "out" / "a.txt"))
    outcome = process_file(target, Settings(write="output-dir"), drop_marker)
    assert outcome.status == "failed"
    assert outcome.error is not None and outcome.error.startswith("cannot write ")
    assert outcome.error.endswith(": Not a directory")


@pytest.mark.skipif(ROOT, reason="root reads any file")
def test_unreadable_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"secret")
    path.chmod(0)
    outcome = process_file(Target(str(path), "a.txt"), Settings(), clean)
    assert (outcome.status, outcome.error) == ("failed", "cannot read: Permission denied")


def test_no_temp_files_match_the_default_glob() -> None:
    assert not TEMP_SUFFIX.endswith(".txt")
