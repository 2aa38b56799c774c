"""The terminal side of `grader watch`: file events and key presses in, screens out.

All decisions are ``Watch``'s (grader.student.watch); this module only reads single key presses
(cbreak mode, restored on the way out), runs watchfiles in a thread and redraws the screen.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import signal
import sys
import termios
import threading
import tty
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from grader.student.watch import Watch

POLL_SECONDS = 0.05


class WatchFailed(Exception):
    """Watching the exercise files failed; the message says why."""


class _Files(threading.Thread):
    """watchfiles in a thread: sets of changed paths go into ``events``."""

    def __init__(self, *folders: Path) -> None:
        super().__init__(daemon=True, name="grader-watch-files")
        self.folders = folders
        self.events: queue.Queue[set[str] | BaseException] = queue.Queue()
        self.ready = threading.Event()   # set once the OS watches are in place
        self.stop = threading.Event()

    def run(self) -> None:
        import watchfiles

        try:
            for changes in watchfiles.watch(*self.folders, stop_event=self.stop, step=50, rust_timeout=200,
                                            yield_on_timeout=True, raise_interrupt=False,
                                            watch_filter=lambda _change, path: path.endswith((".py", ".ipynb"))):
                self.ready.set()
                if changes:
                    self.events.put({path for _change, path in changes})
        except Exception as exc:  # noqa: BLE001 - handed to the main thread, which reports it
            self.events.put(exc)
        finally:
            self.ready.set()


class _Interrupts:
    """Ctrl-C while a check runs is held until the check is done (pytest would swallow it)."""

    def __init__(self) -> None:
        self.busy = False
        self.pending = False

    def handler(self, _signum: int, _frame: Any) -> None:
        if self.busy:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        self.busy = True
        try:
            yield
        finally:
            self.busy = False
        if self.pending:
            raise KeyboardInterrupt


@contextlib.contextmanager
def _keys(fd: int | None) -> Iterator[None]:
    """Single key presses without Enter, echo off; the terminal's settings restored on the way out."""
    if fd is None or not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _show(console: Console, screen: Text | None) -> None:
    if screen is None:
        return
    if console.is_terminal:
        console.clear()
    else:
        console.rule()
    console.print(screen, highlight=False, markup=False)


def run(watch: Watch, console: Console) -> None:
    """Show ``watch``'s screens until q; Ctrl-C raises KeyboardInterrupt (after restoring the terminal)."""
    interrupts = _Interrupts()
    check = watch.check

    def guarded(ids: tuple[str, ...]) -> dict:
        with interrupts.holding():
            return check(ids)

    watch.check = guarded
    previous = signal.signal(signal.SIGINT, interrupts.handler)
    # A student's copy also has notebooks/: saving a notebook there re-checks its exercises.
    notebooks = watch.course / "notebooks"
    files = _Files(watch.course / "exercises", *([notebooks] if notebooks.is_dir() else []))
    files.start()
    try:
        fd: int | None = sys.stdin.fileno()
    except (OSError, ValueError):
        fd = None
    try:
        with _keys(fd):
            files.ready.wait(10)
            _show(console, watch.start())
            while not watch.finished:
                readable = [fd] if fd is not None else []
                ready, _, _ = select.select(readable, [], [], POLL_SECONDS)
                if ready:
                    data = os.read(fd, 64)
                    if not data:        # stdin closed: keep watching, stop reading keys
                        fd = None
                    for key in data.decode("utf-8", "replace"):
                        _show(console, watch.key(key))
                        if watch.finished:
                            break
                saved: set[str] = set()
                while True:
                    try:
                        event = files.events.get_nowait()
                    except queue.Empty:
                        break
                    if isinstance(event, BaseException):
                        raise WatchFailed(f"watching {' and '.join(map(str, files.folders))} for changes failed: "
                                          f"{event}")
                    saved |= event
                if saved and not watch.finished:
                    _show(console, watch.changed(saved))
    finally:
        files.stop.set()
        signal.signal(signal.SIGINT, previous)
        watch.check = check
