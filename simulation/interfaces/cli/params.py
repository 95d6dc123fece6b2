"""``prevsim params``: the parameter registry, with unit, range, kind and source."""

from __future__ import annotations

from simulation.interfaces.cli.common import EXIT_OK, command_parser

NAME = "params"
EXAMPLES = """examples:
  prevsim params
  prevsim params --kind lever
  prevsim params --markdown > parameters.md"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub, NAME, help="list every parameter with unit, range and source", examples=EXAMPLES
    )
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument(
        "--kind",
        choices=("uncertain", "lever", "structural"),
        help="only parameters of this kind (default: every kind)",
    )


def handle(args) -> int:
    """Print the registry as a table (or Markdown)."""
    from simulation.model.catalogue import REGISTRY

    table = REGISTRY.table()
    if args.kind:
        table = table[table["kind"] == args.kind]
    if args.markdown:
        print(markdown(table))
        return EXIT_OK
    brief = table[["name", "kind", "default", "unit", "range", "assumption"]]
    print(brief.to_string(index=False))
    print(f"\n{len(table)} parameters; 'prevsim params --markdown' adds sources.")
    return EXIT_OK


def markdown(table) -> str:
    """A Markdown table (pandas' ``to_markdown`` would add the ``tabulate`` dependency)."""
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in table.itertuples(index=False):
        cells = [str(v).replace("|", "\\|").replace("\n", " ") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
