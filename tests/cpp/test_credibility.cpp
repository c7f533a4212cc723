// Credibility: limited-fluctuation standards (ASOP 25 / DOMAIN section 6), Buhlmann and
// Buhlmann-Straub (Hachemeister's published results, a hand case, a truncated case) and
// credibility-blended PMPM rates with pooling (hand computations and closed-form pooling
// charges).
#include "test_helpers.hpp"
#include "apmsim/credibility/blended_rate.hpp"
#include "apmsim/credibility/buhlmann.hpp"
#include "apmsim/credibility/limited_fluctuation.hpp"

#include <boost/math/distributions/normal.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

using namespace apmsim;

namespace {
constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();


/// tests/data/hachemeister.csv: state, ratio.1..12, weight.1..12.
void load_hachemeister(Eigen::MatrixXd& ratios, Eigen::MatrixXd& weights) {
    std::ifstream in(std::string(APMSIM_SOURCE_DIR) + "/tests/data/hachemeister.csv");
    if (!in) throw std::runtime_error("cannot open tests/data/hachemeister.csv under " APMSIM_SOURCE_DIR);
    std::string line;
    std::getline(in, line);  // header
    std::vector<std::vector<double>> rows;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::stringstream ss(line);
        std::string cell;
        std::vector<double> row;
        while (std::getline(ss, cell, ',')) row.push_back(std::stod(cell));
        rows.push_back(row);
    }
    ratios.resize(static_cast<Eigen::Index>(rows.size()), 12);
    weights.resize(static_cast<Eigen::Index>(rows.size()), 12);
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (int j = 0; j < 12; ++j) {
            ratios(static_cast<Eigen::Index>(i), j) = rows[i].at(1 + j);
            weights(static_cast<Eigen::Index>(i), j) = rows[i].at(13 + j);
        }
}
}  // namespace

// --- Limited fluctuation ---------------------------------------------------------------

TEST(LimitedFluctuation, FullCredibilityStandards) {
    // (z / k)^2 with z = Phi^-1(0.95) (Boost) and k = 5%: 1,082.2, ASOP 25's 1,082.
    const double z = boost::math::quantile(boost::math::normal(), 0.95);
    EXPECT_NEAR(full_credibility_claims(0.90, 0.05), (z / 0.05) * (z / 0.05), 1e-9);
    EXPECT_EQ(std::lround(full_credibility_claims()), 1082);
    // 99% within 2.5%: (2.5758 / 0.025)^2 = 10,616.
    EXPECT_EQ(std::lround(full_credibility_claims(0.99, 0.025)), 10616);
    // Aggregate cost: times (1 + cv^2) for Poisson counts; times (VMR + cv^2) otherwise.
    EXPECT_NEAR(full_credibility_aggregate(2.0), 5.0 * full_credibility_claims(), 1e-9);
    EXPECT_NEAR(full_credibility_aggregate(2.0, 0.9, 0.05, 3.0), 7.0 * full_credibility_claims(), 1e-9);
    EXPECT_NEAR(full_credibility_aggregate(0.0), full_credibility_claims(), 1e-12);
    // Exposure standard: member-years for a member-level CV of 1.676.
    EXPECT_NEAR(full_credibility_exposure(1.676), 1.676 * 1.676 * full_credibility_claims(), 1e-9);
}

TEST(LimitedFluctuation, SquareRootRule) {
    const double nf = full_credibility_claims();
    EXPECT_NEAR(partial_credibility(nf / 4, nf), 0.5, 1e-15);
    EXPECT_NEAR(partial_credibility(nf / 100, nf), 0.1, 1e-15);
    EXPECT_EQ(partial_credibility(nf, nf), 1.0);
    EXPECT_EQ(partial_credibility(3 * nf, nf), 1.0);
    EXPECT_EQ(partial_credibility(0, nf), 0.0);
    EXPECT_NEAR(credibility_weighted(0.25, 400, 200), 250, 1e-12);
    expect_invalid([] { full_credibility_claims(1.5); }, "probability");
    expect_invalid([] { full_credibility_claims(0.9, 0.0); }, "tolerance");
    expect_invalid([] { full_credibility_aggregate(-1.0); }, "severity_cv");
    expect_invalid([] { partial_credibility(-1, 1082); }, "n");
    expect_invalid([] { partial_credibility(10, 0); }, "n_full");
    expect_invalid([] { credibility_weighted(1.2, 1, 2); }, "credibility");
}

// --- Buhlmann-Straub on Hachemeister (DOMAIN section 8) -------------------------------

TEST(BuhlmannStraub, ReproducesHachemeister) {
    Eigen::MatrixXd x, w;
    load_hachemeister(x, w);
    ASSERT_EQ(x.rows(), 5);
    const auto r = buhlmann_straub(x, w);
    // Tolerances are half a unit in the last published digit.
    EXPECT_NEAR(r.collective_premium, 1683.713, 0.0005);
    EXPECT_NEAR(r.between_variance, 89'638.73, 0.005);
    EXPECT_NEAR(r.within_variance, 139'120'026.0, 0.5);
    const double factors[] = {0.9847, 0.9276, 0.8985, 0.7279, 0.9588};
    const double premiums[] = {2055.165, 1523.706, 1793.444, 1442.967, 1603.285};
    for (int i = 0; i < 5; ++i) {
        EXPECT_NEAR(r.credibility_factors(i), factors[i], 0.00005) << i;
        EXPECT_NEAR(r.premiums(i), premiums[i], 0.0005) << i;
    }
    EXPECT_FALSE(r.between_variance_truncated);
    EXPECT_TRUE(r.note.empty());
    EXPECT_NEAR(r.credibility_coefficient, r.within_variance / r.between_variance, 1e-9);
    // Weights are the total claim counts; the collective is the Z-weighted mean.
    EXPECT_DOUBLE_EQ(r.weights(0), w.row(0).sum());
    EXPECT_NEAR(r.collective_premium, r.credibility_factors.dot(r.risk_means) / r.credibility_factors.sum(), 1e-9);
}

TEST(BuhlmannStraub, ZeroWeightCellsAreAbsent) {
    Eigen::MatrixXd x, w;
    load_hachemeister(x, w);
    // Removing state 2's last quarter: a zero weight with a NaN ratio and a zero weight
    // with an absurd ratio give the same answer, and differ from the full data.
    Eigen::MatrixXd x1 = x, w1 = w;
    w1(1, 11) = 0.0;
    x1(1, 11) = nan_value;
    Eigen::MatrixXd x2 = x1;
    x2(1, 11) = 1e12;
    const auto a = buhlmann_straub(x1, w1), b = buhlmann_straub(x2, w1), full = buhlmann_straub(x, w);
    EXPECT_DOUBLE_EQ(a.collective_premium, b.collective_premium);
    EXPECT_DOUBLE_EQ(a.within_variance, b.within_variance);
    EXPECT_NE(a.within_variance, full.within_variance);
    // The state's mean is over its 11 observed quarters.
    const double mean2 = (x.row(1).head(11).array() * w.row(1).head(11).array()).sum() / w.row(1).head(11).sum();
    EXPECT_NEAR(a.risk_means(1), mean2, 1e-9);
}

// --- Buhlmann, equal weights -----------------------------------------------------------

TEST(Buhlmann, HandCase) {
    // Risks 1,3,5,7 / 4,6,8,10 / 10,12,14,16: means 4, 7, 13; every within-risk sample
    // variance is 20/3, so sigma^2 = 20/3; the sample variance of the means is 21, so
    // tau^2 = 21 - (20/3)/4 = 58/3; K = 10/29; Z = 4 / (4 + 10/29) = 58/63; collective 8.
    Eigen::MatrixXd d(3, 4);
    d << 1, 3, 5, 7, 4, 6, 8, 10, 10, 12, 14, 16;
    const auto r = buhlmann(d);
    EXPECT_NEAR(r.within_variance, 20.0 / 3.0, 1e-12);
    EXPECT_NEAR(r.between_variance, 58.0 / 3.0, 1e-12);
    EXPECT_NEAR(r.credibility_coefficient, 10.0 / 29.0, 1e-12);
    EXPECT_NEAR(r.collective_premium, 8.0, 1e-12);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(r.credibility_factors(i), 58.0 / 63.0, 1e-12);
    EXPECT_NEAR(r.premiums(0), 272.0 / 63.0, 1e-12);           // 58/63 x 4 + 5/63 x 8
    EXPECT_NEAR(r.premiums(1), (58.0 * 7 + 5.0 * 8) / 63, 1e-12);
    EXPECT_NEAR(r.premiums(2), (58.0 * 13 + 5.0 * 8) / 63, 1e-12);
    // Buhlmann-Straub with a constant weight 7 per cell: sigma^2 is per unit weight, so it
    // and kappa scale by 7, while Z = 28 / (28 + 7 kappa) and the premiums do not change.
    const auto s = buhlmann_straub(d, Eigen::MatrixXd::Constant(3, 4, 7.0));
    EXPECT_NEAR(s.within_variance, 7.0 * r.within_variance, 1e-9);
    EXPECT_NEAR(s.between_variance, r.between_variance, 1e-9);
    EXPECT_NEAR(s.credibility_coefficient, 70.0 / 29.0, 1e-12);
    EXPECT_NEAR(s.credibility_factors(0), 58.0 / 63.0, 1e-12);
    EXPECT_NEAR(s.premiums(0), r.premiums(0), 1e-12);
}

TEST(Buhlmann, NegativeBetweenVarianceIsTruncated) {
    // Risks 0,10 and 10,0: equal means 5, sigma^2 = 50, tau^2 estimate = 0 - 50/2 = -25.
    Eigen::MatrixXd d(2, 2);
    d << 0, 10, 10, 0;
    const auto r = buhlmann(d);
    EXPECT_NEAR(r.between_variance_estimate, -25.0, 1e-12);
    EXPECT_EQ(r.between_variance, 0.0);
    EXPECT_TRUE(r.between_variance_truncated);
    EXPECT_NE(r.note.find("set to 0"), std::string::npos) << r.note;
    EXPECT_TRUE(std::isinf(r.credibility_coefficient));
    EXPECT_EQ(r.credibility_factors, Eigen::VectorXd::Zero(2));
    EXPECT_NEAR(r.premiums(0), 5.0, 1e-12);
    EXPECT_NEAR(r.premiums(1), 5.0, 1e-12);
    // With weights the collective falls back to the weighted mean X_bar. Risk 1: 4, 6
    // with weights 1, 3 (mean 5.5, total weight 4); risk 2: 6, 4 with weights 1, 1 (mean 5).
    Eigen::MatrixXd x(2, 2), w(2, 2);
    x << 4, 6, 6, 4;
    w << 1, 3, 1, 1;
    const auto s = buhlmann_straub(x, w);
    // Means 5.5 (w 4) and 5 (w 2): sigma^2 = (1*2.25 + 3*0.25 + 1 + 1) / 2 = 2.5;
    // tau^2 = [4 (5.5 - 16/3)^2 + 2 (5 - 16/3)^2 - 2.5] / (6 - 20/6) < 0.
    EXPECT_TRUE(s.between_variance_truncated);
    EXPECT_NEAR(s.within_variance, 2.5, 1e-12);
    EXPECT_NEAR(s.between_variance_estimate, (4 * std::pow(5.5 - 16.0 / 3, 2) + 2 * std::pow(5 - 16.0 / 3, 2) - 2.5) / (6 - 20.0 / 6), 1e-12);
    EXPECT_NEAR(s.collective_premium, 16.0 / 3.0, 1e-12);
    EXPECT_NEAR(s.premiums(0), 16.0 / 3.0, 1e-12);
}

TEST(BuhlmannStraub, RejectsBadInput) {
    Eigen::MatrixXd x = Eigen::MatrixXd::Constant(3, 4, 100.0), w = Eigen::MatrixXd::Ones(3, 4);
    x(0, 1) = 90;
    Eigen::MatrixXd bad = x;
    bad(1, 2) = nan_value;
    expect_invalid([&] { buhlmann_straub(bad, w); }, "ratios[1, 2]");
    Eigen::MatrixXd wneg = w;
    wneg(2, 3) = -1;
    expect_invalid([&] { buhlmann_straub(x, wneg); }, "weights[2, 3]");
    Eigen::MatrixXd wnan = w;
    wnan(0, 0) = nan_value;
    expect_invalid([&] { buhlmann_straub(x, wnan); }, "weights[0, 0]");
    expect_invalid([&] { buhlmann_straub(x, Eigen::MatrixXd::Ones(3, 3)); }, "weights");
    expect_invalid([&] { buhlmann_straub(x.topRows(1), w.topRows(1)); }, "ratios");
    Eigen::MatrixXd wzero_row = w;
    wzero_row.row(1).setZero();
    expect_invalid([&] { buhlmann_straub(x, wzero_row); }, "weights[1, :]");
    expect_invalid([&] { buhlmann_straub(x.leftCols(1), w.leftCols(1)); }, "ratios");  // no within df
    expect_invalid([&] { buhlmann(bad); }, "data[1, 2]");
    expect_invalid([&] { buhlmann(x.leftCols(1)); }, "data");
}

// --- Blended rate ----------------------------------------------------------------------

TEST(BlendedRate, HandCaseWithPooling) {
    // 4 members x 12 months, claims 1,000 / 2,000 / 50,000 / 3,000; pooling at 25,000
    // removes 25,000; manual $300 PMPM including a $20 pooling charge; MM_F = 12,000.
    const std::vector<double> claims = {1'000, 2'000, 50'000, 3'000}, months = {12, 12, 12, 12};
    BlendedRateTerms t;
    t.manual_pmpm = 300;
    t.pooling_level = 25'000;
    t.pooling_charge_pmpm = 20;
    t.full_credibility_member_months = 12'000;
    const auto r = blended_rate(claims, months, t);
    const double z = std::sqrt(48.0 / 12'000.0);
    EXPECT_DOUBLE_EQ(r.member_months, 48);
    EXPECT_NEAR(r.experience_pmpm, 56'000.0 / 48, 1e-10);
    EXPECT_NEAR(r.pooled_experience_pmpm, 31'000.0 / 48, 1e-10);
    EXPECT_NEAR(r.excess_claims, 25'000, 1e-9);
    EXPECT_EQ(r.members_pooled, 1u);
    EXPECT_NEAR(r.manual_pooled_pmpm, 280, 1e-12);
    EXPECT_NEAR(r.credibility, z, 1e-15);
    EXPECT_NEAR(r.blended_pmpm, z * 31'000.0 / 48 + (1 - z) * 280 + 20, 1e-10);
    EXPECT_EQ(r.method, "square-root rule");
    // Buhlmann K = 480 member-months: Z = 48 / 528.
    t.full_credibility_member_months = 0;
    t.buhlmann_k = 480;
    const auto b = blended_rate(claims, months, t);
    EXPECT_NEAR(b.credibility, 48.0 / 528.0, 1e-15);
    EXPECT_NEAR(b.blended_pmpm, 48.0 / 528 * 31'000.0 / 48 + 480.0 / 528 * 280 + 20, 1e-10);
    // Fully credible experience without pooling is the experience itself.
    BlendedRateTerms full;
    full.manual_pmpm = 300;
    full.full_credibility_member_months = 10;
    EXPECT_NEAR(blended_rate(claims, months, full).blended_pmpm, 56'000.0 / 48, 1e-10);
}

TEST(BlendedRate, PoolingChargeMatchesClosedForms) {
    // Exponential (gamma shape 1) annual cost, mean theta: E[(X - L)+] = theta e^{-L/theta}.
    const double theta = 40'000, L = 100'000;
    EXPECT_NEAR(pooling_charge_pmpm(Gamma(1.0, theta), L), theta * std::exp(-L / theta) / 12, 1e-6);
    // Lomax(alpha, theta): E[(X - L)+] = theta / (alpha - 1) (theta / (theta + L))^(alpha - 1).
    const double a = 3.0, th = 60'000;
    EXPECT_NEAR(pooling_charge_pmpm(Pareto(a, th), L, 12),
                th / (a - 1) * std::pow(th / (th + L), a - 1) / 12, 1e-6);
    expect_invalid([] { pooling_charge_pmpm(Gamma(1.0, 1.0), 0.0); }, "pooling_level");
}

TEST(BlendedRate, RejectsBadInput) {
    const std::vector<double> c = {100, 200}, m = {12, 12};
    BlendedRateTerms t;
    t.manual_pmpm = 300;
    t.full_credibility_member_months = 1000;
    EXPECT_NO_THROW(blended_rate(c, m, t));
    auto with = [&](auto change) {
        BlendedRateTerms u = t;
        change(u);
        return u;
    };
    expect_invalid([&] { blended_rate(c, m, with([](auto& u) { u.buhlmann_k = 10; })); }, "full_credibility_member_months");
    expect_invalid([&] { blended_rate(c, m, with([](auto& u) { u.full_credibility_member_months = 0; })); },
                   "full_credibility_member_months");
    expect_invalid([&] { blended_rate(c, m, with([](auto& u) { u.pooling_charge_pmpm = 20; })); }, "pooling_charge_pmpm");
    expect_invalid([&] { blended_rate(c, m, with([](auto& u) { u.pooling_level = 1000; u.pooling_charge_pmpm = 400; })); },
                   "pooling_charge_pmpm");
    expect_invalid([&] { blended_rate(c, m, with([](auto& u) { u.manual_pmpm = -1; })); }, "manual_pmpm");
    expect_invalid([&] { blended_rate(c, m, with([](auto& u) { u.pooling_level = 0; })); }, "pooling_level");
    expect_invalid([&] { blended_rate({100, -5}, m, t); }, "member_claims[1]");
    expect_invalid([&] { blended_rate(c, {12}, t); }, "member_months");
    expect_invalid([&] { blended_rate(c, {0, 0}, t); }, "member_months");
    expect_invalid([&] { blended_rate({}, {}, t); }, "member_claims");
}
