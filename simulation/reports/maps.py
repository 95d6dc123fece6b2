"""Maps of Lithuania's 60 municipalities coloured by an indicator (the app and the briefing).

The boundaries are ``simulation/data/lithuania/municipalities.geojson``: OpenStreetMap
boundaries (© OpenStreetMap contributors, ODbL) simplified by :func:`simplify` from the shared
data file (see the data folder's README). They are drawn with Matplotlib's
:class:`~matplotlib.collections.PathCollection` over the GeoJSON read with :mod:`json`: a
choropleth of 60 polygons needs no geometry library, and the app must work offline.

The attribution "© OpenStreetMap contributors, ODbL" is written on every map
(:func:`draw_map`); do not remove it (the licence requires it wherever the map is shown).

Values are given per municipality under any of its names: the Statistics Lithuania form used
by the model ("Joniškis d. mun."), the Lithuanian official form ("Joniškio r. sav.") or the
map's ``id`` (0-59), matched by :mod:`simulation.model.municipality_names`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from matplotlib import colormaps, rc_context
from matplotlib.collections import PathCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath

from simulation.model.demography import data_dir
from simulation.model.municipality_names import map_id
from simulation.reports.style import STYLE

ATTRIBUTION = "© OpenStreetMap contributors, ODbL"
BOUNDARY_FILE = "municipalities.geojson"
N_MUNICIPALITIES = 60
#: Grid of the simplification, degrees (about 550 m north-south, 350 m east-west).
GRID = 0.005
NO_DATA = "#d9d9d9"
#: Lithuania's mean latitude: the map is drawn with x stretched by 1 / cos(latitude) so
#: that a kilometre east is as long as a kilometre north.
MEAN_LATITUDE = 55.2
_TEXT = {
    "lt": {"no_data": "nėra duomenų"},
    "en": {"no_data": "no data"},
}


@dataclass(frozen=True)
class Municipality:
    """One municipality's outline and names.

    Attributes
    ----------
    map_id : int
        The boundary file's ``id`` (0-59, Lithuanian alphabetical order).
    name : str
        Lithuanian short form, e.g. ``"Joniškio r. sav."``.
    statistics_name : str
        Statistics Lithuania's English form, e.g. ``"Joniškis d. mun."`` (the model's names).
    path : matplotlib.path.Path
        Every ring (outer rings counter-clockwise, holes clockwise), longitude and latitude
        in degrees.
    area : float
        Area in square degrees (for drawing large districts below the towns inside them).
    """

    map_id: int
    name: str
    statistics_name: str
    path: MplPath
    area: float


def _ring_area(ring: np.ndarray) -> float:
    """Signed area of a closed ring (positive counter-clockwise), square degrees."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _polygons(geometry: dict) -> list:
    """The polygons (lists of rings) of a GeoJSON Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def _path(polygons: list) -> tuple[MplPath, float]:
    """One compound path of every ring, oriented so that holes stay empty (nonzero rule)."""
    parts, area = [], 0.0
    for polygon in polygons:
        for k, coords in enumerate(polygon):
            ring = np.asarray(coords, dtype=float)
            signed = _ring_area(ring)
            outer = k == 0
            if (signed > 0) != outer:  # outer rings counter-clockwise, holes clockwise
                ring = ring[::-1]
            area += abs(signed) if outer else -abs(signed)
            codes = np.full(len(ring), MplPath.LINETO, dtype=np.uint8)
            codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            parts.append(MplPath(ring, codes))
    return MplPath.make_compound_path(*parts), area


@lru_cache(maxsize=2)
def boundaries(path: str | None = None) -> tuple[Municipality, ...]:
    """The municipalities of the boundary file, largest first (cached).

    Parameters
    ----------
    path : str, optional
        A GeoJSON file with the properties of the shipped one (default: the shipped file).
    """
    file = Path(path) if path else data_dir() / BOUNDARY_FILE
    data = json.loads(file.read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        props = feature["properties"]
        outline, area = _path(_polygons(feature["geometry"]))
        out.append(
            Municipality(
                int(props["id"]), props["name"], props.get("statistics_name", ""), outline, area
            )
        )
    return tuple(sorted(out, key=lambda m: -m.area))


def match(values: Mapping, municipalities: tuple[Municipality, ...] | None = None) -> dict:
    """``values`` keyed by map id.

    Parameters
    ----------
    values : mapping
        Indicator per municipality, keyed by any name
        :func:`~simulation.model.municipality_names.map_id` knows (Statistics Lithuania's
        "Joniškis d. mun.", the official "Joniškio r. sav.") or by its map id.

    Raises
    ------
    KeyError
        For a key that names no municipality on the map (one line, with the key).
    """
    ids = {m.map_id for m in municipalities or boundaries()}
    out = {}
    for key, value in values.items():
        found = key if isinstance(key, int | np.integer) else map_id(key)
        if found not in ids:
            raise KeyError(f"no municipality on the map has the id {key!r}")
        out[int(found)] = float(value)
    return out


def on_map(values: Mapping) -> bool:
    """Whether every key of ``values`` (as in :func:`match`) is on the boundary file's map.

    The regions of another country (``docs/countries.md``) are not.
    """
    try:
        match(values)
    except KeyError:
        return False
    return True


def draw_map(
    ax,
    values: Mapping,
    lang: str,
    *,
    label: str = "",
    cmap: str = "YlOrRd",
    norm: Normalize | None = None,
    formatter=None,
) -> PathCollection:
    """Draw the municipalities on ``ax`` coloured by ``values``, with a colour bar.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw; its aspect, limits and frame are set for a map.
    values : mapping
        Indicator per municipality (keys as in :func:`match`); missing ones are grey.
    lang : {"lt", "en"}
        Language of the "no data" note.
    label : str
        The indicator and its unit, under the colour bar.
    cmap : str
        A Matplotlib colour map name.
    norm : Normalize, optional
        Default: from the smallest to the largest value.
    formatter : matplotlib.ticker.Formatter, optional
        Colour bar tick labels (e.g. :func:`~simulation.reports.style.thousands`).

    Returns
    -------
    PathCollection
        The municipalities, in the order of :func:`boundaries` (largest first).
    """
    municipalities = boundaries()
    by_id = match(values, municipalities)
    known = np.array([by_id[m.map_id] for m in municipalities if m.map_id in by_id])
    if norm is None:
        low, high = (known.min(), known.max()) if len(known) else (0.0, 1.0)
        norm = Normalize(low, high if high > low else low + 1.0)
    colours = colormaps[cmap]
    faces = [
        colours(norm(by_id[m.map_id])) if m.map_id in by_id else NO_DATA for m in municipalities
    ]
    collection = PathCollection(
        [m.path for m in municipalities],
        facecolors=faces,
        edgecolors="white",
        linewidths=0.4,
        transform=ax.transData,
    )
    ax.add_collection(collection)
    ax.set_xlim(20.9, 26.9)
    ax.set_ylim(53.85, 56.5)
    ax.set_aspect(1.0 / np.cos(np.radians(MEAN_LATITUDE)))
    ax.set_axis_off()
    # The colour bar and the "no data" key sit in the empty south-west corner (the
    # Kaliningrad region), so the map keeps the whole of its axes.
    bar_ax = ax.inset_axes([0.03, 0.1, 0.3, 0.035])
    bar = ax.figure.colorbar(_mappable(colours, norm), cax=bar_ax, orientation="horizontal")
    bar.set_label(label, fontsize=8)
    bar.ax.tick_params(labelsize=7.5)
    if formatter is not None:
        bar.ax.xaxis.set_major_formatter(formatter)
    if len(known) < len(municipalities):
        key = Patch(facecolor=NO_DATA, edgecolor="white", label=_TEXT[lang]["no_data"])
        ax.legend(
            handles=[key], loc="lower left", bbox_to_anchor=(0.02, 0.2), frameon=False, fontsize=7.5
        )
    ax.text(1.0, 0.0, ATTRIBUTION, transform=ax.transAxes, ha="right", va="bottom", fontsize=7)
    return collection


def _mappable(cmap, norm):
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=norm, cmap=cmap)


def map_figure(values: Mapping, lang: str, title: str, label: str = "", **kwargs) -> Figure:
    """A figure of one map (:func:`draw_map`) under ``title``; ``kwargs`` go to it."""
    with rc_context(STYLE):
        fig = Figure(figsize=(6.0, 4.6))
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.92)
        ax = fig.subplots()
        draw_map(ax, values, lang, label=label, **kwargs)
        fig.suptitle(title, x=0.01, ha="left", fontsize=10.5)
        return fig


# ---- making the shipped file from the shared one -------------------------------------------
def _simplify_ring(coords: list, grid: float) -> list | None:
    """A ring snapped to the grid, without repeated points or back-and-forth spikes.

    Every point is moved to the nearest grid node: a border shared by two municipalities has
    the same points in both, so it stays shared (no gaps or slivers, unlike simplifying
    each outline on its own). Returns ``None`` when less than a triangle is left.
    """
    snapped = np.round(np.asarray(coords, dtype=float) / grid).astype(np.int64)
    out: list = []
    for point in map(tuple, snapped):
        if out and out[-1] == point:
            continue
        if len(out) >= 2 and out[-2] == point:  # A, B, A: a spike of zero width
            out.pop()
            continue
        out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    if len(out) < 4:
        return None
    digits = max(0, -int(np.floor(np.log10(grid))) + 1)
    return [[round(x * grid, digits), round(y * grid, digits)] for x, y in out]


def simplify(source: dict, names: Mapping[int, str], grid: float = GRID) -> dict:
    """The shipped boundary file from the shared one.

    Parameters
    ----------
    source : dict
        The shared GeoJSON (properties ``name``, ``longName``, ``id``, ``osmId``).
    names : mapping
        Statistics Lithuania's name of each map id (the shared ``municipality_names.csv``).
    grid : float
        Grid step, degrees (:data:`GRID`).
    """
    features = []
    for feature in source["features"]:
        polygons = []
        for polygon in _polygons(feature["geometry"]):
            rings = [_simplify_ring(ring, grid) for ring in polygon]
            if rings[0] is not None:
                polygons.append([r for r in rings if r is not None])
        if not polygons:  # keep a municipality smaller than the grid as it was
            polygons = _polygons(feature["geometry"])
        props = dict(feature["properties"])
        props["statistics_name"] = names[int(props["id"])]
        geometry = {"type": "MultiPolygon", "coordinates": polygons}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {
        "type": "FeatureCollection",
        "attribution": "Map data © OpenStreetMap contributors, ODbL "
        "(https://www.openstreetmap.org/copyright)",
        "simplification": f"vertices snapped to a {grid} degree grid, repeated points and "
        "zero-width spikes removed (simulation.reports.maps.simplify)",
        "features": features,
    }
