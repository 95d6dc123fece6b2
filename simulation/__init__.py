"""prevsim: simulate prevention investment in child and family welfare.

A system-dynamics engine and an agent-based engine (Mesa) share one definition of family
states, parameters, flows and services; scenario files say what a policy does; the workflow
runs, compares and values scenarios; the analyses fit the model to national data and ask
which assumptions matter.

The public API is importable from here (see :mod:`simulation.api`)::

    >>> import simulation as s
    >>> r = s.run(s.load_scenario("baseline"))
    >>> print(r)  # doctest: +ELLIPSIS
    baseline: ... children placed, ... child-years in care, ... million EUR public cost ...

The package's layers, each importing only from those below it: ``model`` (states,
parameters, flows, services, policy rules, demography), ``engines`` (``sd``, ``abm``),
``workflow`` (scenarios, runs, economics, comparisons, ensembles, the results store),
``analysis`` (sensitivity, calibration, the briefing's numbers), ``reports`` (every chart and
document) and ``interfaces`` (the command line, the app, the demo).

Names are imported on first use, so ``import simulation`` stays quick.
"""

from __future__ import annotations

import importlib
from importlib import metadata

try:
    __version__ = metadata.version("prevsim")
except metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

#: Public name -> module it comes from.
_PUBLIC = {
    "load_scenario": "simulation.api",
    "run": "simulation.api",
    "compare": "simulation.api",
    "ensemble": "simulation.api",
    "evaluate": "simulation.api",
    "sensitivity": "simulation.api",
    "load_targets": "simulation.api",
    "calibrate": "simulation.api",
    "predict": "simulation.api",
    "accounts": "simulation.api",
    "summary": "simulation.api",
    "write": "simulation.api",
    "ComparisonResult": "simulation.api",
    "EnsembleResult": "simulation.api",
    "REGISTRY": "simulation.model.catalogue",
    "State": "simulation.model.states",
    "Change": "simulation.model.schedule",
    "ALLOCATION_RULES": "simulation.model.policy",
    "START_YEAR": "simulation.model.vocabulary",
    "SERVICES": "simulation.model.services",
    "SDModel": "simulation.engines.sd",
    "FamilyWelfareModel": "simulation.engines.abm",
    "AbmSettings": "simulation.engines.abm",
    "EngineResult": "simulation.engines.results",
    "Scenario": "simulation.workflow.scenarios",
    "ScenarioError": "simulation.workflow.scenarios",
    "RunResult": "simulation.workflow.runner",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name in _PUBLIC:
        module = importlib.import_module(_PUBLIC[name])
        value = getattr(module, "RULES" if name == "ALLOCATION_RULES" else name)
        globals()[name] = value  # the next access does not come back here
        return value
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
