"""The parameter registry: metadata complete, sources honest, every parameter alive."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.engines.sd import LAYOUT, SDModel
from simulation.model import services as sv
from simulation.model.catalogue import REGISTRY
from simulation.model.parameters import Parameter, Registry, batch_size
from simulation.model.schedule import Change


def test_every_parameter_has_unit_source_and_description():
    for p in REGISTRY.values():
        assert p.unit.strip(), p.name
        assert len(p.source) > 10, p.name
        assert p.description.strip(), p.name


def test_assumptions_are_flagged_and_given_wide_ranges():
    for p in REGISTRY.values():
        if p.source.lower().startswith("assumption"):
            assert p.assumption, f"{p.name}: source says assumption but flag is False"
        if p.assumption and p.default != 0:
            width = (p.range[1] - p.range[0]) / abs(p.default)
            assert width >= 0.5, f"{p.name}: assumption with a narrow range {p.range}"


def test_kinds_are_known_and_all_present():
    assert {p.kind for p in REGISTRY.values()} == {"uncertain", "lever", "structural"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"default": 2.0}, "default <= range"),  # outside range
        ({"range": (-1.0, 1.0)}, "domain\\[0\\] <= range"),  # range outside domain
        ({"kind": "guess"}, "kind 'guess'"),
        ({"source": " "}, "needs a source"),
    ],
)
def test_parameter_rejects_inconsistent_metadata(kwargs, message):
    base = dict(
        name="x",
        default=0.5,
        unit="1/yr",
        domain=(0.0, 1.0),
        range=(0.1, 0.9),
        kind="uncertain",
        source="somewhere",
        description="d",
    )
    with pytest.raises(ValueError, match=message):
        Parameter(**{**base, **kwargs})


def test_check_values():
    p = REGISTRY["onset_rate"]
    assert p.check(0.1) is None
    assert "outside the valid domain" in p.check(-0.1)
    assert "expected a number" in p.check("0.1")
    assert "expected a number" in p.check(True)
    assert "outside" in p.check(float("nan"))


def test_registry_rejects_duplicates_and_unknown_names():
    p = REGISTRY["onset_rate"]
    with pytest.raises(ValueError, match="defined twice"):
        Registry.from_parameters([p, p])
    with pytest.raises(KeyError, match="did you mean 'onset_rate'"):
        REGISTRY.resolve({"onset_rat": 0.1})
    with pytest.raises(KeyError, match="unknown parameter"):
        REGISTRY["zzz"]


def test_batch_size():
    assert batch_size({"a": 1.0}) == 1
    assert batch_size({"a": np.ones(3), "b": 2.0}) == 3
    with pytest.raises(ValueError, match="different lengths"):
        batch_size({"a": np.ones(3), "b": np.ones(4)})
    with pytest.raises(ValueError, match="1-D"):
        batch_size({"a": np.ones((2, 2))})


def test_table_has_one_row_per_parameter():
    table = REGISTRY.table()
    assert list(table["name"]) == list(REGISTRY)
    assert {"default", "unit", "domain", "range", "kind", "source"} <= set(table.columns)


def test_every_sd_parameter_changes_the_sd_result():
    """No dead parameters: nudging any one the SD engine uses moves its final state.

    Set 0 is the reference; set i+1 nudges parameter i within its range (towards the far end
    of the range, so the nudge is never zero). The reference switches on every service and
    training (some are off by default before 2017-2018) and changes a budget in 2012, so
    that no parameter is dormant.
    All sets integrate in one batched call.
    """
    reference = {
        "budget.mobile_team": 1.0,
        "trained_staff_share": 0.2,
        "cooperation_start_year": 2010.0,  # so that the cooperation model acts by 2020
        "regional_coordinators": 0.5,  # so that their speed-up matters
        # every programme runs, every line mixes, and no effect is exactly none
        **{f"budget.{prog.name}": 1.0 for prog in sv.PROGRAMMES},
        **{f"mix.{prog.name}": 0.5 for prog in sv.PROGRAMMES},
        **{
            prog.parameter(f"effect.{e.transition}"): 0.9
            for prog in sv.PROGRAMMES
            for e in prog.effects
            if e.measure == "none"
        },
    }
    # family preservation takes crises first: a small one leaves some for the conferences
    reference.update({"budget.family_preservation": 0.05, "mix.family_preservation": 0.01})
    # The relapse of an ongoing programme never acts (nobody finishes it), nor the weight of a
    # programme alone in its line (weights are relative).
    inert = {prog.parameter("relapse_rate") for prog in sv.PROGRAMMES if prog.duration == 0}
    inert |= {f"mix.{sv.PROGRAMME_NAMES[m[0]]}" for m in sv.LINE_PROGRAMMES if len(m) == 1}
    names = [n for n in REGISTRY.names(engine="sd") if n not in inert]
    k = len(names) + 1
    values = {}
    for i, name in enumerate(names):
        p = REGISTRY[name]
        start = reference.get(name, p.default)
        column = np.full(k, start)
        far = p.range[1] if p.range[1] - p.default >= p.default - p.range[0] else p.range[0]
        if far == start:  # a fixed range: move within the domain instead
            far = min(start * 0.5, p.domain[1]) if start else min(0.5, p.domain[1])
        column[i + 1] = start + 0.5 * (far - start)
        values[name] = column
    params = {n: v for n, v in values.items() if REGISTRY[n].kind != "lever"}
    levers = {n: v for n, v in values.items() if REGISTRY[n].kind == "lever"}
    budget_change = [Change(2012, {"budget.basic": 10.0})]  # so that capacity_delay acts
    model = SDModel(params=params, levers=levers, schedule=budget_change, end_year=2020)
    final = model.run(save=()).final
    base = final[0, 0, : LAYOUT.size]
    changed = np.abs(final[1:, 0] - base).max(axis=1) > 1e-9 * np.abs(base).max()
    dead = [n for n, c in zip(names, changed, strict=True) if not c]
    assert dead == [], f"parameters without effect: {dead}"
