"""The teaching notebooks and their solutions: committed without outputs, each runs top to
bottom.

They run at the sizes they choose when ``PREVSIM_FAST=1`` (small agent-based scales, short
chains), in a kernel of this Python (``ipykernel`` in the same environment), from their
folder as in JupyterLab. Each notebook opens with its time estimate and learning objectives;
the solutions to its exercises are in ``notebooks/solutions/``, for instructors.
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
SOLUTIONS = [NOTEBOOKS / "solutions" / f"{name}_solutions.ipynb" for name in EXPECTED]
EVERY = PATHS + SOLUTIONS
EVERY_ID = [*EXPECTED, *(f"solutions/{name}" for name in EXPECTED)]
CELL_TIMEOUT = 600  # s; a hung kernel fails the test instead of the whole run


def test_every_teaching_notebook_and_its_solutions_are_there():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == list(EXPECTED)
    found = sorted(p.name for p in (NOTEBOOKS / "solutions").glob("*.ipynb"))
    assert found == sorted(p.name for p in SOLUTIONS)


@pytest.mark.parametrize("path", EVERY, ids=EVERY_ID)
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


@pytest.mark.parametrize("path", EVERY, ids=EVERY_ID)
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


@pytest.mark.parametrize("path", PATHS, ids=EXPECTED)
def test_notebook_opens_with_its_time_and_objectives(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith("# ")
    assert "**Time:** About " in first.source
    assert "an estimate" in first.source  # a time nobody measured says so
    goals = first.source.split("**You will learn to**", 1)[1].split("\n\n")[1]
    assert goals.count("\n- ") >= 2  # a list of at least three objectives


@pytest.mark.parametrize("path", PATHS, ids=EXPECTED)
def test_solutions_answer_every_exercise(path):
    """Each numbered exercise has a "## <number>." section in the solutions."""
    import re

    exercises = nbformat.read(path, as_version=4).cells[-1].source
    numbers = re.findall(r"^(\d+)\. ", exercises, flags=re.MULTILINE)
    solution = nbformat.read(NOTEBOOKS / "solutions" / f"{path.stem}_solutions.ipynb", 4)
    headings = "\n".join(c.source for c in solution.cells if c.cell_type == "markdown")
    for number in numbers:
        assert re.search(rf"^## {number}\. ", headings, flags=re.MULTILINE), (path.name, number)


@pytest.mark.parametrize("path", EVERY, ids=EVERY_ID)
def test_markdown_headings_render_as_headings(path):
    """No heading or paragraph turns into an indented code block (CommonMark, as Jupyter
    renders it); code in markdown is fenced.
    """
    from markdown_it import MarkdownIt

    render = MarkdownIt("commonmark").render
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        html = render(cell.source)
        fenced = cell.source.count("```") // 2
        assert html.count("<pre>") == fenced, cell.source[:80]
        for line in cell.source.splitlines():
            if line.lstrip().startswith("#") and line.strip("# "):
                assert line.startswith("#"), line  # a heading starts its line
                assert f">{line.lstrip('# ').strip()}</h" in html, line


@pytest.mark.parametrize("path", EVERY, ids=EVERY_ID)
def test_notebook_formats_its_numbers(path):
    """Tables print 12,346 and 0.412, not 1.234560e+04 (pandas' display option)."""
    code = "\n".join(
        cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"
    )
    assert 'pd.set_option("display.float_format"' in code


@pytest.mark.slow
@pytest.mark.parametrize("path", EVERY, ids=EVERY_ID)
def test_notebook_runs_top_to_bottom(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("PREVSIM_FAST", "1")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # what a notebook writes goes here
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
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
