"""Every text of the browser app's page, in Lithuanian and English.

Slider labels of registry parameters are the registry's readers' labels
(``REGISTRY[name].label(lang)``); the rest is here. Chart texts are in
``simulation.reports.labels`` (section ``app``) and ``simulation.reports.app_charts``; the
words the page shares with them ("your policy", "status quo") are read from the labels.
"""

from __future__ import annotations

from babel.numbers import format_decimal

from simulation.model.catalogue import REGISTRY
from simulation.model.countries import DEFAULT_COUNTRY, display_name
from simulation.model.municipality_names import official_name
from simulation.model.vocabulary import LANGS
from simulation.reports.labels import words
from simulation.reports.locale import LOCALES

#: The "whole country" choice of the area selector (the model's key, never shown).
NATIONAL = "Lithuania (all municipalities)"

MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "lt": (
        "sausis",
        "vasaris",
        "kovas",
        "balandis",
        "gegužė",
        "birželis",
        "liepa",
        "rugpjūtis",
        "rugsėjis",
        "spalis",
        "lapkritis",
        "gruodis",
    ),
}

#: Inputs of the page that are registry parameters: (registry name, prefix key or "").
REGISTRY_INPUTS = {
    "preventive_share": ("prevention_target_share", ""),
    "mobile_team_budget": ("budget.mobile_team", "unit"),
    "deployment_speed": ("regional_coordinators", "speed"),
    "ngo_cost_ratio": ("ngo_cost_ratio", "assumption"),
    "ngo_quality_ratio": ("ngo_quality_ratio", "assumption"),
}

TEXT: dict[str, dict[str, str]] = {
    "lt": {
        "title": "Prevencija vaiko ir šeimos gerovės srityje: mokomasis modelis",
        "language": "Kalba",
        "run": "Modelio eiga",
        "reset": "Iš naujo",
        "step": "Žingsnis",
        "play": "Leisti",
        "pause": "Sustabdyti",
        "months_per_step": "Mėnesių per žingsnį",
        "inputs": "Politika ir prielaidos",
        "inputs_help": "Paspauskite „Iš naujo“, kad pakeitimai įsigaliotų.",
        "area": "Rodoma teritorija",
        "national": "{country} (visos savivaldybės)",
        "policy_year": "Politika pradedama",
        "ngo_share": "NVO dalis visose paslaugose",
        "cooperation": "Diegti bendradarbiavimo modelį",
        "scale": "Modeliuojama šeimų dalis",
        "seed": "Atsitiktinių skaičių sėkla",
        "assumption": "Prielaida",
        "speed": "diegimo sparta, 0–1",
        "difference": "skirtumas: {k} porinių kartojimų intervalas",
        "band_wait": "Skaičiuojami {k} poriniai kartojimai (keletas sekundžių)…",
        "download_scenario": "Atsisiųsti scenarijų (TOML)",
        "download_series": "Atsisiųsti rodomas eilutes (CSV)",
        "downloads": "Atsisiuntimai",
        "map": "Žemėlapis",
        "indicator": "Rodiklis",
        "about": "Apie modelį ir ką išbandyti",
        "row_risk": "sunkumų patiriančios šeimos",
        "row_care": "vaikai globoje",
        "row_placed": "vaikai, apgyvendinti globoje nuo {year} m.",
        "row_cost": "viešosios išlaidos nuo {year} m., mln. EUR",
        "row_lifetime": "visą gyvenimą jaučiama vaikystės sunkumų kaina nuo {year} m., mln. EUR",
        "headline": "{year} m. {month}, {area}",
        "policy_text": "Politika nuo {year} m.: prevencijos dalis {preventive}, NVO dalis {ngo}, "
        "mobiliosios komandos {mobile} mln. EUR per metus, bendradarbiavimo modelis {coop}. "
        "Viena modeliuojama šeima atitinka {per} tikrų šeimų.",
        "coop_yes": "diegiamas (regioniniai koordinatoriai {speed})",
        "coop_no": "nediegiamas",
        "band": "Ištisinė linija – eiga, kurią žingsniuojate (sėkla {seed}); viena modeliuojama "
        "šeima atitinka {per} tikrų, todėl ji triukšminga. Šešėliuotos juostos ir paskutinis "
        "lentelės stulpelis – {k} porinių kartojimų (sėklos {first}–{last}) intervalas nuo "
        "mažiausios iki didžiausios reikšmės: kiekviena sėkla paleidžia jūsų politiką ir esamą "
        "padėtį su tais pačiais atsitiktiniais skaičiais. Jei skirtumo intervalas apima nulį, "
        "tokiu mastu politikos poveikio neįmanoma atskirti nuo atsitiktinumo.",
    },
    "en": {
        "title": "Prevention in child and family welfare: a teaching model",
        "language": "Language",
        "run": "Run",
        "reset": "Reset",
        "step": "Step",
        "play": "Play",
        "pause": "Pause",
        "months_per_step": "Months per step",
        "inputs": "Policy and assumptions",
        "inputs_help": "Press Reset to apply them.",
        "area": "Area shown",
        "national": "{country} (all municipalities)",
        "policy_year": "Policy starts in",
        "ngo_share": "NGO share of every service",
        "cooperation": "Deploy the cooperation model",
        "scale": "Share of families simulated",
        "seed": "Random seed",
        "assumption": "Assumption",
        "speed": "deployment speed, 0–1",
        "difference": "difference: range of {k} paired replicates",
        "band_wait": "Computing {k} paired replicates (a few seconds)…",
        "download_scenario": "Download the scenario (TOML)",
        "download_series": "Download the series shown (CSV)",
        "downloads": "Downloads",
        "map": "Map",
        "indicator": "Indicator",
        "about": "About this model and things to try",
        "row_risk": "families in difficulty (risk)",
        "row_care": "children in care",
        "row_placed": "children placed since {year}",
        "row_cost": "public cost since {year}, million EUR",
        "row_lifetime": "lifetime cost of the childhoods since {year}, million EUR",
        "headline": "{month} {year}, {area}",
        "policy_text": "Policy from {year}: preventive share {preventive}, NGO share {ngo}, "
        "mobile teams {mobile} million EUR a year, cooperation model {coop}. One simulated "
        "family stands for {per}.",
        "coop_yes": "deployed (regional coordinators {speed})",
        "coop_no": "not deployed",
        "band": "The solid line is the run you step (seed {seed}); one simulated family stands "
        "for {per} real ones, so it is noisy. The shaded bands and the table's last column are "
        "the range (lowest to highest) of {k} paired replicates, seeds {first}–{last}: each seed "
        "runs your policy and the status quo on the same random numbers. Where the range of the "
        "difference includes zero, this scale cannot tell your policy from chance.",
    },
}


#: Keys of the page's texts that are the charts' words (``labels`` section ``app``).
SHARED = ("your_policy", "status_quo")


def text(lang: str) -> dict[str, str]:
    """The page's texts in ``lang``, with the words it shares with the charts."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    shared = words(lang, "app")
    return {**TEXT[lang], **{key: shared[key] for key in SHARED}}


def input_label(name: str, lang: str) -> str:
    """The label of an input of the page in ``lang`` (registry labels where there is one)."""
    if name not in REGISTRY_INPUTS:
        return text(lang)[name]
    param, extra = REGISTRY_INPUTS[name]
    label = REGISTRY[param].label(lang)
    if extra == "unit":
        return f"{label}, {REGISTRY[param].unit_label(lang)}"
    if extra == "assumption":
        lower = label[:1].lower() + label[1:] if label[1:2].islower() else label  # not "nVO"
        return f"{text(lang)['assumption']}: {lower}"
    if extra == "speed":
        return f"{label}: {text(lang)['speed']}"
    return label


def area_name(area: str, lang: str) -> str:
    """An area as readers see it: the country, or the municipality's official name.

    The app runs the default country's data (Lithuania's), whatever its scenario's country.
    """
    if area == NATIONAL:
        return display_name(DEFAULT_COUNTRY, lang)
    return official_name(area, lang)


def area_choice(area: str, lang: str) -> str:
    """An area as the selector lists it."""
    if area == NATIONAL:
        return text(lang)["national"].format(country=area_name(area, lang))
    return official_name(area, lang)


def number(value: float, lang: str, decimals: int = 0) -> str:
    """``value`` as readers of ``lang`` write it (Babel: "1 234,5" in lt, "1,234.5" in en)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


#: Map indicators: key -> (numerator states, denominator, label by language).
MAP_WORDS = {
    "lt": {
        "care": "Vaikai globoje 1 000 vaikų",
        "risk": "Sunkumų patiriančios šeimos 1 000 šeimų",
        "title": "{indicator}: {month}, {policy}",
        "note": "Mažoje savivaldybėje modeliuojama nedaug šeimų, todėl jos spalva triukšminga.",
    },
    "en": {
        "care": "Children in care per 1,000 children",
        "risk": "Families in difficulty (risk) per 1,000 families",
        "title": "{indicator}: {month}, {policy}",
        "note": "A small municipality has few simulated families: its colour is noisy.",
    },
}

#: The "about this model / things to try" panel (HTML).
ABOUT = {
    "lt": """
<p><b>Kas tai.</b> Agentinis modelis: Lietuvos šeimos, auginančios vaikus (modeliuojama jų
dalis), kas mėnesį pereina tarp gerovės, pažeidžiamumo, ankstyvosios pagalbos, sunkumų, krizės
ir globos. Savivaldybės finansuoja prevencines, bazines, integracijos paslaugas ir mobiliąsias
komandas; paslaugos keičia perėjimų tikimybes. Nuo politikos metų jūsų svertai pakeičia esamos
padėties svertus; esama padėtis skaičiuojama su tais pačiais atsitiktiniais skaičiais.</p>
<p><b>Ką modelis supaprastina.</b> Perėjimų dažniai pritaikyti prie nacionalinių, ne
savivaldybių duomenų; visos savivaldybės taiko tą pačią taisyklę; paslaugų poveikis ir kaina –
neapibrėžti parametrai, čia naudojamos jų centrinės reikšmės (NVO slankikliai – prielaidos, ne
įrodymai); kai modeliuojama tik keli procentai šeimų, rezultatai triukšmingi, todėl juostos
rodo porinius kartojimus. Modelis skirtas mokytis, kaip dalys sąveikauja, o ne prognozuoti
konkrečią savivaldybę.</p>
<p><b>Ką išbandyti.</b></p>
<ol>
<li>Padidinkite prevencijai skiriamą dalį ir žingsniuokite 10 metų: kada pasikeičia vaikų
globoje skaičius ir ar pokytis išeina už juostos ribų?</li>
<li>Diekite bendradarbiavimo modelį su regioniniais koordinatoriais ir be jų.</li>
<li>Sumažinkite NVO kokybės prielaidą ir padidinkite NVO dalį: kas nukenčia?</li>
<li>Pasirinkite mažą savivaldybę: kodėl jos juosta tokia plati?</li>
<li>Pakeiskite sėklą: kas lieka taip pat?</li>
</ol>""",
    "en": """
<p><b>What it is.</b> An agent-based model: Lithuanian families raising children (a share of
them simulated) move each month between wellbeing, vulnerability, early support, difficulty,
crisis and care. Municipalities fund preventive, basic and integration services and mobile
teams; services change the chances of moving between states. From the policy year your levers
replace the status quo's; the status quo is run on the same random numbers.</p>
<p><b>What it simplifies.</b> Rates are fitted to national figures, not municipal ones; every
municipality follows the same rule; the effects and costs of services are uncertain parameters
at their central values (the NGO sliders are assumptions, not evidence); a run of a few per
cent of the families is noisy, which is why the bands show paired replicates. It is for
learning how the parts interact, not for forecasting a municipality.</p>
<p><b>Things to try.</b></p>
<ol>
<li>Raise the share of the budget for prevention and step ten years: when do the numbers in
care move, and does the change leave the band?</li>
<li>Deploy the cooperation model with and without regional coordinators.</li>
<li>Lower the assumed NGO quality and raise the NGO share: who loses?</li>
<li>Pick a small municipality: why is its band so wide?</li>
<li>Change the seed: what stays the same?</li>
</ol>""",
}
