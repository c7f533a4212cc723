// apmsim synth: synthetic claims and eligibility extracts of a scenario's program, with
// deliberate mess at stated rates (include/apmsim/synth.hpp).
#include "cli_common.hpp"

#include "apmsim/scenario_json.hpp"
#include "apmsim/synth.hpp"

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <string>

namespace apmsim::cli {
namespace {

struct SynthArguments {
    std::string scenario, out;
    bool clean = false;
};

/// The command-line flag of a mess rule ("enrolment_gap" -> "--enrolment-gap").
std::string flag_of(std::string name) {
    for (char& ch : name)
        if (ch == '_') ch = '-';
    return "--" + name;
}

/// An error of SynthOptions::validate ("synth.mess.void", "synth.mean_payment_lag_days")
/// named by its flag.
InvalidInput as_flag_error(const InvalidInput& e) {
    std::string where = e.where();
    for (const std::string prefix : {"synth.mess.", "synth."})
        if (where.rfind(prefix, 0) == 0) {
            where = where.substr(prefix.size());
            return InvalidInput("command line " + (where == "mean_payment_lag_days" ? std::string("--lag-days") : flag_of(where)), e.expected(),
                                e.actual());
        }
    return e;
}

SynthOptions options_from(const Flags& flags, bool clean) {
    SynthOptions o;
    if (clean) o.mess = MessRates::none();
    if (flags.count("--seed")) o.seed = whole_number("--seed", flags.at("--seed"), UINT64_MAX);
    if (flags.count("--members")) o.members = whole_number("--members", flags.at("--members"), 100'000, 1);
    if (flags.count("--years")) o.years = static_cast<int>(whole_number("--years", flags.at("--years"), 100, 1));
    if (flags.count("--start")) o.start = flags.at("--start");
    if (flags.count("--valuation")) o.valuation = flags.at("--valuation");
    if (flags.count("--lag-days")) o.mean_payment_lag_days = real_number("--lag-days", flags.at("--lag-days"));
    for (std::size_t k = 0; k < MessRates::names.size(); ++k) {
        const std::string flag = flag_of(MessRates::names[k]);
        if (flags.count(flag)) o.mess.rate(k) = real_number(flag, flags.at(flag));
    }
    try {
        o.validate("synth");
    } catch (const InvalidInput& e) {
        throw as_flag_error(e);
    }
    return o;
}

std::string size_text(std::uint64_t bytes) {
    char buf[32];
    if (bytes >= (1u << 20)) std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1u << 20));
    else std::snprintf(buf, sizeof buf, "%.1f KB", static_cast<double>(bytes) / (1u << 10));
    return buf;
}

void print_summary(const SynthSummary& s, const std::string& out, double seconds) {
    std::uint64_t injected = 0;
    for (std::size_t k = 0; k < MessRates::names.size(); ++k)
        if (k != 3 && k != 4) injected += s.mess[k].rows;  // enrolment_gap and overlap add members.csv rows
    Json truth = s.to_json();
    const Json& totals = truth["truth"]["totals"];
    std::printf("apmsim synth | %s: %s members, %d year(s) from %s, seed %llu, valuation %s (%.2f s)\n", s.scenario_name.c_str(),
                money(static_cast<double>(*s.options.members)).c_str(), *s.options.years, s.window_first.c_str(),
                static_cast<unsigned long long>(s.options.seed), s.options.valuation.c_str(), seconds);
    std::printf("%s/members.csv: %s rows (%s with an enrolment gap, %s with overlapping spans), %s\n", out.c_str(),
                money(static_cast<double>(s.member_rows)).c_str(), money(static_cast<double>(s.rule("enrolment_gap").units)).c_str(),
                money(static_cast<double>(s.rule("overlap").units)).c_str(), size_text(s.members_bytes).c_str());
    std::printf("%s/claims.csv: %s rows (%s true lines paid by the valuation date, %s rows of mess), %s\n", out.c_str(),
                money(static_cast<double>(s.claim_rows)).c_str(), money(static_cast<double>(s.true_lines_written)).c_str(),
                money(static_cast<double>(injected)).c_str(), size_text(s.claims_bytes).c_str());
    std::printf("%s/truth.json: %s true claims, %s lines, $%s allowed; %s lines ($%s) not yet paid\n", out.c_str(),
                money(totals["claims"].get<double>()).c_str(), money(totals["lines"].get<double>()).c_str(),
                money(totals["allowed"].get<double>()).c_str(), money(totals["unpaid_lines"].get<double>()).c_str(),
                money(totals["unpaid_allowed"].get<double>()).c_str());
}

void synth_command(const SynthArguments& a, const Flags& flags) {
    const SynthOptions o = options_from(flags, a.clean);
    std::error_code ec;
    if (a.out.empty() || (std::filesystem::exists(a.out, ec) && !std::filesystem::is_directory(a.out, ec)))
        throw InvalidInput("command line --out", "a folder to write the files to (created if missing)", "\"" + shorten(a.out) + "\"");
    const Scenario s = a.scenario.empty() ? Scenario::default_cmc_program() : load_scenario(a.scenario);
    const auto start = std::chrono::steady_clock::now();
    SynthSummary summary;
    try {
        summary = synthesize(s, o, a.out);
    } catch (const InvalidInput& e) {
        throw as_flag_error(e);  // the valuation against the window
    }
    print_summary(summary, a.out, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace

void add_synth_command(CLI::App& app) {
    auto args = std::make_shared<SynthArguments>();
    CLI::App* c = app.add_subcommand("synth", "Write synthetic claims and eligibility extracts of a scenario's program, with mess at stated rates.");
    c->add_option("scenario", args->scenario, "the scenario file (JSON; default: the bundled default CMC program)")->type_name("SCENARIO.json");
    c->add_option("--out", args->out, "the folder to write members.csv, claims.csv and truth.json to (created if missing)")
        ->required()
        ->type_name("DIR");
    c->add_flag("--clean", args->clean, "no mess: every rate 0 unless given");
    std::vector<std::pair<std::string, std::string>> options = {
        {"--members", "members, 1 to 100000 (default: the scenario population's size)"},
        {"--years", "calendar years of data, 1 to 100 (default: the scenario's)"},
        {"--seed", "random seed (default 1); the same seed gives the same files"},
        {"--start", "the first month, YYYY-MM (default 2024-01)"},
        {"--valuation", "the valuation date, YYYY-MM-DD: claims paid later are not written (default: the window's last day)"},
        {"--lag-days", "mean payment lag in days (default 40; exponential)"}};
    const MessRates defaults;
    for (std::size_t k = 0; k < MessRates::names.size(); ++k) {
        char text[64];
        std::snprintf(text, sizeof text, "rate of %s mess, 0 to 1 (default %g%s)", MessRates::names[k], defaults.rate(k),
                      k == 3 || k == 4 ? " of members" : " of lines");
        options.emplace_back(flag_of(MessRates::names[k]), text);
    }
    const auto flags = add_text_options(c, options);
    c->footer("Counts, severities and frailty follow the scenario's cost model as the engine draws them (trial 0, mean trend);\n"
              "truth.json records the model, the true claims per tier x category x year, run-out by incurred month and every\n"
              "row each mess rule injected. include/apmsim/synth.hpp describes the files and the rules.");
    c->callback(action(c, [args, flags] { synth_command(*args, *flags); }));
}

}  // namespace apmsim::cli
