"""A briefing as a list of blocks: headings, paragraphs, tables, bullets and figures.

A paragraph is a template whose ``{name}`` fields are filled with text, other paragraphs or
:class:`~simulation.reports.briefing.numbers.Num` objects, so that the renderers know which
parts are numbers and where each came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from simulation.reports.briefing.numbers import Num


@dataclass
class Para:
    """A paragraph: a template whose ``{name}`` fields are filled by text or numbers."""

    template: str
    fields: dict[str, object] = field(default_factory=dict)
    style: str = "body"

    def parts(self) -> list[str | Num]:
        """Literal text and :class:`Num` objects in reading order."""
        import string

        out: list[str | Num] = []
        for literal, name, _, _ in string.Formatter().parse(self.template):
            if literal:
                out.append(literal)
            if name is not None:
                value = self.fields[name]
                out.extend(value.parts() if isinstance(value, Para) else [value])
        return out


@dataclass
class Heading:
    """A heading: level 0 is the document's title, level 1 a section heading."""

    text: str
    level: int = 1


@dataclass
class Figure:
    """A chart: the path of its PNG image and its caption."""

    png: Path
    caption: Para


@dataclass
class Table:
    """A table: a header row and rows of cells, with column widths as shares of the text width."""

    header: list[Para]
    rows: list[list[Para]]
    widths: list[float]  # shares of the text width


@dataclass
class Bullets:
    """A bulleted list of paragraphs."""

    items: list[Para]


def join(parts: Sequence[object], sep: str) -> Para:
    """A Para listing ``parts`` separated by ``sep``."""
    template = sep.join(f"{{p{i}}}" for i in range(len(parts)))
    return Para(template, {f"p{i}": p for i, p in enumerate(parts)})


def listing(parts: Sequence[object], t: dict) -> Para:
    """``a, b and c``."""
    if len(parts) <= 1:
        return join(parts, "")
    return Para("{head}" + t["and"] + "{last}", {"head": join(parts[:-1], ", "), "last": parts[-1]})
