"""prevsim: simulate prevention investment in child and family welfare.

The package ``simulation`` holds a system-dynamics engine (``simulation.engines.sd``) sharing one
state definition (``states``), one parameter registry (``catalogue``), one flow structure
(``flows``) and one set of service functions (``services``) with the agent-based engine.
"""

from importlib import metadata

try:
    __version__ = metadata.version("prevsim")
except metadata.PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"
