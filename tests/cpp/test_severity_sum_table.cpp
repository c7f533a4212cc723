// Quantile tables of sums of severities (exact/severity_sum_table.hpp), checked against
// closed forms (gamma sums are gamma) and a second method (the FFT aggregate of a
// Binomial(n, 1) count, which is S_n on its own lattice).
#include "apmsim/exact/aggregate.hpp"
#include "apmsim/exact/severity_sum_table.hpp"
#include "apmsim/random/philox_stream.hpp"

#include <boost/math/distributions/gamma.hpp>
#include <gtest/gtest.h>

#include <cmath>

namespace apmsim {
namespace {

const double probabilities[] = {0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 0.9999, 1 - 1e-6, 1 - 1e-8};

// S_n of Gamma(k, theta) is Gamma(n k, theta): every tabulated quantile within the table's
// own resolution, the lattice step h (a mass spread over h) plus 0.1% (linear interpolation
// between tabulated probabilities, whose spacing is 1/2048 in the body).
TEST(SeveritySumTable, GammaSumsAreGamma) {
    const Gamma x(0.8, 1500.0);
    const SeveritySumTable table(Severity{x}, "gamma");
    for (std::uint32_t n : {1u, 2u, 5u, 16u}) {
        const boost::math::gamma_distribution<double> sum(n * 0.8, 1500.0);
        for (double u : probabilities) {
            const double expected = boost::math::quantile(sum, u);
            EXPECT_NEAR(table.quantile(n, u), expected, table.lattice_step() + 1e-3 * expected) << "n " << n << ", u " << u;
        }
    }
    EXPECT_LT(table.mean_error(), 1e-5);
    EXPECT_LT(table.sd_error(), 1e-3);
}

// Lognormal sums have no closed form: the FFT aggregate of Binomial(n, 1) events (another
// lattice, another transform length, rounding discretisation) gives S_n independently.
// Agreement within both lattice steps plus 0.2% (each interpolates differently in the tail).
TEST(SeveritySumTable, LognormalSumsAgreeWithTheFftAggregate) {
    const Lognormal x = Lognormal::from_mean_cv(26000.0, 2.5);  // the default program's inpatient cell (tier A)
    const SeveritySumTable table(Severity{x}, "lognormal");
    for (std::uint32_t n : {1u, 3u, 16u}) {
        AggregateOptions o;
        o.method = AggregateMethod::fft;
        o.nodes = 1u << 18;
        const AggregateDistribution other = aggregate(Frequency{Binomial(n, 1.0)}, Severity{x}, o);
        for (double u : {0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999}) {
            const double expected = other.quantile(u);
            EXPECT_NEAR(table.quantile(n, u), expected, table.lattice_step() + other.step() + 2e-3 * expected) << "n " << n << ", u " << u;
        }
    }
    EXPECT_LT(table.mean_error(), 1e-4);
    EXPECT_LT(table.sd_error(), 2e-3);
}

// Drawn as the engine draws (one uniform per sum), a million sums of 16 have the closed-form
// mean and variance of S_16 within 4 standard errors: the tables, their interpolation and
// the extrapolated tail together.
TEST(SeveritySumTable, DrawsHaveTheClosedFormMoments) {
    const Lognormal x = Lognormal::from_mean_cv(700.0, 1.5);
    const SeveritySumTable table(Severity{x}, "lognormal");
    random::Stream s(7, 0, 0, 0);
    constexpr int draws = 1'000'000;
    double m1 = 0, m2 = 0;
    for (int i = 0; i < draws; ++i) {
        const double v = table.quantile(16, s.uniform());
        m1 += v;
        m2 += v * v;
    }
    m1 /= draws;
    const double var = m2 / draws - m1 * m1;
    const double mean = 16 * x.mean(), sd = std::sqrt(16 * x.variance());
    EXPECT_NEAR(m1, mean, 4 * sd / std::sqrt(draws));
    // Var of the sample variance ~ (mu4 - sigma^4)/n; S_16's kurtosis is modest: 4 SE with a kurtosis bound of 30.
    EXPECT_NEAR(var, sd * sd, 4 * sd * sd * std::sqrt(30.0 / draws));
}

TEST(SeveritySumTable, QuantilesNeverDecrease) {
    const SeveritySumTable table(Severity{Lognormal::from_mean_cv(260.0, 2.0)}, "pharmacy");
    for (std::uint32_t n = 1; n <= SeveritySumTable::chunk; ++n) {
        double previous = 0.0;
        for (double u = 1e-9; 1.0 - u > 1e-14; u = u < 1e-4 ? u * 1.5 : (u < 0.99 ? u + 1e-4 : 1.0 - (1.0 - u) / 1.5)) {
            const double q = table.quantile(n, u);
            ASSERT_GE(q, previous) << "n " << n << ", u " << u;
            previous = q;
        }
        EXPECT_GE(table.quantile(n, 0.5), table.quantile(n == 1 ? 1 : n - 1, 0.5));
    }
}

TEST(SeveritySumTable, RefusesAnInfiniteVarianceNamingTheCell) {
    try {
        SeveritySumTable(Severity{Pareto(1.8, 1000.0)}, "cost_model.cells.inpatient.A.severity");
        FAIL() << "an infinite variance was accepted";
    } catch (const InvalidInput& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("cost_model.cells.inpatient.A.severity"), std::string::npos) << what;
        EXPECT_NE(what.find("exact mode"), std::string::npos) << what;
    }
}

TEST(SeveritySumTable, SharedPerSeverity) {
    const Severity x{Gamma(2.0, 100.0)};
    EXPECT_EQ(severity_sum_table(x, "a").get(), severity_sum_table(x, "b").get());
    EXPECT_NE(severity_sum_table(x, "a").get(), severity_sum_table(Severity{Gamma(2.0, 101.0)}, "c").get());
}

}  // namespace
}  // namespace apmsim
