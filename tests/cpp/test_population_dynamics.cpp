// Populations that change over the horizon: rising risk (a program that changes its
// participants' tier transitions, population/rising_risk.hpp), checked against hand
// computations and the Markov chain's closed form; churn (members who leave and join,
// population/churn.hpp) against the closed form of the monthly exit and entry process;
// segments (population/segments.hpp) settled on their own members.
#include "apmsim/contracts/component.hpp"
#include "apmsim/experience/experience_observer.hpp"
#include "apmsim/population/rising_risk.hpp"
#include "apmsim/run.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/simulation/engine.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace apmsim;

namespace {

/// Three tiers, A costliest (1.6 admissions a year), then B (0.6), then C (0.2), with the
/// illustrative transitions of shared/DOMAIN.md section 9.
Scenario three_tier_program(std::size_t per_tier, int years) {
    Scenario s = Scenario::default_cmc_program(10, years, false);
    s.cost_model.categories = {"inpatient"};
    s.cost_model.frailty_cv = 0.0;
    s.cost_model.trend = {0.0, 0.0};
    s.cost_model.cells.clear();
    for (double lambda : {1.6, 0.6, 0.2})
        s.cost_model.cells.push_back({Poisson(lambda), Lognormal::from_mean_cv(20000.0, 1.0)});
    s.cost_model.tier_transition = Eigen::MatrixXd(3, 3);
    s.cost_model.tier_transition << 0.9, 0.1, 0.0, 0.05, 0.95, 0.0, 0.0, 0.1, 0.9;
    s.population = Population{};
    s.population.years = years;
    for (std::size_t i = 0; i < 3 * per_tier; ++i) {
        s.population.id.push_back(static_cast<std::int64_t>(i + 1));
        s.population.tier.push_back(static_cast<std::uint16_t>(i / per_tier));
        s.population.age_band.push_back("unknown");
        s.population.sex.push_back("U");
        s.population.risk_score.push_back(1.0);
        for (int y = 0; y < years; ++y) s.population.months.push_back(12);
    }
    s.population_recipe.reset();
    s.intervention = Intervention{};
    s.intervention->name = "prevention";
    s.intervention->upward_transition_change = UpwardTransitionChange{-0.2, 0.0};
    return s;
}

}  // namespace

// Hand computation: row B (5% up to A) at factor 0.8 keeps 4% up and stays 96%; row C
// (10% up to B) keeps 8% and stays 92%; row A has nothing costlier and is unchanged. At
// factor 30 row B's rise is capped where its stay runs out (factor 20: 100% up).
TEST(RisingRisk, ParticipantMatrixByHand) {
    const Scenario s = three_tier_program(1, 2);
    const auto costlier = costlier_tiers(s.cost_model);
    EXPECT_EQ(costlier, (std::vector<std::uint8_t>{0, 0, 0, 1, 0, 0, 1, 1, 0}));
    const auto p = participant_transitions(s.cost_model.tier_transition, costlier, 0.8);
    const std::vector<double> expected = {0.9, 0.1, 0.0, 0.04, 0.96, 0.0, 0.0, 0.08, 0.92};
    for (std::size_t k = 0; k < 9; ++k) EXPECT_NEAR(p[k], expected[k], 1e-15) << k;
    const auto capped = participant_transitions(s.cost_model.tier_transition, costlier, 30.0);
    EXPECT_NEAR(capped[3], 1.0, 1e-15);
    EXPECT_EQ(capped[4], 0.0);
    EXPECT_NEAR(capped[7], 1.0, 1e-15);  // row C: factor capped at (0.9 + 0.1) / 0.1 = 10
    EXPECT_EQ(capped[8], 0.0);
}

// Tier heads in year 2 follow n0 P (baseline) and n0 P' (every member a participant),
// within 4 standard errors of Binomial sums.
TEST(RisingRisk, OccupancyMatchesTheChainInBothArms) {
    const std::size_t n = 400;
    const Scenario s = three_tier_program(n, 2);
    SimulationOptions o;
    o.trials = 300;
    o.seed = 7;
    const SimulationResults r = simulate(s, o);
    const auto p0 = s.cost_model.tier_transition;
    const auto p1 = participant_transitions(p0, costlier_tiers(s.cost_model), 0.8);
    for (std::size_t arm = 0; arm < 2; ++arm)
        for (std::size_t to = 0; to < 3; ++to) {
            double mean = 0.0, var = 0.0;
            for (std::size_t from = 0; from < 3; ++from) {
                const double q = arm == 0 ? p0(static_cast<Eigen::Index>(from), static_cast<Eigen::Index>(to)) : p1[from * 3 + to];
                mean += n * q;
                var += n * q * (1 - q);
            }
            const SampleMatrix heads = r.samples("members", arm == 0 ? "baseline" : "intervention", "", s.cost_model.tiers[to]);
            EXPECT_NEAR(heads.col(1).mean(), mean, 4 * std::sqrt(var / o.trials)) << "arm " << arm << " tier " << to;
            EXPECT_EQ(heads.col(0).mean(), static_cast<double>(n));
        }
    for (double f : r.upward_transition_factors) EXPECT_DOUBLE_EQ(f, 0.8);
}

TEST(RisingRisk, ChangesThatCannotActAreErrors) {
    Scenario s = three_tier_program(2, 2);
    s.cost_model.tier_transition.resize(0, 0);
    expect_invalid([&] { s.validate(); }, "intervention.upward_transition_change");
    s = three_tier_program(2, 2);
    s.intervention->target_tiers = {"A"};  // the costliest tier cannot rise
    expect_invalid([&] { s.validate(); }, "intervention.upward_transition_change");
    s = three_tier_program(2, 1);
    expect_invalid([&] { s.validate(); }, "intervention.upward_transition_change");
    s = three_tier_program(2, 2);
    s.intervention->upward_transition_change->mean = -1.01;
    expect_invalid([&] { s.validate(); }, "intervention.upward_transition_change.mean");
}

namespace {

/// One tier of `n` members enrolled all year, churning at `q` a month.
Scenario churning_cohort(std::size_t n, double q, int years) {
    Scenario s = three_tier_program(n, years);
    s.intervention.reset();
    s.cost_model.tier_transition.resize(0, 0);
    s.churn = Churn{{q, q, q}, false};
    return s;
}

}  // namespace

// Churn from C++: the expected size stays n in every month (12 n member-months a year),
// and year 2's members are Binomial(n, (1 - q)^12) starters plus Poisson entrants with
// mean n q (sum_{k=1}^{11} (1 - q)^k + 12) (population/churn.hpp), within 4 SE.
TEST(Churn, MemberMonthsAndMembersFollowTheProcess) {
    const std::size_t per_tier = 200;
    const double q = 0.02;
    const Scenario s = churning_cohort(per_tier, q, 2);
    SimulationOptions o;
    o.trials = 400;
    o.seed = 11;
    const SimulationResults r = simulate(s, o);
    const double n = 3.0 * per_tier;
    const SampleMatrix months = r.samples("member_months"), members = r.samples("members");
    double thinned = 0.0;
    for (int k = 1; k < 12; ++k) thinned += std::pow(1 - q, k);
    const double p = std::pow(1 - q, 12), entrants = n * q * (thinned + 12);
    const double sd_members = std::sqrt(n * p * (1 - p) + entrants);
    EXPECT_NEAR(members.col(1).mean(), n * p + entrants, 4 * sd_members / std::sqrt(400.0));
    for (int y = 0; y < 2; ++y) {
        const Eigen::ArrayXd col = months.col(y).array();
        const double sd = std::sqrt((col - col.mean()).square().sum() / 399.0);
        EXPECT_NEAR(col.mean(), 12 * n, 4 * sd / std::sqrt(400.0)) << "year " << y + 1;
        EXPECT_GT(sd, 0.0);
    }
    EXPECT_GT(r.member_count, 3 * per_tier);  // entrants' slots follow the population's
}

namespace {

/// Recounts from the view observers get, trial by trial, the participants enrolled in each
/// month of each year: [trial][year][month].
class MonthlyCensus final : public TrialObserver {
public:
    MonthlyCensus(std::uint64_t trials, int years) : count(trials * static_cast<std::size_t>(years) * 12, 0.0) {}
    void observe(const TrialView& v) override {
        for (std::size_t i = 0; i < v.members; ++i)
            for (int y = 0; v.participant[i] != 0 && y < v.years; ++y) {
                const std::size_t my = i * static_cast<std::size_t>(v.years) + static_cast<std::size_t>(y);
                for (int m = v.first_month(my); m < v.first_month(my) + v.months[my]; ++m)
                    count[(v.trial * static_cast<std::size_t>(v.years) + static_cast<std::size_t>(y)) * 12 + static_cast<std::size_t>(m)] += 1.0;
            }
    }
    std::vector<double> count;
};

}  // namespace

// Staff are sized by the caseload, the children enrolled at one time: under monthly churn
// (q = 5%, entrants replacing the expected exits) the expected census is n in every month
// (n (1 - q)^m starters plus sum_j n q (1 - q)^(m - j) entrants), within 4 SE, and each
// trial-year's coordinator cost is ceil(busiest month / 10) x $60,000 of that census, the
// same in the engine's results and in the experience the contracts see. Counting every
// child enrolled in the year (0.7.0) charged about 1.6 times as many coordinators.
TEST(Churn, StaffingFollowsTheBusiestMonthsCaseload) {
    const std::size_t per_tier = 20;
    Scenario s = churning_cohort(per_tier, 0.05, 2);
    s.intervention = Intervention{};
    s.intervention->name = "care";
    s.intervention->staffing = {{"coordinator", {}, 10.0, 60000.0}};
    SimulationOptions o;
    o.trials = 300;
    o.seed = 5;
    MonthlyCensus census(o.trials, 2);
    ExperienceTable table(o.trials, 2, 2, 1, 3, 1, 0);
    ExperienceObserver experience(s, {}, table);
    const SimulationResults r = simulate(s, o, {&census, &experience});
    const SampleMatrix coordinators = r.samples("program_cost", "intervention", "", "", "coordinator");
    const SampleMatrix members = r.samples("members", "intervention");
    const double n = 3.0 * per_tier;
    double more_children_than_census = 0;
    for (int y = 0; y < 2; ++y) {
        for (int m = 0; m < 12; ++m) {
            Eigen::ArrayXd at(static_cast<Eigen::Index>(o.trials));
            for (std::uint64_t t = 0; t < o.trials; ++t) at(static_cast<Eigen::Index>(t)) = census.count[(t * 2 + y) * 12 + m];
            const double sd = std::sqrt((at - at.mean()).square().sum() / (o.trials - 1.0));
            EXPECT_NEAR(at.mean(), n, 4 * sd / std::sqrt(static_cast<double>(o.trials)) + 1e-12) << "year " << y + 1 << " month " << m + 1;
        }
        for (std::uint64_t t = 0; t < o.trials; ++t) {
            const double* month = census.count.data() + (t * 2 + y) * 12;
            const double busiest = *std::max_element(month, month + 12);
            const double cost = std::ceil(busiest / 10.0) * 60000.0;
            EXPECT_EQ(coordinators(static_cast<Eigen::Index>(t), y), cost) << "trial " << t << " year " << y + 1;
            EXPECT_EQ(table.at(t, 1, y).program_cost[0], cost) << "trial " << t << " year " << y + 1;
            more_children_than_census += members(static_cast<Eigen::Index>(t), y) > busiest ? 1 : 0;
        }
    }
    EXPECT_GT(more_children_than_census, 0.9 * 2 * o.trials);  // churn: more children pass through than are enrolled at once
}

// Exit probabilities outside [0, 1), none above 0, or not one per tier are errors.
TEST(Churn, ExitProbabilitiesAreChecked) {
    Scenario s = churning_cohort(2, 0.01, 2);
    s.churn->exit = {0.0, 0.0, 0.0};
    expect_invalid([&] { s.validate(); }, "population.churn.monthly_exit");
    s.churn->exit = {0.5, 1.0, 0.0};
    expect_invalid([&] { s.validate(); }, "population.churn.monthly_exit");
    s.churn->by_tier = true;
    expect_invalid([&] { s.validate(); }, "population.churn.monthly_exit.B");
    s.churn->exit = {0.5};
    expect_invalid([&] { s.validate(); }, "population.churn.monthly_exit");
}

// Exits at the annual renewal only: members stay the whole year (member-months = 12 x
// members), and year 3's members are Binomial(n, (1 - r)^2) starters plus Poisson entrants
// with mean n r (1 + (1 - r)) (population/churn.hpp), within 4 SE; a 1-year horizon has no
// renewal for the exits to act at: an error.
TEST(Churn, RenewalExitsFollowTheProcess) {
    const std::size_t per_tier = 200;
    const double r = 0.05;
    Scenario s = churning_cohort(per_tier, r, 3);
    s.churn->at_renewal = true;
    SimulationOptions o;
    o.trials = 400;
    o.seed = 12;
    const SimulationResults res = simulate(s, o);
    const double n = 3.0 * per_tier, p = (1 - r) * (1 - r), entrants = n * r * (1 + (1 - r));
    const SampleMatrix months = res.samples("member_months"), members = res.samples("members");
    EXPECT_TRUE((months.array() == 12.0 * members.array()).all());
    EXPECT_TRUE((members.col(0).array() == n).all());
    EXPECT_NEAR(members.col(2).mean(), n * p + entrants, 4 * std::sqrt((n * p * (1 - p) + entrants) / 400.0));
    s = churning_cohort(per_tier, r, 1);
    s.churn->at_renewal = true;
    expect_invalid([&] { s.validate(); }, "population.churn.renewal_exit");
}

// A program cost item by tier: each tier's PMPM times its participants' months, by hand;
// a PMPM for every tier as well as by tier (it would have no effect), or for a tier the
// cost model lacks, is an error.
TEST(ProgramCosts, PmpmByTierIsPaidPerTiersMonths) {
    Intervention iv;
    iv.name = "care";
    iv.target_tiers = {"A", "B"};
    iv.costs = {{"team", 0.0, {{"A", 150.0}, {"B", 60.0}}}, {"family", 10.0, {}}};
    const std::vector<std::string> tiers = {"A", "B", "C"};
    iv.validate("intervention", {"inpatient"}, tiers, 1);
    const std::vector<double> months = {120.0, 36.0, 0.0};
    MonthlyCaseload caseload(3);
    for (int k = 0; k < 10; ++k) caseload.add(0, 0, 12);
    for (int k = 0; k < 3; ++k) caseload.add(1, 0, 12);
    std::vector<double> out(2);
    iv.year_costs(0, months, caseload, tiers, out);
    EXPECT_EQ(out[0], 150.0 * 120 + 60.0 * 36);
    EXPECT_EQ(out[1], 10.0 * 156);
    // Staff by the busiest month: 13 children at once need 2 coordinators at 1:11; the same
    // 36 months of tier B as three children one after the other (4 months each) need one.
    iv.staffing = {{"coordinator", {"A", "B"}, 11.0, 1000.0}};
    out.assign(3, 0.0);
    iv.year_costs(0, months, caseload, tiers, out);
    EXPECT_EQ(out[2], 2000.0);
    MonthlyCaseload one_after_another(3);
    for (int k = 0; k < 10; ++k) one_after_another.add(0, 0, 12);
    for (int k = 0; k < 3; ++k) one_after_another.add(1, 4 * k, 4 * k + 4);
    iv.year_costs(0, months, one_after_another, tiers, out);
    EXPECT_EQ(out[2], 1000.0);
    EXPECT_EQ(iv.total_pmpm("A"), 160.0);
    EXPECT_EQ(iv.total_pmpm("C"), 10.0);
    iv.costs[0].pmpm = 5.0;
    expect_invalid([&] { iv.validate("intervention", {"inpatient"}, tiers, 1); }, "intervention.program_cost_pmpm.team");
    iv.costs[0].pmpm = 0.0;
    iv.costs[0].by_tier.push_back({"Z", 10.0});
    expect_invalid([&] { iv.validate("intervention", {"inpatient"}, tiers, 1); }, "intervention.program_cost_pmpm.team.by_tier.Z");
}

// Targeting by risk score: the members the rule keeps take part and nobody else (their
// costs bit-identical between the arms); a rule that keeps every member or none is an error.
TEST(Targeting, RiskScoreRuleKeepsTheMembersItAdmits) {
    Scenario s = three_tier_program(40, 1);
    s.intervention->uptake = {};
    s.intervention->upward_transition_change.reset();
    s.cost_model.tier_transition.resize(0, 0);
    s.delivery = {};
    for (std::size_t i = 0; i < s.population.size(); ++i) s.population.risk_score[i] = i % 3 == 0 ? 2.0 : 0.5;
    s.intervention->target_risk_score = RiskScoreRule{1.0};
    s.validate();
    SimulationOptions o;
    o.trials = 5;
    o.member_detail = true;
    const SimulationResults r = simulate(s, o);
    const std::size_t M = r.member_count;
    double kept = 0;
    for (std::size_t i = 0; i < s.population.size(); ++i) {
        kept += i % 3 == 0 ? 12 : 0;
        if (i % 3 == 0) continue;
        for (std::uint64_t t = 0; t < o.trials; ++t)  // [arm][trial][year][member], one year
            EXPECT_EQ(r.member_costs[t * M + i], r.member_costs[(o.trials + t) * M + i]) << i;
    }
    const SampleMatrix months = r.participant_months("");
    EXPECT_TRUE((months.array() == kept).all());
    s.intervention->target_risk_score = RiskScoreRule{0.0};
    expect_invalid([&] { s.validate(); }, "intervention.target_risk_score");
    s.intervention->target_risk_score = RiskScoreRule{3.0};
    expect_invalid([&] { s.validate(); }, "intervention.target_risk_score");
    s.intervention->target_risk_score = RiskScoreRule{1.0, 0.5};
    expect_invalid([&] { s.validate(); }, "intervention.target_risk_score.max");
}

// The status quo: fee_for_service by default when another model shares its segment; a
// named one must be such a model.
TEST(StatusQuo, DefaultAndNamed) {
    Scenario s = Scenario::default_cmc_program(20, 1, true);
    EXPECT_EQ(s.status_quo_model(), std::optional<std::string>("fee_for_service"));
    s.status_quo = s.payment_models[2].name;
    s.validate();
    EXPECT_EQ(s.status_quo_model(), s.payment_models[2].name);
    s.status_quo = "nobody";
    expect_invalid([&] { s.validate(); }, "status_quo");
    s.status_quo.clear();
    s.payment_models.resize(1);
    EXPECT_EQ(s.status_quo_model(), std::nullopt);
}

// A payment model on a segment settles its members only: under fee-for-service the payer
// pays exactly the allowed cost of the segment's tiers, and the segments add up to the whole.
TEST(Segments, ModelOnASegmentSettlesItsMembers) {
    Scenario s = three_tier_program(100, 2);
    s.intervention.reset();
    s.delivery = DeliveryBasis{};
    s.segments = {{"complex", {"A", "B"}}, {"other", {"C"}}};
    for (const char* segment : {"", "complex", "other"}) {
        PaymentModel m;
        m.name = std::string("ffs_") + (*segment ? segment : "whole");
        m.components.push_back({FeeForService{}, {}});
        m.segment = segment;
        s.payment_models.push_back(m);
    }
    SimulationOptions o;
    o.trials = 20;
    const RunResults r = run(s, o);
    const SampleMatrix a = r.simulation.samples("total_cost", "baseline", "", "A"), b = r.simulation.samples("total_cost", "baseline", "", "B"),
                       c = r.simulation.samples("total_cost", "baseline", "", "C");
    const SampleMatrix complex = r.payments.samples("ffs_complex", "payer"), other = r.payments.samples("ffs_other", "payer"),
                       whole = r.payments.samples("ffs_whole", "payer");
    for (Eigen::Index t = 0; t < complex.rows(); ++t)
        for (Eigen::Index y = 0; y < 2; ++y) {
            EXPECT_NEAR(complex(t, y), -(a(t, y) + b(t, y)), 1e-9 * std::fabs(complex(t, y)));
            EXPECT_NEAR(other(t, y), -c(t, y), 1e-9 * std::fabs(other(t, y)));
            EXPECT_NEAR(whole(t, y), complex(t, y) + other(t, y), 1e-9 * std::fabs(whole(t, y)));
        }
    s.segments[1].tiers.push_back("A");  // A in two segments
    expect_invalid([&] { s.validate(); }, "population.segments.other[1]");
}
