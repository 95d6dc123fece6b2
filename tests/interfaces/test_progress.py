"""Progress lines of long commands when standard error is not a terminal."""

from __future__ import annotations

import io

import pytest

from simulation.interfaces.cli import main, progress
from simulation.interfaces.cli.progress import Progress, duration
from tests.conftest import SCENARIOS


class Clock:
    """A clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_durations_read_as_minutes_and_seconds():
    assert duration(0.4) == "0 s"
    assert duration(45) == "45 s"
    assert duration(62) == "1 min 02 s"
    assert duration(3 * 3600 + 5 * 60 + 20) == "3 h 05 min"


def test_lines_at_each_tenth_with_elapsed_and_time_left():
    clock, stream = Clock(), io.StringIO()
    bar = Progress(400, unit="run", label="ensemble", stream=stream, clock=clock, tty=False)
    for _ in range(400):
        clock.now += 0.155  # 62 s for 400 runs
        bar()
    bar.close()
    lines = stream.getvalue().splitlines()
    # nothing in the first QUIET seconds (64 runs), then one line per tenth, and the total
    assert lines[0] == "ensemble: 65/400 runs, 10 s elapsed, about 52 s left"
    assert lines[1] == "ensemble: 80/400 runs, 12 s elapsed, about 50 s left"
    assert lines[-2].startswith("ensemble: 360/400 runs, 56 s elapsed, about 6 s left")
    assert lines[-1] == "ensemble: 400/400 runs done in 1 min 02 s"
    assert len(lines) == 10  # the first after QUIET, tenths 2..9, the closing line


def test_a_slow_tenth_still_prints_every_30_seconds():
    clock, stream = Clock(), io.StringIO()
    bar = Progress(1000, unit="task", label="ensemble", stream=stream, clock=clock, tty=False)
    clock.now += 40
    bar.advance(1)  # 0.1 %: no new tenth, but 40 s have passed
    clock.now += 10
    bar.advance(1)  # 10 s later: too soon for another line
    clock.now += 25
    bar.advance(1)
    lines = stream.getvalue().splitlines()
    assert lines == [
        "ensemble: 1/1,000 tasks, 40 s elapsed, about 11 h 06 min left",
        "ensemble: 3/1,000 tasks, 1 min 15 s elapsed, about 6 h 55 min left",
    ]


def test_quick_work_and_terminals_print_no_lines():
    clock, stream = Clock(), io.StringIO()
    bar = Progress(50, label="brief", stream=stream, clock=clock, tty=False)
    for _ in range(50):
        clock.now += progress.QUIET / 100
        bar("a step")
    bar.close()
    assert stream.getvalue() == ""


@pytest.mark.slow
def test_ensemble_prints_progress_lines_to_a_captured_stderr(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(progress, "QUIET", 0.0)  # a line at every tenth, however quick
    code = main(
        [
            "ensemble",
            str(SCENARIOS / "early_intervention.toml"),
            "--draws",
            "ranges",
            "--samples",
            "4",
            "--scheduler",
            "serial",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("ensemble: 1/4 tasks, ")
    assert "elapsed, about" in lines[0]
    assert len(lines) == 4  # after tasks 1-3 and the closing line
    assert lines[-1].startswith("ensemble: 4/4 tasks done in ")
