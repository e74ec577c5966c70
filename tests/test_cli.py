"""The command line, in process: exit codes and the exact bytes of every file."""

from __future__ import annotations

import codecs
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from filetree import C, E, P, stamps, tree

import dedupe_articles.batch as batch
import dedupe_articles.cli as cli
import dedupe_articles.report as report
from dedupe_articles import Config
from dedupe_articles.cli import main
from dedupe_articles.files import FileOutcome
from dedupe_articles.result import Action, ActionKind, CleanResult

DIFF = (
    "--- a.txt\t(original)\n+++ a.txt\t(cleaned)\n@@ -3,5 +3,3 @@\n"
    " First paragraph here, long enough to count.\n \n"
    " Second paragraph, also quite long enough.\n"
    "----END---\n-Second paragraph, also quite long enough.\n"
)


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


# --- usage errors (exit 2) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["a.txt"], "Error: choose a mode: -o/--output-dir DIR, --in-place, --check or --diff"),
        ([], "Error: no PATH given"),
        (["--bogus", "a.txt"], "Error: No such option"),
        (["--check", "--in-place", "a.txt"], "Error: choose one mode: --in-place and --check"),
        (["-o", "out", "--diff", "a.txt"], "Error: choose one mode: --output-dir and --check"),
        (["-q", "-v", "--check", "a.txt"], "Error: -q and -v cannot be combined"),
        (["--check", "-", "a.txt"], "Error: '-' (stdin) cannot be mixed with other paths"),
        (["--in-place", "-"], "Error: stdin is cleaned to stdout"),
        (["--diff", "--report", "-", "a.txt"], "Error: --report - needs stdout alone"),
        (["--jobs", "0", "--check", "a.txt"], "Error: Invalid value for '-j' / '--jobs'"),
        (["--encoding", "nope", "--check", "a.txt"], "unknown encoding 'nope'"),
        (["--near-duplicate-cutoff", "200", "--check", "a.txt"], "near_duplicate_cutoff must be"),
        (["--marker", "(", "--check", "a.txt"], "Invalid value for '--marker'"),
        (["--check", "missing.txt"], "error: cannot clean missing.txt: no such file or directory"),
    ],
)
def test_usage_errors_exit_2_and_touch_nothing(
    corpus: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = tree(corpus)
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert message in err
    assert "Traceback" not in err and out == ""
    assert tree(corpus) == before


@pytest.mark.parametrize("engine", [[], ["--engine", "dask", "-o", "../out"]])
def test_invalid_marker_is_one_line_usage_error(
    corpus: Path, capsys: pytest.CaptureFixture[str], engine: list[str]
) -> None:
    """Config rejects the pattern; the CLI says so as before, for either engine."""
    before = tree(corpus)
    mode = engine or ["--check"]
    assert main(["--marker", "ok", "--marker", "(", *mode, "a.txt"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\nError: Invalid value for '--marker': '(': missing ) at position 1\n")
    assert tree(corpus) == before and not (corpus / "../out").exists()


def test_help_documents_exit_codes_and_config_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for text in ["123  at least one file failed", "--marker PATTERN", "--no-stitch", "--check"]:
        assert text in out
    for name in Config.field_names():
        flag = "--marker" if name == "markers" else "--" + name.replace("_", "-")
        assert flag in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "dedupe-articles, version 0.1.0\n"


# --- the four modes ----------------------------------------------------------------


def test_output_dir_writes_a_complete_clean_corpus(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path_factory.mktemp("out") / "clean"
    before = tree(corpus)
    assert main([".", "-o", str(out)]) == 0
    assert tree(out) == {"a.txt": E, "b.txt": C, "sub/c.txt": E}
    assert tree(corpus) == before
    err = capsys.readouterr().err
    assert f"cleaned a.txt -> {out}/a.txt (2 actions, 52 bytes removed)\n" in err
    # A second run finds the copies up to date and leaves them alone.
    written = stamps(out)
    assert main([".", "-o", str(out)]) == 0
    assert stamps(out) == written


def test_in_place_rewrites_only_changed_files_keeping_mode(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (corpus / "a.txt").chmod(0o640)
    untouched = stamps(corpus)["b.txt"]
    assert main(["--in-place", "."]) == 0
    assert tree(corpus) == {"a.txt": E, "b.txt": C, "sub/c.txt": E}
    assert stamps(corpus)["b.txt"] == untouched
    assert stat.S_IMODE((corpus / "a.txt").stat().st_mode) == 0o640
    assert sorted(os.listdir(corpus)) == ["a.txt", "b.txt", "sub"]
    assert capsys.readouterr().err.startswith(
        "cleaned a.txt (2 actions, 52 bytes removed)\n"
        "cleaned sub/c.txt (2 actions, 52 bytes removed)\n"
        "files scanned: 3\nchanged: 2\nunchanged: 1\nskipped: 0\nfailed: 0\n"
        "bytes removed: 104\ntime: "
    )
    # Idempotent: the second run has nothing to do and touches nothing.
    written = stamps(corpus)
    assert main(["--in-place", "."]) == 0
    assert stamps(corpus) == written


def test_check_writes_nothing_and_exits_1(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = stamps(corpus)
    assert main(["--check", "."]) == 1
    assert stamps(corpus) == before and tree(corpus)["a.txt"] == P
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("would clean a.txt (2 actions, 52 bytes removed)\n")
    assert "would change: 2\n" in err
    assert main(["--check", "b.txt"]) == 0


def test_diff_prints_a_unified_diff(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--diff", "a.txt", "b.txt"]) == 1
    assert capsys.readouterr().out == DIFF
    assert tree(corpus)["a.txt"] == P
    assert main(["--check", "--diff", "a.txt"]) == 1
    assert capsys.readouterr().out == DIFF
    assert main(["--diff", "b.txt"]) == 0
    assert capsys.readouterr().out == ""


def test_diff_is_coloured_only_on_a_terminal(
    corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "stdout_is_terminal", lambda: True)
    assert main(["--diff", "a.txt"]) == 1
    out = capsys.readouterr().out
    assert "\x1b[31m----END---\x1b[0m\n" in out
    assert "\x1b[1m--- a.txt\t(original)\x1b[0m\n" in out


def test_explain_lists_each_action(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--explain", "a.txt", "b.txt"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "a.txt: 2 actions\n  line 6: marker (score 100.0)\n    removed: ---END---\n"
    )
    assert (
        "  line 7: duplicate (score 100.0)\n"
        "    removed: Second paragraph, also quite long enough.\n"
        "    matched: block 2: Second paragraph, also quite long enough.\n"
    ) in out
    assert "b.txt" not in out


# --- stdin -------------------------------------------------------------------------


def test_stdin_to_stdout(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    feed_stdin(monkeypatch, codecs.BOM_UTF8 + P.replace(b"\n", b"\r\n"))
    assert main(["-"]) == 0
    out, err = capsysbinary.readouterr()
    assert out == codecs.BOM_UTF8 + E.replace(b"\n", b"\r\n")
    assert err == b""


def test_stdin_check_and_explain(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    feed_stdin(monkeypatch, P)
    assert main(["--check", "-"]) == 1
    assert capsysbinary.readouterr() == (
        b"",
        b"would clean <stdin> (2 actions, 52 bytes removed)\n",
    )
    feed_stdin(monkeypatch, P)
    assert main(["--explain", "-"]) == 0
    out, err = capsysbinary.readouterr()
    assert out == E
    assert b"<stdin>: 2 actions\n  line 6: marker" in err


def test_stdin_invalid_utf8_fails_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    feed_stdin(monkeypatch, b"ok\xff")
    assert main(["-"]) == 123
    out, err = capsysbinary.readouterr()
    assert out == b""
    assert err.startswith(b"error: cannot clean <stdin>: invalid utf-8 at byte offset 2")


# --- reports -----------------------------------------------------------------------


def test_json_report_schema(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (corpus / "bad.txt").write_bytes(b"caf\xe9\n")
    assert main(["--check", ".", "--report", "r.json"]) == 123
    data = json.loads((corpus / "r.json").read_text())
    assert list(data) == ["schema_version", "tool", "version", "mode", "config", "files", "totals"]
    assert (data["schema_version"], data["tool"], data["mode"]) == (1, "dedupe-articles", "check")
    assert list(data["config"]) == Config.field_names()
    assert [f["path"] for f in data["files"]] == ["a.txt", "b.txt", "bad.txt", "sub/c.txt"]
    a, b, bad, _ = data["files"]
    assert list(a) == list(report.FILE_KEYS)
    assert {k: a[k] for k in report.FILE_KEYS if k != "actions"} == {
        "path": "a.txt",
        "status": "changed",
        "changed": True,
        "bytes_in": len(P),
        "bytes_out": len(E),
        "output": None,
        "error": None,
    }
    assert [list(x) for x in a["actions"]] == [list(report.ACTION_KEYS)] * 2
    assert [(x["kind"], x["start_line"], x["end_line"]) for x in a["actions"]] == [
        ("marker", 6, 6),
        ("duplicate", 7, 7),
    ]
    assert (b["status"], b["actions"]) == ("unchanged", [])
    assert (bad["status"], bad["bytes_out"]) == ("failed", None)
    assert bad["error"].startswith("invalid utf-8 at byte offset 3")
    assert data["totals"] == {
        "files": 4,
        "changed": 2,
        "unchanged": 1,
        "skipped": 0,
        "failed": 1,
        "bytes_in": 2 * len(P) + len(C) + 5,
        "bytes_out": 2 * len(E) + len(C),
        "bytes_removed": 2 * (len(P) - len(E)),
        "actions": {k.value: (2 if k.value in ("marker", "duplicate") else 0) for k in ActionKind},
    }


def test_json_report_keys_and_bytes_are_pinned(corpus: Path) -> None:
    """Key order and layout are part of the schema: a change here needs a version bump."""
    (corpus / "bad.txt").write_bytes(b"caf\xe9\n")
    assert main(["--check", ".", "--report", "r.json"]) == 123
    text = (corpus / "r.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data) == ["schema_version", "tool", "version", "mode", "config", "files", "totals"]
    assert all(list(f) == list(report.FILE_KEYS) for f in data["files"])
    assert list(data["totals"]) == [
        "files",
        "changed",
        "unchanged",
        "skipped",
        "failed",
        "bytes_in",
        "bytes_out",
        "bytes_removed",
        "actions",
    ]
    assert list(data["totals"]["actions"]) == [kind.value for kind in ActionKind]
    kinds = ",\n".join(
        f'      "{k.value}": {2 if k.value in ("marker", "duplicate") else 0}' for k in ActionKind
    )
    assert text.endswith(
        '  "totals": {\n    "files": 4,\n    "changed": 2,\n    "unchanged": 1,\n'
        '    "skipped": 0,\n    "failed": 1,\n'
        f'    "bytes_in": {2 * len(P) + len(C) + 5},\n    "bytes_out": {2 * len(E) + len(C)},\n'
        f'    "bytes_removed": {2 * (len(P) - len(E))},\n'
        f'    "actions": {{\n{kinds}\n    }}\n  }}\n}}\n'
    )
    assert text == report.dumps(data)


def test_totals_of_outcomes_and_of_their_records_agree() -> None:
    action = Action(ActionKind.DUPLICATE, 0, 5, 1, 1, "x", 0, "x", 100.0)
    outcomes = [
        FileOutcome("a", "changed", 10, 4, actions=(action, action)),
        FileOutcome("b", "unchanged", 3, 3),
        FileOutcome("c", "skipped", 7, error="binary file"),
        FileOutcome("d", "failed", 2, error="bad"),
    ]
    totals = report.Totals.of_outcomes(outcomes)
    assert totals == report.Totals.of_records([report.file_entry(o) for o in outcomes])
    assert (totals.files, totals.bytes_in, totals.bytes_out, totals.bytes_removed) == (4, 22, 7, 6)
    assert totals.actions == {k.value: 2 * (k is ActionKind.DUPLICATE) for k in ActionKind}
    both = totals + report.Totals.of_outcomes(outcomes[:1])
    assert both.to_dict() == {
        **totals.to_dict(),
        "files": 5,
        "changed": 2,
        "bytes_in": 32,
        "bytes_out": 11,
        "bytes_removed": 12,
        "actions": {k.value: 4 * (k is ActionKind.DUPLICATE) for k in ActionKind},
    }
    assert report.Totals().to_dict() == {
        **dict.fromkeys(list(both.to_dict())[:-1], 0),
        "actions": dict.fromkeys(totals.actions, 0),
    }


def test_report_to_stdout(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--in-place", "a.txt", "--report", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mode"] == "in-place"
    assert data["files"][0]["output"] == "a.txt"


def test_unwritable_report_is_a_failure(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "b.txt", "--report", "nodir/r.json"]) == 123
    assert "error: cannot write report nodir/r.json: No such file or directory\n" in (
        capsys.readouterr().err
    )


# --- bad input and safety ----------------------------------------------------------


def test_invalid_utf8_in_the_middle_of_a_batch(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (corpus / "b2.txt").write_bytes(b"Caf\xe9 au lait.\n")
    assert main(["--in-place", "."]) == 123
    assert tree(corpus) == {"a.txt": E, "b.txt": C, "b2.txt": b"Caf\xe9 au lait.\n", "sub/c.txt": E}
    err = capsys.readouterr().err
    assert (
        "error: cannot clean b2.txt: invalid utf-8 at byte offset 3 "
        "(byte 0xe9: invalid continuation byte); use --encoding to name another encoding\n"
    ) in err
    assert "failed: 1\n" in err
    assert main(["--check", "--encoding", "latin-1", "b2.txt"]) == 0


def test_binary_file_is_skipped(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (corpus / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\xff")
    assert main(["--in-place", "."]) == 0
    assert (corpus / "bin.txt").read_bytes() == b"\x89PNG\r\n\x1a\n\0\0\xff"
    err = capsys.readouterr().err
    assert "skipped bin.txt: binary file (NUL byte at offset 8)\n" in err
    assert "skipped: 1\n" in err


def test_empty_and_front_matter_only_files_pass_through(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    matter = b"---\ntitle: Only front matter\ntags: [a, b]\n---\n"
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "fm.txt").write_bytes(matter)
    assert main(["empty.txt", "fm.txt", "-o", "../out"]) == 0
    assert tree(corpus / "../out") == {"empty.txt": b"", "fm.txt": matter}
    assert main(["--check", "empty.txt", "fm.txt"]) == 0


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
@pytest.mark.parametrize("final", [True, False])
@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_newlines_final_newline_and_bom_are_kept(
    corpus: Path, newline: bytes, final: bool, bom: bytes
) -> None:
    def shape(data: bytes) -> bytes:
        data = data.replace(b"\n", newline)
        return bom + (data if final else data.removesuffix(newline))

    (corpus / "a.txt").write_bytes(shape(P))
    assert main(["--in-place", "a.txt"]) == 0
    assert (corpus / "a.txt").read_bytes() == shape(E)


def test_symlink_loop_is_an_error_and_the_batch_goes_on(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (corpus / "sub" / "loop").symlink_to("..")
    (corpus / "self.txt").symlink_to("self.txt")
    assert main(["--in-place", "."]) == 123
    assert tree(corpus)["a.txt"] == E
    err = capsys.readouterr().err
    assert "error: cannot clean sub/loop: symlink loop (a directory inside itself)\n" in err
    assert (
        "error: cannot clean self.txt: cannot read: symlink loop "
        "(too many levels of symbolic links)\n"
    ) in err
    assert "Traceback" not in err


def test_unreadable_file(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (corpus / "gone.txt").symlink_to("nowhere.txt")
    assert main(["--check", "."]) == 123
    err = capsys.readouterr().err
    assert "error: cannot clean gone.txt: cannot read: No such file or directory\n" in err


def test_read_only_file_is_not_rewritten(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (corpus / "a.txt").chmod(0o444)
    assert main(["--in-place", "."]) == 123
    assert tree(corpus) == {"a.txt": P, "b.txt": C, "sub/c.txt": E}
    assert "error: cannot clean a.txt: cannot write a.txt: file is read-only\n" in (
        capsys.readouterr().err
    )


def test_unusable_output_dir(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (corpus / "../plainfile").write_bytes(b"")
    assert main([".", "-o", "../plainfile"]) == 2
    assert capsys.readouterr().err == "error: cannot write to ../plainfile: not a directory\n"
    (corpus / "../out/a.txt").mkdir(parents=True)
    assert main([".", "-o", "../out"]) == 123
    assert tree(corpus / "../out") == {"b.txt": C, "sub/c.txt": E}
    assert "error: cannot clean a.txt: cannot write ../out/a.txt: Is a directory\n" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([".", "-o", "sub/out"], "error: cannot clean .: output directory sub/out is inside it\n"),
        (
            ["a.txt", "-o", "."],
            "error: cannot clean a.txt: the output ./a.txt is the input itself\n",
        ),
    ],
)
def test_unsafe_output_dir_exits_2_before_writing(
    corpus: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = tree(corpus)
    assert main(args) == 2
    assert capsys.readouterr().err == message
    assert tree(corpus) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_directory_in_place(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (corpus / "sub").chmod(0o555)
    try:
        assert main(["--in-place", "."]) == 123
    finally:
        (corpus / "sub").chmod(0o755)
    assert tree(corpus) == {"a.txt": E, "b.txt": C, "sub/c.txt": P}
    assert "error: cannot clean sub/c.txt: cannot write" in capsys.readouterr().err


# --- output levels, progress, options ---------------------------------------------


def test_quiet_prints_errors_only(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "--check", "."]) == 1
    assert capsys.readouterr() == ("", "")
    (corpus / "bad.txt").write_bytes(b"\xff")
    assert main(["-q", "--check", "."]) == 123
    assert capsys.readouterr().err.startswith("error: cannot clean bad.txt: invalid utf-8")


def test_verbose_prints_a_line_per_file(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-v", "--check", "."]) == 1
    assert capsys.readouterr().err.startswith(
        "would clean a.txt (2 actions, 52 bytes removed)\n"
        "unchanged b.txt\n"
        "would clean sub/c.txt (2 actions, 52 bytes removed)\n"
    )


def test_terminal_progress_and_summary_table(
    corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "stderr_is_terminal", lambda: True)
    monkeypatch.setattr(report, "stderr_is_terminal", lambda: True)
    assert main(["--in-place", ".", "-j", "1"]) == 0
    assert tree(corpus) == {"a.txt": E, "b.txt": C, "sub/c.txt": E}
    err = capsys.readouterr().err
    assert "files scanned" in err and "files scanned:" not in err


def test_glob_and_exclude(corpus: Path) -> None:
    (corpus / "sub" / "d.md").write_bytes(P)
    assert main(["--in-place", ".", "--glob", "*.md", "--exclude", "a.txt"]) == 0
    assert tree(corpus) == {"a.txt": P, "b.txt": C, "sub/c.txt": P, "sub/d.md": E}


def test_marker_flag_replaces_the_default_markers(corpus: Path) -> None:
    (corpus / "a.txt").write_bytes(P.replace(b"---END---", b"<<<CONTINUE>>>"))
    assert main(["--in-place", "a.txt", "--marker", "<<<CONTINUE>>>"]) == 0
    assert (corpus / "a.txt").read_bytes() == E


def test_only_flags_the_user_set_reach_config(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Config] = []

    def spy(text: str, config: Config | None = None) -> CleanResult:
        assert config is not None
        seen.append(config)
        return CleanResult(text=text)

    monkeypatch.setattr(batch, "clean", spy)
    assert main(["--check", "b.txt", "-j", "1"]) == 0
    flags = ["--no-stitch", "--marker", "A", "--marker", "B", "--min-overlap-chars", "7"]
    assert main(["--check", "b.txt", *flags]) == 0
    assert seen == [
        Config(),
        Config().with_changes(stitch=False, markers=("A", "B"), min_overlap_chars=7),
    ]


# --- real processes ----------------------------------------------------------------


@pytest.mark.slow
def test_python_dash_m(corpus: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "dedupe_articles", "--check", "a.txt"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr.startswith("would clean a.txt (2 actions, 52 bytes removed)\n")
