"""The example notebooks (examples/notebooks/*.ipynb) run from top to bottom without an
error, draw their figures, and are committed clean.

Each notebook is executed with nbclient in a fresh kernel of this interpreter, in its own
folder, with few trials (APMSIM_NOTEBOOK_TRIALS, APMSIM_NOTEBOOK_CALIBRATION_TRIALS); the
kernel inherits this process's environment, so it imports the apmsim under test
(PYTHONPATH) and finds the repository (APMSIM_SOURCE_DIR). Notebook 03 needs
dask.distributed and is skipped without it.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

from conftest import source_dir  # noqa: E402

FOLDER = source_dir() / "examples" / "notebooks"
TRIALS = 40
CALIBRATION_TRIALS = 40
CELL_TIMEOUT = 300  # seconds per cell

# The figures each notebook must draw (image/png outputs), so that a notebook whose cells
# silently draw nothing fails.
MIN_FIGURES = {
    "01_size_counts.ipynb": 5,
    "02_comparing_payment_models.ipynb": 5,
    "03_sweep_on_dask.ipynb": 2,
    "04_from_messy_claims.ipynb": 3,
}
NEEDS = {"03_sweep_on_dask.ipynb": ["dask.distributed"]}


def notebooks() -> list[pathlib.Path]:
    return sorted(FOLDER.glob("*.ipynb"))


def test_every_notebook_is_listed():
    assert [p.name for p in notebooks()] == sorted(MIN_FIGURES)


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_committed_notebook_is_clean(path):
    """No outputs, no execution counts, valid nbformat v4, the python3 kernel."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.kernelspec.name == "python3"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {i} has outputs"
            assert cell.execution_count is None, f"{path.name}: cell {i} has an execution count"


def test_notebooks_are_what_the_generator_writes():
    """examples/notebooks/make_notebooks.py --check: the .ipynb files match its cells."""
    done = subprocess.run([sys.executable, str(FOLDER / "make_notebooks.py"), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    """A kernel that runs this interpreter: 'python3' when it does, else a kernelspec
    written to a temporary folder put first on JUPYTER_PATH."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    def same_interpreter(program: str) -> bool:
        found = shutil.which(program) or program
        return os.path.realpath(found) == os.path.realpath(sys.executable)

    try:
        if same_interpreter(KernelSpecManager().get_kernel_spec("python3").argv[0]):
            yield "python3"
            return
    except NoSuchKernel:
        pass
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / "apmsim-test-python"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python ({sys.executable})",
        "language": "python",
    }))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("JUPYTER_PATH")])))
        assert same_interpreter(KernelSpecManager().get_kernel_spec("apmsim-test-python").argv[0])
        yield "apmsim-test-python"


def figures(nb) -> int:
    return sum("image/png" in output.get("data", {})
               for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs)


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_notebook_runs_and_draws_its_figures(path, kernel_name, monkeypatch):
    for module in NEEDS.get(path.name, []):
        pytest.importorskip(module)
    monkeypatch.setenv("APMSIM_NOTEBOOK_TRIALS", str(TRIALS))
    monkeypatch.setenv("APMSIM_NOTEBOOK_CALIBRATION_TRIALS", str(CALIBRATION_TRIALS))
    monkeypatch.setenv("APMSIM_SOURCE_DIR", str(source_dir()))
    monkeypatch.setenv("MPLBACKEND", "Agg")  # %matplotlib inline replaces it inside the kernel
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # the kernel's debugger warning on frozen modules
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name=kernel_name, timeout=CELL_TIMEOUT, allow_errors=False,
                                     resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    seconds = time.perf_counter() - start
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: {errors[0].ename}: {errors[0].evalue}"
    assert figures(nb) >= MIN_FIGURES[path.name], \
        f"{path.name}: {figures(nb)} figures drawn, expected at least {MIN_FIGURES[path.name]}"
    print(f"{path.name}: {seconds:.1f} s, {figures(nb)} figures")
