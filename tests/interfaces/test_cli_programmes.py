"""``prevsim programmes``: the library, and one programme's value per family served."""

from __future__ import annotations

import re

import pytest

from simulation.interfaces.cli import main
from simulation.model import services as sv

#: WSIPP's Intensive Family Preservation (HOMEBUILDERS) row, 2023 dollars per participant
#: (simulation/data/lifecourse/SOURCES.md): benefits, net cost, ratio.
WSIPP_BENEFITS, WSIPP_COST, WSIPP_RATIO = 21_910.0, 4_259.0, 5.14


def test_the_library_lists_every_programme_with_its_evidence(capsys):
    assert main(["programmes"]) == 0
    out = capsys.readouterr().out
    for prog in sv.PROGRAMMES:
        assert f"{prog.name}: {prog.label_en}" in out
    assert "Bezeczky et al. 2020" in out
    assert "hazard multiplier 0.6 [0.48, 0.76]" in out  # family preservation, a risk ratio


def number(out: str, label: str) -> float:
    match = re.search(rf"{label}\s+(-?[\d,.]+)", out)
    assert match, label
    return float(match.group(1).replace(",", ""))


def test_family_preservation_with_wsipp_like_inputs_is_of_the_order_of_wsipp(capsys):
    """WSIPP's cost (4,259 a participant, taken as euros) and its population (the evidence
    applies to every family at imminent risk): the value per family served is of the order of
    WSIPP's published row. The closing note of issue 16 explains the differences.
    """
    argv = ["programmes", "family_preservation", "--families", "1000", "--samples", "0"]
    argv += ["--set", "programme.family_preservation.cost=42590"]
    argv += ["programme.family_preservation.effective_share=1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    cost, benefits = number(out, "cost"), number(out, "benefits")
    ratio = number(out, "benefit-cost ratio")
    assert 0.5 < cost / WSIPP_COST < 1.5
    assert 0.2 < benefits / WSIPP_BENEFITS < 5
    assert 0.2 < ratio / WSIPP_RATIO < 5
    assert ratio == pytest.approx(benefits / cost, rel=0.01)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["programmes", "family_preservaton"], "did you mean family_preservation"),
        (["programmes", "casework", "--families", "0"], "must be > 0"),
        (["programmes", "--set", "programme.casework.cost"], "expected NAME=VALUE"),
        (["programmes", "--set", "programme.casework.cost=-1"], "outside the valid domain"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert message in err[0]
