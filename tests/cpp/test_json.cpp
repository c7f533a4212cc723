// JSON: distributions and scenarios round-trip; every bad input names its JSON path.
#include "apmsim/core/files.hpp"
#include "apmsim/core/json_file.hpp"
#include "apmsim/distributions/json.hpp"
#include "apmsim/outputs/json.hpp"
#include "apmsim/results_document.hpp"
#include "apmsim/run.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/simulation/engine.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace apmsim;
namespace fs = std::filesystem;

namespace {

Json small_scenario() {
    return Json::parse(R"({
      "name": "small", "years": 2, "tiers": ["A", "B"], "categories": ["inpatient", "pharmacy"],
      "population": {"members": {"tier": ["A", "B", "B"], "months": [12, [12, 6], 0], "sex": ["F", "M", "U"]}},
      "cost_model": {
        "frailty_cv": 0.3,
        "cells": {
          "inpatient": {"A": {"frequency": {"type": "poisson", "mean": 1.0}, "severity": {"type": "lognormal", "mean": 20000, "cv": 2}},
                        "B": {"frequency": {"type": "negative_binomial", "mean": 0.5, "dispersion": 1}, "severity": {"type": "gamma", "shape": 0.5, "scale": 30000}}},
          "pharmacy": {"A": {"frequency": {"type": "binomial", "n": 12, "p": 0.9}, "severity": {"type": "weibull", "mean": 200, "cv": 1.5}},
                       "B": {"frequency": {"type": "zero_modified_poisson", "mean": 3, "p0": 0.2}, "severity": {"type": "pareto", "shape": 3, "scale": 400}}}
        },
        "seasonality": {"inpatient": [2, 2, 1.5, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 1]},
        "copula": {"correlation": [[1, 0.3], [0.3, 1]]},
        "tier_transitions": {"A": {"A": 0.8, "B": 0.2}, "B": {"A": 0.1, "B": 0.9}}
      },
      "intervention": {"name": "care", "effects": {"inpatient": {"mean": -0.1, "sd": 0.02}}, "program_cost_pmpm": {"team": 50, "family": 10}},
      "settings": {"trials": 20, "seed": 5, "threads": 2}
    })");
}

void expect_same_results(const SimulationResults& a, const SimulationResults& b) {
    ASSERT_EQ(a.arms.size(), b.arms.size());
    for (std::size_t k = 0; k < a.arms.size(); ++k) {
        EXPECT_EQ(a.arms[k].cost, b.arms[k].cost);
        EXPECT_EQ(a.arms[k].events, b.arms[k].events);
        EXPECT_EQ(a.arms[k].program_cost, b.arms[k].program_cost);
    }
}

}  // namespace

TEST(DistributionJson, EveryTypeRoundTrips) {
    const std::vector<Frequency> freqs = {Poisson(2.5), NegativeBinomial(3, 0.7), Binomial(10, 0.3), ZeroModifiedPoisson(2, 0.4)};
    for (const auto& f : freqs) {
        const Frequency back = frequency_from_json(to_json(f), "f");
        EXPECT_EQ(to_json(back), to_json(f));
        EXPECT_DOUBLE_EQ(mean(back), mean(f));
    }
    const std::vector<Severity> sevs = {Lognormal(7, 1.1), Gamma(2, 300), Weibull(0.8, 500), Pareto(3, 2000),
                                        SplicedLognormalPareto(8, 1.2, 40000, 0.3, 15000)};
    for (const auto& s : sevs) {
        const Severity back = severity_from_json(to_json(s), "s");
        EXPECT_EQ(to_json(back), to_json(s));
        EXPECT_DOUBLE_EQ(variance(back), variance(s));
    }
}

TEST(DistributionJson, MeanCvFormMatchesFromMeanCv) {
    const Severity s = severity_from_json(Json{{"type", "lognormal"}, {"mean", 26000}, {"cv", 2.5}}, "x");
    EXPECT_NEAR(mean(s), 26000, 1e-8);
    EXPECT_NEAR(std::sqrt(variance(s)) / mean(s), 2.5, 1e-12);
}

TEST(DistributionJson, ErrorsNameThePath) {
    auto e = error_of([] { severity_from_json(Json{{"type", "lognorm"}, {"mu", 1}, {"sigma", 1}}, "cells.x.severity"); });
    EXPECT_EQ(e.where(), "cells.x.severity.type");
    EXPECT_NE(e.expected().find("lognormal"), std::string::npos);
    e = error_of([] { severity_from_json(Json{{"type", "lognormal"}, {"mu", 1}, {"sigma", -2}}, "s"); });
    EXPECT_EQ(e.where(), "s.sigma");
    EXPECT_EQ(e.actual(), "-2");
    e = error_of([] { severity_from_json(Json{{"type", "lognormal"}, {"mu", 1}}, "s"); });
    EXPECT_EQ(e.where(), "s.sigma");
    e = error_of([] { severity_from_json(Json{{"type", "lognormal"}, {"mu", 1}, {"sigma", 1}, {"sigmaa", 1}}, "s"); });
    EXPECT_EQ(e.where(), "s.sigmaa");
    e = error_of([] { frequency_from_json(Json{{"type", "poisson"}, {"mean", "2"}}, "f"); });
    EXPECT_EQ(e.where(), "f.mean");
    EXPECT_EQ(e.expected(), "a number");
    e = error_of([] { frequency_from_json(Json{{"type", "binomial"}, {"n", 2.5}, {"p", 0.5}}, "f"); });
    EXPECT_EQ(e.where(), "f.n");
    e = error_of([] { severity_from_json(Json{{"type", "pareto"}, {"mean", 100}, {"cv", 0.5}}, "s"); });
    EXPECT_EQ(e.where(), "s.cv");
    e = error_of([] { frequency_from_json(Json::array(), "f"); });
    EXPECT_EQ(e.where(), "f");
}

TEST(ScenarioJson, DefaultProgramRoundTripsAndSimulatesIdentically) {
    const Scenario a = Scenario::default_cmc_program(300, 2);
    const Json j = scenario_to_json(a);
    const Scenario b = scenario_from_json(j);
    EXPECT_EQ(scenario_to_json(b), j);
    EXPECT_EQ(b.population.tier, a.population.tier);
    EXPECT_EQ(b.population.risk_score, a.population.risk_score);
    SimulationOptions o;
    o.trials = 8;
    o.seed = 11;
    expect_same_results(simulate(a, o), simulate(b, o));
}

TEST(ScenarioJson, BundledDefaultScenarioIsTheBuiltInOne) {
    const Scenario file = load_scenario(std::string(APMSIM_SOURCE_DIR) + "/examples/scenarios/default_cmc_program.json");
    EXPECT_EQ(scenario_to_json(file), scenario_to_json(Scenario::default_cmc_program()));
}

TEST(ScenarioJson, ExplicitMembersAndAllCostModelParts) {
    const Scenario s = scenario_from_json(small_scenario());
    ASSERT_EQ(s.population.size(), 3u);
    EXPECT_EQ(s.population.months_of(1, 1), 6);
    EXPECT_EQ(s.population.months_of(2, 0), 0);
    EXPECT_EQ(s.population.tier[1], 1);
    EXPECT_EQ(s.population.sex[2], "U");
    EXPECT_EQ(s.settings.trials, 20u);
    ASSERT_TRUE(s.intervention);
    ASSERT_EQ(s.intervention->costs.size(), 2u);
    EXPECT_EQ(s.intervention->costs[0].item, "team");  // file order is kept
    EXPECT_DOUBLE_EQ(s.cost_model.copula_correlation(0, 1), 0.3);
    EXPECT_DOUBLE_EQ(s.cost_model.tier_transition(1, 0), 0.1);
    EXPECT_DOUBLE_EQ(s.cost_model.seasonality[1][5], 1.0);  // unspecified category stays flat
    const Scenario back = scenario_from_json(scenario_to_json(s));
    EXPECT_EQ(scenario_to_json(back), scenario_to_json(s));
    expect_same_results(simulate(s, s.settings), simulate(back, s.settings));
}

TEST(ScenarioJson, BadScenariosNameTheirJsonPath) {
    struct Case {
        std::string pointer;  // JSON pointer to change
        Json value;
        std::string where;
    };
    const std::vector<Case> cases = {
        {"/cost_model/frailty_cv", -0.5, "cost_model.frailty_cv"},
        {"/cost_model/frailty_cv", "x", "cost_model.frailty_cv"},
        {"/cost_model/cells/inpatient/A/severity/cv", -2, "cost_model.cells.inpatient.A.severity.cv"},
        {"/cost_model/cells/inpatient/C", Json::object(), "cost_model.cells.inpatient.C"},
        {"/cost_model/cells/surgery", Json::object(), "cost_model.cells.surgery"},
        {"/cost_model/copula/correlation", Json::parse("[[1, 1.5], [1.5, 1]]"), "cost_model.copula.correlation[0][1]"},
        {"/cost_model/copula/correlation", Json::parse("[[1, 1], [1, 1]]"), "cost_model.copula.correlation"},
        {"/cost_model/copula/correlation", Json::parse("[[1, 0.3], [0.2, 1]]"), "cost_model.copula.correlation[0][1]"},
        {"/cost_model/tier_transitions/A/B", 0.3, "cost_model.tier_transitions.A"},
        {"/cost_model/seasonality/inpatient/0", 5, "cost_model.seasonality.inpatient"},
        {"/cost_model/seasonality/pharmacy", Json::parse("[1, 1]"), "cost_model.seasonality.pharmacy"},
        {"/population/members/tier/1", "Z", "population.members.tier[1]"},
        {"/population/members/months/0", 13, "population.members.months[0]"},
        {"/population/members/months/1", Json::parse("[12]"), "population.members.months[1]"},
        {"/population/members/sex", Json::parse("[\"F\"]"), "population.members.sex"},
        {"/population/members/sex/0", "female", "population.members.sex[0]"},
        {"/intervention/effects/surgery", Json::parse(R"({"mean": -0.1})"), "intervention.effects.surgery"},
        {"/intervention/effects/inpatient/sd", -1, "intervention.effects.inpatient.sd"},
        {"/intervention/program_cost_pmpm/team", -5, "intervention.program_cost_pmpm.team"},
        {"/settings/trials", 0, "settings.trials"},
        {"/settings/seed", -1, "settings.seed"},
        {"/settings/speed", 3, "settings.speed"},
        {"/years", 0, "years"},
        {"/tiers/1", "A", "tiers[1]"},
        {"/colour", "blue", "colour"},
        {"/cost_model/trend", Json::parse(R"({"mean": 0.0, "sd": 0.5})"), "cost_model.trend.sd"},
        {"/cost_model/cells/inpatient/A/frequency/mean", 1e7, "cost_model.cells.inpatient.A.frequency"},
        {"/population/members/months", 0, "population.members.months"},
        {"/settings/trials", 1e300, "settings.trials"},
        {"/cost_model/copula/correlation", Json::parse("[[1]]"), "cost_model.copula.correlation"},
        {"/population/members/id", Json::parse("[7, 8, 7]"), "population.members.id[2]"},
    };
    for (const auto& c : cases) {
        Json j = small_scenario();
        j[Json::json_pointer(c.pointer)] = c.value;
        const InvalidInput e = error_of([&] { scenario_from_json(j); });
        EXPECT_EQ(e.where(), c.where) << c.pointer << ": " << e.what();
        EXPECT_FALSE(e.expected().empty());
        EXPECT_FALSE(e.actual().empty());
    }
}

TEST(ScenarioJson, EveryProblemOfAMemberListAtOnce) {
    Json j = small_scenario();
    j["population"]["members"]["tier"] = Json::parse(R"(["A", "Z", "B"])");
    j["population"]["members"]["id"] = Json::parse("[5, 5, -1]");
    j["population"]["members"]["months"] = Json::parse("[12, [12, 13], 0]");
    j["population"]["members"]["age_band"] = Json::parse(R"(["0-4"])");
    std::vector<std::string> where;
    for (const InvalidInput& e : scenario_problems(j)) where.push_back(e.where());
    EXPECT_EQ(where, (std::vector<std::string>{"population.members.tier[1]", "population.members.id[1]", "population.members.id[2]",
                                               "population.members.age_band", "population.members.months[1][1]"}));
    // A scenario without an intervention has no program cost for anyone to bear.
    Json k = small_scenario();
    k.erase("intervention");
    k["delivery"] = Json::parse(R"({"program_cost_borne_by": {"team": "pcp"}})");
    EXPECT_EQ(error_of([&] { scenario_from_json(k); }).where(), "delivery.program_cost_borne_by.team");
}

TEST(ScenarioJson, GeneratedPopulationErrors) {
    Json j = scenario_to_json(Scenario::default_cmc_program(10, 1));
    j["population"]["generate"]["tier_mix"]["A"] = 0.5;
    EXPECT_EQ(error_of([&] { scenario_from_json(j); }).where(), "population.generate.tier_mix");
    j["population"]["generate"]["tier_mix"]["D"] = 0.0;
    EXPECT_EQ(error_of([&] { scenario_from_json(j); }).where(), "population.generate.tier_mix.D");
    Json k = scenario_to_json(Scenario::default_cmc_program(10, 1));
    k["population"]["generate"]["members"] = 0;
    EXPECT_EQ(error_of([&] { scenario_from_json(k); }).where(), "population.generate.members");
}

TEST(ScenarioFile, SyntaxErrorsNameFileLineAndColumn) {
    const fs::path dir = fs::temp_directory_path() / "apmsim_test_json";
    fs::create_directories(dir);
    const fs::path file = dir / "broken.json";
    std::ofstream(file) << "{\n  \"name\": \"x\",\n  \"years\": 1,,\n}\n";
    const InvalidInput e = error_of([&] { load_scenario(file.string()); });
    EXPECT_EQ(e.where(), file.string() + ":3:14");
    EXPECT_EQ(e.expected(), "valid JSON");
    const InvalidInput missing = error_of([&] { load_scenario((dir / "nope.json").string()); });
    EXPECT_EQ(missing.where(), (dir / "nope.json").string());
    Json j = small_scenario();
    j["cost_model"]["frailty_cv"] = 20;
    std::ofstream(dir / "bad.json") << j.dump();
    const InvalidInput bad = error_of([&] { load_scenario((dir / "bad.json").string()); });
    EXPECT_EQ(bad.where(), (dir / "bad.json").string() + ": cost_model.frailty_cv");
}

TEST(AtomicWrite, WritesWholeFileAndLeavesNothingOnFailure) {
    const fs::path dir = fs::temp_directory_path() / "apmsim_test_atomic";
    fs::remove_all(dir);
    fs::create_directories(dir);
    write_file_atomically((dir / "out.json").string(), "{\"a\": 1}\n");
    std::ifstream in(dir / "out.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "{\"a\": 1}\n");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no temporary left
    EXPECT_THROW(write_file_atomically((dir / "missing" / "out.json").string(), "x"), InvalidInput);
    EXPECT_FALSE(fs::exists(dir / "missing"));
}

TEST(ResultsJson, HasSummarySamplesAndCv) {
    Scenario s = Scenario::default_cmc_program(50, 2);
    SimulationOptions o;
    o.trials = 6;
    const auto r = simulate(s, o);
    const Json j = results_to_json(r, s.name);
    EXPECT_EQ(j["trials"], 6);
    EXPECT_EQ(j["samples"]["baseline"]["total_cost"].size(), 6u);
    EXPECT_EQ(j["samples"]["savings"][0].size(), 2u);
    EXPECT_DOUBLE_EQ(j["samples"]["baseline"]["total_cost"][3][1].get<double>(), r.samples("total_cost", "baseline")(3, 1));
    EXPECT_EQ(j["summary"].size(), summary_rows(r).size());
    EXPECT_EQ(j["member_level_cv"]["intervention"].size(), 2u);
}

// A results document replays itself: the resolved scenario it records, run again after a
// trip through text, gives the same document number for number (the compared models have
// every phase: FFS, care fee, shared savings and risk, a corridor, capitation, stop-loss).
TEST(ResultsDocument, ReplaysToTheSameNumbers) {
    Json doc = read_json_file(std::string(APMSIM_SOURCE_DIR) + "/examples/scenarios/payment_models_compared.json", "a scenario");
    doc["population"]["generate"]["members"] = 150;
    const Scenario s = scenario_from_json(doc);
    SimulationOptions o = s.settings;
    o.trials = 30;
    o.calibration_trials = 200;
    o.seed = 77;
    const RunResults first = run(s, o);
    const Json recorded = Json::parse(results_document(s, o, first.simulation, first.payments).dump(1));
    EXPECT_EQ(recorded["resolved_scenario"]["settings"]["trials"], 30);
    EXPECT_EQ(recorded["resolved_scenario"]["settings"]["seed"], 77);
    const Scenario again = scenario_of_results(recorded, "results.json");
    SimulationOptions on_two_threads = again.settings;  // the thread count never changes a number
    on_two_threads.threads = 2;
    const RunResults second = run(again, on_two_threads);
    EXPECT_EQ(replay_difference(recorded, results_document(again, on_two_threads, second.simulation, second.payments)), "");

    Json changed = recorded;  // one ulp in one sample, and one key more, are both found
    double& x = changed["samples"]["baseline"]["total_cost"][4][1].get_ref<double&>();
    x = std::nextafter(x, 1e300);
    EXPECT_EQ(replay_difference(recorded, changed).rfind("/samples/baseline/total_cost/4/1: recorded ", 0), 0u);
    changed = recorded;
    changed["extra"] = 1;
    EXPECT_EQ(replay_difference(recorded, changed), "/extra: in the replay, not recorded");
}

TEST(ResultsDocument, AFileWithoutAResolvedScenarioIsRefused) {
    EXPECT_EQ(where_of([] { (void)scenario_of_results(Json{{"summary", Json::array()}}, "old.json"); }), "old.json: resolved_scenario");
    Json bad = {{"resolved_scenario", scenario_to_json(Scenario::default_cmc_program(10, 1))}};
    bad["resolved_scenario"]["years"] = 0;
    EXPECT_EQ(where_of([&] { (void)scenario_of_results(bad, "r.json"); }), "r.json: resolved_scenario.years");
}

TEST(InterventionValidation, DuplicateEffectsAndComponentsAreErrors) {
    Scenario s = Scenario::default_cmc_program(10, 1);
    s.intervention->effects.push_back({"inpatient", -0.2, 0.0, ""});
    InvalidInput e = error_of([&] { s.validate(); });
    EXPECT_EQ(e.where(), "intervention.effects.inpatient");
    s = Scenario::default_cmc_program(10, 1);
    s.intervention->costs.push_back({"care_team", 5.0, {}});
    e = error_of([&] { s.validate(); });
    EXPECT_EQ(e.where(), "intervention.program_cost_pmpm.care_team");
}

TEST(ErrorMessages, ExtremeValuesAreReportedNotThrownAsSomethingElse) {
    // show() must format any double (near DBL_MAX, subnormal) without throwing.
    const InvalidInput e = error_of([] { Binomial(1.79e308, 0.5); });
    EXPECT_EQ(e.where(), "Binomial.n");
    EXPECT_NE(e.actual().find("1.79e+308"), std::string::npos);
    EXPECT_EQ(show(4.9e-324), "5e-324");  // shortest form that reads back as the same subnormal
    EXPECT_EQ(show(-3.0), "-3");
    // Long non-ASCII text is cut on a character boundary, so messages stay valid UTF-8.
    const std::string d = describe(Json(std::string("x") + std::string(60, 'a') + "\xc3\xa9\xc3\xa9"));
    for (std::size_t i = 0; i + 3 < d.size(); ++i) ASSERT_FALSE((static_cast<unsigned char>(d[i]) & 0xC0) == 0xC0 && d[i + 1] == '.');
    const std::string e2 = describe(Json(std::string(56, 'a') + "\xc3\xa9\xc3\xa9\xc3\xa9"));
    EXPECT_EQ(e2.substr(e2.size() - 3), "...");
    EXPECT_NE(static_cast<unsigned char>(e2[e2.size() - 4]), 0xC3u);  // no dangling lead byte
}

TEST(CostModelValidation, NamesMustBeNonEmptyAndUniqueFromCpp) {
    Scenario s = Scenario::default_cmc_program(10, 1);
    s.cost_model.categories[1] = "inpatient";
    EXPECT_EQ(error_of([&] { s.validate(); }).where(), "cost_model.categories[1]");
    s = Scenario::default_cmc_program(10, 1);
    s.cost_model.tiers[2] = "";
    EXPECT_EQ(error_of([&] { s.validate(); }).where(), "cost_model.tiers[2]");
}
