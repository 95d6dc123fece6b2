"""Charts of an ensemble.

The distribution of the net present value and the band of the cumulative net benefit over time
(style of :mod:`simulation.reports.charts`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from simulation.reports import locale as loc
from simulation.reports.labels import words
from simulation.reports.style import STYLE, save
from simulation.workflow import uncertainty as unc


def ensemble_value(
    values: pd.DataFrame,
    bands: pd.DataFrame,
    stem: Path,
    scenario: str,
    baseline: str,
    base_year: int,
    lang: str = "lt",
) -> list[str]:
    """The NPV histogram beside the cumulative net benefit over time.

    Left: a histogram of the NPV with zero marked; right: the cumulative net benefit from
    ``base_year`` (median line, 90% band).
    """
    text = words(lang, "ensemble")
    npv = values["npv"].to_numpy(float) / 1e6
    chance = unc.chance_benefits_exceed_costs(npv)
    net = bands[(bands["role"] == "scenario") & (bands["year"] >= base_year)]
    with plt.rc_context(STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 3.8))
        left.hist(npv, bins=min(40, max(8, len(npv) // 5)), color="#0072B2", alpha=0.85)
        left.axvline(0.0, color="#D55E00", lw=1.2)
        left.set_xlabel(text["npv"])
        left.set_ylabel(text["runs"])
        left.yaxis.set_major_locator(MaxNLocator(integer=True))
        title = text["chance"].format(
            chance=loc.percent(chance.p, 0, lang),
            runs=loc.number(chance.runs, 0, lang),
            se=loc.number(100 * chance.standard_error, 1, lang),
        )
        left.set_title(title, loc="left", fontsize=9)
        right.axhline(0.0, color="#333333", lw=0.8)
        right.fill_between(
            net["year"],
            net["cumulative_net_benefit.p05"] / 1e6,
            net["cumulative_net_benefit.p95"] / 1e6,
            color="#009E73",
            alpha=0.25,
            lw=0,
        )
        right.plot(net["year"], net["cumulative_net_benefit.median"] / 1e6, color="#009E73", lw=2)
        right.set_xlabel(text["year"])
        right.set_title(text["band"], loc="left")
        title = text["title"].format(scenario=scenario, baseline=baseline, runs=len(npv))
        fig.suptitle(title, fontsize=11, x=0.01, ha="left")
        fig.tight_layout()
        return save(fig, stem)
