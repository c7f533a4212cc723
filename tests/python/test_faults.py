"""Faults and hostile paths (issue 15), each as a test.

A full disk is simulated with the file-size limit (RLIMIT_FSIZE, set in the child before
it starts, SIGXFSZ ignored): a write past the limit fails with EFBIG as one on a full
disk fails with ENOSPC, with no privileges and no mount. Under it: `apmsim run --out`
and the other outputs leave no file and no temporary; `apmsim sweep` stops with an error
naming the database, the database stays intact with its finished variants, and --resume
ends with the statistics of an uninterrupted sweep. A store truncated or overwritten on
purpose is an error naming the file. Output paths that are symbolic links or devices are
refused without touching their targets. Sweep text with quotes, semicolons and NUL bytes
round-trips through the store's bound parameters and quoted identifiers. The HTML report
of a scenario and a model named like markup shows the names as text, is well-formed and
refers to nothing outside itself. A run whose per-member detail exceeds the machine's
memory is refused before it starts, with the size it would need. `apmsim sweep` killed
with SIGKILL at random moments and resumed ends with the uninterrupted statistics; `apmsim
run` killed while it writes leaves each output whole or absent, and no temporary. Another
process reading the store throughout, or locking it for less or more than the sweep's busy
timeout, costs no finished variant.
"""
from __future__ import annotations

import html
import html.parser
import json
import os
import pathlib
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

import apmsim


def file_size_limit(limit: int):
    """A preexec_fn: the child's writes beyond `limit` bytes per file fail."""
    def apply():
        _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # ignored stays ignored across exec
    return apply


def run_cli(cli, *args, limit: int | None = None, timeout: float = 300):
    return subprocess.run([cli.program, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          preexec_fn=file_size_limit(limit) if limit else None)


@pytest.fixture
def scenario_file(tmp_path) -> pathlib.Path:
    s = apmsim.Scenario.default_cmc_program(members=80, years=2).to_dict()
    s["settings"].update(trials=40, calibration_trials=40, threads=1)
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(s))
    return path


def test_a_full_disk_while_writing_results_leaves_nothing(tmp_path, cli, scenario_file):
    full = tmp_path / "full"
    full.mkdir()
    outputs = ["--out", full / "results.json", "--summary-csv", full / "summary.csv", "--samples", full / "samples.csv"]
    done = run_cli(cli, "run", scenario_file, *outputs, "--quiet")
    assert done.returncode == 0, done.stderr
    sizes = {p.name: p.stat().st_size for p in full.iterdir()}
    for p in full.iterdir():
        p.unlink()
    # A limit below the smallest output: the first one written fails, and nothing is left.
    failed = run_cli(cli, "run", scenario_file, *outputs, "--quiet", limit=min(sizes.values()) // 2)
    assert failed.returncode == 1, failed.stderr
    assert "writing the output failed, nothing was written: File too large" in failed.stderr
    assert failed.stderr.startswith("apmsim: error: " + str(full)), failed.stderr
    assert list(full.iterdir()) == []


def test_a_full_disk_from_python_is_an_os_error_and_leaves_nothing(tmp_path):
    script = (
        "import apmsim, sys\n"
        "r = apmsim.run(apmsim.Scenario.default_cmc_program(members=60, years=1), trials=20, calibration_trials=20, progress=False)\n"
        "try:\n"
        f"    r.save({str(tmp_path / 'r.json')!r})\n"
        "except OSError as e:\n"
        "    print(type(e).__name__, e)\n"
        "    sys.exit(3)\n")
    p = subprocess.run(["/usr/bin/python3", "-c", script], capture_output=True, text=True, timeout=300,
                       preexec_fn=file_size_limit(4096), env=os.environ)
    assert p.returncode == 3, p.stdout + p.stderr
    assert p.stdout.startswith("OutputError " + str(tmp_path / "r.json") + ": writing the output failed"), p.stdout
    assert list(tmp_path.iterdir()) == []


def small_sweep(folder: pathlib.Path, values, trials=30) -> pathlib.Path:
    base = apmsim.Scenario.default_cmc_program(members=60, years=1).to_dict()
    base["settings"].update(trials=trials, calibration_trials=30, threads=1)
    path = folder / "sweep.json"
    path.write_text(json.dumps({"name": "trend", "base": base, "axes": [{"pointer": "/cost_model/trend/mean", "values": values}]}))
    return path


def statistics(db) -> list[tuple]:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT variant, model, arm, year, party, component, category, tier, measure, statistic, value "
                         "FROM statistics ORDER BY variant, model, arm, year, party, component, category, tier, measure, statistic").fetchall()


def test_a_full_disk_during_a_sweep_keeps_the_store_and_resume_completes_it(tmp_path, cli):
    sweep = small_sweep(tmp_path, [0.0, 0.02, 0.04, 0.06, 0.08, 0.10])
    reference = tmp_path / "reference.sqlite"
    assert run_cli(cli, "sweep", sweep, "--db", reference, "--quiet").returncode == 0
    db = tmp_path / "full.sqlite"
    # Room for about half the reference: the sweep stops part way.
    failed = run_cli(cli, "sweep", sweep, "--db", db, "--quiet", limit=reference.stat().st_size // 2)
    assert failed.returncode != 0
    assert str(db) in failed.stderr and ("disk" in failed.stderr or "full" in failed.stderr), failed.stderr
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finished = c.execute("SELECT count(*) FROM variants WHERE status = 'finished'").fetchone()[0]
    assert 0 < finished < 6, finished
    # The finished variants are whole: their statistics are the reference's.
    kept = statistics(db)
    assert kept == [row for row in statistics(reference) if row[0] in {r[0] for r in kept}]
    done = run_cli(cli, "sweep", sweep, "--db", db, "--resume", "--quiet")
    assert done.returncode == 0, done.stderr
    assert statistics(db) == statistics(reference)


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_damaged_store_is_an_error_naming_the_file(tmp_path, cli, damage):
    sweep = small_sweep(tmp_path, [0.0, 0.05], trials=10)
    db = tmp_path / "store.sqlite"
    assert run_cli(cli, "sweep", sweep, "--db", db, "--quiet").returncode == 0
    data = db.read_bytes()
    if damage == "truncated":
        db.write_bytes(data[: len(data) // 2])
    else:
        db.write_bytes(data[:100] + bytes(range(256)) * ((len(data) - 100) // 256 + 1))
    resumed = run_cli(cli, "sweep", sweep, "--db", db, "--resume", "--quiet")
    assert resumed.returncode in (1, 2) and str(db) in resumed.stderr, resumed.stderr
    assert "expected an apmsim sweep database (SQLite), got a file that is not one, or is damaged (SQLite: " in resumed.stderr, resumed.stderr
    assert "malformed" in resumed.stderr or "not a database" in resumed.stderr, resumed.stderr
    with pytest.raises(Exception, match=str(db).replace(".", r"\.")):
        apmsim.read_sweep(db)


def test_output_paths_that_are_links_or_devices_are_refused_and_their_targets_untouched(tmp_path, cli, scenario_file):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("precious")
    link = tmp_path / "out.json"
    link.symlink_to(elsewhere)
    p = run_cli(cli, "run", scenario_file, "--out", link, "--quiet")
    assert p.returncode == 2 and "--out: expected a file path that is not a symbolic link" in p.stderr, p.stderr
    assert link.is_symlink() and elsewhere.read_text() == "precious"
    p = run_cli(cli, "run", scenario_file, "--summary-csv", "/dev/null", "--quiet")
    assert p.returncode == 2 and "a device, pipe or socket" in p.stderr, p.stderr
    assert pathlib.Path("/dev/null").is_char_device()
    # The same refusal from Python, naming the path.
    results = apmsim.run(apmsim.Scenario.default_cmc_program(members=40, years=1), trials=5, calibration_trials=10, progress=False)
    with pytest.raises(apmsim.InvalidInput, match="not a symbolic link") as error:
        results.save(link)
    assert error.value.where == str(link)
    with pytest.raises(apmsim.InvalidInput, match="not a symbolic link"):
        apmsim.report(results, link)
    assert elsewhere.read_text() == "precious"


HOSTILE = ["it's", 'say "no"', "a; DROP TABLE statistics; --", "nul\x00byte", "\u00e9t\u00e9 \U0001f600"]


def test_sql_text_with_quotes_semicolons_and_nul_bytes_round_trips(tmp_path, cli):
    base = apmsim.Scenario.default_cmc_program(members=40, years=1).to_dict()
    base["settings"].update(trials=5, calibration_trials=10, threads=1)
    sweep = tmp_path / "hostile.json"
    # Values (bound parameters) with every hostile string; the axis's name is a column
    # (a quoted identifier) with all but the NUL, which no SQL identifier can hold.
    axis = "axis " + " ".join(h for h in HOSTILE if "\x00" not in h)
    definition = {"name": "hostile '; --", "base": base, "axes": [{"name": axis, "pointer": "/payment_models/0/name", "values": HOSTILE}]}
    sweep.write_text(json.dumps(definition))
    db = tmp_path / "hostile.sqlite"
    p = run_cli(cli, "sweep", sweep, "--db", db, "--quiet")
    assert p.returncode == 0, p.stderr
    variants, stats = apmsim.read_sweep(db)
    assert list(variants[axis]) == HOSTILE
    assert set(stats["model"]) >= set(HOSTILE)
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = {row[0] for row in c.execute("SELECT DISTINCT model FROM statistics")}
    assert names >= set(HOSTILE)
    # A NUL in the axis's name is refused before anything runs, naming the path.
    definition["axes"][0]["name"] = "nul\x00axis"
    sweep.write_text(json.dumps(definition))
    p = run_cli(cli, "sweep", sweep, "--db", tmp_path / "never.sqlite", "--quiet")
    assert p.returncode == 2 and "axes[0].name: expected a column name without NUL characters" in p.stderr, p.stderr
    assert not (tmp_path / "never.sqlite").exists()


def test_per_member_detail_beyond_the_machines_memory_is_refused_up_front(tmp_path, cli):
    # 2 arms x 10^7 trials x 3 years x 20,000 members x 8 bytes = 8,940.7 GiB.
    scenario = apmsim.Scenario.default_cmc_program(members=20000, years=3)
    with pytest.raises(apmsim.InvalidInput, match="would need 8940.7 GiB") as error:
        apmsim.run(scenario, trials=10_000_000, member_detail=True, calibration_trials=10, progress=False)
    assert error.value.where == "options.member_detail"
    d = scenario.to_dict()
    d["settings"].update(member_detail=True, calibration_trials=10)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(d))
    p = run_cli(cli, "run", path, "--trials", "10000000", "--quiet", timeout=120)
    assert p.returncode == 2 and "options.member_detail" in p.stderr and "8940.7 GiB" in p.stderr, p.stderr


class _Structure(html.parser.HTMLParser):
    """Every element closed in order (void elements excepted): a well-formed page."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.errors, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.errors.append((tag, self.getpos(), self.open[-3:]))


def test_the_html_report_shows_markup_in_names_as_text_and_is_well_formed(tmp_path):
    scenario_name, model_name = "<script>alert('s')</script> & \"q\"", "<img src=x onerror=alert(1)>"
    d = apmsim.Scenario.default_cmc_program(members=60, years=1).to_dict()
    d["name"] = scenario_name
    d["payment_models"][0]["name"] = model_name
    d["settings"].update(trials=20, calibration_trials=20, threads=1)
    results = apmsim.run(apmsim.Scenario.from_dict(d), progress=False)
    text = apmsim.report(results, tmp_path / "report.html").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    structure = _Structure()
    structure.feed(text)
    structure.close()
    assert structure.errors == [] and structure.open == [], (structure.errors[:5], structure.open)
    assert html.escape(scenario_name) in text and html.escape(model_name) in text
    assert not any(tag in ("script", "iframe", "object", "embed", "link") for tag, _ in structure.tags)
    assert not any(key.startswith("on") for _, attrs in structure.tags for key in attrs)
    assert re.search(r"https?://", text, re.I) is None
    for _, attrs in structure.tags:
        for key in ("src", "href"):
            assert attrs.get(key, "#").startswith(("data:image/png;base64,", "#")), attrs


def test_sigkill_at_random_moments_and_resume_give_the_uninterrupted_statistics(tmp_path, cli):
    """apmsim sweep killed (SIGKILL) at seeded random moments, from its start (the database
    being created) to the middle of a variant, and resumed, until a run finishes on its own:
    the database is intact after every kill and the final statistics are those of an
    uninterrupted sweep."""
    sweep = small_sweep(tmp_path, [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07], trials=600)
    reference = tmp_path / "reference.sqlite"
    started = time.monotonic()
    assert run_cli(cli, "sweep", sweep, "--db", reference, "--quiet").returncode == 0
    whole = time.monotonic() - started
    db = tmp_path / "killed.sqlite"
    moments = random.Random(20261207)
    kills, done, window = 0, 0, 0.2 * whole
    for _ in range(60):
        resume = ["--resume"] if db.exists() else []
        proc = subprocess.Popen([cli.program, "sweep", str(sweep), "--db", str(db), "--quiet", *resume],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(moments.uniform(0.0, window))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (0, -signal.SIGKILL), err
        if db.exists() and db.stat().st_size > 0:
            with sqlite3.connect(db) as c:
                assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                tables = {row[0] for row in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                finished = c.execute("SELECT count(*) FROM variants WHERE status = 'finished'").fetchone()[0] if "variants" in tables else 0
            # A resumed run first simulates the base case again (the cache is per process), so on
            # a machine slower than during the reference run a fifth of it may finish nothing:
            # the window widens until a variant finishes, so the sweep always ends.
            window = 0.2 * whole if finished > done else 1.5 * window
            done = finished
        if proc.returncode == 0:
            break
    assert proc.returncode == 0, f"no run finished in 60 ({kills} killed)"
    # A run lives at most a fifth of a whole sweep's time: about five were killed first.
    assert kills >= 3, kills
    assert statistics(db) == statistics(reference)


def test_sigkill_of_a_run_while_it_writes_leaves_each_output_whole_or_absent(tmp_path, cli):
    """apmsim run killed (SIGKILL) at seeded random moments late in the run, while its
    results, summary and samples (tens of MB) are being written: every output is either
    absent or byte-identical to an uninterrupted run's, and nothing else is left in the
    folder (the temporaries are unnamed while written: O_TMPFILE)."""
    try:
        os.close(os.open(tmp_path, os.O_TMPFILE | os.O_WRONLY, 0o600))
    except OSError:
        pytest.skip("this file system has no O_TMPFILE: a kill mid-write may leave FILE.tmp-PID-N (never a partial FILE)")
    s = apmsim.Scenario.default_cmc_program(members=80, years=2).to_dict()
    s["settings"].update(trials=1000, calibration_trials=40, threads=2)
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(s))
    names = ("results.json", "summary.csv", "samples.csv")

    def start(folder: pathlib.Path) -> subprocess.Popen:
        folder.mkdir()
        return subprocess.Popen([cli.program, "run", str(scenario), "--quiet", "--out", str(folder / names[0]),
                                 "--summary-csv", str(folder / names[1]), "--samples", str(folder / names[2])],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    started = time.monotonic()
    reference = start(tmp_path / "reference")
    assert reference.wait(timeout=300) == 0, reference.stderr.read()
    whole = time.monotonic() - started
    expected = {name: (tmp_path / "reference" / name).read_bytes() for name in names}
    assert len(expected["samples.csv"]) > 10_000_000  # long enough to be caught mid-write
    moments = random.Random(20261208)
    outcomes = []
    for k in range(6):
        folder = tmp_path / f"killed{k}"
        proc = start(folder)
        time.sleep(moments.uniform(0.4 * whole, 1.05 * whole))  # the outputs are written at the end
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        left = sorted(p.name for p in folder.iterdir())
        assert set(left) <= set(names), left  # no temporary, no stray file
        for name in left:
            assert (folder / name).read_bytes() == expected[name], f"{name} after a kill at run {k} is not whole"
        outcomes.append(len(left))
    assert any(n < len(names) for n in outcomes), outcomes  # some kill came before the last output was in place


def test_a_store_locked_or_read_by_another_process_keeps_every_finished_variant(tmp_path, cli):
    """Another process on the sweep's database: a reader holding a read transaction for the
    whole sweep (it keeps its snapshot; the sweep goes on), a writer locking it for 2 s (the
    sweep waits) and until the sweep gives up, after its 10 s busy timeout (a clear error
    naming the file; the finished variants are kept whole and --resume completes the
    sweep). The statistics end as an undisturbed sweep's."""
    sweep = small_sweep(tmp_path, [0.0, 0.01, 0.02, 0.03, 0.04, 0.05], trials=300)
    reference = tmp_path / "reference.sqlite"
    assert run_cli(cli, "sweep", sweep, "--db", reference, "--quiet").returncode == 0

    def start(db: pathlib.Path) -> subprocess.Popen:
        return subprocess.Popen([cli.program, "sweep", str(sweep), "--db", str(db), "--quiet"], stderr=subprocess.PIPE, text=True)

    def finished(db: pathlib.Path) -> int:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0) as c:
                return c.execute("SELECT count(*) FROM variants WHERE status = 'finished'").fetchone()[0]
        except sqlite3.Error:
            return 0  # not created yet

    def after_first_variant(db: pathlib.Path, proc: subprocess.Popen) -> None:
        for _ in range(2000):
            if finished(db) >= 1 or proc.poll() is not None:
                return
            time.sleep(0.01)

    # A reader's long transaction: its snapshot stays put while the sweep writes on.
    db = tmp_path / "read.sqlite"
    proc = start(db)
    after_first_variant(db, proc)
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    seen = reader.execute("SELECT count(*) FROM statistics").fetchone()[0]
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert reader.execute("SELECT count(*) FROM statistics").fetchone()[0] == seen
    reader.execute("COMMIT")
    reader.close()
    assert statistics(db) == statistics(reference)

    for ends_well in (True, False):
        db = tmp_path / f"locked_{'briefly' if ends_well else 'throughout'}.sqlite"
        proc = start(db)
        after_first_variant(db, proc)
        writer = sqlite3.connect(db, isolation_level=None, timeout=30)
        writer.execute("BEGIN EXCLUSIVE")
        if ends_well:  # 2 s, within the busy timeout: the sweep waits
            time.sleep(2.0)
            writer.execute("ROLLBACK")
            _, err = proc.communicate(timeout=120)
        else:  # until the sweep gives up (its busy timeout, 10 s)
            _, err = proc.communicate(timeout=120)
            writer.execute("ROLLBACK")
        writer.close()
        with sqlite3.connect(db) as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if ends_well:
            assert proc.returncode == 0, err
        else:
            assert proc.returncode == 2 and str(db) in err and "another process holds locked" in err, err
            kept = statistics(db)
            assert kept and kept == [row for row in statistics(reference) if row[0] in {r[0] for r in kept}]
            assert 1 <= finished(db) < 6
            assert run_cli(cli, "sweep", sweep, "--db", db, "--resume", "--quiet").returncode == 0
        assert statistics(db) == statistics(reference)
