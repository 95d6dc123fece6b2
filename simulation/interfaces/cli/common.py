"""What every ``prevsim`` command shares.

The usage error, the parser, argument types, common options, scenario loading with
command-line overrides; :class:`Progress` (from :mod:`.progress`) is re-exported here.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from simulation.interfaces.cli.progress import Progress as Progress  # for the commands
from simulation.model.vocabulary import ENGINES, LANGS, LAST_YEAR, REPLICATE_SCALE, START_YEAR

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: ``--draws`` of the commands valuing uncertainty draws (ensemble, discover, voi).
DRAWS = ("history-matched", "ranges")


class UsageError(Exception):
    """Bad input from the user; the message is one line."""


class _Formatter(argparse.HelpFormatter):
    """Wraps descriptions as usual, but keeps the line breaks of a list of examples."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.lower().startswith("examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2.

    Its epilog (the examples) keeps its line breaks.
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        """Raise :class:`UsageError` with ``message`` and a pointer to ``--help``."""
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def say(line: str) -> None:
    """One line on standard error, escaped where a terminal would not print it as-is.

    File names and values in it come from the user's files and arguments.
    """
    from simulation.model.files import printable

    print(printable(line), file=sys.stderr)


# ---- argument types -------------------------------------------------------------------------
def int_at_least(low: int):
    """An argparse type: a whole number >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        return value

    return parse


def float_in(low: float, high: float, example: str):
    """An argparse type: a number in ``[low, high]``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number such as {example}, got {text!r}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be in [{low:g}, {high:g}], got {value:g}")
        return value

    return parse


def int_in(low: int, high: int):
    """An argparse type: a whole number in ``[low, high]`` (the message names both)."""
    at_least = int_at_least(low)

    def parse(text: str) -> int:
        value = at_least(text)
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}, got {value:,}")
        return value

    return parse


#: Largest sizes a command accepts: beyond them a run would need more memory than a large
#: workstation has (a sample table of N x 109 parameters, a Sobol design of N (2D + 2)
#: rows) or days of computing; the message names the limit.
MAX_SAMPLES = 100_000
MAX_SOBOL_N = 16_384
MAX_REPLICATES = 1_000
MAX_WORKERS = 512
MAX_SEED = 2**63 - 1

non_negative_int = int_in(0, MAX_SEED)
positive_int = int_in(1, MAX_SEED)
samples = int_in(1, MAX_SAMPLES)
workers = int_in(1, MAX_WORKERS)
seed = int_in(0, MAX_SEED)
year = int_in(2010, LAST_YEAR)  # a holdout needs at least the first year of data before it
base_year = int_in(START_YEAR, LAST_YEAR)
rate = float_in(0.0, 0.5, "0.03 (3%)")
scale = float_in(1e-4, 1.0, "0.2")


def scheduler(text: str) -> str:
    """An argparse type: ``serial``, ``processes``, ``local`` or ``tcp://HOST:PORT``."""
    from urllib.parse import urlsplit

    if text in ("serial", "processes", "local"):
        return text
    try:
        parts = urlsplit(text)
        valid = parts.scheme == "tcp" and bool(parts.hostname) and parts.port is not None
    except ValueError:  # a port that is not a number, or out of range
        valid = False
    if not valid:
        raise argparse.ArgumentTypeError(
            f"expected serial, processes, local or tcp://HOST:PORT, got {text[:80]!r}"
        )
    return text


class UniqueNames(argparse.Action):
    """Keep a list of names, refusing one given twice."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        """Store ``values``; an :class:`argparse.ArgumentError` if one is repeated."""
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise argparse.ArgumentError(self, f"{', '.join(twice)} given more than once")
        setattr(namespace, self.dest, list(values))


def port(text: str) -> int:
    """An argparse type: a TCP port, 1-65535."""
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be <= 65535, got {value}")
    return value


# ---- options ----------------------------------------------------------------------------------
def command_parser(sub, name: str, help: str, examples: str, description: str | None = None):
    """A command's parser: its one-line ``help``, a ``description`` and its examples."""
    return sub.add_parser(name, help=help, description=description or None, epilog=examples)


def add_against(p: argparse.ArgumentParser, help: str, type=str) -> None:
    """``--against BASELINE``: the scenario valued against."""
    p.add_argument("--against", type=type, default=None, metavar="BASELINE", help=help)


def against_or_beside(against: str | None, scenario: str | Path) -> str:
    """``--against``, or by default ``baseline.toml`` beside the (first) ``scenario`` file."""
    return against or str(Path(scenario).with_name("baseline.toml"))


def add_params(p: argparse.ArgumentParser, help: str) -> None:
    """``--params NAME...``: the uncertain parameters varied."""
    p.add_argument(
        "--params", nargs="+", metavar="NAME", default=None, action=UniqueNames, help=help
    )


def add_seed(p: argparse.ArgumentParser, default: int = 0) -> None:
    """``--seed N``: the root seed of the samples."""
    p.add_argument(
        "--seed",
        type=seed,
        default=default,
        metavar="N",
        help=f"root seed of the random draws; the same seed gives the same results "
        f"(default: {default})",
    )


def add_abm_sampling(p: argparse.ArgumentParser, replicates: int, what: str) -> None:
    """``--replicates R`` and ``--scale S`` of replicated agent-based runs."""
    p.add_argument(
        "--replicates",
        type=int_in(1, MAX_REPLICATES),
        default=replicates,
        metavar="R",
        help=f"abm: {what} (default {replicates}; sd is deterministic: 1)",
    )
    p.add_argument(
        "--scale",
        type=scale,
        default=REPLICATE_SCALE,
        metavar="S",
        help=f"abm: share of families simulated (default {REPLICATE_SCALE:g})",
    )


def add_discounting(p: argparse.ArgumentParser) -> None:
    """``--discount-rate R`` and ``--base-year YEAR``."""
    p.add_argument(
        "--discount-rate",
        type=rate,
        default=None,
        metavar="R",
        help="annual discount rate, e.g. 0.03 (default: the registry's discount_rate)",
    )
    p.add_argument(
        "--base-year",
        type=base_year,
        default=None,
        metavar="YEAR",
        help="year values are discounted to (default: the first year the scenarios differ)",
    )


def add_out(p: argparse.ArgumentParser) -> None:
    """``--out DIR``: the results root folder."""
    p.add_argument(
        "--out",
        type=out_folder,
        default=Path("results"),
        metavar="DIR",
        help="results root folder (default: results)",
    )


def add_output(p: argparse.ArgumentParser) -> None:
    """``--out`` and ``--lang`` (of chart labels)."""
    add_out(p)
    p.add_argument(
        "--lang", choices=LANGS, default=LANGS[0], help="language of chart labels (default: lt)"
    )


def add_run_options(p: argparse.ArgumentParser) -> None:
    """``--engine``, ``--seed``, ``--scale``, ``--csv`` and the output options."""
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default=None,
        help="simulation engine: sd (system dynamics) or abm (agent-based); "
        "default: the scenario's [run] engine, normally sd",
    )
    p.add_argument(
        "--seed",
        type=seed,
        default=None,
        metavar="N",
        help="root random seed (default: the scenario's [run] seed)",
    )
    p.add_argument(
        "--scale",
        type=scale,
        default=None,
        metavar="S",
        help="abm only: share of families simulated, in (0, 1]; results are rescaled to "
        "national totals (default: the scenario's, normally 1)",
    )
    p.add_argument("--csv", action="store_true", help="also write time series as CSV")
    add_output(p)


def add_workers(p: argparse.ArgumentParser, what: str) -> None:
    """``--workers K``: processes, all cores by default."""
    p.add_argument(
        "--workers",
        type=workers,
        default=os.cpu_count() or 1,
        metavar="K",
        help=f"{what} (default: all cores)",
    )


def output(args: argparse.Namespace):
    """Where and how the command writes (:class:`simulation.workflow.store.Output`)."""
    from simulation.workflow.store import Output

    return Output(
        root=args.out,
        lang=getattr(args, "lang", LANGS[0]),
        command=args.command_line,
        csv=getattr(args, "csv", False),
    )


def check_out(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` that cannot be written, before any work starts.

    It must name a folder (existing or not); the nearest existing folder on its path must be
    writable, so an unwritable root is found now, not after an hour of simulation.
    """
    out = getattr(args, "out", None)
    if out is None:
        return
    import tempfile

    command = f"prevsim {args.command}: --out"
    text = str(out)
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{command} {text}: is a file; give a folder")
    existing = path.absolute()
    while not existing.exists():
        existing = existing.parent
    try:  # a probe, removed at once: permissions alone miss read-only and special file systems
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        why = exc.strerror or exc
        raise UsageError(f"{command} {text}: cannot write into {existing} ({why})") from None


def out_folder(text: str) -> Path:
    """An argparse type: a folder name (not empty, no NUL byte)."""
    if not text.strip() or "\x00" in text:
        raise argparse.ArgumentTypeError(f"{text[:80]!r} is not a folder name (e.g. results)")
    return Path(text)


def check_base_year(command: str, base_year: int | None, scenarios) -> None:
    """Refuse a ``--base-year`` after the last year the scenarios run."""
    if base_year is None:
        return
    last = min(sc.run.end_year for sc in scenarios)
    if base_year > last:
        raise UsageError(
            f"prevsim {command}: --base-year {base_year}: after the scenarios' last year; "
            f"allowed: {START_YEAR}-{last}"
        )


def check_distinct(command: str, scenarios) -> None:
    """Refuse two scenarios with one name (results are kept by name), or of two countries."""
    names = [sc.name for sc in scenarios]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(
            f"prevsim {command}: scenario {', '.join(twice)} is given more than once; results "
            "are kept by name: give different scenarios (or another [scenario] name)"
        )
    countries = {sc.run.country for sc in scenarios}
    if len(countries) > 1:  # values of one country's policy against another's data
        named = ", ".join(f"{sc.name} ({sc.run.country})" for sc in scenarios)
        raise UsageError(
            f"prevsim {command}: the scenarios are of different countries ({named}); "
            "allowed: scenarios of one country (give its baseline with --against)"
        )


# ---- scenarios and shipped files ----------------------------------------------------------
def load_scenario(path: str | Path, args: argparse.Namespace, resolution: str | None = None):
    """A scenario file with the command line's ``[run]`` overrides applied."""
    from simulation.workflow.runner import with_overrides
    from simulation.workflow.scenarios import load

    return with_overrides(
        load(path), resolution=resolution, engine=args.engine, seed=args.seed, scale=args.scale
    )


def scenario_dir(given: Path | None = None) -> Path:
    """The folder of the shipped scenarios (``./scenarios`` when there is one)."""
    from simulation.workflow import shipped

    return given if given is not None else shipped.folder("scenarios")


def history_matched(baseline, scenarios, samples: int, seed: int, given: Path | None, command: str):
    """Draws kept by history matching (:func:`simulation.analysis.monte_carlo.plausible_draws`).

    The targets are ``given`` or the baseline country's shipped ones (:func:`default_targets`);
    problems are said as by :func:`matching`.
    """
    from simulation.analysis import monte_carlo as mc

    targets = default_targets(given, command, baseline.run.country)
    return matching(
        command,
        samples,
        lambda: mc.plausible_draws(baseline, list(scenarios), samples, seed, targets),
    )


def matching(command: str, samples: int, draw):
    """``draw()``, which draws until ``samples`` draws match the national data, said first.

    A file's problem stays its own line naming the file and key; a number of draws the data
    cannot give becomes a usage error naming ``--samples``.
    """
    from simulation.model.errors import InputError

    print(f"History matching: drawing until {samples:,} draws match the national data...")
    try:
        return draw()
    except InputError:  # a file's problems: already one line naming the file and key
        raise
    except ValueError as exc:
        raise UsageError(f"prevsim {command}: --samples {samples}: {exc}") from None


def default_targets(given: Path | None, command: str, country: str = "") -> Path | None:
    """The calibration targets file: the one given (which must exist), or the shipped one.

    The shipped one of a ``country`` other than Lithuania is its data folder's
    ``targets.toml`` (docs/countries.md). None if there is no shipped one.
    """
    if given is not None:
        if not given.is_file():
            raise UsageError(f"prevsim {command}: --targets: {given}: no such file")
        return given
    from simulation.model.demography import DEFAULT_COUNTRY, data_dir

    if country and country != DEFAULT_COUNTRY:
        path = data_dir(country) / "targets.toml"
        return path if path.is_file() else None
    from simulation.workflow import shipped

    try:
        path = shipped.targets_path()
    except FileNotFoundError:
        return None
    return path if path.is_file() else None


def both(choice: str, options: tuple[str, ...]) -> tuple[str, ...]:
    """``options`` for the choice ``"both"``, else the one chosen."""
    return options if choice == "both" else (choice,)
