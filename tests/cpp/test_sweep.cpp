// Sweeps (sweep/): run_each() against run() of each scenario alone (bit for bit, also
// when the scenarios need different base periods), the designs' variants, independent
// seeds as a function of the parameters, the SQLite store (resume, a foreign sweep, a
// second writer), interrupts, and goal seek checked by independent runs.
#include "test_helpers.hpp"

#include "apmsim/contracts/component.hpp"
#include "apmsim/contracts/payment_model.hpp"
#include "apmsim/run.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/sweep/run_sweep.hpp"
#include "apmsim/sweep/solve.hpp"
#include "apmsim/stats/estimator_errors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

using namespace apmsim;

namespace {

Json small_program(std::size_t members = 150, int years = 2, std::uint64_t trials = 40) {
    Scenario s = Scenario::default_cmc_program(members, years);
    s.settings.trials = trials;
    s.settings.calibration_trials = 60;
    s.settings.threads = 2;
    return scenario_to_json(s);
}

/// Every number a run produced, for exact comparison.
void expect_same_run(const SimulationResults& sim_a, const PaymentResults& a, const RunResults& b) {
    ASSERT_EQ(a.models, b.payments.models);
    EXPECT_EQ(a.values, b.payments.values);  // bit for bit
    ASSERT_EQ(a.comparisons.size(), b.payments.comparisons.size());
    for (std::size_t k = 0; k < a.comparisons.size(); ++k)
        if (!(std::isnan(a.comparisons[k]) && std::isnan(b.payments.comparisons[k]))) {
            ASSERT_EQ(a.comparisons[k], b.payments.comparisons[k]) << k;
        }
    EXPECT_EQ(a.real_savings, b.payments.real_savings);
    ASSERT_EQ(a.calibration.size(), b.payments.calibration.size());
    for (std::size_t k = 0; k < a.calibration.size(); ++k) EXPECT_EQ(a.calibration[k].value, b.payments.calibration[k].value);
    EXPECT_EQ(a.calibration_trials, b.payments.calibration_trials);
    EXPECT_EQ(sim_a.arms[0].cost, b.simulation.arms[0].cost);
    EXPECT_EQ(sim_a.trend, b.simulation.trend);
}

std::string temp_db(const std::string& name) {
    const auto path = std::filesystem::temp_directory_path() / ("apmsim_test_sweep_" + name + "_" + std::to_string(::getpid()) + ".sqlite");
    std::filesystem::remove(path);
    return path.string();
}

/// Sharing rates of the shared-savings model, without its savings cap (so that what is
/// paid is proportional to the rate).
SweepDefinition sharing_rate_sweep(const std::vector<double>& rates, SweepSeeds seeds = SweepSeeds::common) {
    Json base = small_program();
    base["payment_models"][1]["components"][3].erase("savings_cap");
    Json axes = Json::array({{{"name", "sharing_rate"}, {"pointer", "/payment_models/1/components/3/sharing_rate"}, {"values", rates}}});
    return sweep_from_json({{"name", "rates"}, {"base", base}, {"axes", axes}, {"seeds", to_string(seeds)}});
}

}  // namespace

TEST(Sweep, RunEachEqualsEachScenarioRunAlone) {
    // Terms that change the member-level reductions (stop-loss attachments, truncation
    // percentiles) and the calibration; one scenario without the 3-base-year model needs a
    // shorter base period and so its own group.
    std::vector<Scenario> scenarios;
    for (const char* change : {"/payment_models/1/components/3/sharing_rate", "/payment_models/3/components/2/attachment",
                               "/payment_models/1/components/3/truncation_percentile"}) {
        Json doc = small_program();
        const Json::json_pointer p(change);
        doc[p] = doc.at(p).get<double>() * (std::string(change).find("percentile") != std::string::npos ? 0.98 : 0.7);
        scenarios.push_back(scenario_from_json(doc));
    }
    scenarios.push_back(scenario_from_json(small_program()));
    scenarios.back().payment_models.erase(scenarios.back().payment_models.begin() + 1);
    scenarios.push_back(scenario_from_json(small_program(120)));  // another model: another simulation
    std::vector<int> seen(scenarios.size(), 0);
    run_each(scenarios, [&](std::size_t k, std::size_t, const SimulationResults& sim, PaymentResults&& pay) {
        ++seen[k];
        SCOPED_TRACE(k);
        expect_same_run(sim, pay, run(scenarios[k]));
    });
    EXPECT_EQ(seen, std::vector<int>(scenarios.size(), 1));
}

TEST(Sweep, DesignsExpandInOrder) {
    const Json base = small_program();
    auto sweep = [&](const std::string& design, const Json& axes) {
        return expand(sweep_from_json({{"base", base}, {"design", design}, {"axes", axes}}));
    };
    const Json two_axes = Json::array({{{"pointer", "/payment_models/1/components/3/sharing_rate"}, {"values", {0.25, 0.75}}},
                                       {{"pointer", "/settings/calibration_trials"}, {"values", {{"from", 50}, {"to", 70}, {"steps", 3}}}}});
    const auto grid = sweep("grid", two_axes);
    ASSERT_EQ(grid.size(), 6u);
    EXPECT_EQ(grid[1].parameters[0].value, 0.25);  // the last axis fastest
    EXPECT_EQ(grid[1].parameters[1].value, 60);
    EXPECT_EQ(grid[3].parameters[0].value, 0.75);
    EXPECT_EQ(grid[3].parameters[1].value, 50);
    EXPECT_EQ(variant_scenario(grid[5]).settings.calibration_trials, 70u);
    EXPECT_EQ(variant_scenario(grid[4]).payment_models[1].components.size(), scenario_from_json(base).payment_models[1].components.size());
    const Json low_high = Json::array({{{"pointer", "/payment_models/1/components/3/sharing_rate"}, {"values", {0.25, 0.75}}},
                                       {{"pointer", "/settings/calibration_trials"}, {"values", {50, 70}}}});
    const auto tornado = sweep("tornado", low_high);
    ASSERT_EQ(tornado.size(), 5u);  // the base, then low and high of each axis
    EXPECT_EQ(tornado[0].document, scenario_to_json(scenario_from_json(base)));
    EXPECT_EQ(tornado[2].parameters[0].value, 0.75);
    EXPECT_EQ(tornado[2].parameters[1].value, base.at(Json::json_pointer("/settings/calibration_trials")));
    EXPECT_EQ(tornado[3].parameters[1].value, 50);
    expect_invalid([&] { return sweep("tornado", two_axes); }, "axes[1].values");
    expect_invalid([&] { return sweep("zip", two_axes); }, "axes[1].values");
    const Json log_axis = Json::array({{{"pointer", "/population/generate/members"}, {"values", {{"from", 100}, {"to", 10000}, {"steps", 3}, {"scale", "log"}}}}});
    const auto sizes = sweep("grid", log_axis);
    ASSERT_EQ(sizes.size(), 3u);
    EXPECT_EQ(sizes[1].parameters[0].value, 1000);
    EXPECT_EQ(variant_scenario(sizes[2]).population.size(), 10000u);
}

TEST(Sweep, BadDefinitionsNameThePath) {
    const Json base = small_program();
    auto load = [&](Json axes) { return sweep_from_json({{"base", base}, {"axes", std::move(axes)}}); };
    expect_invalid([&] { return load(Json::array({{{"pointer", "/payment_models/9/name"}, {"values", {1}}}})); }, "axes[0].pointer");
    expect_invalid([&] { return load(Json::array({{{"pointer", "payment_models"}, {"values", {1}}}})); }, "axes[0].pointer");
    expect_invalid([&] { return load(Json::array({{{"pointer", "/years"}, {"values", Json::array()}}})); }, "axes[0].values");
    expect_invalid([&] { return load(Json::array({{{"pointer", "/years"}, {"values", {{"from", 1}, {"to", 2}, {"steps", 1}}}}})); }, "axes[0].values.steps");
    expect_invalid([&] { return load(Json::array()); }, "axes");
    expect_invalid([&] { return sweep_from_json({{"base", base}, {"axes", Json::array({{{"pointer", "/years"}, {"values", {2}}}})}, {"sead", 1}}); }, "sead");
    // Axes that cannot be stored or cannot change a result (review of session 10): a column
    // name the variants table has itself (the seed axis was an internal SQL error), in any case;
    // a pointer inside another axis's (one overrides the other); the scenario's name; a term
    // the run sets for every variant.
    expect_invalid([&] { return load(Json::array({{{"pointer", "/settings/seed"}, {"values", {1, 2}}}})); }, "axes[0].name");
    expect_invalid([&] { return load(Json::array({{{"name", "Status"}, {"pointer", "/years"}, {"values", {1, 2}}}})); }, "axes[0].name");
    expect_invalid([&] {
        return load(Json::array({{{"name", "y"}, {"pointer", "/years"}, {"values", {1, 2}}}, {{"name", "Y"}, {"pointer", "/settings/trials"}, {"values", {3}}}}));
    }, "axes[1].name");
    expect_invalid([&] {
        return load(Json::array({{{"pointer", "/cost_model/trend"}, {"values", {{{"mean", 0.01}}}}},
                                 {{"pointer", "/cost_model/trend/mean"}, {"values", {0.02, 0.03}}}}));
    }, "axes[1].pointer");
    expect_invalid([&] { return load(Json::array({{{"pointer", "/name"}, {"values", {"a", "b"}}}})); }, "axes[0].pointer");
    const SweepDefinition trials_axis = load(Json::array({{{"name", "n"}, {"pointer", "/settings/trials"}, {"values", {3, 4}}}}));
    EXPECT_EQ(expand(trials_axis).size(), 2u);
    expect_invalid([&] { return expand(trials_axis, 5); }, "axes[0].pointer");
    // A value the loader refuses names the variant and the scenario's own path.
    const auto e = where_of([&] { expand(load(Json::array({{{"pointer", "/payment_models/1/components/3/sharing_rate"}, {"values", {0.5, 1.5}}}}))); });
    EXPECT_EQ(e, "variant 1 (sharing_rate=1.5): payment_models[1].components[3].sharing_rate");
}

TEST(Sweep, IndependentSeedsDependOnParametersNotPosition) {
    const auto forward = expand(sharing_rate_sweep({0.3, 0.5, 0.7}, SweepSeeds::independent));
    const auto backward = expand(sharing_rate_sweep({0.7, 0.5, 0.3}, SweepSeeds::independent));
    EXPECT_EQ(forward[0].seed, backward[2].seed);
    EXPECT_EQ(forward[1].seed, backward[1].seed);
    EXPECT_NE(forward[0].seed, forward[1].seed);
    for (const auto& v : expand(sharing_rate_sweep({0.3, 0.5}))) EXPECT_EQ(v.seed, scenario_from_json(small_program()).settings.seed);
    // An independent seed gives other random numbers: another trend in trial 0.
    const auto a = run(variant_scenario(forward[0])), b = run(variant_scenario(forward[1]));
    EXPECT_NE(a.simulation.trend[0], b.simulation.trend[0]);
}

TEST(Sweep, StoreHoldsEachVariantsStatisticsAndResumes) {
    const std::string db = temp_db("store");
    const SweepDefinition d = sharing_rate_sweep({0.2, 0.5, 0.8});
    SweepOptions o;
    const SweepProgress p = run_sweep(d, db, o);
    EXPECT_EQ(p.done, 3u);
    const auto stored = read_statistics(db);
    std::map<std::size_t, std::vector<StatisticRow>> by_variant;
    for (const auto& s : stored) by_variant[s.variant].push_back(s.row);
    const auto variants = expand(d);
    for (const auto& v : variants) {
        const RunResults alone = run(variant_scenario(v));
        const auto rows = statistics_table(alone.simulation, alone.payments);
        ASSERT_EQ(by_variant[v.id].size(), rows.size());
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const auto& a = by_variant[v.id][k];
            ASSERT_TRUE(a.model == rows[k].model && a.measure == rows[k].measure && a.statistic == rows[k].statistic && a.year == rows[k].year);
            if (!(std::isnan(a.value) && std::isnan(rows[k].value))) {
                ASSERT_EQ(a.value, rows[k].value) << a.model << " " << a.measure << " " << a.statistic;
            }
        }
    }
    // The sharing rate moves the provider's mean shared savings in proportion (same random numbers).
    auto savings_paid = [&](std::size_t id) {
        for (const auto& r : by_variant[id])
            if (r.model == "ffs_care_fee_shared_savings" && r.measure == "indicator" && r.statistic == "mean_savings_paid" && r.year == 2) return r.value;
        return std::nan("");
    };
    ASSERT_GT(savings_paid(0), 0.0);
    EXPECT_NEAR(savings_paid(1), savings_paid(0) * 2.5, 1e-9 * savings_paid(1));
    // Existing database: refused without resume; resumed, nothing is left to run.
    expect_invalid([&] { return run_sweep(d, db, o); }, db);
    o.resume = true;
    EXPECT_EQ(run_sweep(d, db, o).skipped, 3u);
    EXPECT_EQ(read_statistics(db).size(), stored.size());
    // Another sweep (other values, other trials) is refused, saying what differs.
    try {
        run_sweep(sharing_rate_sweep({0.2, 0.5}), db, o);
        ADD_FAILURE() << "a database of another sweep was accepted";
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.actual()).find("axes"), std::string::npos) << e.what();
    }
    o.trials = 7;
    expect_invalid([&] { return run_sweep(d, db, o); }, db);
    std::filesystem::remove(db);
}

TEST(Sweep, AStoreThatCannotBeCreatedLeavesNoFile) {
    // The variants table's columns cannot be made when two axes' names differ only in case
    // (sweep_from_json refuses that; a definition built in C++ can still hold it): the
    // database created for it is removed, so a retry is not refused as an existing file.
    SweepDefinition d = sharing_rate_sweep({0.2, 0.5});
    SweepAxis twin = d.axes[0];
    twin.name = "Sharing_Rate";
    twin.pointer = "/payment_models/1/components/3/minimum_savings_rate";
    twin.values = {0.0};
    d.axes.push_back(twin);
    const std::string db = temp_db("uncreatable");
    EXPECT_ANY_THROW(run_sweep(d, db, SweepOptions{}));
    EXPECT_FALSE(std::filesystem::exists(db));
    EXPECT_FALSE(std::filesystem::exists(db + "-journal"));
}

TEST(Sweep, SecondWriterIsRefused) {
    const std::string db = temp_db("writers");
    const SweepDefinition d = sharing_rate_sweep({0.5});
    const Json identity = sweep_identity(d, {});
    const auto variants = expand(d);
    SweepStore first(db, identity, variants, false);
    try {
        SweepStore second(db, identity, variants, true);
        ADD_FAILURE() << "two writers on one database";
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("another process"), std::string::npos) << e.what();
    }
    std::filesystem::remove(db);
}

TEST(Sweep, StopFlagInterruptsARun) {
    std::atomic<bool> stop{true};
    EXPECT_THROW(run(scenario_from_json(small_program()), scenario_from_json(small_program()).settings, {&stop, nullptr}), Interrupted);
}

TEST(Solve, CapitationRateThatCapsTheProvidersChanceOfLoss) {
    const Json doc = small_program(200, 1, 200);
    const std::string pointer = "/payment_models/3/components/0/pmpm/B";
    const SolveTarget t = SolveTarget::parse("model=global_capitation_corridor_stop_loss party=provider statistic=p_negative <= 0.3");
    EXPECT_EQ(t.measure, "net");
    SolveOptions o;
    o.tolerance = 1.0;
    const SolveResult r = solve(doc, pointer, 2000, 10000, t, o);
    // Independently: the answer meets the target and a dollar less does not.
    auto p_loss = [&](double pmpm) {
        Json d = doc;
        d[Json::json_pointer(pointer)] = pmpm;
        const RunResults run_result = run(scenario_from_json(d));
        for (const auto& row : run_result.payments.summary())
            if (row.model == t.model && row.party == "provider" && row.measure == "net" && row.year == 0 && row.arm == "intervention") return row.stats.p_negative;
        return std::nan("");
    };
    EXPECT_LE(p_loss(r.value), 0.3);
    EXPECT_GT(p_loss(r.value - 1.0), 0.3);
    EXPECT_EQ(p_loss(r.value), r.statistic);
    EXPECT_NEAR(r.standard_error, std::sqrt(r.statistic * (1 - r.statistic) / 200), 1e-12);
    EXPECT_LT(r.low, r.value);
    EXPECT_GT(r.high, r.value);
    EXPECT_LE(r.simulations, 12u);  // a payment term: one simulation per round
    expect_invalid([&] { return solve(doc, pointer, 9990, 10000, t, o); }, "target");                      // met at both ends
    expect_invalid([&] { return solve(doc, "/payment_models/3/name", 1, 2, t, o); }, "vary");              // not a number
    expect_invalid([&] { return solve(doc, pointer, 2000, 10000, SolveTarget::parse("model=nobody party=provider statistic=p_negative <= 0.3"), o); },
                   "target");
    expect_invalid([] { return SolveTarget::parse("model=x statistic=mean"); }, "target");
}

// A quantile target: its uncertainty comes from the trials behind it (the order-statistic
// standard error of stats/estimator_errors.hpp), recomputed here from run() at the answer.
TEST(Solve, QuantileTargetsReportTheirMonteCarloInterval) {
    const Json doc = small_program(200, 1, 200);
    const std::string pointer = "/payment_models/3/components/0/pmpm/B";
    const std::string model = "global_capitation_corridor_stop_loss";
    auto provider_net = [&](double pmpm) {
        Json d = doc;
        d[Json::json_pointer(pointer)] = pmpm;
        const RunResults r = run(scenario_from_json(d));
        const SampleMatrix m = r.payments.samples(model, "provider", "net", "intervention");
        std::vector<double> v(static_cast<std::size_t>(m.rows()));
        for (Eigen::Index t = 0; t < m.rows(); ++t) v[static_cast<std::size_t>(t)] = m.row(t).sum();
        std::sort(v.begin(), v.end());
        return v;
    };
    const double bound = stats::sorted_quantile(provider_net(4000), 0.05);
    const SolveTarget t = SolveTarget::parse("model=" + model + " party=provider statistic=p05 >= " + show(bound));
    SolveOptions o;
    o.tolerance = 1.0;
    const SolveResult r = solve(doc, pointer, 2000, 6000, t, o);
    EXPECT_LE(r.value, 4000.0);
    EXPECT_GT(r.value, 3990.0);
    const std::vector<double> at_answer = provider_net(r.value);
    EXPECT_EQ(r.statistic, stats::sorted_quantile(at_answer, 0.05));
    EXPECT_EQ(r.standard_error, stats::quantile_standard_error(at_answer, 0.05));
    EXPECT_GT(r.standard_error, 0.0);
    EXPECT_LT(r.low, r.value);
    EXPECT_GT(r.high, r.value);
}
