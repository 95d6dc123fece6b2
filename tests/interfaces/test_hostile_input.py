"""The concrete hostile inputs of issue 19: each gives exit 2 and one line, or runs correctly.

Scenario files that try to escape the results folder, hang or crash the reader, and command
lines with impossible or contradictory arguments. Each case asserts the exit code, that every
line of standard error names the file and key (or the argument), that no line is longer than
the limit, and that nothing was written under ``--out``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulation.interfaces.cli import main
from simulation.workflow.inputs import MAX_LINE
from tests.conftest import SCENARIOS

BASELINE = (SCENARIOS / "baseline.toml").as_posix()
EARLY = (SCENARIOS / "early_intervention.toml").as_posix()


def _short(body: str) -> str:
    """A short scenario extending the shipped baseline, with ``body`` in [scenario]."""
    return f'[scenario]\nextends = "{BASELINE}"\n{body}\n[run]\nend_year = 2011\n'


def _refused(argv: list[str], capsys, out: Path) -> list[str]:
    """Run the CLI; assert exit 2, short lines and no output folder; return the lines.

    ``--out`` is added for every command but ``validate`` (which writes nothing).
    """
    assert main(argv if argv[0] == "validate" else [*argv, "--out", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines
    assert all(len(line) <= MAX_LINE for line in lines), lines
    assert "Traceback" not in "\n".join(lines)
    assert not out.exists()
    return lines


NAMES = {
    "parent folders": '"../../x"',
    "absolute path": '"/tmp/escaped"',
    "dollar": '"a$b"',
    "too long": '"' + "n" * 300 + '"',
    "NUL byte": '"a\\u0000b"',
    "space": '"my scenario"',
}


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_name_that_is_not_an_identifier_is_refused(name, tmp_path, write_scenario, capsys):
    path = write_scenario("s.toml", _short(f"name = {name}"))
    (line,) = _refused(["run", str(path)], capsys, tmp_path / "out")
    assert line.startswith(f"{path}: scenario.name: ")


def test_a_file_name_that_is_not_a_name_gives_a_safe_one(tmp_path, write_scenario):
    path = write_scenario("my $cenario (2).toml", _short(""))
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    (folder,) = (tmp_path / "out" / "runs").iterdir()
    assert folder.name == "my_cenario_2"


NESTED = {
    "arrays": "[params]\nx = " + "[" * 3000 + "]" * 3000 + "\n",
    "inline tables": "[params]\nx = " + "{a=" * 3000 + "1" + "}" * 3000 + "\n",
    "tables": "[params]\n" + "[params." + ".".join(["a"] * 40) + "]\nb = 1\n",
}


@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED.keys())
def test_deep_nesting_is_one_line(text, tmp_path, write_scenario, capsys):
    path = write_scenario("deep.toml", text)
    (line,) = _refused(["validate", str(path)], capsys, tmp_path / "out")
    assert line.startswith(f"{path}: ")
    assert "nested too deeply" in line


def test_a_long_chain_of_extends_is_one_line(tmp_path, write_scenario, capsys):
    write_scenario("c0.toml", _short(""))
    for i in range(1, 40):
        write_scenario(f"c{i}.toml", f'[scenario]\nextends = "c{i - 1}.toml"\n')
    (line,) = _refused(["run", str(tmp_path / "c39.toml")], capsys, tmp_path / "out")
    assert "scenario.extends: more than 16 files" in line


def test_extends_of_a_device_a_loop_or_a_nul_is_one_line(tmp_path, write_scenario, capsys):
    os.symlink("loop2.toml", tmp_path / "loop1.toml")
    os.symlink("loop1.toml", tmp_path / "loop2.toml")
    cases = {
        '"/dev/zero"': "/dev/zero: not a regular file",
        '"loop1.toml"': "loop1.toml: symbolic link loop",
        '"a\\u0000b.toml"': "scenario.extends: contains a control character",
        '"."': "is a directory",
    }
    for extends, expected in cases.items():
        path = write_scenario("s.toml", f"[scenario]\nextends = {extends}\n")
        (line,) = _refused(["validate", str(path)], capsys, tmp_path / "out")
        assert expected in line, line


def test_extends_of_a_fifo_does_not_hang(tmp_path, write_scenario):
    """Checked in a child process with a time limit: a regression would block forever."""
    os.mkfifo(tmp_path / "fifo.toml")
    path = write_scenario("s.toml", '[scenario]\nextends = "fifo.toml"\n')
    code = (
        "from simulation.interfaces.cli import main; "
        f"raise SystemExit(main(['validate', {str(path)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"{tmp_path / 'fifo.toml'}: not a regular file (a scenario file must be a file)"
    )


def test_a_huge_value_is_not_echoed_whole(tmp_path, write_scenario, capsys):
    path = write_scenario("s.toml", '[params]\nonset_rate = "' + "x" * 200_000 + '"\n')
    (line,) = _refused(["validate", str(path)], capsys, tmp_path / "out")
    assert line.startswith(f"{path}: params.onset_rate: ")


def test_validate_checks_every_file_after_an_unreadable_one(tmp_path, write_scenario, capsys):
    good = write_scenario("good.toml", _short(""))
    missing = tmp_path / "missing.toml"
    assert main(["validate", str(missing), str(tmp_path), str(good)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        f"{missing}: file not found",
        f"{tmp_path}: is a directory, not a scenario file",
    ]
    assert captured.out.strip() == f"ok: {good}"


ARGUMENTS = {
    "same scenario twice": (["compare", BASELINE, BASELINE], "given more than once"),
    "base year after the horizon": (
        ["compare", BASELINE, EARLY, "--base-year", "2045"],
        "--base-year 2045: after the scenarios' last year; allowed: 2009-2040",
    ),
    "base year 3000": (["compare", BASELINE, EARLY, "--base-year", "3000"], "at most 2,100"),
    "base year 1900": (["compare", BASELINE, EARLY, "--base-year", "1900"], "must be >= 2009"),
    "negative base year": (["compare", BASELINE, EARLY, "--base-year", "-5"], ">= 2009"),
    "ensemble base year": (["ensemble", EARLY, "--base-year", "2045"], "allowed: 2009-2040"),
    "samples 1e12": (["ensemble", EARLY, "--samples", "1000000000000"], "at most 100,000"),
    "samples as 1e12": (["ensemble", EARLY, "--samples", "1e12"], "expected a whole number"),
    "sobol n": (["sensitivity", EARLY, "--n", "1000000000"], "at most 16,384"),
    "duplicate params": (
        ["ensemble", EARLY, "--params", "onset_rate", "onset_rate"],
        "onset_rate given more than once",
    ),
    "scheduler without host": (["ensemble", EARLY, "--scheduler", "tcp://"], "tcp://HOST:PORT"),
    "seed too large": (["run", BASELINE, "--seed", "1" + "0" * 30], "--seed: must be at most"),
    "brief below its minimum": (["brief", EARLY, "--samples", "19"], "must be >= 20"),
}


@pytest.mark.parametrize(("argv", "expected"), ARGUMENTS.values(), ids=ARGUMENTS.keys())
def test_impossible_arguments_are_refused_before_work(argv, expected, tmp_path, capsys):
    (line,) = _refused(argv, capsys, tmp_path / "out")
    assert line.startswith(f"prevsim {argv[0]}: ")
    assert expected in line, line


def test_sensitivity_of_an_outcome_that_never_varies_is_one_line(tmp_path, capsys):
    """A scenario against itself: every NPV is 0, and no index exists (SALib would divide
    by a zero variance and print warnings).
    """
    argv = ["sensitivity", EARLY, "--against", EARLY, "--n", "2"]
    (line,) = _refused(argv, capsys, tmp_path / "out")
    assert line.endswith(
        "the outcome npv is 0 for every sample: no parameter moves it (do the "
        "scenarios differ before their last year?)"
    )


def test_sensitivity_against_a_baseline_that_runs_longer(tmp_path, write_scenario, capsys):
    """The study values both over their common years (it raised a broadcast error)."""
    short = write_scenario(
        "short.toml", f'[scenario]\nextends = "{EARLY}"\n[run]\nend_year = 2028\n'
    )
    argv = ["sensitivity", str(short), "--against", BASELINE, "--n", "2"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    assert "Results:" in capsys.readouterr().out


@pytest.mark.parametrize("out", ["", " ", "a\x00b"])
def test_an_empty_out_is_refused(out, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", BASELINE, "--out", out]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "is not a folder name" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_brief_at_its_documented_minimum_with_a_hostile_title(tmp_path, write_scenario):
    """``--samples 20`` works; braces and dollars in a title are text, not fields or mathtext.

    The charts are drawn too (a mathtext error would stop the command).
    """
    title = "{A} $\\\\frac{1}{$ / {B} $x$"
    path = write_scenario(
        "titled.toml", f'[scenario]\nname = "titled"\ntitle = "{title}"\nextends = "{EARLY}"\n'
    )
    out = tmp_path / "out"
    assert main(["brief", str(path), "--samples", "20", "--out", str(out), "--format", "html"]) == 0
    (page,) = out.rglob("briefing-lt.html")
    assert "„{B} $x$“" in page.read_text(encoding="utf-8")
