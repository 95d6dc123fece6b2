"""``python -m simulation`` runs the command line."""

from simulation.interfaces.cli import main_entry

main_entry()
