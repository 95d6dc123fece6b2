"""``prevsim brief``: a short ministry briefing in Lithuanian or English.

The briefing is a PDF or one self-contained HTML file. It is built in three steps that keep its
numbers honest:

1. :func:`simulation.analysis.briefing_numbers.compute` computes every table and the folder
   keeps them (``key_numbers.csv`` and the others), with ``facts.csv`` (horizon, discount
   rate, sample size...) and ``parameters.csv`` (values, ranges and sources of the varied
   parameters);
2. :func:`~simulation.reports.briefing.content.build` writes the document as blocks whose every
   number is a :class:`~simulation.reports.briefing.numbers.Num` naming the file, row and
   column it was read from; ``numbers.csv`` lists them all;
3. :func:`~simulation.reports.briefing.html.to_html` and
   :func:`~simulation.reports.briefing.pdf.to_pdf` render the same blocks.
"""

from simulation.model.vocabulary import LANGS
from simulation.reports.briefing.charts import draw_charts
from simulation.reports.briefing.content import Context, build
from simulation.reports.briefing.html import to_html
from simulation.reports.briefing.numbers import Num, Numbers, format_number, parse_number
from simulation.reports.briefing.pdf import to_pdf
from simulation.reports.briefing.writer import FORMATS, write_briefing

__all__ = [
    "FORMATS",
    "LANGS",
    "Context",
    "Num",
    "Numbers",
    "build",
    "draw_charts",
    "format_number",
    "parse_number",
    "to_html",
    "to_pdf",
    "write_briefing",
]
