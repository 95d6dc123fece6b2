"""Readers' texts of the parameter registry: every parameter has a Lithuanian label, unit and
source, in Lithuanian (never an English source or a code name).
"""

import re

import pytest

from simulation.model.catalogue import REGISTRY
from simulation.model.parameters import Parameter


@pytest.mark.parametrize("what", ["label", "unit_label", "source_label"])
def test_every_parameter_has_a_lithuanian_text(what):
    missing = [n for n, p in REGISTRY.items() if f"{what.split('_')[0]}.lt" not in p.readers]
    assert not missing, f"no Lithuanian {what}: {missing[:10]}"


def test_lithuanian_texts_are_not_english_and_not_code_names():
    for name, p in REGISTRY.items():
        label, unit, source = p.label("lt"), p.unit_label("lt"), p.source_label("lt")
        assert label != name, name
        assert "_" not in label, name
        assert not re.search(r"\b(Assumption|share|per year|million|rate)\b", source), name
        assert unit not in ("share", "1/yr", "yr", "ratio"), name
        if p.assumption and not p.readers.get("source.lt", "").startswith("prielaida"):
            # an assumption's Lithuanian source says so (generated or written)
            assert "prielaida" in source, name


def test_labels_name_parameters_apart():
    labels = [p.label("lt") for p in REGISTRY.values()]
    assert len(set(labels)) == len(labels)


def test_fallbacks_while_a_parameter_has_no_texts():
    p = Parameter("x_rate", 1.0, "1/yr", (0, 2), (0.5, 1.5), "uncertain", "A source.", "X.")
    assert (p.label("lt"), p.unit_label("lt"), p.source_label("lt")) == ("X.", "1/yr", "A source.")
    assert REGISTRY["onset_rate"].label("lt") == "Šeimų sunkumų atsiradimo dažnis"
    assert REGISTRY["onset_rate"].unit_label("lt") == "per metus"
    with pytest.raises(ValueError, match="language"):
        p.label("de")
