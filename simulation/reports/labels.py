"""Every word on a chart, in Lithuanian and English: one bilingual table.

``LABELS[lang][section][key]``; the sections are the chart families (``charts``: runs,
comparisons and sensitivity; ``briefing``; ``calibration``; ``ensemble``; ``app``) and the
names of services. A test checks that both languages have the same keys. The states' names
are part of their definition (:meth:`simulation.model.states.State.label`); the briefing's
prose is in :mod:`simulation.reports.briefing.text`.
"""

from __future__ import annotations

from simulation.model.vocabulary import LANGS

LABELS: dict[str, dict[str, dict]] = {
    "lt": {
        "charts": {
            "families_by_state": "Šeimos, auginančios vaikus, pagal būseną",
            "families": "šeimos",
            "children_in_care": "Vaikai globoje",
            "family_care": "globa šeimoje",
            "institutional_care": "institucinė globa",
            "source": "Šaltinis: prevsim, {engine}; scenarijus „{name}“.",
            "sd": "sistemų dinamikos modelis",
            "abm": "agentais grįstas modelis",
            "comparison": "Scenarijų palyginimas",
            "children": "vaikai",
            "net_benefit": "Sukaupta grynoji nauda, palyginti su „{first}“ (diskontuota, mln. EUR)",
            "break_even": "atsiperka {year} m.",
            "million_eur": "mln. EUR",
            "per_year": "{amount} per metus",
            "source_of": "Šaltinis: prevsim, {engine}",
            "sensitivity": "Jautrumo indeksai: {outcome}",
            "first_order": "pirmos eilės (S1)",
            "total_order": "bendrasis (ST)",
            "over_time": "Jautrumo indeksai laikui bėgant: {outcome} iki metų pabaigos",
            "year": "metai",
            "accounts": {
                "children_placed": "Į globą paimti vaikai per metus",
                "child_years_in_care": "Vaikai globoje (vaiko metai)",
                "family_years_in_risk": "Sunkumų patiriančios šeimos",
                "total_cost": "Viešosios išlaidos, mln. EUR per metus",
            },
        },
        "briefing": {
            "outputs": {
                "children.institutional_care": "Vaikai institucinėje globoje",
                "children.family_care": "Vaikai globoje šeimoje",
                "families.risk": "Sunkumų patiriančios šeimos",
            },
            "data": "nacionaliniai duomenys",
            "interval": "90 % intervalas",
            "items": {
                "preventive": "prevencinės paslaugos",
                "basic": "bazinės paslaugos",
                "integration": "integracijos paslaugos",
                "mobile_team": "mobiliosios komandos",
                "training": "mokymai",
                "family_care": "globa šeimoje",
                "institutional_care": "institucinė globa",
            },
            "providers": {"ngo": "NVO", "municipal": "savivaldybės"},
            "cost_axis": "mln. EUR per metus (2024 m. kainomis)",
            "npv_axis": "Sukaupta diskontuota grynoji nauda, mln. EUR",
            "break_even": "atsiperka {year} m.",
            "no_break_even": "iki {year} m. neatsiperka",
            "placed_axis": "Į globą paimti vaikai per metus",
            "per_1000": "Išvengti vaikų paėmimai į globą tūkstančiui vaikų iki {year} m.",
            "s1": "Pirmos eilės jautrumo indeksas (GDV dispersijos dalis)",
        },
        "calibration": {
            "children": "Vaikai",
            "families": "Šeimos",
            "in_care": "Vaikai globoje (šeimoje ir institucijose)",
            "best": "geriausias atitikimas",
            "abm": "agentais grįstas modelis (vidurkis)",
            "band": "90 % aposteriorinis intervalas",
            "high": "duomenys: aukšta kokybė",
            "medium": "duomenys: vidutinė kokybė",
            "low": "duomenys: žema kokybė",
            "holdout": "kontroliniai metai",
            "overview": "Modelio kalibracija: duomenys ir modelis",
            "residuals": "Standartizuotos liekanos, log(modelis / duomenys) / σ",
            "posterior": "Aposteriorinis parametrų skirstinys (pilka: apriorinis intervalas)",
            "best_marker": "geriausias",
            "year": "metai",
            "series": "Duomenų eilutė: {series}",
        },
        "value": {
            "title": "Nauda pagal pasekmes ir gavėjus: „{scenario}“ palyginti su „{baseline}“",
            "axis": "Dabartinė vertė, mln. EUR ({year} m. kainomis)",
            "horizon": "Visas paveiktų vaikų gyvenimas iki 64 metų; diskontuota iki {base} m.",
            "total": "nauda {benefits} mln. EUR, išlaidos {costs} mln. EUR",
            "outcomes": {
                "child_welfare": "Globos išlaidos",
                "earnings": "Uždarbis suaugus",
                "early_death": "Ankstyva mirtis",
                "social_assistance": "Socialinė pašalpa",
                "mental_health": "Psichiatrinis gydymas ligoninėje",
                "crime": "Nusikalstamumas ir įkalinimas",
                "next_generation": "Kitos kartos globa",
                "programme_deadweight": "Mokesčių naštos kaina (programa)",
            },
            "payers": {
                "participants": "užaugę vaikai",
                "taxpayers": "mokesčių mokėtojai",
                "others": "kiti (nusikaltimų aukos)",
                "indirect": "netiesioginė (mokesčių našta)",
            },
        },
        "spending": {
            "title": "„{scenario}“: išleista ir neišleista, {unspent} mln. EUR neišleista",
            "axis": "mln. EUR, {first}–{last} m. suma ({year} m. kainomis)",
            "unspent": "neišleista: nėra kam teikti",
            "lines": {
                "preventive": "prevencinės",
                "basic": "bazinės",
                "integration": "integracijos",
                "mobile_team": "mobiliosios komandos",
            },
        },
        "ensemble": {
            "title": "„{scenario}“ palyginti su „{baseline}“: neapibrėžtumas ({runs} skaičiavimų)",
            "npv": "Grynoji dabartinė vertė, mln. EUR",
            "runs": "skaičiavimai",
            "chance": "Tikimybė, kad nauda viršys išlaidas: {chance} iš {runs} skaičiavimų\n"
            "(Monte Karlo standartinė paklaida ± {se} proc. punkto)",
            "band": "Sukaupta grynoji nauda, mln. EUR (mediana ir 90 % intervalas)",
            "year": "metai",
        },
        "app": {
            "families": "Šeimos pagal būseną: {area}",
            "costs": "Viešosios išlaidos, mln. EUR per metus: {area}",
            "policy": "politika nuo {year} m.",
            "status_quo": "esama padėtis",
            "your_policy": "jūsų politika",
            "total_status_quo": "iš viso, esama padėtis",
            "groups": {
                "preventive": "prevencinės",
                "basic": "bazinės (atvejo vadyba)",
                "integration": "integracijos",
                "mobile_team": "mobiliosios komandos",
                "training": "mokymai",
                "family_care": "globa šeimoje",
                "institutional_care": "institucinė globa",
            },
        },
        "services": {
            "preventive": "Prevencinės paslaugos",
            "basic": "Bazinės paslaugos",
            "integration": "Integracijos paslaugos",
            "mobile_team": "Mobilioji komanda",
        },
    },
    "en": {
        "charts": {
            "families_by_state": "Families raising children, by state",
            "families": "families",
            "children_in_care": "Children in care",
            "family_care": "family-based care",
            "institutional_care": "institutional care",
            "source": "Source: prevsim, {engine}; scenario “{name}”.",
            "sd": "system-dynamics model",
            "abm": "agent-based model",
            "comparison": "Scenario comparison",
            "children": "children",
            "net_benefit": "Cumulative net benefit against “{first}” (discounted, million EUR)",
            "break_even": "breaks even {year}",
            "million_eur": "million EUR",
            "per_year": "{amount} a year",
            "source_of": "Source: prevsim, {engine}",
            "sensitivity": "Sensitivity indices: {outcome}",
            "first_order": "first order (S1)",
            "total_order": "total (ST)",
            "over_time": "Sensitivity over time: {outcome} up to each year's end",
            "year": "year",
            "accounts": {
                "children_placed": "Children placed per year",
                "child_years_in_care": "Children in care (child-years)",
                "family_years_in_risk": "Families in difficulty (family-years)",
                "total_cost": "Public cost, million EUR a year",
            },
        },
        "briefing": {
            "outputs": {
                "children.institutional_care": "Children in institutional care",
                "children.family_care": "Children in family-based care",
                "families.risk": "Families in difficulty",
            },
            "data": "national data",
            "interval": "90% interval",
            "items": {
                "preventive": "preventive services",
                "basic": "basic services",
                "integration": "integration services",
                "mobile_team": "mobile teams",
                "training": "training",
                "family_care": "family-based care",
                "institutional_care": "institutional care",
            },
            "providers": {"ngo": "NGO", "municipal": "municipal"},
            "cost_axis": "million EUR a year (2024 prices)",
            "npv_axis": "Cumulative discounted net benefit, million EUR",
            "break_even": "breaks even in {year}",
            "no_break_even": "does not break even by {year}",
            "placed_axis": "Children placed in care per year",
            "per_1000": "Children not placed in care per 1,000 children, by {year}",
            "s1": "First-order sensitivity index (share of NPV variance)",
        },
        "calibration": {
            "children": "Children",
            "families": "Families",
            "in_care": "Children in care (family-based and institutional)",
            "best": "best fit",
            "abm": "agent-based model (mean)",
            "band": "90% posterior band",
            "high": "data: high quality",
            "medium": "data: medium quality",
            "low": "data: low quality",
            "holdout": "holdout years",
            "overview": "Model calibration: data and model",
            "residuals": "Standardised residuals, log(model / data) / σ",
            "posterior": "Posterior of the parameters (grey: prior range)",
            "best_marker": "best",
            "year": "year",
            "series": "Data series: {series}",
        },
        "value": {
            "title": "Benefits by outcome and by who gains: “{scenario}” against “{baseline}”",
            "axis": "Present value, million EUR ({year} prices)",
            "horizon": "The whole lives of the children affected, to age 64; discounted to {base}.",
            "total": "benefits {benefits} million EUR, costs {costs} million EUR",
            "outcomes": {
                "child_welfare": "Care costs",
                "earnings": "Adult earnings",
                "early_death": "Early death",
                "social_assistance": "Social assistance",
                "mental_health": "Psychiatric hospital care",
                "crime": "Crime and imprisonment",
                "next_generation": "Next generation's care",
                "programme_deadweight": "Deadweight cost of taxes (programme)",
            },
            "payers": {
                "participants": "the children as adults",
                "taxpayers": "taxpayers",
                "others": "others (crime victims)",
                "indirect": "indirect (deadweight of taxes)",
            },
        },
        "spending": {
            "title": "“{scenario}”: money spent and unspent, {unspent} million EUR unspent",
            "axis": "million EUR, sum over {first}–{last} ({year} prices)",
            "unspent": "unspent: no families to serve",
            "lines": {
                "preventive": "preventive",
                "basic": "basic",
                "integration": "integration",
                "mobile_team": "mobile teams",
            },
        },
        "ensemble": {
            "title": "“{scenario}” against “{baseline}”: uncertainty ({runs} runs)",
            "npv": "Net present value, million EUR",
            "runs": "runs",
            "chance": "Chance that benefits exceed costs: {chance} of {runs} runs\n"
            "(Monte Carlo standard error ± {se} percentage points)",
            "band": "Cumulative net benefit, million EUR (median and 90% interval)",
            "year": "year",
        },
        "app": {
            "families": "Families by state: {area}",
            "costs": "Public cost, million EUR a year: {area}",
            "policy": "policy from {year}",
            "status_quo": "status quo",
            "your_policy": "your policy",
            "total_status_quo": "total, status quo",
            "groups": {
                "preventive": "preventive",
                "basic": "basic (casework)",
                "integration": "integration",
                "mobile_team": "mobile teams",
                "training": "training",
                "family_care": "family-based care",
                "institutional_care": "institutional care",
            },
        },
        "services": {
            "preventive": "Preventive services",
            "basic": "Basic services",
            "integration": "Integration services",
            "mobile_team": "Mobile team",
        },
    },
}


def words(lang: str, section: str) -> dict:
    """The labels of one section in ``lang``.

    Raises
    ------
    ValueError
        For a language that is not one of :data:`~simulation.model.vocabulary.LANGS`.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return LABELS[lang][section]


def sd_source(lang: str) -> str:
    """The head of a source line of the system-dynamics model's results, in ``lang``.

    The decision commands (optimise, voi) write what they averaged after it, "; ...".
    """
    charts = words(lang, "charts")
    return charts["source_of"].format(engine=charts["sd"])


def per_year(amount: str, lang: str) -> str:
    """``amount`` (already formatted, e.g. "46,9 mln. EUR") a year, in ``lang``."""
    return words(lang, "charts")["per_year"].format(amount=amount)


def in_text(label: str) -> str:
    """A label as it reads inside a sentence: first letter in lower case, acronyms kept."""
    if len(label) > 1 and label[1].isupper():  # "NVO ir ...", "NGO share ..."
        return label
    return label[:1].lower() + label[1:]


def scenario_title(title: str, name: str, lang: str) -> str:
    """The scenario's title in ``lang``: scenario files write ``"English / Lietuviškai"``."""
    if not title:
        return name
    english, _, lithuanian = title.partition(" / ")
    return (lithuanian or english) if lang == "lt" else english


def _labels_table(name: str) -> dict[str, dict[str, str]]:
    """Rows of ``simulation/data/labels/<name>`` keyed by their first column."""
    from simulation.model.catalogue import labels_csv  # the registry's reader of these files

    return labels_csv(name)


def series_label(series: str, lang: str) -> str:
    """A national data series as readers call it; ``a+b`` (a sum of series) reads "a and b".

    Unknown series keep their key (a test checks that the shipped targets have labels).
    """
    table = _labels_table("series.csv")
    parts = [table[s][lang] if s in table else s for s in series.split("+")]
    return (" ir " if lang == "lt" else " and ").join(parts)


def source_title(source: str, lang: str) -> str:
    """A data source's title for readers.

    Quoted titles get the language's quotation marks; in Lithuanian, the English
    descriptions of known publishers are translated (``simulation/data/labels/sources.csv``).
    """
    import re

    open_, close = ("„", "“") if lang == "lt" else ("“", "”")
    text = re.sub(r"'([^']+)'", lambda m: f"{open_}{m.group(1)}{close}", source)
    if lang == "lt":
        for english, row in _labels_table("sources.csv").items():
            text = re.sub(rf"(?<!\w){re.escape(english)}(?!\w)", row["lt"], text)
    return text
