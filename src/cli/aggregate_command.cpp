// apmsim aggregate: the distribution of an aggregate loss S = X_1 + ... + X_N by Panjer,
// FFT, the normal / normal-power / translated-gamma approximations or simulation
// (include/apmsim/exact/aggregate.hpp), printed as tables: moments against the analytic
// ones, quantiles (VaR) with expected shortfall, stop-loss premiums and the diagnostics.
#include "cli_common.hpp"

#include "apmsim/distributions/json.hpp"
#include "apmsim/exact/exact.hpp"
#include "apmsim/version.hpp"

#include <cstdio>
#include <optional>
#include <cstring>
#include <string>
#include <cmath>
#include <vector>

namespace apmsim::cli {
namespace {

std::string number(double x, int digits = 6) {
    if (std::isnan(x)) return "n/a";  // e.g. the skewness of an infinite variance
    if (std::isinf(x)) return x > 0 ? "infinite" : "-infinite";
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
    for (double r : retentions) {
        try {
            print_row({number(r, 8), number(d.stop_loss_premium(r), 8), number(d.limited_expected_value(r), 8)}, ws);
        } catch (const ComputationError&) {
            print_row({number(r, 8), "beyond lattice", "beyond lattice"}, ws);
        }
    }
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

void aggregate_command(const Flags& flags) {
    if (!flags.count("--frequency")) throw InvalidInput("command line --frequency", "a count distribution as JSON", "nothing");
    if (!flags.count("--severity")) throw InvalidInput("command line --severity", "a severity distribution as JSON", "nothing");
    const Frequency frequency = frequency_from_json(parse_json("--frequency", flags.at("--frequency")), "--frequency");
    const Severity severity = severity_from_json(parse_json("--severity", flags.at("--severity")), "--severity");

    AggregateOptions o;
    if (flags.count("--step")) o.step = real_number("--step", flags.at("--step"));
    if (flags.count("--step")) check::positive("command line --step", o.step);
    if (flags.count("--nodes")) {
        o.nodes = whole_number("--nodes", flags.at("--nodes"), max_grid_nodes);
        if (o.nodes < 2) throw InvalidInput("command line --nodes", "2 to " + std::to_string(max_grid_nodes), flags.at("--nodes"));
    }
    if (flags.count("--upper")) {
        o.upper = real_number("--upper", flags.at("--upper"));
        check::positive("command line --upper", o.upper);
    }
    if (flags.count("--discretization"))
        o.discretization = discretization_from_name("command line --discretization", flags.at("--discretization"));
    if (flags.count("--samples")) {
        o.samples = whole_number("--samples", flags.at("--samples"), AggregateOptions::max_samples);
        if (o.samples < 2) throw InvalidInput("command line --samples", "2 to " + std::to_string(AggregateOptions::max_samples), flags.at("--samples"));
    }
    if (flags.count("--seed")) o.seed = whole_number("--seed", flags.at("--seed"), ~0ull);
    if (flags.count("--tail-target")) {
        o.tail_target = real_number("--tail-target", flags.at("--tail-target"));
        check::in_open("command line --tail-target", o.tail_target, 0.0, 0.5);
    }
    std::vector<double> quantiles = {0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999}, retentions;
    if (flags.count("--quantiles")) quantiles = number_list("--quantiles", flags.at("--quantiles"));
    for (double p : quantiles) check::in_open("command line --quantiles", p, 0.0, 1.0);
    if (flags.count("--retentions")) retentions = number_list("--retentions", flags.at("--retentions"));

    std::vector<AggregateMethod> methods;
    const std::string method = flags.count("--method") ? flags.at("--method") : "panjer";
    if (method == "all")
        methods = {AggregateMethod::panjer, AggregateMethod::fft, AggregateMethod::normal, AggregateMethod::normal_power,
                   AggregateMethod::translated_gamma, AggregateMethod::simulation};
    else
        methods = {aggregate_method_from_name("command line --method", method)};

    std::printf("apmsim %s | aggregate loss: frequency %s, severity %s\n", apmsim::version, to_json(frequency).dump().c_str(),
                to_json(severity).dump().c_str());
    std::printf("E[N] = %s, E[X] = %s\n\n", number(mean(frequency)).c_str(), number(mean(severity)).c_str());
    std::optional<InvalidInput> unavailable;  // the first method's reason, an error when no method applies
    std::size_t printed = 0;
    for (std::size_t k = 0; k < methods.size(); ++k) {
        o.method = methods[k];
        if (methods.size() > 1) std::printf("== %s ==\n", aggregate_method_name(o.method));
        try {
            print_result(aggregate(frequency, severity, o), quantiles, retentions);
            ++printed;
        } catch (const InvalidInput& e) {
            if (methods.size() == 1) throw;
            if (!unavailable) unavailable = e;
            std::printf("not available: %s\n", e.what());
        }
        std::printf("\n");
    }
    if (printed == 0 && unavailable) throw *unavailable;
}

}  // namespace

void add_aggregate_command(CLI::App& app) {
    CLI::App* c = app.add_subcommand("aggregate", "Exact/approximate aggregate loss distribution tables (Loss Models, chapter 9).");
    c->footer("Distribution of an aggregate loss S = X_1 + ... + X_N: moments against the analytic ones, quantiles with\n"
                   "expected shortfall, stop-loss premiums and the method's diagnostics.");
    const auto flags = add_text_options(
        c, {{"--frequency", "count, as JSON: {\"type\": \"poisson\", \"mean\": 2}; also negative_binomial (mean, dispersion | mean, cv), "
                            "binomial (n, p), zero_modified_poisson (mean, p0) (required)"},
            {"--severity", "cost per claim, as JSON: {\"type\": \"lognormal\", \"mean\": 1000, \"cv\": 2}; also gamma, weibull, pareto "
                           "(mean, cv or native parameters), spliced_lognormal_pareto (required)"},
            {"--method", "panjer (default), fft, normal, normal_power, translated_gamma, simulation, all"},
            {"--step", "lattice step (default: automatic)"},
            {"--nodes", "lattice nodes (default 32768 when no step is given)"},
            {"--upper", "lattice upper end (default: mean + 10 sd or the one-large-claim quantile)"},
            {"--discretization", "rounding (default), upper, lower, unbiased"},
            {"--samples", "simulation draws (default 100000)"},
            {"--seed", "simulation seed (default 20261123)"},
            {"--tail-target", "probability beyond an automatic lattice upper end, in (0, 0.5) (default 1e-10)"},
            {"--quantiles", "comma-separated probabilities (default 0.5,0.75,0.9,0.95,0.99,0.995,0.999)"},
            {"--retentions", "comma-separated stop-loss retentions d (default 1, 1.5, 2 and 3 times the mean)"}});
    c->callback(action(c, [flags] { aggregate_command(*flags); }));
}

}  // namespace apmsim::cli
