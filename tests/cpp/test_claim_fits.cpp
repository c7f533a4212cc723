// Fits of a cost model cell from claims (stats/claim_fits.hpp), by simulation round trip:
// counts and amounts drawn with the library's own samplers from known parameters are fitted
// back within a few standard errors; the overdispersion test holds its size on Poisson data
// and finds a negative binomial; the gamma estimate solves its score equation.
#include "apmsim/distributions/gamma.hpp"
#include "apmsim/distributions/lognormal.hpp"
#include "apmsim/distributions/negative_binomial.hpp"
#include "apmsim/distributions/poisson.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/stats/claim_fits.hpp"
#include "test_helpers.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace apmsim;

namespace {

struct Counts {
    std::vector<double> events, exposure;
};

/// `members` members with exposures 0.25 .. 1 year, counts from `f` scaled by exposure.
template <class F>
Counts draw_counts(const F& f, std::size_t members, std::uint64_t seed) {
    Counts c;
    random::Stream s(seed, 0, 0, 0);
    for (std::size_t i = 0; i < members; ++i) {
        const double e = 0.25 + 0.75 * s.uniform();
        c.exposure.push_back(e);
        c.events.push_back(f.draw_scaled(e, s.uniform()));
    }
    return c;
}

}  // namespace

TEST(ClaimFits, PoissonCountsKeepTheOverdispersionTestAtItsSize) {
    int rejected = 0, within = 0;
    const int datasets = 200;
    for (int k = 0; k < datasets; ++k) {
        const Counts c = draw_counts(Poisson(2.5), 400, 10 + k);
        const auto fit = stats::fit_frequency(c.events, c.exposure);
        rejected += fit.selected == "negative_binomial" ? 1 : 0;
        within += std::fabs(fit.rate - 2.5) < 2.0 * fit.rate_se ? 1 : 0;
    }
    // Size 5% (boundary-corrected): at most 5% + 4 binomial standard errors of rejections.
    EXPECT_LE(rejected, datasets * (0.05 + 4 * std::sqrt(0.05 * 0.95 / datasets)));
    EXPECT_GE(within, datasets * (0.954 - 4 * std::sqrt(0.954 * 0.046 / datasets)));  // 2-se intervals cover ~95.4%
}

TEST(ClaimFits, NegativeBinomialCountsAreFoundAndFittedWithinTheirErrors) {
    const NegativeBinomial truth(1.6, 1.0);  // inpatient, tier A (shared/DOMAIN.md)
    std::vector<double> z_rate, z_r;
    for (int k = 0; k < 60; ++k) {
        const Counts c = draw_counts(truth, 2000, 500 + k);
        const auto fit = stats::fit_frequency(c.events, c.exposure);
        ASSERT_EQ(fit.selected, "negative_binomial") << k;
        z_rate.push_back((fit.rate - 1.6) / fit.rate_se);
        z_r.push_back((fit.dispersion - 1.0) / fit.dispersion_se);
        const Frequency f = fit.frequency();
        EXPECT_TRUE(std::holds_alternative<NegativeBinomial>(f));
    }
    for (const auto* z : {&z_rate, &z_r}) {
        double m = 0, m2 = 0;
        for (double v : *z) m += v / z->size(), m2 += v * v / z->size();
        EXPECT_LT(std::fabs(m), 4.0 / std::sqrt(z->size()));  // unbiased (r's small-sample bias is well inside this)
        EXPECT_NEAR(std::sqrt(m2 - m * m), 1.0, 0.35);        // standard errors of the right size
    }
}

TEST(ClaimFits, SeveritiesPickTheirFamilyAndSolveTheScoreEquations) {
    random::Stream s(7, 0, 0, 0);
    std::vector<double> lognormal, gamma;
    const Lognormal ln = Lognormal::from_mean_cv(26000, 2.5);
    const Gamma g(2.0, 500.0);
    for (int i = 0; i < 3000; ++i) lognormal.push_back(ln.draw(s)), gamma.push_back(g.draw(s));
    const auto a = stats::fit_severity(lognormal);
    EXPECT_EQ(a.selected, "lognormal");
    EXPECT_NEAR(a.lognormal_mu, ln.mu(), 4 * a.lognormal_mu_se);
    EXPECT_NEAR(a.lognormal_sigma, ln.sigma(), 4 * a.lognormal_sigma_se);
    const auto b = stats::fit_severity(gamma);
    EXPECT_EQ(b.selected, "gamma");
    EXPECT_NEAR(b.gamma_shape, 2.0, 4 * b.gamma_shape_se);
    double mean_log = 0;
    for (double x : gamma) mean_log += std::log(x) / gamma.size();
    EXPECT_NEAR(std::log(b.gamma_shape) - boost::math::digamma(b.gamma_shape), std::log(b.mean) - mean_log, 1e-12);
    EXPECT_DOUBLE_EQ(b.gamma_shape * b.gamma_scale, b.mean);  // the gamma MLE keeps the sample mean
    EXPECT_TRUE(std::holds_alternative<Gamma>(b.severity()));
}

TEST(ClaimFits, BadDataNameTheValue) {
    expect_invalid([] { (void)stats::fit_frequency(std::vector<double>{1, 2}, std::vector<double>{1}); }, "exposure");
    expect_invalid([] { (void)stats::fit_frequency(std::vector<double>{1, 2.5}, std::vector<double>{1, 1}); }, "events[1]");
    expect_invalid([] { (void)stats::fit_frequency(std::vector<double>{1, -1}, std::vector<double>{1, 1}); }, "events[1]");
    expect_invalid([] { (void)stats::fit_frequency(std::vector<double>{1, 1}, std::vector<double>{1, 0}); }, "exposure[1]");
    expect_invalid([] { (void)stats::fit_frequency(std::vector<double>{}, std::vector<double>{}); }, "events");
    expect_invalid([] { (void)stats::fit_severity(std::vector<double>{5}); }, "amounts");
    expect_invalid([] { (void)stats::fit_severity(std::vector<double>{5, 5, 5}); }, "amounts");
    expect_invalid([] { (void)stats::fit_severity(std::vector<double>{5, 0}); }, "amounts[1]");
    const auto none = stats::fit_frequency(std::vector<double>{0, 0}, std::vector<double>{1, 1});  // no events: rate 0, Poisson
    EXPECT_EQ(none.rate, 0.0);
    EXPECT_EQ(none.selected, "poisson");
}

namespace {

/// n amounts: a uniform body below `u` (share `body`), then u + GPD(xi, beta) by inversion.
std::vector<double> with_pareto_tail(std::uint64_t seed, std::size_t n, double u, double body, double xi, double beta) {
    random::Stream s(seed, 0, 0, 1);
    std::vector<double> x(n);
    for (double& v : x) {
        const double w = s.uniform();
        if (w < body) {
            v = u * (0.01 + 0.99 * s.uniform());
            continue;
        }
        const double p = s.uniform();
        v = u + (xi > 0 ? beta / xi * (std::pow(1.0 - p, -xi) - 1.0) : -beta * std::log1p(-p));
    }
    return x;
}

}  // namespace

TEST(ClaimFits, ParetoTailsRecoverTheirParametersWithCoveringErrors) {
    // 40 samples of 2,000 amounts, 25% above the threshold (500 excesses) from GPD(0.3, 50,000):
    // the 95% intervals xi +- 1.96 se should cover the truth in about 95% of them (binomial
    // sd 3.4%: at least 34 of 40), and the MLE is not biased by more than a few per cent.
    int xi_in = 0, beta_in = 0;
    double xi_sum = 0.0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        const std::vector<double> x = with_pareto_tail(seed, 2000, 100000, 0.75, 0.3, 50000);
        const stats::ParetoTailFit f = stats::fit_pareto_tail(x, 100000);
        EXPECT_EQ(f.threshold, 100000);
        EXPECT_NEAR(f.share_below, 1.0 - static_cast<double>(f.exceedances) / 2000.0, 1e-12);
        xi_in += std::fabs(f.shape - 0.3) < 1.96 * f.shape_se;
        beta_in += std::fabs(f.scale - 50000) < 1.96 * f.scale_se;
        xi_sum += f.shape;
    }
    EXPECT_GE(xi_in, 34);
    EXPECT_GE(beta_in, 34);
    EXPECT_NEAR(xi_sum / 40, 0.3, 0.03);
    // An exponential tail (xi = 0): the fit finds a shape near 0 and the mean excess as scale.
    const std::vector<double> e = with_pareto_tail(3, 4000, 1000, 0.5, 0.0, 700);
    const stats::ParetoTailFit fe = stats::fit_pareto_tail(e, 1000);
    EXPECT_LT(fe.shape, 0.06);
    EXPECT_NEAR(fe.scale, 700, 4 * 700 / std::sqrt(static_cast<double>(fe.exceedances)) + fe.shape * 700);
    expect_invalid([&] { return stats::fit_pareto_tail(e, 1e9); }, "threshold");
}
