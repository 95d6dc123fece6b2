"""``prevsim export``: a results folder as one workbook (.xlsx) for analysts."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.interfaces.cli.common import EXIT_OK, UsageError, command_parser
from simulation.model.vocabulary import LANGS

NAME = "export"
EXAMPLES = """examples:
  prevsim export results/comparisons/early_intervention-vs-baseline/20261130-101500-fb9e02163d
  prevsim export results/briefings/early_intervention-vs-baseline/<run> --lang en
  prevsim export results/ensembles/early_intervention-vs-baseline/<digest> \\
      --out ensemble.xlsx --force"""


def add_parser(sub) -> None:
    """The command's options."""
    p = command_parser(
        sub,
        NAME,
        help="write a results folder as one workbook (.xlsx) for spreadsheets",
        description="Write the tables of one results folder (a run, comparison, briefing, "
        "ensemble, sensitivity, calibration or life-course folder) as one Excel workbook: "
        "key numbers first, then yearly accounts, municipalities and the value by outcome and "
        "payer where the folder has them; headings in Lithuanian or English, numbers rounded "
        "(money to whole euros, counts to a tenth, shares to 4 decimals) and stored as "
        "numbers, so that a spreadsheet in any locale reads them. The folder's CSV files keep "
        "full precision.",
        examples=EXAMPLES,
    )
    p.add_argument(
        "folder",
        type=Path,
        metavar="FOLDER",
        help="a results folder (the one a command printed after 'Results:')",
    )
    p.add_argument(
        "--lang", choices=LANGS, default=LANGS[0], help="language of the headings (default: lt)"
    )
    p.add_argument(
        "--out",
        dest="workbook",
        type=Path,
        default=None,
        metavar="FILE",
        help="the workbook to write, ending in .xlsx (default: FOLDER/workbook-LANG.xlsx)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace the workbook if it exists (default: refuse to)",
    )


def target(args: argparse.Namespace) -> Path:
    """The workbook's path, checked: an .xlsx name in an existing folder, new unless --force."""
    path = args.workbook or Path(args.folder) / f"workbook-{args.lang}.xlsx"
    where = f"prevsim export: --out {path}" if args.workbook else f"prevsim export: {path}"
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"{where}: a workbook name ends in .xlsx")
    if not path.parent.is_dir():
        raise UsageError(f"{where}: no folder {path.parent}; create it or give another --out")
    if path.is_dir():
        raise UsageError(f"{where}: is a folder; give a file name ending in .xlsx")
    if path.exists() and not args.force:
        raise UsageError(f"{where}: exists; add --force to replace it")
    return path


def handle(args) -> int:
    """Check the folder and the output, write the workbook, say where."""
    from simulation.reports.workbook import read_manifest, write_workbook

    read_manifest(args.folder)  # not a results folder: one line, before anything is written
    path = write_workbook(args.folder, target(args), args.lang)
    print(f"Workbook: {path}")
    return EXIT_OK
