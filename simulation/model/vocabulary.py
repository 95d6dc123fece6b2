"""The project's vocabulary, defined once: engines, resolutions, the calendar and run defaults.

Every layer takes these names and numbers from here, so that a default (the end of a run, the
share of families an agent-based ensemble simulates) cannot differ between two commands.
"""

from __future__ import annotations

#: The two engines: system dynamics (an ODE) and agents (a Mesa model).
ENGINES: tuple[str, ...] = ("sd", "abm")
#: One national unit, or the 60 municipalities.
RESOLUTIONS: tuple[str, ...] = ("national", "municipal")
#: Name of the one unit at national resolution.
NATIONAL_UNIT = "Lithuania"
#: Languages of charts and documents; the first is the default.
LANGS: tuple[str, ...] = ("lt", "en")

#: First simulated year: every run starts on 1 January of it (the first year of the data).
START_YEAR = 2009
#: Last year a run or a schedule may reach.
LAST_YEAR = 2100

#: Last simulated year of a run unless a scenario says otherwise.
DEFAULT_END_YEAR = 2040
#: Root seed of a run's random streams unless a scenario says otherwise.
DEFAULT_SEED = 20090101
#: Runge-Kutta 4 steps per month of the SD engine.
DEFAULT_STEPS_PER_MONTH = 2
#: Share of families a single agent-based run simulates unless a scenario says otherwise.
DEFAULT_SCALE = 1.0
#: Share of families simulated by replicated agent-based runs (ensembles, sensitivity, the
#: calibration check): below it, small municipalities have so few families that service
#: coverage is biased (crises overstated by a few percent; docs/abm.md).
REPLICATE_SCALE = 0.2
#: Share of families in the teaching app: a step takes milliseconds; coverage bias about 2%.
TEACHING_SCALE = 0.05
