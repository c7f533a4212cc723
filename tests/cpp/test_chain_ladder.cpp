// The chain ladder (stats/chain_ladder.hpp) against a published example: the Taylor & Ashe
// (1983) triangle as Mack (1993, ASTIN Bulletin 23(2), table 1) develops it, whose
// volume-weighted factors and total reserve Mack prints (and R's ChainLadder package
// reproduces as data set GenIns).
#include "apmsim/stats/chain_ladder.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

using apmsim::stats::chain_ladder;

namespace {

const std::vector<std::vector<double>> taylor_ashe = {
    {357848, 1124788, 1735330, 2218270, 2745596, 3319994, 3466336, 3606286, 3833515, 3901463},
    {352118, 1236139, 2170033, 3353322, 3799067, 4120063, 4647867, 4914039, 5339085},
    {290507, 1292306, 2218525, 3235179, 3985995, 4132918, 4628910, 4909315},
    {310608, 1418858, 2195047, 3757447, 4029929, 4381982, 4588268},
    {443160, 1136350, 2128333, 2897821, 3402672, 3873311},
    {396132, 1333217, 2180715, 2985752, 3691712},
    {440832, 1288463, 2419861, 3483130},
    {359480, 1421128, 2864498},
    {376686, 1363294},
    {344014}};

}  // namespace

TEST(ChainLadder, ReproducesMacksFactorsAndReserve) {
    const auto cl = chain_ladder(taylor_ashe);
    // Mack (1993), table 1: the factors to the six printed decimals.
    const double printed[] = {3.490607, 1.747333, 1.457413, 1.173852, 1.103824, 1.086269, 1.053874, 1.076555, 1.017725};
    ASSERT_EQ(cl.age_to_age.size(), 9u);
    for (std::size_t j = 0; j < 9; ++j) EXPECT_NEAR(cl.age_to_age[j], printed[j], 5e-7) << "f" << j + 1;
    // The reserves by accident year and in total, to the dollar (Mack's table).
    const double reserves[] = {0, 94634, 469511, 709638, 984889, 1419459, 2177641, 3920301, 4278972, 4625811};
    for (std::size_t i = 0; i < 10; ++i) EXPECT_NEAR(cl.unpaid[i], reserves[i], 0.5) << "year " << i + 1;
    EXPECT_NEAR(std::accumulate(cl.unpaid.begin(), cl.unpaid.end(), 0.0), 18680856.0, 0.5);
    // The first row is fully developed; each row's ultimate is its latest amount over its completion factor.
    EXPECT_EQ(cl.unpaid.front(), 0.0);
    for (std::size_t i = 0; i < taylor_ashe.size(); ++i)
        EXPECT_NEAR(cl.ultimate[i], taylor_ashe[i].back() / cl.completion[taylor_ashe[i].size() - 1], 1e-6 * cl.ultimate[i]);
}

TEST(ChainLadder, TailFactorAndHandWorkedRaggedTriangle) {
    // By hand: f0 = (150 + 220) / (100 + 200) = 370 / 300; f1 = 180 / 150 = 1.2; tail 1.05.
    const auto cl = chain_ladder({{100, 150, 180}, {200, 220}, {50}}, 1.05);
    EXPECT_DOUBLE_EQ(cl.age_to_age[0], 370.0 / 300.0);
    EXPECT_DOUBLE_EQ(cl.age_to_age[1], 1.2);
    EXPECT_DOUBLE_EQ(cl.to_ultimate[2], 1.05);
    EXPECT_DOUBLE_EQ(cl.to_ultimate[1], 1.05 * 1.2);
    EXPECT_DOUBLE_EQ(cl.completion[0], 1.0 / (1.05 * 1.2 * 370.0 / 300.0));
    EXPECT_DOUBLE_EQ(cl.ultimate[2], 50.0 * 1.05 * 1.2 * 370.0 / 300.0);
    EXPECT_DOUBLE_EQ(cl.unpaid[0], 180.0 * 0.05);
}

TEST(ChainLadder, BadTrianglesNameTheCell) {
    expect_invalid([] { (void)chain_ladder({}); }, "triangle");
    expect_invalid([] { (void)chain_ladder({{1, 2}, {}}); }, "triangle[1]");
    expect_invalid([] { (void)chain_ladder({{1, -2}, {3}}); }, "triangle[0][1]");
    expect_invalid([] { (void)chain_ladder({{1, NAN}, {3}}); }, "triangle[0][1]");
    expect_invalid([] { (void)chain_ladder({{0, 5}, {0, 1}, {4}}); }, "triangle[*][0]");  // nothing paid at lag 0: f0 undefined
    expect_invalid([] { (void)chain_ladder({{1, 2}}, 0.9); }, "triangle.tail");
}
