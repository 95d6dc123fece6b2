"""The parameter registry: every parameter once, with its metadata beside it.

A :class:`Parameter` carries its default, unit, valid domain (values outside it are errors),
plausible range (what sensitivity analysis samples), kind and source. Kinds follow the EMA
Workbench distinction:

``uncertain``
    a fact about the world we do not know precisely (hazards, effects, unit costs);
``lever``
    something a municipality or the ministry chooses (budgets, NGO shares, schedules);
``structural``
    a modelling constant or an observed initial condition.

A parameter with no published source is marked ``assumption=True`` and given a wide range.
The catalogue itself lives in :mod:`simulation.model.catalogue`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from simulation.model.vocabulary import ENGINES

Kind = Literal["uncertain", "lever", "structural"]
KINDS: tuple[Kind, ...] = ("uncertain", "lever", "structural")
#: What may use a parameter: the engines, only the economics of their results, or only the
#: measurement that maps results to published counts (the calibration's targets).
USERS: tuple[str, ...] = (*ENGINES, "economics", "measurement")
#: Languages of the readers' texts (labels, units, sources).
LANGUAGES: tuple[str, ...] = ("lt", "en")


@dataclass(frozen=True)
class Parameter:
    """One model parameter and its metadata.

    Attributes
    ----------
    name : str
        Dotted name, e.g. ``"onset_rate"`` or ``"budget.preventive"``.
    default : float
        Default value, in ``unit``.
    unit : str
        Unit of the value, e.g. ``"1/yr"`` or ``"EUR per family-year"``.
    domain : tuple of float
        Valid closed interval; values outside are rejected.
    range : tuple of float
        Plausible closed interval, inside ``domain``; sampled by sensitivity analysis.
    kind : {"uncertain", "lever", "structural"}
        Role of the parameter (see module docstring).
    source : str
        Where the default and range come from, or why they are an assumption.
    description : str
        What the parameter means in the model.
    assumption : bool
        True when no published figure supports the default.
    engines : tuple of str
        What uses the parameter: the engines whose results depend on it (``"sd"``,
        ``"abm"``), ``"economics"`` for the valuation of results only, or ``"measurement"``
        for what a published count includes (read by calibration targets only).
    smallest_positive : float
        Values above 0 and below this are invalid (0 itself stays valid when the domain
        holds it): for a parameter where 0 has a meaning of its own (a programme's duration:
        0 = while in its target state) and values just above it have none.
    readers : mapping of str to str
        Texts for readers, keyed ``"<what>.<lang>"`` with ``what`` one of ``label``, ``unit``,
        ``source`` and ``lang`` one of :data:`LANGUAGES` (e.g. ``"label.lt"``). Filled by the
        catalogue from ``simulation/data/labels/``; read through :meth:`label`,
        :meth:`unit_label` and :meth:`source_label`, which fall back when a text is missing.
    """

    name: str
    default: float
    unit: str
    domain: tuple[float, float]
    range: tuple[float, float]
    kind: Kind
    source: str
    description: str
    assumption: bool = False
    engines: tuple[str, ...] = ENGINES
    smallest_positive: float = 0.0
    readers: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        lo, hi = self.domain
        rlo, rhi = self.range
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind {self.kind!r} is not one of {KINDS}")
        if not (lo <= rlo <= self.default <= rhi <= hi):
            raise ValueError(
                f"{self.name}: need domain[0] <= range[0] <= default <= range[1] <= domain[1], "
                f"got domain={self.domain}, range={self.range}, default={self.default}"
            )
        if not self.engines or set(self.engines) - set(USERS):
            raise ValueError(f"{self.name}: engines must be a subset of {USERS}")
        if not self.source.strip():
            raise ValueError(f"{self.name}: every parameter needs a source or an assumption note")
        gap = self.smallest_positive
        if gap < 0 or any(0 < v < gap for v in (self.default, rlo, rhi)):
            raise ValueError(f"{self.name}: default and range must be 0 or >= {gap:g}")

    def _reader_text(self, what: str, lang: str) -> str | None:
        if lang not in LANGUAGES:
            raise ValueError(f"language {lang!r} is not one of {LANGUAGES}")
        return self.readers.get(f"{what}.{lang}") or None

    def label(self, lang: str = "en") -> str:
        """The readers' short name in ``lang`` ("lt" or "en"), never the code name.

        Falls back to the English label, then to the description, then to the name, while a
        parameter has no label yet.
        """
        return (
            self._reader_text("label", lang)
            or self._reader_text("label", "en")
            or self.description
            or self.name
        )

    def unit_label(self, lang: str = "en") -> str:
        """The unit as readers say it in ``lang`` (lt "per metus" for ``1/yr``), else ``unit``."""
        return self._reader_text("unit", lang) or self.unit

    def source_label(self, lang: str = "en") -> str:
        """Where the value comes from, for readers in ``lang``; else the English ``source``."""
        return self._reader_text("source", lang) or self.source

    def check(self, value: object) -> str | None:
        """Return ``None`` if ``value`` is valid, else a short reason naming what is allowed."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected a number ({self.unit}), got {type(value).__name__} {value!r}"
        lo, hi = self.domain
        if not (lo <= value <= hi) or value != value:  # NaN fails the second test
            return f"{value!r} is outside the valid domain [{lo:g}, {hi:g}] {self.unit}"
        if 0 < value < self.smallest_positive:
            return (
                f"{value!r} is too small: allowed 0 or [{self.smallest_positive:g}, {hi:g}] "
                f"{self.unit}"
            )
        return None


@dataclass
class Registry(Mapping[str, Parameter]):
    """An ordered, read-only collection of parameters that rejects unknown names."""

    _params: dict[str, Parameter] = field(default_factory=dict)

    @classmethod
    def from_parameters(cls, params: Iterable[Parameter]) -> Registry:
        """A registry of ``params`` in their order; a name defined twice is a ``ValueError``."""
        registry = cls()
        for p in params:
            if p.name in registry._params:
                raise ValueError(f"parameter {p.name!r} is defined twice")
            registry._params[p.name] = p
        return registry

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._params[name]
        except KeyError:
            raise KeyError(self.unknown_message(name)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def names(self, kind: Kind | None = None, engine: str | None = None) -> list[str]:
        """Names of all parameters, or of one kind and/or used by one engine, in order."""
        return [
            n
            for n, p in self._params.items()
            if (kind is None or p.kind == kind) and (engine is None or engine in p.engines)
        ]

    def suggest(self, name: str, candidates: Iterable[str] | None = None) -> list[str]:
        """Up to three known names close to ``name``."""
        pool = list(self._params if candidates is None else candidates)
        return difflib.get_close_matches(name, pool, n=3, cutoff=0.6)

    def unknown_message(self, name: str, candidates: Iterable[str] | None = None) -> str:
        """``unknown parameter 'x'`` plus near-matches, as one line."""
        near = self.suggest(name, candidates)
        hint = f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""
        return f"unknown parameter {name!r}{hint}"

    def defaults(self) -> dict[str, float]:
        """A fresh dict of every default value."""
        return {n: p.default for n, p in self._params.items()}

    def resolve(self, overrides: Mapping[str, float | np.ndarray] | None = None) -> dict:
        """Defaults updated by ``overrides``; unknown names raise ``KeyError``.

        Values may be scalars or 1-D arrays of equal length K (a batch of parameter sets).
        """
        values: dict[str, float | np.ndarray] = self.defaults()
        for name, value in (overrides or {}).items():
            if name not in self._params:
                raise KeyError(self.unknown_message(name))
            values[name] = value
        return values

    def table(self):
        """The registry as a :class:`pandas.DataFrame`, one row per parameter."""
        import pandas as pd

        rows = [
            {
                "name": p.name,
                "kind": p.kind,
                "default": p.default,
                "unit": p.unit,
                "domain": f"[{p.domain[0]:g}, {p.domain[1]:g}]",
                "range": f"[{p.range[0]:g}, {p.range[1]:g}]",
                "assumption": p.assumption,
                "engines": ",".join(p.engines),
                "source": p.source,
                "description": p.description,
            }
            for p in self._params.values()
        ]
        return pd.DataFrame(rows)


def batch_size(values: Mapping[str, float | np.ndarray]) -> int:
    """Number K of parameter sets in ``values`` (1 when every value is a scalar).

    Raises
    ------
    ValueError
        If array-valued parameters differ in length or are not one-dimensional.
    """
    sizes = set()
    for name, v in values.items():
        arr = np.asarray(v)
        if arr.ndim > 1:
            raise ValueError(f"parameter {name!r}: batch values must be 1-D, got shape {arr.shape}")
        if arr.ndim == 1:
            sizes.add(arr.shape[0])
    if len(sizes) > 1:
        raise ValueError(f"batched parameters have different lengths: {sorted(sizes)}")
    return sizes.pop() if sizes else 1
