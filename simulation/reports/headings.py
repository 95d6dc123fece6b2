"""Column headings and code words of exported tables, in Lithuanian and English.

A workbook's reader sees "Grynoji dabartinė vertė, EUR", not ``npv``. Headings are looked up
here (:data:`HEADINGS`), then built from their parts (``children.risk`` is a state's children,
``cost.preventive.ngo`` a cost item, ``npv.p05`` a measure's 5th percentile), then taken from
the parameter registry (a parameter's readers' label); a code name with no words yet is shown
as it is rather than guessed.
"""

from __future__ import annotations

import functools

from simulation.model.states import STATE_KEYS, State
from simulation.reports.labels import LABELS

#: code -> (Lithuanian, English)
HEADINGS: dict[str, tuple[str, str]] = {
    # what a row is
    "scenario": ("Scenarijus", "Scenario"),
    "role": ("Vaidmuo", "Role"),
    "measure": ("Rodiklis", "Measure"),
    "metric": ("Rodiklis", "Measure"),
    "value": ("Reikšmė", "Value"),
    "value_text": ("Reikšmė", "Value"),
    "item": ("Straipsnis", "Item"),
    "unit": ("Vienetai", "Unit"),
    "description": ("Aprašymas", "Description"),
    "replicate": ("Pakartojimas", "Replicate"),
    "sample": ("Imtis", "Sample"),
    "year": ("Metai", "Year"),
    "time": ("Laikas, metai", "Time, years"),
    "municipality": ("Savivaldybė", "Municipality"),
    "outcome": ("Pasekmė", "Outcome"),
    "payer": ("Kas gauna naudą", "Who benefits"),
    "programme": ("Programa", "Programme"),
    "parameter": ("Parametras", "Parameter"),
    "exposure": ("Vaikystės patirtis", "Childhood exposure"),
    "age": ("Amžius, metai", "Age, years"),
    # statistics
    "central": ("Centrinis skaičiavimas", "Central run"),
    "mean": ("Vidurkis", "Mean"),
    "median": ("Mediana", "Median"),
    "p05": ("5 procentilis", "5th percentile"),
    "p25": ("25 procentilis", "25th percentile"),
    "p75": ("75 procentilis", "75th percentile"),
    "p95": ("95 procentilis", "95th percentile"),
    "q05": ("5 procentilis", "5th percentile"),
    "q95": ("95 procentilis", "95th percentile"),
    "runs": ("Skaičiavimų", "Runs"),
    "share": ("Dalis skaičiavimų", "Share of runs"),
    "mc_error": ("Monte Karlo standartinė paklaida", "Monte Carlo standard error"),
    "bound_95": ("Riba pagal trijų taisyklę (95 %)", "Rule-of-three bound (95%)"),
    "low": ("Žemiausia", "Low"),
    "high": ("Aukščiausia", "High"),
    # value
    "npv": ("Grynoji dabartinė vertė, EUR", "Net present value, EUR"),
    "bcr": ("Naudos ir išlaidų santykis", "Benefit-cost ratio"),
    "irr": ("Vidinė grąžos norma", "Internal rate of return"),
    "benefits": ("Nauda, EUR", "Benefits, EUR"),
    "costs": ("Išlaidos, EUR", "Costs, EUR"),
    "break_even_year": ("Atsipirkimo metai", "Break-even year"),
    "placements_avoided": ("Išvengta paėmimų (šeimos)", "Placements avoided (families)"),
    "children_placed_avoided": ("Išvengta paėmimų (vaikai)", "Children's placements avoided"),
    "child_years_in_care_avoided": ("Išvengta vaiko metų globoje", "Child-years in care avoided"),
    "cost_per_placement_avoided": (
        "Išlaidos vienam išvengtam paėmimui, EUR",
        "Cost per placement avoided, EUR",
    ),
    "chance_benefits_exceed_costs": (
        "Tikimybė, kad nauda viršys išlaidas",
        "Chance that benefits exceed costs",
    ),
    "discount_rate": ("Diskonto norma", "Discount rate"),
    "base_year": ("Diskontuota iki metų", "Discounted to year"),
    "end_year": ("Paskutiniai metai", "Last year"),
    "currency": ("Valiuta", "Currency"),
    "price_year": ("Kainų metai", "Price year"),
    "pv_eur": ("Dabartinė vertė, EUR", "Present value, EUR"),
    "pv_eur_p05": ("Dabartinė vertė, 5 procentilis, EUR", "Present value, 5th percentile, EUR"),
    "pv_eur_p95": ("Dabartinė vertė, 95 procentilis, EUR", "Present value, 95th percentile, EUR"),
    "pv_per_family_year_served_eur": (
        "Vertė vieniems aptarnautos šeimos metams, EUR",
        "Value per family-year served, EUR",
    ),
    "pv_per_child_year_served_eur": (
        "Vertė vieniems aptarnauto vaiko metams, EUR",
        "Value per child-year served, EUR",
    ),
    "cumulative_net_benefit": ("Sukaupta grynoji nauda, EUR", "Cumulative net benefit, EUR"),
    # accounts and outcomes
    "total_cost": ("Viešosios išlaidos, EUR", "Public cost, EUR"),
    "service_cost": ("Paslaugų išlaidos, EUR", "Cost of services, EUR"),
    "family_care_cost": ("Globos šeimoje išlaidos, EUR", "Cost of family-based care, EUR"),
    "institutional_care_cost": ("Institucinės globos išlaidos, EUR", "Cost of institutions, EUR"),
    "lifecourse_cost": ("Gyvenimo eigos kaina, EUR", "Life-course cost, EUR"),
    "indirect_cost": ("Mokesčių naštos kaina, EUR", "Deadweight cost of taxes, EUR"),
    "state_cost": ("Valstybės išlaidos, EUR", "State cost, EUR"),
    "municipal_cost": ("Savivaldybių išlaidos, EUR", "Municipal cost, EUR"),
    "placements": ("Paėmimai į globą (šeimos)", "Placements (families)"),
    "children_placed": ("Į globą paimti vaikai", "Children placed in care"),
    "child_years_in_care": ("Vaiko metai globoje", "Child-years in care"),
    "family_years_in_risk": ("Šeimos metai sunkumuose", "Family-years in difficulty"),
    "family_years_served": ("Aptarnautų šeimų metai", "Family-years served"),
    "child_years_served": ("Aptarnautų vaikų metai", "Child-years served"),
    "risk_child_years": ("Vaiko metai sunkumų patiriančioje šeimoje", "Child-years at risk"),
    "crisis_episodes": ("Krizės", "Crisis episodes"),
    "unspent": ("Neišleista, EUR", "Unspent, EUR"),
    "spent": ("Išleista, EUR", "Spent, EUR"),
    "children_reunified": ("Grįžę į šeimą vaikai", "Children reunified"),
    "children_left_care": ("Globą palikę vaikai", "Children who left care"),
    "eur": ("EUR", "EUR"),
    "children": ("Vaikai (0–17 m.)", "Children (0-17)"),
    "avoided_per_1000_children": (
        "Išvengta paėmimų 1 000 vaikų",
        "Placements avoided per 1,000 children",
    ),
    "families_total": ("Šeimos iš viso", "Families, total"),
    "families": ("Šeimos", "Families"),
    "children.placed": ("Į globą paimti vaikai", "Children placed in care"),
    "child_years.in_care": ("Vaiko metai globoje", "Child-years in care"),
    "child_years.institutional_care": (
        "Vaiko metai institucinėje globoje",
        "Child-years in institutions",
    ),
    "family_years.risk": ("Šeimos metai sunkumuose", "Family-years in difficulty"),
    "family_years.early_support": (
        "Šeimos metai ankstyvojoje pagalboje",
        "Family-years in early support",
    ),
    "families.entered": ("Naujos šeimos", "New families"),
    "families.exited": ("Išėjusios šeimos", "Families leaving"),
    "start": ("pradžioje", "at the start"),
    "end": ("pabaigoje", "at the end"),
    # sensitivity
    "S1": ("Pirmos eilės indeksas (S1)", "First-order index (S1)"),
    "S1_conf": ("S1 95 % pasikliautinasis pusplotis", "S1 95% confidence half-width"),
    "ST": ("Bendrasis indeksas (ST)", "Total-order index (ST)"),
    "ST_conf": ("ST 95 % pasikliautinasis pusplotis", "ST 95% confidence half-width"),
    "mu_star": ("Vidutinis absoliutus poveikis (μ*)", "Mean absolute effect (μ*)"),
    "mu_star_conf": ("μ* 95 % pasikliautinasis pusplotis", "μ* 95% confidence half-width"),
    "sigma": ("Poveikio standartinis nuokrypis (σ)", "Standard deviation of effects (σ)"),
    "ks": ("Kolmogorovo–Smirnovo statistika", "Kolmogorov-Smirnov statistic"),
    "p_value": ("p reikšmė", "p-value"),
    "positive_low": ("Teigiama dalis žemoje pusėje", "Share positive, low half"),
    "positive_high": ("Teigiama dalis aukštoje pusėje", "Share positive, high half"),
    # life course
    "base": ("Bazinis dažnis", "Base rate"),
    "base_parameter": ("Bazinio dažnio parametras", "Base rate parameter"),
    "base_unit": ("Bazinio dažnio vienetai", "Base rate unit"),
    "unit_value": ("Vieneto vertė, EUR", "Unit value, EUR"),
    "unit_value_parameter": ("Vieneto vertės parametras", "Unit value parameter"),
    "unit_value_unit": ("Vieneto vertės vienetai", "Unit value unit"),
    "rr.risk": (
        "Santykinė rizika: sunkumų patirianti šeima",
        "Relative risk: family in difficulty",
    ),
    "rr.risk_parameter": ("Jos parametras", "Its parameter"),
    "rr.maltreatment": ("Santykinė rizika: krizė", "Relative risk: crisis"),
    "rr.maltreatment_parameter": ("Jos parametras", "Its parameter"),
    "rr.care": ("Santykinė rizika: globa", "Relative risk: care"),
    "rr.care_parameter": ("Jos parametras", "Its parameter"),
    "rr.institution": ("Santykinė rizika: institucija", "Relative risk: institution"),
    "rr.institution_parameter": ("Jos parametras", "Its parameter"),
    "sources": ("Šaltiniai", "Sources"),
    "participants": ("Užaugę vaikai, EUR", "The children as adults, EUR"),
    "taxpayers": ("Mokesčių mokėtojai, EUR", "Taxpayers, EUR"),
    "others": ("Kiti (nusikaltimų aukos), EUR", "Others (victims of crime), EUR"),
    "indirect": ("Mokesčių našta, EUR", "Deadweight cost of taxes, EUR"),
    # calibration
    "prior_low": ("Apriorinio intervalo apačia", "Prior range, low"),
    "prior_high": ("Apriorinio intervalo viršus", "Prior range, high"),
    "before": ("Prieš kalibravimą", "Before calibration"),
    "best": ("Geriausias įvertis", "Best fit"),
    "laplace_sd": ("Standartinė paklaida (Laplaso)", "Standard error (Laplace)"),
    "at_bound": ("Ties intervalo riba", "At a bound of its range"),
    "autocorrelation_steps": ("Autokoreliacijos trukmė, žingsniai", "Autocorrelation time, steps"),
    "target": ("Tikslas", "Target"),
    "series": ("Duomenų eilutė", "Data series"),
    "quality": ("Duomenų kokybė", "Data quality"),
    "data_sigma": ("Duomenų santykinė paklaida", "Relative error of the data"),
    "predictive_q05": ("Prognozės 5 procentilis", "Predictive 5th percentile"),
    "predictive_q95": ("Prognozės 95 procentilis", "Predictive 95th percentile"),
    "relative_error": ("Santykinė modelio paklaida", "Relative error of the model"),
    "standardised_residual": ("Standartizuota liekana", "Standardised residual"),
    "within_10pct": ("Paklaida iki 10 %", "Within 10%"),
    "inside_predictive_90": ("90 % prognozės intervale", "Inside the 90% predictive interval"),
    "used": ("Panaudota", "Used for"),
    "abm_mean": ("Agentų modelio vidurkis", "Agent-based mean"),
    "abm_se": ("Agentų modelio standartinė paklaida", "Agent-based standard error"),
    "abm_error": ("Agentų modelio santykinė paklaida", "Agent-based relative error"),
    "abm_vs_sd": ("Agentų modelis / sistemų dinamika", "Agent-based / system dynamics"),
    # about sheet
    "kind": ("Rezultatų rūšis", "Kind of results"),
    "command": ("Komanda", "Command"),
    "created": ("Sukurta", "Created"),
    "commit": ("Kodo versija (git)", "Code version (git)"),
    "engine": ("Modelis", "Engine"),
    "rounding": ("Apvalinimas", "Rounding"),
    "assumption": ("Prielaida", "Assumption"),
    "source": ("Šaltinis", "Source"),
}
#: Sheet titles (at most 31 characters, Excel's limit).
SHEET_TITLES: dict[str, tuple[str, str]] = {
    "key_numbers": ("Svarbiausi skaičiai", "Key numbers"),
    "net_benefit": ("Grynoji nauda per metus", "Net benefit by year"),
    "placements": ("Paėmimai per metus", "Placements by year"),
    "costs": ("Išlaidos per metus", "Costs by year"),
    "yearly": ("Metinės sąskaitos", "Yearly accounts"),
    "municipalities": ("Savivaldybės", "Municipalities"),
    "by_outcome": ("Vertė pagal pasekmę ir gavėją", "Value by outcome and payer"),
    "sensitivity": ("Jautrumas", "Sensitivity"),
    "parameters": ("Parametrai", "Parameters"),
    "outcomes": ("Rezultatai", "Outcomes"),
    "programmes": ("Programų lėšos", "Programme money"),
    "indices": ("Jautrumo indeksai", "Sensitivity indices"),
    "sign_drivers": ("Ženklą lemiantys veiksniai", "Sign drivers"),
    "time_varying": ("Jautrumas laikui bėgant", "Sensitivity over time"),
    "fit": ("Kalibruoti parametrai", "Fitted parameters"),
    "points": ("Duomenys ir modelis", "Data and model"),
    "exposures": ("Vaikystės patirtys", "Childhood exposures"),
    "about": ("Apie", "About"),
}
#: Code words in a table's cells (measures, units, kinds): code -> (Lithuanian, English).
VALUES: dict[str, tuple[str, str]] = {
    "EUR": ("EUR", "EUR"),
    "ratio": ("santykis", "ratio"),
    "share": ("dalis", "share"),
    "year": ("metai", "year"),
    "children": ("vaikai", "children"),
    "families": ("šeimos", "families"),
    "child-years": ("vaiko metai", "child-years"),
    "family-years": ("šeimos metai", "family-years"),
    "baseline": ("palyginimo scenarijus", "baseline"),
    "run": ("vienas skaičiavimas", "one run"),
    "comparison": ("scenarijų palyginimas", "comparison of scenarios"),
    "briefing": ("ministerijos apžvalga", "ministry briefing"),
    "ensemble": ("Monte Karlo ansamblis", "Monte Carlo ensemble"),
    "sensitivity": ("jautrumo analizė", "sensitivity analysis"),
    "calibration": ("kalibravimas", "calibration"),
    "lifecourse": ("gyvenimo eigos vertės", "life-course values"),
    "risk_year": (
        "vaiko metai sunkumų patiriančioje šeimoje",
        "a child-year in a family in difficulty",
    ),
    "maltreatment": ("krizė (smurtas, nepriežiūra)", "a crisis (violence, neglect)"),
    "placement": ("paėmimas į globą", "a placement in care"),
    "institution_year": ("vaiko metai institucijoje", "a child-year in an institution"),
    "rounding_note": (
        "Pinigai – iki euro, vaikų, šeimų ir metų skaičiai – iki dešimtosios, dalys ir "
        "santykiai – 4 skaitmenys po kablelio, kiti skaičiai – 6 reikšminiai skaitmenys; "
        "tikslios reikšmės – rezultatų aplanko failuose.",
        "Money to whole euros, counts of children, families and years to a tenth, shares and "
        "ratios to 4 decimals, other numbers to 6 significant digits; the exact values are in "
        "the results folder's files.",
    ),
}
_MEASURES = ("npv", "bcr", "irr", "benefits", "costs", "placements")
_STATS = ("mean", "median", "p05", "p25", "p75", "p95")


def _upper_first(text: str) -> str:
    """``text`` with a capital first letter (``str.capitalize`` would lower "NVO")."""
    return text[:1].upper() + text[1:]


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "lt" else pair[1]


def _labels(lang: str, *path: str) -> dict:
    table = LABELS[lang]
    for key in path:
        table = table.get(key, {})
    return table


def _parameter(name: str, lang: str) -> str | None:
    """A parameter's readers' label, if the registry has the parameter."""
    from simulation.model.catalogue import REGISTRY

    try:
        spec = REGISTRY[name]
    except (KeyError, TypeError):
        return None
    label = getattr(spec, "label", None)
    return label(lang) if callable(label) else None


def _cost_item(item: str, lang: str) -> str | None:
    """``preventive.ngo`` as "prevencinės paslaugos, NVO"."""
    service, _, provider = item.partition(".")
    words = _labels(lang, "briefing", "items")
    if service not in words:
        return None
    providers = _labels(lang, "briefing", "providers")
    return words[service] + (f", {providers.get(provider, provider)}" if provider else "")


def heading(name: object, lang: str) -> str:
    """The readers' heading of column ``name`` in ``lang``."""
    code = str(name)
    if code in HEADINGS:
        return _pick(HEADINGS[code], lang)
    base, _, stat = code.rpartition(".")
    if base and stat in _STATS:
        return f"{heading(base, lang)}: {heading(stat, lang).lower()}"
    if base and stat in ("start", "end"):
        return f"{heading(base, lang)}, {heading(stat, lang)}"
    label = _parameter(code, lang)
    if label:
        return label
    kind, _, rest = code.partition(".")
    if code in STATE_KEYS:
        return f"{heading('families', lang)}: {State(STATE_KEYS.index(code)).label(lang)}"
    if kind in ("children", "families") and rest in STATE_KEYS:
        who = _upper_first(text_value(kind, lang))
        return f"{who}: {State(STATE_KEYS.index(rest)).label(lang)}"
    if code == "children.in_care":
        return _labels(lang, "charts").get("children_in_care", code)
    if kind == "cost" and rest:
        item = "total" if rest == "total" else _cost_item(rest, lang)
        if item == "total":
            return heading("total_cost", lang)
        if item:
            return f"{_upper_first(item)}, EUR"
    return code


def text_value(value: str, lang: str) -> str:
    """A code word of a table's cell in ``lang`` (other text as it is)."""
    if value in VALUES:
        return _pick(VALUES[value], lang)
    if value in HEADINGS and ("_" in value or value in _MEASURES):  # a measure
        return _pick(HEADINGS[value], lang)
    item = _cost_item(value, lang)
    if item:
        return _upper_first(item)
    for section in ("outcomes", "payers"):
        words = _labels(lang, "value", section)
        if value in words:
            return words[value]
    if value.count(".") and " " not in value:  # a metric such as families.risk.end
        return heading(value, lang)
    return _parameter(value, lang) or _programme(value, lang) or value


@functools.cache
def _programmes() -> dict:
    """The programme library by name (read once)."""
    from simulation.model.programmes import library

    return {p.name: p for p in library()}


def _programme(name: str, lang: str) -> str | None:
    """A programme's readers' name, if the library has the programme."""
    found = _programmes().get(name)
    return found.label(lang) if found is not None else None


def sheet_title(key: str, lang: str) -> str:
    """A sheet's title in ``lang`` (Excel allows 31 characters)."""
    return _pick(SHEET_TITLES.get(key, (key, key)), lang)[:31]
