"""The package's layers: each imports only from the layers below it.

``model`` < ``engines`` < ``workflow`` < ``analysis`` < ``reports`` < the public API
(``simulation/api.py``) < ``interfaces``. Every ``import`` and ``from ... import`` of every
module is read with :mod:`ast` (those inside functions too, which are the lazy ones), so an
import that goes up a layer, or from anywhere into ``interfaces``, fails here with its file
and line. Third-party libraries with one home are checked the same way: matplotlib and
reportlab only in ``reports``, Mesa only in the agent-based engine and the interfaces, Solara
only in the app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simulation"
#: Layer of each top-level part of the package, lowest first.
LAYERS = {
    "model": 0,
    "engines": 1,
    "workflow": 2,
    "analysis": 3,
    "reports": 4,
    "api": 5,
    "interfaces": 6,
    "__main__": 6,
}
#: Third-party packages that may be imported only under these parts of the package.
HOMES = {
    "matplotlib": ("reports",),
    "reportlab": ("reports",),
    "mesa": ("engines/abm", "interfaces"),
    "solara": ("interfaces/app",),
}
#: What a module may import from the package's root (``from simulation import ...``).
ROOT_NAMES = {"__version__"}


def part_of(relative: str) -> str:
    """The top-level part (``model``, ``api``...) a path relative to the package is in."""
    return relative.split("/", 1)[0].removesuffix(".py")


def imports(source: str) -> list[tuple[int, str, list[str]]]:
    """``(line, module, names)`` of every import in ``source``, relative ones included."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, "." * node.level + (node.module or ""), []))
            else:
                found.append((node.lineno, node.module or "", [a.name for a in node.names]))
    return found


def violations(relative: str, source: str) -> list[str]:
    """Every import of the module at ``relative`` (a path inside the package) that breaks
    the layers or a library's home.
    """
    here = part_of(relative)
    level = LAYERS.get(here)
    problems = []
    for line, module, names in imports(source):
        where = f"simulation/{relative}:{line}: {module}"
        if module.startswith("."):
            problems.append(f"{where}: relative import (write it in full)")
            continue
        parts = module.split(".")
        if parts[0] == "simulation":
            if len(parts) == 1:
                extra = set(names) - ROOT_NAMES
                if extra:
                    problems.append(f"{where}: imports {sorted(extra)} from the package root")
                continue
            target = parts[1]
            if target not in LAYERS:
                problems.append(f"{where}: {target!r} is not a layer of the package")
            elif target == "interfaces" and here != "interfaces" and here != "__main__":
                problems.append(f"{where}: imports across into interfaces")
            elif level is not None and LAYERS[target] > level:
                problems.append(f"{where}: goes up from {here} to {target}")
        elif parts[0] in HOMES and not relative.startswith(HOMES[parts[0]]):
            problems.append(f"{where}: {parts[0]} belongs in {' or '.join(HOMES[parts[0]])}")
    return problems


def modules() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE
    )


def test_every_module_is_in_a_layer():
    outside = [
        str(p.relative_to(PACKAGE))
        for p in modules()
        if part_of(str(p.relative_to(PACKAGE))) not in LAYERS
    ]
    assert not outside, f"modules outside the layers: {outside}"


def test_imports_go_only_down_the_layers():
    problems = []
    for path in modules():
        relative = path.relative_to(PACKAGE).as_posix()
        problems += violations(relative, path.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("relative", "source", "message"),
    [
        ("model/flows.py", "from simulation.engines.sd import SDModel", "goes up from model"),
        ("engines/sd.py", "def f():\n    from simulation.reports import charts", "goes up"),
        ("workflow/runner.py", "import simulation.analysis.sensitivity", "goes up"),
        ("reports/run.py", "from simulation.interfaces.cli import main", "across into"),
        ("analysis/targets/reading.py", "from simulation import api", "package root"),
        ("workflow/tables.py", "import matplotlib.pyplot as plt", "belongs in reports"),
        ("model/policy.py", "import mesa", "belongs in engines/abm"),
        ("engines/abm/model.py", "from . import agents", "relative import"),
    ],
)
def test_the_checker_catches_an_import_that_breaks_the_layers(relative, source, message):
    found = violations(relative, source)
    assert len(found) == 1, found
    assert message in found[0], found


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("engines/sd.py", "from simulation.model import flows as fl"),
        ("reports/charts.py", "import matplotlib.pyplot as plt"),
        ("interfaces/cli/run.py", "from simulation.reports.run import write_run"),
        ("api.py", "from simulation.reports.comparison import value_table"),
        ("reports/briefing/writer.py", "from simulation import __version__"),
    ],
)
def test_the_checker_allows_imports_down_the_layers(relative, source):
    assert violations(relative, source) == []


#: Modules allowed over the size limit: data tables, not logic.
DATA_TABLES = {"model/catalogue.py"}
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def test_modules_and_functions_stay_small():
    """No module over 500 lines (except data tables) and no function over 80 lines."""
    problems = []
    for path in modules():
        relative = path.relative_to(PACKAGE).as_posix()
        source = path.read_text(encoding="utf-8")
        lines = source.count("\n") + 1
        if lines > MAX_MODULE_LINES and relative not in DATA_TABLES:
            problems.append(f"simulation/{relative}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(
                        f"simulation/{relative}:{node.lineno}: {node.name}, {length} lines"
                    )
    assert not problems, "\n".join(problems)
