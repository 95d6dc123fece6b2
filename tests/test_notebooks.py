"""The teaching notebooks: committed without outputs, and each runs top to bottom.

They run at the sizes they choose when ``PREVSIM_FAST=1`` (small agent-based scales, short
chains), in a kernel of this Python (``ipykernel`` in the same environment), from the
``notebooks/`` folder as in JupyterLab.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
EXPECTED = (
    "01_quickstart",
    "02_family_states",
    "03_municipal_policy",
    "04_sensitivity",
    "05_calibration",
)
PATHS = [NOTEBOOKS / f"{name}.ipynb" for name in EXPECTED]
CELL_TIMEOUT = 600  # s; a hung kernel fails the test instead of the whole run


def test_every_teaching_notebook_is_there():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == list(EXPECTED)


@pytest.mark.parametrize("path", PATHS, ids=EXPECTED)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs; clear them before committing "
        f"(jupyter nbconvert --clear-output --inplace {path.relative_to(NOTEBOOKS.parent)})"
    )


@pytest.mark.parametrize("path", PATHS, ids=EXPECTED)
def test_notebook_uses_only_the_public_api(path):
    """``import simulation as s`` and its names: no module inside the package, no engine
    internals (saved blocks), no memory management.
    """
    code = "\n".join(
        cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"
    )
    assert "import simulation as s" in code
    for internal in ("from simulation", "import simulation.", ".saved[", ".release("):
        assert internal not in code, f"{path.name} uses {internal!r}"


@pytest.mark.parametrize("path", PATHS, ids=EXPECTED)
def test_notebook_ends_with_exercises(path):
    last = nbformat.read(path, as_version=4).cells[-1]
    assert last.cell_type == "markdown"
    assert last.source.startswith("## Exercises")


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=EXPECTED)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("PREVSIM_FAST", "1")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # what a notebook writes goes here
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError with the failing cell and traceback
    errors = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
