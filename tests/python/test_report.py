"""apmsim.report and the results file read back (apmsim.Results.load / ResultsFile).

The report of a small run is parsed (html.parser) and its numbers compared with the same
quantities computed here with numpy from the run's own per-trial samples, formatted by
this file's own function; the pictures are decoded; the command line's exit codes, the
atomic write and the round trip of a saved results file are checked; and headless
Chromium renders the page (a screenshot, and the DOM after load with the images' sizes).
"""
from __future__ import annotations

import base64
import html.parser
import json
import math
import os
import pathlib
import re
import shutil
import signal
import struct
import subprocess
import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

import apmsim  # noqa: E402
from conftest import source_dir  # noqa: E402

COMPARED = source_dir() / "examples" / "scenarios" / "payment_models_compared.json"
STATUS_QUO = "fee_for_service"
ARM = "intervention"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Provider exceedance curves, provider net box plot, change against fee_for_service, fan chart of total cost.
PICTURES = 4


# ---- independent helpers --------------------------------------------------------------

def dollars(x: float) -> str:
    """Whole dollars as the report prints them: -$1,234,568."""
    text = f"{abs(x):,.0f}"
    return ("-$" if x < 0 and text != "0" else "$") + text


def pct(p: float) -> str:
    return "\u2013" if p is None or (isinstance(p, float) and math.isnan(p)) else f"{100 * p:.1f}%"


class Page(html.parser.HTMLParser):
    """The parts of a report the tests read: every element's attributes, images, tables."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.attributes: list[tuple[str, str, str]] = []
        self.images: list[dict[str, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = self._cell = self._row = None
        self._rows: list[list[str]] = []
        self._in_caption = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.attributes += [(tag, k, v or "") for k, v in attrs]
        if tag == "img":
            self.images.append(dict(attrs))
        elif tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr":
            self._rows.append(self._row)
            self._row = None
        elif tag == "table":
            self.tables[self._caption.strip()] = self._rows

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell += data

    def table(self, starts: str) -> tuple[list[str], dict[tuple[str, ...], dict[str, str]]]:
        """(header, {row labels: {column: cell}}) of the table whose caption starts so."""
        caption = next(c for c in self.tables if c.startswith(starts))
        header, *rows = self.tables[caption]
        labels = 2 if header[1] in ("party", "year") and header[0] == "model" else 1
        return header, {tuple(r[:labels]): dict(zip(header, r)) for r in rows}


def net_over_years(r, model: str, party: str) -> np.ndarray:
    return np.asarray(r.payments.samples(model, party, "net", ARM)).sum(axis=1)


# ---- fixtures --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run():
    return apmsim.run(apmsim.Scenario.load(COMPARED), trials=40, calibration_trials=20)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("report")


@pytest.fixture(scope="module")
def results_path(run, folder):
    path = folder / "results.json"
    run.save(path)
    return path


@pytest.fixture(scope="module")
def report_path(results_path, folder):
    out = apmsim.report(results_path, folder / "report.html")
    assert out == folder / "report.html"
    return out


@pytest.fixture(scope="module")
def page(report_path):
    return Page(report_path.read_text(encoding="utf-8"))


# ---- content ---------------------------------------------------------------------------

def test_the_report_names_every_model_and_embeds_decodable_pngs(run, report_path, page):
    text = report_path.read_text(encoding="utf-8")
    for model in run.payments.models:
        assert model in text
    assert len(page.images) == PICTURES
    for img in page.images:
        prefix = "data:image/png;base64,"
        assert img["src"].startswith(prefix)
        png = base64.b64decode(img["src"][len(prefix):], validate=True)
        assert png[:8] == PNG_MAGIC and png[12:16] == b"IHDR"
        width, height = struct.unpack(">II", png[16:24])
        assert width > 300 and height > 200
        assert img.get("alt")


def test_the_report_references_nothing_outside_itself(report_path, page):
    text = report_path.read_text(encoding="utf-8")
    for tag, key, value in page.attributes:
        if key in ("src", "href"):
            assert not re.match(r"\s*(https?:)?//", value, re.I), f"<{tag} {key}={value[:60]}>"
            assert value.startswith(("data:image/png;base64,", "#")), f"<{tag} {key}={value[:60]}>"
    assert re.search(r"https?://", text) is None
    for external in ("<script", "<link", "@import", "url(", "<iframe"):
        assert external not in text.lower()


def test_cost_per_member_year_is_that_of_the_samples(run, page):
    _, rows = page.table("Allowed cost per member per year, baseline")
    per_member_year = run.samples("total_cost", "baseline") / run.samples("member_months", "baseline") * 12
    for year in range(run.years):
        v = per_member_year[:, year]
        row = rows[(str(year + 1),)]
        assert row["mean"] == dollars(v.mean())
        assert row["sd"] == dollars(v.std(ddof=1))
        assert row["p95"] == dollars(np.quantile(v, 0.95))


def test_net_by_party_is_that_of_the_samples(run, page):
    header, rows = page.table("Net result by payment model and party")
    assert header[:3] == ["model", "party", "mean net"]
    checked = 0
    for model in run.payments.models:
        for party in ("payer", "provider", "pcp"):
            net = net_over_years(run, model, party)
            row = rows[(model, party)]
            assert row["mean net"] == dollars(net.mean()), (model, party)
            assert row["sd"] == dollars(net.std(ddof=1)), (model, party)
            assert row["p5"] == dollars(np.quantile(net, 0.05)), (model, party)
            assert row["P(<0)"] == pct(np.mean(net < 0)), (model, party)
            checked += 1
    assert checked == 3 * len(run.payments.models)
    # other_providers' net is 0 in every trial: left out; the reinsurer only where stop-loss insures.
    assert not any(party == "other_providers" for _, party in rows)
    assert {m for m, party in rows if party == "reinsurer"} == {"partial_capitation_specific_stop_loss"}


def test_the_status_quo_comparison_is_the_mean_difference_on_the_same_trials(run, page):
    header, rows = page.table(f"Each model minus {STATUS_QUO}")
    assert header[2:4] == ["mean difference", "standard error"]
    others = [m for m in run.payments.models if m != STATUS_QUO]
    assert {m for m, _ in rows} == set(others)
    for (model, party), row in rows.items():
        d = net_over_years(run, model, party) - net_over_years(run, STATUS_QUO, party)
        assert row["mean difference"] == dollars(d.mean()), (model, party)
        assert row["standard error"] == dollars(d.std(ddof=1) / math.sqrt(run.trials)), (model, party)
        assert row["P(worse off)"] == pct(np.mean(d < 0)), (model, party)
    # The provider gains from every model that pays it more than fee for service here.
    assert rows[("care_fee_one_sided_shared_savings", "provider")]["mean difference"].startswith("$")


def test_error_rates_are_the_indicators(run, page):
    _, rows = page.table("Contract error rates")
    indicators = run.payments.indicators()
    assert len(rows) == len(indicators)
    for (model, year), values in indicators.iterrows():
        row = rows[(model, str(year))]
        for column, key in (("P(false reward)", "p_false_reward"), ("P(false penalty)", "p_false_penalty"),
                            ("P(missed reward)", "p_missed_reward"), ("P(savings paid)", "p_savings_paid")):
            assert row[column] == pct(float(values[key])), (model, year, column)
    assert rows[(STATUS_QUO, "1")]["P(false reward)"] == "\u2013"  # no component pays for savings


def test_the_scenario_is_told_in_words(report_path):
    text = report_path.read_text(encoding="utf-8")
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
    for phrase in ("1,000 members", "A, B and C", "inpatient -7.7% (sd 3.1%)", "emergency -11.6%", "outpatient +2.0%",
                   "It costs $150 PMPM", "Fee for service on every category",
                   "Care-management fee to the provider: $200 / $150 / $100 PMPM for tiers A / B / C",
                   "50% of savings against", "2.0% minimum savings rate", "capped at 10.0% of the benchmark",
                   "owes 30% of losses", "Capitation to the provider for professional and behavioral health",
                   "recovers 90% of each member-year's cost above $50,000"):
        assert phrase in plain, phrase


def test_results_files_and_run_results_give_the_same_report(run, results_path, folder):
    from_run = apmsim.report(run, folder / "from_run.html").read_text(encoding="utf-8")
    loaded = apmsim.Results.load(results_path)
    from_file = apmsim.report(loaded, folder / "from_file.html", title="A title").read_text(encoding="utf-8")
    default_title = "Payment models report: payment models compared"
    assert from_run.split("<footer>")[0] == from_file.split("<footer>")[0].replace("A title", default_title)
    assert "<title>A title</title>" in from_file


# ---- command line ----------------------------------------------------------------------

def cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "apmsim", *map(str, args)], capture_output=True, text=True, timeout=120)


def test_the_command_line_writes_the_report_and_prints_its_path(results_path, folder):
    out = folder / "cli.html"
    done = cli("report", results_path, "-o", out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert out.read_text(encoding="utf-8").count("<img ") == PICTURES


@pytest.mark.parametrize("case", ["missing", "scenario", "not_json", "no_folder"])
def test_the_command_line_refuses_bad_input_with_exit_2(case, results_path, folder):
    bad = folder / "not_json.json"
    bad.write_text("{ not json")
    args = {"missing": (folder / "nowhere.json", "-o", folder / "x.html"),
            "scenario": (COMPARED, "-o", folder / "x.html"),
            "not_json": (bad, "-o", folder / "x.html"),
            "no_folder": (results_path, "-o", folder / "no" / "such" / "folder" / "x.html")}[case]
    done = cli("report", *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("apmsim report: ") and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    expected = {"missing": "nowhere.json: no such file", "scenario": "expected a results file",
                "not_json": "not JSON", "no_folder": "an existing folder"}[case]
    assert expected in done.stderr
    assert not (folder / "x.html").exists()


# ---- atomic write ----------------------------------------------------------------------

def test_a_failing_write_leaves_the_old_file_and_no_temporary_file(results_path, tmp_path):
    """A full disk, simulated in a child process by the file-size limit (a write beyond it
    fails as one on a full disk does): OutputError, the old report untouched, no temporary."""
    target = tmp_path / "report.html"
    target.write_text("the old report")
    child = ("import resource, signal, sys, apmsim\n"
             "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
             "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
             "try:\n    apmsim.report(sys.argv[1], sys.argv[2])\n"
             "except apmsim.OutputError as e:\n    print(type(e).__name__, e)\n")
    done = subprocess.run([sys.executable, "-c", child, str(results_path), str(target)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.stdout.startswith("OutputError") and str(target) in done.stdout and "File too large" in done.stdout, done.stdout + done.stderr
    assert target.read_text() == "the old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]

    fresh = tmp_path / "fresh.html"
    assert apmsim.report(results_path, fresh) == fresh
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.html", "report.html"]
    assert fresh.read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_bad_input_writes_nothing(tmp_path):
    out = tmp_path / "report.html"
    with pytest.raises(ValueError, match="scenario file"):
        apmsim.report(COMPARED, out)
    with pytest.raises(TypeError, match="results"):
        apmsim.report(42, out)
    assert list(tmp_path.iterdir()) == []


# ---- results files read back -----------------------------------------------------------

def test_a_saved_results_file_reads_back_to_the_same_tables_and_replays(run, results_path):
    f = apmsim.Results.load(results_path)
    assert isinstance(f, apmsim.ResultsFile)
    assert (f.trials, f.seed, f.years, f.models, f.parties) == (run.trials, run.seed, run.years, run.payments.models,
                                                                run.payments.parties)
    assert f.scenario == run.scenario
    assert f.document == json.loads(results_path.read_text())
    pd.testing.assert_frame_equal(f.summary(), run.summary())
    pd.testing.assert_frame_equal(f.payment_summary(), run.payments.summary())
    pd.testing.assert_frame_equal(f.metric_summary(), run.payments.metric_summary())
    pd.testing.assert_frame_equal(f.indicators(), run.payments.indicators())
    for model in run.payments.models:
        for party in run.payments.parties:
            np.testing.assert_array_equal(f.net_samples(model, party=party), run.payments.samples(model, party, "net", ARM))
    np.testing.assert_array_equal(f.samples("cost_pmpm", "intervention"), run.samples("cost_pmpm", "intervention"))
    assert f.replay(threads=1) == run
    assert "payment_models_compared" in repr(f) and "trials=40" in repr(f)
    assert "<table>" in f._repr_html_()


def test_what_is_not_a_results_file_is_refused_naming_the_file(tmp_path):
    not_json = tmp_path / "notes.json"
    not_json.write_text("results, roughly")
    with pytest.raises(apmsim.InvalidInput, match=r"notes\.json: expected a results file.*not JSON"):
        apmsim.Results.load(not_json)
    with pytest.raises(ValueError, match=r"payment_models_compared\.json: expected a results file.*scenario file"):
        apmsim.ResultsFile.load(COMPARED)
    with pytest.raises(FileNotFoundError):
        apmsim.Results.load(tmp_path / "absent.json")


def test_net_samples_check_their_names(results_path):
    f = apmsim.Results.load(results_path)
    with pytest.raises(ValueError, match="model"):
        f.net_samples("no_such_model")
    with pytest.raises(ValueError, match="arm"):
        f.net_samples(STATUS_QUO, arm="treated")
    assert not f.net_samples(STATUS_QUO, party="other_providers").any()  # left out of the file: 0 throughout


# ---- rendered by a browser -------------------------------------------------------------

PROBE = """<script>window.addEventListener("load", function () {
  var rect = function (e) { var r = e.getBoundingClientRect(); return [r.left, r.top + scrollY, r.right, r.bottom + scrollY]; };
  document.body.setAttribute("data-probe", JSON.stringify({
    height: Math.ceil(document.querySelector("main").getBoundingClientRect().bottom + scrollY),
    images: [].map.call(document.images, function (i) {
      return {complete: i.complete, natural: [i.naturalWidth, i.naturalHeight], rect: rect(i)}; })
  }));
});</script>"""


def chromium(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs headless Chromium in its own process group, killed whole if it hangs. It is not
    ours: a sanitizer runtime preloaded for the tests (scripts/check-sanitizers.sh) is not
    passed on to it."""
    program = shutil.which("chromium")
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    process = subprocess.Popen([program, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                "--no-first-run", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, env=env)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def png_size(path: pathlib.Path) -> tuple[int, int]:
    """(width, height) from a PNG file's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_MAGIC and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def rendered(report_path, folder):
    """(layout from the DOM after load, screenshot pixels as floats 0-1) of the report in Chromium."""
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (apt-get install chromium) - the browser rendering is not checked")
    profile = f"--user-data-dir={folder / 'chromium-profile'}"
    probe = folder / "probe.html"
    probe.write_text(report_path.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium(profile, "--window-size=1200,8000", "--dump-dom", probe.as_uri())
    found = re.search(r'data-probe="([^"]*)"', dom.stdout)
    assert found, f"no probe in the DOM (exit {dom.returncode}): {dom.stderr[-500:]}"
    layout = json.loads(html.unescape(found.group(1)))
    window = max(8000, layout["height"] + 40)
    shot = folder / "report.png"
    done = chromium(profile, f"--screenshot={shot}", f"--window-size=1200,{window}", report_path.as_uri())
    assert shot.is_file(), f"no screenshot (exit {done.returncode}): {done.stderr[-500:]}"
    assert png_size(shot) == (1200, window)
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))[..., :3]
    assert pixels.shape[:2] == (window, 1200)
    return layout, pixels


def test_chromium_loads_every_picture(rendered):
    layout, _ = rendered
    assert len(layout["images"]) == PICTURES
    for image in layout["images"]:
        assert image["complete"] and image["natural"][0] > 300 and image["natural"][1] > 200
        left, top, right, bottom = image["rect"]
        assert right - left > 300 and bottom - top > 200  # laid out at a readable size
    assert layout["height"] > 3000  # the tables and four pictures, not an error page


def test_the_screenshot_is_the_report_not_a_blank_page(rendered):
    layout, pixels = rendered
    page = pixels[: layout["height"]]
    white = np.all(page > 0.97, axis=-1).mean()
    assert white < 0.9
    levels = (page * 31).round().astype(np.int64)  # 32 levels a channel
    colours = np.unique(levels[..., 0] * 1024 + levels[..., 1] * 32 + levels[..., 2])
    assert len(colours) > 200
    for image in layout["images"]:
        left, top, right, bottom = (int(round(v)) for v in image["rect"])
        region = pixels[top:bottom, left:right]
        chroma = region.max(axis=-1) - region.min(axis=-1)
        assert (chroma > 0.25).mean() > 0.003, f"a picture without colour at {image['rect']}"
    # The provider's colour (#d62728, its boxes at 45% opacity) in its box plot.
    left, top, right, bottom = (int(round(v)) for v in layout["images"][1]["rect"])
    region = pixels[top:bottom, left:right]
    reddish = (region[..., 0] > 0.8) & (region[..., 0] - region[..., 1] > 0.25) & (region[..., 0] - region[..., 2] > 0.25)
    assert reddish.mean() > 0.01
