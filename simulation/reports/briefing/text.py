"""The words of a ministry briefing, in Lithuanian and English.

Templates hold no digits: every number is a ``{placeholder}`` filled from the results files
(see :mod:`simulation.reports.briefing`), so a test can check that each number printed is the number
in the file it came from.
"""

from __future__ import annotations

TEXT = {
    "lt": {
        "title": "Investicijų į vaikų ir šeimų gerovės prevenciją vertė",
        "subtitle": "{scenarios} palyginti su „{baseline}“ · {start}–{end} m. · prevsim {version}",
        "quote": "„{}“",
        "and": " ir ",
        "key_numbers": "Svarbiausi skaičiai",
        "lead_outcomes": "Centriniu vertinimu scenarijus „{title}“ per {base}–{end} m. leistų "
        "išvengti {placed} vaikų paėmimų į globą (nuo {placed_lo} iki {placed_hi}) ir "
        "{years} vaiko metų globoje (nuo {years_lo} iki {years_hi}).",
        "lead_value": "Jo grynoji dabartinė vertė – {npv} mln. EUR ({level} % intervalas: nuo "
        "{npv_lo} iki {npv_hi} mln. EUR), naudos ir išlaidų santykis – {bcr}. Nauda viršija "
        "išlaidas {chance} % neapibrėžtumo skaičiavimų.",
        "lead_breaks_even": "Centriniu vertinimu investicija atsiperka {year} m.",
        "lead_never": "Centriniu vertinimu investicija iki {end} m. neatsiperka.",
        "lead_share": " Atsiperka {share} % skaičiavimų.",
        "verdict_pays": "Tikėtina, kad investicija atsipirks: išvengtos globos išlaidos ir "
        "geresnė vaikų ateitis suaugus (uždarbis, sveikata, mažiau nusikaltimų) viršija jos "
        "kainą.",
        "verdict_uncertain": "Ar investicija atsipirks, neaišku: rezultatas priklauso nuo "
        "neapibrėžtų parametrų (žr. skyrių „Kas lemia vertę“).",
        "verdict_not": "Įvertinus išvengtas globos išlaidas ir visą paveiktų vaikų gyvenimą, "
        "ši investicija tikriausiai neatsiperka; jos pagrindimas turi remtis ir naudomis, "
        "kurių modelis nevertina (pvz., vaikų gerove dabar).",
        "table_measure": "Rodiklis",
        "table_interval": "{level} % intervalas",
        "measures": {
            "npv": "Grynoji dabartinė vertė (GDV)",
            "bcr": "Naudos ir išlaidų santykis",
            "break_even_year": "Atsipirkimo metai",
            "children_placed_avoided": "Išvengta vaikų paėmimų į globą",
            "child_years_in_care_avoided": "Išvengta vaiko metų globoje",
            "benefits": "Nauda (išvengtos išlaidos ir geresnė ateitis), dabartinė vertė",
            "costs": "Papildomos išlaidos, dabartinė vertė",
            "chance_benefits_exceed_costs": "Tikimybė, kad nauda viršys išlaidas",
        },
        "money": "{} mln. EUR",
        "percent": "{} %",
        "chance_error": "nuo {} iki {} % (Monte Karlo paklaida)",
        "year": "{} m.",
        "range": "nuo {} iki {}",
        "never": "neatsiperka iki {} m.",
        "share_break_even": "atsiperka {} % skaičiavimų",
        "none": "–",
        "key_note": "Pinigų sumos – {price} m. kainomis, diskontuotos {rate} % per metus iki "
        "{base} m. Intervalai – {level} % neapibrėžtumo intervalai iš {plausible} skaičiavimų: iš "
        "{samples} atsitiktinių parametrų rinkinių (kartu keičiami {varied} neapibrėžti "
        "parametrai) palikti tie, kurių praeitis atitinka nacionalinius duomenis.",
        "shows": "Ką rodo modelis",
        "fig_trajectories": "Vaikai institucinėje globoje, vaikai globoje šeimoje ir sunkumų "
        "patiriančios šeimos, {start}–{end} m. Taškai – nacionaliniai duomenys, pagal kuriuos "
        "kalibruotas modelis; linijos – centrinis skaičiavimas; juostos – {level} % intervalas "
        "iš {plausible} skaičiavimų.",
        "fig_npv": "Sukaupta diskontuota grynoji nauda nuo {base} m.: linija – centrinis "
        "skaičiavimas, juosta – {level} % intervalas. Investicija atsiperka, kai linija "
        "pakyla virš nulio ir ten lieka.",
        "fig_by_outcome": "Nauda pagal pasekmes ir gavėjus (centrinis skaičiavimas). Politika "
        "veikia {base}–{end} m., o jos paveiktų vaikų ateitis vertinama visą gyvenimą iki "
        "{adult_end} metų: suaugusiojo metai diskontuojami {life_rate} % per metus iki "
        "poveikio metų, poveikio metai – {rate} % per metus iki {base} m. Mokesčių naštos "
        "kaina – papildomų mokesčių, reikalingų programai finansuoti, ekonominė kaina.",
        "fig_placements": "Į globą paimti vaikai per metus. Atotrūkis tarp esamos padėties "
        "(punktyrinė linija) ir scenarijaus – išvengti paėmimai.",
        "fig_costs": "Viešosios išlaidos per metus pagal paslaugą ir teikėją (sodri spalva – "
        "NVO, šviesi – savivaldybių įstaigos), mokymai ir globa; centrinis skaičiavimas, "
        "{price} m. kainomis.",
        "municipalities": "Savivaldybės",
        "municipal_text": "Skaičiuojant tūkstančiui vaikų, scenarijus „{title}“ daugiausia "
        "paėmimų į globą išvengia šiose savivaldybėse: {top}; mažiausiai – {bottom}.",
        "municipal_item": "{name} ({value})",
        "fig_municipal": "Išvengti paėmimai į globą tūkstančiui vaikų kiekvienoje savivaldybėje "
        "iki {end} m. (scenarijus „{title}“, centrinis skaičiavimas, savivaldybių lygmens "
        "modelis).",
        "drivers": "Kas lemia vertę",
        "drivers_text": "GDV neapibrėžtumą labiausiai lemia šie parametrai: {top}. Jų pirmos "
        "eilės jautrumo indeksai rodo, kokią GDV dispersijos dalį paaiškina kiekvienas "
        "parametras vienas; būtent juos verta tikslinti tyrimais ir stebėsena.",
        "drivers_overlap": "Iš {plausible} skaičiavimų nė vienas parametras neišsiskiria: "
        "didžiausių pirmos eilės jautrumo indeksų ({top}) pasikliautinieji intervalai "
        "persidengia, todėl jų eiliškumas nepatikimas ir jo nereikėtų laikyti atsakymu; "
        "jam patikrinti reikia daugiau skaičiavimų.",
        "driver_item": "{name} ({value})",
        "fig_sensitivity": "Pirmos eilės jautrumo indeksai (RBD-FAST, SALib) su {confidence} % "
        "pasikliautinaisiais intervalais, apskaičiuoti iš tų pačių {plausible} skaičiavimų; "
        "scenarijus „{title}“.",
        "assumptions": "Prielaidos",
        "assume_money": "Vertė skaičiuojama {price} m. kainomis ir diskontuojama {rate} % per "
        "metus iki {base} m.; laikotarpis – {start}–{end} m.",
        "assume_accounts": "Nauda – išvengtos globos išlaidos ir paveiktų vaikų gyvenimo "
        "pokyčiai suaugus: uždarbis ir mokesčiai, ankstyva mirtis, socialinė pašalpa, "
        "psichiatrinis gydymas ligoninėje, įkalinimas ir nusikaltimų aukų nuostoliai, bei "
        "mokesčių naštos kaina; išlaidos – papildomos paslaugų ir mokymų išlaidos (WSIPP "
        "naudos ir išlaidų metodas; santykinės rizikos iš Šiaurės šalių kohortų tyrimų, "
        "bazinės reikšmės ir kainos – Lietuvos; komanda „prevsim lifecourse“).",
        "assume_fixed": "Scenarijų failuose nustatyti parametrai, tarp jų pagal nacionalinius "
        "duomenis kalibruoti, neapibrėžtumo skaičiavimuose nekeičiami: {names}.",
        "assume_scenario": "Scenarijus „{title}“ (aprašas anglų kalba): {description}",
        "params_intro": "Įtakingiausių parametrų centrinės reikšmės, pagrįsti intervalai ir "
        "šaltiniai (šaltinių pavadinimai – kaip juos pateikia registras):",
        "param_head": ("Parametras", "Reikšmė", "Intervalas", "Vienetai", "Šaltinis"),
        "assumption": "prielaida: ",
        "sources": "Duomenų šaltiniai",
        "sources_intro": "Nacionaliniai duomenys paveiksluose:",
        "source_item": "{series}: {source}",
        "sources_params": "Visų parametrų reikšmės, intervalai ir šaltiniai: komanda "
        "„prevsim params“.",
        "method": "Metodo pastaba",
        "method_text": "Skaičiuota prevsim sistemų dinamikos modeliu: šalies šeimos, "
        "auginančios vaikus, pereina tarp gerovės, pažeidžiamumo, ankstyvosios pagalbos, "
        "sunkumų, krizės, globos šeimoje ir institucinės globos būsenų. Savivaldybių ir "
        "ministerijos sprendimai (paslaugų biudžetai, NVO dalis, mobiliosios komandos, "
        "mokymai, institucijų uždarymas) keičia perėjimų intensyvumą. Perėjimų intensyvumai "
        "kalibruoti pagal nacionalinius duomenis (prevsim calibrate). Neapibrėžtumas – "
        "lotyniškojo hiperkubo imtis ({samples} rinkinių) per neapibrėžtų parametrų "
        "pagrįstus intervalus, suderinta su istorija: atmetami rinkiniai, kurių praeitis "
        "daugiau nei viename duomenų taške nutolusi nuo duomenų daugiau nei {cutoff} "
        "standartinius nuokrypius (duomenų paklaida ir {discrepancy} % modelio paklaida). "
        "Centrinis skaičiavimas naudoja geriausius įverčius. Visi šio pranešimo skaičiai "
        "paimti iš jo aplanke esančių rezultatų failų.",
        "page": "psl.",
    },
    "en": {
        "title": "The value of investing in prevention for child and family welfare",
        "subtitle": "{scenarios} against “{baseline}” · {start}–{end} · prevsim {version}",
        "quote": "“{}”",
        "and": " and ",
        "key_numbers": "Key numbers",
        "lead_outcomes": "In the central estimate, the scenario “{title}” would avoid {placed} "
        "placements of children in care ({placed_lo} to {placed_hi}) and {years} child-years "
        "in care ({years_lo} to {years_hi}) over {base}–{end}.",
        "lead_value": "Its net present value is {npv} million EUR ({level}% interval: {npv_lo} "
        "to {npv_hi} million EUR), and its benefit-cost ratio {bcr}. Benefits exceed costs in "
        "{chance}% of the uncertainty runs.",
        "lead_breaks_even": "In the central estimate, the investment breaks even in {year}.",
        "lead_never": "In the central estimate, the investment does not break even by {end}.",
        "lead_share": " It breaks even in {share}% of the runs.",
        "verdict_pays": "The investment is likely to pay for itself: the care costs avoided and "
        "the children's better adult lives (earnings, health, less crime) outweigh its cost.",
        "verdict_uncertain": "Whether the investment pays for itself is uncertain: it depends on "
        "uncertain parameters (see “What drives the value”).",
        "verdict_not": "Counting the care costs avoided and the whole lives of the children "
        "affected, the investment probably does not pay for itself; a case for it must rest on "
        "benefits the model does not value (such as children's wellbeing now).",
        "table_measure": "Measure",
        "table_interval": "{level}% interval",
        "measures": {
            "npv": "Net present value (NPV)",
            "bcr": "Benefit-cost ratio",
            "break_even_year": "Break-even year",
            "children_placed_avoided": "Placements of children avoided",
            "child_years_in_care_avoided": "Child-years in care avoided",
            "benefits": "Benefits (costs avoided, better adult lives), present value",
            "costs": "Extra spending, present value",
            "chance_benefits_exceed_costs": "Chance that benefits exceed costs",
        },
        "money": "{} million EUR",
        "percent": "{}%",
        "chance_error": "{}% to {}% (Monte Carlo error)",
        "year": "{}",
        "range": "{} to {}",
        "never": "not by {}",
        "share_break_even": "breaks even in {}% of runs",
        "none": "–",
        "key_note": "Money at {price} prices, discounted at {rate}% a year to {base}. Intervals "
        "are {level}% uncertainty intervals over {plausible} runs: of {samples} random parameter "
        "sets (varying {varied} uncertain parameters together), those whose past matches the "
        "national data.",
        "shows": "What the model shows",
        "fig_trajectories": "Children in institutional care, children in family-based care and "
        "families in difficulty, {start}–{end}. Points: the national data the model is "
        "calibrated to; lines: the central run; bands: the {level}% interval over {plausible} "
        "runs.",
        "fig_npv": "Cumulative discounted net benefit from {base}: the line is the central run, "
        "the band the {level}% interval. The investment breaks even when the line rises above "
        "zero and stays there.",
        "fig_by_outcome": "Benefits by outcome and by who gains (central run). The policy runs "
        "over {base}–{end}; the children it affects are followed over their whole lives, to "
        "age {adult_end}: adult years are discounted at {life_rate}% a year to the year of the "
        "childhood exposure, and that year at {rate}% a year to {base}. The deadweight cost "
        "of taxes is the economic cost of raising the taxes that fund the programme.",
        "fig_placements": "Children placed in care per year. The gap between the status quo "
        "(dashed) and the scenario is the placements avoided.",
        "fig_costs": "Public spending per year by service and provider (full colour: NGOs; "
        "light: municipal providers), training and care; central run, {price} prices.",
        "municipalities": "Municipalities",
        "municipal_text": "Per thousand children, the scenario “{title}” avoids the most "
        "placements in {top}; the fewest in {bottom}.",
        "municipal_item": "{name} ({value})",
        "fig_municipal": "Placements avoided per thousand children in each municipality by "
        "{end} (scenario “{title}”, central run, municipal resolution).",
        "drivers": "What drives the value",
        "drivers_text": "The uncertainty of the NPV is driven most by: {top}. A first-order "
        "index is the share of the NPV's variance a parameter explains on its own; these are "
        "the parameters worth pinning down by research and monitoring.",
        "drivers_overlap": "No parameter stands out in these {plausible} runs: the "
        "confidence intervals of the largest first-order indices ({top}) overlap, so their "
        "order is not reliable and should not be read as the answer; more runs are needed to "
        "settle it.",
        "driver_item": "{name} ({value})",
        "fig_sensitivity": "First-order sensitivity indices (RBD-FAST, SALib) with "
        "{confidence}% confidence intervals, from the same {plausible} runs; scenario “{title}”.",
        "assumptions": "Assumptions",
        "assume_money": "Values are at {price} prices, discounted at {rate}% a year to {base}; "
        "the horizon is {start}–{end}.",
        "assume_accounts": "Benefits are the care costs avoided and the changes in the adult "
        "lives of the children affected: earnings and taxes, early death, social assistance, "
        "psychiatric hospital care, imprisonment and crime victims' losses, with the "
        "deadweight cost of taxes; costs are the extra spending on services and training (the "
        "WSIPP benefit-cost method; relative risks from Nordic cohort studies, base rates and "
        "prices Lithuanian; the command “prevsim lifecourse”).",
        "assume_fixed": "Parameters set in the scenario files, including those calibrated to "
        "national data, stay fixed in the uncertainty runs: {names}.",
        "assume_scenario": "Scenario “{title}”: {description}",
        "params_intro": "Central values, plausible ranges and sources of the most influential "
        "parameters:",
        "param_head": ("Parameter", "Value", "Range", "Unit", "Source"),
        "assumption": "assumption: ",
        "sources": "Data sources",
        "sources_intro": "National data in the charts:",
        "source_item": "{series}: {source}",
        "sources_params": "Values, ranges and sources of every parameter: the command "
        "“prevsim params”.",
        "method": "Method note",
        "method_text": "Computed with the prevsim system-dynamics model: the country's families "
        "raising children move between wellbeing, vulnerability, early support, difficulty, "
        "crisis, family-based care and institutional care. Municipal and ministry decisions "
        "(service budgets, NGO share, mobile teams, training, closing institutions) change "
        "the rates of those moves. The rates are calibrated to national data (prevsim "
        "calibrate). Uncertainty is a Latin hypercube ({samples} sets) over the plausible ranges "
        "of the uncertain parameters, history-matched: a set is ruled out when its past lies "
        "more than {cutoff} standard deviations (the data's error and a {discrepancy}% model "
        "discrepancy) from the data at more than one point. The central run uses the best "
        "estimates. Every number in this briefing is taken from the results files in its "
        "folder.",
        "page": "page",
    },
}
