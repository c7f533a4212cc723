// The paid-claims triangle (stats/run_out.hpp): a hand-built example, and completion factors
// that recover a known payment lag: claims paid after a geometric lag are developed by the
// chain ladder into completion factors close to the lag's distribution function.
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/stats/chain_ladder.hpp"
#include "apmsim/stats/run_out.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

using apmsim::stats::paid_triangle;
using S = std::vector<std::string>;

TEST(RunOut, HandBuiltTriangleKeepsCountOfWhatItLeavesOut) {
    const S service = {"2024-01-05", "2024-01-20", "2024-01-31", "2024-02-10", "2024-03-03", "2023-12-30", "2024-02-11"};
    const S paid = {"2024-01-25", "2024-02-03", "2024-03-15", "2024-02-28", "2024-03-31", "2024-01-05", "2024-04-02"};
    const std::vector<double> amount = {100, 50, 25, 200, 80, 999, 7};
    const auto t = paid_triangle(service, paid, amount, "2024-01", "2024-03");
    ASSERT_EQ(t.cumulative.size(), 3u);
    EXPECT_EQ(t.cumulative[0], (std::vector<double>{100, 150, 175}));  // January: lags 0, 1, 2
    EXPECT_EQ(t.cumulative[1], (std::vector<double>{200, 200}));       // February
    EXPECT_EQ(t.cumulative[2], (std::vector<double>{80}));             // March
    EXPECT_EQ(t.lines_used, 5u);
    EXPECT_EQ(t.lines_outside, 1u);              // incurred in December
    EXPECT_EQ(t.lines_paid_after_valuation, 1u);  // paid in April
    EXPECT_DOUBLE_EQ(t.amount_used + t.amount_outside + t.amount_paid_after_valuation, 1461.0);  // every dollar accounted for
}

TEST(RunOut, CompletionFactorsRecoverAKnownLag) {
    // 24 incurred months of 4,000 claims each; lag in months Geometric(0.45): P(lag <= j) = 1 - 0.55^(j+1).
    S service, paid;
    std::vector<double> amount;
    apmsim::random::Stream s(11, 0, 0, 0);
    char text[32];
    for (int month = 0; month < 24; ++month)
        for (int k = 0; k < 4000; ++k) {
            const int lag = static_cast<int>(std::floor(std::log(s.uniform()) / std::log(0.55)));
            std::snprintf(text, sizeof text, "%04d-%02d-15", 2023 + month / 12, month % 12 + 1);
            service.emplace_back(text);
            const int p = month + lag;
            std::snprintf(text, sizeof text, "%04d-%02d-15", 2023 + p / 12, p % 12 + 1);
            paid.emplace_back(text);
            amount.push_back(500.0 + 1000.0 * s.uniform());
        }
    const auto t = paid_triangle(service, paid, amount, "2023-01", "2024-12");
    const auto cl = apmsim::stats::chain_ladder(t.cumulative);
    // The first months' completion: 1 - 0.55^(j+1), to within about 1% (4,000 claims a month;
    // the factors pool the months, and the tail beyond 23 months of lag is 0.55^24 ~ 6e-7).
    for (std::size_t j = 0; j < 6; ++j) EXPECT_NEAR(cl.completion[j], 1.0 - std::pow(0.55, static_cast<double>(j + 1)), 0.01) << "lag " << j;
}

TEST(RunOut, BadLinesAreNamed) {
    const std::vector<double> one = {1.0};
    expect_invalid([&] { (void)paid_triangle(S{"2024-01-05"}, S{"2023-12-31"}, one, "2024-01", "2024-03"); }, "paid_date[0]");
    expect_invalid([&] { (void)paid_triangle(S{"2024-02-30"}, S{"2024-03-01"}, one, "2024-01", "2024-03"); }, "service_date[0]");
    expect_invalid([&] { (void)paid_triangle(S{"2024-01-05"}, S{"2024-03-01"}, std::vector<double>{NAN}, "2024-01", "2024-03"); }, "amount[0]");
    expect_invalid([&] { (void)paid_triangle(S{"2024-01-05"}, S{"2024-03-01"}, one, "2024-04", "2024-03"); }, "valuation");
    expect_invalid([&] { (void)paid_triangle(S{"2024-01-05", "2024-01-06"}, S{"2024-03-01"}, one, "2024-01", "2024-03"); }, "paid_date");
}
