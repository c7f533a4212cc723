// Standardisation of members and claims extracts: each rule on a tiny hand-made file,
// the report's reconciliation, events, exposure and the strict mode.
#include "apmsim/claims/standardise.hpp"

#include <gtest/gtest.h>

#include <numeric>

using namespace apmsim;
using namespace apmsim::claims;

namespace {

const char* members_text =
    "member_id,birth_date,sex,tier,risk_score,enrolment_start,enrolment_end\n"
    "M1,2015-01-01,F,A,1.0,2024-01-01,2024-12-31\n"
    "M2,2016-02-02,M,B,1.2,2024-01-01,2024-06-30\n"
    "M2,2016-02-02,M,B,1.2,2024-08-01,2024-12-31\n"
    "M3,2017-03-03,F,A,,2024-01-01,2024-12-31\n";

const char* header = "claim_id,line,member_id,service_date,paid_date,category,allowed,paid,adjustment\n";

CleanClaims clean(const std::string& claim_rows, StandardiseOptions options = {}, const std::string& members = members_text,
                  const ColumnMap& map = {}) {
    auto m = csv::Reader::from_text(members, "members.csv");
    auto c = csv::Reader::from_text(header + claim_rows, "claims.csv");
    return standardise(m, c, map, options);
}

const Finding& finding(const CleanClaims& c, const std::string& rule, const std::string& source = "claims") {
    return c.report.finding(source, rule);
}

// Three ordinary lines that survive every rule: 100 + 200 + 300.
const std::string base_rows =
    "C1,1,M1,2024-01-10,2024-02-01,inpatient,100,100,original\n"
    "C2,1,M2,2024-03-05,2024-03-20,outpatient,200,200,original\n"
    "C3,1,M1,2024-12-01,2024-12-20,outpatient,300,300,original\n";

// The base rows with a duplicate, a reversal and replacement (C4), a voided line (C5), a
// service outside enrolment (C6) and one before the window (C12).
const std::string mixed_rows = base_rows +
                               "C2,1,M2,2024-03-05,2024-03-20,outpatient,200,200,original\n"
                               "C4,1,M1,2024-05-05,2024-05-20,inpatient,1000,1000,original\n"
                               "C4,1,M1,2024-05-05,2024-06-20,inpatient,-1000,-1000,reversal\n"
                               "C4,1,M1,2024-05-05,2024-06-21,inpatient,1250,1250,original\n"
                               "C5,1,M1,2024-04-04,2024-04-20,inpatient,700,700,original\n"
                               "C5,1,M1,2024-04-04,2024-05-20,inpatient,-700,-700,reversal\n"
                               "C6,1,M2,2024-07-15,2024-08-01,outpatient,80,80,original\n"
                               "C12,1,M1,2023-12-20,2024-01-05,inpatient,70,70,original\n";

}  // namespace

TEST(Standardise, CleanFileKeepsEveryLineAndCountsMembersWithoutClaims) {
    const CleanClaims c = clean(base_rows);
    EXPECT_EQ(c.report.rows_in, 3u);
    EXPECT_EQ(c.report.rows_kept, 3u);
    EXPECT_DOUBLE_EQ(c.report.allowed_kept, 600.0);
    EXPECT_TRUE(c.report.reconciles());
    ASSERT_EQ(c.events.size(), 3u);
    EXPECT_EQ(c.tiers, (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(c.categories, (std::vector<std::string>{"inpatient", "outpatient"}));
    EXPECT_EQ(finding(c, "members_without_claims", "members").rows, 1u);  // M3
    EXPECT_NE(finding(c, "members_without_claims", "members").examples.at(0).find("M3"), std::string::npos);
    EXPECT_EQ(c.months(), 12u);  // 2024-01 .. 2024-12, from the service and paid dates
}

TEST(Standardise, ExactDuplicateRowsAreRemovedWithTheirDollars) {
    const CleanClaims c = clean(base_rows + "C2,1,M2,2024-03-05,2024-03-20,outpatient,200,200,original\n");
    const Finding& f = finding(c, "duplicate_line");
    EXPECT_EQ(f.rows, 1u);
    EXPECT_DOUBLE_EQ(f.allowed, 200.0);
    EXPECT_NE(f.examples.at(0).find("claims.csv, line 5"), std::string::npos) << f.examples.at(0);
    EXPECT_NE(f.examples.at(0).find("line 3"), std::string::npos);
    EXPECT_EQ(c.report.rows_kept, 3u);
    EXPECT_DOUBLE_EQ(c.report.allowed_kept, 600.0);
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, ReversalAndReplacementNetToTheCorrectedLine) {
    const CleanClaims c = clean(base_rows +
                                "C4,1,M1,2024-05-05,2024-05-20,inpatient,1000,1000,original\n"
                                "C4,1,M1,2024-05-05,2024-06-20,inpatient,-1000,-1000,reversal\n"
                                "C4,1,M1,2024-05-05,2024-06-21,inpatient,1250,1250,original\n");
    EXPECT_EQ(finding(c, "reversal_netted").rows, 2u);
    EXPECT_EQ(c.report.reversal_rows, 1u);
    EXPECT_EQ(c.report.rows_kept, 4u);
    EXPECT_DOUBLE_EQ(c.report.allowed_kept, 600.0 + 1250.0);
    ASSERT_EQ(c.events.size(), 4u);
    double may = 0.0;
    for (const Event& e : c.events)
        if (e.service == std::chrono::sys_days{std::chrono::year{2024} / 5 / 5}) may += e.allowed;
    EXPECT_DOUBLE_EQ(may, 1250.0);
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, AVoidedLineNetsToZeroAndIsRemoved) {
    const CleanClaims c = clean(base_rows +
                                "C5,1,M1,2024-04-04,2024-04-20,inpatient,700,700,original\n"
                                "C5,1,M1,2024-04-04,2024-05-20,inpatient,-700,-700,reversal\n");
    const Finding& f = finding(c, "non_positive_after_netting");
    EXPECT_EQ(f.rows, 1u);
    EXPECT_DOUBLE_EQ(f.allowed, 0.0);
    EXPECT_EQ(finding(c, "reversal_netted").rows, 1u);
    EXPECT_EQ(c.report.rows_kept, 3u);
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, AReversalWrittenAsAPositiveAmountStillTakesItAway) {
    // Extracts that mark reversals often keep the amounts positive; 0.6.1 added such a row,
    // so a reversed $700 line counted $1,400 (the independent review's case).
    const CleanClaims c = clean(base_rows +
                                "C5,1,M1,2024-04-04,2024-04-20,inpatient,700,700,original\n"
                                "C5,1,M1,2024-04-04,2024-05-20,inpatient,700,700,R\n"
                                "C6,1,M2,2024-03-06,2024-03-20,outpatient,90,90,original\n"
                                "C6,1,M2,2024-03-06,2024-04-20,outpatient,90,90,reversal\n"
                                "C6,1,M2,2024-03-06,2024-04-21,outpatient,120,120,original\n");
    EXPECT_EQ(finding(c, "non_positive_after_netting").rows, 1u);  // C5: voided
    EXPECT_EQ(c.report.reversal_rows, 2u);
    EXPECT_EQ(c.report.rows_kept, 4u);
    EXPECT_DOUBLE_EQ(c.report.allowed_kept, 600.0 + 120.0);  // C6 replaced at 120
    EXPECT_DOUBLE_EQ(c.report.allowed_in, 600.0 + 700.0 - 700.0 + 90.0 - 90.0 + 120.0);
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, AnAdjustmentDevelopsTheTriangleWhenItIsPaid) {
    // C7, a February service paid at 100 in February, reversed and repriced at 130 in April:
    // the paid triangle has 100 at lag 0 and 130 from lag 2. 0.6.1 put the net 130 at the
    // first payment's lag, so old months looked complete early and recent ones were not
    // completed for the repricing still to come (the independent review's case).
    const CleanClaims c = clean(base_rows +
                                "C7,1,M1,2024-02-10,2024-02-15,inpatient,100,100,original\n"
                                "C7,1,M1,2024-02-10,2024-04-10,inpatient,-100,-100,reversal\n"
                                "C7,1,M1,2024-02-10,2024-04-11,inpatient,130,130,original\n");
    ASSERT_EQ(c.triangle.first, std::chrono::year{2024} / 1);
    const std::vector<double>& february = c.triangle.cumulative.at(1);
    EXPECT_DOUBLE_EQ(february.at(0), 100.0);
    EXPECT_DOUBLE_EQ(february.at(1), 100.0);
    EXPECT_DOUBLE_EQ(february.at(2), 130.0);
    EXPECT_DOUBLE_EQ(february.back(), 130.0);
    EXPECT_DOUBLE_EQ(c.triangle.cumulative.at(0).at(1), 100.0);  // C1: January, paid in February
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, ServiceOutsideEnrolmentIsRemoved) {
    // M2 is not enrolled in July 2024 (two spans with a gap).
    const CleanClaims c = clean(base_rows + "C6,1,M2,2024-07-15,2024-08-01,outpatient,80,80,original\n");
    const Finding& f = finding(c, "outside_enrolment");
    EXPECT_EQ(f.rows, 1u);
    EXPECT_DOUBLE_EQ(f.allowed, 80.0);
    EXPECT_NE(f.examples.at(0).find("line 5"), std::string::npos);
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, UnknownMembersAndUnmappedCodesAreRemoved) {
    StandardiseOptions o;
    o.categories = {"inpatient", "outpatient"};
    const CleanClaims c = clean(base_rows +
                                "C7,1,M9,2024-02-02,2024-02-20,inpatient,50,50,original\n"
                                "C8,1,M1,2024-02-02,2024-02-20,dental,60,60,original\n",
                                o);
    EXPECT_EQ(finding(c, "unknown_member").rows, 1u);
    EXPECT_DOUBLE_EQ(finding(c, "unknown_member").allowed, 50.0);
    EXPECT_NE(finding(c, "unknown_member").examples.at(0).find("\"M9\""), std::string::npos);
    EXPECT_EQ(finding(c, "unmapped_code").rows, 1u);
    EXPECT_DOUBLE_EQ(finding(c, "unmapped_code").allowed, 60.0);
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, ACodeMapTurnsCodesIntoCategories) {
    ColumnMap map;
    map.claims.category = "category";
    map.categories = {{"0450", "emergency"}, {"0100", "inpatient"}};
    const CleanClaims c = clean("K1,1,M1,2024-01-10,2024-02-01,0450,100,100,original\n"
                                "K2,1,M1,2024-02-10,2024-03-01,0100,900,900,original\n"
                                "K3,1,M1,2024-02-10,2024-03-01,0999,5,5,original\n",
                                {}, members_text, map);
    EXPECT_EQ(c.categories, (std::vector<std::string>{"emergency", "inpatient"}));
    EXPECT_EQ(finding(c, "unmapped_code").rows, 1u);
    EXPECT_NE(finding(c, "unmapped_code").examples.at(0).find("\"0999\""), std::string::npos);
}

TEST(Standardise, UnparseableValuesAreCountedWithTheColumnAndValue) {
    const CleanClaims c = clean(base_rows +
                                "C9,1,M1,2024-02-30,2024-03-20,inpatient,10,10,original\n"   // no 30 February
                                "C10,1,M1,2024-02-02,2024-03-20,inpatient,N/A,0,original\n"  // no amount
                                "C11,1,M1,2024-02-02,2024-01-20,inpatient,30,30,original\n"  // paid before service
                                ",1,M1,2024-02-02,2024-03-20,inpatient,40,40,original\n");   // no claim id
    const Finding& f = finding(c, "unparseable_value");
    EXPECT_EQ(f.rows, 4u);
    EXPECT_DOUBLE_EQ(f.allowed, 10.0 + 30.0 + 40.0);  // the unreadable amount counts no dollars
    EXPECT_NE(f.examples.at(0).find("service_date \"2024-02-30\""), std::string::npos) << f.examples.at(0);
    EXPECT_NE(f.examples.at(1).find("allowed \"N/A\""), std::string::npos) << f.examples.at(1);
    EXPECT_NE(f.examples.at(2).find("before the service date"), std::string::npos) << f.examples.at(2);
    EXPECT_DOUBLE_EQ(c.report.allowed_in, 680.0);
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, TheWindowRemovesEarlyServiceAndLatePayment) {
    StandardiseOptions o;
    o.first = "2024-01";
    o.valuation = "2024-12";
    const CleanClaims c = clean(base_rows +
                                "C12,1,M1,2023-12-20,2024-01-05,inpatient,70,70,original\n"
                                "C13,1,M1,2024-12-20,2025-01-05,inpatient,90,90,original\n",
                                o);
    EXPECT_EQ(finding(c, "incurred_outside_window").rows, 1u);
    EXPECT_DOUBLE_EQ(finding(c, "incurred_outside_window").allowed, 70.0);
    EXPECT_EQ(finding(c, "paid_after_valuation").rows, 1u);
    EXPECT_DOUBLE_EQ(finding(c, "paid_after_valuation").allowed, 90.0);
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, ExtremeLinesAreFlaggedAndKept) {
    StandardiseOptions o;
    o.extreme_threshold = 250.0;
    const CleanClaims c = clean(base_rows, o);
    const Finding& f = finding(c, "extreme_value");
    EXPECT_FALSE(f.removes);
    EXPECT_EQ(f.rows, 1u);
    EXPECT_DOUBLE_EQ(f.allowed, 300.0);
    EXPECT_EQ(c.report.rows_kept, 3u);
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, MemberRowsWithBadValuesOrUnmappedTiersAreRemoved) {
    StandardiseOptions o;
    o.tiers = {"A", "B"};
    const std::string members = std::string(members_text) +
                                "M4,2017-03-03,F,A,1,2024-13-01,2024-12-31\n"  // no month 13
                                "M5,2017-03-03,F,Z,1,2024-01-01,2024-12-31\n"  // no tier Z
                                "M6,2017-03-03,F,A,1,2024-05-01,2024-04-30\n"; // ends before it starts
    const CleanClaims c = clean(base_rows, o, members);
    EXPECT_EQ(finding(c, "unparseable_value", "members").rows, 2u);
    EXPECT_EQ(finding(c, "unmapped_code", "members").rows, 1u);
    EXPECT_NE(finding(c, "unmapped_code", "members").examples.at(0).find("members.csv, line 7"), std::string::npos);
    EXPECT_EQ(c.members.size(), 3u);
    EXPECT_EQ(c.report.member_rows_in, 7u);
    EXPECT_TRUE(c.report.reconciles());
}

TEST(Standardise, AConflictingTierTakesTheLatestSpansAndIsFlagged) {
    const std::string members = std::string(members_text) + "M1,2015-01-01,F,B,1.0,2025-01-01,2025-03-31\n";
    const CleanClaims c = clean(base_rows, {}, members);
    EXPECT_EQ(finding(c, "conflicting_tier", "members").rows, 1u);
    EXPECT_EQ(c.tiers[c.members[0].tier], "B");
}

TEST(Standardise, ExposureMergesSpansAndProratesByDays) {
    const std::string members = "member_id,tier,enrolment_start,enrolment_end\n"
                                "M1,A,2024-01-01,2024-03-31\n"
                                "M1,A,2024-03-01,2024-06-15\n";  // overlaps March
    const CleanClaims c = clean("C1,1,M1,2024-01-10,2024-06-30,inpatient,100,100,original\n", {}, members);
    ASSERT_EQ(c.months(), 6u);
    EXPECT_DOUBLE_EQ(c.exposure.member_months[2], 1.0);          // March once, not twice
    EXPECT_DOUBLE_EQ(c.exposure.member_months[5], 15.0 / 30.0);  // to 15 June
}

TEST(Standardise, LinesOfAClaimInOneCategoryMakeOneEvent) {
    const CleanClaims c = clean("C1,1,M1,2024-01-10,2024-02-01,inpatient,100,100,original\n"
                                "C1,2,M1,2024-01-11,2024-02-01,inpatient,50,50,original\n"
                                "C1,3,M1,2024-01-11,2024-02-01,outpatient,20,20,original\n");
    ASSERT_EQ(c.events.size(), 2u);
    const auto inpatient = std::find_if(c.events.begin(), c.events.end(), [](const Event& e) { return e.category == 0; });
    EXPECT_DOUBLE_EQ(inpatient->allowed, 150.0);
    EXPECT_EQ(inpatient->service, std::chrono::sys_days{std::chrono::year{2024} / 1 / 10});
}

TEST(Standardise, TheTriangleHoldsTheNetLinesByLag) {
    const CleanClaims c = clean(base_rows);
    // C1: January, paid in February (lag 1); C2: March, lag 0; C3: December, lag 0.
    EXPECT_DOUBLE_EQ(c.triangle.cumulative[0][0], 0.0);
    EXPECT_DOUBLE_EQ(c.triangle.cumulative[0][1], 100.0);
    EXPECT_DOUBLE_EQ(c.triangle.cumulative[2][0], 200.0);
    EXPECT_DOUBLE_EQ(c.triangle.cumulative[11][0], 300.0);
    EXPECT_EQ(c.triangle.lines_used, 3u);
}

TEST(Standardise, StrictModeStopsAtTheFirstFindingNamingFileAndLine) {
    StandardiseOptions o;
    o.strict = true;
    EXPECT_NO_THROW(clean(base_rows, o));  // members without claims are no defect
    try {
        clean(base_rows + "C7,1,M9,2024-02-02,2024-02-20,inpatient,50,50,original\n", o);
        FAIL() << "no error";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.where(), "claims.csv, line 5");
        EXPECT_NE(e.expected().find("unknown_member"), std::string::npos);
        EXPECT_NE(e.actual().find("\"M9\""), std::string::npos);
    }
}

TEST(Standardise, AWindowOfMoreThanACenturyIsRefusedNamingItsEnds) {
    // One payment dated 4220 made the window 26,000 months, and the run-out triangle asked
    // for gigabytes (48 s of a release build) before any other check (found by fuzz_claims).
    try {
        clean(base_rows + "C9,1,M3,2024-05-01,4220-05-05,inpatient,90,90,original\n");
        FAIL() << "no error";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.where(), "window");
        EXPECT_NE(e.expected().find("at most 1200 months"), std::string::npos);
        EXPECT_EQ(e.actual(), "2024-01 (the earliest service: claims.csv, line 2) to 4220-05 (the latest payment: claims.csv, line 5)");
    }
    StandardiseOptions o;
    o.valuation = "2024-12";  // the same claim is then only paid after the valuation
    EXPECT_EQ(finding(clean(base_rows + "C9,1,M3,2024-05-01,4220-05-05,inpatient,90,90,original\n", o), "paid_after_valuation").rows, 1u);
}

TEST(Standardise, MissingColumnsAndEmptyExtractsAreErrorsNamingTheFile) {
    auto m = csv::Reader::from_text(members_text, "members.csv");
    auto c = csv::Reader::from_text("claim_id,member_id,service_date,paid_date,category\nC1,M1,2024-01-01,2024-01-02,inpatient\n", "claims.csv");
    try {
        standardise(m, c, {});
        FAIL() << "no error";
    } catch (const InvalidInput& e) {
        EXPECT_NE(e.where().find("claims.csv"), std::string::npos);
        EXPECT_NE(e.expected().find("allowed"), std::string::npos);
    }
    EXPECT_THROW(clean("C1,1,M9,2024-01-10,2024-02-01,inpatient,100,100,original\n"), InvalidInput);  // nothing usable
}

TEST(Standardise, EverythingTogetherReconciles) {
    StandardiseOptions o;
    o.first = "2024-01";
    o.valuation = "2024-12";
    o.extreme_threshold = 250.0;
    const CleanClaims c = clean(mixed_rows +
                                "C7,1,M9,2024-02-02,2024-02-20,inpatient,50,50,original\n"
                                "C9,1,M1,2024-02-30,2024-03-20,inpatient,10,10,original\n",
                                o);
    std::size_t removed = 0;
    double removed_dollars = 0.0;
    for (const Finding& f : c.report.findings)
        if (f.removes && f.source == "claims") removed += f.rows, removed_dollars += f.allowed;
    EXPECT_EQ(c.report.rows_in, 13u);
    EXPECT_EQ(c.report.rows_kept + removed, c.report.rows_in);
    EXPECT_NEAR(c.report.allowed_kept + removed_dollars, c.report.allowed_in, 1e-9);
    EXPECT_EQ(c.report.rows_kept, 4u);  // C1, C2, C3, C4
    EXPECT_DOUBLE_EQ(c.report.allowed_kept, 1850.0);
    EXPECT_TRUE(c.report.reconciles());
}

namespace {

CleanClaims clean_example_program(std::size_t rows_in_memory) {
    const std::string dir = std::string(APMSIM_SOURCE_DIR) + "/examples/data/cmc_program/";
    csv::Reader members(dir + "members.csv"), claims(dir + "claims.csv");
    StandardiseOptions o;
    o.rows_in_memory = rows_in_memory;
    return standardise(members, claims, ColumnMap{}, o);
}

}  // namespace

// More rows than the buffer holds are sorted in runs on disk and merged: the report, the
// events, the triangle and the exposure are the same, bit for bit, as when all fit.
TEST(Standardise, RowsSpilledToDiskGiveTheSameCleanClaims) {
    const CleanClaims all = clean_example_program(1'000'000);
    ASSERT_GT(all.report.rows_in, 30'000u);
    for (const std::size_t buffer : {4'096u, 7u}) {
        const CleanClaims spilled = clean_example_program(buffer);
        ASSERT_EQ(spilled.report.findings.size(), all.report.findings.size());
        for (std::size_t k = 0; k < all.report.findings.size(); ++k) {
            const Finding &a = all.report.findings[k], &b = spilled.report.findings[k];
            EXPECT_EQ(b.rows, a.rows) << a.rule;
            EXPECT_EQ(b.allowed, a.allowed) << a.rule;
            EXPECT_EQ(b.examples, a.examples) << a.rule;
        }
        EXPECT_EQ(spilled.report.rows_kept, all.report.rows_kept);
        EXPECT_EQ(spilled.report.allowed_kept, all.report.allowed_kept);
        ASSERT_EQ(spilled.events.size(), all.events.size());
        for (std::size_t i = 0; i < all.events.size(); ++i) {
            const Event &a = all.events[i], &b = spilled.events[i];
            ASSERT_TRUE(a.member == b.member && a.category == b.category && a.service == b.service && a.allowed == b.allowed && a.paid == b.paid)
                << "event " << i;
        }
        EXPECT_EQ(spilled.triangle.cumulative, all.triangle.cumulative);
        EXPECT_EQ(spilled.exposure.member_months, all.exposure.member_months);
    }
    // The reconciliation and the rules' counts are those of the examples' own record of the mess.
    EXPECT_TRUE(all.report.reconciles());
    EXPECT_GT(finding(all, "duplicate_line").rows, 0u);
    EXPECT_THROW(finding(all, "duplicate_line", "members"), std::invalid_argument);  // a rule of the claims only
}

TEST(Standardise, EveryRuleCountsTheSameWithATwoRowBuffer) {
    StandardiseOptions o;
    o.first = "2024-01", o.valuation = "2024-12", o.extreme_threshold = 250.0, o.rows_in_memory = 2;
    const CleanClaims c = clean(mixed_rows, o);
    EXPECT_EQ(finding(c, "duplicate_line").rows, 1u);
    EXPECT_EQ(finding(c, "reversal_netted").rows, 3u);  // C4's 3 rows into 1 (2), C5's 2 into 1 (1)
    EXPECT_EQ(finding(c, "non_positive_after_netting").rows, 1u);  // C5
    EXPECT_EQ(finding(c, "outside_enrolment").rows, 1u);  // C6: M2 not enrolled in July
    EXPECT_EQ(finding(c, "incurred_outside_window").rows, 1u);  // C12
    EXPECT_EQ(finding(c, "extreme_value").rows, 2u);  // C3 (300) and C4 (1250)
    EXPECT_EQ(c.report.rows_kept, 4u);
    EXPECT_DOUBLE_EQ(c.report.allowed_kept, 1850.0);
    EXPECT_TRUE(c.report.reconciles());
    StandardiseOptions zero = o;
    zero.rows_in_memory = 1;
    EXPECT_THROW(clean(mixed_rows, zero), InvalidInput);
}
