"""The briefing as an A4 PDF (reportlab), DejaVu Sans throughout, numbered pages.

Each kind of block has its own renderer (:data:`RENDERERS`), which adds flowables to the
story; a figure takes along the heading and paragraph that introduce it, so that they never
sit at the foot of a page without it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib import get_data_path
from reportlab.lib import colors
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from simulation.reports.briefing.document import Bullets, Figure, Heading, Para, Table
from simulation.reports.briefing.numbers import Num
from simulation.reports.briefing.text import TEXT

FAMILY = "DejaVuSans"
MARGIN = 1.8 * cm
TEXT_WIDTH = A4[0] - 2 * MARGIN
TALLEST_FIGURE = 23.5 * cm
TABLE_STYLE = TableStyle(
    [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f5f8")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#dddddd")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
)


def _register_fonts() -> str:
    """Register DejaVu Sans from matplotlib's own fonts; returns the family name.

    The font carries ą č ę ė į š ų ū ž.
    """
    if FAMILY in pdfmetrics.getRegisteredFontNames():
        return FAMILY
    folder = Path(get_data_path()) / "fonts" / "ttf"
    faces = {
        FAMILY: "DejaVuSans.ttf",
        f"{FAMILY}-Bold": "DejaVuSans-Bold.ttf",
        f"{FAMILY}-Oblique": "DejaVuSans-Oblique.ttf",
        f"{FAMILY}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    }
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    addMapping(FAMILY, 0, 0, FAMILY)
    addMapping(FAMILY, 1, 0, f"{FAMILY}-Bold")
    addMapping(FAMILY, 0, 1, f"{FAMILY}-Oblique")
    addMapping(FAMILY, 1, 1, f"{FAMILY}-BoldOblique")
    return FAMILY


def _markup(para: Para) -> str:
    """Reportlab's paragraph markup: escaped text, numbers as they are."""
    out = []
    for part in para.parts():
        text = part.text if isinstance(part, Num) else str(part)
        out.append(html.escape(text, quote=False))
    return "".join(out)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    """The paragraph styles, by the names blocks use."""
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, spaceAfter=5)
    bold = f"{font}-Bold"
    grey = colors.HexColor("#555555")
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=bold, fontSize=16, leading=20, spaceAfter=4
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, textColor=grey, spaceAfter=10),
        # a paragraph that stays with the next (a section's opening lines)
        "intro": ParagraphStyle("intro", parent=base, keepWithNext=1),
        "h": ParagraphStyle(
            "h",
            parent=base,
            fontName=bold,
            fontSize=12,
            leading=15,
            spaceBefore=8,
            spaceAfter=5,
            keepWithNext=1,  # a heading never ends a page
            textColor=colors.HexColor("#0b3d66"),
        ),
        "head": ParagraphStyle(
            "head", parent=base, fontName=bold, fontSize=8.5, leading=11, spaceAfter=0
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        "small": ParagraphStyle("small", parent=base, fontSize=7, leading=9, spaceAfter=0),
        "warning": ParagraphStyle(
            "warning",
            parent=base,
            fontName=bold,
            textColor=colors.HexColor("#8a1c1c"),
            borderColor=colors.HexColor("#8a1c1c"),
            borderWidth=0.6,
            borderPadding=4,
            spaceBefore=4,
            spaceAfter=9,
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=base,
            fontSize=8,
            leading=10.5,
            textColor=colors.HexColor("#444444"),
            spaceAfter=10,
        ),
    }


@dataclass
class _Story:
    """The flowables of the document so far, and what the renderers share."""

    font: str
    styles: dict[str, ParagraphStyle]
    flowables: list = field(default_factory=list)
    title: str = ""

    def heading(self, block: Heading, following: object) -> None:
        self.title = self.title or block.text
        style = self.styles["title" if block.level == 0 else "h"]
        self.flowables.append(Paragraph(html.escape(block.text), style))

    def paragraph(self, block: Para, following: object) -> None:
        style = self.styles.get(block.style, self.styles["body"])
        if isinstance(following, Figure | Bullets):  # a paragraph stays with what it introduces
            style = ParagraphStyle(f"{style.name}-intro", parent=style, keepWithNext=1)
        self.flowables.append(Paragraph(_markup(block), style))

    def bullets(self, block: Bullets, following: object) -> None:
        body = self.styles["body"]
        items = [ListItem(Paragraph(_markup(p), body), leftIndent=12) for p in block.items]

        def listing(part: list) -> ListFlowable:
            return ListFlowable(
                part, bulletType="bullet", start="•", leftIndent=12, bulletFontName=self.font
            )

        # a heading before the list stays with its first item (keepWithNext gives up before
        # a list taller than what is left of the page, leaving the heading at its foot)
        lead = []
        while self.flowables and self.flowables[-1].getKeepWithNext():
            lead.insert(0, self.flowables.pop())
        self.flowables.append(KeepTogether([*lead, listing(items[:1])]))
        if len(items) > 1:
            self.flowables.append(listing(items[1:]))

    def table(self, block: Table, following: object) -> None:
        def cell(p: Para) -> Paragraph:
            style = {"head": "head", "small": "small"}.get(p.style, "cell")
            return Paragraph(_markup(p), self.styles[style])

        data = [[cell(p) for p in block.header]] + [[cell(p) for p in row] for row in block.rows]
        widths = [w * TEXT_WIDTH for w in block.widths]
        table = PdfTable(data, colWidths=widths, repeatRows=1)
        table.setStyle(TABLE_STYLE)
        self.flowables += [table, Spacer(1, 6)]

    def figure(self, block: Figure, following: object) -> None:
        image = Image(str(block.png))
        scale = min(TEXT_WIDTH / image.imageWidth, TALLEST_FIGURE / image.imageHeight)
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        # the heading and paragraph that introduce a figure move with it (reportlab does not
        # chain keepWithNext into a KeepTogether)
        lead = []
        while self.flowables and self.flowables[-1].getKeepWithNext():
            lead.insert(0, self.flowables.pop())
        caption = Paragraph(_markup(block.caption), self.styles["caption"])
        self.flowables.append(KeepTogether([*lead, image, caption]))


#: The renderer of each kind of block.
RENDERERS = {
    Heading: _Story.heading,
    Para: _Story.paragraph,
    Bullets: _Story.bullets,
    Table: _Story.table,
    Figure: _Story.figure,
}


def _footer(story: _Story, lang: str):
    """A page's footer: the title on the left, the page number on the right."""
    page_word = TEXT[lang]["page"]

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(story.font, 7.5)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(MARGIN, 1.1 * cm, story.title)
        number = f"{doc.page} {page_word}" if lang == "lt" else f"{page_word} {doc.page}"
        canvas.drawRightString(A4[0] - MARGIN, 1.1 * cm, number)
        canvas.restoreState()

    return draw


def to_pdf(blocks: Sequence[object], path: Path, lang: str) -> None:
    """An A4 PDF of the blocks, numbered pages, DejaVu Sans throughout."""
    font = _register_fonts()
    story = _Story(font, _styles(font))
    for block, following in zip(blocks, [*blocks[1:], None], strict=True):
        RENDERERS[type(block)](story, block, following)
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=1.6 * cm,
        bottomMargin=MARGIN,
        title=story.title,
        author="prevsim",
        lang=lang,
    )
    footer = _footer(story, lang)
    doc.build(story.flowables, onFirstPage=footer, onLaterPages=footer)
