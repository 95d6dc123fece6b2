"""Every parameter of the model, once, with default, unit, domain, range, kind and source.

Sources are the published figures in ``simulation/data/lithuania/national_series.csv`` (the
national series, cited by series name and year) and the literature figures of the project's
``parameter_sources.md``. "Derived" defaults are computed from those figures; the computation
is stated in the source and re-done in ``tests/model/test_data_provenance.py``. Defaults with no
published support are marked ``assumption=True`` and given a wide range; calibration
(``prevsim calibrate``) is where they should be narrowed.

Money is in EUR at 2024 prices: figures of other years are converted with
:func:`simulation.model.prices.deflator` (Lithuanian consumer prices), and the source says so.
Hazards are annual rates (1/yr) per family.
"""

from __future__ import annotations

import csv
import dataclasses
from importlib import resources

from simulation.model import effect_sizes, programmes
from simulation.model.parameters import Parameter, Registry
from simulation.model.prices import deflator
from simulation.model.services import SERVICES

_RATE = (0.0, 50.0)  # valid domain of every annual hazard
ABM = ("abm",)  # parameters only the agent-based engine uses
BOTH = ("sd", "abm")
ECONOMICS = ("economics",)  # parameters that value results but do not change them
MEASUREMENT = ("measurement",)  # parameters of what a published count includes
_SHARE = (0.0, 1.0)


def _hazard(name, default, rng, source, description, assumption=True):
    return Parameter(
        name, default, "1/yr", _RATE, rng, "uncertain", source, description, assumption
    )


_DEMOGRAPHY = [
    Parameter(
        "children_per_family",
        1.41,
        "children/family",
        (1.0, 5.0),
        (1.3, 1.6),
        "structural",
        "Derived: children aged 0-17 in 2018 (503,015; children_0_17_population) / families with "
        "children (households 2018, 1,321.7 thousand x 27% with children in 2022; households, "
        "share_households_families_with_children). Years differ: 2022 share applied to 2018.",
        "Mean number of children under 18 in a family raising children (wellbeing, vulnerable "
        "and early-support states).",
    ),
    Parameter(
        "children_per_risk_family",
        2.18,
        "children/family",
        (1.0, 5.0),
        (1.6, 2.6),
        "uncertain",
        "Derived: 24,222 children in 11,121 social-risk families, end 2009 "
        "(children_in_social_risk_families, social_risk_families). Applied also to crisis and "
        "care states: assumption that placed families resemble risk families.",
        "Children per family in the risk, crisis and care states.",
    ),
    Parameter(
        "births_per_new_family",
        1.8,
        "births/family",
        (1.0, 4.0),
        (1.3, 2.5),
        "structural",
        "Assumption: completed family size among families with children; no Lithuanian figure "
        "in the project data.",
        "Live births per family over its child-raising years; new families entering = live "
        "births / this.",
        assumption=True,
    ),
    Parameter(
        "family_exit_rate",
        0.067,
        "1/yr",
        (0.0, 1.0),
        (0.055, 0.08),
        "uncertain",
        "Derived: the rate at which the national family count, started from children 0-17 in "
        "2009 / children_per_family and fed by live_births 2009-2017 / births_per_new_family, "
        "reaches the 2018 count (0.0670; 0.076 if 1.5 births per family, 0.059 if 2.2).",
        "Families leaving outside care: youngest child turns 18, or emigration.",
    ),
    Parameter(
        "births_growth_after_data",
        0.0,
        "1/yr",
        (-0.2, 0.2),
        (-0.04, 0.01),
        "uncertain",
        "Assumption: births are held at the last observed year (2017: 28,696) and grow at "
        "this rate after it; no projection in the project data.",
        "Annual relative change of live births after the last observed year.",
        assumption=True,
    ),
]

_INITIAL = [
    Parameter(
        "initial_risk_families",
        11121.0,
        "families",
        # Domain (was up to 1e6, more than all 443,000 families with children in 2009):
        # with the other initial stocks at their largest it must fit in the fewest families
        # the domains allow (624,787 children / 5 per family = 124,957); 40,000 is 2.5 times
        # the highest register count (16,000, 2005). Assumption.
        (0.0, 40000.0),
        (10000.0, 16000.0),
        "structural",
        "social_risk_families, end 2009 (medium quality); range spans the 2015 (10,000) and "
        "2005 (16,000) figures.",
        "Families in the risk state at the start (2009).",
    ),
    Parameter(
        "initial_institution_children",
        4391.0,
        "children",
        # Domain (was up to 1e6): fits with the other initial stocks (see
        # initial_risk_families); 15,000 is three times the range's top. Assumption.
        (0.0, 15000.0),
        (4000.0, 4800.0),
        "structural",
        "children_in_care_homes, 31 Dec 2009 (high quality; care homes only).",
        "Children in institutional care at the start (2009).",
    ),
    Parameter(
        "initial_family_care_children",
        6957.0,
        "children",
        # Domain (was up to 1e6): fits with the other initial stocks (see
        # initial_risk_families); 15,000 is about twice the range's top. Assumption.
        (0.0, 15000.0),
        (6000.0, 8000.0),
        "structural",
        "Derived: children_without_parental_care_stock 2010 (11,130) minus children_in_care_homes "
        "2010 (4,173); 2009 taken as 2010.",
        "Children in family-based care at the start (2009).",
    ),
    Parameter(
        "initial_vulnerable_share",
        0.08,
        "share of families",
        # Domain (was up to 1): a share of 1 leaves no room for the risk and care families.
        # 0.4 (twice the range's top) plus the other initial stocks at their largest (70,000
        # families) fits in the fewest families the domains allow (124,957). Assumption.
        (0.0, 0.4),
        (0.03, 0.2),
        "structural",
        "Assumption: no count of families with emerging difficulties exists; social assistance "
        "recipients (56-67 thousand persons a month, 2019-2021) bound it loosely.",
        "Share of families in the vulnerable state at the start (2009).",
        assumption=True,
    ),
]

_HAZARDS = [
    _hazard(
        "onset_rate",
        0.05,
        (0.02, 0.12),
        "Assumption, set so that the vulnerable share stays near its initial value.",
        "Wellbeing -> vulnerable: emerging difficulties.",
    ),
    _hazard(
        "natural_recovery_rate",
        0.4,
        (0.1, 1.0),
        "Assumption: difficulties that resolve without services within 1-10 years.",
        "Vulnerable -> wellbeing without help.",
    ),
    _hazard(
        "detection_rate",
        0.05,
        (0.01, 0.2),
        "Assumption: detection without outreach; raised by preventive services.",
        "Vulnerable -> early support: the family becomes known to services.",
    ),
    _hazard(
        "escalation_rate",
        0.07,
        (0.02, 0.15),
        "Assumption, hand-set so that inflows to risk roughly balance the 2009-2015 risk "
        "register (about 10-11 thousand families).",
        "Vulnerable -> risk: difficulties escalate before services know the family.",
    ),
    _hazard(
        "supported_escalation_rate",
        0.15,
        (0.05, 0.4),
        "Assumption: early-support families are the ones whose difficulties were visible.",
        "Early support -> risk, before the effect of preventive services.",
    ),
    _hazard(
        "supported_recovery_rate",
        0.5,
        (0.2, 1.2),
        "Assumption.",
        "Early support -> wellbeing, before the effect of preventive services.",
    ),
    _hazard(
        "risk_recovery_rate",
        0.15,
        (0.05, 0.4),
        "Assumption: mean time in the register of several years.",
        "Risk -> wellbeing, before the effect of basic and integration services.",
    ),
    _hazard(
        "risk_to_crisis_rate",
        0.5,
        (0.1, 0.9),
        "Assumption, fitted by `prevsim calibrate` with placement_probability fixed (the "
        "entries into care are their product) to the stocks in care 2009-2025, the risk "
        "register and the entries into care 2014-2017.",
        "Risk -> crisis (violence, neglect), before the effect of basic services.",
    ),
    _hazard(
        "crisis_exit_rate",
        6.0,
        (3.0, 12.0),
        "Assumption: a child-protection assessment takes about 1-4 months.",
        "Rate at which a crisis ends, by placement or resolution.",
    ),
    _hazard(
        "reunification_rate",
        0.24,
        (0.05, 0.5),
        "Derived: children in care mid-2018 (2,660 in care homes + 5,535 in family "
        "guardianship) / children entering care 2018 (2,524) gives a mean stay of 3.2 "
        "years, a total exit rate of 0.31/yr, less care_leaving_rate. That counts every "
        "entry, short ones included; for lasting placements, which `prevsim calibrate` "
        "fits with short placements counted apart, the rate is lower, so the range starts "
        "at 0.05 (an assumption: a mean stay of up to 8 years with care_leaving_rate, as "
        "in kinship guardianship until 18). US cohorts return faster (ASPE: 9.3% in the "
        "first month).",
        "Care -> risk: children return home.",
        assumption=False,
    ),
    _hazard(
        "care_leaving_rate",
        0.07,
        (0.04, 0.12),
        "Derived in part: adoptions (domestic about 100 + international about 60 a year, "
        "2013-2017) / about 10,000 children in care = 0.016/yr, plus ageing out at 1/18 a "
        "year (assumption: placements spread evenly over ages 0-17).",
        "Care -> exit: adoption or ageing out.",
        assumption=False,
    ),
    Parameter(
        "institution_reunification_ratio",
        1.0,
        "ratio",
        (0.05, 20.0),
        (0.2, 4.0),
        "uncertain",
        "Assumption (fitted by `prevsim calibrate`): no Lithuanian figure separates how fast "
        "children return home from institutions and from family-based care. The national "
        "series bound the ratio: the stocks in institutions and in families 2009-2013 with "
        "834 new family placements (2013) and about 2,000 entries a year (2014, 2017).",
        "Hazard of returning home from an institution relative to family-based care "
        "(reunification_rate x this ratio).",
        assumption=True,
    ),
    Parameter(
        "short_placement_share",
        0.0,
        "share of resolved crises",
        _SHARE,
        (0.0, 1.0),
        "structural",
        "Assumption (fitted by `prevsim calibrate` to the entries into care): in July-August "
        "2018, 266 of 'more than 500' children removed from unsafe homes were handed back "
        "within weeks (children_returned_to_parents_partial 2018); US cohorts return fastest "
        "in the first month (ASPE: 9.3%).",
        "Share of crises resolved without lasting care in which the children spent a few weeks "
        "in temporary care: counted as entries into care, never in a year-end stock. It "
        "changes what the entry counts include, not the families' paths or the costs.",
        assumption=True,
        engines=MEASUREMENT,
    ),
    Parameter(
        "placement_probability",
        0.4,
        "share of crises",
        _SHARE,
        (0.15, 0.6),
        "uncertain",
        "Assumption: share of child-protection assessments ending in removal, without a "
        "mobile team; 1,894 of 2,524 entries into care in 2018 were for abuse or neglect.",
        "Probability that a crisis ends in placement (the rest are resolved, back to risk).",
        assumption=True,
    ),
]

_SERVICE_EFFECTS = [
    Parameter(
        "ngo_cost_ratio",
        1.0,
        "ratio",
        (0.1, 10.0),
        (0.7, 1.3),
        "uncertain",
        "Assumption: no Lithuanian comparison of NGO and municipal unit costs.",
        "Unit cost of an NGO slot / unit cost of a municipal slot.",
        assumption=True,
    ),
    Parameter(
        "ngo_quality_ratio",
        1.0,
        "ratio",
        (0.1, 10.0),
        (0.7, 1.3),
        "uncertain",
        "Assumption: no Lithuanian comparison of NGO and municipal service quality.",
        "Quality of NGO services / quality of municipal services.",
        assumption=True,
    ),
    Parameter(
        "capacity_delay",
        1.0,
        "yr",
        (0.01, 10.0),
        (0.25, 3.0),
        "uncertain",
        "Assumption: hiring and training social workers takes months to years.",
        "Time for capacity to follow a budget change (first-order delay).",
        assumption=True,
    ),
    Parameter(
        "max_caseload_ratio",
        1.5,
        "ratio",
        (1.0, 5.0),
        (1.0, 2.0),
        "uncertain",
        "Derived: 15 families per social worker (2015) against the norm of 10 set from 2017 "
        "(families_per_social_worker).",
        "Largest caseload staff take on, relative to the norm.",
    ),
    Parameter(
        "caseload_quality_loss",
        0.5,
        "1/(caseload ratio)",
        (0.0, 10.0),
        (0.0, 2.0),
        "uncertain",
        "Assumption: quality falls as caseloads exceed the norm.",
        "Quality = 1 / (1 + this x (caseload / norm - 1)) above the norm.",
        assumption=True,
    ),
    Parameter(
        "training_quality_gain",
        0.2,
        "share",
        (0.0, 2.0),
        (0.0, 0.5),
        "uncertain",
        "Assumption: the Early Intervention Model trained 466 people (2017) but no effect "
        "estimate exists.",
        "Relative quality gain when all staff are trained.",
        assumption=True,
    ),
    Parameter(
        "scale_up_decay",
        0.218,
        "share",
        (0.0, 0.9),
        (0.0, 0.4),
        "uncertain",
        "Miller 2015: effects of programmes about 21.8% lower at scale.",
        "Relative loss of every service effect when delivered at scale.",
    ),
]

_TRAINING = [
    Parameter(
        "cost.training_per_person",
        round(881562.2 / 466 * deflator(2017)),
        "EUR per person trained",
        (0.0, 1e5),
        (1463.0, 5850.0),
        "uncertain",
        "Derived: the Early Intervention Model project (seed 001) cost 881,562.2 EUR and "
        "trained 466 people (1,892 EUR each in 2017, project costs included; x 1.463 to 2024 "
        "prices). Range: 1,000-4,000 EUR of 2017, x 1.463.",
        "Cost of training one member of staff in early-intervention methods.",
    ),
    Parameter(
        "staff_turnover",
        0.2,
        "1/yr",
        (0.0, 1.0),
        (0.14, 0.3),
        "uncertain",
        "US caseworker turnover: 14-22% a year in the median state, about 30% nationally "
        "(Edwards & Wildeman 2018; Casey); no Lithuanian figure.",
        "Share of service staff leaving each year, whose replacements must be trained.",
    ),
    Parameter(
        "caseload_norm",
        10.0,
        "families per worker",
        (1.0, 100.0),
        (8.0, 15.0),
        "structural",
        "families_per_social_worker: the norm of 10 set from 2017 (15 in 2015).",
        "Families per worker at the norm: service staff = family slots / this.",
    ),
]

_CARE_COSTS = [
    Parameter(
        "cost.family_care",
        544.5,
        "EUR per child-month",
        (0.0, 1e5),
        (445.0, 577.5),
        "uncertain",
        "Guardianship allowance 2024 (286 / 330 / 357.5 EUR by age; mean 324.5) plus the "
        "targeted supplement 220 EUR (seimoskc.lt 2024). Low end: 152 + 152 EUR (2017), x 1.463 "
        "to 2024 prices.",
        "Public cost of a child in family-based care (2024 prices).",
    ),
    Parameter(
        "cost.institutional_care",
        round(1100.0 * deflator(2015)),
        "EUR per child-month",
        (0.0, 1e5),
        (1071.0, 2296.0),
        "uncertain",
        "Derived and uncertain: public spending on care institutions (33.5-45 million EUR a "
        "year, about 2015) / about 4,000 children gives 700-1,500 EUR per child-month (central "
        "1,100) in 2015 prices; x 1.531 to 2024 prices.",
        "Public cost of a child in institutional care (2024 prices).",
    ),
]

_BUDGET_RANGES = {
    "preventive": (0.0, 60.0),
    "basic": (0.0, 60.0),
    "integration": (0.0, 60.0),
    "mobile_team": (0.0, 20.0),
}
_BUDGET_DEFAULTS = {
    "preventive": (
        round(3.6 * deflator(2017), 2),
        "children_day_centres_state_funding 2017 (3.6 million EUR), the "
        "first observed year, x 1.463 to 2024 prices; municipal co-funding not included.",
    ),
    "basic": (
        round(766 * 4e6 / 391 * deflator(2017) / 1e6, 2),
        "Derived: 766 social workers for social-risk families (2015) x 10,230 EUR "
        "per worker-year (2017 proposal: 391 posts for 4 million EUR), x 1.463 to 2024 prices.",
    ),
    "integration": (
        2.0,
        "Assumption (2024 prices): no national figure for integration services for families.",
    ),
    "mobile_team": (0.0, "Mobile teams started in July 2018; none before."),
}
_NGO_SHARE_DEFAULTS = {
    "preventive": 0.6,
    "basic": 0.1,
    "integration": 0.3,
    "mobile_team": 0.0,
}

_LEVERS = [
    *[
        Parameter(
            f"budget.{s}",
            _BUDGET_DEFAULTS[s][0],
            "million EUR/yr",
            (0.0, 1000.0),
            _BUDGET_RANGES[s],
            "lever",
            _BUDGET_DEFAULTS[s][1],
            f"National spending on {s.replace('_', ' ')} services (before the NGO split).",
            assumption=s == "integration",
        )
        for s in SERVICES
    ],
    *[
        Parameter(
            f"ngo_share.{s}",
            _NGO_SHARE_DEFAULTS[s],
            "share",
            _SHARE,
            _SHARE,
            "lever",
            "Assumption: no national split of spending by provider; day centres are mostly "
            "NGO-run, casework municipal. 'Equal funding' (seed 000) is 0.5.",
            f"Share of the {s.replace('_', ' ')} budget spent on NGO providers.",
            assumption=True,
        )
        for s in SERVICES
    ],
    Parameter(
        "institutional_placement_share",
        0.4,
        "share of placements",
        _SHARE,
        _SHARE,
        "lever",
        "Assumption for 2009 (institutions held 4,391 of about 11,300 children in care); "
        "deinstitutionalisation from 2014 lowers it by schedule.",
        "Share of new placements that go to institutions rather than families.",
        assumption=True,
    ),
    Parameter(
        "deinstitutionalisation_rate",
        0.0,
        "1/yr",
        _RATE,
        (0.0, 1.0),
        "lever",
        "Zero before the 2014 transition (seed 004).",
        "Institutional care -> family-based care: transfers as institutions close.",
    ),
    Parameter(
        "temporary_care_share",
        0.0,
        "share of removals",
        _SHARE,
        _SHARE,
        "lever",
        "Zero before 2020, when temporary care by relatives (laikinoji priežiūra) began; "
        "guardianship cases fell by about a third in 2020 (guardianship_cases_change_pct "
        "2020: -33%; temporary_guardianship_cases_change_pct 2020: -36%).",
        "Share of crises that would end in care that end in temporary care by relatives "
        "instead: the children return home and never enter guardianship.",
    ),
    Parameter(
        "trained_staff_share",
        0.0,
        "share",
        _SHARE,
        _SHARE,
        "lever",
        "Zero before the Early Intervention Model training (2017, 466 people).",
        "Share of service staff trained in early-intervention methods.",
    ),
]

_AGENT_BASED = [
    Parameter(
        "vulnerability_shape",
        2.0,
        "dimensionless",
        (0.05, 1000.0),
        (0.5, 10.0),
        "uncertain",
        "Assumption: no Lithuanian measure of how unequal family risks are; a gamma "
        "distribution with mean 1 and variance 1/shape.",
        "Shape of the gamma-distributed vulnerability multiplier (mean 1) on onset and "
        "escalation hazards (agent-based engine only).",
        assumption=True,
        engines=ABM,
    ),
    Parameter(
        "reunification_first_month_ratio",
        1.94,
        "ratio",
        (0.1, 10.0),
        (1.0, 3.0),
        "uncertain",
        "Derived: ASPE multi-state study, reunification hazard 9.3% in the first month "
        "against 4.8% a month after it (9.3 / 4.8).",
        "Reunification hazard in the first month of care relative to months 2-12 "
        "(agent-based engine only).",
        engines=ABM,
    ),
    Parameter(
        "reunification_after_year_ratio",
        0.58,
        "ratio",
        (0.05, 10.0),
        (0.3, 1.0),
        "uncertain",
        "Derived: ASPE multi-state study, 2.8% a month later in care against 4.8% (2.8 / 4.8).",
        "Reunification hazard after a year in care relative to months 2-12 (agent-based "
        "engine only).",
        engines=ABM,
    ),
    Parameter(
        "monitoring_delay",
        12.0,
        "months",
        (0.0, 60.0),
        (3.0, 24.0),
        "uncertain",
        "Assumption: municipal monitoring reports the previous year (seed 001 asks for "
        "national and local monitoring; seed 002 for regular reviews).",
        "Age of the indicators a municipality sees when it allocates its budget.",
        assumption=True,
        engines=ABM,
    ),
    Parameter(
        "monitoring_noise",
        0.1,
        "relative SD",
        (0.0, 2.0),
        (0.0, 0.3),
        "uncertain",
        "Assumption: small-area counts are noisy and definitions changed in 2018.",
        "Relative standard deviation (lognormal) of monitored indicators.",
        assumption=True,
        engines=ABM,
    ),
    Parameter(
        "adaptive_step",
        0.05,
        "share of budget per year",
        (0.0, 0.5),
        (0.0, 0.2),
        "uncertain",
        "Assumption.",
        "Share of its service budget an adaptive municipality moves each year towards what worked.",
        assumption=True,
        engines=ABM,
    ),
    Parameter(
        "imitation_rate",
        0.1,
        "share per year",
        _SHARE,
        (0.0, 0.3),
        "uncertain",
        "Assumption.",
        "How far an adaptive municipality moves its service shares towards those of its most "
        "successful peer each year.",
        assumption=True,
        engines=ABM,
    ),
    Parameter(
        "stage_years",
        1.0,
        "yr",
        (0.1, 10.0),
        (0.5, 3.0),
        "uncertain",
        "Assumption: the cooperation model (seed 000) names four stages in a municipality "
        "(situation analysis, agreements, implementation, quality evaluation) but no "
        "durations.",
        "Time a municipality spends in each deployment stage without a regional coordinator.",
        assumption=True,
        engines=BOTH,
    ),
    Parameter(
        "coordinator_speedup",
        2.0,
        "ratio",
        (1.0, 10.0),
        (1.0, 4.0),
        "uncertain",
        "Assumption: seed 000 gives regional coordinators the task of speeding deployment.",
        "How many times faster deployment stages pass with a regional coordinator.",
        assumption=True,
        engines=BOTH,
    ),
    Parameter(
        "groups_detection_gain",
        0.3,
        "ratio",
        (0.0, 10.0),
        (0.0, 1.0),
        "uncertain",
        "Assumption: inter-institutional groups in elderships and the municipality (seed 000) "
        "find families earlier; no effect estimate.",
        "Relative increase of detection once inter-institutional groups work.",
        assumption=True,
        engines=BOTH,
    ),
    Parameter(
        "coordinator_onset_effect",
        0.05,
        "share",
        _SHARE,
        (0.0, 0.15),
        "uncertain",
        "Assumption: a community-initiatives coordinator (seed 000) strengthens universal "
        "prevention; no effect estimate.",
        "Relative reduction of onset once a community-initiatives coordinator works.",
        assumption=True,
        engines=BOTH,
    ),
    Parameter(
        "local_team_quality_gain",
        0.2,
        "share",
        (0.0, 5.0),
        (0.0, 0.5),
        "uncertain",
        "Assumption: a municipality's own mobile team (seed 000) knows local services.",
        "Relative quality gain of mobile-team work once the municipality has its own team.",
        assumption=True,
        engines=BOTH,
    ),
]

_POLICY_LEVERS = [
    Parameter(
        "prevention_target_share",
        0.3,
        "share of service budget",
        _SHARE,
        _SHARE,
        "lever",
        "Assumption: the 'prevention_first' rule's target; no Lithuanian target exists.",
        "Share of a municipality's service budget that the 'prevention_first' rule puts "
        "into preventive services.",
        assumption=True,
        engines=ABM,
    ),
    Parameter(
        "cooperation_start_year",
        2100.0,
        "year",
        (2009.0, 2100.0),
        (2009.0, 2100.0),
        "lever",
        "2100 means never: the cooperation scheme of seed 000 is a proposal.",
        "Year municipalities start deploying the cooperation model (situation analysis).",
        engines=BOTH,
    ),
    Parameter(
        "regional_coordinators",
        0.0,
        "0 or 1",
        _SHARE,
        _SHARE,
        "lever",
        "Seed 000 names a regional coordinator among the five deployment actors; none today.",
        "Whether the ministry funds regional coordinators (1) or not (0); fractions blend.",
        engines=BOTH,
    ),
    Parameter(
        "state_cofinancing_share",
        0.3,
        "share",
        _SHARE,
        (0.1, 0.6),
        "lever",
        "Assumption: the state funds day centres and social-worker posts through the "
        "municipalities; no national split of service spending by payer in the project data.",
        "Share of service spending paid by the state (the ministry's co-financing).",
        assumption=True,
        engines=("abm", "economics"),
    ),
    Parameter(
        "institution_closure_rate",
        0.0,
        "1/yr",
        _SHARE,
        (0.0, 0.3),
        "lever",
        "Zero before the 2014 transition (seed 004); care-home places fell from about 4,400 "
        "children (2009) to about 1,100 (2025).",
        "Relative yearly fall of institutional care places. Both engines: closes the places "
        "that free places draw placements into (bed_supply_elasticity), at this rate a year "
        "on top of their adjustment to use; agent-based engine also: from the first year it "
        "is positive, places fall by this share each January and placements go to "
        "family-based care when institutions are full.",
        engines=BOTH,
    ),
]

_BED_SOURCE = (
    "the residential-care bed-supply model (agent-based, bed supply by linear partial "
    "adjustment: 'slow response times produce large waiting lists whereas fast response times "
    "lead to surplus capacity, which drives placements up'; SSWR 2011, paper 14742, "
    "symposium 'The Hidden Hand'); linear partial adjustment: Tuma and Hannan (1983), Social "
    "Dynamics"
)
_BED_SUPPLY = [
    Parameter(
        "bed_adjustment_time",
        2.0,
        "yr",
        (0.05, 100.0),
        (0.5, 5.0),
        "structural",
        f"Assumption: the structure is that of {_BED_SOURCE}; neither publishes a response "
        "time for child welfare. Range: a budget year to a planning cycle.",
        "Time for institutional care places to follow the children in them (linear partial "
        "adjustment: a share 1 / this time of the gap closes each year).",
        assumption=True,
        engines=BOTH,
    ),
    Parameter(
        "bed_supply_elasticity",
        0.0,
        "elasticity",
        (0.0, 5.0),
        (0.0, 1.0),
        "structural",
        "Assumption: no published figure. Free places drawing placements up is the behaviour "
        f"of {_BED_SOURCE}; Wulczyn (Chapin Hall), 'Supply-induced demand and Black/White "
        "differences in the use of congregate care' (APPAM 2019, paper 32800; SSWR 2020, paper "
        "38929): counties where the supply effect (a convergent cross-mapping coefficient of "
        "admissions and discharges) is strong place more children in congregate care, with no "
        "elasticity; Wulczyn, 'State of the U.S. foster care system' (ch. 1): the evidence is "
        "'not per se conclusive'. Range by analogy only (hospitals, not child welfare: "
        "Roemer's law): hospital days rise 0.4-0.53% per 1% more beds (Ginsburg and Koretz "
        "1983, Health Care Financing Review 5(1): 87-92; Feldstein 1971), and published "
        "estimates span no effect to one-to-one. Default 0: the mechanism off.",
        "Relative rise of the hazard of placement in an institution per unit of free-place "
        "share: the hazard x (1 + this x free places / places).",
        assumption=True,
        engines=BOTH,
    ),
]

_ECONOMICS = [
    Parameter(
        "discount_rate",
        0.05,
        "1/yr",
        (0.0, 0.5),
        (0.0, 0.07),
        "structural",
        "European Commission, Guide to Cost-Benefit Analysis of Investment Projects (2014): "
        "5% social discount rate for Cohesion countries (Lithuania), 3% for others.",
        "Annual rate at which future costs and benefits are discounted.",
        engines=ECONOMICS,
    ),
    Parameter(
        "state_share.family_care",
        1.0,
        "share",
        _SHARE,
        (0.5, 1.0),
        "uncertain",
        "Assumption: the guardianship allowance and its targeted supplement are state "
        "benefits paid through municipalities.",
        "Share of family-based care costs paid by the state (the rest by municipalities).",
        assumption=True,
        engines=ECONOMICS,
    ),
    Parameter(
        "state_share.institutional_care",
        0.5,
        "share",
        _SHARE,
        (0.2, 0.8),
        "uncertain",
        "Assumption: care homes are state, municipal and NGO institutions; 'state and "
        "municipalities' fund them (liberties.eu) without a split.",
        "Share of institutional care costs paid by the state.",
        assumption=True,
        engines=ECONOMICS,
    ),
]


def _read_table(folder: str) -> list[Parameter]:
    """Economics parameters from ``simulation/data/<folder>/parameters.csv`` (one row each)."""
    path = resources.files("simulation") / "data" / folder / "parameters.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        Parameter(
            r["name"],
            float(r["default"]),
            r["unit"],
            (float(r["domain_low"]), float(r["domain_high"])),
            (float(r["low"]), float(r["high"])),
            r["kind"],
            r["source"],
            r["description"],
            assumption=r["assumption"] == "yes",
            engines=ECONOMICS,
        )
        for r in rows
    ]


#: The life-course outcome model's parameters (``simulation.model.lifecourse``).
_LIFECOURSE = _read_table("lifecourse")

_BASE = [
    *_DEMOGRAPHY,
    *_INITIAL,
    *_HAZARDS,
    *_SERVICE_EFFECTS,
    *_TRAINING,
    *_CARE_COSTS,
    *_LEVERS,
    *_AGENT_BASED,
    *_POLICY_LEVERS,
    *_BED_SUPPLY,
    *_ECONOMICS,
    *_LIFECOURSE,
]
#: The programme library's parameters (costs, effects converted at the other parameters'
#: defaults, relapse, effective share, duration) and levers (mix weights, own budgets).
_PROGRAMMES = [
    *effect_sizes.registry_parameters(
        programmes.library(), Registry.from_parameters(_BASE).defaults()
    ),
    *effect_sizes.lever_parameters(programmes.library()),
]


def _programme_cost_domain(p: Parameter) -> Parameter:
    """A programme's cost with the domain [1, 1e6] EUR per place-year (was [0, 1e6]).

    Why: the engines read a cost of 0 as no places at all and a cost near 0 as places
    without bound (capacity / cost overflows to infinity below about 1e-300 EUR, and the
    run's results become NaN). 1 EUR a place-year is far below every programme's cost (the
    lowest range starts at 38 EUR: universal parenting); a programme is left out with its
    budget (``mix.*``, ``budget.*``), not with its cost.
    """
    if p.name.startswith("programme.") and p.name.endswith(".cost"):
        return dataclasses.replace(p, domain=(1.0, p.domain[1]))
    return p


#: Shortest programme that is not ongoing: one day, yr.
SHORTEST_PROGRAMME = 1.0 / 365.0


def _programme_duration_domain(p: Parameter) -> Parameter:
    """A programme's duration: 0 (ongoing) or at least a day (was anything in [0, 20] yr).

    Why: families finish at served / duration, so a duration near 0 makes the finishing rate
    unbounded (it overflows to infinity below about 1e-300 yr, and the run's results become
    NaN; the SD engine also needs steps shorter than the duration). No programme lasts less
    than a day; the shortest range starts at 0.05 yr (family group conferences).
    """
    if p.name.startswith("programme.") and p.name.endswith(".duration"):
        return dataclasses.replace(p, smallest_positive=SHORTEST_PROGRAMME)
    return p


_PROGRAMMES = [_programme_duration_domain(_programme_cost_domain(p)) for p in _PROGRAMMES]


# ---- readers' texts: labels, units and sources in Lithuanian and English ------------------
def labels_csv(name: str) -> dict[str, dict[str, str]]:
    """Rows of ``simulation/data/labels/<name>`` keyed by their first column."""
    path = resources.files("simulation") / "data" / "labels" / name
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    first = next(iter(rows[0]))
    return {r[first]: r for r in rows}


_PARAMETER_TEXTS = labels_csv("parameters.csv")
_UNIT_TEXTS = labels_csv("units.csv")
_TRANSITION_TEXTS = labels_csv("transitions.csv")
_PROGRAMMES_BY_NAME = {prog.name: prog for prog in programmes.library()}

#: Readers' labels of a programme's parameters, by the part of the name after the programme.
_PROGRAMME_FIELDS = {
    "cost": ("{lt}: kaina vienai šeimai per metus", "{en}: cost per family a year"),
    "relapse_rate": ("{lt}: poveikio išnykimo dažnis", "{en}: rate at which its effect ends"),
    "effective_share": (
        "{lt}: šeimų, kurioms tinka poveikio įrodymai, dalis",
        "{en}: share of families the evidence applies to",
    ),
    "duration": ("{lt}: trukmė", "{en}: duration"),
    "mix": ("{lt}: svoris paslaugų srities biudžete", "{en}: weight in its line's budget"),
    "budget": ("{lt}: atskiras nacionalinis biudžetas", "{en}: national budget of its own"),
}


def _lt_number(value: float) -> str:
    """A number as Lithuanian readers write it (decimal comma, grouping), for source texts."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.####", locale="lt_LT")


def _assumption_lt(p: Parameter, unit_lt: str) -> str:
    """The Lithuanian source of an assumption: no published figure, and the range tried."""
    lo, hi = (_lt_number(v) for v in p.range)
    interval = f"tikrinamas intervalas nuo {lo} iki {hi} ({unit_lt})" if lo != hi else ""
    return ", ".join(filter(None, ("prielaida (be paskelbto šaltinio)", interval)))


def _programme_labels(name: str) -> tuple[str, str] | None:
    """(lt, en) labels of a programme's parameter or lever, None for other names."""
    parts = name.split(".")
    if parts[0] == "programme":
        prog, field = _PROGRAMMES_BY_NAME.get(parts[1]), ".".join(parts[2:])
    elif parts[0] in ("mix", "budget") and len(parts) == 2:
        prog, field = _PROGRAMMES_BY_NAME.get(parts[1]), parts[0]
    else:
        return None
    if prog is None:
        return None
    if field.startswith("effect."):
        t = _TRANSITION_TEXTS[field.removeprefix("effect.")]
        return f"{prog.label_lt}: poveikis {t['lt']}", f"{prog.label_en}: effect on {t['en']}"
    lt, en = _PROGRAMME_FIELDS[field]
    return lt.format(lt=prog.label_lt), en.format(en=prog.label_en)


def _programme_source_lt(p: Parameter) -> str:
    if p.name.startswith("mix."):
        bought = "šią programą" if p.default > 0 else "kitas programas"
        return f"iki reformos Lietuvoje teiktos paslaugos: srities biudžetas perka {bought}"
    if p.name.startswith("budget."):
        return "pradiniame scenarijuje nėra: programą perka scenarijus"
    return "tarptautiniai programos poveikio ir kainos vertinimai (šaltiniai – dokumentacijoje)"


def _readers(p: Parameter) -> dict[str, str]:
    """The readers' texts of one parameter (see :attr:`Parameter.readers`)."""
    row = _PARAMETER_TEXTS.get(p.name, {})
    unit = _UNIT_TEXTS.get(p.unit, {})
    texts = {"label.lt": row.get("label_lt", ""), "label.en": row.get("label_en", "")}
    generated = _programme_labels(p.name)
    if generated:
        texts["label.lt"], texts["label.en"] = generated
    texts["unit.lt"], texts["unit.en"] = unit.get("lt", ""), unit.get("en", "")
    source = row.get("source_lt", "")
    if not source and p.assumption:
        source = _assumption_lt(p, texts["unit.lt"] or p.unit)
    elif not source and generated:
        source = _programme_source_lt(p)
    texts["source.lt"] = source
    return {k: v for k, v in texts.items() if v}


REGISTRY: Registry = Registry.from_parameters(
    dataclasses.replace(p, readers=_readers(p)) for p in [*_BASE, *_PROGRAMMES]
)
#: Names of every lever (what municipalities and the ministry choose), in registry order.
LEVERS: tuple[str, ...] = tuple(REGISTRY.names("lever"))

_PROGRAMMES_NOTE = "services are programmes now (`prevsim programmes`)"
#: Parameters that no longer exist, with what replaced them (one line each, for input errors).
RETIRED: dict[str, str] = {
    "prevention_onset_effect": f"retired: {_PROGRAMMES_NOTE}; the onset effect is "
    "programme.universal_parenting.effect.onset",
    "prevention_detection_gain": f"retired: {_PROGRAMMES_NOTE}; outreach raises detection: "
    "programme.outreach_community.effect.detection",
    "prevention_recovery_gain": f"retired: {_PROGRAMMES_NOTE}; no evaluated programme raises "
    "recovery from early support: home visiting and parenting programmes lower escalation "
    "(programme.home_visiting.effect.supported_escalation)",
    "prevention_escalation_effect": f"retired: {_PROGRAMMES_NOTE}; "
    "programme.parenting_programme.effect.supported_escalation and "
    "programme.home_visiting.effect.supported_escalation",
    "basic_crisis_effect": f"retired: {_PROGRAMMES_NOTE}; casework: "
    "programme.casework.effect.risk_to_crisis; intensive family preservation: "
    "programme.family_preservation.effect.placement",
    "risk_recovery_gain": f"retired: {_PROGRAMMES_NOTE}; integration services: "
    "programme.integration_services.effect.risk_to_crisis",
    "basic_weight": f"retired: {_PROGRAMMES_NOTE}; casework and integration services act on "
    "the families each serves (the assumed complement is gone)",
    "mobile_placement_effect": f"retired: {_PROGRAMMES_NOTE}; "
    "programme.mobile_crisis_team.effect.placement",
    **{
        f"unit_cost.{line}": f"retired: {_PROGRAMMES_NOTE}; each programme has its cost, "
        f"e.g. programme.{name}.cost"
        for line, name in (
            ("preventive", "day_centres"),
            ("basic", "casework"),
            ("integration", "integration_services"),
            ("mobile_team", "mobile_crisis_team"),
        )
    },
    "cost.adversity_per_child_year_in_care": "retired: the life course values childhoods "
    "(`prevsim lifecourse`, docs/economics.md)",
    "cost.adversity_per_family_year_in_risk": "retired: the life course values childhoods "
    "(`prevsim lifecourse`, docs/economics.md)",
}
