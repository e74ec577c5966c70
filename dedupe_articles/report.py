"""What the user is told about the outcomes: JSON report, ``--explain``, lines, summary.

The JSON report (``--report FILE.json``) has a stable schema; a change that removes
or renames a key, or changes a value's meaning, bumps ``schema_version``. Adding a
key does not. It holds no timestamps or durations, so two runs over the same input
(with any ``--jobs``) give the same bytes. Schema version 1::

    {
      "schema_version": 1,
      "tool": "dedupe-articles",
      "version": "0.1.0",
      "mode": "check",              # output-dir | in-place | check | diff | check-diff | stdout
      "config": {...},              # every Config field; tuples as lists
      "files": [                    # sorted by path
        {
          "path": "corpus/a.txt",   # as named on the command line; "<stdin>" for -
          "status": "changed",      # changed | unchanged | skipped | failed
          "changed": true,          # output bytes differ from input bytes
          "bytes_in": 1234,
          "bytes_out": 1000,        # null when skipped or failed
          "output": "out/a.txt",    # file written, or null (check, diff, unchanged in place)
          "error": null,            # why skipped or failed, else null
          "actions": [
            {"kind": "duplicate", "start": 10, "end": 50, "start_line": 3,
             "end_line": 4, "excerpt": "...", "matched_block": 1,
             "matched_excerpt": "...", "score": 100.0, "detail": "..."}
          ]
        }
      ],
      "totals": {
        "files": 1, "changed": 1, "unchanged": 0, "skipped": 0, "failed": 0,
        "bytes_in": 1234, "bytes_out": 1000, "bytes_removed": 234,
        "actions": {"marker": 0, "duplicate": 1, ...}   # every kind, in vocabulary order
      }
    }

``kind`` is one of :class:`dedupe_articles.ActionKind`'s values; offsets are in
characters of the decoded text (BOM excluded), lines are 1-based.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any, TextIO

from dedupe_articles.atomic import atomic_write
from dedupe_articles.config import Config
from dedupe_articles.files import FileOutcome, os_reason
from dedupe_articles.result import Action, ActionKind

SCHEMA_VERSION = 1
# The command's exit codes (the Dask engine's too). Here rather than in the CLI
# because this module imports neither click nor rich at import time.
EXIT_OK, EXIT_CHANGES, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 123, 130
FILE_KEYS = ("path", "status", "changed", "bytes_in", "bytes_out", "output", "error", "actions")
ACTION_KEYS = (
    "kind",
    "start",
    "end",
    "start_line",
    "end_line",
    "excerpt",
    "matched_block",
    "matched_excerpt",
    "score",
    "detail",
)


def action_entry(action: Action) -> dict[str, Any]:
    # Keys are picked explicitly so that a new field on Action cannot change the
    # schema behind the schema version's back.
    data = action.to_dict()
    return {key: data[key] for key in ACTION_KEYS}


def file_entry(outcome: FileOutcome) -> dict[str, Any]:
    return {
        "path": outcome.path,
        "status": outcome.status,
        "changed": outcome.changed,
        "bytes_in": outcome.bytes_in,
        "bytes_out": outcome.bytes_out,
        "output": outcome.output,
        "error": outcome.error,
        "actions": [action_entry(a) for a in outcome.actions],
    }


def _no_actions() -> dict[str, int]:
    return {kind.value: 0 for kind in ActionKind}


@dataclass(frozen=True)
class Totals:
    """Counts over files: the report's ``totals`` object, for both engines.

    ``bytes_out`` and ``bytes_removed`` count the files that produced output;
    ``actions`` has every kind, in vocabulary order.
    """

    files: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    bytes_removed: int = 0
    actions: dict[str, int] = field(default_factory=_no_actions)

    @classmethod
    def count(cls, files: Iterable[tuple[str, int, int | None, Iterable[str]]]) -> Totals:
        """Counts over ``(status, bytes_in, bytes_out, action kinds)``, one tuple a file."""
        counts = {f.name: 0 for f in fields(Totals) if f.name != "actions"}
        actions = _no_actions()
        for status, bytes_in, bytes_out, kinds in files:
            counts["files"] += 1
            counts[status] += 1
            counts["bytes_in"] += bytes_in
            if bytes_out is not None:
                counts["bytes_out"] += bytes_out
                counts["bytes_removed"] += bytes_in - bytes_out
            for kind in kinds:
                actions[kind] = actions.get(kind, 0) + 1
        return cls(**counts, actions=actions)

    @classmethod
    def of_outcomes(cls, outcomes: Iterable[FileOutcome]) -> Totals:
        """Counts over outcomes; ``bytes_removed`` counts files that produced output.

        >>> outcomes = [FileOutcome("a", "changed", 10, 4), FileOutcome("b", "failed", 3)]
        >>> t = Totals.of_outcomes(outcomes)
        >>> t.files, t.failed, t.bytes_out, t.bytes_removed
        (2, 1, 4, 6)
        """
        return cls.count(
            (o.status, o.bytes_in, o.bytes_out, (a.kind.value for a in o.actions)) for o in outcomes
        )

    @classmethod
    def of_records(cls, records: Iterable[dict[str, Any]]) -> Totals:
        """Counts over report records (``files[]`` entries, the Dask engine's parts)."""
        return cls.count(
            (r["status"], r["bytes_in"], r["bytes_out"], (a["kind"] for a in r["actions"]))
            for r in records
        )

    def __add__(self, other: Totals) -> Totals:
        actions = dict(self.actions)
        for kind, count in other.actions.items():
            actions[kind] = actions.get(kind, 0) + count
        counts = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(Totals)
            if f.name != "actions"
        }
        return Totals(**counts, actions=actions)

    def to_dict(self) -> dict[str, Any]:
        """The report's ``totals`` object (also for a subclass: only these fields)."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(Totals)}
        out["actions"] = dict(self.actions)
        return out


def build_report(outcomes: Sequence[FileOutcome], mode: str, config: Config) -> dict[str, Any]:
    from dedupe_articles import __version__

    config_data = config.to_dict()
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "dedupe-articles",
        "version": __version__,
        "mode": mode,
        "config": config_data,
        "files": [file_entry(o) for o in outcomes],
        "totals": Totals.of_outcomes(outcomes).to_dict(),
    }


def dumps(report: dict[str, Any]) -> str:
    """Indented, UTF-8-friendly JSON with a final newline."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def write_report(path: str, report: dict[str, Any]) -> bool:
    """Write the JSON report to ``path`` (``-``: stdout); say why and return False if it fails."""
    text = dumps(report)
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    return write_file(path, text, "report")


def write_file(path: str, text: str, what: str) -> bool:
    """Write ``text`` to ``path`` whole (temporary file, then rename); if that fails,
    say why on stderr in one line and return False."""
    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        err(f"error: cannot write {what} {path}: {os_reason(exc)}")
        return False
    return True


# --- text for people -------------------------------------------------------------


def kind_label(kind: ActionKind) -> str:
    """``near_duplicate`` -> ``near duplicate``."""
    return kind.value.replace("_", " ")


def format_explanation(outcome: FileOutcome) -> str:
    """``--explain`` text for one file: each action, where it was, what it matched.

    >>> a = Action(ActionKind.NEAR_DUPLICATE, 0, 9, 3, 4, "Hello wrld", 0, "Hello world", 91.5)
    >>> print(format_explanation(FileOutcome("a.txt", "changed", actions=(a,))), end="")
    a.txt: 1 action
      lines 3-4: near duplicate (score 91.5)
        removed: Hello wrld
        matched: block 0: Hello world
    """
    count = len(outcome.actions)
    out = [f"{outcome.path}: {count} action{'s' if count != 1 else ''}"]
    for action in outcome.actions:
        where = (
            f"line {action.start_line}"
            if action.start_line == action.end_line
            else f"lines {action.start_line}-{action.end_line}"
        )
        out.append(f"  {where}: {kind_label(action.kind)} (score {action.score:.1f})")
        out.append(f"    removed: {action.excerpt}")
        if action.matched_block is not None or action.matched_excerpt:
            block = "" if action.matched_block is None else f"block {action.matched_block}: "
            out.append(f"    matched: {block}{action.matched_excerpt}")
        if action.detail:
            out.append(f"    why: {action.detail}")
    return "\n".join(out) + "\n"


def summary_rows(
    totals: Totals, elapsed: float, would: bool = False, extra: Sequence[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """(label, value) pairs of the end-of-run summary, for a table or plain lines; an
    engine's ``extra`` rows go before the time."""
    return [
        ("files scanned", str(totals.files)),
        ("would change" if would else "changed", str(totals.changed)),
        ("unchanged", str(totals.unchanged)),
        ("skipped", str(totals.skipped)),
        ("failed", str(totals.failed)),
        ("bytes removed", str(totals.bytes_removed)),
        *extra,
        ("time", f"{elapsed:.2f}s"),
    ]


def failure_line(path: str, reason: str | None) -> str:
    """What is said about a file that could not be cleaned."""
    return f"error: cannot clean {path}: {reason}"


# --- the console -----------------------------------------------------------------


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def stdout_is_terminal() -> bool:
    return _isatty(sys.stdout)


def stderr_is_terminal() -> bool:
    return _isatty(sys.stderr)


def err(message: str) -> None:
    import click

    click.echo(message, err=True)


_BOLD, _CYAN, _RED, _GREEN, _RESET = "\x1b[1m", "\x1b[36m", "\x1b[31m", "\x1b[32m", "\x1b[0m"


def colour_diff(diff: str) -> str:
    """ANSI colours for a terminal; line endings (CRLF too) stay outside the codes.

    Hunk sizes are followed so that a removed line that itself starts with ``--``
    (a ``---END---`` marker) is not taken for a file header.
    """
    out = []
    old = new = 0
    for line in diff.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if old or new:
            colour = {"-": _RED, "+": _GREEN}.get(line[:1], "")
            old -= line[:1] in " -"
            new -= line[:1] in " +"
        elif m := re.match(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@", line):
            colour = _CYAN
            old, new = int(m[1] or 1), int(m[2] or 1)
        else:
            colour = _BOLD if line.startswith(("---", "+++")) else ""
        out.append(f"{colour}{body}{_RESET}{line[len(body) :]}" if colour else line)
    return "".join(out)


class Printer:
    """Says what happened to each file, called in path order as outcomes complete.

    stderr: errors always; skipped and changed files unless quiet; unchanged files
    when verbose. stdout: ``--explain`` text and diffs, coloured on a terminal.
    """

    def __init__(
        self, *, quiet: bool, verbose: bool, explain: bool, would: bool, as_filter: bool = False
    ) -> None:
        self.quiet, self.verbose, self.explain, self.would = quiet, verbose, explain, would
        # As a filter (stdin to stdout) the article is the output: no chatter, and
        # explanations go to stderr.
        self.as_filter = as_filter
        self.colour = stdout_is_terminal()

    def __call__(self, outcome: FileOutcome) -> None:
        to = f" -> {outcome.output}" if outcome.output and outcome.output != outcome.path else ""
        if outcome.status == "failed":
            err(failure_line(outcome.path, outcome.error))
        elif outcome.status == "skipped":
            if not self.quiet:
                err(f"skipped {outcome.path}: {outcome.error}")
        elif outcome.changed and not self.quiet and (self.verbose or not self.as_filter):
            verb = "would clean" if self.would else "cleaned"
            removed = outcome.bytes_in - (outcome.bytes_out or 0)
            count = f"{len(outcome.actions)} action{'' if len(outcome.actions) == 1 else 's'}"
            err(f"{verb} {outcome.path}{to} ({count}, {removed} bytes removed)")
        elif outcome.status == "unchanged" and self.verbose:
            err(f"unchanged {outcome.path}{to}")
        if self.explain and outcome.actions:
            import click

            click.echo(format_explanation(outcome), nl=False, err=self.as_filter)
        if outcome.diff:
            sys.stdout.write(colour_diff(outcome.diff) if self.colour else outcome.diff)
            sys.stdout.flush()


def print_summary(rows: Sequence[tuple[str, str]], *, as_table: bool | None = None) -> None:
    """The end-of-run summary on stderr: a table (by default, on a terminal) or
    ``label: value`` lines."""
    if not (stderr_is_terminal() if as_table is None else as_table):
        for label, value in rows:
            err(f"{label}: {value}")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in rows:
        table.add_row(label, value)
    Console(stderr=True).print(table)


@contextmanager
def progress_bar(total: int, show: bool) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr; yields the function that advances it by one file."""
    if not show:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    # stdout may carry diffs: only stderr is redirected through the live display.
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        redirect_stdout=False,
        transient=True,
    ) as progress:
        task = progress.add_task("cleaning", total=total)
        yield lambda: progress.advance(task)
