"""A results file reproduces itself: `apmsim run --out` records the apmsim version, the
resolved scenario (defaults filled in, the settings as run) and the warnings, and
`apmsim run --replay` runs it again to the same numbers, number for number."""
from __future__ import annotations

import copy
import json
import os
import pathlib
import subprocess
import sys

import pytest

import apmsim

from conftest import source_dir

COMPARED = source_dir() / "examples" / "scenarios" / "payment_models_compared.json"


@pytest.fixture(scope="module")
def recorded(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("replay") / "results.json"
    done = cli("run", COMPARED, "--trials", "24", "--seed", "5", "--calibration-trials", "150", "--quiet", "--out", out)
    assert done.returncode == 0, done.stderr
    return out


def test_results_record_what_reproduces_them(recorded, cli):
    doc = json.loads(recorded.read_text())
    version = cli("--version").stdout.split()[-1]
    assert doc["apmsim_version"] == version
    settings = doc["resolved_scenario"]["settings"]
    # The command line's replacements are what the file records, not the scenario's own.
    assert (settings["trials"], settings["seed"], settings["calibration_trials"]) == (24, 5, 150)
    original = json.loads(COMPARED.read_text())
    assert [m["name"] for m in doc["resolved_scenario"]["payment_models"]] == [m["name"] for m in original["payment_models"]]
    assert doc["warnings"] == []


def test_replay_gives_identical_numbers(recorded, cli, tmp_path):
    again = tmp_path / "again.json"
    done = cli("run", "--replay", recorded, "--quiet", "--threads", "1", "--out", again)
    assert done.returncode == 0, done.stderr
    assert f"replay: identical to {recorded}" in done.stdout
    # The thread count never changes a number and is not recorded: the same file.
    assert again.read_text() == recorded.read_text()


def test_a_replay_that_differs_says_where(recorded, cli, tmp_path):
    doc = json.loads(recorded.read_text())
    tampered = copy.deepcopy(doc)
    tampered["samples"]["baseline"]["total_cost"][3][0] += 1.0
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(tampered))
    done = cli("run", "--replay", path, "--quiet")
    # The same version giving other numbers would break reproducibility: internal error.
    assert done.returncode == 1
    assert "differs from" in done.stdout and "/samples/baseline/total_cost/3/0" in done.stdout
    older = copy.deepcopy(tampered)
    older["apmsim_version"] = "0.0.1"
    path.write_text(json.dumps(older))
    done = cli("run", "--replay", path, "--quiet")
    assert done.returncode == 0, done.stderr
    assert "written by apmsim 0.0.1" in done.stderr and "differs from" in done.stdout


@pytest.mark.parametrize("args, words", [
    (["--replay", "{recorded}", "--trials", "10"], "--trials"),
    (["--replay", "{recorded}", "--seed", "1"], "--seed"),
    (["{scenario}", "--replay", "{recorded}"], "one of them"),
    ([], "one of them"),
    (["--replay", "{scenario}"], "resolved_scenario"),
])
def test_replay_usage_errors(recorded, cli, args, words):
    done = cli("run", *[a.format(recorded=recorded, scenario=COMPARED) for a in args], "--quiet")
    assert done.returncode == 2, done.stdout + done.stderr
    assert words in done.stderr


def test_warnings_reach_stderr_and_the_results_file(cli, tmp_path):
    """A capitation far above the expected cost of what it covers (an annual figure typed as monthly?)."""
    doc = json.loads(COMPARED.read_text())
    doc["payment_models"] = [{"name": "capitated", "components": [{"type": "capitation", "pmpm": 90000}]}]
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(doc))
    out = tmp_path / "r.json"
    done = cli("run", scenario, "--trials", "8", "--calibration-trials", "50", "--quiet", "--out", out)
    assert done.returncode == 0, done.stderr
    where = "payment_models[0].components[0].pmpm"
    assert f"warning: {where}: the capitation 90000 is " in done.stderr and "an annual figure typed as monthly?" in done.stderr
    assert [w["where"] for w in json.loads(out.read_text())["warnings"]] == [where]
    checked = cli("validate", scenario)
    assert checked.returncode == 0 and where in checked.stderr
    # A plausible capitation: no warning.
    doc["payment_models"][0]["components"][0]["pmpm"] = 4000
    scenario.write_text(json.dumps(doc))
    checked = cli("validate", scenario)
    assert checked.returncode == 0, checked.stderr
    assert "warning" not in checked.stderr


# What glibc would see on an x86-64 without fused multiply-add (or AVX2, AVX-512): it then
# picks other implementations of exp, log, log1p, pow... which round differently in rare cases.
WITHOUT_FMA = "glibc.cpu.hwcaps=-FMA,-FMA4,-AVX2,-AVX512F"


def test_numbers_do_not_depend_on_the_processors_fused_multiply_add(cli, tmp_path):
    """The same seed gives the same bits on any x86-64. glibc chooses its elementary functions
    when a program starts, by processor; apmsim takes them from SLEEF's deterministic
    functions instead (src/core/deterministic_math.cpp). Before version 0.5 this run wrote
    another file when glibc was told the processor had no FMA (an sd's last digits)."""
    default = source_dir() / "examples" / "scenarios" / "default_cmc_program.json"
    args = [cli.program, "run", str(default), "--trials", "50", "--calibration-trials", "20", "--quiet"]
    files = []
    for tunables in (None, WITHOUT_FMA):
        env = dict(os.environ)
        if tunables:
            env["GLIBC_TUNABLES"] = tunables
        out = tmp_path / f"results_{len(files)}.json"
        done = subprocess.run([*args, "--out", str(out)], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        files.append(out.read_bytes())
    assert files[0] == files[1]


ELEMENTARY = """
import hashlib, numpy as np, apmsim
p = (np.arange(1, 200_001) - 0.5) / 200_000
values = [apmsim.Gamma(0.7, 3.0).quantile(p), apmsim.Weibull(0.6, 2.0).cdf(p * 40), apmsim.Pareto(2.5, 1e4).quantile(p),
          apmsim.NegativeBinomial(3.5, 0.8).pmf(np.arange(0, 200)), apmsim.Lognormal(8.0, 1.4).limited_expected_value(p * 1e5)]
print(hashlib.sha256(b"".join(np.ascontiguousarray(v, dtype=np.float64).tobytes() for v in values)).hexdigest())
"""


def test_the_python_module_does_not_depend_on_the_processors_fused_multiply_add():
    """The Python module links the same hidden definitions, so its numbers hold too, while
    numpy in the same process keeps glibc's: gamma, Weibull and Pareto quantiles and cdfs,
    negative binomial pmf and lognormal limited expected values (Boost.Math inside apmsim:
    log, exp, pow, lgamma, log1p and expm1 many times each) hash the same without FMA."""
    hashes = []
    for tunables in (None, WITHOUT_FMA):
        env = dict(os.environ, PYTHONPATH=str(pathlib.Path(apmsim.__file__).resolve().parents[1]))
        if tunables:
            env["GLIBC_TUNABLES"] = tunables
        done = subprocess.run([sys.executable, "-c", ELEMENTARY], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        hashes.append(done.stdout.strip())
    assert hashes[0] == hashes[1]
