// Who pays (issue 12): the payer's results split into the state's and the federal
// government's (contracts/federal_match.hpp). The enhanced health-home match quarter by
// quarter; hand-computed splits of settled payer flows; state + federal = payer to the cent
// for every model, arm, trial and year; the enhanced match switching off after its
// quarters; the split leaves the ledger alone; bad input names its JSON path; round trips.
#include "apmsim/apmsim.hpp"
#include "apmsim/outputs/json.hpp"
#include "apmsim/outputs/model_comparison.hpp"
#include "apmsim/outputs/statistics_table.hpp"

#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace apmsim;

namespace {

SimulationOptions options(std::uint64_t trials) {
    SimulationOptions o;
    o.trials = trials;
    o.threads = 2;
    o.seed = 20261205;
    o.calibration_trials = 200;
    return o;
}

/// The default program (3 years) as a document, its care-management fees of model 1 marked
/// health_home when `mark`, with `federal_match` when not null.
Json default_doc(bool mark, const Json& federal_match, std::size_t members = 150) {
    Json doc = scenario_to_json(Scenario::default_cmc_program(members, 3));
    if (mark) doc["payment_models"][1]["components"][1]["health_home"] = true;
    if (!federal_match.is_null()) doc["federal_match"] = federal_match;
    return doc;
}

/// One payment model: fee-for-service and a health-home care-management fee.
Json health_home_doc(const Json& federal_match) {
    Json doc = scenario_to_json(Scenario::default_cmc_program(100, 3, false));
    doc["payment_models"] = Json::parse(R"([{"name": "health_home", "components": [
        {"type": "fee_for_service"},
        {"type": "care_management_fee", "party": "provider", "pmpm": {"A": 300, "B": 120, "C": 40}, "health_home": true}]}])");
    doc["federal_match"] = federal_match;
    return doc;
}

/// The federal part of the payer's net that year, by hand: the FMAP on everything the payer
/// pays but the health-home fees, `h` on those.
void expect_split_by_hand(const Json& match, const std::vector<double>& fmap, const std::vector<double>& h) {
    const Scenario s = scenario_from_json(health_home_doc(match));
    const RunResults r = run(s, options(12));
    const PaymentResults& p = r.payments;
    for (const auto& arm : p.arms) {
        const SampleMatrix payer = p.samples("health_home", "payer", "net", arm);
        const SampleMatrix fees = p.metric("health_home", "care_management_fees", arm);
        const SampleMatrix federal = p.samples("health_home", "payer_federal", "net", arm);
        const SampleMatrix paid = p.samples("health_home", "payer_federal", "payments", arm);
        for (std::uint64_t t = 0; t < p.trials; ++t)
            for (int y = 0; y < p.years; ++y) {
                ASSERT_GT(fees(t, y), 0.0);
                // The payer pays fee-for-service (-payer - fees) at the FMAP and the fees at h.
                const double expected = fmap[y] * (payer(t, y) + fees(t, y)) - h[y] * fees(t, y);
                ASSERT_NEAR(federal(t, y), expected, 1e-6 * std::fabs(payer(t, y))) << arm << " trial " << t << " year " << y + 1;
                ASSERT_NEAR(paid(t, y), -expected, 1e-6 * std::fabs(payer(t, y)));
            }
    }
}

}  // namespace

TEST(FederalMatch, EnhancedQuartersOfEachYear) {
    HealthHomeMatch aca{HealthHomeRule::aca_2703, 1};
    EXPECT_EQ(aca.enhanced_quarters_in(0), 4);
    EXPECT_EQ(aca.enhanced_quarters_in(1), 4);
    EXPECT_EQ(aca.enhanced_quarters_in(2), 0);
    aca.first_quarter = 7;  // the program's quarters 7 and 8 fall in year 1
    EXPECT_EQ(aca.enhanced_quarters_in(0), 2);
    EXPECT_EQ(aca.enhanced_quarters_in(1), 0);
    aca.first_quarter = 9;
    EXPECT_EQ(aca.enhanced_quarters_in(0), 0);
    const HealthHomeMatch ace{HealthHomeRule::ace_kids, 1};
    EXPECT_EQ(ace.enhanced_quarters_in(0), 2);
    EXPECT_EQ(ace.enhanced_quarters_in(1), 0);
    EXPECT_DOUBLE_EQ(ace.enhanced_rate(0.8), 0.9);   // min(0.9, 0.95)
    EXPECT_DOUBLE_EQ(ace.enhanced_rate(0.6), 0.75);  // 0.6 + 0.15
    EXPECT_DOUBLE_EQ(aca.enhanced_rate(0.6), 0.9);
    EXPECT_DOUBLE_EQ(aca.enhanced_rate(0.95), 0.95);  // never below the FMAP
}

TEST(FederalMatch, HealthHomeRateBlendsTheQuartersOfTheYear) {
    FederalMatch m{{0.6}, HealthHomeMatch{HealthHomeRule::aca_2703, 1}};
    EXPECT_DOUBLE_EQ(m.health_home_rate_in(0), 0.9);
    EXPECT_DOUBLE_EQ(m.health_home_rate_in(1), 0.9);
    EXPECT_DOUBLE_EQ(m.health_home_rate_in(2), 0.6);
    m.health_home->first_quarter = 7;
    EXPECT_DOUBLE_EQ(m.health_home_rate_in(0), 0.5 * 0.9 + 0.5 * 0.6);
    EXPECT_DOUBLE_EQ(m.health_home_rate_in(1), 0.6);
    const FederalMatch ace{{0.8}, HealthHomeMatch{HealthHomeRule::ace_kids, 1}};
    EXPECT_DOUBLE_EQ(ace.health_home_rate_in(0), 0.85);
    EXPECT_DOUBLE_EQ(ace.health_home_rate_in(1), 0.8);
}

TEST(FederalMatch, SettledSplitMatchesAHandComputationAca2703FromQuarter1) {
    expect_split_by_hand(Json::parse(R"({"fmap": 0.6, "health_home": {"rule": "aca_2703", "first_quarter": 1}})"), {0.6, 0.6, 0.6},
                         {0.9, 0.9, 0.6});
}

TEST(FederalMatch, SettledSplitMatchesAHandComputationAca2703FromQuarter7) {
    expect_split_by_hand(Json::parse(R"({"fmap": 0.6, "health_home": {"rule": "aca_2703", "first_quarter": 7}})"), {0.6, 0.6, 0.6},
                         {0.75, 0.6, 0.6});
}

TEST(FederalMatch, SettledSplitMatchesAHandComputationAceKidsWithAnFmapByYear) {
    expect_split_by_hand(Json::parse(R"({"fmap": [0.8, 0.7, 0.55], "health_home": {"rule": "ace_kids"}})"), {0.8, 0.7, 0.55},
                         {0.85, 0.7, 0.55});
}

TEST(FederalMatch, StatePlusFederalIsThePayerToTheCentAndTheEnhancedMatchSwitchesOff) {
    // The default program: fee-for-service, health-home care fees with shared savings, a
    // shared-risk glide path, global capitation with a corridor and specific stop-loss.
    // Program quarter 1 in year 1: years 1 and 2 enhanced (quarters 1-8), year 3 not.
    const Json match = Json::parse(R"({"fmap": [0.6, 0.62, 0.65], "health_home": {"rule": "aca_2703", "first_quarter": 1}})");
    const Scenario s = scenario_from_json(default_doc(true, match));
    const RunResults r = run(s, options(16));
    const PaymentResults& p = r.payments;
    ASSERT_EQ(p.derived_parties(), (std::vector<std::string>{"payer_state", "payer_federal"}));
    const double fmap[] = {0.6, 0.62, 0.65};
    for (const auto& m : p.models)
        for (const auto& arm : p.arms) {
            for (const auto& measure : PaymentResults::party_measures()) {
                const SampleMatrix payer = p.samples(m, "payer", measure, arm), state = p.samples(m, "payer_state", measure, arm),
                                   federal = p.samples(m, "payer_federal", measure, arm);
                for (std::uint64_t t = 0; t < p.trials; ++t)
                    for (int y = 0; y < p.years; ++y) {
                        ASSERT_LT(std::fabs(state(t, y) + federal(t, y) - payer(t, y)), 0.005) << m << " " << arm << " " << measure << " " << t << " " << y;
                        if (m != "ffs_care_fee_shared_savings" || y == 2) {  // no health-home flows, or the enhancement is over
                            ASSERT_NEAR(federal(t, y), fmap[y] * payer(t, y), 1e-9 * std::fabs(payer(t, y))) << m << " " << measure;
                        }
                    }
            }
            // With health-home fees in years 1-2 the federal government pays more than the FMAP's share.
            const SampleMatrix payer = p.samples("ffs_care_fee_shared_savings", "payer", "net", arm),
                               federal = p.samples("ffs_care_fee_shared_savings", "payer_federal", "net", arm),
                               fees = p.metric("ffs_care_fee_shared_savings", "care_management_fees", arm);
            for (std::uint64_t t = 0; t < p.trials; ++t)
                for (int y = 0; y < 2; ++y) ASSERT_LT(federal(t, y), fmap[y] * payer(t, y) - 0.01 * fees(t, y)) << t << " " << y;
        }
    // Cash is still conserved across the five ledger parties (the derived rows are not among them).
    for (const auto& m : p.models)
        for (const auto& arm : p.arms) {
            SampleMatrix revenue = SampleMatrix::Zero(p.trials, p.years), payments = revenue;
            for (const char* party : party_names) {
                revenue += p.samples(m, party, "revenue", arm);
                payments += p.samples(m, party, "payments", arm);
            }
            for (std::uint64_t t = 0; t < p.trials; ++t)
                for (int y = 0; y < p.years; ++y) ASSERT_NEAR(revenue(t, y), payments(t, y), 1e-9 * payments(t, y));
        }
}

TEST(FederalMatch, TheSplitLeavesTheLedgerAloneAndIsReportedEverywhere) {
    const Json match = Json::parse(R"({"fmap": 0.7, "health_home": {"rule": "ace_kids", "first_quarter": 2}})");
    const RunResults with = run(scenario_from_json(default_doc(true, match, 80)), options(6));
    Json plain_doc = default_doc(false, nullptr, 80);
    const RunResults without = run(scenario_from_json(plain_doc), options(6));
    EXPECT_TRUE(with.payments.values == without.payments.values);
    EXPECT_TRUE(without.payments.derived_parties().empty());
    EXPECT_TRUE(without.payments.federal.empty());
    EXPECT_EQ(where_of([&] { (void)without.payments.samples("fee_for_service", "payer_state"); }), "party");

    auto parties_of = [](const auto& rows) {
        std::vector<std::string> out;
        for (const auto& r : rows)
            if (std::find(out.begin(), out.end(), r.party) == out.end()) out.push_back(r.party);
        return out;
    };
    const std::vector<std::string> summary = parties_of(with.payments.summary());
    EXPECT_NE(std::find(summary.begin(), summary.end(), "payer_state"), summary.end());
    EXPECT_NE(std::find(summary.begin(), summary.end(), "payer_federal"), summary.end());
    EXPECT_EQ(parties_of(without.payments.summary()).size() + 2, summary.size());
    const auto compared = parties_of(compare_models(with.payments, "fee_for_service", "intervention"));
    EXPECT_NE(std::find(compared.begin(), compared.end(), "payer_federal"), compared.end());
    const auto stats = parties_of(statistics_table(with.simulation, with.payments));
    EXPECT_NE(std::find(stats.begin(), stats.end(), "payer_state"), stats.end());

    const Json j = payments_to_json(with.payments);
    EXPECT_EQ(j.at("parties").size(), party_count);
    EXPECT_EQ(j.at("derived_parties"), Json::parse(R"(["payer_state", "payer_federal"])"));
    EXPECT_TRUE(j.at("net_samples").at("fee_for_service").at("intervention").contains("payer_federal"));
    EXPECT_FALSE(payments_to_json(without.payments).contains("derived_parties"));
}

TEST(FederalMatch, BadInputNamesItsJsonPath) {
    auto load = [](const Json& doc) { return [doc] { return scenario_from_json(doc); }; };
    const Json aca = Json::parse(R"({"fmap": 0.6, "health_home": {"rule": "aca_2703"}})");
    expect_invalid(load(default_doc(false, Json::parse(R"({"fmap": 1.2})"))), "federal_match.fmap");
    expect_invalid(load(default_doc(false, Json::parse(R"({"fmap": -0.6})"))), "federal_match.fmap");
    expect_invalid(load(default_doc(false, Json::parse(R"({"fmap": 0.3})"))), "federal_match.fmap");
    expect_invalid(load(default_doc(false, Json::parse(R"({"fmap": [0.6, 0.6]})"))), "federal_match.fmap");
    expect_invalid(load(default_doc(false, Json::parse(R"({"fmap": [0.6, 1.5, 0.6]})"))), "federal_match.fmap[1]");
    expect_invalid(load(default_doc(false, Json::parse(R"({"fmap": "62%"})"))), "federal_match.fmap");
    expect_invalid(load(default_doc(false, Json::parse(R"({"health_home": {"rule": "aca_2703"}})"))), "federal_match.fmap");
    expect_invalid(load(default_doc(true, Json::parse(R"({"fmap": 0.6, "health_home": {"rule": "aca"}})"))), "federal_match.health_home.rule");
    expect_invalid(load(default_doc(true, Json::parse(R"({"fmap": 0.6, "health_home": {"rule": "aca_2703", "first_quarter": 0}})"))),
                   "federal_match.health_home.first_quarter");
    expect_invalid(load(default_doc(true, Json::parse(R"({"fmap": 0.6, "health_home": {"rule": "aca_2703", "quarter": 2}})"))),
                   "federal_match.health_home.quarter");
    // A rule without a marked component, and a marked component without a rule, would have no effect.
    expect_invalid(load(default_doc(false, aca)), "federal_match.health_home");
    expect_invalid(load(default_doc(true, Json::parse(R"({"fmap": 0.6})"))), "payment_models[1].components[1].health_home");
    expect_invalid(load(default_doc(true, nullptr)), "payment_models[1].components[1].health_home");
    // Enhanced quarters before the horizon, or an FMAP the enhanced rate cannot raise.
    expect_invalid(load(default_doc(true, Json::parse(R"({"fmap": 0.6, "health_home": {"rule": "ace_kids", "first_quarter": 3}})"))),
                   "federal_match.health_home");
    expect_invalid(load(default_doc(true, Json::parse(R"({"fmap": 0.95, "health_home": {"rule": "aca_2703"}})"))), "federal_match.health_home");
    // The only marked component is in force in year 3 only, after the enhanced quarters.
    Json late = default_doc(true, aca);
    late["payment_models"][1]["components"][1]["years"] = {3};
    expect_invalid(load(late), "federal_match.health_home.first_quarter");
    // Without payment models there is nothing to split.
    Json bare = scenario_to_json(Scenario::default_cmc_program(50, 3, false));
    bare["federal_match"] = Json::parse(R"({"fmap": 0.6})");
    expect_invalid(load(bare), "federal_match");
    // Every problem at once names the same paths.
    const auto problems = scenario_problems(default_doc(false, Json::parse(R"({"fmap": 1.2})")));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].where(), "federal_match.fmap");
}

TEST(FederalMatch, JsonRoundTrip) {
    for (const char* text : {R"({"fmap": 0.62})", R"({"fmap": [0.6, 0.61, 0.62], "health_home": {"rule": "ace_kids", "first_quarter": 2}})",
                             R"({"fmap": 0.6, "health_home": {"rule": "aca_2703", "first_quarter": 4}})"}) {
        const Json match = Json::parse(text);
        const bool hh = match.contains("health_home");
        const Scenario s = scenario_from_json(default_doc(hh, match));
        const Json back = scenario_to_json(s);
        EXPECT_EQ(back.at("federal_match"), match) << text;
        EXPECT_EQ(back.at("payment_models")[1]["components"][1].value("health_home", false), hh);
        EXPECT_TRUE(scenario_from_json(back).federal_match == s.federal_match);
    }
    // first_quarter defaults to 1 and is written back.
    const Scenario s = scenario_from_json(default_doc(true, Json::parse(R"({"fmap": 0.6, "health_home": {"rule": "aca_2703"}})")));
    EXPECT_EQ(s.federal_match->health_home->first_quarter, 1);
    EXPECT_EQ(scenario_to_json(s)["federal_match"]["health_home"]["first_quarter"], 1);
    EXPECT_FALSE(scenario_to_json(Scenario::default_cmc_program(50, 3)).contains("federal_match"));
}
