// Member-months from enrolment spans (stats/exposure.hpp), against hand-worked cases:
// proration by days (leap and common Februaries), overlapping, duplicated and touching
// spans counted once, spans clipped to the window, and bad dates named.
#include "apmsim/stats/exposure.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using apmsim::stats::member_months;
using S = std::vector<std::string>;

TEST(Exposure, ProratesByDaysAndCountsOverlapsOnce) {
    const S member = {"A", "B", "B", "C", "C", "D", "D"};
    const S start = {"2024-01-15", "2024-01-01", "2024-01-10", "2023-11-01", "2024-02-01", "2024-03-05", "2024-03-05"};
    const S end = {"2024-03-10", "2024-01-20", "2024-02-05", "2024-01-31", "2024-02-10", "2024-03-06", "2024-03-06"};
    const auto e = member_months(member, start, end, "2024-01", "2024-03");
    ASSERT_EQ(e.members, (S{"A", "B", "C", "D"}));
    ASSERT_EQ(e.months, 3u);
    auto at = [&](std::size_t i, std::size_t m) { return e.member_months[i * 3 + m]; };
    // A: Jan 15-31 (17 of 31 days), all of leap February, Mar 1-10.
    EXPECT_DOUBLE_EQ(at(0, 0), 17.0 / 31.0);
    EXPECT_DOUBLE_EQ(at(0, 1), 1.0);
    EXPECT_DOUBLE_EQ(at(0, 2), 10.0 / 31.0);
    // B: Jan 1-20 and Jan 10 - Feb 5 overlap: Jan 1 - Feb 5 once.
    EXPECT_DOUBLE_EQ(at(1, 0), 1.0);
    EXPECT_DOUBLE_EQ(at(1, 1), 5.0 / 29.0);
    // C: from November (clipped to the window) to Jan 31, touching Feb 1-10: no gap, no double count.
    EXPECT_DOUBLE_EQ(at(2, 0), 1.0);
    EXPECT_DOUBLE_EQ(at(2, 1), 10.0 / 29.0);
    // D: the same two days listed twice count once.
    EXPECT_DOUBLE_EQ(at(3, 2), 2.0 / 31.0);
    EXPECT_DOUBLE_EQ(e.month_total(1), 1.0 + 5.0 / 29.0 + 10.0 / 29.0);
}

TEST(Exposure, CommonYearFebruaryAndAYearOfMonths) {
    const auto e = member_months(S{"X"}, S{"2023-02-15"}, S{"2023-12-31"}, "2023-01", "2023-12");
    EXPECT_DOUBLE_EQ(e.member_months[1], 14.0 / 28.0);
    double total = 0;
    for (double v : e.member_months) total += v;
    EXPECT_DOUBLE_EQ(total, 14.0 / 28.0 + 10.0);
}

TEST(Exposure, BadDatesAreNamed) {
    expect_invalid([] { (void)member_months(S{"A"}, S{"2023-02-29"}, S{"2023-03-01"}, "2023-01", "2023-12"); }, "start[0]");
    expect_invalid([] { (void)member_months(S{"A"}, S{"2023-03-01"}, S{"2023/03/05"}, "2023-01", "2023-12"); }, "end[0]");
    expect_invalid([] { (void)member_months(S{"A"}, S{"2023-03-05"}, S{"2023-03-01"}, "2023-01", "2023-12"); }, "end[0]");
    expect_invalid([] { (void)member_months(S{"A"}, S{"2023-03-01"}, S{"2023-03-05"}, "2023-13", "2023-12"); }, "first");
    expect_invalid([] { (void)member_months(S{"A"}, S{"2023-03-01"}, S{"2023-03-05"}, "2023-06", "2023-05"); }, "last");
    expect_invalid([] { (void)member_months(S{"A", "B"}, S{"2023-03-01"}, S{"2023-03-05"}, "2023-01", "2023-12"); }, "start");
}
