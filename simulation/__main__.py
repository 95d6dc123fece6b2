"""``python -m simulation`` runs the command line."""

from simulation.cli import main_entry

main_entry()
