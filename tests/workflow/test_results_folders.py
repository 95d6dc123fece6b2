"""Results folders: built only inside ``--out``, written by one process, never read half-made.

Regression tests of issue 19: scenario names that are paths escaped the results folder; two
ensembles on one folder gave a wrong summary (a leftover temporary read as a task); a killed
run's temporary folder was never removed. Names are checked by the scenario loader too; these
tests reach the store without it (defence in depth).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.model.errors import InputError
from simulation.workflow import compare as cmp
from simulation.workflow import ensembles as ens
from simulation.workflow import store as st
from simulation.workflow.scenarios import load
from tests.conftest import REPO

SCENARIO = REPO / "scenarios" / "early_intervention.toml"
BASELINE = REPO / "scenarios" / "baseline.toml"
NAMES = ["programme.casework.effect.risk_to_crisis", "cost.institutional_care"]
ESCAPES = [
    "../../x",
    "/tmp/prevsim-escape",
    "../" * 40 + "tmp/prevsim-escape",
    "a/../../b",
    "..",
    ".hidden",
    "a\\b",
    "x\x00y",
    "",
    "n" * 300,
]


def _tree(root: Path) -> set[str]:
    """Every path under ``root`` (relative), to see that nothing was written."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _ensemble_args(out: Path) -> list[str]:
    return [
        "ensemble",
        str(SCENARIO),
        "--against",
        str(BASELINE),
        "--samples",
        "6",
        "--engine",
        "sd",
        "--draws",
        "ranges",
        "--params",
        *NAMES,
        "--base-year",
        "2027",
        "--scheduler",
        "serial",
        "--out",
        str(out),
    ]


def _dead_pid() -> int:
    """The pid of a process that has ended (and was reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# ---- paths --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ESCAPES)
def test_a_name_that_is_not_one_plain_folder_name_is_refused(tmp_path, name):
    root = tmp_path / "out"
    with pytest.raises(InputError) as error:
        st.run_folder(root, "runs", name, "abc")
    message = str(error.value)
    assert len(message.splitlines()) == 1
    assert len(message) < 300  # a huge name is cut short
    assert repr(name[:20])[:-1] in message  # it names the name
    assert _tree(tmp_path) == set()  # nothing written, not even the root


def test_a_symbolic_link_out_of_the_root_is_refused(tmp_path):
    root, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    (root / "runs").mkdir(parents=True)
    elsewhere.mkdir()
    (root / "runs" / "linked").symlink_to(elsewhere)
    with pytest.raises(InputError, match="resolves outside the results folder"):
        st.run_folder(root, "runs", "linked", "abc")
    assert st.run_folder(root, "runs", "plain", "abc").parent == root / "runs" / "plain"


@pytest.mark.parametrize("root", ["", "  ", None, "a\x00b"])
def test_an_empty_results_root_is_refused(root):
    with pytest.raises(InputError, match=r"^--out"):
        st.check_root(root)
    with pytest.raises(InputError, match=r"^--out"):
        st.Output(root=root)


def test_run_comparison_and_ensemble_writers_stay_inside_the_root(tmp_path):
    """The writers of ``run``, ``compare`` and ``ensemble``, given a name that is a path."""
    from simulation.reports.comparison import write_comparison
    from simulation.reports.run import write_run
    from simulation.workflow.runner import RunResult

    root, base = tmp_path / "out", load(BASELINE)
    for name in ("../../x", str(tmp_path / "abs"), "../" * 30 + str(tmp_path / "deep")):
        evil = replace(load(SCENARIO), name=name)
        with pytest.raises(InputError):
            write_run(RunResult(evil, {}, None, None, None), st.Output(root))
        settings = ens.EnsembleSettings(samples=2, names=tuple(NAMES), base_year=2027)
        with pytest.raises(InputError):
            ens.plan(evil, base, settings, root)
        with pytest.raises(InputError):
            ens.plan(base, evil, settings, root)
    comparison = cmp.run_comparison([base, replace(load(SCENARIO), name="../../x")])
    with pytest.raises(InputError, match=r"name '\.\./\.\./x-vs-baseline': "):
        write_comparison(comparison, 0.05, 2027, st.Output(root))
    assert _tree(tmp_path) == set()


# ---- temporaries ----------------------------------------------------------------------------
def test_a_killed_runs_temporary_folder_is_removed_by_the_next_run(tmp_path):
    root = tmp_path / "out"
    folder = root / "runs" / "baseline"
    dead = folder / f".20260101-000000-abc.tmp-{_dead_pid()}-{st.HOST}"
    legacy = root / "comparisons" / "a-vs-b" / f".20260101-000000-abc.tmp-{_dead_pid()}"
    live = folder / f".20260101-000001-abc.tmp-{os.getpid()}-{st.HOST}"
    other_host = folder / f".20260101-000002-abc.tmp-{_dead_pid()}-00000000"
    old = folder / f".20260101-000003-abc.tmp-{os.getpid()}-00000000"
    mine = folder / ".keep"  # not a temporary's name: never ours to remove
    for path in (dead, legacy, live, other_host, old, mine):
        path.mkdir(parents=True)
        (path / "timeseries.parquet").write_bytes(b"partial")
    hours_ago = time.time() - st.STALE_AFTER - 60
    os.utime(old, (hours_ago, hours_ago))
    st.run_folder(root, "runs", "early_intervention", "abc")
    assert not dead.exists()
    assert not legacy.exists()
    assert not old.exists()
    assert live.exists()
    assert other_host.exists()
    assert mine.exists()
    assert st.TEMPORARY.match(st.temporary_path(folder / "x").name)
    assert not st.stale(st.temporary_path(folder / "x"))  # this process's own


def test_a_leftover_temporary_task_folder_is_not_read_and_is_removed(tmp_path):
    """The failure of issue 19: a leftover temporary read as a task (7 rows for 6)."""
    plan = ens.plan(
        load(SCENARIO),
        load(BASELINE),
        ens.EnsembleSettings(samples=3, names=tuple(NAMES), base_year=2027),
        tmp_path,
    )
    store, ran, _ = ens.run(plan, "serial", 1)
    expected = store.read("values")
    store.close()
    tasks = plan.folder / "tasks"
    complete = next(p for p in tasks.iterdir() if not p.name.startswith("."))
    leftovers = [
        tasks / f".tmp-{complete.name}-{_dead_pid()}",  # an older store's name
        tasks / f".{complete.name}.tmp-{os.getpid() + 1}-{st.HOST}",  # even a live writer's
        plan.folder / ".charts.tmp",
    ]
    for leftover in leftovers:
        shutil.copytree(complete, leftover)
    (plan.folder / f".summary.csv.tmp-{_dead_pid()}-{st.HOST}").write_text("half")
    with ens.TaskStore(plan.folder) as again:  # locked: every temporary is a leftover
        got = again.read("values")
        assert all(again.done(task) for task in plan.tasks)
    assert ran == 3
    assert len(got) == 3
    assert got["task"].is_unique
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert sorted(p.name for p in plan.folder.glob(".*")) == []  # the lock file is gone too
    assert not any(p.name.startswith(".") for p in tasks.iterdir())


def test_a_task_stored_twice_is_read_once(tmp_path):
    """A store damaged by the old race (one batch in two folders) reads each task once."""
    plan = ens.plan(
        load(SCENARIO),
        load(BASELINE),
        ens.EnsembleSettings(samples=2, names=tuple(NAMES), base_year=2027),
        tmp_path,
    )
    store, _, _ = ens.run(plan, "serial", 1)
    expected = store.read("yearly")
    for folder in list((plan.folder / "tasks").iterdir()):
        shutil.copytree(folder, folder.with_name(folder.name + "+"))
    pd.testing.assert_frame_equal(store.read("yearly"), expected, check_exact=True)
    store.close()


# ---- the lock -------------------------------------------------------------------------------
HOLD = """
import sys
from simulation.workflow import store
store.lock_folder(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_folder_locked_by_another_process_is_refused_then_taken_over(tmp_path):
    folder = tmp_path / "store"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(st.FolderBusy) as busy:
            ens.TaskStore(folder)
        assert f"pid {holder.pid} on " in str(busy.value)
        assert len(str(busy.value).splitlines()) == 1
        assert _tree(folder) == {".lock"}  # the refused store created nothing
    finally:
        holder.kill()  # SIGKILL: its lock file stays, its lock goes with it
        holder.communicate()
    assert (folder / ".lock").read_text().startswith(f"{holder.pid} ")
    with ens.TaskStore(folder) as store:  # a dead process's lock is taken over
        assert (folder / ".lock").read_text().startswith(f"{os.getpid()} ")
        with ens.TaskStore(folder):  # this process may open it twice
            pass
        assert (folder / ".lock").exists()  # still held by the first store
        assert store.read("values").empty
    assert not (folder / ".lock").exists()


def test_a_second_ensemble_on_a_locked_folder_exits_2_with_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(_ensemble_args(out)) == 0
    folder = next(out.glob("ensembles/*/*"))
    before = _tree(out)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        capsys.readouterr()
        assert main(_ensemble_args(out)) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1
        assert "is writing these results" in err[0]
    finally:
        holder.kill()
        holder.communicate()
    assert _tree(out) == before | {str((folder / ".lock").relative_to(out))}


@pytest.mark.slow
def test_two_concurrent_ensembles_give_one_correct_result_or_a_clean_refusal(tmp_path):
    """Real processes on one ``--out``: each either succeeds with the summary a single run
    gives, or stops with one line (exit 2); never a wrong summary.
    """
    reference = tmp_path / "reference"
    assert main(_ensemble_args(reference)) == 0
    expected = pd.read_csv(next(reference.glob("ensembles/*/*/summary.csv")))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "simulation", *_ensemble_args(out)]
    procs = [
        subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes in ([0, 0], [0, 2]), results
    for code, _, err in results:
        if code == 2:
            assert len(err.decode().strip().splitlines()) == 1, err
            assert b"is writing these results" in err
    folder = next(out.glob("ensembles/*/*"))
    assert folder.relative_to(out) == next(reference.glob("ensembles/*/*")).relative_to(reference)
    pd.testing.assert_frame_equal(pd.read_csv(folder / "summary.csv"), expected)
    values = pd.read_parquet(folder / "values.parquet")
    assert len(values) == 6
    assert values["task"].is_unique
    assert list(folder.rglob(".*")) == []  # no temporary, no lock file left


def test_the_manifest_records_every_package_that_shapes_results():
    """Each recorded package is a dependency and installed; the decision commands' are there."""
    import tomllib

    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {d.split(">")[0].split("[")[0].split("<")[0].strip().lower() for d in deps}
    recorded = st.package_versions()
    for package in st.PACKAGES[1:]:
        assert package.lower() in names, package
        assert recorded[package] != "not installed", package
    assert {"scikit-learn", "ema_workbench", "babel", "openpyxl"} <= set(st.PACKAGES)
