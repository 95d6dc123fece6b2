"""Every command's help: each option explained with its default, and examples."""

from __future__ import annotations

import argparse

import pytest

from simulation.interfaces.cli import build_parser, main
from tests.conftest import SCENARIOS

EARLY = SCENARIOS / "early_intervention.toml"
BASELINE = SCENARIOS / "baseline.toml"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


COMMANDS = subcommands()


def test_every_command_is_walked():
    assert {"run", "compare", "ensemble", "sensitivity", "calibrate", "brief", "export"} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_has_help_and_says_its_default(name):
    for action in COMMANDS[name]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        what = "/".join(action.option_strings) or action.metavar or action.dest
        assert action.help, f"prevsim {name} {what}: no help text"
        assert action.help != argparse.SUPPRESS, f"prevsim {name} {what}: hidden"
        takes_value = action.nargs != 0  # flags (store_true) are off unless given
        if action.option_strings and takes_value:
            assert "default" in action.help, f"prevsim {name} {what}: default not shown"
        if action.nargs == "?":  # an optional positional says what happens without it
            assert "default" in action.help, f"prevsim {name} {what}: default not shown"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_prints_no_double_percent_and_has_examples(name, capsys):
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert "%%" not in out
    assert "examples:" in out.lower()
    examples = out.lower().split("examples:", 1)[1]
    assert f"prevsim {name}" in examples  # each example is a command line to copy


def test_samples_options_show_their_defaults(capsys):
    for name, default in (("brief", "1000"), ("programmes", "200"), ("lifecourse", "2000")):
        assert main([name, "--help"]) == 0
        out = " ".join(capsys.readouterr().out.split())  # help lines are wrapped
        assert "--samples N" in out
        assert f"default {default}" in out or f"default: {default}" in out, name


# ---- the documented minimums -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ensemble", str(EARLY), "--samples", "19"], "at least 20"),
        (["brief", str(EARLY), "--samples", "19"], "must be >= 20"),
        (["sensitivity", str(EARLY), "--n", "1"], "must be >= 2"),
    ],
)
def test_below_a_documented_minimum_is_one_line_exit_2(tmp_path, capsys, argv, message):
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert message in err[0]
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv",
    [
        ["ensemble", str(EARLY), "--samples", "20", "--scheduler", "serial"],
        ["ensemble", str(EARLY), "--draws", "ranges", "--samples", "1", "--scheduler", "serial"],
        ["sensitivity", str(EARLY), "--against", str(BASELINE), "--method", "pawn", "--n", "2"],
        ["sensitivity", str(EARLY), "--against", str(BASELINE), "--method", "morris", "--n", "2"],
    ],
    ids=["ensemble-history-matched-20", "ensemble-ranges-1", "pawn-2", "morris-2"],
)
def test_the_documented_minimums_work(tmp_path, capsys, argv):
    assert main([*argv, "--workers", "1", "--out", str(tmp_path)]) == 0
    assert "Results:" in capsys.readouterr().out
