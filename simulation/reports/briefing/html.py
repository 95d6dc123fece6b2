"""The briefing as one self-contained HTML file.

Styles are inline, charts are data URIs, and every number is marked with the file, row and
column it was read from.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence

from simulation.reports.briefing.document import Bullets, Figure, Heading, Para, Table
from simulation.reports.briefing.numbers import Num


def _html_parts(para: Para) -> str:
    out = []
    for part in para.parts():
        if isinstance(part, Num):
            kind = "num" if part.is_number else "ref"
            attrs = {
                "class": kind,
                "data-source": part.source,
                "data-row": json.dumps(dict(part.row), ensure_ascii=False),
                "data-column": part.column,
                "data-scale": repr(part.scale),
                "data-decimals": str(part.decimals),
            }
            text = " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items())
            out.append(f"<span {text}>{html.escape(part.text)}</span>")
        else:
            out.append(html.escape(str(part)))
    return "".join(out)


CSS = """
body{font-family:"DejaVu Sans",Verdana,sans-serif;max-width:52rem;margin:2rem auto;
padding:0 1rem;color:#1a1a1a;line-height:1.45;font-size:15px}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #ccc;padding-bottom:.2rem}.subtitle{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .4rem;text-align:left;vertical-align:top}
th{background:#f2f5f8}td.small{font-size:.8rem}figure{margin:1.2rem 0}
.warning{font-weight:bold;color:#8a1c1c;border:1px solid #8a1c1c;padding:.4rem}
figure img{width:100%;height:auto}figcaption{font-size:.85rem;color:#444}
"""


def _heading(block: Heading) -> str:
    tag = "h1" if block.level == 0 else "h2"
    return f"<{tag}>{html.escape(block.text)}</{tag}>"


def _paragraph(block: Para) -> str:
    cls = f' class="{block.style}"' if block.style != "body" else ""
    return f"<p{cls}>{_html_parts(block)}</p>"


def _bullets(block: Bullets) -> str:
    items = "".join(f"<li>{_html_parts(p)}</li>" for p in block.items)
    return f"<ul>{items}</ul>"


def _table(block: Table) -> str:
    head = "".join(f"<th>{_html_parts(p)}</th>" for p in block.header)
    rows = "".join(
        "<tr>" + "".join(f'<td class="{p.style}">{_html_parts(p)}</td>' for p in row) + "</tr>"
        for row in block.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _figure(block: Figure) -> str:
    data = base64.b64encode(block.png.read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="">'
        f"<figcaption>{_html_parts(block.caption)}</figcaption></figure>"
    )


#: The renderer of each kind of block.
RENDERERS = {
    Heading: _heading,
    Para: _paragraph,
    Bullets: _bullets,
    Table: _table,
    Figure: _figure,
}


def to_html(blocks: Sequence[object], lang: str) -> str:
    """One self-contained HTML file: styles inline, charts as data URIs."""
    body = [RENDERERS[type(block)](block) for block in blocks]
    title = next((b.text for b in blocks if isinstance(b, Heading)), "")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
