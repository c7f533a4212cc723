// apmsim msr: minimum savings rates, error rates and members needed for pools of given
// sizes (shared/DOMAIN.md sections 1 and 4; include/apmsim/analytics/size_analytics.hpp).
#include "cli_common.hpp"

#include "apmsim/analytics/minimum_savings_rate.hpp"
#include "apmsim/analytics/size_analytics.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace apmsim::cli {
namespace {

double option(const Flags& flags, const std::string& flag, double fallback) {
    const auto it = flags.find(flag);
    return it == flags.end() ? fallback : real_number(flag, it->second);
}

void require_open_unit(const std::string& flag, double v, const std::string& text) {
    if (!(v > 0.0 && v < 1.0)) throw InvalidInput("command line " + flag, "a number between 0 and 1 (exclusive)", "\"" + text + "\"");
}

std::vector<double> member_list(const std::string& text) {
    std::vector<double> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const auto n = whole_number("--members", item, 1'000'000'000'000ull);
        if (n == 0) throw InvalidInput("command line --members", "pool sizes of at least 1 member", "\"" + item + "\"");
        out.push_back(static_cast<double>(n));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::string whole(double n) { return money(std::ceil(n * (1 - 1e-12))); }

void msr_command(const Flags& flags) {
    if (!flags.count("--members")) throw InvalidInput("command line --members", "pool sizes, e.g. --members 500,1000", "nothing");
    const std::vector<double> members = member_list(flags.at("--members"));
    const auto text = [&](const std::string& flag) { return flags.count(flag) ? flags.at(flag) : std::string(); };

    const double cv = option(flags, "--cv", 1.676);
    if (!(cv > 0.0)) throw InvalidInput("command line --cv", "a number > 0", "\"" + text("--cv") + "\"");
    const double confidence = option(flags, "--confidence", 0.90);
    require_open_unit("--confidence", confidence, text("--confidence"));
    const Sides sides = flags.count("--sides") ? sides_from_string("command line --sides", flags.at("--sides")) : Sides::two;
    const double saving = option(flags, "--saving", 0.046);
    require_open_unit("--saving", saving, text("--saving"));
    const double power = option(flags, "--power", 0.80);
    require_open_unit("--power", power, text("--power"));
    const double alpha = option(flags, "--false-reward", 0.05);
    require_open_unit("--false-reward", alpha, text("--false-reward"));
    const double target = option(flags, "--target-msr", 0.02);
    require_open_unit("--target-msr", target, text("--target-msr"));

    const double z = confidence_z(confidence, sides);
    std::printf("Minimum savings rates: member-level cost CV %.3f, %s %s-sided confidence (z = %.3f)\n\n", cv,
                pct(confidence).c_str(), to_string(sides), z);
    const std::vector<int> w = {12, 10, 11, 17, 17, 22};
    print_row({"members", "CI MSR", "MSSP MSR", "P(false reward)", "P(false reward)", "P(reward | saving)"}, w);
    print_row({"", "", "", "at CI MSR", "at MSSP MSR", "at CI MSR, s=" + pct(saving)}, w);
    for (double n : members) {
        const double ci = minimum_savings_rate(n, cv, confidence, sides);
        std::string table = "-", false_table = "-";
        if (n >= 5'000) {
            const double m = mssp_minimum_savings_rate(n);
            table = pct(m);
            false_table = pct(false_reward_probability(n, cv, m));
        }
        print_row({money(n), pct(ci), table, pct(false_reward_probability(n, cv, ci)), false_table,
                   pct(reward_probability(n, cv, ci, saving))},
                  w);
    }
    const double n_msr = members_for_msr(target, cv, confidence, sides);
    const double n_detect = members_to_detect_saving(saving, cv, alpha, power);
    std::printf("\nMembers needed for a CI MSR of %s: %s\n", pct(target).c_str(), whole(n_msr).c_str());
    std::printf("Members needed to detect a true saving of %s with %s power at a %s false-reward rate: %s"
                " (MSR there %s)\n",
                pct(saving).c_str(), pct(power).c_str(), pct(alpha).c_str(), whole(n_detect).c_str(),
                pct(msr_for_false_reward(n_detect, cv, alpha)).c_str());
}

}  // namespace

void add_msr_command(CLI::App& app) {
    CLI::App* c = app.add_subcommand("msr", "Minimum savings rates, error rates and members needed for pools of given sizes.");
    c->footer(
        "Minimum savings rates (MSR) and error rates of shared-savings thresholds for pools of N members whose annual\n"
        "cost has coefficient of variation C (normal approximation: the observed savings rate is N(s, ((1 - s) C)^2 / N)\n"
        "for a true saving s). Columns: CI MSR = z C / sqrt(N); MSSP MSR = 42 CFR 425.604(b) table (from 5,000);\n"
        "P(false reward) = P(reward | no saving) at that MSR; P(reward | saving) at the CI MSR.");
    const auto flags = add_text_options(
        c, {{"--members", "pool sizes, comma-separated whole numbers (required)"},
            {"--cv", "member-level cost CV (default 1.676, DOMAIN section 4); for a pool whose tier mix is fixed the within-tier CV "
                     "governs the noise of the pool's mean ('apmsim run' prints both)"},
            {"--confidence", "confidence level of the MSR interval (default 0.9)"},
            {"--sides", "'two' (z = Phi^-1((1+P)/2), CMS's z = 1.645) or 'one' (default two)"},
            {"--saving", "a true saving for the power column and members needed (default 0.046, the CARE evaluation's -4.6%)"},
            {"--power", "power for members needed (default 0.8)"},
            {"--false-reward", "false-reward rate for members needed (default 0.05)"},
            {"--target-msr", "an MSR to find the members needed for (default 0.02, the MSSP floor)"}});
    c->callback(action(c, [flags] { msr_command(*flags); }));
}

}  // namespace apmsim::cli
