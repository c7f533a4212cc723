// Risk adjustment: exposure-weighted least squares recovers known risk weights from
// Philox-simulated gamma costs within their standard errors, the standard errors match
// the spread over replications, the solver matches the normal equations, tier-only
// weights match their closed form, and scores are exactly budget neutral.
#include "test_helpers.hpp"
#include "apmsim/credibility/risk_adjustment.hpp"
#include "apmsim/credibility/risk_design.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"
#include "apmsim/simulation/engine.hpp"

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

using namespace apmsim;

namespace {

// True model in PMPM dollars (additive): tier A 2,500 / B 1,000 / C 500, age band
// 5-11 -100 and 12-17 +50 against 0-4, male +150, marker +800.
const std::map<std::string, double> truth = {{"tier=A", 2500}, {"tier=B", 1000},      {"tier=C", 500},
                                             {"age_band=12-17", 50}, {"age_band=5-11", -100}, {"sex=M", 150},
                                             {"complex_marker", 800}};

struct Members {
    RiskFactors factors;
    std::vector<double> cost, exposure;
    std::vector<int> tier_index;
};

/// n members: tiers 25/50/25%, three age bands, sex 50/50, a 20% marker, 1-12 months.
/// A member's cost over m months is m x PMPM x G with G ~ Gamma(k m / 12) / (k m / 12),
/// mean 1 and variance 12 / (k m) (an annual CV of `cv`), so Var(cost / m) is
/// proportional to PMPM^2 / m: exposure weights are right, the variance is not constant.
Members simulate(std::size_t n, std::uint64_t seed, double cv = 1.5) {
    static const char* const tiers[] = {"A", "B", "C"};
    static const char* const bands[] = {"0-4", "5-11", "12-17"};
    Members d;
    d.factors.marker_names = {"complex_marker"};
    d.factors.markers.assign(1, std::vector<double>(n));
    const double k = 1.0 / (cv * cv);
    for (std::size_t i = 0; i < n; ++i) {
        random::Stream s(seed, 0, static_cast<std::uint32_t>(i), random::variable_id(random::StreamKind::user, 0, 2));
        const double u = s.uniform();
        const int t = u < 0.25 ? 0 : u < 0.75 ? 1 : 2;
        const int b = static_cast<int>(3 * s.uniform());
        const bool male = s.uniform() < 0.5, marker = s.uniform() < 0.2;
        const double months = 1.0 + std::floor(12.0 * s.uniform());
        d.factors.tier.emplace_back(tiers[t]);
        d.factors.age_band.emplace_back(bands[b]);
        d.factors.sex.emplace_back(male ? "M" : "F");
        d.factors.markers[0][i] = marker ? 1.0 : 0.0;
        d.tier_index.push_back(t);
        const double pmpm = truth.at(std::string("tier=") + tiers[t]) +
                            (b == 0 ? 0.0 : truth.at(std::string("age_band=") + bands[b])) + (male ? truth.at("sex=M") : 0.0) +
                            (marker ? truth.at("complex_marker") : 0.0);
        const double shape = k * months / 12.0;
        d.cost.push_back(months * pmpm * random::standard_gamma(shape, s) / shape);
        d.exposure.push_back(months);
    }
    return d;
}

/// Exposure-weighted mean score, summed here in a plain loop (the fit normalises with
/// Eigen's dot product): the two agree to summation rounding, ~1e-14 for 5,000 terms,
/// hence the 1e-13 tolerance used for "exactly budget neutral".
double weighted_mean_score(const RiskWeightFit& f, const std::vector<double>& exposure) {
    double s = 0, e = 0;
    for (std::size_t i = 0; i < exposure.size(); ++i) {
        s += exposure[i] * f.scores(static_cast<Eigen::Index>(i));
        e += exposure[i];
    }
    return s / e;
}
}  // namespace

TEST(RiskAdjustment, RecoversKnownWeightsWithinStandardErrors) {
    const Members d = simulate(20'000, 101);
    const RiskWeightFit f = fit_risk_weights(d.factors, d.cost, d.exposure);
    ASSERT_EQ(f.names.size(), truth.size());
    const Eigen::VectorXd dollars = f.coefficients_pmpm();
    for (std::size_t k = 0; k < f.names.size(); ++k) {
        const double se = f.robust_standard_errors(static_cast<Eigen::Index>(k)) * f.mean_pmpm;
        const double err = dollars(static_cast<Eigen::Index>(k)) - truth.at(f.names[k]);
        EXPECT_LT(std::fabs(err), 3 * se) << f.names[k] << " estimate " << dollars(k) << " se " << se;
        EXPECT_GT(se, 0.0);
    }
    // Relative weights are the dollar weights over the exposure-weighted mean PMPM.
    double c = 0, e = 0;
    for (std::size_t i = 0; i < d.cost.size(); ++i) c += d.cost[i], e += d.exposure[i];
    EXPECT_NEAR(f.mean_pmpm, c / e, 1e-9 * f.mean_pmpm);
    EXPECT_EQ(f.observations, 20'000u);
    EXPECT_GT(f.r_squared, 0.0);
    EXPECT_LT(f.r_squared, 1.0);
}

TEST(RiskAdjustment, ScoresAreExactlyBudgetNeutral) {
    const Members d = simulate(5'000, 102);
    const RiskWeightFit f = fit_risk_weights(d.factors, d.cost, d.exposure);
    EXPECT_NEAR(weighted_mean_score(f, d.exposure), 1.0, 1e-13);
    // The tiers span the intercept, so the in-sample raw scores are already neutral
    // (the WLS residuals sum to zero): the normalisation factor is 1 to rounding.
    EXPECT_NEAR(f.normalization, 1.0, 1e-12);
    // Total actual / total predicted is 1; predictive ratios are reported per tier.
    ASSERT_EQ(f.group_names, (std::vector<std::string>{"A", "B", "C"}));
    double actual = 0, predicted = 0;
    for (std::size_t i = 0; i < d.cost.size(); ++i) {
        actual += d.cost[i];
        predicted += f.mean_pmpm * d.exposure[i] * f.scores(static_cast<Eigen::Index>(i));
    }
    EXPECT_NEAR(actual / predicted, 1.0, 1e-12);
    // Each tier has its own indicator, so its weighted residuals sum to zero too.
    for (int g = 0; g < 3; ++g) EXPECT_NEAR(f.predictive_ratios(g), 1.0, 1e-11) << f.group_names[g];

    // Without tier indicators the tiers' predictive ratios show the misfit, and the
    // normalisation still makes the exposure-weighted mean score exactly 1.
    RiskFactors no_tier = d.factors;
    no_tier.tier.clear();
    const RiskWeightFit g = fit_risk_weights(no_tier, d.cost, d.exposure);
    EXPECT_EQ(g.names.front(), "intercept");
    EXPECT_NEAR(weighted_mean_score(g, d.exposure), 1.0, 1e-13);
    ASSERT_EQ(g.group_names, std::vector<std::string>{"all"});
    EXPECT_NEAR(g.predictive_ratios(0), 1.0, 1e-12);
    // Scoring a different population: raw scores rescaled by their exposure-weighted mean.
    Eigen::VectorXd exposure = Eigen::Map<const Eigen::VectorXd>(d.exposure.data(), d.exposure.size());
    exposure.head(2'000).setConstant(12.0);  // same model, new exposures
    const RiskDesign design = risk_design(d.factors, d.cost.size());
    const RiskWeightFit h = fit_risk_weights(design.matrix, Eigen::Map<const Eigen::VectorXd>(d.cost.data(), d.cost.size()),
                                             exposure, design.names, design.groups, design.group_names);
    EXPECT_NEAR(exposure.dot(h.scores) / exposure.sum(), 1.0, 1e-13);
}

TEST(RiskAdjustment, MatchesNormalEquationsAndTierClosedForm) {
    const Members d = simulate(3'000, 103);
    const RiskDesign design = risk_design(d.factors, d.cost.size());
    const Eigen::Map<const Eigen::VectorXd> cost(d.cost.data(), d.cost.size()), exposure(d.exposure.data(), d.exposure.size());
    const RiskWeightFit f = fit_risk_weights(design.matrix, cost, exposure, design.names);
    // Independent solve: (X'WX) beta = X'W y by Cholesky (LDLT), y = (cost / e) / m.
    const double m = cost.sum() / exposure.sum();
    const Eigen::VectorXd y = cost.cwiseQuotient(exposure) / m;
    const Eigen::MatrixXd XtW = design.matrix.transpose() * exposure.asDiagonal();
    const Eigen::VectorXd beta = (XtW * design.matrix).ldlt().solve(XtW * y);
    EXPECT_LT((beta - f.coefficients).cwiseAbs().maxCoeff(), 1e-10);
    // Classical standard errors from the same normal equations.
    const Eigen::VectorXd r = y - design.matrix * beta;
    const double s2 = exposure.dot(r.cwiseAbs2()) / static_cast<double>(d.cost.size() - beta.size());
    const Eigen::MatrixXd inv = (XtW * design.matrix).inverse();
    for (Eigen::Index k = 0; k < beta.size(); ++k) EXPECT_NEAR(f.standard_errors(k), std::sqrt(s2 * inv(k, k)), 1e-10);
    // Weighted R^2 about the weighted mean (which is 1 on this scale).
    const double sst = exposure.dot((y.array() - 1.0).square().matrix());
    EXPECT_NEAR(f.r_squared, 1.0 - exposure.dot(r.cwiseAbs2()) / sst, 1e-10);

    // Tier-only model: each weight is the tier's exposure-weighted PMPM over the overall PMPM.
    RiskFactors tiers_only;
    tiers_only.tier = d.factors.tier;
    const RiskWeightFit t = fit_risk_weights(tiers_only, d.cost, d.exposure);
    for (int g = 0; g < 3; ++g) {
        double c = 0, e = 0;
        for (std::size_t i = 0; i < d.cost.size(); ++i)
            if (d.tier_index[i] == g) c += d.cost[i], e += d.exposure[i];
        EXPECT_NEAR(t.coefficients(g), (c / e) / m, 1e-12) << g;
    }
}

TEST(RiskAdjustment, StandardErrorsMatchReplications) {
    // 300 replications of 1,500 members: the sd of each dollar estimate over replications
    // against the mean robust (HC1) standard error. The Monte Carlo error of an sd from
    // 300 draws is about 4%; tolerance 15% (3.6 of those). The classical SE of tier A,
    // whose costs are the most variable, is visibly too small (variance grows with the
    // mean), which is why the robust one is the one to quote.
    const int reps = 300;
    const std::size_t p = truth.size();
    Eigen::MatrixXd est(reps, p), robust(reps, p), classical(reps, p);
    std::vector<std::string> names;
    for (int r = 0; r < reps; ++r) {
        const Members d = simulate(1'500, 1'000 + r);
        const RiskWeightFit f = fit_risk_weights(d.factors, d.cost, d.exposure);
        names = f.names;
        est.row(r) = f.coefficients_pmpm();
        robust.row(r) = f.robust_standard_errors * f.mean_pmpm;
        classical.row(r) = f.standard_errors * f.mean_pmpm;
    }
    for (std::size_t k = 0; k < p; ++k) {
        const Eigen::VectorXd col = est.col(k);
        const double mean = col.mean();
        const double sd = std::sqrt((col.array() - mean).square().sum() / (reps - 1));
        EXPECT_NEAR(robust.col(k).mean() / sd, 1.0, 0.15) << names[k];
        // The estimator is unbiased: mean within 4 standard errors of the mean.
        EXPECT_NEAR(mean, truth.at(names[k]), 4 * sd / std::sqrt(reps)) << names[k];
    }
    ASSERT_EQ(names[0], "tier=A");
    const double sd_a = std::sqrt((est.col(0).array() - est.col(0).mean()).square().sum() / (reps - 1));
    EXPECT_LT(classical.col(0).mean() / sd_a, 0.85);
}

TEST(RiskAdjustment, FitsFromPopulationAndSimulatedMemberCosts) {
    // The bundled CMC program (DOMAIN section 2), 400 members, one year, member detail.
    Scenario sc = Scenario::default_cmc_program(400, 1);
    sc.intervention.reset();
    SimulationOptions o = sc.settings;
    o.trials = 2;
    o.threads = 1;
    o.member_detail = true;
    const SimulationResults r = simulate(sc, o);
    const std::vector<double> costs = member_costs_of(r, "baseline", 1, 0);
    ASSERT_EQ(costs.size(), 400u);
    PopulationRiskFactors use;
    use.sex = false;  // in the synthetic population sex alternates with the age band (collinear)
    const RiskWeightFit f = fit_risk_weights(sc.population, sc.cost_model.tiers, costs, 0, use);
    ASSERT_EQ(f.names.front(), "tier=A");
    ASSERT_EQ(f.group_names, sc.cost_model.tiers);
    EXPECT_NEAR(weighted_mean_score(f, std::vector<double>(400, 12.0)), 1.0, 1e-13);
    for (Eigen::Index g = 0; g < 3; ++g) EXPECT_NEAR(f.predictive_ratios(g), 1.0, 1e-11);
    // Tier A costs about 6.4 times tier C (DOMAIN: $94,600 vs $14,750); with 100 members a
    // tier and member CV ~1.2-1.6 the ratio is known to within roughly +-40%.
    EXPECT_GT(f.coefficients(0) / f.coefficients(2), 3.5);
    EXPECT_LT(f.coefficients(0) / f.coefficients(2), 11.0);
    // Same answer as building the factors by hand.
    RiskFactors by_hand;
    for (auto t : sc.population.tier) by_hand.tier.push_back(sc.cost_model.tiers[t]);
    by_hand.age_band = sc.population.age_band;
    const RiskWeightFit g = fit_risk_weights(by_hand, costs, std::vector<double>(400, 12.0));
    EXPECT_LT((g.coefficients - f.coefficients).cwiseAbs().maxCoeff(), 1e-14);
    // With sex the design is rank deficient, and the error says so.
    expect_invalid([&] { fit_risk_weights(sc.population, sc.cost_model.tiers, costs, 0, PopulationRiskFactors{}); }, "design");
    expect_invalid([&] { fit_risk_weights(sc.population, sc.cost_model.tiers, costs, 1, use); }, "year");
    expect_invalid([&] { member_costs_of(r, "baseline", 2, 0); }, "trial");
}

TEST(RiskAdjustment, RejectsBadInput) {
    const Members d = simulate(50, 104);
    auto fit = [&](RiskFactors f, std::vector<double> c, std::vector<double> e) { return fit_risk_weights(f, c, e); };
    std::vector<double> c = d.cost, e = d.exposure;
    c[3] = -1;
    expect_invalid([&] { fit(d.factors, c, d.exposure); }, "cost[3]");
    e[4] = std::nan("");
    expect_invalid([&] { fit(d.factors, d.cost, e); }, "exposure[4]");
    e = d.exposure;
    e[5] = 0;  // zero exposure with positive cost
    expect_invalid([&] { fit(d.factors, d.cost, e); }, "cost[5]");
    expect_invalid([&] { fit(d.factors, d.cost, std::vector<double>(49, 12.0)); }, "exposure");
    RiskFactors f = d.factors;
    f.sex.pop_back();
    expect_invalid([&] { fit(f, d.cost, d.exposure); }, "sex");
    f = d.factors;
    f.markers[0] = std::vector<double>(50, 1.0);  // a constant marker next to the tiers
    expect_invalid([&] { fit(f, d.cost, d.exposure); }, "design");
    f = d.factors;
    f.markers[0][7] = std::nan("");
    expect_invalid([&] { fit(f, d.cost, d.exposure); }, "markers.complex_marker[7]");
    const Eigen::MatrixXd X = Eigen::MatrixXd::Ones(3, 1);
    expect_invalid([&] { fit_risk_weights(X, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Ones(3), {"a", "b"}); }, "names");
    expect_invalid([&] { fit_risk_weights(X, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Ones(3), {}, {0, 1, 0}, {"a"}); },
                   "groups[1]");
    expect_invalid([&] { fit_risk_weights(X, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Ones(3), {}, {0, -1, 0}); }, "groups[1]");
    EXPECT_EQ(fit_risk_weights(X, Eigen::VectorXd::Ones(3), Eigen::VectorXd::Ones(3), {}, {0, 2, 0}).group_names,
              (std::vector<std::string>{"0", "1", "2"}));
    expect_invalid([&] { fit_risk_weights(X, Eigen::VectorXd::Zero(3), Eigen::VectorXd::Ones(3)); }, "cost");
    expect_invalid([&] { fit_risk_weights(X.topRows(1), Eigen::VectorXd::Ones(1), Eigen::VectorXd::Ones(1)); }, "exposure");
}
