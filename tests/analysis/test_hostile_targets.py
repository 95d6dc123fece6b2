"""Bad targets files and their data files stop ``prevsim calibrate`` before any work.

Issue 19: wrong types for ``end_year``, ``flows`` and ``series``, an empty data CSV and a huge
``thin`` raised tracebacks; ``--steps`` below the targets' ``thin`` was found after the fit.
Each case must exit 2 with one line per problem, each naming the file and the key, and write
nothing to ``--out``.
"""

from __future__ import annotations

import math
import os

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.analysis import targets as tg
from simulation.interfaces.cli import main
from tests.analysis.synthetic_targets import COLUMNS, INSTITUTIONS, targets_text
from tests.conftest import SCENARIOS

FLOWS = """
[[target]]
name = "entries"
series = "entries"
flows = ["placement_family", "placement_institution"]
years = [2012]
"""
GOOD_DATA = (
    COLUMNS
    + "".join(
        f"inst,{y},{4000 - 50 * i},children,high,s,u,\n" for i, y in enumerate(range(2009, 2016))
    )
    + "entries,2012,2000,children,low,s,u,\n"
)


def _write(folder, replace: tuple[str, str] | None = None, data: bytes | None = None):
    """A targets file (with ``replace`` applied to its text) and its data file; its path."""
    truth = {"escalation_rate": 0.1}
    text = targets_text("hostile", SCENARIOS / "baseline.toml", truth, 3, INSTITUTIONS + FLOWS)
    if replace:
        assert replace[0] in text, replace[0]
        text = text.replace(*replace, 1)
    path = folder / "targets.toml"
    path.write_text(text, encoding="utf-8")
    (folder / "data.csv").write_bytes(GOOD_DATA.encode() if data is None else data)
    tg.national_series.cache_clear()
    return path


CASES = {  # name: (text replaced, data file, file named, key named)
    "end_year a string": (
        ("end_year = 2016", 'end_year = "2016"'),
        None,
        "t",
        "calibration.end_year",
    ),
    "end_year a float": (
        ("end_year = 2016", "end_year = 2016.5"),
        None,
        "t",
        "calibration.end_year",
    ),
    "end_year a list": (
        ("end_year = 2016", "end_year = [2016]"),
        None,
        "t",
        "calibration.end_year",
    ),
    "flows a number": (
        ('flows = ["placement_family", "placement_institution"]', "flows = 3"),
        None,
        "t",
        "target.entries.flows",
    ),
    "flows a string": (
        ('flows = ["placement_family", "placement_institution"]', 'flows = "placement_family"'),
        None,
        "t",
        "target.entries.flows",
    ),
    "flows empty": (
        ('flows = ["placement_family", "placement_institution"]', "flows = []"),
        None,
        "t",
        "target.entries.flows",
    ),
    "flows of tables": (
        ('flows = ["placement_family", "placement_institution"]', "flows = [{a = 1}]"),
        None,
        "t",
        "target.entries.flows",
    ),
    "series a list of lists": (
        ('series = "inst"', 'series = [["inst"]]'),
        None,
        "t",
        "target.institutions.series",
    ),
    "series a number": (('series = "inst"', "series = 5"), None, "t", "target.institutions.series"),
    "series repeated": (
        ('series = "inst"', 'series = ["inst", "inst"]'),
        None,
        "t",
        "target.institutions.series",
    ),
    "thin huge": (("thin = 2", "thin = 1000000000"), None, "t", "posterior.thin"),
    "thin above the kept steps": (("thin = 2", "thin = 100"), None, "t", "posterior.thin"),
    "walkers x steps too large": (("steps = 160", "steps = 1000000"), None, "t", "posterior.steps"),
    "a name that is a path": (
        ('name = "hostile"', 'name = "../../x"'),
        None,
        "t",
        "calibration.name",
    ),
    "a target name that is a path": (
        ('name = "institutions"', 'name = "../fit"'),
        None,
        "t",
        "target[0].name",
    ),
    "years of booleans": (
        ("years = [2009, 2011, 2013, 2015]", "years = [true]"),
        None,
        "t",
        "target.institutions.years",
    ),
    "data empty": (None, b"", "d", ""),
    "data header only": (None, COLUMNS.encode(), "d", ""),
    "data not a number": (None, (COLUMNS + "inst,2009,lots,c,high,s,u,\n").encode(), "d", "value"),
    "data nan": (None, (COLUMNS + "inst,2009,nan,c,high,s,u,\n").encode(), "d", "value"),
    "data not utf-8": (None, COLUMNS.encode() + b"inst,2009,1,\xff,high,s,u,\n", "d", ""),
    "data repeated row": (
        None,
        (GOOD_DATA + "inst,2009,4000,children,high,s,u,\n").encode(),
        "d",
        "series, year",
    ),
    "two figures for a fitted year": (
        None,
        (GOOD_DATA + "inst,2009,3999,children,high,other source,u,\n").encode(),
        "t",
        "target.institutions.years",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_targets_file_exits_2_naming_file_and_key(tmp_path, capsys, case):
    replace, data, named, key = CASES[case]
    path = _write(tmp_path, replace, data)
    out = tmp_path / "results"
    code = main(["calibrate", str(path), "--no-scenario", "--out", str(out)])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    tg.national_series.cache_clear()
    assert code == 2, captured
    assert "Traceback" not in captured.err
    assert lines
    assert all(line.startswith((f"{path}: ", f"{tmp_path / 'data.csv'}: ")) for line in lines)
    file = path if named == "t" else tmp_path / "data.csv"
    assert any(line.startswith(f"{file}: {key}") for line in lines), lines
    assert not out.exists()


def test_a_wrong_end_year_is_one_line_not_one_per_date(tmp_path):
    path = _write(tmp_path, ("end_year = 2016", 'end_year = "2016"'))
    with pytest.raises(tg.TargetsError) as err:
        tg.load(path)
    assert err.value.errors == [
        f"{path}: calibration.end_year: expected an integer, got '2016'",
    ]


def test_the_file_loads_when_nothing_is_wrong(tmp_path):
    targets = tg.load(_write(tmp_path))
    tg.national_series.cache_clear()
    assert [t.name for t in targets.targets] == ["institutions", "entries"]


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"steps": 2, "burn": 0}, "posterior.thin: 2 keeps 1 step of the 2 after burn-in"),
        ({"steps": 50}, "posterior.burn: 60 is not below the steps (50)"),
        ({"walkers": 10_000, "steps": 100_000}, "--steps 100000: walkers x steps"),
        ({"steps": 10**7}, "--steps 10000000: outside [1, 1,000,000]"),
    ],
)
def test_command_line_settings_are_checked_against_the_file_before_work(
    tmp_path, overrides, fragment
):
    targets = tg.load(_write(tmp_path))
    tg.national_series.cache_clear()
    with pytest.raises(tg.TargetsError) as err:
        tg.check_overrides(targets, overrides)
    assert len(err.value.errors) == 1
    assert fragment in err.value.errors[0]
    assert tg.check_overrides(targets, {"steps": 200, "burn": 10})["steps"] == 200


def test_steps_below_thin_stop_calibrate_before_the_fit(tmp_path, capsys):
    path = _write(tmp_path)
    out = tmp_path / "results"
    code = main(["calibrate", str(path), "--steps", "61", "--out", str(out)])  # burn 60, thin 2
    err = capsys.readouterr().err.strip().splitlines()
    tg.national_series.cache_clear()
    assert code == 2
    assert len(err) == 1
    assert "thin" in err[0]
    assert not out.exists()


# ---- property: any value of any key is loaded or refused with lines naming the file ----------
SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["inst", "placement_family", "children", "children.in_care", "../x"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
KEYS = st.sampled_from(
    [
        ("calibration", "end_year"),
        ("calibration", "name"),
        ("posterior", "thin"),
        ("posterior", "steps"),
        ("posterior", "burn"),
        ("posterior", "walkers"),
        ("fit", "free"),
        ("error", "sigma"),
        ("abm", "scale"),
        ("target", "series"),
        ("target", "flows"),
        ("target", "stock"),
        ("target", "years"),
        ("target", "count"),
        ("target", "dates"),
        ("target", "title"),
        ("target", "per_family"),
        ("target", "name"),
    ]
)


def _document(tmp_path, changes) -> dict:
    import tomllib

    document = tomllib.loads(_write(tmp_path).read_text(encoding="utf-8"))
    for (table, key), value in changes:
        where = document["target"][0] if table == "target" else document.setdefault(table, {})
        where[key] = value
    return document


@settings(
    derandomize=True,
    max_examples=120 * max(1, int(os.environ.get("PREVSIM_FUZZ_SCALE", "1"))),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(st.tuples(KEYS, VALUES), min_size=1, max_size=3))
def test_any_value_is_loaded_or_refused_naming_the_file(tmp_path, changes):
    document = _document(tmp_path, changes)
    path = tmp_path / "targets.toml"
    try:
        path.write_text(tomli_w.dumps(document), encoding="utf-8")
    except (TypeError, ValueError):  # a value TOML cannot hold: nothing to test
        return
    tg.national_series.cache_clear()
    try:
        targets, errors = tg.load(path), []
    except tg.TargetsError as exc:
        targets, errors = None, exc.errors
    if targets is None:
        assert errors
        assert all(line.startswith(f"{path}: ") and "\n" not in line for line in errors)
    else:  # what loads is usable
        assert all(math.isfinite(p.value) and p.value > 0 for p in targets.points)
        assert all(isinstance(f, str) for t in targets.targets for f in t.flows)
        assert targets.settings["thin"] < targets.settings["steps"] - targets.settings["burn"]
