"""The map of the 60 municipalities: every one drawn, matched by name and attributed."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from simulation.model.demography import lithuania
from simulation.model.municipality_names import map_id, official_name
from simulation.reports import maps


def test_the_model_s_60_municipalities_are_all_on_the_map_and_matched():
    names = lithuania().municipalities
    values = {name: float(i) for i, name in enumerate(names)}
    by_id = maps.match(values)
    assert len(by_id) == maps.N_MUNICIPALITIES == len(maps.boundaries())
    assert sorted(by_id.values()) == sorted(values.values())  # no two names on one outline
    # Lithuanian official forms and map ids reach the same municipalities.
    lt = {official_name(name, "lt"): 1.0 for name in names}
    assert set(maps.match(lt)) == set(by_id) == set(range(60))
    assert {m.map_id: m.statistics_name for m in maps.boundaries()} == {
        map_id(name): name for name in names
    }
    fig = maps.map_figure(values, "lt", "Žemėlapis", "vaikų")
    (collection,) = fig.axes[0].collections
    faces = collection.get_facecolors()
    assert len(collection.get_paths()) == 60
    assert not any(np.allclose(face, to_rgba(maps.NO_DATA)) for face in faces)
    assert len({tuple(face) for face in faces}) > 30  # coloured by value, not one colour
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert maps.ATTRIBUTION in texts


def test_a_missing_municipality_is_grey_and_explained_in_the_language_asked():
    values = {m.map_id: 1.0 + m.map_id for m in maps.boundaries() if m.name != "Joniškio r. sav."}
    fig = maps.map_figure(values, "lt", "Žemėlapis")
    ax = fig.axes[0]
    faces = ax.collections[0].get_facecolors()
    assert sum(np.allclose(face, to_rgba(maps.NO_DATA)) for face in faces) == 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["nėra duomenų"]


def test_an_unknown_name_is_refused_in_one_line():
    with pytest.raises(KeyError, match="'Atlantis'"):
        maps.match({"Atlantis": 1.0})
    with pytest.raises(KeyError, match="60"):
        maps.match({60: 1.0})


def test_holes_stay_empty_so_a_town_inside_its_district_is_visible():
    district = next(m for m in maps.boundaries() if m.name == "Panevėžio r. sav.")
    town = next(m for m in maps.boundaries() if m.name == "Panevėžio m. sav.")
    fig = Figure(figsize=(4, 4), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.add_patch(PathPatch(district.path, facecolor="red", edgecolor="none"))
    box = district.path.get_extents()
    ax.set_xlim(box.x0, box.x1)
    ax.set_ylim(box.y0, box.y1)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())

    def colour_at(lon_lat):  # RGB of the pixel under a point
        x, y = ax.transData.transform(lon_lat)
        return tuple(pixels[int(400 - y), int(x), :3])

    centre = town.path.vertices.mean(axis=0)
    assert colour_at(centre) == (255, 255, 255)  # the hole
    assert colour_at(centre + np.array([0.15, 0.0])) == (255, 0, 0)  # the district around it
    assert district.area > 10 * town.area


def test_simplifying_keeps_a_shared_border_shared():
    # Two squares sharing the wiggly border x = 1: the grid moves both copies alike.
    rng = np.random.default_rng(3)
    ys = np.sort(rng.uniform(0.0, 1.0, 40))
    border = [[1.0 + rng.normal(0, 0.001), y] for y in ys]
    left = [[0.0, 0.0], *border, [0.0, 1.0], [0.0, 0.0]]
    right = [[2.0, 0.0], [2.0, 1.0], *border[::-1], [2.0, 0.0]]

    def polygon(rings):
        return {"type": "Polygon", "coordinates": rings}

    source = {
        "features": [
            {
                "properties": {"id": i, "name": n},
                "geometry": {"type": "Polygon", "coordinates": [r]},
            }
            for i, (n, r) in enumerate([("left", left), ("right", right)])
        ]
    }
    out = maps.simplify(source, {0: "L", 1: "R"}, grid=0.01)
    a, b = (f["geometry"]["coordinates"][0][0] for f in out["features"])
    shared = {tuple(p) for p in a} & {tuple(p) for p in b}
    assert len(a) < len(left)
    assert len(shared) >= 10
    assert [p for p in a if tuple(p) in shared] == [p for p in b[::-1] if tuple(p) in shared]
    assert "OpenStreetMap" in out["attribution"]
