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
        "lead_outcomes": "Scenarijus „{title}“ per {base}–{end} m. leistų išvengti {placed} "
        "vaikų paėmimo į globą (centrinis skaičiavimas; neapibrėžtumo skaičiavimų mediana "
        "{placed_med}, {level}\u00a0% intervalas nuo {placed_lo} iki {placed_hi} vaikų) ir "
        "sutaupytų {years} vaiko metų globoje (mediana {years_med}, intervalas nuo {years_lo} "
        "iki {years_hi}).",
        "lead_value": "Grynoji dabartinė vertė pagal centrinį skaičiavimą yra "
        "{npv}\u00a0mln.\u00a0EUR, "
        "mediana {npv_med}\u00a0mln.\u00a0EUR ({level}\u00a0% intervalas nuo {npv_lo} iki "
        "{npv_hi}\u00a0mln.\u00a0EUR); "
        "naudos ir išlaidų santykis {bcr}. Nauda viršija išlaidas {chance}\u00a0% iš {runs} "
        "neapibrėžtumo skaičiavimų (Monte Karlo standartinė paklaida ±\u00a0{error} procentinio "
        "punkto).",
        "lead_breaks_even": "Pagal centrinį skaičiavimą investicija atsiperka {year} m.",
        "lead_never": "Pagal centrinį skaičiavimą investicija iki {end} m. neatsiperka.",
        "chance_none": "Tai, kad nė viename iš {runs} skaičiavimų nauda neviršija išlaidų, "
        "nereiškia, kad tikimybė lygi nuliui: iš tiek skaičiavimų galima teigti tik tiek, kad ji "
        "({level}\u00a0% patikimumu) mažesnė nei {bound}\u00a0%.",
        "chance_all": "Tai, kad visuose {runs} skaičiavimuose nauda viršija išlaidas, nereiškia, "
        "kad tai tikra: iš tiek skaičiavimų galima teigti tik tiek, kad tikimybė "
        "({level}\u00a0% patikimumu) didesnė nei {bound}\u00a0%.",
        "few_draws": "Dėmesio: šio pranešimo intervalai ir tikimybės remiasi tik {plausible} "
        "neapibrėžtumo skaičiavimų, mažiau nei rekomenduojami {minimum}; jie apytiksliai, o jų "
        "Monte Karlo paklaida didelė. Patikimesniam vertinimui skaičiavimą reikia pakartoti su "
        "didesne imtimi.",
        "verdict_pays": "Tikėtina, kad investicija atsipirks: išvengtos globos išlaidos ir "
        "geresnė vaikų ateitis suaugus (uždarbis, sveikata, mažiau nusikaltimų) viršija jos "
        "kainą.",
        "verdict_uncertain": "Ar investicija atsipirks, neaišku: rezultatas priklauso nuo "
        "neapibrėžtų parametrų (žr. skyrių „Kas lemia vertę“).",
        "verdict_not": "Įvertinus išvengtas globos išlaidas ir visą paveiktų vaikų gyvenimą, "
        "ši investicija tikriausiai neatsiperka; jos pagrindimas turi remtis ir naudomis, "
        "kurių modelis nevertina (pvz., vaikų gerove dabar).",
        "table_measure": "Rodiklis",
        "table_central": "„{title}“: centrinis skaičiavimas",
        "table_interval": "Mediana ir {level}\u00a0% intervalas (iš {plausible} skaičiavimų)",
        "measures": {
            "npv": "Grynoji dabartinė vertė (GDV)",
            "bcr": "Naudos ir išlaidų santykis",
            "break_even_year": "Atsipirkimo metai",
            "children_placed_avoided": "Išvengta paėmimų į globą (vaikų)",
            "child_years_in_care_avoided": "Išvengta vaiko metų globoje",
            "benefits": "Nauda (išvengtos išlaidos ir geresnė ateitis), dabartinė vertė",
            "costs": "Papildomos išlaidos, dabartinė vertė",
            "chance_benefits_exceed_costs": "Tikimybė, kad nauda viršys išlaidas",
        },
        "money": "{}\u00a0mln.\u00a0EUR",
        "percent": "{}\u00a0%",
        "chance_error": "±\u00a0{} proc. punkto (Monte Karlo standartinė paklaida)",
        "median_range": "mediana {}; nuo {} iki {}",
        "year": "{} m.",
        "range": "nuo {} iki {}",
        "never": "neatsiperka iki {} m.",
        "share_break_even": "atsiperka {}\u00a0% skaičiavimų",
        "none": "–",
        "key_note": "Pinigų sumos pateiktos {price} m. kainomis ir diskontuotos {rate}\u00a0% per "
        "metus iki {base} m. Centrinis skaičiavimas naudoja geriausius parametrų įverčius; "
        "mediana ir {level}\u00a0% intervalai apskaičiuoti iš {plausible} neapibrėžtumo "
        "skaičiavimų: iš {samples} atsitiktinių parametrų rinkinių (kartu keičiami {varied} "
        "neapibrėžti parametrai) palikti tie, kurių praeitis atitinka nacionalinius duomenis.",
        "shows": "Ką rodo modelis",
        "fig_trajectories": "Vaikai institucinėje globoje, vaikai globoje šeimoje ir sunkumų "
        "patiriančios šeimos, {start}–{end} m. Taškai – nacionaliniai duomenys, pagal kuriuos "
        "kalibruotas modelis; linijos – centrinis skaičiavimas; juostos – {level}\u00a0% "
        "intervalas "
        "iš {plausible} skaičiavimų.",
        "fig_npv": "Sukaupta diskontuota grynoji nauda nuo {base} m.: linija – centrinis "
        "skaičiavimas, juosta – {level}\u00a0% intervalas iš {plausible} skaičiavimų. "
        "Investicija atsiperka, kai linija "
        "pakyla virš nulio ir ten lieka.",
        "fig_by_outcome": "Nauda pagal pasekmes ir gavėjus (centrinis skaičiavimas). Politika "
        "veikia {base}–{end} m., o jos paveiktų vaikų ateitis vertinama visą gyvenimą iki "
        "{adult_end} metų: suaugusiojo metai diskontuojami {life_rate}\u00a0% per metus iki "
        "poveikio metų, poveikio metai – {rate}\u00a0% per metus iki {base} m. Mokesčių naštos "
        "kaina – papildomų mokesčių, reikalingų programai finansuoti, ekonominė kaina.",
        "fig_placements": "Į globą paimti vaikai per metus. Atotrūkis tarp esamos padėties "
        "(punktyrinė linija) ir scenarijaus rodo, kiek mažiau vaikų paimama į globą; linijos – "
        "centrinis skaičiavimas, juostos – {level}\u00a0% intervalas iš {plausible} skaičiavimų.",
        "fig_costs": "Viešosios išlaidos per metus pagal paslaugą ir teikėją (sodri spalva – "
        "NVO, šviesi – savivaldybių įstaigos), mokymai ir globa; centrinis skaičiavimas, "
        "{price} m. kainomis.",
        "municipalities": "Savivaldybės",
        "municipal_text": "Skaičiuojant tūkstančiui vaikų, scenarijus „{title}“ daugiausia "
        "paėmimų į globą išvengia šiose savivaldybėse: {top}; mažiausiai – {bottom} (vaikų "
        "tūkstančiui vaikų).",
        "municipal_item": "{name} ({value})",
        "fig_municipal": "Išvengti vaikų paėmimai į globą iki {end} m. tūkstančiui vaikų "
        "kiekvienoje savivaldybėje: eilė ir žemėlapis (scenarijus „{title}“, centrinis "
        "skaičiavimas, savivaldybių lygmens modelis). Žemėlapio ribos: © OpenStreetMap "
        "bendraautoriai, ODbL licencija.",
        "regions": "Regionai",
        "regional_text": "Skaičiuojant tūkstančiui vaikų, scenarijus „{title}“ daugiausia "
        "paėmimų į globą išvengia šiuose regionuose: {top}; mažiausiai – {bottom} (vaikų "
        "tūkstančiui vaikų).",
        "fig_regional": "Išvengti vaikų paėmimai į globą iki {end} m. tūkstančiui vaikų "
        "kiekviename regione (scenarijus „{title}“, centrinis skaičiavimas, regionų lygmens "
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
        "fig_sensitivity": "Pirmos eilės jautrumo indeksai (RBD-FAST, SALib) su "
        "{confidence}\u00a0% "
        "pasikliautinaisiais intervalais, apskaičiuoti iš tų pačių {plausible} skaičiavimų; "
        "scenarijus „{title}“.",
        "assumptions": "Prielaidos",
        "assume_money": "Vertė skaičiuojama {price} m. kainomis ir diskontuojama {rate}\u00a0% per "
        "metus iki {base} m.; laikotarpis – {start}–{end} m.",
        "assume_accounts": "Nauda – tai išvengtos globos išlaidos ir paveiktų vaikų gyvenimo "
        "pokyčiai suaugus (uždarbis ir mokesčiai, ankstyva mirtis, socialinė pašalpa, "
        "psichiatrinis gydymas ligoninėje, įkalinimas ir nusikaltimų aukų nuostoliai) bei "
        "mokesčių naštos kaina; išlaidos – papildomos paslaugų ir mokymų išlaidos. Taikomas "
        "Vašingtono valstijos viešosios politikos instituto (WSIPP) naudos ir išlaidų metodas; "
        "santykinės rizikos paimtos iš Šiaurės šalių kohortų tyrimų, bazinės reikšmės ir "
        "kainos – {country_gen}.",
        "assume_fixed": "Scenarijų failuose nustatyti parametrai, tarp jų pagal nacionalinius "
        "duomenis kalibruoti, neapibrėžtumo skaičiavimuose nekeičiami: {names}.",
        "assume_scenario": "Scenarijus „{title}“: {description}",
        "params_intro": "Įtakingiausių parametrų centrinės reikšmės, pagrįsti intervalai ir "
        "šaltiniai:",
        "param_head": ("Parametras", "Reikšmė", "Intervalas", "Vienetai", "Šaltinis"),
        "sources": "Duomenų šaltiniai",
        "sources_intro": "Nacionaliniai duomenys paveiksluose:",
        "source_item": "{series}: {source}",
        "sources_params": "Visų neapibrėžtumo skaičiavimuose keičiamų parametrų reikšmės, "
        "intervalai ir šaltiniai pateikti šio pranešimo aplanko parametrų lentelėje.",
        "method": "Metodo pastaba",
        "method_text": "Skaičiuota prevsim sistemų dinamikos modeliu: {country_gen} šeimos, "
        "auginančios vaikus, pereina tarp gerovės, pažeidžiamumo, ankstyvosios pagalbos, "
        "sunkumų, krizės, globos šeimoje ir institucinės globos būsenų. Savivaldybių ir "
        "ministerijos sprendimai (paslaugų biudžetai, NVO dalis, mobiliosios komandos, "
        "mokymai, institucijų uždarymas) keičia perėjimų intensyvumą. Perėjimų intensyvumai "
        "kalibruoti pagal nacionalinius duomenis. Neapibrėžtumas – "
        "lotyniškojo hiperkubo imtis ({samples} rinkinių) per neapibrėžtų parametrų "
        "pagrįstus intervalus, suderinta su istorija: atmetami rinkiniai, kurių praeitis "
        "daugiau nei viename duomenų taške nutolusi nuo duomenų daugiau nei {cutoff} "
        "standartinius nuokrypius (duomenų paklaida ir {discrepancy}\u00a0% modelio paklaida). "
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
        "lead_outcomes": "Over {base}–{end}, the scenario “{title}” would spare {placed} "
        "children from being placed in care (central run; median of the uncertainty runs "
        "{placed_med}, {level}% interval {placed_lo} to {placed_hi} children) and save "
        "{years} child-years in care (median {years_med}, interval {years_lo} to {years_hi}).",
        "lead_value": "Its net present value is {npv}\u00a0million\u00a0EUR in the central run, "
        "with a "
        "median of {npv_med}\u00a0million\u00a0EUR ({level}% interval {npv_lo} to "
        "{npv_hi}\u00a0million\u00a0EUR); "
        "its benefit-cost ratio is {bcr}. Benefits exceed costs in {chance}% of {runs} "
        "uncertainty runs (Monte Carlo standard error ±\u00a0{error} percentage points).",
        "lead_breaks_even": "In the central run, the investment breaks even in {year}.",
        "lead_never": "In the central run, the investment does not break even by {end}.",
        "chance_none": "That benefits exceed costs in none of {runs} runs does not make the "
        "chance zero: so many runs show only that it is below {bound}% (with {level}% "
        "confidence).",
        "chance_all": "That benefits exceed costs in all {runs} runs does not make it certain: so "
        "many runs show only that the chance is above {bound}% (with {level}% confidence).",
        "few_draws": "Caution: the intervals and chances in this briefing rest on only "
        "{plausible} uncertainty runs, fewer than the recommended {minimum}; they are rough "
        "and their Monte Carlo error is large. Repeat the run with more draws before relying "
        "on them.",
        "verdict_pays": "The investment is likely to pay for itself: the care costs avoided and "
        "the children's better adult lives (earnings, health, less crime) outweigh its cost.",
        "verdict_uncertain": "Whether the investment pays for itself is uncertain: it depends on "
        "uncertain parameters (see “What drives the value”).",
        "verdict_not": "Counting the care costs avoided and the whole lives of the children "
        "affected, the investment probably does not pay for itself; a case for it must rest on "
        "benefits the model does not value (such as children's wellbeing now).",
        "table_measure": "Measure",
        "table_central": "“{title}”: central run",
        "table_interval": "Median and {level}% interval (of {plausible} runs)",
        "measures": {
            "npv": "Net present value (NPV)",
            "bcr": "Benefit-cost ratio",
            "break_even_year": "Break-even year",
            "children_placed_avoided": "Children not placed in care (placements avoided)",
            "child_years_in_care_avoided": "Child-years in care avoided",
            "benefits": "Benefits (costs avoided, better adult lives), present value",
            "costs": "Extra spending, present value",
            "chance_benefits_exceed_costs": "Chance that benefits exceed costs",
        },
        "money": "{}\u00a0million\u00a0EUR",
        "percent": "{}%",
        "chance_error": "±\u00a0{} percentage points (Monte Carlo standard error)",
        "median_range": "median {}; {} to {}",
        "year": "{}",
        "range": "{} to {}",
        "never": "not by {}",
        "share_break_even": "breaks even in {}% of runs",
        "none": "–",
        "key_note": "Money at {price} prices, discounted at {rate}% a year to {base}. The "
        "central run uses the best estimates of the parameters; medians and {level}% intervals "
        "are over {plausible} uncertainty runs: of {samples} random parameter sets (varying "
        "{varied} uncertain parameters together), those whose past matches the national data.",
        "shows": "What the model shows",
        "fig_trajectories": "Children in institutional care, children in family-based care and "
        "families in difficulty, {start}–{end}. Points: the national data the model is "
        "calibrated to; lines: the central run; bands: the {level}% interval over {plausible} "
        "runs.",
        "fig_npv": "Cumulative discounted net benefit from {base}: the line is the central run, "
        "the band the {level}% interval over {plausible} runs. The investment breaks even when "
        "the line rises above "
        "zero and stays there.",
        "fig_by_outcome": "Benefits by outcome and by who gains (central run). The policy runs "
        "over {base}–{end}; the children it affects are followed over their whole lives, to "
        "age {adult_end}: adult years are discounted at {life_rate}% a year to the year of the "
        "childhood exposure, and that year at {rate}% a year to {base}. The deadweight cost "
        "of taxes is the economic cost of raising the taxes that fund the programme.",
        "fig_placements": "Children placed in care per year. The gap between the status quo "
        "(dashed) and the scenario is the children not placed; lines: the central run, bands: the "
        "{level}% interval over {plausible} runs.",
        "fig_costs": "Public spending per year by service and provider (full colour: NGOs; "
        "light: municipal providers), training and care; central run, {price} prices.",
        "municipalities": "Municipalities",
        "municipal_text": "Per thousand children, the scenario “{title}” avoids the most "
        "placements in {top}; the fewest in {bottom} (children per thousand children).",
        "municipal_item": "{name} ({value})",
        "fig_municipal": "Children not placed in care by {end} per thousand children in each "
        "municipality: ranking and map (scenario “{title}”, central run, municipal "
        "resolution). Map boundaries: © OpenStreetMap contributors, ODbL.",
        "regions": "Regions",
        "regional_text": "Per thousand children, the scenario “{title}” avoids the most "
        "placements in {top}; the fewest in {bottom} (children per thousand children).",
        "fig_regional": "Children not placed in care by {end} per thousand children in each "
        "region (scenario “{title}”, central run, regional resolution).",
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
        "prices of {country}).",
        "assume_fixed": "Parameters set in the scenario files, including those calibrated to "
        "national data, stay fixed in the uncertainty runs: {names}.",
        "assume_scenario": "Scenario “{title}”: {description}",
        "params_intro": "Central values, plausible ranges and sources of the most influential "
        "parameters:",
        "param_head": ("Parameter", "Value", "Range", "Unit", "Source"),
        "sources": "Data sources",
        "sources_intro": "National data in the charts:",
        "source_item": "{series}: {source}",
        "sources_params": "Values, ranges and sources of every parameter varied in the "
        "uncertainty runs: the parameter table in this briefing's folder.",
        "method": "Method note",
        "method_text": "Computed with the prevsim system-dynamics model: families raising "
        "children in {country} move between wellbeing, vulnerability, early support, difficulty, "
        "crisis, family-based care and institutional care. Municipal and ministry decisions "
        "(service budgets, NGO share, mobile teams, training, closing institutions) change "
        "the rates of those moves. The rates are calibrated to national data. Uncertainty is "
        "a Latin hypercube ({samples} sets) over the plausible ranges "
        "of the uncertain parameters, history-matched: a set is ruled out when its past lies "
        "more than {cutoff} standard deviations (the data's error and a {discrepancy}% model "
        "discrepancy) from the data at more than one point. The central run uses the best "
        "estimates. Every number in this briefing is taken from the results files in its "
        "folder.",
        "page": "page",
    },
}
