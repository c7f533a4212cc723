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
