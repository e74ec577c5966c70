"""The file layer: find the articles, decode them, clean them, write them back safely.

Everything between the bytes on disk and :func:`dedupe_articles.clean` lives here and
nothing else does: the cleaner itself is passed in, so this module never decides
what is a duplicate. :func:`process_file` is what a worker process runs; it never
raises for a bad file, it returns a :class:`FileOutcome` with ``status="failed"``.

>>> outcome, data = clean_bytes(b"\\xef\\xbb\\xbfHi.\\r\\n", "a.txt", Settings(), _identity)
>>> outcome.status, data
('unchanged', b'\\xef\\xbb\\xbfHi.\\r\\n')
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import fnmatch
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from dedupe_articles.atomic import atomic_write
from dedupe_articles.config import Config
from dedupe_articles.result import Action, CleanResult

Cleaner = Callable[[str, Config], CleanResult]
Status = Literal["changed", "unchanged", "skipped", "failed"]
WriteMode = Literal["none", "in-place", "output-dir", "stdout"]

DEFAULT_GLOBS: tuple[str, ...] = ("*.txt",)
# Version-control internals are never articles, and walking them is slow.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn"})
STDIN_NAME = "<stdin>"

# Codec -> (BOM, codec that decodes the text after that BOM). Python's own "utf-16"
# and "utf-8-sig" codecs would re-encode with a BOM whether or not the input had one.
_BOMS: dict[str, tuple[tuple[bytes, str], ...]] = {
    "utf-8": ((codecs.BOM_UTF8, "utf-8"),),
    "utf-16": ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")),
    "utf-32": ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be")),
}
_NATIVE = "le" if codecs.BOM_UTF16 == codecs.BOM_UTF16_LE else "be"


class FatalError(Exception):
    """A problem with the arguments that stops the run before anything is written."""


@dataclass(frozen=True)
class Settings:
    """What to do with each file; picklable so it can be sent to worker processes.

    Attributes:
        config: Passed unchanged to the cleaner.
        encoding: Codec of the input files (and of the output).
        write: ``"none"`` (check/diff), ``"in-place"``, ``"output-dir"`` (to
            :attr:`Target.dest`) or ``"stdout"`` (the caller writes the bytes).
        diff: Put a unified diff of changed files in :attr:`FileOutcome.diff`.
        keep_text: Keep the decoded input and the full :class:`CleanResult` in the
            outcome, for reports that show the article (an HTML review page).
    """

    config: Config = field(default_factory=Config)
    encoding: str = "utf-8"
    write: WriteMode = "none"
    diff: bool = False
    keep_text: bool = False


@dataclass(frozen=True)
class Target:
    """One file to clean: ``path`` as shown to the user, ``dest`` for ``--output-dir``."""

    path: str
    rel: str
    dest: str | None = None


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file.

    ``changed`` means the cleaned bytes differ from the input bytes (whether or not
    they were written). ``error`` says why a file was skipped or failed.
    ``bytes_out`` is ``None`` when no output was produced.
    """

    path: str
    status: Status
    bytes_in: int = 0
    bytes_out: int | None = None
    actions: tuple[Action, ...] = ()
    output: str | None = None
    error: str | None = None
    diff: str | None = None
    text: str | None = None
    result: CleanResult | None = None

    @property
    def changed(self) -> bool:
        return self.status == "changed"


def _identity(text: str, config: Config) -> CleanResult:
    return CleanResult(text=text)


def failure(path: str, reason: str) -> FileOutcome:
    return FileOutcome(path=path, status="failed", error=reason)


def os_reason(exc: OSError) -> str:
    """``[Errno 13] Permission denied: 'x'`` -> ``Permission denied`` (the path is shown once)."""
    if exc.errno == errno.ELOOP:
        return "symlink loop (too many levels of symbolic links)"
    return exc.strerror or str(exc)


# --- discovery -------------------------------------------------------------------


def matches(name: str, rel: str, patterns: Sequence[str]) -> bool:
    # A pattern with a slash is matched against the path below the argument, others
    # against the name alone, as .gitignore does.
    return any(fnmatch.fnmatchcase(rel if "/" in p else name, p) for p in patterns)


def _shown(root: str, rel: str) -> str:
    return rel if root in (".", "./") else os.path.join(root, rel)


def _walk(
    root: str, globs: Sequence[str], excludes: Sequence[str]
) -> Iterator[Target | FileOutcome]:
    top = os.stat(root)
    # Ancestors are tracked per branch rather than globally: two links to the same
    # directory are legitimate (and mirrored twice), only a directory inside itself loops.
    stack: list[tuple[str, str, frozenset[tuple[int, int]]]] = [
        (root, "", frozenset({(top.st_dev, top.st_ino)}))
    ]
    while stack:
        dirpath, rel, ancestors = stack.pop()
        try:
            with os.scandir(dirpath) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield failure(_shown(root, rel) if rel else root, f"cannot list: {os_reason(exc)}")
            continue
        subdirs = []
        for entry in entries:
            entry_rel = f"{rel}/{entry.name}" if rel else entry.name
            if matches(entry.name, entry_rel, excludes):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False  # a looping or unreadable link; reading it reports why
            if not is_dir:
                if matches(entry.name, entry_rel, globs):
                    yield Target(path=_shown(root, entry_rel), rel=entry_rel)
                continue
            if entry.name in SKIPPED_DIRS:
                continue
            try:
                st = os.stat(entry.path)
            except OSError as exc:
                yield failure(_shown(root, entry_rel), os_reason(exc))
                continue
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                yield failure(_shown(root, entry_rel), "symlink loop (a directory inside itself)")
                continue
            subdirs.append((entry.path, entry_rel, ancestors | {key}))
        stack.extend(reversed(subdirs))


def discover(
    paths: Sequence[str],
    globs: Sequence[str] = DEFAULT_GLOBS,
    excludes: Sequence[str] = (),
) -> list[Target | FileOutcome]:
    """The files named or found below ``paths``, sorted by path, without duplicates.

    Files named explicitly are always taken; ``globs`` and ``excludes`` only filter
    what is found while walking directories (as black does). Problems found while
    walking (symlink loops, unreadable directories) come back as failed outcomes.
    A path that does not exist raises :class:`FatalError`.
    """
    found: dict[str, Target | FileOutcome] = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ENOENT and not os.path.lexists(path):
                raise FatalError(f"cannot clean {path}: no such file or directory") from None
            found.setdefault(os.path.normpath(path), failure(path, os_reason(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            for item in _walk(path, globs or DEFAULT_GLOBS, excludes):
                found.setdefault(os.path.normpath(item.path), item)
        else:
            target = Target(path=path, rel=os.path.basename(path))
            found.setdefault(os.path.normpath(path), target)
    return [found[key] for key in sorted(found)]


def _inside(child: str, parent: str) -> bool:
    return child == parent or os.path.commonpath([child, parent]) == parent


def plan_outputs(
    paths: Sequence[str], items: Sequence[Target | FileOutcome], output_dir: str
) -> list[Target | FileOutcome]:
    """Give every target its place under ``output_dir``, mirroring the input tree.

    Refuses (:class:`FatalError`) an output directory inside an input directory (a
    second run would clean the output again), an output that is an input file, and
    two inputs that would be written to the same place.
    """
    real_out = os.path.realpath(output_dir)
    for path in paths:
        if os.path.isdir(path) and _inside(real_out, os.path.realpath(path)):
            raise FatalError(f"cannot clean {path}: output directory {output_dir} is inside it")
    planned: list[Target | FileOutcome] = []
    sources: dict[str, str] = {}
    for item in items:
        if isinstance(item, Target):
            dest = os.path.join(output_dir, *item.rel.split("/"))
            if os.path.realpath(dest) == os.path.realpath(item.path):
                raise FatalError(f"cannot clean {item.path}: the output {dest} is the input itself")
            if dest in sources:
                raise FatalError(
                    f"cannot clean {item.path}: {sources[dest]} is also written to {dest}"
                )
            sources[dest] = item.path
            item = replace(item, dest=dest)
        planned.append(item)
    return planned


# --- decoding and cleaning -------------------------------------------------------


def _split_bom(raw: bytes, encoding: str) -> tuple[bytes, str]:
    """The BOM to put back on output, and the codec for the bytes after it."""
    name = codecs.lookup(encoding).name.replace("-sig", "")
    for bom, body_codec in _BOMS.get(name, ()):
        if raw.startswith(bom):
            return bom, body_codec
    if name in ("utf-16", "utf-32"):
        return b"", f"{name}-{_NATIVE}"
    return b"", name


def decode(raw: bytes, encoding: str = "utf-8") -> tuple[bytes, str, str]:
    """Split ``raw`` into (BOM, codec of the body, text).

    Raises ``ValueError`` with a one-line reason for binary data (a NUL) and for bytes
    that are not valid in ``encoding``; the offset counts from the start of the file.

    >>> decode(b"ok\\xffno")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: invalid utf-8 at byte offset 2 (byte 0xff: invalid start byte); use --encoding ...
    """
    bom, body_codec = _split_bom(raw, encoding)
    wide = body_codec.startswith(("utf-16", "utf-32"))
    # In wide encodings every ASCII character contains a NUL byte, so look for a NUL
    # character after decoding instead.
    nul = -1 if wide else raw.find(b"\0")
    if nul >= 0:
        raise ValueError(f"binary file (NUL byte at offset {nul})")
    try:
        text = raw[len(bom) :].decode(body_codec)
    except UnicodeDecodeError as exc:
        offset = len(bom) + exc.start
        bad = raw[offset : offset + 1].hex()
        raise ValueError(
            f"invalid {encoding} at byte offset {offset} (byte 0x{bad}: {exc.reason}); "
            "use --encoding to name another encoding"
        ) from None
    if wide and "\0" in text:
        raise ValueError("binary file (NUL character in text)")
    return bom, body_codec, text


def unified_diff(before: str, after: str, path: str) -> str:
    """A ``patch``-compatible diff; only ``\\n`` ends a line, so CRLF and U+2028 survive."""
    import difflib

    def lines(text: str) -> list[str]:
        parts = text.split("\n")
        return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])

    out: list[str] = []
    for line in difflib.unified_diff(
        lines(before), lines(after), f"{path}\t(original)", f"{path}\t(cleaned)"
    ):
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def clean_bytes(
    raw: bytes, path: str, settings: Settings, cleaner: Cleaner
) -> tuple[FileOutcome, bytes | None]:
    """Decode, clean and re-encode one file's bytes; never raises for bad content.

    Returns the outcome and the output bytes (``None`` when skipped or failed). An
    unchanged file's output is its input, byte for byte.
    """
    if not raw:
        return FileOutcome(path=path, status="unchanged", bytes_out=0), raw
    try:
        bom, body_codec, text = decode(raw, settings.encoding)
    except ValueError as exc:
        status: Status = "skipped" if str(exc).startswith("binary") else "failed"
        return FileOutcome(path=path, status=status, bytes_in=len(raw), error=str(exc)), None
    try:
        result = cleaner(text, settings.config)
        new = raw if result.text == text else bom + result.text.encode(body_codec)
    except Exception as exc:  # an engine bug must not stop the batch; report it and go on
        reason = f"internal error: {type(exc).__name__}: {exc}"
        return replace(failure(path, reason), bytes_in=len(raw)), None
    changed = new != raw
    outcome = FileOutcome(
        path=path,
        status="changed" if changed else "unchanged",
        bytes_in=len(raw),
        bytes_out=len(new),
        actions=result.actions,
        diff=unified_diff(text, result.text, path) if settings.diff and changed else None,
        text=text if settings.keep_text else None,
        result=result if settings.keep_text else None,
    )
    return outcome, new


# --- reading and writing ---------------------------------------------------------


def read_file(path: str) -> bytes:
    """The bytes of a regular file; ``OSError`` otherwise (also for FIFOs and devices,
    which could block forever or never end)."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    with open(path, "rb") as f:
        return f.read()


def _write_in_place(path: str, data: bytes) -> None:
    # Follow a symlink so that the link stays a link and its target is updated.
    real = os.path.realpath(path)
    st = os.stat(real)
    mode = stat.S_IMODE(st.st_mode)
    # Root may write anything; a file without any write bit is still meant to be kept.
    if not os.access(real, os.W_OK) or not mode & 0o222:
        raise PermissionError(errno.EACCES, "file is read-only")
    atomic_write(real, data, mode)
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        # Only root can give a file away; everyone else keeps the file as their own.
        with contextlib.suppress(OSError):
            os.chown(real, st.st_uid, st.st_gid)


def _write_copy(dest: str, data: bytes, made: set[str] | None = None) -> None:
    """Write ``dest`` unless it already holds ``data``; its directory is made first,
    once per directory named in ``made`` (the directories made so far)."""
    parent = os.path.dirname(dest) or "."
    known = made is not None and parent in made
    if not known:
        try:
            os.makedirs(parent, exist_ok=True)
        except FileExistsError as exc:  # a file where a directory should be: say so
            raise NotADirectoryError(
                errno.ENOTDIR, os.strerror(errno.ENOTDIR), exc.filename
            ) from None
        if made is not None:
            made.add(parent)
    mode = None
    try:
        st = os.stat(dest)
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISREG(st.st_mode) and st.st_size == len(data):
            with open(dest, "rb") as f:  # a regular file, as just seen: no second stat
                if f.read() == data:
                    return  # already up to date: keep its mtime so make-like tools see no change
    except FileNotFoundError:
        pass
    try:
        atomic_write(dest, data, mode)
    except FileNotFoundError:
        if made is None or not known:
            raise
        # The directory was removed since it was made: make it again, as before.
        made.discard(parent)
        _write_copy(dest, data, made)


def process_file(
    target: Target, settings: Settings, cleaner: Cleaner, made: set[str] | None = None
) -> FileOutcome:
    """Read, clean and (per ``settings.write``) write one file. Never raises for a bad file.

    ``made``: the output directories made so far, shared by the calls of one run so that
    each directory is made once (``None``: made for every file).
    """
    try:
        raw = read_file(target.path)
    except OSError as exc:
        return failure(target.path, f"cannot read: {os_reason(exc)}")
    outcome, new = clean_bytes(raw, target.path, settings, cleaner)
    if new is None:
        return outcome
    dest = target.path if settings.write == "in-place" else target.dest
    try:
        if settings.write == "in-place" and outcome.changed:
            _write_in_place(target.path, new)
        elif settings.write == "output-dir":
            assert target.dest is not None, "plan_outputs() gives every target a dest"
            _write_copy(target.dest, new, made)
        else:
            return outcome
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else f" {dest}"
        return replace(outcome, status="failed", error=f"cannot write{where}: {os_reason(exc)}")
    return replace(outcome, output=dest)
