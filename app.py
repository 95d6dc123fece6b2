"""The interactive browser model, for ``solara run app.py`` from this folder.

``prevsim app`` serves the same page (``simulation/app.py``) on 127.0.0.1:8765.
"""

from simulation.app import Page

__all__ = ["Page"]
