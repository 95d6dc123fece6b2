"""Fuzzing the input boundary: generated files and command lines never crash or escape.

Hypothesis generates scenario files (valid ones mutated with hostile keys and values, and
raw text with random characters inserted), calibration targets files, posterior files and
argument vectors. Each case runs through the CLI's ``main(argv)`` in a fresh folder and must:

- exit 0 or 2 (an unexpected exception fails the test with its traceback);
- on exit 2, print one or more lines, each shorter than :data:`LONGEST`, none a traceback,
  and leave no results folder;
- write nothing outside ``--out`` (the whole temporary tree and the working folder are
  compared before and after), and leave no hidden temporary folder.

The default sizes (:data:`COUNTS`, 540 cases) keep the file under a minute or two in CI;
``PREVSIM_FUZZ_SCALE=10`` runs ten times as many, and ``PREVSIM_FUZZ_SHRINK=1`` shrinks a
failure to a minimal example. Examples are derandomised, so a failure
reproduces; the distinct bugs this suite found while it was written are listed in the
closing note of issue 19.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from simulation.interfaces.cli import main
from simulation.model.catalogue import REGISTRY
from tests.conftest import SCENARIOS

ROOT = Path(__file__).resolve().parents[2]
BASELINE = (SCENARIOS / "baseline.toml").as_posix()
TARGETS = ROOT / "calibration" / "targets.toml"
SCALE = max(1, int(os.environ.get("PREVSIM_FUZZ_SCALE", "1")))
#: Examples per test in CI (their sum is the suite's case count).
COUNTS = {"scenario": 200, "valid": 20, "raw": 100, "argv": 130, "targets": 50, "posterior": 40}
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
SHRINK = (*NO_SHRINK, Phase.shrink)
#: Longest line a refusal may print, characters.
LONGEST = 400
SHORT_RUN = {"end_year": 2010}
EARLY = (SCENARIOS / "early_intervention.toml").as_posix()
#: The command lines' scenarios and baseline, the file each extends and its last year: they
#: differ from 2027, so a value exists; ``short.toml`` ends a year before the baseline.
PAIR = {"s.toml": (EARLY, 2029), "base.toml": (BASELINE, 2029), "short.toml": (EARLY, 2028)}


def fuzz(kind: str):
    """Hypothesis settings of one fuzz test: derandomised, sized by :data:`COUNTS`."""
    return settings(
        max_examples=COUNTS[kind] * SCALE,
        deadline=None,
        derandomize=True,
        # no shrinking in CI: a valid command line runs for seconds, and shrinking one
        # failure took five minutes; the failing example is reported as found
        phases=SHRINK if os.environ.get("PREVSIM_FUZZ_SHRINK") else NO_SHRINK,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---- hostile values -------------------------------------------------------------------------
HOSTILE_TEXT = [
    "../../x",
    "/tmp/escaped",
    "a$b",
    "{A}",
    "$\\frac{1}{$",
    "",
    " ",
    "a\x00b",
    "x" * 300,
    "..",
    "%s%n",
    "line\nbreak",
    "Panevėžys",
]
NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 0.01, 50, 1e6, 1e308, -1e308, 5e-324, 2**63, 2009, 2100, 3000]),
)
TEXT = st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE_TEXT))
SCALARS = st.one_of(NUMBERS, TEXT, st.booleans())
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(min_size=1, max_size=8), inner)
    ),
    max_leaves=5,
)
PARAMETERS = REGISTRY.names()
KEYS = {
    "scenario": ["name", "title", "description", "source", "extends"],
    "run": ["end_year", "resolution", "seed", "steps_per_month", "engine", "scale"],
    "params": [n for n in PARAMETERS if REGISTRY[n].kind != "lever"],
    "policy": [*REGISTRY.names("lever"), "allocation_rule", "schedule"],
}
EXTENDS = [BASELINE, "/dev/zero", ".", "missing.toml", "s.toml", "../" * 40 + "etc/passwd"]


@st.composite
def scenario_documents(draw) -> dict:
    """A short valid scenario with one to four keys set to hostile or random values."""
    doc = {"scenario": {"extends": BASELINE}, "run": dict(SHORT_RUN), "params": {}}
    for _ in range(draw(st.integers(1, 4))):
        table = draw(st.sampled_from([*KEYS, "unknown"]))
        key = draw(st.sampled_from(KEYS.get(table, ["x"])) | st.text(min_size=1, max_size=8))
        if key == "extends":
            value = draw(st.sampled_from(EXTENDS) | TEXT)
        elif table in ("params", "policy") and draw(st.booleans()):
            low, high = REGISTRY[key].domain if key in REGISTRY else (0, 1)
            value = draw(st.floats(low, high, allow_nan=False) | NUMBERS)
        else:
            value = draw(VALUES)
        doc.setdefault(table, {})
        if isinstance(doc[table], dict):
            doc[table][key] = value
    return doc


# ---- running one case -------------------------------------------------------------------------
def _tree(root: Path, skip: Path) -> dict[str, int]:
    """Every path under ``root`` but ``skip`` (the results folder), with its size."""
    found = {}
    for path in root.rglob("*"):
        if path == skip or skip in path.parents:
            continue
        found[str(path)] = path.stat().st_size if path.is_file() and not path.is_fifo() else -1
    return found


def run_case(argv: list[str], root: Path, out: Path) -> tuple[int, list[str]]:
    """Run the CLI in ``root``; check exit code, lines, writes; return the code and lines."""
    before = _tree(root, out)
    stderr = io.StringIO()
    quiet = contextlib.redirect_stdout(io.StringIO())
    with contextlib.chdir(root), quiet, contextlib.redirect_stderr(stderr):
        code = main(argv)
    lines = stderr.getvalue().strip().splitlines()
    event(f"{argv[0]} exit {code}")
    assert code in (0, 2), (argv, lines)
    assert _tree(root, out) == before, f"wrote outside --out: {argv}"
    if code == 2:
        assert lines, argv
        assert all(len(line) <= LONGEST for line in lines), lines
        assert all(line.isprintable() for line in lines), lines
        assert not any("Traceback" in line for line in lines), lines
        assert not out.exists() or not any(out.rglob("*")), f"left a folder: {argv}"
    if out.exists():
        hidden = [p for p in out.rglob(".*") if p.is_dir()]
        assert not hidden, f"left temporary folders {hidden}: {argv}"
    return code, lines


@contextlib.contextmanager
def sandbox():
    """A fresh folder with ``in/`` for inputs and ``a/b/out`` for results.

    The results folder is deep, so that an escaping ``../..`` still lands inside the tree
    that is compared.
    """
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        (root / "in").mkdir()
        (root / "a" / "b").mkdir(parents=True)
        yield root, root / "in", root / "a" / "b" / "out"


def _write_toml(path: Path, doc: dict) -> None:
    path.write_bytes(tomli_w.dumps(doc).encode("utf-8", "surrogatepass"))


# ---- the fuzz tests ---------------------------------------------------------------------------
@pytest.mark.slow
@fuzz("scenario")
@given(doc=scenario_documents())
def test_generated_scenarios(doc):
    """Validate every generated scenario, and run the valid ones."""
    with sandbox() as (root, inputs, out):
        path = inputs / "s.toml"
        try:
            _write_toml(path, doc)
        except (UnicodeEncodeError, TypeError, ValueError):
            return  # a document TOML cannot hold (a lone surrogate): not an input file
        code, lines = run_case(["validate", str(path)], root, out)
        if code == 2:
            assert all(line.startswith(str(root)) for line in lines), lines
        else:
            run_case(["run", str(path), "--out", str(out), "--engine", "sd"], root, out)


def _in_domain(name: str) -> st.SearchStrategy[float]:
    """Corners and random points of a parameter's domain (0 or at least its smallest
    positive value, as :meth:`~simulation.model.parameters.Parameter.check` allows).
    """
    parameter = REGISTRY[name]
    low, high = parameter.domain
    corners = [low, high] if math.isfinite(high) else [low, low + 1e6]
    gap = parameter.smallest_positive
    inside = st.floats(low, min(high, 1e9), allow_nan=False)
    return st.sampled_from(corners) | inside.map(lambda v: gap if 0 < v < gap else v)


@st.composite
def valid_documents(draw) -> dict:
    """A short scenario with one to five parameters or levers anywhere in their domains."""
    names = draw(st.lists(st.sampled_from(KEYS["params"] + KEYS["policy"][:-2]), max_size=5))
    doc = {"scenario": {"extends": BASELINE}, "run": {"end_year": 2012}, "params": {}}
    for name in names:
        table = "params" if REGISTRY[name].kind != "lever" else "policy"
        doc.setdefault(table, {})[name] = draw(_in_domain(name))
    return doc


@pytest.mark.slow
@fuzz("valid")
@given(doc=valid_documents())
def test_values_anywhere_in_their_domains_run(doc):
    """What ``validate`` accepts, ``run`` runs: exit 0 and finite national results.

    (A refusal naming the parameter is allowed where the engine cannot integrate the value,
    but never exit 0 with non-finite results.)
    """
    with sandbox() as (root, inputs, out):
        path = inputs / "s.toml"
        _write_toml(path, doc)
        assert run_case(["validate", str(path)], root, out)[0] == 0
        code, _ = run_case(["run", str(path), "--out", str(out), "--lang", "en"], root, out)
        if code == 0:
            (summary,) = out.rglob("summary.csv")
            values = pd.read_csv(summary).select_dtypes("number").to_numpy(float)
            assert np.isfinite(values).all(), doc


@pytest.mark.slow
@fuzz("raw")
@given(position=st.integers(0, 200), junk=st.text(min_size=1, max_size=40))
def test_scenario_text_with_random_characters(position, junk):
    """Random characters inserted into a valid file: a clean refusal or a valid file."""
    text = f'[scenario]\nextends = "{BASELINE}"\n[run]\nend_year = 2010\n'
    mutated = text[:position] + junk + text[position:]
    with sandbox() as (root, inputs, out):
        path = inputs / "s.toml"
        path.write_bytes(mutated.encode("utf-8", "surrogatepass"))
        run_case(["validate", str(path)], root, out)


#: Values of each kind of option: about half valid, half hostile.
OPTION_VALUES = {
    "size": ["1", "2", "3", "2", "-1", "0", "1e3", "1000000000000", "x", ""],
    "year": ["2027", "2028", "2029", "2027", "2045", "3000", "1900", "-5", "x", ""],
    "rate": ["0.03", "0.05", "0", "0.035", "-0.1", "1", "nan", "inf", "x"],
    "scale": ["0.002", "0.001", "0.003", "0", "1.5", "nan", "x"],
    "text": ["sd", "sd", "lt", "en", "sobol", "morris", "npv", "onset_rate", "x", "", "a\x00b"],
    "money": ["45e6", "1e4", "2e5", "0", "-1", "1e12", "nan", "inf", "x"],
    "choice": ["themes", "programmes", "ranges", "history-matched", "paid", "returned", "x", ""],
    "lever": ["budget.preventive", "budget.preventive=0:20", "budget.preventive=5:1", "x=0:1"],
}
OPTIONS = {
    "validate": {},
    "params": {"--kind": "text", "--markdown": None},
    "run": {"--engine": "text", "--seed": "size", "--csv": None, "--lang": "text"},
    "compare": {"--base-year": "year", "--discount-rate": "rate", "--replicates": "size"},
    "sensitivity": {"--n": "size", "--method": "text", "--outcome": "text", "--params": "text"},
    "ensemble": {
        "--samples": "size",
        "--draws": "text",
        "--base-year": "year",
        "--params": "text",
        "--scale": "scale",
        "--scheduler": "text",
    },
    "lifecourse": {"--samples": "size"},
    "programmes": {"--families": "rate", "--years": "size", "--samples": "size"},
    "voi": {
        "--samples": "size",
        "--draws": "choice",
        "--groups": "choice",
        "--exclude-baseline": None,
        "--seed": "size",
        "--lang": "text",
    },
    "discover": {
        "--samples": "size",
        "--points": "size",
        "--draws": "choice",
        "--levers": "lever",
        "--params": "text",
        "--density": "rate",
        "--conditions": "size",
        "--screen": "size",
    },
    "optimise": {
        "--budget": "money",
        "--objective": "text",
        "--quantile": "rate",
        "--unspent": "choice",
        "--search-draws": "size",
        "--generations": "size",
        "--abm-replicates": "size",
        "--need-bands": "size",
        "--no-split-budget": None,
        "--scale": "scale",
    },
    "reality-check": {"--draws": "size", "--abm": None, "--seed": "size"},
}
#: Small sizes first, so that a valid command line costs a second (options drawn later may
#: still replace them with other small or invalid values).
CHEAP = {
    "sensitivity": ["--n", "2"],
    "ensemble": ["--samples", "2", "--scheduler", "serial", "--draws", "ranges"],
    "lifecourse": ["--samples", "20"],
    "programmes": ["--samples", "2"],
    "voi": ["--samples", "20", "--draws", "ranges", "--groups", "themes", "--workers", "1"],
    "discover": ["--samples", "50", "--points", "2", "--draws", "ranges", "--resamples", "0"],
    "optimise": [
        "--samples",
        "20",
        "--search-draws",
        "2",
        "--generations",
        "1",
        "--abm-replicates",
        "1",  # the agent-based check took 13 of a valid line's 20 s with its default 6
        "--scale",
        "0.002",
    ],
}
FILES = ["s.toml"] * 6 + ["/dev/zero", ".", "missing.toml", "../a/b/out"]
#: The decision commands' and the sensitivity study's files also include a scenario ending
#: before its baseline (discover and ``sensitivity --against`` crashed on one).
DECISION_FILES = [*FILES[1:], "short.toml"]
#: Commands whose first argument is a scenario file (reality-check's is optional), and those
#: of them whose baseline is ``--against``.
WITH_FILE = ("validate", "run", "compare", "sensitivity", "ensemble", "voi", "discover", "optimise")
AGAINST = ("sensitivity", "ensemble", "voi", "discover", "optimise")


@st.composite
def argument_vectors(draw) -> list[str]:
    """A command, its files and two to five options with hostile or valid values."""
    command = draw(st.sampled_from(sorted(OPTIONS)))
    argv = [command]
    decisions = ("voi", "discover", "optimise", "reality-check", "sensitivity")
    files = DECISION_FILES if command in decisions else FILES
    if command in WITH_FILE or (command == "reality-check" and draw(st.booleans())):
        argv.append(draw(st.sampled_from(files)))
    if command in AGAINST:
        argv += ["--against", "base.toml"]
    elif command == "compare":
        argv.append("base.toml")
    argv += CHEAP.get(command, [])
    options = st.sampled_from(sorted(OPTIONS[command]) or ["--help"])
    for option in draw(st.lists(options, max_size=3)):
        kind = OPTIONS[command].get(option)
        argv.append(option)
        if kind is not None:
            argv.append(draw(st.sampled_from(OPTION_VALUES[kind])))
    return argv


@pytest.mark.slow
@fuzz("argv")
@given(argv=argument_vectors())
def test_generated_command_lines(argv):
    with sandbox() as (root, inputs, out):
        for name, (parent, end) in PAIR.items():
            _write_toml(inputs / name, {"scenario": {"extends": parent}, "run": {"end_year": end}})
        paths = [str(inputs / a) if a.endswith(".toml") else a for a in argv]
        if paths[0] in ("params", "validate", "programmes", "lifecourse") or "--help" in argv:
            run_case(paths, root, out)
        else:
            run_case([*paths, "--out", str(out)], root, out)


def _mutate(doc: dict, path: tuple[str, ...], value: object) -> dict:
    table = doc
    for key in path[:-1]:
        table = table[key]
    table[path[-1]] = value
    return doc


TARGET_KEYS = [
    ("calibration", "end_year"),
    ("calibration", "data"),
    ("calibration", "scenario"),
    ("calibration", "name"),
    ("fit", "free"),
    ("fit", "starts"),
    ("posterior", "thin"),
    ("posterior", "walkers"),
    ("posterior", "steps"),
    ("abm", "scale"),
]


@pytest.mark.slow
@fuzz("targets")
@given(key=st.sampled_from(TARGET_KEYS), value=VALUES | st.sampled_from(EXTENDS))
def test_generated_targets_files(key, value):
    """A shipped targets file with one key replaced, given to ``calibrate``.

    ``--burn`` above ``--steps`` stops every valid file before the fit, so each case costs
    only the reading.
    """
    import tomllib

    doc = tomllib.loads(TARGETS.read_text(encoding="utf-8"))
    for name in ("data", "scenario", "output"):  # paths relative to the shipped file
        doc["calibration"][name] = str((TARGETS.parent / doc["calibration"][name]).resolve())
    with sandbox() as (root, inputs, out):
        path = inputs / "targets.toml"
        try:
            _write_toml(path, _mutate(doc, key, value))
        except (UnicodeEncodeError, TypeError, ValueError):
            return
        argv = ["calibrate", str(path), "--steps", "2", "--burn", "5", "--out", str(out)]
        code, _ = run_case(argv, root, out)
        assert code == 2


@pytest.mark.slow
@fuzz("posterior")
@given(
    columns=st.lists(st.sampled_from(["onset_rate", "detection_rate", "x", ""]), max_size=3),
    rows=st.lists(st.lists(NUMBERS | TEXT, min_size=3, max_size=3), max_size=4),
)
def test_generated_posterior_files(columns, rows):
    """A CSV of draws with hostile columns and values given to ``ensemble --posterior``."""
    with sandbox() as (root, inputs, out):
        for name in ("s.toml", "base.toml"):
            _write_toml(inputs / name, {"scenario": {"extends": BASELINE}, "run": SHORT_RUN})
        frame = pd.DataFrame([r[: len(columns)] for r in rows], columns=columns or None)
        if not columns:
            frame = pd.DataFrame(rows)
        path = inputs / "posterior.csv"
        frame.to_csv(path, index=False)
        argv = ["ensemble", str(inputs / "s.toml"), "--against", str(inputs / "base.toml")]
        argv += ["--posterior", str(path), "--samples", "2", "--scheduler", "serial"]
        run_case([*argv, "--out", str(out)], root, out)


def test_the_case_count_is_at_least_500():
    """The issue asks for at least 500 generated cases in CI."""
    assert sum(COUNTS.values()) >= 500
