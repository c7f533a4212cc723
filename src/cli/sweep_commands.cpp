// apmsim sweep and apmsim solve.
#include "cli_common.hpp"

#include "apmsim/sweep/run_sweep.hpp"
#include "apmsim/sweep/solve.hpp"
#include "apmsim/core/files.hpp"
#include "apmsim/core/json_file.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

namespace apmsim::cli {
namespace {

struct SweepArguments {
    std::string file, db, trials, calibration_trials, threads;
    bool resume = false, quiet = false;
};

/// "sharing_rate=0.5, members=1000"
std::string describe_parameters(const Variant& v) {
    std::string out;
    for (const auto& p : v.parameters) out += (out.empty() ? "" : ", ") + p.axis + "=" + p.value.dump();
    return out;
}

void sweep_command(const SweepArguments& a, const CLI::App& c) {
    const SweepDefinition d = load_sweep(a.file);
    SweepOptions o;
    if (c.count("--trials")) o.trials = whole_number("--trials", a.trials, 0xFFFFFFFFull, 1);
    if (c.count("--calibration-trials")) o.calibration_trials = whole_number("--calibration-trials", a.calibration_trials, 10'000'000, 1);
    if (c.count("--threads")) {
        o.threads = static_cast<unsigned>(whole_number("--threads", a.threads, 1024));
        o.threads_given = true;
    }
    o.resume = a.resume;
    std::mutex m;
    SweepProgress seen;
    std::string current;
    const auto start = std::chrono::steady_clock::now();
    auto line = [&] {
        std::lock_guard<std::mutex> lock(m);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::size_t run = seen.done - seen.skipped, left = seen.total - seen.done;
        std::string text = "apmsim sweep: " + std::to_string(seen.done) + " / " + std::to_string(seen.total) + " variants";
        if (run > 0) text += ", " + duration(seconds / static_cast<double>(run) * static_cast<double>(left)) + " left";
        if (!current.empty()) text += " (last: " + current + ")";
        return text.size() > 150 ? text.substr(0, 147) + "..." : text;
    };
    SweepProgress final_state;
    {
        ProgressLine progress(!a.quiet, line);
        final_state = run_sweep(
            d, a.db, o,
            [&](const SweepProgress& p) {
                std::lock_guard<std::mutex> lock(m);
                seen = p;
                if (p.last) current = describe_parameters(*p.last);
            },
            {&stop_flag(), nullptr});
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("apmsim sweep %s: %zu variants in %s (%zu run now in %.1f s, %zu finished before)\n", d.name.c_str(), final_state.total,
                a.db.c_str(), final_state.done - final_state.skipped, seconds, final_state.skipped);
}

struct SolveArguments {
    std::string scenario, vary, target, trials, calibration_trials, tolerance, out;
    std::vector<std::string> between;
    bool quiet = false;
};

void solve_command(const SolveArguments& a, const CLI::App& c) {
    const Json doc = read_json_file(a.scenario, "a scenario file (JSON)");
    if (a.between.size() != 2) throw InvalidInput("command line --between", "two numbers LO HI", std::to_string(a.between.size()) + " values");
    const double lo = real_number("--between", a.between[0]), hi = real_number("--between", a.between[1]);
    const SolveTarget target = SolveTarget::parse(a.target, "command line --target");
    SolveOptions o;
    if (c.count("--trials")) o.trials = whole_number("--trials", a.trials, 0xFFFFFFFFull, 1);
    if (c.count("--calibration-trials")) o.calibration_trials = whole_number("--calibration-trials", a.calibration_trials, 10'000'000, 1);
    if (c.count("--tolerance")) {
        o.tolerance = real_number("--tolerance", a.tolerance);
        if (!(o.tolerance > 0)) throw InvalidInput("command line --tolerance", "a number > 0", "\"" + shorten(a.tolerance) + "\"");
    }
    if (c.count("--out")) check_output_path("--out", a.out);
    SolveResult r;
    try {
        r = solve(doc, a.vary, lo, hi, target, o, {&stop_flag(), nullptr});
    } catch (const InvalidInput& e) {
        const std::string w = e.where();
        throw InvalidInput(w == "vary" || w == "target" || w == "between" ? "command line --" + w : a.scenario + ": " + w, e.expected(), e.actual());
    }
    std::printf("apmsim solve: %s = %s meets %s (there: %s", a.vary.c_str(), show(r.value).c_str(), target.describe().c_str(), show(r.statistic).c_str());
    if (std::isfinite(r.standard_error)) std::printf(", standard error %s", show(r.standard_error).c_str());
    std::printf(")\n");
    if (std::isfinite(r.low)) std::printf("95%% Monte Carlo interval of the value: %s to %s\n", show(r.low).c_str(), show(r.high).c_str());
    else std::printf("95%% Monte Carlo interval of the value: not available (no standard error for %s, or beyond --between)\n", target.statistic.c_str());
    std::printf("%zu evaluations in %zu simulation batches\n", r.evaluations.size(), r.simulations);
    if (c.count("--out")) {
        Json j = {{"pointer", a.vary}, {"target", target.describe()}, {"value", r.value}, {"statistic", r.statistic},
                  {"standard_error", std::isfinite(r.standard_error) ? Json(r.standard_error) : Json()},
                  {"interval_95", std::isfinite(r.low) ? Json::array({r.low, r.high}) : Json()}, {"simulations", r.simulations}};
        Json evaluations = Json::array();
        for (const auto& ev : r.evaluations) evaluations.push_back({{"value", ev.x}, {"statistic", ev.statistic}});
        j["evaluations"] = evaluations;
        write_file_atomically(a.out, j.dump(1) + "\n");
        std::printf("written: %s\n", a.out.c_str());
    }
}

}  // namespace

void add_solve_command(CLI::App& app) {
    auto args = std::make_shared<SolveArguments>();
    CLI::App* s = app.add_subcommand("solve", "Find the value of one term that meets a target on a statistic (goal seek on common random numbers).");
    s->add_option("scenario", args->scenario, "the scenario file (JSON)")->required()->type_name("SCENARIO.json");
    s->add_option("--vary", args->vary, "JSON pointer to the number to find, e.g. /payment_models/3/components/0/pmpm (required)")->type_name("POINTER")->required();
    s->add_option("--between", args->between, "LO HI: the range searched; the target must be met at one end and missed at the other (required)")->type_name("LO HI")
        ->expected(2)
        ->required();
    s->add_option("--target", args->target,
                  "e.g. \"model=capitation party=provider statistic=p_negative <= 0.2\": labels of one row of the statistics table "
                  "(apmsim run --summary-csv), <= or >=, a bound (required)")
        ->type_name("TARGET")->required();
    s->add_option("--trials", args->trials, "trials of every evaluation (default: settings.trials)")->type_name("N");
    s->add_option("--calibration-trials", args->calibration_trials, "calibration trials of every evaluation (default: settings.calibration_trials)")
        ->type_name("M");
    s->add_option("--tolerance", args->tolerance, "stop when the bracket is this narrow (default: 1e-4 of the range; 1 for a whole number)")->type_name("X");
    s->add_option("--out", args->out, "the answer and every evaluation as JSON (default: none)")->type_name("FILE");
    s->footer("Each round evaluates points inside the bracket on the scenario's own random numbers (for a payment-model\n"
              "term, in one simulation). The 95% interval repeats the search for the bound +- 1.96 standard errors.");
    s->callback(action(s, [args, s] { solve_command(*args, *s); }));
}

void add_sweep_commands(CLI::App& app) {
    auto args = std::make_shared<SweepArguments>();
    CLI::App* s = app.add_subcommand("sweep", "Run every variant of a sweep file into a SQLite database (docs/sweeps.md).");
    s->add_option("sweep", args->file, "the sweep file (JSON): a base scenario and axes of values")->required()->type_name("SWEEP.json");
    s->add_option("--db", args->db, "the SQLite database to write (required); each finished variant is committed at once")->type_name("FILE")->required();
    s->add_flag("--resume", args->resume,
                "continue the sweep stored in --db: finished variants are skipped; refused if the database was made from another sweep");
    s->add_option("--trials", args->trials, "trials of every variant, 1 to 4294967295 (default: each variant's settings.trials)")->type_name("N");
    s->add_option("--calibration-trials", args->calibration_trials,
                  "calibration trials of every variant, 1 to 10000000 (default: each variant's settings.calibration_trials)")
        ->type_name("M");
    s->add_option("--threads", args->threads, "worker threads, 0 = all cores (default: settings.threads); results never depend on it")->type_name("T");
    s->add_flag("--quiet", args->quiet, "no progress line (there is none either when stderr is not a terminal)");
    s->footer("Variants that differ only in payment-model terms share one simulation. Ctrl-C or SIGTERM stops within\n"
              "a second (exit 130) and keeps every finished variant; --resume continues.");
    s->callback(action(s, [args, s] { sweep_command(*args, *s); }));
}

}  // namespace apmsim::cli
