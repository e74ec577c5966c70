"""Writing a file so that readers, crashes and Ctrl-C see the old or the new file.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     path = os.path.join(d, "a.txt")
...     atomic_write(path, b"new")
...     open(path, "rb").read(), os.listdir(d)
(b'new', ['a.txt'])
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator

# Every temporary file the tool makes ends so: a stray one says where it came from.
TEMP_SUFFIX = ".dedupe-tmp"


def atomic_write(path: str, data: bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` so that readers and crashes see old or new, never half.

    The temporary file is in the same directory (``os.replace`` is atomic only within
    a file system) and is removed if anything, including Ctrl-C, interrupts the write.
    Without ``mode`` the new file gets the usual permissions (0o666 minus the umask).
    """
    with _signals_deferred():
        _replace(path, data, mode)


def _replace(path: str, data: bytes, mode: int | None) -> None:
    directory, name = os.path.split(path)
    while True:
        # Named before it exists: an interrupt just after the open still knows what
        # to remove. The random part makes it ours alone.
        tmp = os.path.join(directory, f".{name}.{os.urandom(8).hex()}{TEMP_SUFFIX}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _about(exc, path) from None
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        break
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _about(exc, path) from None
        raise


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    # Python runs a signal handler between any two bytecodes, so Ctrl-C or kill could
    # land after the temporary file is made and before the code that removes it is
    # armed. Held back here, the signal reaches its handler once the file is whole or
    # gone: the write takes milliseconds. (An OS signal mask would not do: with a
    # second thread, such as the progress bar's, the process still takes the signal.)
    # Handlers only ever run in the main thread, so other threads need nothing; a
    # handler set outside Python (getsignal gives None) could not be put back.
    if threading.current_thread() is not threading.main_thread() or any(
        signal.getsignal(s) is None for s in _STOP_SIGNALS
    ):
        yield
        return
    held: list[int] = []

    def hold(signum: int, frame: object) -> None:
        held.append(signum)

    previous = {s: signal.signal(s, hold) for s in _STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for held_signal in dict.fromkeys(held):
            signal.raise_signal(held_signal)


def _about(exc: OSError, path: str) -> OSError:
    # The user knows the file they asked for, not our temporary name.
    return type(exc)(exc.errno, exc.strerror, path)
