"""Ensembles: executors agree bit for bit, interrupted ensembles resume, failures are kept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.interfaces.cli import main
from simulation.model.catalogue import REGISTRY
from simulation.workflow import ensembles as ens
from simulation.workflow.ensemble_tasks import TaskStore
from simulation.workflow.scenarios import load
from tests.conftest import REPO

SCENARIO = REPO / "scenarios" / "early_intervention.toml"
BASELINE = REPO / "scenarios" / "baseline.toml"
NAMES = [
    "programme.casework.effect.risk_to_crisis",
    "programme.mobile_crisis_team.effect.placement",
    "cost.institutional_care",
]


def _plan(tmp_path: Path, samples: int = 4, names=NAMES, engine="sd", replicates=1):
    settings = ens.EnsembleSettings(
        samples=samples,
        replicates=replicates,
        seed=7,
        engine=engine,
        scale=0.02,
        names=tuple(names),
        base_year=2027,
    )
    return ens.plan(load(SCENARIO), load(BASELINE), settings, tmp_path)


def _results(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    store = TaskStore(folder)
    return store.read("values"), store.read("yearly")


def _run(plan, scheduler, root: Path, workers: int = 2, **kwargs) -> Path:
    folder = root / scheduler.replace(":", "_").replace("/", "_")
    store = TaskStore(folder)
    ens.run_ensemble(plan.ensemble, plan.tasks, store, scheduler, workers, **kwargs)
    return folder


# ---- samples and tasks ----------------------------------------------------------------------
def test_samples_stay_in_their_ranges_and_stratify():
    table = ens.sample_parameters(NAMES, 50, seed=3)
    for name in NAMES:
        low, high = REGISTRY[name].range
        assert table[name].between(low, high).all()
        # Latin hypercube: exactly one sample in each of the 50 equal slices of the range
        slices = np.floor((table[name] - low) / (high - low) * 50).astype(int)
        assert sorted(slices) == list(range(50))


def test_posterior_draws_replace_their_parameters():
    posterior = pd.DataFrame({"escalation_rate": [0.01, 0.02, 0.03]})
    table = ens.sample_parameters(NAMES, 20, seed=3, posterior=posterior)
    assert set(table["escalation_rate"]) <= {0.01, 0.02, 0.03}
    assert list(table.columns) == [*NAMES, "escalation_rate"]


def test_task_seeds_are_distinct_and_do_not_depend_on_order():
    table = ens.sample_parameters(NAMES, 5, seed=3)
    tasks = ens.tasks_for(table, replicates=3, seed=11)
    assert len({t.seed for t in tasks}) == 15
    again = ens.tasks_for(table, replicates=3, seed=11)
    assert [t.seed for t in again] == [t.seed for t in tasks]
    assert len({t.key for t in tasks}) == 15


# ---- executors ----------------------------------------------------------------------------
@pytest.mark.slow
def test_serial_process_pool_and_dask_give_bit_identical_results(tmp_path):
    plan = _plan(tmp_path, samples=2, engine="abm", replicates=2)
    serial = _results(_run(plan, "serial", tmp_path))
    for scheduler in ("processes", "local"):  # local: a Dask LocalCluster on loopback
        other = _results(_run(plan, scheduler, tmp_path))
        pd.testing.assert_frame_equal(serial[0], other[0], check_exact=True)
        pd.testing.assert_frame_equal(serial[1], other[1], check_exact=True)
    assert len(serial[0]) == 4
    assert serial[0]["task"].is_unique


def test_a_failing_task_is_recorded_and_the_others_finish(tmp_path):
    plan = _plan(tmp_path, samples=3)
    bad = ens.Task(9, 0, 1, (("no_such_parameter", 1.0),))
    store = TaskStore(tmp_path / "store")
    ran, failed = ens.run_ensemble(plan.ensemble, [*plan.tasks, bad], store, "serial", 1)
    assert (ran, failed) == (4, 1)
    failures = store.failures()
    assert list(failures["task"]) == [bad.key]
    assert "no_such_parameter" in failures.iloc[0]["error"]
    assert len(store.read("values")) == 3
    # the next run retries only the failed task
    assert ens.run_ensemble(plan.ensemble, [*plan.tasks, bad], store, "serial", 1) == (1, 1)


@pytest.mark.slow
def test_a_killed_dask_worker_loses_and_duplicates_no_results(tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    from simulation.workflow import ensemble_tasks

    monkeypatch.setattr(ensemble_tasks, "SD_BATCH", 2)  # five batches: a kill lands mid-run
    plan = _plan(tmp_path, samples=10)
    expected = _results(_run(plan, "serial", tmp_path))
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        # One client per process at a time: the ensemble opens its own to the address.
        with Client(cluster) as client:
            pids = list(client.run(os.getpid).values())
        killed = threading.Event()

        def kill_one(_task) -> None:
            if not killed.is_set():  # after the first result, mid-run
                os.kill(pids[0], signal.SIGKILL)
                killed.set()

        folder = _run(plan, cluster.scheduler_address, tmp_path, progress=kill_one)
        assert killed.is_set()
        with Client(cluster) as client:  # the nanny restarted the worker
            client.wait_for_workers(2, timeout=60)
            assert pids[0] not in client.run(os.getpid).values()
    got = _results(folder)
    assert got[0]["task"].is_unique
    assert len(got[0]) == len(plan.tasks)
    pd.testing.assert_frame_equal(expected[0], got[0], check_exact=True)
    pd.testing.assert_frame_equal(expected[1], got[1], check_exact=True)


# ---- resuming after SIGKILL ---------------------------------------------------------------
def _command(out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "simulation",
        "ensemble",
        str(SCENARIO),
        "--against",
        str(BASELINE),
        "--samples",
        "12",
        "--params",
        *NAMES,
        "--base-year",
        "2027",
        "--seed",
        "7",
        "--workers",
        "2",
        "--out",
        str(out),
    ]


def _stored(tasks_dir: Path) -> list[str]:
    """Keys of the tasks stored in a task store's ``tasks`` folder (complete folders only)."""
    listings = [p / "tasks.json" for p in tasks_dir.iterdir() if not p.name.startswith(".")]
    return [key for path in listings if path.is_file() for key in json.loads(path.read_text())]


@pytest.mark.slow
def test_an_ensemble_killed_half_way_resumes_without_recomputing(tmp_path):
    out = tmp_path / "results"
    proc = subprocess.Popen(
        _command(out),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # the pool's workers die with it
    )
    deadline = time.monotonic() + 300
    tasks_dir = None
    while time.monotonic() < deadline:
        found = list(out.glob("ensembles/*/*/tasks"))
        if found and len(_stored(found[0])) >= 3:
            tasks_dir = found[0]
            break
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    assert tasks_dir is not None, "no task finished in time"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()  # waits, and closes its pipes
    before = {p.name: p.stat().st_ino for p in tasks_dir.iterdir() if not p.name.startswith(".")}
    stored = len(_stored(tasks_dir))
    assert 3 <= stored < 12  # killed half-way

    rerun = subprocess.run(_command(out), cwd=REPO, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{12 - stored} task(s) now (0 failed); {stored} were already done" in rerun.stdout
    after = {p.name: p.stat().st_ino for p in tasks_dir.iterdir()}
    assert len(_stored(tasks_dir)) == 12
    assert all(after[name] == inode for name, inode in before.items())  # not rewritten

    settings = ens.EnsembleSettings(samples=12, seed=7, names=tuple(NAMES), base_year=2027)
    plan = ens.plan(load(SCENARIO), load(BASELINE), settings, tmp_path / "x")
    assert tasks_dir.parent.name == plan.folder.name  # the same ensemble, the same folder
    expected = _results(_run(plan, "serial", tmp_path))
    got = _results(tasks_dir.parent)
    pd.testing.assert_frame_equal(expected[0], got[0], check_exact=True)
    pd.testing.assert_frame_equal(expected[1], got[1], check_exact=True)
    summary = pd.read_csv(tasks_dir.parent / "summary.csv")
    assert set(summary["value"]) >= {"npv", "bcr", "placements_avoided"}


# ---- summaries and the command line ---------------------------------------------------------
def test_summary_quantiles_and_the_chance_benefits_exceed_costs():
    values = pd.DataFrame({c: np.arange(20.0) for c in ens.VALUE_COLUMNS})
    values["npv"] = np.arange(20.0) - 14.5  # 5 of 20 positive
    table = ens.summary(values)
    assert table.attrs["chance_benefits_exceed_costs"] == pytest.approx(0.25)
    row = table.set_index("value").loc["bcr"]
    assert row["median"] == pytest.approx(9.5)
    assert row["p05"] == pytest.approx(0.95)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--scheduler", "mars"], "expected serial, processes, local or tcp://HOST:PORT"),
        (["--params", "onset_rat"], "did you mean 'onset_rate'"),
        (["--params", "budget.basic"], "'budget.basic' is a lever, not uncertain"),
        (["--samples", "0"], "must be >= 1"),
    ],
)
def test_bad_ensemble_arguments_exit_2_with_one_line(tmp_path, capsys, args, fragment):
    out = tmp_path / "results"
    code = main(["ensemble", str(SCENARIO), "--out", str(out), *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    assert fragment in err[0]
    assert not out.exists()


def test_the_command_draws_from_a_posterior_and_writes_its_summaries(tmp_path, capsys):
    posterior = tmp_path / "posterior.csv"
    pd.DataFrame({"escalation_rate": [0.05, 0.06], "log_posterior": [-1.0, -2.0]}).to_csv(
        posterior, index=False
    )
    out = tmp_path / "results"
    args = ["ensemble", str(SCENARIO), "--samples", "3", "--params", NAMES[0]]
    args += ["--posterior", str(posterior), "--scheduler", "serial", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Chance that benefits exceed costs:" in printed
    assert "(Monte Carlo error: " in printed  # how far other draws could put the chance
    folder = next(out.glob("ensembles/*/*"))
    values = pd.read_parquet(folder / "values.parquet")
    assert set(values["escalation_rate"]) <= {0.05, 0.06}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["posterior"] == str(posterior)
    assert manifest["finished"] == 3
    assert manifest["chance_benefits_exceed_costs"] == pytest.approx((values["npv"] > 0).mean())
    for name in ("value.png", "value.pdf", "summary.csv", "bands.parquet"):
        assert (folder / name).is_file()
    by_outcome = pd.read_csv(folder / "value_by_outcome.csv")
    assert by_outcome["pv_eur"].sum() == pytest.approx(values["benefits"].mean())
    assert (by_outcome["pv_eur_p05"] <= by_outcome["pv_eur_p95"]).all()
    assert (folder / "benefits_by_outcome.png").is_file()
    bad = tmp_path / "bad.csv"
    bad.write_text("not_a_parameter\n1\n", encoding="utf-8")
    assert main([*args[:-6], "--posterior", str(bad), "--out", str(tmp_path / "r2")]) == 2
    assert "unknown parameter column 'not_a_parameter'" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_one_line_and_leaves_no_folder(tmp_path, capsys):
    out = tmp_path / "results"
    args = ["ensemble", str(SCENARIO), "--samples", "2", "--params", NAMES[0]]
    code = main([*args, "--scheduler", "tcp://127.0.0.1:1", "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    assert "cannot connect" in err[0]
    assert not (out / "ensembles").exists()


def test_the_chance_interval_is_the_binomial_sampling_error():
    low, high = ens.chance_interval(0.5, 100)  # 0.5 +- 1.6449 x sqrt(0.25 / 100)
    assert (low, high) == pytest.approx((0.41776, 0.58224), abs=1e-5)
    assert ens.chance_interval(0.0, 50) == (0.0, 0.0)
    assert ens.chance_interval(0.98, 10)[1] == 1.0  # within [0, 1]


# ---- one uncertainty: the briefing's draws ------------------------------------------------
@pytest.mark.slow
def test_the_default_ensemble_runs_the_briefing_draws_and_gives_its_chance(tmp_path, capsys):
    """By default an ensemble runs the briefing's history-matched draws (same samples and
    seed), so both commands report the same chance that benefits exceed costs.
    """
    from simulation.analysis import briefing_numbers, monte_carlo
    from simulation.workflow import shipped

    base, early, targets = load(BASELINE), load(SCENARIO), shipped.targets_path()
    kept = monte_carlo.plausible_draws(base, [early], 100, 5, targets)
    args = ["ensemble", str(SCENARIO), "--samples", "100", "--seed", "5"]
    assert main([*args, "--scheduler", "serial", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert kept.kept == 100
    assert kept.drawn > 100
    assert f"100 draws kept of {kept.drawn:,} drawn" in printed
    assert "history matching" in printed
    folder = next(tmp_path.glob("ensembles/*/*"))
    values = pd.read_parquet(folder / "values.parquet").sort_values("sample")
    columns = list(kept.table.columns)
    np.testing.assert_array_equal(values[columns].to_numpy(), kept.table.to_numpy())
    brief = briefing_numbers.compute(base, [early], 100, 5, targets).key_numbers
    row = brief[brief["measure"] == "chance_benefits_exceed_costs"].iloc[0]
    assert row["runs"] == kept.kept
    # the same draws, and the ensemble's batches integrate them as the briefing does
    assert float((values["npv"] > 0).mean()) == pytest.approx(row["central"], abs=1e-12)


def test_history_matched_draws_refuse_parameter_ranges(tmp_path, capsys):
    args = ["ensemble", str(SCENARIO), "--draws", "history-matched", "--params", NAMES[0]]
    assert main([*args, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "use them with --draws ranges" in err[0]
    assert not (tmp_path / "ensembles").exists()


def test_sd_batches_give_each_task_the_rows_it_gets_alone(tmp_path):
    """The SD engine runs a batch of tasks in one integration per scenario; every task's
    values and yearly rows are those of running it alone (to floating-point rounding).
    """
    from simulation.workflow import ensemble_tasks as et

    plan = _plan(tmp_path, samples=5)
    batched = et.run_batch(plan.ensemble, plan.tasks)
    assert len(batched) == len(plan.tasks)
    for task, rows in zip(plan.tasks, batched, strict=True):
        alone = et.run_task(plan.ensemble, task)
        for part in ("values", "yearly"):
            pd.testing.assert_frame_equal(rows[part], alone[part], rtol=1e-10, atol=1e-6)
    split = et.batches(plan.tasks, 2)
    assert [b.tasks for b in split] == [
        tuple(plan.tasks[:2]),
        tuple(plan.tasks[2:4]),
        (plan.tasks[4],),
    ]
    assert len({b.key for b in split}) == 3  # Dask names each batch by its key
