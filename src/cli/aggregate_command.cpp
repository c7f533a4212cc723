// apmsim aggregate: the distribution of an aggregate loss S = X_1 + ... + X_N by Panjer,
// FFT, the normal / normal-power / translated-gamma approximations or simulation
// (include/apmsim/exact/aggregate.hpp), printed as tables: moments against the analytic
// ones, quantiles (VaR) with expected shortfall, stop-loss premiums and the diagnostics.
#include "cli_common.hpp"

#include "apmsim/distributions/json.hpp"
#include "apmsim/exact/exact.hpp"
#include "apmsim/version.hpp"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace apmsim::cli {
namespace {

const char* const aggregate_usage =
    "usage: apmsim aggregate --frequency JSON --severity JSON [options]\n"
    "  Distribution of an aggregate loss S = X_1 + ... + X_N (Loss Models, chapter 9).\n"
    "  --frequency JSON      count: {\"type\": \"poisson\", \"mean\": 2}; also negative_binomial\n"
    "                        (mean, dispersion | mean, cv), binomial (n, p), zero_modified_poisson (mean, p0)\n"
    "  --severity JSON       cost per claim: {\"type\": \"lognormal\", \"mean\": 1000, \"cv\": 2}; also gamma,\n"
    "                        weibull, pareto (mean, cv or native parameters), spliced_lognormal_pareto\n"
    "  --method M            panjer (default), fft, normal, normal_power, translated_gamma, simulation, all\n"
    "  --step H              lattice step (default: automatic)\n"
    "  --nodes N             lattice nodes (default 32768 when no step is given)\n"
    "  --upper U             lattice upper end (default: mean + 10 sd or the one-large-claim quantile)\n"
    "  --discretization D    rounding (default), upper, lower, unbiased\n"
    "  --samples N           simulation draws (default 100000)\n"
    "  --seed S              simulation seed (default 20261123)\n"
    "  --quantiles LIST      comma-separated probabilities (default 0.5,0.75,0.9,0.95,0.99,0.995,0.999)\n"
    "  --retentions LIST     comma-separated stop-loss retentions d (default 1, 1.5, 2 and 3 times the mean)\n";

std::string number(double x, int digits = 6) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    return buf;
}

std::vector<double> number_list(const std::string& flag, const std::string& text) {
    std::vector<double> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        out.push_back(real_number(flag, item));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

Json parse_json(const std::string& flag, const std::string& text) {
    try {
        return Json::parse(text);
    } catch (const std::exception&) {
        throw InvalidInput("command line " + flag, "a JSON object such as {\"type\": \"poisson\", \"mean\": 2}",
                           "\"" + text + "\"");
    }
}

void print_result(const AggregateDistribution& d, const std::vector<double>& quantiles, std::vector<double> retentions) {
    const AggregateDiagnostics& g = d.diagnostics();
    std::printf("method %s", g.method.c_str());
    if (!g.discretization.empty()) std::printf(", %s discretisation", g.discretization.c_str());
    std::printf(", lattice step %s, %zu nodes (upper end %s)\n", number(d.step()).c_str(), d.nodes(),
                number(d.step() * static_cast<double>(d.nodes() - 1)).c_str());

    const Moments c = d.moments(), a = d.analytic_moments();
    const MomentErrors e = d.moment_errors();
    const std::vector<int> w = {12, 16, 16, 20};
    print_row({"moment", "computed", "analytic", "difference"}, w);
    print_row({"mean", number(c.mean, 8), number(a.mean, 8), number(e.mean_relative, 2) + " rel"}, w);
    print_row({"sd", number(std::sqrt(c.variance), 8), number(std::sqrt(a.variance), 8),
               number(e.variance_relative, 2) + " rel var"},
              w);
    print_row({"skewness", number(c.skewness, 6), number(a.skewness, 6), number(e.skewness_absolute, 2)}, w);
    std::printf("\n");

    const std::vector<int> wq = {10, 16, 16};
    print_row({"p", "quantile", "exp_shortfall"}, wq);
    for (double p : quantiles) {
        try {
            print_row({number(p), number(d.quantile(p), 8), number(d.expected_shortfall(p), 8)}, wq);
        } catch (const ComputationError&) {
            print_row({number(p), "beyond lattice", "beyond lattice"}, wq);
        }
    }
    std::printf("\n");

    if (retentions.empty())
        for (double k : {1.0, 1.5, 2.0, 3.0}) retentions.push_back(k * a.mean);
    const std::vector<int> ws = {16, 18, 18};
    print_row({"retention d", "E[(S-d)+]", "E[min(S,d)]"}, ws);
    for (double r : retentions)
        print_row({number(r, 8), number(d.stop_loss_premium(r), 8), number(d.limited_expected_value(r), 8)}, ws);
    std::printf("\n");

    std::printf("diagnostics: missing mass %s, severity tail mass %s", number(g.missing_mass, 3).c_str(),
                number(g.severity_tail_mass, 3).c_str());
    if (g.method == "fft")
        std::printf(", FFT length %zu, tilt %s, aliasing estimate %s, round-off %s", g.fft_length, number(g.tilt).c_str(),
                    number(g.aliasing_estimate, 3).c_str(), number(g.roundoff, 3).c_str());
    if (g.method == "panjer") std::printf(", rescalings %d", g.rescalings);
    if (g.method == "simulation")
        std::printf(", %llu samples, seed %llu", static_cast<unsigned long long>(g.samples),
                    static_cast<unsigned long long>(g.seed));
    if (g.mass_below_zero > 0.0) std::printf(", P(S < 0) of the approximation %s", number(g.mass_below_zero, 3).c_str());
    std::printf("\n");
    for (const auto& note : g.notes) std::printf("note: %s\n", note.c_str());
}

}  // namespace

int aggregate_command(int argc, char** argv) {
    const Args a = parse(argc, argv,
                         {"--frequency", "--severity", "--method", "--step", "--nodes", "--upper", "--discretization",
                          "--samples", "--seed", "--quantiles", "--retentions", "--tail-target"});
    if (a.help) {
        std::fputs(aggregate_usage, stdout);
        return 0;
    }
    if (!a.positional.empty())
        throw InvalidInput("command line", "no positional arguments (see apmsim aggregate --help)",
                           "\"" + a.positional[0] + "\"");
    if (!a.flags.count("--frequency")) throw InvalidInput("command line --frequency", "a count distribution as JSON", "nothing");
    if (!a.flags.count("--severity")) throw InvalidInput("command line --severity", "a severity distribution as JSON", "nothing");
    const Frequency frequency = frequency_from_json(parse_json("--frequency", a.flags.at("--frequency")), "--frequency");
    const Severity severity = severity_from_json(parse_json("--severity", a.flags.at("--severity")), "--severity");

    AggregateOptions o;
    if (a.flags.count("--step")) o.step = real_number("--step", a.flags.at("--step"));
    if (a.flags.count("--step")) check::positive("command line --step", o.step);
    if (a.flags.count("--nodes")) {
        o.nodes = whole_number("--nodes", a.flags.at("--nodes"), max_grid_nodes);
        if (o.nodes < 2) throw InvalidInput("command line --nodes", "2 to " + std::to_string(max_grid_nodes), a.flags.at("--nodes"));
    }
    if (a.flags.count("--upper")) {
        o.upper = real_number("--upper", a.flags.at("--upper"));
        check::positive("command line --upper", o.upper);
    }
    if (a.flags.count("--discretization"))
        o.discretization = discretization_from_name("command line --discretization", a.flags.at("--discretization"));
    if (a.flags.count("--samples")) {
        o.samples = whole_number("--samples", a.flags.at("--samples"), 0xFFFFFFFFull);
        if (o.samples < 2) throw InvalidInput("command line --samples", "2 to 4294967295", a.flags.at("--samples"));
    }
    if (a.flags.count("--seed")) o.seed = whole_number("--seed", a.flags.at("--seed"), ~0ull);
    if (a.flags.count("--tail-target")) {
        o.tail_target = real_number("--tail-target", a.flags.at("--tail-target"));
        check::in_open("command line --tail-target", o.tail_target, 0.0, 0.5);
    }
    std::vector<double> quantiles = {0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999}, retentions;
    if (a.flags.count("--quantiles")) quantiles = number_list("--quantiles", a.flags.at("--quantiles"));
    for (double p : quantiles) check::in_open("command line --quantiles", p, 0.0, 1.0);
    if (a.flags.count("--retentions")) retentions = number_list("--retentions", a.flags.at("--retentions"));

    std::vector<AggregateMethod> methods;
    const std::string method = a.flags.count("--method") ? a.flags.at("--method") : "panjer";
    if (method == "all")
        methods = {AggregateMethod::panjer, AggregateMethod::fft, AggregateMethod::normal, AggregateMethod::normal_power,
                   AggregateMethod::translated_gamma, AggregateMethod::simulation};
    else
        methods = {aggregate_method_from_name("command line --method", method)};

    std::printf("apmsim %s | aggregate loss: frequency %s, severity %s\n", apmsim::version, to_json(frequency).dump().c_str(),
                to_json(severity).dump().c_str());
    std::printf("E[N] = %s, E[X] = %s\n\n", number(mean(frequency)).c_str(), number(mean(severity)).c_str());
    for (std::size_t k = 0; k < methods.size(); ++k) {
        o.method = methods[k];
        if (methods.size() > 1) std::printf("== %s ==\n", aggregate_method_name(o.method));
        try {
            print_result(aggregate(frequency, severity, o), quantiles, retentions);
        } catch (const InvalidInput& e) {
            if (methods.size() == 1) throw;
            std::printf("not available: %s\n", e.what());
        }
        std::printf("\n");
    }
    return 0;
}

}  // namespace apmsim::cli
