"""The need bands' chart: in Lithuanian and English, with the registry's labels, no code names,
and each band's budget per child (the national budget split by need).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simulation.analysis import optimise as op
from simulation.analysis import optimise_need as on
from simulation.model.services import PROGRAMMES
from simulation.reports import locale, style
from simulation.reports import optimise_need as chart
from simulation.workflow.scenarios import load

SYNTHLAND = "simulation/data/synthland/"


@pytest.fixture(scope="module")
def result():
    sc, base = load(SYNTHLAND + "early_intervention.toml"), load(SYNTHLAND + "baseline.toml")
    sc, base = (replace(s, run=replace(s.run, resolution="national")) for s in (sc, base))
    draws = pd.DataFrame({"onset_rate": np.linspace(0.03, 0.07, 4)})
    problem = op.make_problem(sc, base, draws, None)
    settings = op.Settings(search_draws=2, population=6, generations=1, seed=2)
    return on.optimise_by_need(problem, settings, 2)


@pytest.mark.parametrize("lang", ["lt", "en"])
def test_the_chart_names_bands_and_programmes_in_the_language(result, lang, tmp_path, monkeypatch):
    texts = []

    def capture(fig, stem, tight=True):
        for text in fig.findobj(lambda a: hasattr(a, "get_text")):
            texts.append(text.get_text())
        return ["need_bands.png", "need_bands.pdf"]

    monkeypatch.setattr(style, "save", capture)
    assert chart.write_need(result, tmp_path, lang) == [
        "bands.csv",
        "budget_curves.csv",
        "need_bands.png",
        "need_bands.pdf",
    ]
    joined = "\n".join(texts)
    assert chart.WORDS[lang]["mix"] in joined.replace("\n", " ")
    assert chart.WORDS[lang]["ranking"] in joined.replace("\n", " ")
    assert chart.WORDS[lang]["per_child"] in joined.replace("\n", " ")
    # each band's budget per child and its multiple of the national, in the language's digits
    frame = on.bands_frame(result)
    for b in (1, 2):
        m = locale.number(frame.loc[b, "budget_multiplier"], 2, lang)
        assert f"{locale.number(frame.loc[b, 'budget_per_child'], 0, lang)}\n(× {m})" in joined
    same = locale.number(frame.loc["total", "budget_per_child"], 0, lang)
    assert chart.WORDS[lang]["same"].format(value=same) in joined
    for prog in PROGRAMMES:
        assert prog.label(lang) in joined
        if "_" in prog.name:  # a code name ("casework" is also an English word)
            assert prog.name not in joined
    band = "Grupė 1" if lang == "lt" else "band 1"
    assert band in joined
    decimal = "," if lang == "lt" else "."
    assert f"{result.bands.need[0]:.2f}".replace(".", decimal) in joined
    assert "Synthetic assumption" in joined  # the need file's source
    assert (tmp_path / "bands.csv").is_file()
    curves = pd.read_csv(tmp_path / "budget_curves.csv", index_col=0)
    assert list(curves.columns) == [
        "npv_at_0.5",
        "npv_at_0.75",
        "npv_at_1",
        "npv_at_1.25",
        "npv_at_1.5",
        "npv_at_2",
    ]
    nb = result.bands
    np.testing.assert_allclose(curves.to_numpy(), nb.split.curves * nb.shares[:, None])
