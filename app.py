"""The interactive browser model, for ``solara run app.py`` from this folder.

``prevsim app`` serves the same page (``simulation/interfaces/app/page.py``) on 127.0.0.1:8765.
"""

from simulation.interfaces.app.page import Page

__all__ = ["Page"]
