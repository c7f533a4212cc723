// A run split by trial ranges (SimulationOptions::trial_begin) and joined again
// (merge_trial_ranges) holds the numbers of the whole run, bit for bit: every per-trial
// array of the simulation and of the settled payment models, whatever the split and the
// threads; parts that are not consecutive, or not of one run, are refused naming the part.
#include "apmsim/core/files.hpp"
#include "apmsim/outputs/results_state.hpp"
#include "apmsim/run.hpp"
#include "apmsim/run_part.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/simulation/engine.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cstring>

using namespace apmsim;

namespace {

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

void expect_same(const RunResults& whole, const RunResults& joined) {
    const SimulationResults &w = whole.simulation, &j = joined.simulation;
    EXPECT_EQ(j.trials, w.trials);
    EXPECT_EQ(j.trial_begin, w.trial_begin);
    ASSERT_EQ(j.arms.size(), w.arms.size());
    for (std::size_t a = 0; a < w.arms.size(); ++a)
        for (auto array : {&ArmResults::cost, &ArmResults::events, &ArmResults::member_months, &ArmResults::members,
                           &ArmResults::member_cost_sumsq, &ArmResults::program_cost, &ArmResults::participant_months})
            EXPECT_TRUE(same_bits(j.arms[a].*array, w.arms[a].*array)) << "arm " << a;
    for (auto array : {&SimulationResults::trend, &SimulationResults::effect_factors, &SimulationResults::tier_effect_factors,
                       &SimulationResults::upward_transition_factors, &SimulationResults::member_costs})
        EXPECT_TRUE(same_bits(j.*array, w.*array));
    const PaymentResults &pw = whole.payments, &pj = joined.payments;
    EXPECT_EQ(pj.trials, pw.trials);
    EXPECT_EQ(pj.models, pw.models);
    for (auto array : {&PaymentResults::values, &PaymentResults::real_savings, &PaymentResults::comparisons, &PaymentResults::federal})
        EXPECT_TRUE(same_bits(pj.*array, pw.*array));
    EXPECT_EQ(pj.calibration.size(), pw.calibration.size());
}

RunResults run_range(const Scenario& s, std::uint64_t begin, std::uint64_t trials, unsigned threads) {
    SimulationOptions o = s.settings;
    o.trial_begin = begin;
    o.trials = trials;
    o.threads = threads;
    o.calibration_trials = 40;
    return run(s, o);
}

/// The bundled program with payment models that calibrate (stop-loss, a percentile
/// truncation), a simulated base period, a federal match, rising risk, renewal churn, a
/// ramped program with uptake drawn per trial and member detail: every per-trial array.
Scenario busy_program() {
    Scenario s = Scenario::default_cmc_program(60, 3, true);
    s.settings.member_detail = true;
    s.intervention->uptake = {0.8, 0.1};
    s.intervention->ramp_up = {0.5, 1.0};
    s.intervention->target_tiers = {"A", "B"};
    s.intervention->upward_transition_change = UpwardTransitionChange{-0.2, 0.1};
    s.cost_model.tier_transition = (Eigen::MatrixXd(3, 3) << 0.9, 0.1, 0.0, 0.05, 0.95, 0.0, 0.0, 0.1, 0.9).finished();
    s.churn = Churn{{0.05, 0.05, 0.05}, true};
    s.federal_match = FederalMatch{};
    s.federal_match->fmap = {0.6};
    s.validate();
    return s;
}

}  // namespace

TEST(TrialRanges, PartsJoinIntoTheWholeRunBitForBit) {
    const Scenario s = busy_program();
    const RunResults whole = run_range(s, 0, 13, 2);
    const std::vector<RunResults> parts = {run_range(s, 0, 5, 1), run_range(s, 5, 1, 2), run_range(s, 6, 7, 2)};
    expect_same(whole, merge_trial_ranges(parts));
    // A later range on its own is the tail of the whole run.
    const RunResults tail = run_range(s, 6, 7, 1);
    EXPECT_EQ(tail.simulation.trial_begin, 6u);
    EXPECT_EQ(tail.simulation.trend.front(), whole.simulation.trend[6]);
    EXPECT_EQ(tail.payments.trial_begin, 6u);
}

TEST(TrialRanges, PartsMustBeConsecutiveAndOfOneRun) {
    const Scenario s = Scenario::default_cmc_program(30, 1, true);
    const RunResults a = run_range(s, 0, 3, 1), b = run_range(s, 3, 2, 1), c = run_range(s, 4, 2, 1);
    expect_invalid([&] { (void)merge_trial_ranges(std::vector<RunResults>{a, c}); }, "parts[1].trial_begin");  // a gap
    expect_invalid([&] { (void)merge_trial_ranges(std::vector<RunResults>{b, a}); }, "parts[1].trial_begin");  // out of order
    expect_invalid([&] { (void)merge_trial_ranges(std::vector<RunResults>{a, run_range(s, 2, 2, 1)}); }, "parts[1].trial_begin");  // overlap
    expect_invalid([&] { (void)merge_trial_ranges(std::vector<RunResults>{}); }, "parts");
    Scenario other = s;
    other.settings.seed += 1;
    expect_invalid([&] { (void)merge_trial_ranges(std::vector<RunResults>{a, run_range(other, 3, 2, 1)}); }, "parts[1]");
    other = s;
    other.payment_models.pop_back();
    expect_invalid([&] { (void)merge_trial_ranges(std::vector<RunResults>{a, run_range(other, 3, 2, 1)}); }, "parts[1]");
}

TEST(TrialRanges, TheLastTrialNumberIsChecked) {
    const Scenario s = Scenario::default_cmc_program(10, 1, false);
    SimulationOptions o = s.settings;
    o.trials = 2;
    o.trial_begin = 0xFFFF'FFFFull;
    expect_invalid([&] { o.validate("settings"); }, "settings.trial_begin");
    o.trial_begin = 0xFFFF'FFFEull;
    o.validate("settings");
    o.threads = 1;
    const SimulationResults r = simulate(s, o);  // the last two trial numbers there are
    EXPECT_EQ(r.trial_begin, 0xFFFF'FFFEull);
    EXPECT_EQ(r.trend.size(), 2u);
}

// Part files (run_part.hpp): written by one machine, read by another, joined into the whole
// run; anything damaged or of another run is refused naming the file.
TEST(RunParts, FilesJoinIntoTheWholeRunAndDamageIsRefused) {
    const Scenario s = busy_program();
    const RunResults whole = run_range(s, 0, 9, 2);
    const std::string dir = ::testing::TempDir();
    const std::vector<std::string> files = {dir + "late.part", dir + "early.part"};
    SimulationOptions late = s.settings, early = s.settings;
    late.trial_begin = 4, late.trials = 5, early.trials = 4;
    write_run_part(files[0], s, late, run_range(s, 4, 5, 1));
    write_run_part(files[1], s, early, run_range(s, 0, 4, 2));
    const std::vector<RunPart> parts = {read_run_part(files[0]), read_run_part(files[1])};  // in any order
    const RunPart joined = merge_run_parts(parts, files);
    expect_same(whole, joined.results);
    EXPECT_EQ(joined.scenario.settings.trials, 9u);
    EXPECT_EQ(joined.scenario.settings.trial_begin, 0u);

    // A gap names the file after it; a damaged copy is refused by its checksum.
    SimulationOptions gap = s.settings;
    gap.trial_begin = 5, gap.trials = 2;
    write_run_part(dir + "gap.part", s, gap, run_range(s, 5, 2, 1));
    expect_invalid([&] { (void)merge_run_parts(std::vector<RunPart>{read_run_part(dir + "gap.part"), parts[1]},
                                                std::vector<std::string>{dir + "gap.part", files[1]}); },
                   dir + "gap.part.trial_begin");
    // Without file names, the part is named by its place in the list given (not in trial order).
    expect_invalid([&] { (void)merge_run_parts(std::vector<RunPart>{read_run_part(dir + "gap.part"), parts[1]}, {}); },
                   "parts[0].trial_begin");
    std::vector<RunPart> altered = {parts[0], parts[1]};  // late, then early with other results than its scenario says
    altered[1].results.simulation.seed += 1;
    try {
        (void)merge_run_parts(altered, {});
        ADD_FAILURE() << "a part of another run was merged";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.where(), "parts[0]");  // the late part, checked against the early one, parts[1] of the list
        EXPECT_NE(e.expected().find("as parts[1]"), std::string::npos) << e.what();
    }
    std::string bytes = read_file(files[0], "part", 1u << 30);
    bytes[bytes.size() / 2] ^= 0x20;
    write_file_atomically(dir + "damaged.part", bytes);
    expect_invalid([&] { (void)read_run_part(dir + "damaged.part"); }, dir + "damaged.part");
    write_file_atomically(dir + "short.part", bytes.substr(0, 40));
    expect_invalid([&] { (void)read_run_part(dir + "short.part"); }, dir + "short.part");
    expect_invalid([&] { (void)read_run_part(dir + "missing.part"); }, dir + "missing.part");
}

// Results states are read back with every array's size checked against the counts they
// record: a state whose counts were altered is refused, never indexed out of bounds.
TEST(RunParts, StatesWithSizesThatDisagreeAreRefused) {
    const Scenario s = Scenario::default_cmc_program(20, 2, false);
    SimulationOptions o = s.settings;
    o.trials = 3;
    SimulationResults r = simulate(s, o);
    EXPECT_EQ(results_state(results_from_state(results_state(r))), results_state(r));
    SimulationResults more = r;
    more.trials = 4;  // the arrays hold 3 trials
    expect_invalid([&] { (void)results_from_state(results_state(more)); }, "state: cost");
    SimulationResults fewer = r;
    fewer.arms[0].members.pop_back();
    expect_invalid([&] { (void)results_from_state(results_state(fewer)); }, "state: members");
    SimulationResults slots = r;
    slots.members_at_start = slots.member_count + 1;
    expect_invalid([&] { (void)results_from_state(results_state(slots)); }, "state: members");
}
