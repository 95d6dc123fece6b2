"""The words of the briefing's sections on optimise, discover and voi, in Lithuanian and English.

As in :mod:`simulation.reports.briefing.text`, templates hold no digits: every number is a
``{placeholder}`` filled from a file beside the briefing.
"""

from __future__ import annotations

from simulation.reports.locale import MILLION_EUR
from simulation.reports.locale import NBSP as NB

M_LT = NB + MILLION_EUR["lt"]
M_EN = NB + MILLION_EUR["en"]

TEXT = {
    "lt": {
        "optimise": "Geriausias paslaugų biudžeto paskirstymas",
        "discovery": "Kada prevencija atsiperka",
        "voi": "Kurie tyrimai vertingiausi",
        "about_same": "Skaičiavimų scenarijai: {scenarios}; palyginimo scenarijus – „{baseline}“ "
        "(tie patys kaip ir kitose pranešimo dalyse).",
        "about_other": "Skaičiavimų scenarijai: {scenarios}; palyginimo scenarijus – "
        "„{baseline}“. Tai ne tie patys scenarijai (arba jų nuostatos skiriasi) kaip kitose "
        "pranešimo dalyse, todėl šio "
        "skyriaus skaičiai su jų skaičiais tiesiogiai nepalyginami.",
        "draws_ranges": "Parametrų rinkiniai imti iš visų pagrįstų intervalų, o ne tik tie, "
        "kurių praeitis atitinka nacionalinius duomenis, kaip kitose pranešimo dalyse.",
        "item": "{name}: {value}",
        # optimise
        "opt_lead": "Nuo {year} m. paskirsčius {budget}" + M_LT + " per metus paslaugų biudžetą "
        "tarp programų (ir kiekvienos finansavimo linijos NVO dalį), geriausio rasto "
        "paskirstymo tikėtina GDV yra {npv}" + M_LT + " ({level}" + NB + "% intervalas nuo {lo} "
        "iki {hi}" + M_LT + "), dabartinio paskirstymo – {today}" + M_LT + ", paskirsčius po "
        "lygiai – {uniform}" + M_LT + ".",
        "opt_gain": "Tai {gain}" + NB + "±" + NB + "{gain_se}" + M_LT + " daugiau nei dabartinis "
        "paskirstymas ir {gain_u}" + NB + "±" + NB + "{gain_u_se}" + M_LT + " daugiau nei po "
        "lygiai (lyginant su tais pačiais parametrų rinkiniais; ± standartinė paklaida). "
        "Nauda viršija išlaidas {chance}" + NB + "% rinkinių, dabartinio paskirstymo – "
        "{chance_today}" + NB + "%.",
        "opt_money": "Daugiausia lėšų (mln." + NB + "EUR per metus) geriausias paskirstymas "
        "skiria šioms programoms – {top}; dabartinis – {today_top}.",
        "opt_abm": "Agentinis modelis (porinių pakartojimų: {replicates}; centrinės parametrų "
        "reikšmės) geriausio ir dabartinio paskirstymo GDV skirtumą įvertina {abm}"
        + NB
        + "±"
        + NB
        + "{abm_se}"
        + M_LT
        + ", sistemų dinamikos modelio centrinis skaičiavimas – "
        "{sd}" + M_LT + ".",
        "opt_abm_one": "Agentinis modelis (vienas pakartojimas, centrinės parametrų reikšmės) "
        "geriausio ir dabartinio paskirstymo GDV skirtumą įvertina {abm}" + M_LT + ", sistemų "
        "dinamikos modelio centrinis skaičiavimas – {sd}" + M_LT + ".",
        "opt_no_abm": "Agentinio modelio patikra nebuvo atlikta.",
        "opt_aim_placements": "Paskirstymas parinktas pagal išvengtų paėmimų į globą skaičių, "
        "ne pagal GDV.",
        "opt_aim_pareto": "Ieškota ir didžiausios GDV, ir daugiausia išvengtų paėmimų į globą "
        "(neįveikiamų paskirstymų aibė); čia pateiktas didžiausios GDV paskirstymas.",
        "opt_aim_quantile": "Paskirstymas parinktas atsargiai: pagal GDV {q}" + NB + "% kvantilį "
        "per parametrų rinkinius, ne pagal vidurkį.",
        "opt_paid": "Lėšos, kurių programos negali panaudoti dėl šeimų trūkumo, laikomos "
        "išleistomis (įsipareigotas biudžetas).",
        "opt_caveat": "Tai modelio įrodymų išvada, ne planas: neįvertintos programos centriniame "
        "skaičiavime poveikio neturi, o NVO dalys priklauso nuo neapibrėžtų NVO kainos ir "
        "kokybės santykių.",
        "fig_allocations": "Paslaugų biudžeto ({budget}" + M_LT + " per metus) paskirstymas tarp "
        "programų nuo {year} m.: geriausias rastas, dabartinis ir po lygiai.",
        # discovery
        "disc_lead": "Iš {draws} svertų ir neapibrėžtų parametrų derinių scenarijus „{title}“, "
        "palyginti su scenarijumi „{baseline}“, atsiperka (GDV teigiama) {share}"
        + NB
        + "% atvejų.",
        "box_pays": "Atsiperka, kai {conditions}: tai {coverage}" + NB + "% visų atvejų, kai "
        "atsiperka (aprėptis); šioje srityje atsiperka {density}" + NB + "% atvejų (tankis), "
        "joje yra {mass}" + NB + "% visų atvejų.",
        "box_most": "Dažniausiai atsiperka, kai {conditions}: tai {coverage}" + NB + "% visų "
        "atvejų, kai atsiperka (aprėptis); šioje srityje atsiperka {density}" + NB + "% "
        "atvejų (tankis) – mažiau nei prašyta {threshold}"
        + NB
        + "%; joje yra {mass}"
        + NB
        + "% visų atvejų.",
        "per_year": "{}" + M_LT + " per metus",
        "percent": "{}" + NB + "%",
        "recurs": "Pakartojus paiešką su atsitiktinėmis pusėmis atvejų, šios sąlygos "
        "pasikartoja (paieškų dalis): {shares}.",
        "recur_item": "{name} – {value}" + NB + "%",
        "none": "Nerasta sąlygų, kuriomis jis atsipirktų bent {threshold}" + NB + "% atvejų: "
        "atsipirkimas priklauso nuo daugelio veiksnių kartu.",
        "everywhere": "Jis atsiperka bent prašytus {threshold}" + NB + "% atvejų be jokių sąlygų.",
        "disc_method": "Sąlygos rastos PRIM metodu (EMA Workbench). Jas reikėtų skaityti kaip "
        "kryptis, o ne kaip ribas: su kita imtimi ribos keičiasi.",
        "fig_boxes": "Sąlygos, kuriomis scenarijus „{title}“ atsiperka: kiekvienos sąlygos "
        "intervalas tirto intervalo atžvilgiu (atvejų: {draws}).",
        "fig_npv": "Scenarijaus „{title}“ GDV pasiskirstymas (atvejų: {draws}); atsiperka "
        "{share}" + NB + "% atvejų.",
        # voi
        "voi_lead": "Renkantis iš scenarijų {options} (parametrų rinkinių: {draws}), pagal "
        "dabartinius įrodymus geriausia rinktis scenarijų „{chosen}“: tikėtina GDV {mean}"
        + M_LT
        + ", geriausias "
        "pasirinkimas {chance}" + NB + "% rinkinių.",
        "voi_evpi": "Tiksliai žinoti visus neapibrėžtus parametrus prieš renkantis (tobulos "
        "informacijos vertė, EVPI) šiam sprendimui vertinga {evpi}" + M_LT + " (Monte Karlo "
        "standartinė paklaida {se}); jokio tyrimo vertė negali būti didesnė.",
        "voi_groups": "Tiksliai žinoti vienos grupės parametrus ({grouping}) vertinga, mln."
        + NB
        + "EUR (standartinė paklaida): {items}.",
        "voi_item": "{name} – {value} ({se})",
        "voi_undetectable": "Iš šių rinkinių vertė neaptinkama: {names}.",
        "voi_not_estimable": "Iš tiek rinkinių neįvertinama: {names}.",
        "voi_best": "Vertingiausias būtų tyrimas, tiksliai nustatantis šią grupę – {group}: iki "
        "{value}"
        + M_LT
        + " ({share}"
        + NB
        + "% EVPI). Nacionalinė šeimų ir tėvų asociacija ministrui "
        "rekomendavo bendradarbiauti su universitetais atliekant vertinamuosius tyrimus; "
        "toks bendradarbiavimas geriausiai pradėtų nuo šio tyrimo. Tikro tyrimo vertė mažesnė "
        "už šią ribą: jis tik iš dalies sumažina neapibrėžtumą ir kainuoja.",
        "voi_none": "Nė vienos grupės vertė iš šių rinkinių neišsiskiria: EVPI kyla iš daugelio "
        "parametrų kartu, todėl kiek šiam sprendimui vertas vienas vertinamasis tyrimas (pvz., "
        "bendradarbiaujant su universitetais, kaip ministrui rekomendavo Nacionalinė šeimų ir "
        "tėvų asociacija), iš jų neaišku.",
        "grouping": {
            "themes": "pagal temas",
            "programmes": "pagal programų vertinimus",
            "parameters": "pagal parametrus",
        },
        "fig_voi": "Tobulos informacijos vertė {grouping}: stulpeliai – grupės vertė (EVPPI) su "
        "{level}" + NB + "% Monte Karlo intervalais, punktyrinė linija – EVPI; pilka – iš "
        "{draws} rinkinių vertė neaptinkama.",
    },
    "en": {
        "optimise": "The best allocation of the service budget",
        "discovery": "When prevention pays",
        "voi": "Which evaluation studies would be worth most",
        "about_same": "Computed for {scenarios} against “{baseline}”, the scenarios valued in "
        "the rest of this briefing.",
        "about_other": "Computed for {scenarios} against “{baseline}”: not the scenarios (or "
        "not the settings) valued in the rest of this briefing, so this section's numbers do "
        "not compare directly with theirs.",
        "draws_ranges": "Its parameter draws span the full plausible ranges, not only those "
        "whose past matches the national data as in the rest of this briefing.",
        "item": "{name}: {value}",
        "opt_lead": "Sharing a service budget of {budget}" + M_EN + " a year among the "
        "programmes from {year} (with each funding line's NGO share), the best allocation "
        "found has an expected NPV of {npv}"
        + M_EN
        + " ({level}% interval {lo} to {hi}"
        + M_EN
        + "), against {today}"
        + M_EN
        + " for today's allocation and {uniform}"
        + M_EN
        + " for "
        "equal shares.",
        "opt_gain": "That is {gain}" + NB + "±" + NB + "{gain_se}" + M_EN + " more than today's "
        "allocation and {gain_u}" + NB + "±" + NB + "{gain_u_se}" + M_EN + " more than equal "
        "shares (paired over the same parameter draws, ± one standard error). Benefits exceed "
        "costs in {chance}% of the draws, against {chance_today}% for today's allocation.",
        "opt_money": "The best allocation puts most money (million EUR a year) into {top}; "
        "today's into {today_top}.",
        "opt_abm": "The agent-based model ({replicates} paired replicates, central parameter "
        "values) puts the NPV difference between the best and today's allocation at {abm}"
        + NB
        + "±"
        + NB
        + "{abm_se}"
        + M_EN
        + ", against {sd}"
        + M_EN
        + " in the system-dynamics "
        "model's central run.",
        "opt_abm_one": "The agent-based model (one replicate, central parameter values) puts "
        "the NPV difference between the best and today's allocation at {abm}" + M_EN + ", "
        "against {sd}" + M_EN + " in the system-dynamics model's central run.",
        "opt_no_abm": "The agent-based check was not run.",
        "opt_aim_placements": "The allocation was chosen for the placements it avoids, not "
        "for its NPV.",
        "opt_aim_pareto": "The search sought both the highest NPV and the most placements "
        "avoided (the allocations nothing beats on both); the highest NPV's is the one shown.",
        "opt_aim_quantile": "The allocation was chosen cautiously: for the {q}% quantile of its "
        "NPV over the parameter draws, not its mean.",
        "opt_paid": "Money the programmes cannot spend for lack of families counts as spent (a "
        "committed budget).",
        "opt_caveat": "Read it as what the model's evidence implies, not as a plan: programmes "
        "without an evaluation have no effect in the central run, and the NGO shares follow "
        "the uncertain NGO cost and quality ratios.",
        "fig_allocations": "The service budget ({budget}" + M_EN + " a year) among the "
        "programmes from {year}: the best allocation found, today's and equal shares.",
        "disc_lead": "Over {draws} combinations of the levers and the uncertain parameters, "
        "“{title}” pays against “{baseline}” (NPV above zero) in {share}% of them.",
        "box_pays": "It pays when {conditions}: in {coverage}% of all the draws where it pays "
        "(coverage); it pays in {density}% of the draws in this box (density), which holds "
        "{mass}% of all draws.",
        "box_most": "It pays most often when {conditions}: in {coverage}% of all the draws "
        "where it pays (coverage); it pays in {density}% of the draws in this box (density), "
        "below the {threshold}% asked for; the box holds {mass}% of all draws.",
        "per_year": "{}" + M_EN + " a year",
        "percent": "{}%",
        "recurs": "Run again on random halves of the draws, these conditions recur: {shares} "
        "of the runs.",
        "recur_item": "{name} in {value}%",
        "none": "No set of conditions was found under which it pays in at least {threshold}% "
        "of the draws: whether it pays depends on many things at once.",
        "everywhere": "It pays in at least the {threshold}% of the draws asked for, without "
        "conditions.",
        "disc_method": "The conditions are found by PRIM (EMA Workbench). Read them as "
        "directions, not thresholds: with another sample their limits move.",
        "fig_boxes": "The conditions under which “{title}” pays: each condition's interval "
        "within the range explored ({draws} draws).",
        "fig_npv": "The NPV of “{title}” over {draws} draws; it pays in {share}% of them.",
        "voi_lead": "Choosing among {options} over {draws} parameter draws, the choice on "
        "current evidence is “{chosen}”: expected NPV {mean}" + M_EN + ", the best option in "
        "{chance}% of the draws.",
        "voi_evpi": "Knowing every uncertain parameter exactly before choosing (the expected "
        "value of perfect information, EVPI) is worth {evpi}" + M_EN + " to this decision "
        "(Monte Carlo standard error {se}); no study can be worth more.",
        "voi_groups": "Knowing one group exactly ({grouping}) is worth, in million EUR "
        "(standard error): {items}.",
        "voi_item": "{name}, {value} ({se})",
        "voi_undetectable": "No value detectable from these draws: {names}.",
        "voi_not_estimable": "Cannot be estimated from this many draws: {names}.",
        "voi_best": "The study worth most would be one of {group}: at most {value}" + M_EN + " "
        "({share}% of the EVPI). The National Association of Families and Parents recommended "
        "to the Minister cooperation with universities on evaluation research; this is the "
        "study such a cooperation would do best to start with. A real study is worth less "
        "than this bound: it settles only part of the uncertainty and costs money.",
        "voi_none": "No group's value stands out from these draws: the EVPI comes from many "
        "parameters together, so what one evaluation study (for instance with universities, "
        "as the National Association of Families and Parents recommended to the Minister) "
        "would be worth to this decision is not clear from them.",
        "grouping": {
            "themes": "by theme",
            "programmes": "by programme evaluation",
            "parameters": "by parameter",
        },
        "fig_voi": "The value of perfect information {grouping}: bars, each group's value "
        "(EVPPI) with {level}% Monte Carlo intervals; dashed line, the EVPI; grey, no value "
        "detectable from {draws} draws.",
    },
}

#: The charts' words.
CHART = {
    "lt": {
        "optimal": "geriausias paskirstymas",
        "today": "dabartinis paskirstymas",
        "uniform": "po lygiai",
        "million_eur_year": "mln. EUR per metus",
        "million_eur": "GDV, mln. EUR",
        "draws": "atvejų",
        "pays": "atsiperka",
        "does_not_pay": "neatsiperka",
        "explored": "Tirto intervalo dalis",
        "box": "Sritis {i}",
        "evppi_axis": "Tikėtina vertė sprendimui, mln. EUR",
        "evpi": "EVPI: {value}",
    },
    "en": {
        "optimal": "best allocation",
        "today": "today's allocation",
        "uniform": "equal shares",
        "million_eur_year": "million EUR a year",
        "million_eur": "NPV, million EUR",
        "draws": "draws",
        "pays": "pays",
        "does_not_pay": "does not pay",
        "explored": "Share of the range explored",
        "box": "Box {i}",
        "evppi_axis": "Expected value to the decision, million EUR",
        "evpi": "EVPI: {value}",
    },
}
