// Calibration from claims: the round trip synthesise (known parameters, deliberate mess)
// -> standardise -> calibrate, checked against the truth within the reported standard
// errors; the coverage of those standard errors over seeds; credibility blending.
#include "apmsim/distributions/spliced_lognormal_pareto.hpp"
#include "apmsim/calibration_report.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/synth.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <unistd.h>

using namespace apmsim;

namespace {

struct RoundTrip {
    SynthSummary truth;
    CalibrationRun run;
};

RoundTrip round_trip(const Scenario& s, std::uint64_t seed, std::size_t members, int years, bool mess,
                     const claims::CalibrationOptions& co = {}) {
    // ctest runs each test in its own process, two at a time: the folder names the process.
    const std::string dir = ::testing::TempDir() + "/apmsim_calibrate_" + std::to_string(seed) + "_" + std::to_string(members) + "_" +
                            std::to_string(::getpid());
    SynthOptions o;
    o.seed = seed, o.members = members, o.years = years;
    if (!mess) o.mess = MessRates::none();
    RoundTrip r{synthesize(s, o, dir), {}};
    claims::StandardiseOptions so;
    so.first = "2024-01";
    so.tiers = s.cost_model.tiers, so.categories = s.cost_model.categories;
    csv::Reader m(dir + "/members.csv"), c(dir + "/claims.csv");
    r.run = calibrate_claims(m, c, {}, so, co);
    std::filesystem::remove_all(dir);
    return r;
}

const claims::Finding& finding(const claims::CleanClaims& c, const std::string& rule) {
    for (const auto& f : c.report.findings)
        if (f.rule == rule && f.source == "claims") return f;
    throw std::runtime_error(rule);
}

/// z-scores of every cell's fitted frequency and severity mean against the truth: the
/// truth's severity is brought to the base year (the last data year, (1 + g)^(years - 1)).
std::vector<double> z_scores(const RoundTrip& r, const Scenario& s, int years) {
    std::vector<double> z;
    const double base = std::pow(1.0 + s.cost_model.trend.mean, years - 1);
    for (const auto& cell : r.run.calibration.cells) {
        const int t = CostModel::index_of(s.cost_model.tiers, cell.tier), c = CostModel::index_of(s.cost_model.categories, cell.category);
        const CategoryModel& true_cell = s.cost_model.cell(static_cast<std::size_t>(t), static_cast<std::size_t>(c));
        const auto& f = *cell.frequency_fit;
        z.push_back((f.rate - mean(true_cell.frequency)) / f.rate_se);
        const double fitted = mean(cell.severity_fit->severity());
        z.push_back((fitted - mean(true_cell.severity) * base) / cell.severity_mean_se);
    }
    return z;
}

}  // namespace

// Tolerance: 4 standard errors per estimate (a false alarm about 6e-5 per check if the
// errors are right; the coverage test below checks that they are).
TEST(CalibrateRoundTrip, RecoversTheDefaultProgramFromMessyExtracts) {
    const Scenario s = Scenario::default_cmc_program(1000, 3, false);
    const RoundTrip r = round_trip(s, 11, 4000, 3, true);
    const claims::CleanClaims& c = r.run.clean;
    // Every injected defect is found by its rule, and only those.
    EXPECT_EQ(finding(c, "duplicate_line").rows, r.truth.rule("duplicate").rows);
    EXPECT_EQ(finding(c, "unknown_member").rows, r.truth.rule("unknown_member").rows);
    EXPECT_EQ(finding(c, "unmapped_code").rows, r.truth.rule("unmapped_category").rows);
    EXPECT_EQ(finding(c, "unparseable_value").rows, r.truth.rule("bad_value").rows);
    EXPECT_EQ(finding(c, "non_positive_after_netting").rows, r.truth.rule("void").units);
    EXPECT_EQ(finding(c, "outside_enrolment").rows + finding(c, "incurred_outside_window").rows, r.truth.rule("outside_enrolment").rows);
    EXPECT_EQ(c.report.rows_kept, r.truth.true_lines_written);
    EXPECT_TRUE(c.report.reconciles());
    // Parameters within 4 standard errors.
    for (double z : z_scores(r, s, 3)) EXPECT_LT(std::fabs(z), 4.0);
    const auto& cal = r.run.calibration;
    EXPECT_LT(std::fabs(cal.trend.annual_trend - s.cost_model.trend.mean), 4.0 * cal.trend.annual_trend_se)
        << cal.trend.annual_trend << " se " << cal.trend.annual_trend_se;
    EXPECT_LT(std::fabs(cal.frailty_cv - s.cost_model.frailty_cv), 4.0 * cal.frailty_cv_se) << cal.frailty_cv << " se " << cal.frailty_cv_se;
    // The run-out: recent months were incomplete at valuation, and completion brings the
    // last month's completed PMPM back in line with the months before it (within 15%).
    const std::size_t n = cal.completeness.size();
    EXPECT_LT(cal.completeness[n - 1], 0.8);
    const double earlier = (cal.monthly_pmpm[n - 4] + cal.monthly_pmpm[n - 5] + cal.monthly_pmpm[n - 6]) / 3.0;
    EXPECT_NEAR(cal.monthly_pmpm[n - 1] / earlier, 1.0, 0.15);
    // The calibrated cost model is a valid scenario cost model and round-trips through JSON.
    const CostModel back = cost_model_document_from_json(cost_model_document(cal.cost_model));
    EXPECT_EQ(cost_model_document(back), cost_model_document(cal.cost_model));
}

TEST(CalibrateRoundTrip, StandardErrorsCoverTheTruthOverSeeds) {
    const Scenario s = Scenario::default_cmc_program(1000, 2, false);
    std::size_t inside[2] = {0, 0}, total = 0;
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        const RoundTrip r = round_trip(s, 100 + seed, 1500, 2, false);
        const auto z = z_scores(r, s, 2);  // frequency, severity, frequency, ...
        for (std::size_t q = 0; q < z.size(); ++q) inside[q % 2] += std::fabs(z[q]) < 1.959964;
        total += z.size() / 2;
        const auto& cal = r.run.calibration;
        EXPECT_LT(std::fabs(cal.trend.annual_trend - s.cost_model.trend.mean) / cal.trend.annual_trend_se, 3.5) << "seed " << seed;
        EXPECT_LT(std::fabs(cal.frailty_cv - s.cost_model.frailty_cv) / cal.frailty_cv_se, 3.5) << "seed " << seed;
    }
    // 288 estimates of each kind: the share within 1.96 standard errors has a binomial sd of
    // about 0.013 around 0.95 if the errors are right. Severity errors share the trend's
    // error within a seed, so their share varies more.
    for (std::size_t kind = 0; kind < 2; ++kind) {
        const double coverage = static_cast<double>(inside[kind]) / static_cast<double>(total);
        EXPECT_GT(coverage, 0.90) << (kind ? "severity " : "frequency ") << inside[kind] << " of " << total;
        EXPECT_LT(coverage, 0.99) << (kind ? "severity " : "frequency ") << inside[kind] << " of " << total;
    }
}

TEST(CalibrateRoundTrip, ThinCellsLeanOnTheManualModelByCredibility) {
    const Scenario s = Scenario::default_cmc_program(1000, 2, false);
    CostModel manual = s.cost_model;
    for (auto& cell : manual.cells) cell.severity = Lognormal::from_mean_cv(2.0 * mean(cell.severity), 2.0);
    claims::CalibrationOptions co;
    co.manual = manual;
    const RoundTrip r = round_trip(s, 7, 300, 2, false, co);
    std::size_t partial = 0;
    for (std::size_t k = 0; k < r.run.calibration.cells.size(); ++k) {
        const auto& cell = r.run.calibration.cells[k];
        // (1.645 / 0.05)^2 claims, times the variance-to-mean ratio of a member-year's count
        // for the frequency (Loss Models' standard for claim counts: n_full sigma_N^2 / mu_N).
        const double n_full = 1082.41;
        const auto& f = cell.frequency_fit;
        const double vmr = f && f->selected == "negative_binomial" ? 1.0 + f->rate / f->dispersion : 1.0;
        const double z_frequency = f ? std::min(1.0, std::sqrt(static_cast<double>(cell.events) / (n_full * vmr))) : 0.0;
        EXPECT_NEAR(cell.frequency_credibility, z_frequency, 1e-3);
        if (!cell.severity_fit) {  // no experience: the manual cell
            EXPECT_DOUBLE_EQ(cell.fitted_severity_mean, mean(manual.cells[k].severity));
            continue;
        }
        const double experience = mean(cell.severity_fit->severity()), z = cell.severity_credibility;
        EXPECT_NEAR(cell.fitted_severity_mean, z * experience + (1 - z) * mean(manual.cells[k].severity), 1e-6 * experience);
        partial += z < 1.0;
    }
    EXPECT_GT(partial, 3u);  // 300 members: the rarer cells lean on the manual model
    EXPECT_TRUE(r.run.calibration.blended);
    // The trend: the normal posterior of the manual's (4%, sd 1%) and the fit's, by hand.
    const claims::Calibration& cal = r.run.calibration;
    const double a = 1.0 / (cal.trend.annual_trend_se * cal.trend.annual_trend_se), b = 1.0 / (0.01 * 0.01);
    EXPECT_NEAR(cal.cost_model.trend.mean, (a * cal.trend.annual_trend + b * 0.04) / (a + b), 1e-12);
    EXPECT_NEAR(cal.cost_model.trend.sd, 1.0 / std::sqrt(a + b), 1e-12);
    EXPECT_NEAR(cal.trend_credibility, a / (a + b), 1e-12);
    EXPECT_LT(cal.cost_model.trend.sd, 0.01);  // never less certain than either
}

TEST(CalibrateRoundTrip, AShortSmallHistorysTrendLeansOnTheManual) {
    // One year of 150 members: the fitted trend's standard error is tens of percent, a cost
    // model with it would be refused (mean - 6 sd <= -1); blended, it is the manual's, nearly.
    const Scenario s = Scenario::default_cmc_program(150, 1, false);
    claims::CalibrationOptions co;
    co.manual = s.cost_model;
    const RoundTrip r = round_trip(s, 3, 150, 1, false, co);
    const claims::Calibration& cal = r.run.calibration;
    EXPECT_GT(cal.trend.annual_trend_se, 0.1);
    EXPECT_LT(cal.trend_credibility, 0.01);
    EXPECT_NEAR(cal.cost_model.trend.mean, 0.04, 0.01);  // within the manual's sd
    EXPECT_NO_THROW(cal.cost_model.validate("cost_model"));
}

TEST(CalibrateRoundTrip, AHeavyTailIsFittedAboveTheQuantile) {
    // Tier A's inpatient severity: its lognormal spliced at the lognormal's 85th percentile
    // to a generalized Pareto tail (xi 0.35, beta 60,000). Fitted above the 90% quantile of
    // the amounts (above the splice, where excesses are GPD with the same xi), the shape is
    // found within 4 standard errors; the cell's severity becomes spliced, others stay.
    Scenario s = Scenario::default_cmc_program(4000, 3, false);
    CategoryModel& inpatient = s.cost_model.cells[0];
    const auto ln = std::get<Lognormal>(inpatient.severity);
    const double splice = std::exp(ln.mu() + 1.0364 * ln.sigma());
    inpatient.severity = SplicedLognormalPareto(ln.mu(), ln.sigma(), splice, 0.35, 60000);
    claims::CalibrationOptions co;
    co.tail_quantile = 0.9;
    const RoundTrip r = round_trip(s, 11, 4000, 3, false, co);
    const claims::CellCalibration& cell = r.run.calibration.cells[0];
    ASSERT_EQ(cell.category, "inpatient");
    ASSERT_TRUE(cell.tail_fit.has_value());
    EXPECT_TRUE(cell.tail_used);
    EXPECT_GT(cell.tail_fit->threshold, splice);
    EXPECT_GE(cell.tail_fit->exceedances, claims::CalibrationOptions::min_tail_claims);
    EXPECT_NEAR(cell.tail_fit->shape, 0.35, 4 * cell.tail_fit->shape_se);
    EXPECT_TRUE(std::holds_alternative<SplicedLognormalPareto>(r.run.calibration.cost_model.cells[0].severity));
    // The spliced model's 99th percentile against the amounts' own (sampling error of a p99 of
    // about 5,000 amounts with a heavy tail: well within 15%).
    EXPECT_NEAR(cell.fitted_severity_quantiles[2] / cell.observed_severity_quantiles[2], 1.0, 0.15);
    std::size_t tails = 0;
    for (const auto& c : r.run.calibration.cells) tails += c.tail_used;
    EXPECT_GE(tails, 1u);
    expect_invalid([&] {
        claims::CalibrationOptions bad;
        bad.tail_quantile = 0.3;
        return round_trip(s, 11, 50, 1, false, bad);
    }, "tail_quantile");
}
