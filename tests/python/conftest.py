"""Shared pytest set-up for the apmsim Python tests.

Each test file is its own ctest entry (PYTHONPATH = the build tree's python/ folder,
APMSIM_SOURCE_DIR = the repository, APMSIM_CLI = the command-line program). This file
only makes the import robust and locates the bundled scenario; the test files do not
import each other.
"""
from __future__ import annotations

import importlib
import os
import pathlib
import subprocess
import time

import pytest


def _import_apmsim(attempts: int = 5, pause: float = 2.0):
    """Imports apmsim, retrying briefly: a build running next to the tests may be
    replacing the extension module at the moment of import."""
    for attempt in range(attempts):
        try:
            return importlib.import_module("apmsim")
        except ImportError:
            if attempt == attempts - 1:
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")


_import_apmsim()


def source_dir() -> pathlib.Path:
    """The repository: $APMSIM_SOURCE_DIR, else two folders above this file."""
    env = os.environ.get("APMSIM_SOURCE_DIR")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def bundled_scenario_path() -> pathlib.Path:
    path = source_dir() / "examples" / "scenarios" / "default_cmc_program.json"
    assert path.is_file(), f"bundled scenario not found at {path}"
    return path


@pytest.fixture(scope="session")
def cli():
    """Runs the command-line program ($APMSIM_CLI) with the given arguments (paths are
    converted to text) and returns the completed process (stdout and stderr as text)."""
    program = os.environ.get("APMSIM_CLI")
    if not program:
        pytest.skip("APMSIM_CLI is not set (run the tests through ctest)")

    def run(*args, timeout: float = 300):
        return subprocess.run([program, *map(str, args)], capture_output=True, text=True, timeout=timeout)

    run.program = program
    return run
