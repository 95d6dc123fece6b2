"""The crosswalk of municipality names: complete, one-to-one, official forms."""

import pytest

from simulation.model import demography
from simulation.model import municipality_names as mn


def test_every_model_municipality_has_an_official_name_and_a_distinct_map_id():
    names = mn.names()
    assert len(names) == 60
    assert set(names) == set(demography.municipal_children().index)
    assert sorted(mn.map_id(n) for n in names) == list(range(60))
    assert len({mn.official_name(n, "lt") for n in names}) == 60


@pytest.mark.parametrize(
    ("name", "lt"),
    [
        ("Joniškis d. mun.", "Joniškio r. sav."),
        ("Vilnius c. mun.", "Vilniaus m. sav."),
        ("Rietavas mun.", "Rietavo sav."),
        ("Visaginas mun.", "Visagino sav."),
        ("Birštonas mun.", "Birštono sav."),
    ],
)
def test_official_lithuanian_forms(name, lt):
    assert mn.official_name(name, "lt") == lt
    assert mn.official_name(lt, "en") == name
    assert mn.official_name(lt, "lt") == lt


def test_unknown_names_and_languages_are_refused_with_a_hint():
    with pytest.raises(KeyError, match=r"did you mean 'Joniškis d\. mun\.'"):
        mn.map_id("Joniskis d. mun.")
    with pytest.raises(ValueError, match="language"):
        mn.official_name("Joniškis d. mun.", "de")
