// The base-case cache (base_case_cache.hpp): a bounded least-recently-used store, and its
// use by run(): runs that share the base case reuse the pilot, the calibration sample and
// the simulated base period, with results bit-identical to a run that simulates them
// afresh; a run whose base case differs in anything they depend on never reuses them.
#include "apmsim/base_case_cache.hpp"
#include "apmsim/run.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/scenario_json.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <stdexcept>

using namespace apmsim;

namespace {

/// Restores the default capacity and empties the cache around a test.
struct FreshCache : ::testing::Test {
    void SetUp() override {
        set_base_case_cache_capacity(std::size_t{256} << 20);
        clear_base_case_cache();
    }
    void TearDown() override { SetUp(); }
};

std::shared_ptr<const std::vector<double>> lookup(const std::string& key, std::size_t n, int* computed = nullptr) {
    return cached_base_case<std::vector<double>>(
        key,
        [&] {
            if (computed) ++*computed;
            return std::vector<double>(n, 1.0);
        },
        [](const std::vector<double>& v) { return v.size() * sizeof(double); });
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

/// Every settled per-trial value, the calibration records and the simulation's costs.
void expect_same_run(const RunResults& a, const RunResults& b, const std::string& what) {
    EXPECT_TRUE(same_bits(a.payments.values, b.payments.values)) << what;
    EXPECT_TRUE(same_bits(a.payments.comparisons, b.payments.comparisons)) << what;
    EXPECT_TRUE(same_bits(a.payments.real_savings, b.payments.real_savings)) << what;
    ASSERT_EQ(a.payments.calibration.size(), b.payments.calibration.size()) << what;
    for (std::size_t k = 0; k < a.payments.calibration.size(); ++k)
        EXPECT_EQ(a.payments.calibration[k].value, b.payments.calibration[k].value) << what << ": " << a.payments.calibration[k].quantity;
    for (std::size_t arm = 0; arm < a.simulation.arms.size(); ++arm) EXPECT_TRUE(same_bits(a.simulation.arms[arm].cost, b.simulation.arms[arm].cost)) << what;
}

/// The bundled program, small: a percentile truncation (pilot), stop-loss (calibration
/// sample) and simulated benchmarks (base period), with an explicit member list.
Scenario small_program() {
    Scenario s = Scenario::default_cmc_program(40, 2, true);
    s.population_recipe.reset();  // members listed: one can be changed below
    s.settings.trials = 12;
    s.settings.calibration_trials = 20;
    s.settings.threads = 2;
    return s;
}

RunResults run_cold(const Scenario& s) {
    clear_base_case_cache();
    return run(s, s.settings);
}

}  // namespace

TEST_F(FreshCache, KeepsTheLeastRecentlyUsedOutWhenFull) {
    const std::size_t entry = 1000;  // doubles: 8,000 bytes and the key's and entry's overhead
    set_base_case_cache_capacity(3 * 8000 + 3 * 400);
    int computed = 0;
    lookup("a", entry, &computed);
    lookup("b", entry, &computed);
    lookup("c", entry, &computed);
    EXPECT_EQ(base_case_cache_info().entries, 3u);
    lookup("a", entry, &computed);  // a is now the most recently used
    lookup("d", entry, &computed);  // b goes
    EXPECT_EQ(computed, 4);
    lookup("a", entry, &computed);
    lookup("c", entry, &computed);
    lookup("d", entry, &computed);
    EXPECT_EQ(computed, 4);
    lookup("b", entry, &computed);
    EXPECT_EQ(computed, 5);
    const BaseCaseCacheInfo info = base_case_cache_info();
    EXPECT_EQ(info.hits, 4u);
    EXPECT_EQ(info.misses, 5u);
    EXPECT_EQ(info.entries, 3u);
    EXPECT_LE(info.bytes, info.capacity_bytes);
    EXPECT_GE(info.bytes, 3 * 8000u);
}

TEST_F(FreshCache, StoresNothingTooBigFailedOrTurnedOff) {
    set_base_case_cache_capacity(4000);
    int computed = 0;
    EXPECT_EQ(lookup("big", 1000, &computed)->size(), 1000u);  // 8,000 bytes: computed, returned, not kept
    lookup("big", 1000, &computed);
    EXPECT_EQ(computed, 2);
    EXPECT_EQ(base_case_cache_info().entries, 0u);
    EXPECT_THROW(cached_base_case<std::vector<double>>(
                     "fails", []() -> std::vector<double> { throw std::runtime_error("interrupted"); },
                     [](const std::vector<double>&) { return std::size_t{8}; }),
                 std::runtime_error);
    EXPECT_EQ(base_case_cache_info().entries, 0u);
    lookup("small", 10, &computed);
    EXPECT_EQ(base_case_cache_info().entries, 1u);
    set_base_case_cache_capacity(0);  // drops what it holds, keeps nothing more
    EXPECT_EQ(base_case_cache_info().entries, 0u);
    EXPECT_EQ(base_case_cache_info().bytes, 0u);
    lookup("small", 10, &computed);
    lookup("small", 10, &computed);
    EXPECT_EQ(computed, 5);  // big twice, small once before and twice after
    clear_base_case_cache();
    EXPECT_EQ(base_case_cache_info().hits + base_case_cache_info().misses, 0u);
}

TEST_F(FreshCache, RunsOfAnotherProgramEffectReuseTheBaseCaseBitForBit) {
    Scenario first = small_program(), second = small_program();
    second.intervention->effects.front().mean = -0.2;  // the program differs, the base case does not
    const RunResults second_cold = run_cold(second);
    clear_base_case_cache();
    (void)run(first, first.settings);
    const BaseCaseCacheInfo after_first = base_case_cache_info();
    EXPECT_EQ(after_first.hits, 0u);
    EXPECT_EQ(after_first.misses, 3u);  // the pilot, the base period and the calibration sample
    const RunResults second_warm = run(second, second.settings);
    EXPECT_EQ(base_case_cache_info().hits, 3u);
    EXPECT_EQ(base_case_cache_info().misses, 3u);
    expect_same_run(second_cold, second_warm, "a run of another program effect from the cache");
}

TEST_F(FreshCache, NeverReusesWhatDependsOnAChangedBaseCase) {
    // Each change alters something the pilot, the calibration sample or the base period
    // depends on: a run after the unchanged program must equal its own cold run.
    const std::vector<std::pair<std::string, std::function<void(Scenario&)>>> changes = {
        {"seed", [](Scenario& s) { s.settings.seed += 1; }},
        {"trials", [](Scenario& s) { s.settings.trials += 1; }},
        {"trial_begin", [](Scenario& s) { s.settings.trial_begin = 3; }},
        {"calibration_trials", [](Scenario& s) { s.settings.calibration_trials += 1; }},
        {"mode", [](Scenario& s) { s.settings.mode = SimulationMode::tabulated; }},
        {"one member's tier", [](Scenario& s) { s.population.tier[7] = static_cast<std::uint16_t>((s.population.tier[7] + 1) % 3); }},
        {"one member's months", [](Scenario& s) { s.population.months[2 * 5] = 6; }},
        {"a severity", [](Scenario& s) { s.cost_model.cells[0].severity = Lognormal::from_mean_cv(31000.0, 2.5); }},
        {"frailty", [](Scenario& s) { s.cost_model.frailty_cv += 0.1; }},
        {"the truncation percentile", [](Scenario& s) {
             Json j = scenario_to_json(s);
             j["payment_models"][1]["components"][3]["truncation_percentile"] = 0.98;
             s = scenario_from_json(j);
         }},
    };
    const Scenario unchanged = small_program();
    for (const auto& [what, change] : changes) {
        Scenario changed = small_program();
        change(changed);
        changed.validate();
        const RunResults cold = run_cold(changed);
        clear_base_case_cache();
        (void)run(unchanged, unchanged.settings);
        expect_same_run(cold, run(changed, changed.settings), what);
    }
}
