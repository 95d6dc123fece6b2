"""What the page lets a student download: the settings as a scenario file, the series as CSV.

- :func:`scenario_toml`: the policy of the sliders as a scenario file that ``prevsim
  validate`` accepts and ``prevsim run`` runs. It extends the status quo the app was started
  with (by its absolute path on this computer).
- :func:`series_csv`: the series the charts show, one row per month, with headings in the
  page's language (Lithuanian: ``;`` between columns, as a Lithuanian-locale spreadsheet
  expects).
"""

from __future__ import annotations

import csv
import io
from datetime import date

import numpy as np

from simulation.interfaces.app.model import TeachingModel, load_scenario, scenario_path
from simulation.interfaces.app.text import text as page_text
from simulation.model.catalogue import LEVERS, REGISTRY
from simulation.model.policy import prevention_first
from simulation.model.schedule import lever_paths
from simulation.model.services import SERVICES
from simulation.model.states import STATES
from simulation.model.vocabulary import START_YEAR
from simulation.reports.app_charts import Bands

#: Headings of the CSV besides the state names and the page's "your policy" and "status quo".
CSV_WORDS = {
    "lt": {
        "month": "mėnuo",
        "low": "mažiausia iš {k} kartojimų",
        "high": "didžiausia iš {k} kartojimų",
        "families": "šeimos",
        "cost": "viešosios išlaidos, EUR per metus",
    },
    "en": {
        "month": "month",
        "low": "lowest of {k} replicates",
        "high": "highest of {k} replicates",
        "families": "families",
        "cost": "public cost, EUR a year",
    },
}


def policy_budgets(model: TeachingModel) -> dict[str, float]:
    """National budgets by service in the policy year, million EUR a year.

    The app lets every municipality allocate by the ``prevention_first`` rule from the
    policy year; a scenario file has one rule for the whole run, so the policy is written as
    the national budgets that give the same shares under the status quo's rule
    (``historical``: each municipality spends the national split).
    """
    scenario = load_scenario(str(scenario_path()))
    values = REGISTRY.resolve({**scenario.params, **scenario.levers})
    month = (model.policy_year - START_YEAR) * 12
    paths = lever_paths({n: values[n] for n in LEVERS}, scenario.schedule, START_YEAR, month + 1)
    levels = np.array([paths[f"budget.{s}"][month] for s in SERVICES])
    levels[SERVICES.index("mobile_team")] = model.policy["mobile_team_budget"]
    shares = prevention_first(levels / levels.sum(), model.policy["preventive_share"])
    return {s: round(float(v), 4) for s, v in zip(SERVICES, levels.sum() * shares, strict=True)}


def scenario_toml(model: TeachingModel, today: date | None = None) -> str:
    """The model's sliders as a scenario file (TOML text)."""
    scenario = load_scenario(str(scenario_path()))
    p, year = model.policy, model.policy_year
    lines = [
        f"# The policy set in the prevsim teaching app on {(today or date.today()).isoformat()}.",
        "# It extends the status quo the app was started with: keep that path, or copy this file",
        "# next to it and write its name only. The app's rule (every municipality gives the",
        "# preventive share to preventive services from the policy year) is written as the",
        "# national budgets by service that give the same shares in that year.",
    ]
    if scenario.allocation_rule != "historical":
        lines.append(
            f"# The status quo allocates by {scenario.allocation_rule!r}, which this file keeps:"
            " the app used 'prevention_first' from the policy year instead."
        )
    lines += [
        "",
        "[scenario]",
        'name = "app_policy"',
        'title = "Policy from the teaching app"',
        'title_lt = "Politika iš mokomojo modelio"',
        f'description = "{model.policy_text("en")}"',
        f'description_lt = "{model.policy_text("lt")}"',
        f"extends = {_quoted(str(scenario.path.resolve()))}",
        "",
        "[run]",
        'engine = "abm"',
        f"scale = {model.scale!r}",
        f"seed = {model.root_seed}",
        f"end_year = {model.n_months // 12 + START_YEAR - 1}",
        "",
        "[params]  # assumptions of the app, not levers",
        f"ngo_cost_ratio = {model.p['ngo_cost_ratio']!r}",
        f"ngo_quality_ratio = {model.p['ngo_quality_ratio']!r}",
        "",
        "[[policy.schedule]]",
        f"year = {year}",
        'note = "The policy of the teaching app\'s sliders."',
        *(f"budget.{s} = {v!r}" for s, v in policy_budgets(model).items()),
        *(f"ngo_share.{s} = {round(p['ngo_share'], 4)!r}" for s in SERVICES),
    ]
    if p["cooperation"]:
        lines += [f"cooperation_start_year = {year}.0"]
        lines += [f"regional_coordinators = {p['deployment_speed']!r}"]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A TOML literal string (no escapes: Windows paths keep their backslashes)."""
    if "'" in text or "\n" in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"'{text}'"


def series_csv(model: TeachingModel, lang: str, bands: Bands | None = None) -> str:
    """The series of the charts, one row per month to the end of the horizon.

    Families by state and total public cost (EUR a year, in the month's middle), for the
    run stepped so far, the status quo and (with ``bands``) the replicates' range. Values
    are whole numbers (estimates at the model's scale; more digits would be noise).
    """
    page = page_text(lang)
    words = {**CSV_WORDS[lang], "mine": page["your_policy"], "quo": page["status_quo"]}
    states = [s.label(lang) for s in STATES]
    mine = model.families_now()
    quo = model.in_area(model.reference.families)
    _, rates = model.cost_rates(model.costs[: model.month + 1] / model.scale)
    _, quo_rates = model.cost_rates(model.reference.costs)
    columns = {}
    for i, state in enumerate(states):
        columns[f"{words['mine']}: {words['families']}, {state}"] = mine[:, i]
        columns[f"{words['quo']}: {words['families']}, {state}"] = quo[:, i]
    columns[f"{words['mine']}: {words['cost']}"] = rates.sum(axis=-1)
    columns[f"{words['quo']}: {words['cost']}"] = quo_rates.sum(axis=-1)
    if bands is not None:
        for which, (low, high) in (("mine", bands.families), ("quo", bands.status_quo)):
            for i, state in enumerate(states):
                name = f"{words[which]}: {words['families']}, {state}"
                columns[f"{name}, {words['low'].format(k=bands.count)}"] = low[:, i]
                columns[f"{name}, {words['high'].format(k=bands.count)}"] = high[:, i]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "lt" else ",", lineterminator="\n")
    writer.writerow([words["month"], *columns])
    for t in range(len(quo)):
        month = f"{START_YEAR + t // 12}-{t % 12 + 1:02d}"
        writer.writerow([month, *(_cell(v, t) for v in columns.values())])
    return out.getvalue()


def _cell(values: np.ndarray, t: int) -> str:
    """Month ``t`` of a series as a whole number, empty where it has not been run yet."""
    return f"{values[t]:.0f}" if t < len(values) else ""
