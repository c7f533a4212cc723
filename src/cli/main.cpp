// apmsim command-line program.
//   apmsim run SCENARIO.json [--trials N] [--seed S] [--threads T] [--out results.json]
//   apmsim default-scenario [--members N] [--years Y] [--out scenario.json]
//   apmsim msr ...        (src/cli/msr_command.cpp)
//   apmsim aggregate ...  (src/cli/aggregate_command.cpp)
#include "cli_common.hpp"

#include "apmsim/core/files.hpp"
#include "apmsim/outputs/json.hpp"
#include "apmsim/run.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/simulation/engine.hpp"
#include "apmsim/stats/summary.hpp"
#include "apmsim/version.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {
using namespace apmsim::cli;

const char* const run_usage =
    "usage: apmsim run SCENARIO.json [--trials N] [--seed S] [--threads T] [--calibration-trials M]\n"
    "                  [--out results.json]\n"
    "\n"
    "Simulate the scenario, print a summary and, with --out, write the results JSON.\n"
    "Options given here replace the scenario's settings; --flag=value works too.\n"
    "\n"
    "  --trials   number of simulated trials, 1 to 4294967295 (default: settings.trials)\n"
    "  --seed     random seed, a whole number (default: settings.seed)\n"
    "  --threads  worker threads, 0 = all cores, at most 1024 (default: settings.threads);\n"
    "             never more threads than trials are used, and a note says so\n"
    "  --calibration-trials  trials of the base-case sample that prices stop-loss and fixes\n"
    "             truncation points, 1 to 10000000 (default: settings.calibration_trials)\n"
    "  --out      results JSON to write; checked before the simulation starts and written\n"
    "             through a temporary file, so a failed run leaves nothing behind\n";

const char* const default_scenario_usage =
    "usage: apmsim default-scenario [--members N] [--years Y] [--out scenario.json]\n"
    "\n"
    "Print (or write) the bundled default CMC program scenario (shared/DOMAIN.md section 2).\n"
    "\n"
    "  --members  children in the synthetic population, 0 to 100000000 (default 1000)\n"
    "  --years    years simulated, 1 to 100 (default 3)\n"
    "  --out      scenario JSON to write (default: standard output)\n";

const char* const usage =
    "usage:\n"
    "  apmsim run SCENARIO.json [--trials N] [--seed S] [--threads T] [--out results.json]\n"
    "      Simulate the scenario, print a summary, optionally write results JSON.\n"
    "  apmsim default-scenario [--members N] [--years Y] [--out scenario.json]\n"
    "      Print (or write) the bundled default CMC program scenario.\n"
    "  apmsim msr --members N [--cv C] [--confidence P] [...]\n"
    "      Minimum savings rates and members needed for a pool.\n"
    "  apmsim aggregate --frequency JSON --severity JSON [--method M] [...]\n"
    "      Exact/approximate aggregate loss distribution tables.\n"
    "  apmsim COMMAND --help    the options of one command\n"
    "  apmsim --version | --help\n";

void print_summary(const apmsim::Scenario& sc, const apmsim::SimulationResults& r, double seconds, unsigned threads) {
    using apmsim::SampleMatrix;
    const double members = static_cast<double>(r.member_count);
    std::printf("apmsim %s | %s: %s members, %d year(s), %llu trials, seed %llu, %u thread(s), %.2f s\n\n", apmsim::version,
                sc.name.c_str(), money(members).c_str(), r.years, static_cast<unsigned long long>(r.trials),
                static_cast<unsigned long long>(r.seed), threads, seconds);
    const std::vector<int> w = {6, 12, 11, 12, 12, 14};
    for (const auto& arm : r.arms) {
        const SampleMatrix total = r.samples("total_cost", arm.name), mm = r.samples("member_months", arm.name);
        std::printf("Allowed cost per member per year, %s%s\n", arm.name.c_str(),
                    arm.name == "baseline" ? " (no program)" : (" (" + sc.intervention->name + ")").c_str());
        print_row({"year", "mean", "sd", "p5", "p95", "cv of mean"}, w);
        for (int y = 0; y < r.years; ++y) {
            std::vector<double> v(r.trials);
            for (std::uint64_t t = 0; t < r.trials; ++t) v[t] = total(t, y) / mm(t, y) * 12.0;
            const auto s = apmsim::stats::summarize(v);
            print_row({std::to_string(y + 1), money(s.mean), money(s.sd), money(s.p05), money(s.p95), pct(s.sd / s.mean)}, w);
        }
        std::printf("  member-level cv of annual cost (year 1): %.3f across all members, %.3f within tiers\n\n",
                    r.member_level_cv(arm.name, 1), r.within_tier_cv(arm.name, 1));
    }
    if (r.has_intervention()) {
        std::printf("Program cost: $%s PMPM (", money(sc.intervention->total_pmpm()).c_str());
        for (std::size_t k = 0; k < sc.intervention->costs.size(); ++k)
            std::printf("%s%s $%s", k ? ", " : "", sc.intervention->costs[k].item.c_str(),
                        money(sc.intervention->costs[k].pmpm).c_str());
        std::printf(")\n");
        std::printf("Savings per member per year on common random numbers (baseline - intervention)\n");
        const std::vector<int> w2 = {6, 12, 11, 12, 12, 10, 16, 10};
        print_row({"year", "gross mean", "sd", "p5", "p95", "P(<0)", "net of program", "P(net<0)"}, w2);
        const SampleMatrix sav = r.samples("savings"), net = r.samples("net_savings"), mm = r.samples("member_months", "intervention");
        for (int y = 0; y < r.years; ++y) {
            std::vector<double> g(r.trials), n(r.trials);
            for (std::uint64_t t = 0; t < r.trials; ++t) {
                g[t] = sav(t, y) / mm(t, y) * 12.0;
                n[t] = net(t, y) / mm(t, y) * 12.0;
            }
            const auto gs = apmsim::stats::summarize(g), ns = apmsim::stats::summarize(n);
            print_row({std::to_string(y + 1), money(gs.mean), money(gs.sd), money(gs.p05), money(gs.p95), pct(gs.p_negative),
                       money(ns.mean), pct(ns.p_negative)},
                      w2);
        }
        std::printf("\n");
    }
}

void print_payments(const apmsim::PaymentResults& p, int years) {
    const std::string arm = p.program_arm();
    std::printf("Payment models (%s arm; net = revenue - payments - cost of care and program; all %d year(s) together;\n"
                "p5 = the 5%% worst outcome, ES95 = expected shortfall, the mean of the worst 5%%)\n",
                arm.c_str(), years);
    const std::vector<int> w = {38, 16, 15, 14, 15, 15, 15, 9};
    print_row({"model", "party", "mean net", "sd", "p5", "ES95", "p95", "P(<0)"}, w);
    for (const auto& row : p.summary()) {
        if (row.arm != arm || row.year != 0 || row.measure != "net" || row.party == "other_providers") continue;
        print_row({row.model, row.party, money(row.stats.mean), money(row.stats.sd), money(row.stats.p05),
                   money(row.stats.expected_shortfall_95), money(row.stats.p95), pct(row.stats.p_negative)},
                  w);
    }
    std::printf("\nContract error rates by year (savings paid / losses owed: any component paying the provider for\n"
                "savings or charging it for losses; false reward / penalty: on the same random numbers without the\n"
                "program's effect)\n");
    const std::vector<int> w2 = {38, 6, 14, 14, 14, 14, 14, 16};
    print_row({"model", "year", "P(sav. paid)", "mean paid", "P(loss owed)", "P(false rew.)", "P(false pen.)", "P(missed rew.)"}, w2);
    auto maybe = [](double x) { return std::isnan(x) ? std::string("-") : pct(x); };
    for (const auto& r : p.indicators())
        print_row({r.model, std::to_string(r.year), pct(r.p_savings_paid), money(r.mean_savings_paid), pct(r.p_losses_owed),
                   maybe(r.p_false_reward), maybe(r.p_false_penalty), maybe(r.p_missed_reward)},
                  w2);
    std::printf("\n");
}

/// Refuses an --out path that cannot be written before any work is done: its folder must
/// exist and it must not be a folder itself.
void check_output_path(const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path out(path);
    std::error_code ec;
    if (fs::is_directory(out, ec))
        throw apmsim::InvalidInput("command line --out", "a file path", "\"" + shorten(path) + "\", a folder");
    const fs::path folder = out.has_parent_path() ? out.parent_path() : fs::path(".");
    if (!fs::is_directory(folder, ec))
        throw apmsim::InvalidInput("command line --out", "a path in an existing folder",
                                   "\"" + shorten(path) + "\" (no folder \"" + shorten(folder.string()) + "\")");
    if (::access(folder.c_str(), W_OK) != 0)
        throw apmsim::InvalidInput("command line --out", "a path in a folder you can write to",
                                   "\"" + shorten(path) + "\" (folder \"" + shorten(folder.string()) + "\" is not writable)");
}

int run(int argc, char** argv) {
    const Args a = parse(argc, argv, {"--trials", "--seed", "--threads", "--calibration-trials", "--out"});
    if (a.help) {
        std::fputs(run_usage, stdout);
        return 0;
    }
    if (a.positional.size() != 1) throw apmsim::InvalidInput("command line", "exactly one SCENARIO.json", std::to_string(a.positional.size()) + " paths");
    apmsim::Scenario sc = apmsim::load_scenario(a.positional[0]);
    apmsim::SimulationOptions o = sc.settings;
    if (a.flags.count("--trials")) o.trials = whole_number("--trials", a.flags.at("--trials"), 0xFFFFFFFFull, 1);
    if (a.flags.count("--seed")) o.seed = whole_number("--seed", a.flags.at("--seed"), ~0ull);
    if (a.flags.count("--threads")) o.threads = static_cast<unsigned>(whole_number("--threads", a.flags.at("--threads"), 1024));
    if (a.flags.count("--calibration-trials"))
        o.calibration_trials = whole_number("--calibration-trials", a.flags.at("--calibration-trials"), 10'000'000, 1);
    o.validate("command line");
    if (a.flags.count("--out")) check_output_path(a.flags.at("--out"));
    const unsigned threads = static_cast<unsigned>(std::min<std::uint64_t>(apmsim::resolve_threads(o.threads), o.trials));
    if (o.threads > threads)
        std::fprintf(stderr, "apmsim: note: %u threads requested, %u used (at most one per trial)\n", o.threads, threads);
    const auto start = std::chrono::steady_clock::now();
    const apmsim::RunResults run = apmsim::run(sc, o);
    const apmsim::SimulationResults& r = run.simulation;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    print_summary(sc, r, seconds, threads);
    if (!run.payments.models.empty()) print_payments(run.payments, r.years);
    if (a.flags.count("--out")) {
        apmsim::Json j = apmsim::results_to_json(r, sc.name);
        if (!run.payments.models.empty()) j["payment_models"] = apmsim::payments_to_json(run.payments);
        apmsim::write_file_atomically(a.flags.at("--out"), j.dump(1) + "\n");
        std::printf("results written to %s\n", a.flags.at("--out").c_str());
    }
    return 0;
}

int default_scenario(int argc, char** argv) {
    const Args a = parse(argc, argv, {"--members", "--years", "--out"});
    if (a.help) {
        std::fputs(default_scenario_usage, stdout);
        return 0;
    }
    if (!a.positional.empty()) throw apmsim::InvalidInput("command line", "no positional arguments", "\"" + shorten(a.positional[0]) + "\"");
    const auto members = a.flags.count("--members") ? whole_number("--members", a.flags.at("--members"), 100'000'000) : 1000;
    const auto years = a.flags.count("--years") ? whole_number("--years", a.flags.at("--years"), 100, 1) : 3;
    const auto s = apmsim::Scenario::default_cmc_program(members, static_cast<int>(years));
    const std::string text = apmsim::scenario_to_json(s).dump(2) + "\n";
    if (a.flags.count("--out")) {
        check_output_path(a.flags.at("--out"));
        apmsim::write_file_atomically(a.flags.at("--out"), text);
    } else std::fputs(text.c_str(), stdout);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fputs(usage, stderr);
        return 2;
    }
    const std::string cmd = argv[1];
    try {
        if (cmd == "--help" || cmd == "-h" || cmd == "help") {
            std::fputs(usage, stdout);
            return 0;
        }
        if (cmd == "--version") {
            std::printf("apmsim %s\n", apmsim::version);
            return 0;
        }
        if (cmd == "run") return run(argc, argv);
        if (cmd == "default-scenario") return default_scenario(argc, argv);
        if (cmd == "msr") return msr_command(argc, argv);
        if (cmd == "aggregate") return aggregate_command(argc, argv);
        std::fprintf(stderr, "apmsim: unknown command \"%s\"\n%s", cmd.c_str(), usage);
        return 2;
    } catch (const apmsim::InvalidInput& e) {
        std::fprintf(stderr, "apmsim: error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "apmsim: computation failed: %s\n", e.what());
        return 3;
    }
}
