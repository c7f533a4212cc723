// apmsim run, apmsim validate and apmsim default-scenario.
#include "cli_common.hpp"

#include "apmsim/core/files.hpp"
#include "apmsim/outputs/model_comparison.hpp"
#include "apmsim/outputs/statistics_table.hpp"
#include "apmsim/results_document.hpp"
#include "apmsim/core/json_file.hpp"
#include "apmsim/run.hpp"
#include "apmsim/run_part.hpp"
#include "apmsim/validation.hpp"
#include "apmsim/sweep/sweep.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/simulation/engine.hpp"
#include "apmsim/stats/summary.hpp"
#include "apmsim/version.hpp"

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace apmsim::cli {
namespace {

/// The program's mean cost per participant-month by item and year (its budget's view).
void print_cost_per_participant(const SimulationResults& r) {
    const SampleMatrix months = r.participant_months();
    std::printf("  mean cost per participant per month by item and year:");
    for (const auto& item : r.program_cost_items) {
        const SampleMatrix cost = r.samples("program_cost", "intervention", "", "", item);
        std::printf("\n    %-22s", item.c_str());
        for (int y = 0; y < r.years; ++y) std::printf(" %12s", money(cost.col(y).sum() / std::max(1.0, months.col(y).sum())).c_str());
    }
    std::printf("\n");
}

/// Mean members (any month enrolled) by arm, year and tier, and member-months by year:
/// what churn and rising risk change.
void print_enrolment(const SimulationResults& r) {
    std::printf("Enrolment (mean over trials): members enrolled in the year by tier, and member-months\n");
    std::vector<std::string> head = {"arm", "year"};
    for (const auto& t : r.tiers) head.push_back(t);
    head.push_back("members");
    head.push_back("member-months");
    print_row(head, std::vector<int>(head.size(), 14));
    for (const auto& arm : r.arms) {
        const SampleMatrix all = r.samples("members", arm.name), months = r.samples("member_months", arm.name);
        for (int y = 0; y < r.years; ++y) {
            std::vector<std::string> row = {arm.name, std::to_string(y + 1)};
            for (const auto& t : r.tiers) row.push_back(money(r.samples("members", arm.name, "", t).col(y).mean()));
            row.push_back(money(all.col(y).mean()));
            row.push_back(money(months.col(y).mean()));
            print_row(row, std::vector<int>(row.size(), 14));
        }
    }
    std::printf("\n");
}
/// "Program cost: $X PMPM (item $x, ...)", or by tier when an item differs by tier.
void print_program_pmpm(const Intervention& iv, const std::vector<std::string>& tiers) {
    bool by_tier = false;
    for (const auto& c : iv.costs) by_tier = by_tier || !c.by_tier.empty();
    if (!by_tier) {
        std::printf("Program cost: $%s PMPM (", money(iv.total_pmpm(tiers.front())).c_str());
        for (std::size_t k = 0; k < iv.costs.size(); ++k)
            std::printf("%s%s $%s", k ? ", " : "", iv.costs[k].item.c_str(), money(iv.costs[k].pmpm).c_str());
        std::printf(")");
        return;
    }
    std::printf("Program cost PMPM by tier:");
    const char* separator = " ";
    for (std::size_t t = 0; t < tiers.size(); ++t) {
        if (!iv.targets(tiers[t])) continue;
        std::printf("%s%s $%s (", separator, tiers[t].c_str(), money(iv.total_pmpm(tiers[t])).c_str());
        separator = "; ";
        for (std::size_t k = 0; k < iv.costs.size(); ++k)
            std::printf("%s%s $%s", k ? ", " : "", iv.costs[k].item.c_str(), money(iv.costs[k].pmpm_in(tiers[t])).c_str());
        std::printf(")");
    }
}


/// The summary of a run's simulation; `how`: how it was computed ("2 thread(s), 6.04 s").
void print_summary(const Scenario& sc, const SimulationResults& r, const std::string& how) {
    const double members = static_cast<double>(sc.population.size());  // at the start; entrants' slots follow (churn)
    const std::string part = r.trial_begin == 0 ? "" : " (trials " + std::to_string(r.trial_begin) + " to " + std::to_string(r.trial_begin + r.trials - 1) + ")";
    std::printf("apmsim %s | %s: %s members%s, %d year(s), %llu trials%s, seed %llu, %s mode, %s\n\n", version, sc.name.c_str(),
                money(members).c_str(), sc.churn ? " at the start" : "", r.years, static_cast<unsigned long long>(r.trials), part.c_str(),
                static_cast<unsigned long long>(r.seed), mode_name(r.mode), how.c_str());
    const std::vector<int> w = {6, 12, 11, 12, 12, 14};
    for (const auto& arm : r.arms) {
        const SampleMatrix total = r.samples("total_cost", arm.name), mm = r.samples("member_months", arm.name);
        std::printf("Allowed cost per member per year, %s%s\n", arm.name.c_str(),
                    arm.name == "baseline" ? " (no program)" : (" (" + sc.intervention->name + ")").c_str());
        print_row({"year", "mean", "sd", "p5", "p95", "cv of mean"}, w);
        for (int y = 0; y < r.years; ++y) {
            std::vector<double> v(r.trials);
            for (std::uint64_t t = 0; t < r.trials; ++t) v[t] = total(t, y) / mm(t, y) * 12.0;
            const auto s = stats::summarize(v);
            print_row({std::to_string(y + 1), money(s.mean), money(s.sd), money(s.p05), money(s.p95), pct(s.sd / s.mean)}, w);
        }
        std::printf("  member-level cv of annual cost (year 1): %.3f across all members, %.3f within tiers\n\n",
                    r.member_level_cv(arm.name, 1), r.within_tier_cv(arm.name, 1));
    }
    if (sc.churn || (sc.intervention && sc.intervention->upward_transition_change)) print_enrolment(r);
    if (r.has_intervention()) {
        const Intervention& iv = *sc.intervention;
        print_program_pmpm(iv, sc.cost_model.tiers);
        for (const auto& c : iv.staffing)
            std::printf("; %s: one per %s participants enrolled at a time (the busiest month) at $%s a year", c.item.c_str(), money(c.participants_per_staff).c_str(),
                        money(c.annual_cost).c_str());
        for (const auto& c : iv.start_up) std::printf("; %s: $%s in year 1", c.item.c_str(), money(c.amount).c_str());
        std::printf("\n");
        if (!iv.everyone_from_the_start() || !iv.staffing.empty() || !iv.start_up.empty()) print_cost_per_participant(r);
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
            const auto gs = stats::summarize(g), ns = stats::summarize(n);
            print_row({std::to_string(y + 1), money(gs.mean), money(gs.sd), money(gs.p05), money(gs.p95), pct(gs.p_negative),
                       money(ns.mean), pct(ns.p_negative)},
                      w2);
        }
        std::printf("\n");
    }
}

void print_payments(const PaymentResults& p, int years) {
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

/// Each model minus `baseline` per party, all years, on the same trials (compare_models).
void print_comparison(const PaymentResults& p, const std::string& baseline) {
    std::printf("Compared with %s (%s arm, all years; each model's net minus %s's on the same trials;\n"
                "se: its standard error; se if independent: what two separate simulations would give)\n",
                baseline.c_str(), p.program_arm().c_str(), baseline.c_str());
    const std::vector<int> w = {38, 16, 15, 13, 18, 14};
    print_row({"model", "party", "mean change", "se", "se if independent", "P(worse off)"}, w);
    for (const auto& r : compare_models(p, baseline, p.program_arm())) {
        if (r.year != 0 || r.measure != "net" || r.party == "other_providers") continue;
        print_row({r.model, r.party, money(r.difference.mean), money(r.difference.standard_error), money(r.standard_error_independent),
                   pct(r.difference.p_negative)},
                  w);
    }
    std::printf("\n");
}

/// --compare-with names a payment model of the scenario with another on its segment (checked before the run).
void check_baseline_model(const Scenario& sc, const std::string& baseline) {
    if (sc.has_comparable_model(baseline)) return;
    std::string all;
    for (const auto& m : sc.payment_models) all += (all.empty() ? "" : ", ") + m.name;
    throw InvalidInput("command line --compare-with",
                       sc.payment_models.size() > 1 ? "a payment model of the scenario with another on its population segment (" + all + ")"
                                                    : "a scenario with two or more payment models",
                       "\"" + baseline + "\"");
}

/// The options of apmsim run, as given (checked when the command runs).
struct RunArguments {
    std::string scenario, replay, trials, trial_begin, seed, threads, calibration_trials, mode, out, summary_csv, samples, compare_with, part;
    bool quiet = false;
};

/// The scenario's settings with the command line's replacements.
SimulationOptions options_from(const Scenario& sc, const RunArguments& a, const CLI::App& c) {
    SimulationOptions o = sc.settings;
    if (c.count("--trials")) o.trials = whole_number("--trials", a.trials, 0xFFFFFFFFull, 1);
    if (c.count("--trial-begin")) o.trial_begin = whole_number("--trial-begin", a.trial_begin, 0xFFFFFFFFull);
    if (c.count("--seed")) o.seed = whole_number("--seed", a.seed, ~0ull);
    if (c.count("--threads")) o.threads = static_cast<unsigned>(whole_number("--threads", a.threads, 1024));
    if (c.count("--calibration-trials")) o.calibration_trials = whole_number("--calibration-trials", a.calibration_trials, 10'000'000, 1);
    if (c.count("--mode")) o.mode = mode_from_name("command line --mode", a.mode);
    o.validate("command line");
    return o;
}

/// The progress line of a run: trials done, rate, time left.
std::function<std::string()> trial_progress(const std::atomic<std::uint64_t>& done, std::uint64_t total) {
    const auto start = std::chrono::steady_clock::now();
    return [&done, total, start] {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto n = done.load();
        const double rate = seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
        const std::string left = n == 0 ? "?" : n >= total ? "settling" : duration(static_cast<double>(total - n) / rate) + " left";
        return "apmsim: " + money(static_cast<double>(n)) + " / " + money(static_cast<double>(total)) + " trials, " + money(rate) +
               " a second, " + left;
    };
}

/// The scenario to run and the document it came from: a scenario file, or the resolved
/// scenario a results file records (--replay).
struct RunInput {
    Scenario scenario;
    Json replayed;  ///< the results file when replaying, else null
};

RunInput run_input(const RunArguments& a, const CLI::App& c) {
    if (c.count("--replay") == c.count("scenario"))
        throw InvalidInput("command line", "a scenario file or --replay RESULTS.json (one of them)", c.count("scenario") ? "both" : "neither");
    if (!c.count("--replay")) return {load_scenario(a.scenario), nullptr};
    for (const char* option : {"--trials", "--trial-begin", "--seed", "--calibration-trials", "--mode"})
        if (c.count(option))
            throw InvalidInput(std::string("command line ") + option, "no " + std::string(option) + " with --replay (a replay runs the recorded settings)", "one");
    Json recorded = read_json_file(a.replay, "a results file (JSON)");
    Scenario s = scenario_of_results(recorded, a.replay);
    if (const std::string v = recorded.value("apmsim_version", ""); v != version)
        std::fprintf(stderr, "apmsim: note: %s was written by apmsim %s, this is %s: numbers may differ\n", a.replay.c_str(), v.c_str(), version);
    return {std::move(s), std::move(recorded)};
}

/// After a replay: whether the new results JSON equals the recorded one, number for number.
/// The same version giving other numbers breaks reproducibility: an internal error.
void report_replay(const Json& recorded, const Json& replayed, const std::string& file) {
    const std::string difference = replay_difference(recorded, replayed);
    if (difference.empty()) {
        std::printf("replay: identical to %s\n", file.c_str());
        return;
    }
    std::printf("replay: differs from %s at %s\n", file.c_str(), difference.c_str());
    if (recorded.value("apmsim_version", "") == version)
        throw std::runtime_error("the same apmsim version gave other numbers for the recorded scenario and seed");
}

/// What apmsim run and apmsim merge print and write for a run's results: the summary,
/// payments and comparison, warnings, and the outputs asked for (all complete before the
/// first is written, each through a temporary file). Returns the results document when
/// `with_document` or --out asks for it (it holds every per-trial value: several KB a
/// trial), else null.
Json report_run(const Scenario& sc, const SimulationOptions& o, const RunResults& run, const std::string& how, const RunArguments& a,
                const CLI::App& c, bool with_document = false) {
    const SimulationResults& r = run.simulation;
    print_summary(sc, r, how);
    if (!run.payments.models.empty()) print_payments(run.payments, r.years);
    if (c.count("--compare-with")) print_comparison(run.payments, a.compare_with);
    else if (const auto status_quo = sc.status_quo_model()) print_comparison(run.payments, *status_quo);
    const Json document = with_document || c.count("--out") ? results_document(sc, o, r, run.payments) : Json();
    for (const Json& w : document.is_null() ? results_warnings(sc, o) : document.at("warnings"))
        std::fprintf(stderr, "apmsim: warning: %s: %s\n", w.at("where").get<std::string>().c_str(), w.at("message").get<std::string>().c_str());
    struct Output {
        const char* what;
        std::string path, text;
    };
    std::vector<Output> outputs;
    if (c.count("--out")) outputs.push_back({"results", a.out, document.dump(1) + "\n"});
    if (c.count("--summary-csv")) outputs.push_back({"statistics", a.summary_csv, statistics_csv(statistics_table(r, run.payments))});
    if (c.count("--samples")) outputs.push_back({"samples", a.samples, samples_csv(samples_table(r, run.payments))});
    for (const Output& output : outputs) {
        write_file_atomically(output.path, output.text);
        std::printf("%s written to %s\n", output.what, output.path.c_str());
    }
    return document;
}

/// Checks the output paths of apmsim run and apmsim merge before any work: each one
/// writable, no two naming one file (the last written would replace the others), none
/// naming an input (`inputs`: replaced by results, it could not be run again).
void check_output_paths(const RunArguments& a, const CLI::App& c, const std::vector<std::string>& inputs) {
    auto resolved = [](const std::string& path) {  // through links and "..", for a file that may not exist yet
        std::error_code ec;
        const std::filesystem::path p = std::filesystem::weakly_canonical(path, ec);
        return ec ? std::filesystem::absolute(path) : p;
    };
    std::vector<std::pair<std::string, std::filesystem::path>> named;
    for (const std::string& in : inputs) named.emplace_back("the input " + in, resolved(in));
    for (const auto& [option, path] : {std::pair<const char*, const std::string*>{"--out", &a.out}, {"--summary-csv", &a.summary_csv},
                                       {"--samples", &a.samples}, {"--part", &a.part}}) {
        const CLI::Option* given = c.get_option_no_throw(option);
        if (given == nullptr || given->count() == 0) continue;
        check_output_path(option, *path);
        const std::filesystem::path file = resolved(*path);
        for (const auto& [what, other] : named)
            if (file == other)
                throw InvalidInput(std::string("command line ") + option, "a file no other output or input names", "\"" + *path + "\", also " + what);
        named.emplace_back(option, file);
    }
}

void run_command(const RunArguments& a, const CLI::App& c) {
    const RunInput input = run_input(a, c);
    const Scenario& sc = input.scenario;
    const SimulationOptions o = options_from(sc, a, c);
    if (c.count("--compare-with")) check_baseline_model(sc, a.compare_with);
    check_output_paths(a, c, {c.count("--replay") ? a.replay : a.scenario});
    const unsigned threads = static_cast<unsigned>(std::min<std::uint64_t>(resolve_threads(o.threads), o.trials));
    if (o.threads > threads) std::fprintf(stderr, "apmsim: note: %u threads requested, %u used (at most one per trial)\n", o.threads, threads);
    std::atomic<std::uint64_t> done{0};
    const auto start = std::chrono::steady_clock::now();
    RunResults run;
    {
        ProgressLine progress(!a.quiet, trial_progress(done, o.trials));
        naming_scenario_file(a.scenario, [&] { run = apmsim::run(sc, o, {&stop_flag(), &done}); });
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (c.count("--part")) {
        write_run_part(a.part, sc, o, run);
        std::printf("part (trials %llu to %llu) written to %s\n", static_cast<unsigned long long>(o.trial_begin),
                    static_cast<unsigned long long>(o.trial_begin + o.trials - 1), a.part.c_str());
    }
    char how[64];
    std::snprintf(how, sizeof how, "%u thread(s), %.2f s", threads, seconds);
    const Json document = report_run(sc, o, run, how, a, c, !input.replayed.is_null());
    if (!input.replayed.is_null()) report_replay(input.replayed, document, a.replay);
}

/// apmsim merge: the part files of a run split by trial ranges, joined into the whole run's
/// summary and outputs, bit for bit what one run of all the trials gives.
void merge_command(const std::vector<std::string>& files, const RunArguments& a, const CLI::App& c) {
    check_output_paths(a, c, files);
    std::vector<RunPart> parts;
    for (const std::string& file : files) parts.push_back(read_run_part(file));
    const RunPart whole = merge_run_parts(parts, files);
    if (c.count("--compare-with")) check_baseline_model(whole.scenario, a.compare_with);
    report_run(whole.scenario, whole.scenario.settings, whole.results, "merged from " + std::to_string(parts.size()) + " part(s)", a, c);
}

struct DefaultScenarioArguments {
    std::string members = "1000", years = "3", out;
};

void default_scenario_command(const DefaultScenarioArguments& a, const CLI::App& c) {
    const auto members = whole_number("--members", a.members, 100'000'000, 1);
    const auto years = whole_number("--years", a.years, 100, 1);
    const auto s = Scenario::default_cmc_program(members, static_cast<int>(years));
    const std::string text = scenario_to_json(s).dump(2) + "\n";
    if (c.count("--out")) {
        check_output_path("--out", a.out);
        write_file_atomically(a.out, text);
    } else {
        std::fputs(text.c_str(), stdout);
    }
}

/// Every problem of one file (a scenario, or a sweep when it has "axes"), printed; warnings too.
std::size_t validate_file(const std::string& file, std::size_t& warnings) {
    std::vector<InvalidInput> problems;
    Json doc;
    try {
        doc = read_json_file(file, "a scenario or sweep file (JSON)");
    } catch (const InvalidInput& e) {
        problems.push_back(e);
    }
    std::string what;
    if (problems.empty() && doc.is_object() && doc.contains("axes")) {
        try {
            const std::size_t n = expand(load_sweep(file)).size();
            what = "sweep of " + std::to_string(n) + " variants";
        } catch (const InvalidInput& e) {
            problems.push_back(e);
        }
    } else if (problems.empty()) {
        ValidationReport report = validate_scenario_document(doc);
        problems = std::move(report.errors);
        for (const ScenarioWarning& w : report.warnings) {
            std::fprintf(stderr, "apmsim: warning: %s: %s: %s\n", file.c_str(), w.where.c_str(), w.message.c_str());
            ++warnings;
        }
        if (const auto& s = report.scenario)
            what = "scenario \"" + s->name + "\": " + std::to_string(s->population.size()) + " members, " + std::to_string(s->years()) +
                   " year(s), " + std::to_string(s->payment_models.size()) + " payment model(s)";
    }
    for (const InvalidInput& e : problems) {
        const bool located = e.where().rfind(file, 0) == 0;
        std::fprintf(stderr, "apmsim: error: %s%s\n", located ? "" : (file + ": ").c_str(), e.what());
    }
    if (problems.empty()) std::printf("%s: ok (%s)\n", file.c_str(), what.c_str());
    return problems.size();
}

}  // namespace

void add_run_commands(CLI::App& app) {
    auto args = std::make_shared<RunArguments>();
    CLI::App* run = app.add_subcommand("run", "Simulate a scenario, settle its payment models, print a summary and write results.");
    run->add_option("scenario", args->scenario, "the scenario file (JSON; docs/scenario-format.md)")->type_name("SCENARIO.json");
    run->add_option("--replay", args->replay,
                    "run again the resolved scenario, seed and trials a results file records (apmsim run --out) and report "
                    "whether the numbers are identical; instead of SCENARIO.json")->type_name("RESULTS.json");
    run->add_option("--trials", args->trials, "number of trials, 1 to 4294967295 (default: the scenario's settings.trials)")->type_name("N");
    run->add_option("--trial-begin", args->trial_begin,
                    "the first trial's number: run trials B .. B + trials - 1 only, a part of a larger run that "
                    "apmsim merge (with --part) or apmsim.merge_trial_ranges in Python joins bit for bit (default 0)")->type_name("B");
    run->add_option("--seed", args->seed, "random seed, a whole number (default: settings.seed)")->type_name("S");
    run->add_option("--threads", args->threads,
                    "worker threads, 0 = all cores, at most 1024 (default: settings.threads); never more than trials; results never depend on it")->type_name("T");
    run->add_option("--calibration-trials", args->calibration_trials,
                    "trials of the base-case sample that prices stop-loss and fixes truncation points, 1 to 10000000 (default: settings.calibration_trials)")->type_name("M");
    run->add_option("--mode", args->mode,
                    "exact (every event's severity drawn) or tabulated (counts exact, sums of severities from precomputed "
                    "quantile tables: faster, its error stated in the README, Tabulated mode) (default: settings.mode, exact)")->type_name("MODE");
    run->add_option("--out", args->out, "results JSON to write (default: none)")->type_name("FILE");
    run->add_option("--summary-csv", args->summary_csv,
                    "every statistic as a long CSV table: model,arm,year,party,component,category,tier,measure,statistic,value (default: none)")->type_name("FILE");
    run->add_option("--samples", args->samples, "per-trial values as a long CSV table: trial,year,arm,measure,model,party,value (default: none)")->type_name("FILE");
    run->add_option("--compare-with", args->compare_with,
                    "print each payment model's net result minus this model's (the status quo, e.g. fee_for_service) on the same trials")
        ->type_name("MODEL");
    run->add_option("--part", args->part,
                    "also write this run's exact results as a part file, for apmsim merge to join with the other trial ranges "
                    "(--trial-begin, --trials) into the whole run (default: none)")->type_name("FILE");
    run->add_flag("--quiet", args->quiet, "no progress line (there is none either when stderr is not a terminal)");
    run->footer("Outputs are checked before the simulation starts and written through temporary files: a failed or\n"
                "interrupted run (Ctrl-C, SIGTERM: exit 130) leaves none behind. --flag=value works too.");
    run->callback(action(run, [args, run] { run_command(*args, *run); }));

    auto margs = std::make_shared<RunArguments>();
    auto parts = std::make_shared<std::vector<std::string>>();
    CLI::App* merge = app.add_subcommand("merge", "Join the part files of a run split by trial ranges (apmsim run --part) into the whole run's results.");
    merge->add_option("parts", *parts, "part files, in any order: consecutive trial ranges of one scenario and seed")->required()->type_name("PART...");
    merge->add_option("--out", margs->out, "results JSON to write (default: none); the same bytes one run of all the trials writes")->type_name("FILE");
    merge->add_option("--summary-csv", margs->summary_csv, "every statistic as a long CSV table (as apmsim run)")->type_name("FILE");
    merge->add_option("--samples", margs->samples, "per-trial values as a long CSV table (as apmsim run)")->type_name("FILE");
    merge->add_option("--compare-with", margs->compare_with, "print each payment model's net result minus this model's")->type_name("MODEL");
    merge->footer("Example: apmsim run S.json --trials 500 --trial-begin 0 --part a.part; ... --trial-begin 500 --part b.part;\n"
                  "apmsim merge a.part b.part --out results.json gives the results of apmsim run S.json --trials 1000 --out results.json.");
    merge->callback(action(merge, [margs, parts, merge] { merge_command(*parts, *margs, *merge); }));

    auto files = std::make_shared<std::vector<std::string>>();
    CLI::App* v = app.add_subcommand("validate", "Check scenario and sweep files without running them: every problem at once, and warnings.");
    v->add_option("files", *files, "scenario or sweep files (JSON; a sweep has \"axes\")")->required()->type_name("FILE...");
    v->footer("Each problem names the file, the JSON path, what was expected and what was found; exit code 2 when any\n"
              "file has one. Warnings (exit 0) flag legal but implausible inputs: a benchmark or capitation far from the\n"
              "expected cost of what it covers, a corridor band beyond 100% of the target, an FMAP above any state's\n"
              "regular match. apmsim run prints them too and records them in its results JSON.");
    v->callback(action(v, [files] {
        std::size_t problems = 0, warnings = 0;
        for (const std::string& file : *files) problems += validate_file(file, warnings);
        if (problems > 0)
            throw InvalidInput("command line", "files without problems", std::to_string(problems) + " problem(s), " + std::to_string(warnings) + " warning(s)");
    }));

    auto dargs = std::make_shared<DefaultScenarioArguments>();
    CLI::App* d = app.add_subcommand("default-scenario", "Print (or write) the bundled default CMC program scenario (shared/DOMAIN.md section 2).");
    d->add_option("--members", dargs->members, "children in the synthetic population, 1 to 100000000")->capture_default_str()->type_name("N");
    d->add_option("--years", dargs->years, "years simulated, 1 to 100")->capture_default_str()->type_name("Y");
    d->add_option("--out", dargs->out, "scenario JSON to write (default: standard output)")->type_name("FILE");
    d->callback(action(d, [dargs, d] { default_scenario_command(*dargs, *d); }));
}

}  // namespace apmsim::cli
