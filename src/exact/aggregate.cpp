// The aggregate loss driver (exact/aggregate.hpp), compiled once.
#include "apmsim/exact/aggregate.hpp"

namespace apmsim {

namespace {

/// E[N] times the mean of the discretised severity: its lattice masses, and beyond the
/// lattice (its tail mass) the severity's own E[X; X > upper]. The mean of the lattice's
/// compound model, whatever probability the aggregate lattice misses.
double discretised_model_mean(const Frequency& frequency, const Severity& severity, const DiscretizedSeverity& f) {
    double m = 0.0;
    for (std::size_t j = 0; j < f.masses.size(); ++j) m += static_cast<double>(j) * f.step * f.masses[j];
    const double u = f.upper();
    const double beyond = mean(severity) - limited_expected_value(severity, u) + u * (1.0 - cdf(severity, u));  // E[X; X > u]
    return mean(frequency) * (m + std::max(0.0, beyond));
}

}  // namespace

AggregateDistribution aggregate(const Frequency& frequency, const Severity& severity,
                                       const AggregateOptions& options) {
    options.validate();
    const Cumulants s = compound_cumulants(frequency, severity);
    AggregateDiagnostics diag;
    diag.method = aggregate_method_name(options.method);
    const Grid grid = aggregate_grid(s, frequency, severity, options, diag.notes);

    switch (options.method) {
        case AggregateMethod::panjer:
        case AggregateMethod::fft: {
            const DiscretizedSeverity f = discretize(severity, grid, options.discretization);
            diag.discretization = discretization_name(options.discretization);
            diag.severity_tail_mass = f.tail_mass;
            std::vector<double> pmf;
            if (options.method == AggregateMethod::panjer) {
                PanjerResult r = panjer(frequency, f.masses, grid.nodes);
                diag.rescalings = r.rescalings;
                pmf = std::move(r.pmf);
            } else {
                FftResult r = fft_compound(frequency, f.masses, grid.nodes, options.padding, options.tilt);
                diag.fft_length = r.length;
                diag.tilt = options.tilt;
                diag.aliasing_estimate = r.aliasing_estimate;
                diag.roundoff = r.roundoff;
                pmf = std::move(r.pmf);
            }
            return AggregateDistribution(LatticeDistribution(grid.step, std::move(pmf)), grid.step, grid.nodes, s, diag,
                                         discretised_model_mean(frequency, severity, f));
        }
        case AggregateMethod::normal:
        case AggregateMethod::normal_power:
        case AggregateMethod::translated_gamma: {
            if (!std::isfinite(s.k2) || !(s.k2 > 0.0))
                throw InvalidInput("severity", "a model with finite positive aggregate variance for the " +
                                                   std::string(diag.method) + " approximation",
                                   "variance " + show(s.k2));
            const double sd = std::sqrt(s.k2), skew = s.skewness();
            if (options.method != AggregateMethod::normal) {
                if (!std::isfinite(skew))
                    throw InvalidInput("severity", "a severity with a finite third moment for " + diag.method,
                                       "an infinite third moment");
                const bool ok = options.method == AggregateMethod::normal_power ? skew >= 0.0 : skew > 0.0;
                if (!ok)
                    throw InvalidInput("method", "a positively skewed aggregate for " + diag.method,
                                       "skewness " + show(skew));
            }
            AggregateRepresentation rep = NormalApproximation(s.k1, sd);
            if (options.method == AggregateMethod::normal_power) rep = NormalPowerApproximation(s.k1, sd, skew);
            if (options.method == AggregateMethod::translated_gamma) rep = TranslatedGammaApproximation(s.k1, sd, skew);
            diag.mass_below_zero = std::visit([](const auto& d) { return d.cdf(0.0); }, rep);
            if (options.method == AggregateMethod::normal_power && skew > 2.0)
                diag.notes.push_back("skewness " + show(skew) + " > 2: the normal power approximation is unreliable");
            return AggregateDistribution(std::move(rep), grid.step, grid.nodes, s, diag);
        }
        case AggregateMethod::simulation: {
            diag.samples = options.samples;
            diag.seed = options.seed;
            return AggregateDistribution(EmpiricalDistribution(simulate_compound(frequency, severity, options.samples, options.seed)),
                                         grid.step, grid.nodes, s, diag);
        }
    }
    throw InvalidInput("method", "a known method", "?");
}

std::vector<double> simulate_compound(const Frequency& frequency, const Severity& severity, std::uint64_t samples,
                                             std::uint64_t seed) {
    using random::StreamKind;
    using random::variable_id;
    if (samples < 1 || samples > 0xFFFFFFFFull)
        throw InvalidInput("samples", "1 to 4294967295 samples", std::to_string(samples));
    std::vector<double> out(samples);
    std::visit(
        [&](const auto& n_dist, const auto& x_dist) {
            for (std::uint64_t i = 0; i < samples; ++i) {
                const auto trial = static_cast<std::uint32_t>(i);
                random::Stream count_stream(seed, trial, 0u, variable_id(StreamKind::sample, 0u, 1u));
                const std::uint32_t n = n_dist.draw(count_stream);
                random::Stream severity_stream(seed, trial, 0u, variable_id(StreamKind::sample, 0u, 2u));
                double s = 0.0;
                for (std::uint32_t k = 0; k < n; ++k) s += static_cast<double>(x_dist.draw(severity_stream));
                out[i] = s;
            }
        },
        frequency, severity);
    return out;
}

}  // namespace apmsim
