"""Progress of a long command: a bar on a terminal, periodic lines otherwise.

On an interactive terminal a tqdm bar redraws itself in place. When standard error is a file,
a pipe or a job log (a batch queue, ``nohup``, CI), a bar would either print nothing useful or
fill the log with carriage returns, so one plain line is printed instead at each tenth of the
work or every :data:`EVERY` seconds, whichever comes first::

    ensemble: 120/400 tasks, 1 min 02 s elapsed, about 2 min 40 s left

Commands that finish within :data:`QUIET` seconds print no line at all (so quick runs and the
tests stay quiet); a command that printed lines ends with one saying how long it took.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds between two progress lines at most (when a tenth of the work takes longer).
EVERY = 30.0
#: Seconds a command runs before its first progress line (quick commands print none).
QUIET = 10.0
#: Lines at each tenth of the work.
STEPS = 10


def duration(seconds: float) -> str:
    """``seconds`` as a reader takes them in: ``45 s``, ``1 min 02 s``, ``2 h 05 min``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def plural(unit: str, count: int) -> str:
    """``unit`` for ``count`` of them (``1 run``, ``2 runs``)."""
    return unit if count == 1 else f"{unit}s"


class Progress:
    """Progress of ``total`` steps: a bar on a terminal, periodic lines otherwise.

    Parameters
    ----------
    total : int
        Steps the command will take.
    unit : str
        What a step is, singular (``run``, ``task``, ``step``).
    label : str
        What the lines start with (the command's name).
    stream : file, optional
        Where to write (default: standard error).
    clock : callable, optional
        Seconds from an arbitrary origin (default: :func:`time.monotonic`); tests pass a fake.
    tty : bool, optional
        Whether ``stream`` is an interactive terminal (default: ask it).
    """

    def __init__(
        self,
        total: int,
        unit: str = "run",
        label: str = "prevsim",
        *,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        tty: bool | None = None,
    ) -> None:
        self.total, self.unit, self.label = int(total), unit, label
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.start = self.last = clock()
        self.done = 0
        self.printed = 0  # lines written so far
        self.tenth = 0  # the last tenth of the work a line was printed at
        self.bar = None
        if tty is None:
            tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.lines = not tty and self.total > 1
        if tty and self.total > 1:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, unit=unit, leave=False, file=self.stream)

    def __call__(self, message: str = "") -> None:
        """One step done, described by ``message``."""
        if self.bar is not None:
            self.bar.set_description(message)
        self.advance(1, message)

    def advance(self, count: int, message: str = "") -> None:
        """``count`` steps done."""
        if self.bar is not None:
            self.bar.update(count)
        self.done = min(self.total, self.done + int(count))
        if self.lines:
            self._maybe_line(message)

    def _maybe_line(self, message: str) -> None:
        now = self.clock()
        tenth = STEPS * self.done // max(self.total, 1)
        if now - self.start < QUIET or self.done >= self.total:
            return
        if tenth > self.tenth or now - self.last >= EVERY:
            self.tenth, self.last = tenth, now
            self._write(self.line(now, message))

    def line(self, now: float, message: str = "") -> str:
        """The progress line at time ``now``: steps done, elapsed and (roughly) left."""
        elapsed = now - self.start
        what = f" ({message})" if message else ""
        text = (
            f"{self.label}: {self.done:,}/{self.total:,} {plural(self.unit, self.total)}{what}, "
            f"{duration(elapsed)} elapsed"
        )
        if 0 < self.done < self.total:
            left = elapsed / self.done * (self.total - self.done)
            text += f", about {duration(left)} left"
        return text

    def _write(self, text: str) -> None:
        print(text, file=self.stream, flush=True)
        self.printed += 1

    def close(self) -> None:
        """Remove the bar; after progress lines, say how long the work took."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.lines and self.printed:
            now = self.clock()
            self._write(
                f"{self.label}: {self.done:,}/{self.total:,} {plural(self.unit, self.total)} "
                f"done in {duration(now - self.start)}"
            )
            self.lines = False
