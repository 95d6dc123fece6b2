"""Benchmark: the reference flows in Starsim, in mesa-frames and in prevsim's fast engine.

The reference flows (:mod:`benchmarks.abm_reference`): the continuous-time Markov chain of
:data:`simulation.model.flows.HAZARD_FLOWS` with constant hazards (every service budget zero,
no heterogeneity), monthly from 2009, new families entering wellbeing. Each peer runs in its
own virtual environment under ``--env-dir`` (default ``.bench-envs/``), created with
``python -m venv`` and filled by pip from PyPI on first use, as a subprocess on the same
configuration (families, years, hazards, entries, seed), written the way its documentation
recommends:

- **Starsim** (``starsim``): a ``ss.Module`` with an integer state array, vectorised over
  the agents' ids with Starsim's random-number distributions; leaving families die
  (``people.request_death``), new ones are added by ``people.grow``;
- **mesa-frames** (``mesa-frames``): an ``AgentSetPolars`` whose ``step`` moves every family
  with Polars expressions.

Both peers take at most one move per family a month (probability ``1 - exp(-h/12)``,
target in proportion to the option hazards), the idiomatic discrete-time form; prevsim's
engine moves through every event within the month. Final state counts are printed side by
side so that the comparison is seen to be of the same model. Family-steps are families
present at a month's start, summed over months. A peer that cannot be installed or fails
prints one line and gets ``null``. The report ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks.abm_reference import ZERO_BUDGETS, hazard_table, national_families
from simulation.engines.abm import FamilyWelfareModel
from simulation.engines.sd import LAYOUT, SDModel
from simulation.model.states import N_STATES, STATE_KEYS
from simulation.model.vocabulary import START_YEAR

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 3.0
#: peer name -> what pip installs into its environment
PEERS = {"starsim": "starsim", "mesa_frames": "mesa-frames"}

STARSIM_CODE = r'''
import json, sys, time
import numpy as np
import starsim as ss

cfg = json.load(open(sys.argv[1]))
targets = np.array(cfg["targets"])  # (states, options): target state, -1 leaves
hazards = np.array(cfg["hazards"])  # (states, options): 1/yr
total = hazards.sum(axis=1)
p_move = 1.0 - np.exp(-total / 12.0)
cumulative = np.cumsum(hazards, axis=1) / np.where(total > 0, total, 1.0)[:, None]


class Families(ss.Module):
    """Families moving between welfare states: at most one move a month."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.define_states(ss.IntArr("state", default=0))
        self.u_move = ss.random()
        self.u_option = ss.random()
        self.entries = np.random.default_rng(cfg["seed"] + 1)
        self.family_steps = 0

    def init_post(self):
        super().init_post()
        counts = np.array(cfg["initial"])
        self.state[self.sim.people.auids] = np.repeat(np.arange(len(counts)), counts)

    def step(self):
        people = self.sim.people
        alive = people.auids
        self.family_steps += len(alive)
        state = self.state[alive]
        movers = alive[self.u_move.rvs(alive) < p_move[state]]
        from_state = self.state[movers]
        u = self.u_option.rvs(movers)
        option = (cumulative[from_state] <= u[:, None]).sum(axis=1)
        option = np.minimum(option, targets.shape[1] - 1)
        to_state = targets[from_state, option]
        people.request_death(movers[to_state < 0])
        stay = to_state >= 0
        self.state[movers[stay]] = to_state[stay]
        n_new = self.entries.poisson(cfg["entries"][min(self.ti, len(cfg["entries"]) - 1)])
        new = people.grow(int(n_new))
        self.state[new] = 0


start = time.perf_counter()
sim = ss.Sim(
    n_agents=int(sum(cfg["initial"])),
    modules=Families(),
    start=cfg["start_year"],
    stop=cfg["start_year"] + cfg["months"] / 12.0,
    dt=1 / 12,
    rand_seed=cfg["seed"],
    use_aging=False,
    verbose=0,
)
sim.init()
built = time.perf_counter()
sim.run()
done = time.perf_counter()
mod = sim.get_module("families")
final = np.bincount(mod.state[sim.people.auids], minlength=len(cfg["initial"]))
print(json.dumps({"run_s": done - built, "family_steps": mod.family_steps,
                  "final": final.tolist(), "version": ss.__version__}))
'''

MESA_FRAMES_CODE = r'''
import json, sys, time
import numpy as np
import polars as pl
from mesa_frames import AgentSetPolars, ModelDF

cfg = json.load(open(sys.argv[1]))
targets = np.array(cfg["targets"])
hazards = np.array(cfg["hazards"])
total = hazards.sum(axis=1)
p_move = pl.Series(1.0 - np.exp(-total / 12.0))
cumulative = np.cumsum(hazards, axis=1) / np.where(total > 0, total, 1.0)[:, None]
n_options = targets.shape[1]


class Families(AgentSetPolars):
    """Families moving between welfare states: at most one move a month, in Polars."""

    def __init__(self, model, counts):
        super().__init__(model)
        state = np.repeat(np.arange(len(counts)), counts)
        self.next_id = len(state)
        self += pl.DataFrame(
            {"unique_id": np.arange(len(state), dtype=np.int64), "state": state.astype(np.int8)}
        )
        self.family_steps = 0

    def step(self):
        rng = self.model.random
        n = len(self.agents)
        self.family_steps += n
        df = self.agents.with_columns(
            u_move=pl.Series(rng.random(n)), u_option=pl.Series(rng.random(n))
        )
        df = df.with_columns(p=pl.col("state").replace_strict(list(range(len(total))), p_move))
        option = pl.lit(0)
        for j in range(n_options - 1):  # the option is the number of cumulative bounds passed
            bound = pl.col("state").replace_strict(
                list(range(len(total))), pl.Series(cumulative[:, j])
            )
            option = option + (pl.col("u_option") >= bound).cast(pl.Int8)
        df = df.with_columns(option=option)
        key = pl.col("state").cast(pl.Int32) * n_options + pl.col("option")
        new_state = key.replace_strict(
            list(range(targets.size)), pl.Series(targets.ravel().astype(np.int8))
        )
        moved = df.select(
            pl.when(pl.col("u_move") < pl.col("p")).then(new_state).otherwise(pl.col("state"))
        ).to_series()
        self["state"] = moved
        leaving = self.agents.filter(pl.col("state") < 0)["unique_id"]
        if len(leaving):
            self.remove(leaving)
        month = self.model.month
        n_new = int(rng.poisson(cfg["entries"][min(month, len(cfg["entries"]) - 1)]))
        if n_new:
            ids = np.arange(self.next_id, self.next_id + n_new, dtype=np.int64)
            self.next_id += n_new
            self += pl.DataFrame({"unique_id": ids, "state": np.zeros(n_new, np.int8)})


class Welfare(ModelDF):
    def __init__(self):
        super().__init__(seed=cfg["seed"])
        self.month = 0
        self.families = Families(self, cfg["initial"])
        self.agents += self.families

    def step(self):
        self.agents.do("step")
        self.month += 1


start = time.perf_counter()
model = Welfare()
built = time.perf_counter()
for _ in range(cfg["months"]):
    model.step()
done = time.perf_counter()
final = np.bincount(model.families.agents["state"].to_numpy(), minlength=len(cfg["initial"]))
import mesa_frames
print(json.dumps({"run_s": done - built, "family_steps": model.families.family_steps,
                  "final": final.tolist(), "version": getattr(mesa_frames, "__version__", "?")}))
'''

CODE = {"starsim": STARSIM_CODE, "mesa_frames": MESA_FRAMES_CODE}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The benchmark's options, from ``argv`` (default: ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--families",
        type=float,
        default=0,
        help="families at the start (default: Lithuania's, about 443,000, as the national run); "
        "prevsim's fixed cost per month (60 municipal agents, services, hazard tables, data "
        "collection: about 2.5 ms) weighs more on fewer families",
    )
    parser.add_argument("--years", type=int, default=10, help="years simulated")
    parser.add_argument("--seed", type=int, default=0, help="seed of every model")
    parser.add_argument(
        "--env-dir", type=Path, default=ROOT / ".bench-envs", help="peers' environments"
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per peer step")
    args = parser.parse_args(argv)
    if args.years < 1 or args.families < 0:
        parser.error("--years must be positive and --families not negative")
    return args


def configuration(families: float, years: int, seed: int) -> dict:
    """The reference flows' configuration shared by every model (JSON-ready).

    Initial counts are drawn once (stochastic rounding of the expected stocks, as the
    engines draw them) and given to the peers; hazards and monthly entries are prevsim's.
    ``families`` 0 means every family in Lithuania (scale 1).
    """
    end_year = START_YEAR + years - 1
    scale = families / national_families(levers=ZERO_BUDGETS) if families else 1.0
    sd = SDModel(levers=ZERO_BUDGETS, end_year=end_year)
    expected = sd.initial_state()[0, 0, LAYOUT.stocks] * scale
    rng = np.random.default_rng(seed)
    initial = np.floor(expected).astype(int)
    initial += rng.random(N_STATES) < expected - initial
    table = hazard_table(levers=ZERO_BUDGETS)
    width = max(len(o) for o in table.values())
    targets = np.full((N_STATES, width), -1)
    hazards = np.zeros((N_STATES, width))
    for state, options in table.items():
        for j, option in enumerate(options):
            targets[state, j] = -1 if option.target is None else int(option.target)
            hazards[state, j] = option.hazard
    return {
        "scale": scale,
        "end_year": end_year,
        "start_year": START_YEAR,
        "months": sd.n_months,
        "seed": seed,
        "initial": initial.tolist(),
        "targets": targets.tolist(),
        "hazards": hazards.tolist(),
        "entries": (sd.entries[:, 0, 0] * scale / 12.0).tolist(),
    }


def prevsim_run(config: dict) -> dict:
    """The prevsim fast engine on the configuration: family-steps, time and final counts."""
    model = FamilyWelfareModel(
        levers=ZERO_BUDGETS,
        heterogeneity=False,
        end_year=config["end_year"],
        seed=config["seed"],
        scale=config["scale"],
    )
    start = time.perf_counter()
    model.run()
    elapsed = time.perf_counter() - start
    stocks = model.stocks.sum(axis=1)
    return {
        "run_s": elapsed,
        "family_steps": float(stocks[:-1].sum()),
        "final": stocks[-1].round().astype(int).tolist(),
    }


def environment(name: str, env_dir: Path, timeout: float) -> Path:
    """The peer's Python, in its own virtual environment (created and filled on first use)."""
    env = env_dir / name
    python = env / "bin" / "python"
    stamp = env / ".installed"
    if stamp.exists():
        return python
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(env)], check=True, capture_output=True, timeout=timeout)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", PEERS[name]],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
    stamp.touch()
    return python


def peer_run(name: str, config_file: Path, args: argparse.Namespace) -> dict | None:
    """Install (if needed) and run one peer; ``None`` with a one-line message on failure."""
    try:
        python = environment(name, args.env_dir, args.timeout)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"  {name}: could not install {PEERS[name]!r} ({type(exc).__name__}); skipped")
        return None
    script = args.env_dir / f"peer_{name}.py"
    script.write_text(CODE[name])
    env = {**os.environ, "STARSIM_INSTALL_FONTS": "0", "PYTHONWARNINGS": "ignore"}
    try:
        done = subprocess.run(
            [str(python), str(script), str(config_file)],
            capture_output=True,
            text=True,
            timeout=args.timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        print(f"  {name}: no result within {args.timeout:g} s; skipped")
        return None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        print(f"  {name}: the model failed ({last}); skipped")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark, print the report and the JSON line; return the figures."""
    args = parse_args(argv)
    args.env_dir.mkdir(parents=True, exist_ok=True)
    config = configuration(args.families, args.years, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        config_file = Path(tmp) / "config.json"
        config_file.write_text(json.dumps(config))
        runs: dict[str, dict | None] = {}
        for name in PEERS:
            print(f"{name} ...", flush=True)
            runs[name] = peer_run(name, config_file, args)
    print("prevsim ...", flush=True)
    runs["prevsim"] = prevsim_run(config)
    rates = {
        name: None if run is None else run["family_steps"] / run["run_s"]
        for name, run in runs.items()
    }
    return report(args, config, runs, rates)


def report(args, config: dict, runs: dict, rates: dict) -> dict[str, object]:
    """Print the side-by-side table and the JSON line."""
    print()
    print(
        f"Reference flows: {sum(config['initial']):,} families, {args.years} years "
        f"({config['months']} months), seed {args.seed}"
    )
    states = ", ".join(STATE_KEYS)
    print(f"{'model':<12} {'run s':>8} {'family-steps/s':>16}  final counts ({states})")
    for name, run in runs.items():
        if run is None:
            print(f"{name:<12} {'-':>8} {'-':>16}  (not run)")
            continue
        print(f"{name:<12} {run['run_s']:>8.2f} {rates[name]:>16,.0f}  {run['final']}")
    prevsim = rates["prevsim"]
    figures: dict[str, object] = {
        f"{name}_family_steps_per_s": None if rate is None else round(rate)
        for name, rate in rates.items()
    }
    for name in PEERS:
        ratio = None if rates[name] is None else round(prevsim / rates[name], 2)
        figures[f"ratio_vs_{name}"] = ratio
        if ratio is not None:
            verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
            print(f"prevsim / {name}: {ratio:.1f}x (target >= {TARGET_RATIO:g}: {verdict})")
    figures["families"] = sum(config["initial"])
    figures["years"] = args.years
    figures["seed"] = args.seed
    figures["final_counts"] = {n: (None if r is None else r["final"]) for n, r in runs.items()}
    figures["versions"] = {n: (None if r is None else r.get("version")) for n, r in runs.items()}
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
