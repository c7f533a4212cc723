// Exact and approximate aggregate loss distributions (Loss Models, chapter 9):
// discretisation (sums, tails, bounds, the unbiased method's mean), Panjer against FFT on
// the same lattice, both against simulation and against the closed-form moments, Panjer
// when P(N=0) underflows (against an independent split-and-convolve computation), the
// (a,b,1) recursion, the approximations against Boost.Math and numerical integration,
// risk measures against brute force, and input validation.
// Pool distributions and their error rates are in test_exact_pool.cpp.
#include "test_helpers.hpp"
#include "apmsim/exact/exact.hpp"

#include <gtest/gtest.h>

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

using namespace apmsim;

namespace {


double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
    EXPECT_EQ(a.size(), b.size());
    double d = 0.0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
    return d;
}

AggregateOptions lattice(AggregateMethod m, double step, std::size_t nodes,
                         Discretization d = Discretization::rounding) {
    AggregateOptions o;
    o.method = m;
    o.step = step;
    o.nodes = nodes;
    o.discretization = d;
    return o;
}

const std::vector<Discretization> all_methods = {Discretization::upper, Discretization::lower, Discretization::rounding,
                                                 Discretization::unbiased};

// ------------------------------------------------------------------ discretisation

TEST(Discretize, MassesSumToOneMinusTheReportedTail) {
    // Lognormal (heavy tail: the grid holds most but not all) and gamma; each method.
    // The sum telescopes, so 1e-13 is rounding of ~1e4 additions.
    const std::vector<Severity> severities = {Lognormal::from_mean_cv(1000.0, 2.0), Gamma::from_mean_cv(1000.0, 1.5)};
    for (const auto& sev : severities)
        for (auto m : all_methods) {
            SCOPED_TRACE(type_name(sev) + " " + discretization_name(m));
            const Grid grid{25.0, 2000};  // up to 49,975: a visible tail for the lognormal
            const DiscretizedSeverity d = discretize(sev, grid, m);
            EXPECT_EQ(d.nodes(), 2000u);
            EXPECT_NEAR(d.total(), 1.0 - d.tail_mass, 1e-13);
            EXPECT_GT(d.tail_mass, 0.0);
            // The tail is the survival beyond the method's last boundary.
            const double edge = m == Discretization::upper ? grid.upper() + 25.0
                                : m == Discretization::rounding ? grid.upper() + 12.5
                                                                : grid.upper();
            EXPECT_NEAR(d.tail_mass, 1.0 - cdf(sev, edge), 1e-15);
            // Non-negative up to rounding: the unbiased masses are second differences of
            // L ~ 1000, so their noise is ~ulp(1000)/h = 5e-15.
            for (double f : d.masses) EXPECT_GE(f, -1e-13);
        }
}

TEST(Discretize, MassesAgreeWithIndependentCdfDifferences) {
    // Rounding mass at node j is F((j+1/2)h) - F((j-1/2)h): checked against Boost's
    // lognormal and gamma distributions directly (1e-15 absolute: both are cdf values).
    const auto ln = Lognormal::from_mean_cv(1000.0, 2.0);
    const boost::math::lognormal_distribution<> bl(ln.mu(), ln.sigma());
    const DiscretizedSeverity d = discretize(ln, Grid{50.0, 100}, Discretization::rounding);
    EXPECT_NEAR(d.masses[0], boost::math::cdf(bl, 25.0), 1e-15);
    for (int j : {1, 7, 40, 99})
        EXPECT_NEAR(d.masses[j], boost::math::cdf(bl, 50.0 * j + 25.0) - boost::math::cdf(bl, 50.0 * j - 25.0), 1e-15);
    const auto g = Gamma::from_mean_cv(1000.0, 1.5);
    const boost::math::gamma_distribution<> bg(g.shape(), g.scale());
    const DiscretizedSeverity u = discretize(g, Grid{50.0, 100}, Discretization::upper);
    const DiscretizedSeverity l = discretize(g, Grid{50.0, 100}, Discretization::lower);
    for (int j : {0, 3, 60}) {
        EXPECT_NEAR(u.masses[j], boost::math::cdf(bg, 50.0 * (j + 1)) - boost::math::cdf(bg, 50.0 * j), 1e-15);
        if (j > 0) {
            EXPECT_NEAR(l.masses[j], boost::math::cdf(bg, 50.0 * j) - boost::math::cdf(bg, 50.0 * (j - 1)), 1e-15);
        }
    }
    EXPECT_EQ(l.masses[0], 0.0);  // no point mass at zero
}

TEST(Discretize, UnbiasedPreservesTheMeanUpToTheUpperLimit) {
    // Loss Models: the local-moment-matching lattice has E[min(X_h, U)] = E[min(X, U)].
    // With the tail counted at U: sum x_j f_j + U tail = LEV(U) to 1e-12 relative
    // (the differences of L telescope; what remains is rounding). On a grid reaching far
    // into the tail the lattice mean is E[X] itself, to the tail's share.
    for (const Severity& sev : std::vector<Severity>{Lognormal::from_mean_cv(1000.0, 2.0), Gamma::from_mean_cv(1000.0, 1.5),
                                                     Pareto::from_mean_cv(1000.0, 3.0), Weibull::from_mean_cv(1000.0, 0.8)}) {
        SCOPED_TRACE(type_name(sev));
        const Grid grid{20.0, 3001};  // U = 60,000
        const DiscretizedSeverity d = discretize(sev, grid, Discretization::unbiased);
        const double lev = limited_expected_value(sev, grid.upper());
        EXPECT_NEAR((d.lattice_mean() + grid.upper() * d.tail_mass) / lev, 1.0, 1e-12);
    }
    const auto g = Gamma::from_mean_cv(1000.0, 1.0);
    const DiscretizedSeverity far = discretize(g, Grid{10.0, 5001}, Discretization::unbiased);  // U = 50 means
    EXPECT_LT(far.tail_mass, 1e-20);
    EXPECT_NEAR(far.lattice_mean() / 1000.0, 1.0, 1e-12);
    // The other methods do not preserve the mean: rounding on a coarse lattice is visibly off.
    const DiscretizedSeverity coarse = discretize(Lognormal::from_mean_cv(1000.0, 2.0), Grid{500.0, 2001}, Discretization::rounding);
    EXPECT_GT(std::fabs(coarse.lattice_mean() - 1000.0), 5.0);
}

TEST(Discretize, UpperAndLowerBracketTheCdfAndTheAggregate) {
    // Lower puts mass up (cdf below F), upper puts it down (cdf above F): at every node
    // F_lower(x_j) <= F(x_j) <= F_upper(x_j), and so the aggregates are stochastically ordered.
    const auto sev = Gamma::from_mean_cv(500.0, 1.2);
    const Grid grid{20.0, 800};
    const auto lo = discretize(sev, grid, Discretization::lower), hi = discretize(sev, grid, Discretization::upper);
    double cl = 0.0, ch = 0.0;
    for (std::size_t j = 0; j < grid.nodes; ++j) {
        cl += lo.masses[j];
        ch += hi.masses[j];
        const double f = sev.cdf(grid.x(j));
        EXPECT_LE(cl, f + 1e-14);
        EXPECT_GE(ch, f - 1e-14);
    }
    const Frequency n = NegativeBinomial(3.0, 2.0);
    const auto a_lo = aggregate(n, sev, lattice(AggregateMethod::panjer, 20.0, 800, Discretization::lower));
    const auto a_hi = aggregate(n, sev, lattice(AggregateMethod::panjer, 20.0, 800, Discretization::upper));
    const auto a_mid = aggregate(n, sev, lattice(AggregateMethod::panjer, 5.0, 3197, Discretization::rounding));
    for (double x : {100.0, 500.0, 1500.0, 4000.0}) {
        EXPECT_LE(a_lo.cdf(x), a_hi.cdf(x));
        EXPECT_LE(a_lo.cdf(x), a_mid.cdf(x) + 2e-3);  // the fine rounding lattice sits between (to its own h)
        EXPECT_GE(a_hi.cdf(x), a_mid.cdf(x) - 2e-3);
    }
}

TEST(Discretize, RejectsBadInput) {
    const Severity sev = Lognormal::from_mean_cv(1000.0, 2.0);
    expect_invalid([&] { return discretize(sev, Grid{0.0, 10}); }, "grid.step");
    expect_invalid([&] { return discretize(sev, Grid{-1.0, 10}); }, "grid.step");
    expect_invalid([&] { return discretize(sev, Grid{1.0, 1}); }, "grid.nodes");
    expect_invalid([&] { return discretize(sev, Grid{1.0, max_grid_nodes + 1}); }, "grid.nodes");
    expect_invalid([&] { return Grid::up_to(1e-3, 1e6); }, "grid.step");
    expect_invalid([&] { return discretize(sev, Grid{1.0, 10}, Discretization::rounding, 0.0); }, "scale");
    expect_invalid([&] { return discretization_from_name("method", "midpoint"); }, "method");
}

// ------------------------------------------------------------------ Panjer and FFT

struct Model {
    std::string name;
    Frequency n;
    Severity x;
};

std::vector<Model> models() {
    return {
        {"poisson-lognormal", Poisson(2.0), Lognormal::from_mean_cv(1000.0, 2.0)},
        {"negbin-gamma", NegativeBinomial(4.0, 1.5), Gamma::from_mean_cv(800.0, 1.5)},
        {"binomial-weibull", Binomial(10.0, 0.3), Weibull::from_mean_cv(600.0, 1.2)},
        {"zmpoisson-pareto", ZeroModifiedPoisson(3.0, 0.4), Pareto::from_mean_cv(500.0, 2.0)},
        {"zero-truncated-spliced", ZeroModifiedPoisson(1.5, 0.0), SplicedLognormalPareto(6.5, 1.0, 3000.0, 0.3, 1500.0)},
    };
}

TEST(PanjerFft, AgreeTo1e9InCdfOnTheSameLattice) {
    // Same lattice severity, same nodes: the two compute the same numbers up to the FFT's
    // round-off (amplified at most e^{tilt/2} ~ 150 times 1e-16) and its aliasing
    // (damped by e^-10 on top of padding). The bound is 1e-9; the measured gap is printed.
    for (const auto& m : models()) {
        SCOPED_TRACE(m.name);
        const auto p = aggregate(m.n, m.x, lattice(AggregateMethod::panjer, 25.0, 1 << 13));
        const auto f = aggregate(m.n, m.x, lattice(AggregateMethod::fft, 25.0, 1 << 13));
        const double gap = max_abs_difference(p.cdf_values(), f.cdf_values());
        EXPECT_LT(gap, 1e-9);
        // The reported bound e^-tilt x (mass beyond the lattice) stays below the target.
        EXPECT_LT(f.diagnostics().aliasing_estimate, 1e-9);
        EXPECT_EQ(f.diagnostics().fft_length, std::size_t{1} << 14);
        std::printf("[ measured ] %-24s max |F_panjer - F_fft| = %.2e, missing mass %.2e\n", m.name.c_str(), gap,
                    p.diagnostics().missing_mass);
    }
}

TEST(PanjerFft, WithoutPaddingOrTiltTheFftAliases) {
    // The check that reports aliasing: with padding 1 and no tilt, mass beyond the lattice
    // wraps onto it, the FFT no longer matches Panjer, and the estimate says so.
    const Model m = models()[0];
    AggregateOptions bare = lattice(AggregateMethod::fft, 25.0, 512);  // U = 12,775: ~1% beyond
    bare.padding = 1.0;
    bare.tilt = 0.0;
    const auto f = aggregate(m.n, m.x, bare);
    const auto p = aggregate(m.n, m.x, lattice(AggregateMethod::panjer, 25.0, 512));
    EXPECT_GT(max_abs_difference(p.cdf_values(), f.cdf_values()), 1e-4);
    EXPECT_GT(f.diagnostics().aliasing_estimate, 1e-3);
    const auto good = aggregate(m.n, m.x, lattice(AggregateMethod::fft, 25.0, 512));
    EXPECT_LT(max_abs_difference(p.cdf_values(), good.cdf_values()), 1e-9);
}

TEST(PanjerFft, FirstThreeMomentsMatchTheAnalyticOnes) {
    // Gamma and lognormal severities on lattices reaching far into their tails (missing mass
    // at rounding level), unbiased discretisation. The lattice mean is exact up to the tail
    // (checked to 1e-10). Local moment matching splits the mass of each interval (a, a+h]
    // between its ends, adding E[(X - a)(a + h - X)] ~ h^2/6 to E[X^2] per claim, so the
    // lattice variance exceeds the analytic one by E[N] h^2/6: checked to 5% of that
    // predicted excess. The skewness moves by the same relative order (< 1e-4 here).
    struct Case {
        std::string name;
        Frequency n;
        Severity x;
        double step;
        std::size_t nodes;
    };
    const std::vector<Case> cases = {
        {"poisson(5)-gamma(1000, cv 1.5)", Poisson(5.0), Gamma::from_mean_cv(1000.0, 1.5), 5.0, 40000},
        {"negbin(3, r 2)-lognormal(1000, cv 1)", NegativeBinomial(3.0, 2.0), Lognormal::from_mean_cv(1000.0, 1.0), 10.0, 60000},
    };
    for (const auto& c : cases)
        for (auto method : {AggregateMethod::panjer, AggregateMethod::fft}) {
            SCOPED_TRACE(c.name + " " + aggregate_method_name(method));
            const auto d = aggregate(c.n, c.x, lattice(method, c.step, c.nodes, Discretization::unbiased));
            EXPECT_LT(d.diagnostics().missing_mass, 1e-10);
            const MomentErrors e = d.moment_errors();
            const double predicted = mean(c.n) * c.step * c.step / 6.0 / d.analytic_moments().variance;
            EXPECT_LT(std::fabs(e.mean_relative), 1e-10);
            EXPECT_NEAR(e.variance_relative, predicted, 0.05 * predicted);
            EXPECT_LT(std::fabs(e.skewness_absolute), 1e-4);
            std::printf("[ measured ] %-40s %-6s mean %.1e, variance %.1e (relative; predicted h^2/6 excess %.1e), "
                        "skewness %.1e (absolute)\n",
                        c.name.c_str(), aggregate_method_name(method), e.mean_relative, e.variance_relative, predicted,
                        e.skewness_absolute);
        }
}

TEST(PanjerFft, AgreeWithSimulationWithinItsError) {
    // 200,000 simulated sums. Kolmogorov-Smirnov: P(sqrt(n) D > 1.95) = 0.001, so
    // D < 1.95/sqrt(n) = 0.0044. The lattice (h = 5) represents each continuous value to
    // within h/2, so the empirical cdf is compared at the rounding boundaries x_j + h/2.
    // Quantiles: the lattice quantile must lie between the order statistics at ranks
    // n p -/+ 4 sqrt(n p (1 - p)) (a 4-sigma binomial interval), widened by h.
    const std::uint64_t n = 200000;
    for (const auto& m : {models()[0], models()[1]}) {
        SCOPED_TRACE(m.name);
        const auto p = aggregate(m.n, m.x, lattice(AggregateMethod::panjer, 5.0, 1 << 14));
        AggregateOptions so = lattice(AggregateMethod::simulation, 5.0, 1 << 14);
        so.samples = n;
        so.seed = 11;
        const auto s = aggregate(m.n, m.x, so);
        const auto& sorted = std::get<EmpiricalDistribution>(s.representation()).sorted();
        double ks = 0.0;
        const auto cdf = p.cdf_values();
        for (std::size_t j = 0; j < cdf.size(); j += 3) ks = std::max(ks, std::fabs(cdf[j] - s.cdf(5.0 * j + 2.5)));
        EXPECT_LT(ks, 1.95 / std::sqrt(static_cast<double>(n)));
        for (double q : {0.1, 0.5, 0.9, 0.99}) {
            const double r = n * q, w = 4.0 * std::sqrt(n * q * (1 - q));
            const double lo = sorted[static_cast<std::size_t>(std::max(0.0, r - w))];
            const double hi = sorted[std::min<std::size_t>(n - 1, static_cast<std::size_t>(r + w))];
            EXPECT_GE(p.quantile(q), lo - 5.0) << q;
            EXPECT_LE(p.quantile(q), hi + 5.0) << q;
        }
        // The simulated mean within 4 standard errors of the analytic one.
        const auto a = s.analytic_moments();
        EXPECT_LT(std::fabs(s.moments().mean - a.mean), 4.0 * std::sqrt(a.variance / n));
        std::printf("[ measured ] %-24s KS distance panjer vs simulation %.4f (bound %.4f)\n", m.name.c_str(), ks,
                    1.95 / std::sqrt(static_cast<double>(n)));
    }
}

TEST(Panjer, StaysCompleteWhenProbabilityOfZeroUnderflows) {
    // Poisson mean 2,000: P(S = 0) = e^-2000 is not a double. The rescaled recursion still
    // gives the whole distribution. Independent check: Poisson(2000) is the sum of 8
    // independent Poisson(250) (whose e^-250 is representable), computed by the plain
    // recursion and convolved three times directly; they agree to 1e-10 in cdf.
    const Frequency n = Poisson(2000.0);
    const Severity x = Lognormal::from_mean_cv(1000.0, 1.0);
    const auto d = aggregate(n, x, lattice(AggregateMethod::panjer, 200.0, 15001, Discretization::unbiased));
    // Complete: what is missing is the recursion's rounding (~nodes x 1e-16), not mass.
    EXPECT_GT(d.diagnostics().rescalings, 0);
    EXPECT_LT(d.diagnostics().missing_mass, 1e-10);
    EXPECT_NEAR(std::accumulate(d.pmf().begin(), d.pmf().end(), 0.0), 1.0, 1e-10);
    EXPECT_LT(std::fabs(d.moment_errors().mean_relative), 1e-10);
    const double predicted = 200.0 * 200.0 / 6.0 / 2e6;  // h^2/6 over E[X^2] (see the moments test)
    EXPECT_NEAR(d.moment_errors().variance_relative, predicted, 0.05 * predicted);
    EXPECT_NEAR(d.quantile(0.5), 2'000'000.0, 2.0 * 200.0 + 63'246.0 * 0.05);  // median ~ mean - skew sd/6

    const DiscretizedSeverity f = discretize(x, Grid{200.0, 15001}, Discretization::unbiased);
    // Plain (a,b,0) recursion without rescaling: the (a,b,1) form with p1 = b p0.
    const double p0 = std::exp(-250.0);
    std::vector<double> part = panjer_ab1(0.0, 250.0, p0, 250.0 * p0, std::exp(-250.0 * (1.0 - f.masses[0])), f.masses, 15001);
    for (int k = 0; k < 3; ++k) part = detail::convolve_direct(part, part, 15001);
    std::vector<double> c1(15001), c2(15001);
    std::partial_sum(d.pmf().begin(), d.pmf().end(), c1.begin());
    std::partial_sum(part.begin(), part.end(), c2.begin());
    EXPECT_LT(max_abs_difference(c1, c2), 1e-10);

    // The same for a negative binomial whose p0 = 6^-1000 underflows.
    const auto nb = aggregate(NegativeBinomial(5000.0, 1000.0), Gamma::from_mean_cv(100.0, 1.0),
                              lattice(AggregateMethod::panjer, 100.0, 12000, Discretization::unbiased));
    const auto nb_fft = aggregate(NegativeBinomial(5000.0, 1000.0), Gamma::from_mean_cv(100.0, 1.0),
                                  lattice(AggregateMethod::fft, 100.0, 12000, Discretization::unbiased));
    EXPECT_GT(nb.diagnostics().rescalings, 0);
    EXPECT_LT(nb.diagnostics().missing_mass, 1e-10);
    EXPECT_LT(max_abs_difference(nb.cdf_values(), nb_fft.cdf_values()), 1e-9);
    EXPECT_LT(std::fabs(nb.moment_errors().mean_relative), 1e-10);
}

TEST(Panjer, ZeroModifiedEqualsTheDirectAb1Recursion) {
    // Loss Models Theorem 9.8 run directly (a = 0, b = lambda, p0, p1 of the ZM Poisson)
    // against the parent-based computation panjer() uses; 1e-14 is rounding.
    const Severity x = Gamma::from_mean_cv(300.0, 1.3);
    const DiscretizedSeverity f = discretize(x, Grid{10.0, 2000}, Discretization::rounding);
    for (double p0 : {0.0, 0.3, 0.8}) {
        const ZeroModifiedPoisson zm(2.0, p0);
        const double l = 2.0, c = (1.0 - p0) / -std::expm1(-l);
        const double g0 = p0 + c * (std::exp(-l * (1.0 - f.masses[0])) - std::exp(-l));
        const auto direct = panjer_ab1(0.0, l, zm.pmf(0), zm.pmf(1), g0, f.masses, 2000);
        const auto via_parent = panjer(zm, f.masses, 2000).pmf;
        EXPECT_LT(max_abs_difference(direct, via_parent), 1e-14) << p0;
    }
}

TEST(Panjer, DegenerateAndSmallCases) {
    const Severity x = Gamma::from_mean_cv(100.0, 1.0);
    // N = 0: S = 0.
    const auto zero = aggregate(Poisson(0.0), x, lattice(AggregateMethod::panjer, 10.0, 100));
    EXPECT_EQ(zero.pmf()[0], 1.0);
    EXPECT_EQ(zero.quantile(0.99), 0.0);
    // Binomial with p = 1 (N = n surely): Panjer's a is infinite; the n-fold convolution is used.
    const auto sure = aggregate(Binomial(3.0, 1.0), x, lattice(AggregateMethod::panjer, 10.0, 400));
    const auto sure_fft = aggregate(Binomial(3.0, 1.0), x, lattice(AggregateMethod::fft, 10.0, 400));
    EXPECT_LT(max_abs_difference(sure.cdf_values(), sure_fft.cdf_values()), 1e-12);
    // One claim surely with Binomial(1, 1): the aggregate is the lattice severity itself.
    const auto one = aggregate(Binomial(1.0, 1.0), x, lattice(AggregateMethod::panjer, 10.0, 400));
    EXPECT_LT(max_abs_difference(one.pmf(), discretize(x, Grid{10.0, 400}).masses), 1e-16);
}

// ------------------------------------------------------------------ result object

TEST(AggregateDistribution, RiskMeasuresMatchBruteForceOnTheLattice) {
    // VaR, TVaR, stop-loss and LEV recomputed here from the pmf by their definitions.
    // The lattice holds all the probability (the accounting for mass beyond it is tested below).
    const auto d = aggregate(NegativeBinomial(4.0, 1.5), Gamma::from_mean_cv(800.0, 1.5),
                             lattice(AggregateMethod::panjer, 25.0, 8000));
    const auto& g = d.pmf();
    ASSERT_LT(d.diagnostics().missing_mass, LatticeDistribution::negligible_missing_mass);
    for (double p : {0.5, 0.9, 0.99, 0.995}) {
        double c = 0.0;
        std::size_t j = 0;
        for (; j < g.size(); ++j)
            if ((c += g[j]) >= p) break;
        const double var = 25.0 * j;
        EXPECT_DOUBLE_EQ(d.quantile(p), var);
        double sl = 0.0;
        for (std::size_t k = j + 1; k < g.size(); ++k) sl += (25.0 * k - var) * g[k];
        EXPECT_NEAR(d.expected_shortfall(p), var + sl / (1.0 - p), 1e-9 * var);
    }
    for (double u : {0.0, 1000.0, 3333.0, 20000.0}) {
        double lev = 0.0, sl = 0.0;
        for (std::size_t k = 0; k < g.size(); ++k) {
            lev += std::min(25.0 * k, u) * g[k];
            sl += std::max(25.0 * k - u, 0.0) * g[k];
        }
        EXPECT_NEAR(d.limited_expected_value(u), lev, 1e-9 * (1.0 + lev));
        EXPECT_NEAR(d.stop_loss_premium(u), sl, 1e-9 * (1.0 + sl));
        EXPECT_NEAR(d.limited_expected_value(u) + d.stop_loss_premium(u), d.moments().mean, 1e-8 * d.moments().mean);
    }
    EXPECT_EQ(d.cdf(-1.0), 0.0);
    EXPECT_DOUBLE_EQ(d.cdf(1000.0), d.cdf(1010.0));  // a step function between nodes
    EXPECT_DOUBLE_EQ(d.cdf_left(1000.0), d.cdf(975.0));
}

TEST(AggregateDistribution, QuantileBeyondTheLatticeIsAnErrorNotAWrongNode) {
    const auto d = aggregate(Poisson(2.0), Lognormal::from_mean_cv(1000.0, 2.0), lattice(AggregateMethod::panjer, 25.0, 400));
    ASSERT_GT(d.diagnostics().missing_mass, 1e-3);
    EXPECT_NO_THROW((void)d.quantile(0.9));
    EXPECT_THROW((void)d.quantile(0.9999), ComputationError);
    expect_invalid([&] { return d.quantile(1.5); }, "p");
    expect_invalid([&] { return d.quantile(0.0); }, "p");
}

// ------------------------------------------------------------------ approximations

TEST(Approximations, NormalAndTranslatedGammaAgainstBoost) {
    const Frequency n = Poisson(20.0);
    const Severity x = Gamma::from_mean_cv(1000.0, 1.0);
    const Cumulants k = compound_cumulants(n, x);  // mean 20000, var 20 * 2e6, k3 20 * 6e9
    EXPECT_DOUBLE_EQ(k.k1, 20000.0);
    EXPECT_DOUBLE_EQ(k.k2, 4e7);
    EXPECT_NEAR(k.k3, 1.2e11, 1e-3);
    AggregateOptions o;
    o.method = AggregateMethod::normal;
    const auto nd = aggregate(n, x, o);
    const boost::math::normal_distribution<> bn(k.k1, std::sqrt(k.k2));
    for (double p : {0.01, 0.5, 0.975}) EXPECT_NEAR(nd.quantile(p), boost::math::quantile(bn, p), 1e-9 * k.k1);
    EXPECT_NEAR(nd.cdf(25000.0), boost::math::cdf(bn, 25000.0), 1e-14);
    o.method = AggregateMethod::translated_gamma;
    const auto tg = aggregate(n, x, o);
    const double skew = k.skewness(), alpha = 4.0 / (skew * skew), theta = std::sqrt(k.k2) * skew / 2.0;
    const double x0 = k.k1 - 2.0 * std::sqrt(k.k2) / skew;
    const boost::math::gamma_distribution<> bg(alpha, theta);
    for (double p : {0.05, 0.5, 0.99}) EXPECT_NEAR(tg.quantile(p), x0 + boost::math::quantile(bg, p), 1e-9 * k.k1);
    EXPECT_NEAR(tg.moments().skewness, skew, 1e-12);
    // Stop-loss premiums against numerical integration of the survival function.
    for (const auto* d : {&nd, &tg})
        for (double dd : {15000.0, 20000.0, 30000.0}) {
            const double integral = boost::math::quadrature::exp_sinh<double>().integrate(
                [&](double t) { return 1.0 - d->cdf(dd + t); });
            EXPECT_NEAR(d->stop_loss_premium(dd), integral, 1e-7 * integral) << d->method() << " " << dd;
        }
}

TEST(Approximations, NormalPowerFormulasAreConsistent) {
    // Quantile and cdf invert each other; the stop-loss premium equals the integral of
    // the survival function; the moments of the approximating law equal direct quadrature
    // of x(z) = mu + sigma (z + c(z^2 - 1)) over the normal density (with the lower
    // branch folded onto the minimum).
    const Frequency n = Poisson(30.0);
    const Severity x = Lognormal::from_mean_cv(500.0, 1.0);
    AggregateOptions o;
    o.method = AggregateMethod::normal_power;
    const auto d = aggregate(n, x, o);
    const auto a = d.analytic_moments();
    ASSERT_GT(a.skewness, 0.1);
    ASSERT_LT(a.skewness, 1.0);
    for (double p : {0.05, 0.5, 0.95, 0.999}) EXPECT_NEAR(d.cdf(d.quantile(p)), p, 1e-12);
    for (double dd : {10000.0, 15000.0, 25000.0}) {
        const double integral =
            boost::math::quadrature::exp_sinh<double>().integrate([&](double t) { return 1.0 - d.cdf(dd + t); });
        EXPECT_NEAR(d.stop_loss_premium(dd), integral, 1e-7 * integral);
    }
    const double c = a.skewness / 6.0, mu = a.mean, sd = std::sqrt(a.variance);
    auto xz = [&](double z) {
        const double zz = std::max(z, -0.5 / c);
        return mu + sd * (zz + c * (zz * zz - 1.0));
    };
    auto expect = [&](auto h) {
        return boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
            [&](double z) { return h(xz(z)) * std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI); }, -12.0, 12.0, 15, 1e-13);
    };
    const double m1 = expect([](double v) { return v; });
    const double c2 = expect([&](double v) { return (v - m1) * (v - m1); });
    const double c3 = expect([&](double v) { return (v - m1) * (v - m1) * (v - m1); });
    EXPECT_NEAR(d.moments().mean, m1, 1e-9 * m1);
    EXPECT_NEAR(d.moments().variance, c2, 1e-7 * c2);
    EXPECT_NEAR(d.moments().skewness, c3 / std::pow(c2, 1.5), 1e-6);
    // For small skewness the normal power is close to the exact aggregate (FFT), and
    // closer than the normal approximation in the upper tail.
    const auto exact = aggregate(n, x, lattice(AggregateMethod::fft, 5.0, 1 << 14, Discretization::unbiased));
    o.method = AggregateMethod::normal;
    const auto normal = aggregate(n, x, o);
    const double q = exact.quantile(0.995);
    EXPECT_LT(std::fabs(d.quantile(0.995) - q), std::fabs(normal.quantile(0.995) - q));
    EXPECT_LT(std::fabs(d.quantile(0.995) / q - 1.0), 0.01);
}

TEST(Approximations, RejectWhatTheyCannotRepresent) {
    AggregateOptions o;
    o.method = AggregateMethod::translated_gamma;
    // Pareto shape 2.5: no third moment.
    expect_invalid([&] { return aggregate(Poisson(3.0), Pareto(2.5, 1000.0), o); }, "severity");
    // Pareto shape 1.5: infinite variance (and the automatic lattice cannot be chosen).
    o.method = AggregateMethod::normal;
    o.upper = 1e6;
    expect_invalid([&] { return aggregate(Poisson(3.0), Pareto(1.5, 1000.0), o); }, "severity");
    // A binomial with p near 1 and a near-constant severity is negatively skewed.
    o.method = AggregateMethod::translated_gamma;
    o.upper = 0.0;
    expect_invalid([&] { return aggregate(Binomial(50.0, 0.99), Gamma(400.0, 1.0), o); }, "method");
}

TEST(Aggregate, RejectsBadOptions) {
    const Frequency n = Poisson(2.0);
    const Severity x = Gamma(2.0, 100.0);
    AggregateOptions o;
    o.step = -1.0;
    expect_invalid([&] { return aggregate(n, x, o); }, "step");
    o = {};
    o.nodes = 1;
    expect_invalid([&] { return aggregate(n, x, o); }, "nodes");
    o = {};
    o.step = 1.0;
    o.nodes = 100;
    o.upper = 50.0;
    expect_invalid([&] { return aggregate(n, x, o); }, "upper");
    o = {};
    o.tail_target = 0.0;
    expect_invalid([&] { return aggregate(n, x, o); }, "tail_target");
    o = {};
    o.tilt = -1.0;
    expect_invalid([&] { return aggregate(n, x, o); }, "tilt");
    o = {};
    o.samples = 1;
    expect_invalid([&] { return aggregate(n, x, o); }, "samples");
    expect_invalid([] { return aggregate_method_from_name("method", "exact"); }, "method");
    // A Pareto with infinite mean: no automatic lattice.
    expect_invalid([&] { return aggregate(n, Pareto(0.8, 100.0)); }, "upper");
    // The automatic lattice always has its nodes, at a step of 1/256 of the mean given a
    // claim here, and reports what it misses: P(S > U), which for a subexponential severity
    // is about E[N] P(X > U) (one large claim), within 20%.
    const Severity heavy = Lognormal::from_mean_cv(1000.0, 2.0);
    const auto d = aggregate(n, heavy);
    EXPECT_EQ(d.nodes(), default_aggregate_nodes);
    const double upper = d.step() * static_cast<double>(d.nodes() - 1);
    EXPECT_NEAR(upper, static_cast<double>(d.nodes() - 1) * 2000.0 / (1.0 - std::exp(-2.0)) / 256.0, 1e-6 * upper);
    EXPECT_NEAR(d.diagnostics().missing_mass, 2.0 * (1.0 - cdf(heavy, upper)), 0.2 * 2.0 * (1.0 - cdf(heavy, upper)));
    ASSERT_EQ(d.diagnostics().notes.size(), 1u);
    EXPECT_NE(d.diagnostics().notes[0].find("1/256 of the mean given a claim"), std::string::npos);
}

// An infinite-variance severity (Pareto shape 1.5, scale 1000; Poisson(3) claims): 0.7.0's
// automatic lattice reached for the 1e-10 tail with a step of 294,653, above the 99th
// percentile, so VaR50, VaR90 and VaR99 were 0 and E[min(S, 6000)] 10. The step now keeps
// to 1/256 of the mean given a claim. Reference: an independent review's numpy FFT on its
// own lattice of step 25 and 2^19 nodes (VaR 2,650, 11,825, 49,125; E[min(S, 6000)]
// 3,046.0); quantiles within the two lattices' steps, the limited expected value and the
// stop-loss premium within 0.1%; E[(S - 0)+] is E[S] = 6,000 (within the rounding
// discretisation's mean error), the lattice missing 1.3e-4 of the probability (counted
// through the model mean; 0.7.0 gave 826); a quantile beyond it is refused.
TEST(Aggregate, AnInfiniteVarianceSeverityKeepsItsBodyResolved) {
    const auto d = aggregate(Poisson(3.0), Pareto(1.5, 1000.0));
    const double h = d.step();
    EXPECT_LT(h, 30.0);
    const double reference[][2] = {{0.5, 2650.0}, {0.9, 11825.0}, {0.99, 49125.0}};
    for (const auto& [p, q] : reference) EXPECT_NEAR(d.quantile(p), q, 25.0 + h) << p;
    EXPECT_NEAR(d.limited_expected_value(6000.0), 3046.0, 3.0);
    EXPECT_NEAR(d.stop_loss_premium(6000.0), 2954.0, 3.0);
    EXPECT_GT(d.diagnostics().missing_mass, 1e-5);
    EXPECT_NEAR(d.stop_loss_premium(0.0), 6000.0, 1e-4 * 6000.0);  // the rounding discretisation's own mean error: 2e-5
    EXPECT_THROW((void)d.quantile(0.99999), ComputationError);
    EXPECT_THROW((void)d.stop_loss_premium(2.0 * d.step() * static_cast<double>(d.nodes())), ComputationError);
}

// Geometric counts (negative binomial, r = 1, mean 4) with exponential claims (mean 1000):
// S is 0 with probability 1/5 and otherwise exponential with mean 5000, so E[(S - d)+] =
// 4000 e^(-d/5000), VaR_p = 5000 ln(0.8 / (1 - p)) and TVaR_p = VaR_p + 5000 (closed form).
// On a lattice cut at 40,000 (missing 0.8 e^-8 = 2.7e-4): stop-loss premiums and expected
// shortfalls count the missing probability (0.7.0 left it out: E[(S - 39,000)+] was 26%
// low); beyond the cut they are refused. The automatic lattice reaches the count's own
// 1 - 1e-10 quantile (0.7.0's mean + 10 sd missed 2e-5: TVaR99.9 1.3% low).
TEST(Aggregate, StopLossAndShortfallCountTheProbabilityBeyondTheLattice) {
    const Frequency n = NegativeBinomial(4.0, 1.0);
    const Severity x = Gamma(1.0, 1000.0);
    AggregateOptions cut;
    cut.upper = 40000.0;
    cut.nodes = std::size_t{1} << 14;
    for (const AggregateOptions& o : {cut, AggregateOptions{}}) {
        const auto d = aggregate(n, x, o);
        const bool automatic = o.upper == 0.0;
        if (automatic) EXPECT_LT(d.diagnostics().missing_mass, 1e-10);
        else EXPECT_NEAR(d.diagnostics().missing_mass, 0.8 * std::exp(-8.0), 0.01 * 0.8 * std::exp(-8.0));
        for (double r : {0.0, 12000.0, 20000.0, 39000.0})
            EXPECT_NEAR(d.stop_loss_premium(r), 4000.0 * std::exp(-r / 5000.0), 1e-3 * 4000.0 * std::exp(-r / 5000.0)) << r;
        for (double p : {0.99, 0.999}) {
            const double var = 5000.0 * std::log(0.8 / (1.0 - p));
            EXPECT_NEAR(d.quantile(p), var, d.step());
            EXPECT_NEAR(d.expected_shortfall(p), d.quantile(p) + 5000.0, 1e-3 * (var + 5000.0)) << p;
        }
        if (!automatic) {
            EXPECT_THROW((void)d.stop_loss_premium(45000.0), ComputationError);
            EXPECT_THROW((void)d.limited_expected_value(45000.0), ComputationError);
        }
    }
}

// Zero-modified Poisson counts near all zeros (lambda 2, p0 0.999 and 0.9999999) with
// gamma(2, 500) claims: sum_k P(N = k) E[(G_k - d)+], G_k ~ Gamma(2k, 500), E[(G - d)+] =
// a s Q(a + 1, d/s) - d Q(a, d/s) (Q the regularised upper incomplete gamma: Boost). 0.7.0
// capped the lattice at 100 x (mean + 10 sd), a few hundred dollars: E[(S - 10,000)+] was
// 100% low at p0 = 0.999 and E[S] 95% low at p0 = 0.9999999.
TEST(Aggregate, CountsNearlyAlwaysZeroKeepTheirTail) {
    for (double p0 : {0.999, 0.9999999}) {
        const auto d = aggregate(ZeroModifiedPoisson(2.0, p0), Gamma(2.0, 500.0));
        for (double r : {0.0, 5000.0, 10000.0}) {
            double expected = 0.0, pk = (1.0 - p0) / (std::exp(2.0) - 1.0);
            for (int k = 1; k < 60; ++k) {
                pk *= (k == 1 ? 2.0 : 2.0 / k);
                const double a = 2.0 * k;
                expected += pk * (a * 500.0 * boost::math::gamma_q(a + 1.0, r / 500.0) - r * boost::math::gamma_q(a, r / 500.0));
            }
            EXPECT_NEAR(d.stop_loss_premium(r), expected, 1e-4 * expected) << p0 << " " << r;
        }
    }
}

}  // namespace
