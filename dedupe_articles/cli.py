"""The ``dedupe-articles`` command: a thin click shell over :mod:`dedupe_articles.files`.

:func:`main` returns the exit code and never raises for a user error. Heavy modules
(rich, concurrent.futures) are imported only when a run needs them, so cleaning one
small file starts fast.
"""

from __future__ import annotations

import codecs
import inspect
import os
import re
import sys
import time
import typing
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import click

from dedupe_articles import __version__, clean
from dedupe_articles.batch import available_cpus, process_pool, run_batch, sigterm_as_interrupt
from dedupe_articles.config import Config, MarkerError
from dedupe_articles.files import (
    DEFAULT_GLOBS,
    STDIN_NAME,
    FatalError,
    FileOutcome,
    Settings,
    Target,
    WriteMode,
    clean_bytes,
    discover,
    plan_outputs,
)
from dedupe_articles.report import (
    EXIT_CHANGES,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Printer,
    Totals,
    build_report,
    err,
    failure_line,
    print_summary,
    progress_bar,
    stderr_is_terminal,
    summary_rows,
    write_file,
    write_report,
)

EPILOG = """\b
Modes (one is required, except for '-'):
  -o DIR         write every file's clean text under DIR, mirroring the input tree
  --in-place     rewrite the files that change, leave the others untouched
  --check        write nothing; exit 1 if any file would change
  --diff         print a unified diff; exit 1 if any file would change

\b
Exit codes:
  0    nothing to change, or all writes done
  1    changes found under --check or --diff
  2    usage error (bad flag, no mode, missing path, unsafe output directory)
  123  at least one file failed; the others were processed
  130  interrupted; every file is either as it was or fully written
"""


# --- Config fields as flags -------------------------------------------------------


def _field_help() -> dict[str, str]:
    """Each Config field's description, taken from the Attributes section of its docstring."""
    helps: dict[str, str] = {}
    current = None
    in_section = False
    for line in (inspect.getdoc(Config) or "").splitlines():
        if line.strip() == "Attributes:":
            in_section = True
        elif in_section and line and not line.startswith(" "):
            break
        elif in_section and (m := re.match(r"    (\w+): (.*)", line)):
            current, helps[m[1]] = m[1], m[2]
        elif in_section and current and line.strip():
            helps[current] += " " + line.strip()
    for name, text in helps.items():
        text = re.sub(r"\s*Default: .*", "", text)
        text = re.sub(r":\w+:`([^`]*)`", r"\1", text)
        helps[name] = re.sub(r"``([^`]*)``", r"\1", text)
    return helps


def config_options() -> list[click.Option]:
    """One option per Config field: ``--min-overlap-chars``, ``--marker`` (repeatable),
    ``--stitch/--no-stitch``. Every default is ``None`` so that only what the user set
    is passed on and the real defaults stay in Config."""
    hints = typing.get_type_hints(Config)
    helps = _field_help()
    options = []
    for field in fields(Config):
        flag = field.name.replace("_", "-")
        hint, default = hints[field.name], field.default
        doc = helps.get(field.name, "")
        if hint is bool:
            options.append(
                click.Option(
                    [f"--{flag}/--no-{flag}", field.name],
                    default=None,
                    help=doc,
                    show_default=f"--{flag}" if default else f"--no-{flag}",
                )
            )
        elif typing.get_origin(hint) is tuple and typing.get_args(hint) == (str, ...):
            assert isinstance(default, tuple)
            options.append(
                click.Option(
                    [f"--{flag.removesuffix('s')}", field.name],
                    multiple=True,
                    metavar="PATTERN",
                    help=f"{doc} Repeatable; replaces the default list.",
                    show_default=" ".join(default),
                )
            )
        elif hint in (int, float, str):
            options.append(
                click.Option(
                    [f"--{flag}", field.name],
                    type=hint,
                    default=None,
                    help=doc,
                    show_default=str(default),
                )
            )
        else:  # a new kind of field must get a flag before it can ship
            raise TypeError(f"no command-line flag for Config.{field.name}: {hint}")
    return options


def _config_from(values: dict[str, Any]) -> Config:
    given = {
        name: values[name]
        for name in Config.field_names()
        if values.get(name) is not None and values.get(name) != ()
    }
    try:
        return Config().with_changes(**given)
    except MarkerError as exc:  # Config checks every pattern, once, before any file
        raise click.BadParameter(
            f"{exc.pattern!r}: {exc.reason}", param_hint="'--marker'"
        ) from None
    except ValueError as exc:
        raise click.UsageError(f"invalid cleaning option: {exc}") from None


_WRITES: dict[str, WriteMode] = {
    "output-dir": "output-dir",
    "in-place": "in-place",
    "stdout": "stdout",
}


def _mode(output_dir: str | None, in_place: bool, check: bool, diff: bool) -> str:
    if output_dir is not None:
        return "output-dir"
    if in_place:
        return "in-place"
    return {(True, True): "check-diff", (True, False): "check", (False, True): "diff"}.get(
        (check, diff), "stdout"
    )


def _validate(paths: Sequence[str], opts: dict[str, Any]) -> None:
    modes = [
        name
        for name, on in (
            ("--output-dir", opts["output_dir"] is not None),
            ("--in-place", opts["in_place"]),
            ("--check/--diff", opts["check"] or opts["diff"]),
        )
        if on
    ]
    if len(modes) > 1:
        raise click.UsageError(f"choose one mode: {' and '.join(modes)} cannot be combined")
    if not paths:
        raise click.UsageError("no PATH given: name files, directories, or '-' for stdin")
    stdin = "-" in paths
    if stdin and len(paths) > 1:
        raise click.UsageError("'-' (stdin) cannot be mixed with other paths")
    if stdin and (opts["output_dir"] is not None or opts["in_place"]):
        raise click.UsageError("stdin is cleaned to stdout: drop --output-dir/--in-place")
    if not stdin and not modes:
        raise click.UsageError(
            "choose a mode: -o/--output-dir DIR, --in-place, --check or --diff "
            "(nothing is written by default)"
        )
    if opts["quiet"] and opts["verbose"]:
        raise click.UsageError("-q and -v cannot be combined")
    stdout_busy = opts["diff"] or opts["explain"] or (stdin and not opts["check"])
    if opts["report"] == "-" and stdout_busy:
        raise click.UsageError("--report - needs stdout alone: not with --diff, --explain or '-'")
    try:
        codecs.lookup(opts["encoding"])
    except LookupError:
        message = f"unknown encoding {opts['encoding']!r}"
        raise click.BadParameter(message, param_hint="'--encoding'") from None


def _run(paths: Sequence[str], opts: dict[str, Any]) -> int:
    _validate(paths, opts)
    if opts["engine"] == "dask":
        return _run_dask(paths, opts)
    dask_only = [
        flag
        for flag, value in (
            ("--scheduler", opts["scheduler"]),
            ("--files-from", opts["files_from"]),
            ("--partition-size", opts["partition_size"]),
        )
        if value is not None
    ]
    if dask_only:
        raise click.UsageError(f"{', '.join(dask_only)}: only with --engine dask")
    config = _config_from(opts)
    mode = _mode(opts["output_dir"], opts["in_place"], opts["check"], opts["diff"])
    settings = Settings(
        config,
        opts["encoding"],
        _WRITES.get(mode, "none"),
        diff=opts["diff"],
        keep_text=opts["html"] is not None,
    )
    would = mode in ("check", "diff", "check-diff")
    stdin = list(paths) == ["-"]
    printer = Printer(
        quiet=opts["quiet"],
        verbose=opts["verbose"],
        explain=opts["explain"],
        would=would,
        as_filter=stdin and not would,
    )
    started = time.perf_counter()
    if stdin:
        outcomes = [_run_stdin(settings, printer)]
    else:
        items = discover(paths, opts["globs"], opts["excludes"])
        if opts["output_dir"] is not None:
            items = plan_outputs(paths, items, opts["output_dir"])
            try:
                os.makedirs(opts["output_dir"], exist_ok=True)
            except OSError as exc:
                reason = "not a directory" if isinstance(exc, FileExistsError) else exc.strerror
                raise FatalError(f"cannot write to {opts['output_dir']}: {reason}") from None
        targets = sum(isinstance(item, Target) for item in items)
        workers = min(opts["jobs"] or available_cpus(), targets)
        show = stderr_is_terminal() and not opts["quiet"] and len(items) > 1
        with process_pool(workers) as pool, progress_bar(len(items), show) as advance:
            outcomes = run_batch(items, settings, pool, printer, advance)
    failed = any(o.status == "failed" for o in outcomes)
    if opts["report"] is not None:
        failed |= not write_report(opts["report"], build_report(outcomes, mode, config))
    if opts["html"] is not None:
        failed |= not _write_html(opts["html"], outcomes)
    if not opts["quiet"] and (not stdin or opts["verbose"]):
        elapsed = time.perf_counter() - started
        print_summary(summary_rows(Totals.of_outcomes(outcomes), elapsed, would))
    if failed:
        return EXIT_FAILED
    return EXIT_CHANGES if would and any(o.changed for o in outcomes) else EXIT_OK


def _write_html(path: str, outcomes: Sequence[FileOutcome]) -> bool:
    """Write the review page for the batch; say why and return False if it fails."""
    from dedupe_articles.review import ReviewItem, render_html

    items = [
        ReviewItem(o.path, o.text or "", o.result, o.error if o.status == "failed" else None)
        for o in outcomes
        if o.status != "skipped"
    ]
    return write_file(path, render_html(items), "review page")


def _run_dask(paths: Sequence[str], opts: dict[str, Any]) -> int:
    """``--engine dask``: SRC -o DST on a Dask cluster (see dedupe_articles.distributed)."""
    from dedupe_articles.distributed import DaskEngineError, run_dask

    if len(paths) != 1 or paths[0] == "-" or opts["output_dir"] is None:
        raise click.UsageError("--engine dask takes one SRC (a path or URL) and -o DST")
    others = [
        flag
        for flag, on in (
            ("--in-place", opts["in_place"]),
            ("--check", opts["check"]),
            ("--diff", opts["diff"]),
            ("--explain", opts["explain"]),
            ("--report", opts["report"] is not None),
            ("--html", opts["html"] is not None),
        )
        if on
    ]
    if others:
        raise click.UsageError(
            f"--engine dask writes DST and its report DST/_report/ only: drop {', '.join(others)}"
        )
    try:
        summary = run_dask(
            paths[0],
            opts["output_dir"],
            config=_config_from(opts),
            scheduler=opts["scheduler"],
            files_from=opts["files_from"],
            partition_size=opts["partition_size"] or 100,
            patterns=opts["globs"] or DEFAULT_GLOBS,
            excludes=opts["excludes"],
            encoding=opts["encoding"],
            n_workers=opts["jobs"],
        )
    except DaskEngineError as exc:  # extra missing, scheduler unreachable, access refused
        raise FatalError(str(exc)) from None
    for path, reason in summary.failures:
        err(failure_line(path, reason))
    if not opts["quiet"]:
        print_summary(summary.rows(), as_table=False)
    return summary.exit_code


def _run_stdin(settings: Settings, printer: Printer) -> FileOutcome:
    raw = sys.stdin.buffer.read()
    outcome, new = clean_bytes(raw, STDIN_NAME, settings, clean)
    if settings.write == "stdout":
        # A skipped (binary) input passes through; a failed one writes nothing.
        data = new if new is not None else (raw if outcome.status == "skipped" else b"")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    printer(outcome)
    return outcome


def _command() -> click.Command:
    params: list[click.Parameter] = [
        click.Argument(["paths"], nargs=-1, metavar="[PATH]..."),
        click.Option(["-o", "--output-dir"], metavar="DIR", help="Write clean copies under DIR."),
        click.Option(["--in-place"], is_flag=True, help="Rewrite the files that change."),
        click.Option(["--check"], is_flag=True, help="Exit 1 if any file would change."),
        click.Option(["--diff"], is_flag=True, help="Print a unified diff of the changes."),
        click.Option(["--explain"], is_flag=True, help="Say what was removed and why, per file."),
        click.Option(["--report"], metavar="FILE.json", help="Write a JSON report ('-': stdout)."),
        click.Option(
            ["--html"],
            metavar="REPORT.html",
            help="Write a self-contained review page of what was removed, file by file.",
        ),
        click.Option(
            ["--glob", "globs"],
            multiple=True,
            metavar="PATTERN",
            help="Files to take in directories (repeatable).",
            show_default="*.txt",
        ),
        click.Option(
            ["--exclude", "excludes"],
            multiple=True,
            metavar="PATTERN",
            help="Files and directories to leave out while walking (repeatable).",
        ),
        click.Option(
            ["--encoding"],
            default="utf-8",
            metavar="NAME",
            show_default=True,
            help="Encoding of the files (a UTF-8 BOM is kept either way).",
        ),
        click.Option(
            ["-j", "--jobs"],
            type=click.IntRange(min=1),
            metavar="N",
            help="Worker processes.",
            show_default="number of CPUs",
        ),
        click.Option(
            ["--engine"],
            type=click.Choice(["local", "dask"]),
            default="local",
            show_default=True,
            help="Where to clean: this machine's processes, or a Dask cluster (SRC -o DST, "
            "paths or fsspec URLs such as s3://; needs dedupe-articles[dask]).",
        ),
        click.Option(
            ["--scheduler"],
            metavar="ADDRESS",
            help="Dask scheduler to use (tcp://HOST:8786 or a scheduler file); "
            "default: start a local cluster of -j processes.",
        ),
        click.Option(
            ["--files-from"],
            metavar="LIST",
            help="Clean the files named in LIST (one a line, relative to SRC; a path, URL "
            "or '-') instead of listing SRC. Dask engine only.",
        ),
        click.Option(
            ["--partition-size"],
            type=click.IntRange(min=1),
            metavar="N",
            help="Files per Dask task.",
            show_default="100",
        ),
        click.Option(["-q", "--quiet"], is_flag=True, help="Print errors only."),
        click.Option(["-v", "--verbose"], is_flag=True, help="Print a line per file."),
        *config_options(),
    ]
    names = [n for p in params for n in p.opts + p.secondary_opts]
    assert len(names) == len(set(names)), "a Config field clashes with a CLI flag"
    command = click.Command(
        "dedupe-articles",
        params=params,
        callback=lambda paths, **opts: _run(paths, opts),
        help="Clean polluted articles: remove repeated continuation attempts and markers.\n\n"
        "PATH may be files, directories (walked for *.txt) or '-' for stdin to stdout.",
        epilog=EPILOG,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )
    return click.version_option(__version__, "--version", prog_name="dedupe-articles")(command)


cli = _command()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command and return its exit code."""
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        with sigterm_as_interrupt():
            code = cli.main(args, prog_name="dedupe-articles", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except FatalError as exc:
        err(f"error: {exc}")
        return EXIT_USAGE
    except (click.Abort, KeyboardInterrupt):
        err("error: interrupted; no file was left half-written")
        return EXIT_INTERRUPTED
    except SystemExit as exc:  # click's own exit when stdout is a closed pipe (``| head``)
        return exc.code if isinstance(exc.code, int) else EXIT_FAILED
    return code if isinstance(code, int) else EXIT_OK
