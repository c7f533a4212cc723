// Monitoring a contract year (monitor.hpp) and the frailty posterior it projects with
// (claims/frailty_posterior.hpp): closed forms, an independent quadrature, a hand-built
// program, uniformity of the year-to-date percentile over synthetic programs, and a 10%
// cost shock flagged.
#include "apmsim/claims/frailty_posterior.hpp"
#include "apmsim/monitor.hpp"
#include "apmsim/synth.hpp"
#include "test_helpers.hpp"

#include <boost/math/distributions/gamma.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

using namespace apmsim;
using claims::CountSeen;
using claims::FrailtyPosterior;

namespace {

const double poisson_cell = std::numeric_limits<double>::infinity();

// E[F | n] by the test's own quadrature in F (Simpson on [0, 40], 200,000 panels) of the
// unnormalised posterior: the gamma prior times each category's negative binomial pmf.
double quadrature_mean(double cv, const std::vector<CountSeen>& seen) {
    const double k = 1.0 / (cv * cv);
    auto density = [&](double f) {
        if (f <= 0.0) return 0.0;
        double log_p = (k - 1.0) * std::log(f) - k * f;
        for (const CountSeen& c : seen) {
            if (c.expected == 0.0) continue;  // nothing expected, nothing seen: no information
            const double m = c.expected * f;
            log_p += std::isinf(c.size) ? c.count * std::log(m) - m
                                        : std::lgamma(c.count + c.size) - std::lgamma(c.size) + c.count * std::log(m / (m + c.size)) +
                                              c.size * std::log(c.size / (m + c.size));
        }
        return std::exp(log_p);
    };
    const int n = 200000;
    const double h = 40.0 / n;
    double z = 0.0, m = 0.0;
    for (int j = 0; j <= n; ++j) {
        const double f = j * h, w = (j == 0 || j == n) ? 1.0 : (j % 2 ? 4.0 : 2.0);
        z += w * density(f), m += w * f * density(f);
    }
    return m / z;
}

}  // namespace

TEST(FrailtyPosterior, PoissonCellsGiveTheConjugateGamma) {
    // k = 4 (cv 0.5), counts 12 and 3 where 6 and 2 were expected: Gamma(4 + 15, 4 + 8).
    const std::vector<CountSeen> seen = {{6.0, 12, poisson_cell}, {2.0, 3, poisson_cell}};
    const FrailtyPosterior p(0.5, seen);
    EXPECT_NEAR(p.mean(), 19.0 / 12.0, 1e-6);
    const boost::math::gamma_distribution<> exact(19.0, 1.0 / 12.0);
    for (double u : {0.001, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999})  // the table's inversion: linear within 1/2048 of the range
        EXPECT_NEAR(p.draw(u), boost::math::quantile(exact, u), 2e-4 * boost::math::quantile(exact, u)) << "u = " << u;
}

TEST(FrailtyPosterior, NegativeBinomialCellsMatchAnIndependentQuadrature) {
    for (double cv : {0.3, 0.8, 2.0}) {
        const std::vector<CountSeen> seen = {{4.0, 11, 2.5}, {0.5, 0, 0.7}, {1.5, 2, poisson_cell}, {0.0, 0, 1.0}};
        EXPECT_NEAR(FrailtyPosterior(cv, seen).mean(), quadrature_mean(cv, seen), 2e-5) << "cv " << cv;
    }
}

TEST(FrailtyPosterior, NoFrailtyIsOneAndBadInputIsNamed) {
    const std::vector<CountSeen> seen = {{2.0, 9, 1.0}};
    EXPECT_EQ(FrailtyPosterior(0.0, seen).draw(0.3), 1.0);
    EXPECT_EQ(error_of([] { FrailtyPosterior(-0.1, {}); }).where(), "frailty_cv");
    const std::vector<CountSeen> impossible = {{0.0, 2, 1.0}};
    EXPECT_EQ(error_of([&] { FrailtyPosterior(0.5, impossible); }).where(), "seen[0].count");
}

namespace {

// One tier, one category: Poisson(12 a year), severity about 1000 (lognormal cv 0.01),
// frailty cv 0.5, no trend, no payment models; two members enrolled all 2024.
Scenario tiny_program() {
    Scenario s = Scenario::default_cmc_program(2, 1, false);
    s.intervention.reset();
    CostModel cm;
    cm.tiers = {"A"};
    cm.categories = {"care"};
    cm.cells = {{Poisson(12.0), Lognormal::from_mean_cv(1000.0, 0.01)}};
    cm.frailty_cv = 0.5;
    s.cost_model = cm;
    s.delivery = {};
    s.population.tier.assign(2, 0);
    return s;
}

std::string claim_rows(const std::string& member, int count, int first_id) {
    std::string rows;
    for (int j = 0; j < count; ++j) {
        char date[16];
        std::snprintf(date, sizeof date, "2024-%02d-10", 1 + j % 6);
        rows += "C" + std::to_string(first_id + j) + "," + member + "," + date + "," + date + ",care,1000\n";
    }
    return rows;
}

MonitorReport monitor_text(const Scenario& s, const std::string& members, const std::string& claims, const std::string& through,
                           MonitorOptions o) {
    auto m = csv::Reader::from_text(members, "members.csv");
    auto c = csv::Reader::from_text(claims, "claims.csv");
    claims::StandardiseOptions so;
    so.valuation = through;
    return monitor_claims(s, m, c, {}, so, o);
}

const std::string tiny_members = "member_id,tier,enrolment_start,enrolment_end\nM1,A,2024-01-01,2024-12-31\nM2,A,2024-01-01,2024-12-31\n";

}  // namespace

TEST(Monitor, ProjectsTheRestOfTheYearByEachMembersPosterior) {
    // Six months seen, all paid at once (completeness 1). M1 had 12 claims where 6 were
    // expected, M2 had 1: E[F | n] = (4 + n) / (4 + 6), so the rest of the year expects
    // 6 x 1.6 = 9.6 and 6 x 0.5 = 3 claims of 1000; the year 13,000 + 12,600.
    const std::string claims = "claim_id,member_id,service_date,paid_date,category,allowed\n" + claim_rows("M1", 12, 1) + claim_rows("M2", 1, 100);
    MonitorOptions o;
    o.start = "2024-01", o.trials = 4000, o.seed = 7;
    const MonitorReport r = monitor_text(tiny_program(), tiny_members, claims, "2024-06", o);
    EXPECT_EQ(r.year, 1);
    EXPECT_EQ(r.months_observed, 6);
    EXPECT_DOUBLE_EQ(r.paid_to_date, 13000.0);
    EXPECT_DOUBLE_EQ(r.member_months, 12.0);
    EXPECT_DOUBLE_EQ(r.year_member_months, 24.0);
    for (double c : r.completeness) EXPECT_DOUBLE_EQ(c, 1.0);
    // The rest-of-year count: Poisson-gamma, variance 9.6 + 36 x 16/100 and 3 + 36 x 5/100
    // (20.16 claims^2 of about 1000): the mean of 4000 trials has a standard error of ~71.
    const double se = std::sqrt(20.16) * 1000.0 / std::sqrt(4000.0);
    EXPECT_NEAR(r.year_pmpm_mean_conditional * 24.0, 13000.0 + 12600.0, 4 * se);
    // Without conditioning the year expects 2 x 12 claims (prior frailty mean 1).
    const double prior_se = std::sqrt(2 * (12.0 + 144.0 * 0.25)) * 1000.0 / std::sqrt(4000.0);
    EXPECT_NEAR(r.year_pmpm_mean_prior * 24.0, 24000.0, 4 * prior_se);
    // 13 claims where 12 were expected: well inside the band.
    EXPECT_EQ(r.flag, "within");
    EXPECT_GT(r.percentile, 0.3);
    EXPECT_LT(r.percentile, 0.9);
    // The fan: observed months carry the paid-to-date; each month's conditional median at or above its paid.
    ASSERT_EQ(r.fan.size(), 12u);
    EXPECT_TRUE(r.fan[5].observed);
    EXPECT_FALSE(r.fan[6].observed);
    EXPECT_DOUBLE_EQ(r.fan[5].paid_to_date, 13000.0 / 12.0);
    EXPECT_NEAR(r.fan[5].conditional[2], 13000.0 / 12.0, 1e-9);  // nothing unpaid: the months seen are known
}

TEST(Monitor, SameSeedSameReportWhateverTheThreads) {
    const std::string claims = "claim_id,member_id,service_date,paid_date,category,allowed\n" + claim_rows("M1", 5, 1) + claim_rows("M2", 2, 100);
    MonitorOptions o;
    o.start = "2024-01", o.trials = 300, o.seed = 11, o.threads = 1;
    const Json one = monitor_report_to_json(monitor_text(tiny_program(), tiny_members, claims, "2024-06", o));
    o.threads = 3;
    EXPECT_EQ(monitor_report_to_json(monitor_text(tiny_program(), tiny_members, claims, "2024-06", o)).dump(), one.dump());
}

TEST(Monitor, RefusesWhatItCannotMonitorNamingIt) {
    const std::string claims = "claim_id,member_id,service_date,paid_date,category,allowed\n" + claim_rows("M1", 3, 1);
    MonitorOptions o;
    o.start = "2024-01", o.trials = 50;
    // through after the scenario's one contract year
    EXPECT_EQ(error_of([&] { monitor_text(tiny_program(), tiny_members, claims, "2025-02", o); }).where(), "through");
    o.start = "2023-13";
    EXPECT_EQ(error_of([&] { monitor_text(tiny_program(), tiny_members, claims, "2024-06", o); }).where(), "start");
    o.start = "2024-01";
    Scenario binomial = tiny_program();
    binomial.cost_model.cells[0].frequency = Binomial(20, 0.6);
    EXPECT_EQ(error_of([&] { monitor_text(binomial, tiny_members, claims, "2024-06", o); }).where(), "cost_model.cells.care.A.frequency");
    // Claims of a member whose risk score makes the model expect none (relative risk 0).
    const std::string scored = "member_id,tier,risk_score,enrolment_start,enrolment_end\nM1,A,0,2024-01-01,2024-12-31\n"
                               "M2,A,2,2024-01-01,2024-12-31\n";
    EXPECT_EQ(error_of([&] { monitor_text(tiny_program(), scored, claims, "2024-06", o); }).where(), "claims of member M1 in care");
    o.band = 1.0;
    EXPECT_EQ(error_of([&] { monitor_text(tiny_program(), tiny_members, claims, "2024-06", o); }).where(), "band");
}

namespace {

// The default program's base year 2023 and first contract half-year 2024, synthesised
// (mess included) with `seed` from `truth`, then 2024 monitored against the default
// program. Synthetic data year k is trended (1 + trend)^k from the base year (k = 0), as
// the engine trends contract year k; 2023 gives the run-out history.
MonitorReport synthetic_half_year(const Scenario& truth, std::uint64_t seed, bool payment_models, std::uint64_t trials) {
    const std::size_t members = truth.population.size();
    const Scenario s = Scenario::default_cmc_program(members, 1, payment_models);
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("apmsim_monitor_" + std::to_string(seed) + "_" + std::to_string(members));
    std::filesystem::create_directories(dir);
    SynthOptions so;
    so.seed = seed, so.members = members, so.years = 2, so.start = "2023-01", so.valuation = "2024-06-30";
    synthesize(truth, so, dir.string());
    csv::Reader m((dir / "members.csv").string()), c((dir / "claims.csv").string());
    claims::StandardiseOptions st;
    st.valuation = "2024-06", st.first = "2023-01";
    MonitorOptions o;
    o.start = "2024-01", o.trials = trials, o.seed = 1000 + seed;
    MonitorReport r = monitor_claims(s, m, c, {}, st, o);
    std::filesystem::remove_all(dir);
    return r;
}

/// The default program with 2024's prices `shock` times the scenario's (through the trend).
Scenario price_shock(std::size_t members, double shock) {
    Scenario truth = Scenario::default_cmc_program(members, 1, false);
    truth.cost_model.trend.mean = shock * (1.0 + truth.cost_model.trend.mean) - 1.0;
    return truth;
}

/// The default program with every cell's expected count `shock` times the scenario's, both years.
Scenario utilisation_shock(std::size_t members, double shock) {
    Scenario truth = Scenario::default_cmc_program(members, 1, false);
    for (CategoryModel& cell : truth.cost_model.cells) {
        if (const auto* nb = std::get_if<NegativeBinomial>(&cell.frequency)) cell.frequency = NegativeBinomial(nb->mean() * shock, nb->dispersion());
        else cell.frequency = Poisson(mean(cell.frequency) * shock);
    }
    return truth;
}

/// The total A/E within 3 of its simulated standard deviations (from the 90% band's width,
/// 2 x 1.645 sd) of what the shock makes it.
void expect_ratio_near(const MonitorReport& r, double shock) {
    const ActualVsExpected& total = r.actual_vs_expected.back();
    const double sd = (total.high - total.low) / (2 * 1.645);
    EXPECT_NEAR(total.ratio, shock, 3 * shock * sd) << "sd " << sd;
}

}  // namespace

TEST(Monitor, YearToDatePercentileIsRoughlyUniformOverSyntheticPrograms) {
    // 24 programs drawn from the scenario itself: the percentiles should look uniform. A
    // Kolmogorov-Smirnov distance below 0.27 (the 5% critical value for 24 is 0.269) and no
    // flag in more than 5 of 24 (the 90% band: 2.4 expected; P(> 5) is about 3%).
    std::vector<double> p;
    int flagged = 0;
    for (std::uint64_t seed = 1; seed <= 24; ++seed) {
        const MonitorReport r = synthetic_half_year(price_shock(500, 1.0), seed, false, 400);
        p.push_back(r.percentile);
        flagged += r.flag != "within";
    }
    std::sort(p.begin(), p.end());
    double ks = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i)
        ks = std::max({ks, std::fabs(p[i] - static_cast<double>(i) / p.size()), std::fabs(p[i] - static_cast<double>(i + 1) / p.size())});
    EXPECT_LT(ks, 0.27);
    EXPECT_LE(flagged, 5);
}

TEST(Monitor, ATenPercentPriceShockIsFlaggedAndCarriedIntoTheRestOfTheYear) {
    // 3,000 children over six months: the paid-to-date PMPM's simulated band is about +-8%
    // wide, so prices 10% above the scenario's sit above it.
    const MonitorReport r = synthetic_half_year(price_shock(3000, 1.10), 5, false, 300);
    EXPECT_EQ(r.flag, "above");
    EXPECT_GT(r.percentile, 0.95);
    expect_ratio_near(r, 1.10);
    // The severities seen move the trend from 4% (sd 1%) towards the 14.4% they were drawn with.
    EXPECT_GT(r.trend_posterior_mean, 0.10);
    EXPECT_LT(r.trend_posterior_mean, 0.16);
    EXPECT_GT(r.year_pmpm_mean_conditional, 1.07 * r.year_pmpm_mean_prior);
}

TEST(Monitor, ATenPercentUtilisationShockIsFlaggedAndTakesAwayTheSavings) {
    // 10% more events in every cell: the frailty posteriors carry it into the rest of the
    // year (the trend, and so a realised-trend benchmark, does not move), so the chance of
    // shared savings paid falls for every model that pays them.
    const MonitorReport r = synthetic_half_year(utilisation_shock(3000, 1.10), 6, true, 300);
    EXPECT_EQ(r.flag, "above");
    expect_ratio_near(r, 1.10);
    EXPECT_NEAR(r.trend_posterior_mean, 0.04, 0.02);
    EXPECT_GT(r.year_pmpm_mean_conditional, 1.05 * r.year_pmpm_mean_prior);
    ASSERT_EQ(r.outcomes.size(), 4u);
    int paying = 0;
    for (const MonitorOutcome& o : r.outcomes) {
        if (o.p_savings_paid_prior < 0.1) continue;
        ++paying;
        EXPECT_LT(o.p_savings_paid, 0.5 * o.p_savings_paid_prior) << o.model;
        EXPECT_LE(o.mean_savings_paid, o.mean_savings_paid_prior) << o.model;
    }
    EXPECT_GE(paying, 1);
}
