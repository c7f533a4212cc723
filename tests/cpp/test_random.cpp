// Counter-based random streams and the uniform -> variate transforms:
// Philox known answers, stream reproducibility and addressing, the AS 241 normal
// quantile against Boost.Math, Marsaglia-Tsang gamma moments, and goodness of fit
// of the uniforms themselves.
#include "apmsim/distributions/binomial.hpp"
#include "apmsim/distributions/distribution.hpp"
#include "apmsim/distributions/lognormal.hpp"
#include "apmsim/distributions/negative_binomial.hpp"
#include "apmsim/distributions/poisson.hpp"
#include "apmsim/distributions/zero_modified_poisson.hpp"
#include "apmsim/random/batch.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"

#include <gtest/gtest.h>
#include <sleef.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <vector>

using apmsim::random::bits_to_open_unit;
using apmsim::random::philox4x32_10;
using apmsim::random::standard_gamma;
using apmsim::random::standard_normal_cdf;
using apmsim::random::standard_normal_quantile;
using apmsim::random::Stream;
using apmsim::random::StreamKind;
using apmsim::random::variable_id;

namespace {

std::uint64_t bits_of(double x) {
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}

std::vector<double> draws(Stream s, std::size_t n) {
    std::vector<double> v(n);
    for (auto& x : v) x = s.uniform();
    return v;
}

/// Kolmogorov-Smirnov statistic sup |F_n - F| of a sample against a continuous cdf.
template <class Cdf>
double ks_statistic(std::vector<double> x, Cdf cdf) {
    std::sort(x.begin(), x.end());
    const double n = static_cast<double>(x.size());
    double d = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double f = cdf(x[i]);
        d = std::max({d, (static_cast<double>(i) + 1.0) / n - f, f - static_cast<double>(i) / n});
    }
    return d;
}

/// Upper 0.1% point of the chi-square distribution with `df` degrees of freedom.
double chi_square_critical_999(double df) {
    return boost::math::quantile(boost::math::complement(boost::math::chi_squared(df), 0.001));
}

}  // namespace

// ---------------------------------------------------------------------------------
// Philox4x32-10 known answers (Random123's kat_vectors, Salmon et al. SC'11).

TEST(Philox, KnownAnswerZero) {
    const auto r = philox4x32_10({0u, 0u, 0u, 0u}, {0u, 0u});
    const std::array<std::uint32_t, 4> expected = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
    EXPECT_EQ(r, expected);
}

TEST(Philox, KnownAnswerAllOnes) {
    const auto r = philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu});
    const std::array<std::uint32_t, 4> expected = {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu};
    EXPECT_EQ(r, expected);
}

TEST(Philox, KnownAnswerPi) {
    const auto r = philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u});
    const std::array<std::uint32_t, 4> expected = {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u};
    EXPECT_EQ(r, expected);
}

// ---------------------------------------------------------------------------------
// Streams.

TEST(Stream, UniformsAreDocumentedFunctionOfPhiloxBlock) {
    // key = {low, high} word of the seed, counter = {trial, member, variable, block};
    // a block gives (r0:r1) then (r2:r3) as 64-bit words.
    const std::uint64_t seed = 0x0123456789abcdefull;
    Stream s(seed, 7u, 11u, 13u);
    for (std::uint32_t block = 0; block < 3; ++block) {
        const auto r = philox4x32_10({7u, 11u, 13u, block}, {0x89abcdefu, 0x01234567u});
        EXPECT_EQ(s.uniform(), bits_to_open_unit((std::uint64_t{r[0]} << 32) | r[1]));
        EXPECT_EQ(s.uniform(), bits_to_open_unit((std::uint64_t{r[2]} << 32) | r[3]));
    }
}

TEST(Stream, BitsToOpenUnitStaysStrictlyInside) {
    EXPECT_GT(bits_to_open_unit(0u), 0.0);
    EXPECT_EQ(bits_to_open_unit(0u), 0x1.0p-54);
    // The top 53 bits all ones: (2^53 - 1/2) 2^-53 rounds to 1.0 in double unless handled.
    EXPECT_LT(bits_to_open_unit(~std::uint64_t{0}), 1.0);
    EXPECT_LT(bits_to_open_unit(~std::uint64_t{0} - (std::uint64_t{1} << 11)), 1.0);
    EXPECT_LE(bits_to_open_unit(~std::uint64_t{0} - (std::uint64_t{1} << 11)),
              bits_to_open_unit(~std::uint64_t{0}));
    // Low 11 bits are discarded; the map is non-decreasing in the bits.
    EXPECT_EQ(bits_to_open_unit(0x7ffu), bits_to_open_unit(0u));
    EXPECT_LT(bits_to_open_unit(0x800u), bits_to_open_unit(0x1000u));
    // Below 2^52 the top-53-bit value k maps exactly to (k + 1/2) 2^-53.
    EXPECT_EQ(bits_to_open_unit(std::uint64_t{1} << 62), 0.25 + 0x1.0p-54);
    EXPECT_EQ(bits_to_open_unit((std::uint64_t{1} << 62) + (std::uint64_t{1} << 11)), 0.25 + 3 * 0x1.0p-54);
}

TEST(Stream, UniformsStrictlyInsideUnitInterval) {
    Stream s(2024u, 1u, 2u, variable_id(StreamKind::severity, 0u, 3u));
    double lo = 1.0, hi = 0.0;
    for (int i = 0; i < 1000000; ++i) {
        const double u = s.uniform();
        ASSERT_GT(u, 0.0);
        ASSERT_LT(u, 1.0);
        lo = std::min(lo, u);
        hi = std::max(hi, u);
    }
    // A million uniforms reach within 1e-4 of both ends (fails with probability ~e^-100).
    EXPECT_LT(lo, 1e-4);
    EXPECT_GT(hi, 1.0 - 1e-4);
}

TEST(Stream, SameCoordinatesSameSequence) {
    const std::uint32_t v = variable_id(StreamKind::count, 2u, 5u);
    EXPECT_EQ(draws(Stream(99u, 3u, 4u, v), 1001), draws(Stream(99u, 3u, 4u, v), 1001));
    // Copies continue identically from where they were copied.
    Stream a(99u, 3u, 4u, v);
    (void)a.uniform();
    Stream b = a;
    EXPECT_EQ(draws(a, 10), draws(b, 10));
}

TEST(Stream, EveryCoordinateChangesTheSequence) {
    const std::uint64_t seed = 0x1111222233334444ull;
    const std::uint32_t trial = 5u, member = 6u, var = variable_id(StreamKind::frailty, 1u, 0u);
    const auto base = draws(Stream(seed, trial, member, var), 64);
    const std::vector<std::vector<double>> others = {
        draws(Stream(seed + 1u, trial, member, var), 64),                       // low key word
        draws(Stream(seed + (std::uint64_t{1} << 32), trial, member, var), 64),  // high key word
        draws(Stream(seed, trial + 1u, member, var), 64),
        draws(Stream(seed, trial, member + 1u, var), 64),
        draws(Stream(seed, trial, member, var + 1u), 64),
        draws(Stream(seed, trial, apmsim::random::trial_level_member, var), 64),
    };
    for (std::size_t i = 0; i < others.size(); ++i) {
        SCOPED_TRACE(i);
        int equal = 0;
        for (std::size_t j = 0; j < base.size(); ++j) equal += base[j] == others[i][j];
        EXPECT_EQ(equal, 0);  // 53-bit values: a coincidence has probability ~64 * 2^-53
    }
}

TEST(Stream, SeekReproducesTheKthDraw) {
    const Stream fresh(77u, 1u, 2u, variable_id(StreamKind::severity, 3u, 4u));
    const auto ref = draws(fresh, 2100);
    for (std::uint64_t k : {0u, 1u, 2u, 3u, 4u, 5u, 10u, 11u, 998u, 999u, 1000u, 1001u, 2047u, 2048u}) {
        SCOPED_TRACE(k);
        Stream s = fresh;
        for (int i = 0; i < 37; ++i) (void)s.uniform();  // arbitrary position, odd spare state
        s.seek(k);
        for (std::uint64_t j = k; j < k + 50 && j < ref.size(); ++j) ASSERT_EQ(s.uniform(), ref[j]) << "j=" << j;
    }
    // Seeking backwards and forwards repeatedly.
    Stream s = fresh;
    s.seek(7);
    EXPECT_EQ(s.uniform(), ref[7]);
    s.seek(2);
    EXPECT_EQ(s.uniform(), ref[2]);
    EXPECT_EQ(s.uniform(), ref[3]);
    s.seek(1);
    EXPECT_EQ(s.uniform(), ref[1]);
    EXPECT_EQ(s.uniform(), ref[2]);
}

TEST(Stream, VariableIdPacking) {
    EXPECT_EQ(variable_id(StreamKind::count, 0u, 0u), 0x02000000u);
    EXPECT_EQ(variable_id(StreamKind::severity, 0x12u, 0x3456u), 0x03123456u);
    EXPECT_EQ(variable_id(StreamKind::user, 255u, 65535u), 0x09FFFFFFu);
    std::set<std::uint32_t> ids;
    std::size_t made = 0;
    for (std::uint32_t kind = 1; kind <= 9; ++kind)
        for (std::uint32_t year = 0; year < 256; year += 17)
            for (std::uint32_t index : {0u, 1u, 2u, 7u, 255u, 256u, 4095u, 65535u}) {
                ids.insert(variable_id(static_cast<StreamKind>(kind), year, index));
                ++made;
            }
    EXPECT_EQ(ids.size(), made);
    // Kinds never collide with each other whatever the year and index.
    EXPECT_NE(variable_id(StreamKind::count, 255u, 65535u), variable_id(StreamKind::severity, 0u, 0u));
}

// ---------------------------------------------------------------------------------
// Normal quantile (AS 241) and cdf.

TEST(NormalQuantile, MatchesBoostToRelative1e14) {
    const boost::math::normal standard;
    std::vector<double> grid;
    for (int e = 1; e <= 300; ++e) grid.push_back(std::pow(10.0, -e));
    for (double m : {1.5, 2.0, 3.0, 5.0, 7.5}) grid.push_back(m * 1e-200), grid.push_back(m * 1e-20), grid.push_back(m * 1e-3);
    for (int i = 1; i < 1000; ++i) grid.push_back(i / 1000.0);
    for (int e = 1; e <= 16; ++e) grid.push_back(1.0 - std::pow(10.0, -e));
    grid.push_back(0.075), grid.push_back(0.925), grid.push_back(0.5 - 1e-12), grid.push_back(0.5 + 1e-12);
    double worst = 0.0, worst_p = 0.0;
    for (double p : grid) {
        ASSERT_GT(p, 0.0);
        ASSERT_LT(p, 1.0);
        const double ours = standard_normal_quantile(p);
        const double ref = boost::math::quantile(standard, p);
        if (p == 0.5) {
            EXPECT_EQ(ours, 0.0);
            continue;
        }
        const double rel = std::fabs(ours - ref) / std::fabs(ref);
        if (rel > worst) worst = rel, worst_p = p;
        EXPECT_LT(rel, 1e-14) << "p=" << p << " ours=" << ours << " boost=" << ref;
    }
    char note[96];
    std::snprintf(note, sizeof note, "%.3g at p=%.17g", worst, worst_p);
    RecordProperty("worst_relative_error", note);
    EXPECT_EQ(standard_normal_quantile(0.5), 0.0);
    EXPECT_EQ(standard_normal_quantile(0.0), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(standard_normal_quantile(1.0), std::numeric_limits<double>::infinity());
}

TEST(NormalQuantile, IsOddAboutOneHalf) {
    // For p in [1/4, 1/2], 1 - p is exact, so Q(1-p) = -Q(p) should hold to rounding.
    for (int i = 0; i <= 1000; ++i) {
        const double p = 0.25 + 0.25 * i / 1000.0;
        const double a = standard_normal_quantile(p), b = standard_normal_quantile(1.0 - p);
        EXPECT_NEAR(a, -b, 1e-15 * std::max(1.0, std::fabs(a))) << "p=" << p;
    }
    // Far tails: dyadic p keeps 1 - p exact as well.
    for (int e = 3; e <= 52; ++e) {
        const double p = std::ldexp(1.0, -e);
        const double a = standard_normal_quantile(p), b = standard_normal_quantile(1.0 - p);
        EXPECT_NEAR(a, -b, 1e-14 * std::fabs(a)) << "p=2^-" << e;
    }
    // Strictly increasing on a fine grid.
    double prev = -std::numeric_limits<double>::infinity();
    for (int i = 1; i < 100000; ++i) {
        const double q = standard_normal_quantile(i / 100000.0);
        ASSERT_GT(q, prev);
        prev = q;
    }
}

TEST(NormalQuantile, CdfRoundTrip) {
    // Phi(Q(p)) = p: relative in the lower half (Phi is computed by erfc there, without
    // cancellation), absolute 1e-15 in the upper half. In the far lower tail the
    // condition number of Phi, x phi(x) / Phi(x), grows like x^2 (about 1400 at
    // p = 1e-300), so a rounding of x alone moves Phi by ~x^2 eps relative: the bound
    // there is 2e-15 max(1, x^2) (observed worst: 7e-16 x^2).
    for (int e = 1; e <= 300; ++e) {
        const double p = std::pow(10.0, -e);
        const double x = standard_normal_quantile(p);
        EXPECT_NEAR(standard_normal_cdf(x), p, 2e-15 * std::max(1.0, x * x) * p) << "p=" << p;
    }
    for (int i = 1; i < 1000; ++i) {
        const double p = i / 1000.0;
        const double tol = p <= 0.5 ? 1e-13 * p : 1e-15;
        EXPECT_NEAR(standard_normal_cdf(standard_normal_quantile(p)), p, tol) << "p=" << p;
    }
    // Q(Phi(x)) = x for x where Phi(x) is not rounded to 1.
    for (double x = -37.0; x <= 7.0; x += 0.125) {
        const double back = standard_normal_quantile(standard_normal_cdf(x));
        const double tol = x <= 0.0 ? 1e-13 * std::max(1.0, std::fabs(x)) : 1e-15 / boost::math::pdf(boost::math::normal(), x) + 1e-14;
        EXPECT_NEAR(back, x, tol) << "x=" << x;
    }
    EXPECT_EQ(standard_normal_cdf(0.0), 0.5);
    EXPECT_NEAR(standard_normal_cdf(1.959963984540054), 0.975, 1e-15);
}

// ---------------------------------------------------------------------------------
// Gamma variates (Marsaglia-Tsang, with the boost for shape < 1).

TEST(StandardGamma, MeanAndVarianceWithinFourStandardErrors) {
    constexpr std::size_t n = 200000;
    for (double shape : {0.3, 1.0, 4.0}) {
        SCOPED_TRACE(shape);
        Stream s(31337u, 0u, 0u, variable_id(StreamKind::frailty, 0u, static_cast<std::uint32_t>(shape * 10)));
        std::vector<double> x(n);
        for (auto& v : x) {
            v = standard_gamma(shape, s);
            ASSERT_GT(v, 0.0);
            ASSERT_TRUE(std::isfinite(v));
        }
        double mean = 0.0;
        for (double v : x) mean += v;
        mean /= n;
        double m2 = 0.0, m4 = 0.0;
        for (double v : x) {
            const double d = (v - mean) * (v - mean);
            m2 += d;
            m4 += d * d;
        }
        m2 /= n;
        m4 /= n;
        const double var = m2 * n / (n - 1.0);
        const double se_mean = std::sqrt(var / n);
        const double se_var = std::sqrt((m4 - m2 * m2) / n);  // delta method: Var[s^2] ~ (mu4 - sigma^4)/n
        // Gamma(shape, 1): mean = variance = shape.
        EXPECT_NEAR(mean, shape, 4.0 * se_mean);
        EXPECT_NEAR(var, shape, 4.0 * se_var);
    }
}

TEST(StandardGamma, KolmogorovSmirnovAgainstGammaCdf) {
    // D < 1.63/sqrt(n): the asymptotic 1% critical value of the KS statistic.
    constexpr std::size_t n = 100000;
    for (double shape : {0.3, 1.0, 4.0, 25.0}) {
        SCOPED_TRACE(shape);
        Stream s(4242u, 1u, 0u, variable_id(StreamKind::frailty, 1u, 0u));
        std::vector<double> x(n);
        for (auto& v : x) v = standard_gamma(shape, s);
        const double d = ks_statistic(x, [shape](double v) { return boost::math::gamma_p(shape, v); });
        EXPECT_LT(d, 1.63 / std::sqrt(static_cast<double>(n)));
    }
}

// ---------------------------------------------------------------------------------
// Equidistribution of the uniforms.

TEST(UniformGoodnessOfFit, ChiSquareOneMillionInThousandBins) {
    constexpr std::size_t n = 1000000, bins = 1000;
    Stream s(8675309u, 0u, 0u, variable_id(StreamKind::sample, 0u, 0u));
    std::vector<double> counts(bins, 0.0);
    for (std::size_t i = 0; i < n; ++i) counts[static_cast<std::size_t>(s.uniform() * bins)] += 1.0;
    const double expected = static_cast<double>(n) / bins;
    double chi2 = 0.0;
    for (double c : counts) chi2 += (c - expected) * (c - expected) / expected;
    // Bound: the upper 0.1% point of chi-square with 999 df (about 1143).
    EXPECT_LT(chi2, chi_square_critical_999(bins - 1.0));
    // And not suspiciously good either (lower 0.1% point, about 865).
    EXPECT_GT(chi2, boost::math::quantile(boost::math::chi_squared(bins - 1.0), 0.001));
}

TEST(UniformGoodnessOfFit, KolmogorovSmirnovOneMillion) {
    // D < 1.63/sqrt(n), the asymptotic 1% critical value.
    constexpr std::size_t n = 1000000;
    const auto u = draws(Stream(12345u, 9u, 9u, variable_id(StreamKind::copula, 0u, 0u)), n);
    EXPECT_LT(ks_statistic(u, [](double x) { return x; }), 1.63 / std::sqrt(static_cast<double>(n)));
}

TEST(UniformGoodnessOfFit, SerialPairsChiSquare) {
    // Consecutive pairs (u_2i, u_2i+1) share a Philox block; (u_2i+1, u_2i+2) straddle two.
    // Both kinds of pair are tested on a 32 x 32 grid (1023 df; bound: upper 0.1% point).
    constexpr std::size_t pairs = 500000, side = 32;
    for (int offset : {0, 1}) {
        SCOPED_TRACE(offset);
        Stream s(5551212u, 0u, 0u, variable_id(StreamKind::user, 0u, 0u));
        if (offset) (void)s.uniform();
        std::vector<double> counts(side * side, 0.0);
        for (std::size_t i = 0; i < pairs; ++i) {
            const auto a = static_cast<std::size_t>(s.uniform() * side);
            const auto b = static_cast<std::size_t>(s.uniform() * side);
            counts[a * side + b] += 1.0;
        }
        const double expected = static_cast<double>(pairs) / (side * side);
        double chi2 = 0.0;
        for (double c : counts) chi2 += (c - expected) * (c - expected) / expected;
        EXPECT_LT(chi2, chi_square_critical_999(side * side - 1.0));
    }
}

TEST(UniformGoodnessOfFit, NeighbouringStreamsUncorrelated) {
    // Streams one member apart: sample correlation within 4/sqrt(n) of zero.
    constexpr std::size_t n = 200000;
    const auto a = draws(Stream(1u, 0u, 0u, variable_id(StreamKind::count, 0u, 0u)), n);
    const auto b = draws(Stream(1u, 0u, 1u, variable_id(StreamKind::count, 0u, 0u)), n);
    const auto c = draws(Stream(1u, 0u, 0u, variable_id(StreamKind::count, 0u, 1u)), n);
    auto corr = [](const std::vector<double>& x, const std::vector<double>& y) {
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        const double m = static_cast<double>(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
            sx += x[i], sy += y[i], sxx += x[i] * x[i], syy += y[i] * y[i], sxy += x[i] * y[i];
        }
        const double cov = sxy / m - sx / m * sy / m;
        return cov / std::sqrt((sxx / m - sx / m * sx / m) * (syy / m - sy / m * sy / m));
    };
    EXPECT_LT(std::fabs(corr(a, b)), 4.0 / std::sqrt(static_cast<double>(n)));
    EXPECT_LT(std::fabs(corr(a, c)), 4.0 / std::sqrt(static_cast<double>(n)));
}

// ---- Vectorised batch kernels (src/batch_kernels.cpp) against the scalar path ----

TEST(BatchKernels, FillUniformsEqualsStreamFromAnyStart) {
    const apmsim::random::StreamAddress at{0x1234567890abcdefull, 7u, 42u, variable_id(StreamKind::severity, 2u, 5u)};
    for (std::uint64_t first : {0ull, 1ull, 2ull, 63ull, 64ull, 65ull, 1001ull}) {
        for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{63}, std::size_t{64}, std::size_t{65}, std::size_t{300}}) {
            std::vector<double> batch(n);
            apmsim::random::fill_uniforms(at, first, n, batch.data());
            Stream s(at.seed, at.trial, at.member, at.variable);
            s.seek(first);
            for (std::size_t k = 0; k < n; ++k) ASSERT_EQ(batch[k], s.uniform()) << "first " << first << " k " << k;
        }
    }
}

TEST(BatchKernels, PhiloxLanesEqualRandom123ForEveryCounterWordAndTarget) {
    // The SIMD Philox keeps 16 (AVX-512) or 8 (AVX2) counters in the 32-bit lanes of a
    // register: words with the top bit set (signed in the intrinsics), keys with both halves
    // used, and block counters near 2^32 must still give Random123's words, on every target.
    const std::string before = apmsim::random::kernel_target();
    const apmsim::random::StreamAddress addresses[] = {{0xfedcba9876543210ull, 0xffffffffu, 0x80000000u, 0xffffffffu},
                                                       {0xffffffffffffffffull, 0u, 0u, 0u},
                                                       {0x0000000100000000ull, 0x7fffffffu, 0xdeadbeefu, 0x80000001u}};
    for (const std::string& target : apmsim::random::kernel_targets()) {
        apmsim::random::use_kernel_target(target);
        for (const auto& at : addresses)
            for (std::uint64_t first : {0ull, 3ull, (1ull << 33) - 100}) {
                std::vector<double> batch(97);
                apmsim::random::fill_uniforms(at, first, batch.size(), batch.data());
                Stream s(at.seed, at.trial, at.member, at.variable);
                s.seek(first);
                for (std::size_t k = 0; k < batch.size(); ++k) ASSERT_EQ(batch[k], s.uniform()) << target << " first " << first << " k " << k;
            }
    }
    apmsim::random::use_kernel_target(before);
}

TEST(BatchKernels, CountRecursionsInLanesEqualTheScalarInversionOnEveryTarget) {
    // The engine inverts a member-year's counts together (random::invert_counts, eight in
    // AVX-512 lanes): every family's recursion, complements (strict), lanes that stop at once
    // and one that runs hundreds of steps alone, in batches of 1 to 19, must give the scalar
    // inversion's count, and the count draw_scaled gives.
    const apmsim::Poisson poisson(2.5);
    const apmsim::NegativeBinomial nb(6.0, 0.7);
    const apmsim::Binomial low(30.0, 0.2), high(40.0, 0.85);
    const apmsim::ZeroModifiedPoisson zmp(1.5, 0.4);
    std::vector<apmsim::detail::CountDraw> draws;
    std::vector<std::uint32_t> expected;
    Stream s(11u, 0u, 0u, 0u);
    for (int j = 0; j < 400; ++j) {
        const double u = j % 37 == 0 ? 1.0 - 0x1p-40 * s.uniform() : s.uniform(), scale = 0.05 + 3.0 * s.uniform();
        switch (j % 6) {
            case 0: draws.push_back(poisson.prepare_scaled(scale, u)), expected.push_back(poisson.draw_scaled(scale, u)); break;
            case 1: draws.push_back(nb.prepare_scaled(scale, u)), expected.push_back(nb.draw_scaled(scale, u)); break;
            case 2: draws.push_back(low.prepare_scaled(scale, u)), expected.push_back(low.draw_scaled(scale, u)); break;
            case 3: draws.push_back(high.prepare_scaled(scale, u)), expected.push_back(high.draw_scaled(scale, u)); break;
            case 4: draws.push_back(zmp.prepare_scaled(scale, u)), expected.push_back(zmp.draw_scaled(scale, u)); break;
            default: draws.push_back(poisson.prepare_scaled(150.0 * scale, u)), expected.push_back(poisson.draw_scaled(150.0 * scale, u));
        }
    }
    std::vector<std::size_t> recursive;
    std::vector<apmsim::random::CountRecursion> recursions;
    for (std::size_t j = 0; j < draws.size(); ++j)
        if (draws[j].recursive) recursive.push_back(j), recursions.push_back(draws[j].recursion);
    ASSERT_GT(recursions.size(), 300u);
    const std::string before = apmsim::random::kernel_target();
    for (const std::string& target : apmsim::random::kernel_targets()) {
        apmsim::random::use_kernel_target(target);
        for (std::size_t start = 0, size = 1; start < recursions.size(); start += size, size = size % 19 + 1) {
            const std::size_t n = std::min(size, recursions.size() - start);
            std::vector<std::uint32_t> k(n);
            apmsim::random::invert_counts(recursions.data() + start, n, k.data());
            for (std::size_t i = 0; i < n; ++i) {
                ASSERT_EQ(k[i], apmsim::random::invert_count(recursions[start + i])) << target << " recursion " << start + i;
                const std::size_t j = recursive[start + i];
                ASSERT_EQ(draws[j].finish(k[i]), expected[j]) << target << " draw " << j;
            }
        }
    }
    apmsim::random::use_kernel_target(before);
}

TEST(BatchKernels, CountP0sInLanesGiveEveryFamilysOwnDraw) {
    // The engine takes a member-year's counts' p(0) together (random::count_p0s: log1p and
    // exp in vector lanes) and finishes each draw with prepare_scaled(scale, u, log_p0, p0).
    // On every target this must be the family's own prepare_scaled(scale, u): the same
    // recursion to the bit (p(0) included) or the same count, over scales from 1e-3 to 2e3
    // (Poisson means past 600 go to the search), binomials on both sides of 1/2, and the
    // zero-modified Poisson, which computes its start itself.
    const apmsim::Frequency families[] = {apmsim::Poisson(2.5), apmsim::NegativeBinomial(6.0, 0.7), apmsim::Binomial(30.0, 0.2),
                                          apmsim::Binomial(40.0, 0.02), apmsim::ZeroModifiedPoisson(1.5, 0.4)};
    std::vector<double> scales, us;
    std::vector<std::size_t> family;
    std::vector<apmsim::random::LogP0Terms> terms;
    Stream s(23u, 0u, 0u, 0u);
    for (int j = 0; j < 3000; ++j) {
        const std::size_t f = static_cast<std::size_t>(j) % std::size(families);
        const double scale = std::exp((s.uniform() - 0.3) * 13.0);  // 1e-3 .. 2e3
        family.push_back(f), scales.push_back(scale), us.push_back(s.uniform());
        terms.push_back(std::visit([&](const auto& d) { return d.log_p0_terms(scale); }, families[f]));
    }
    const auto same = [](const apmsim::detail::CountDraw& a, const apmsim::detail::CountDraw& b) {
        if (a.recursive != b.recursive || a.offset != b.offset || a.limit != b.limit || a.complement != b.complement) return false;
        if (!a.recursive) return a.value == b.value;
        const auto& x = a.recursion;
        const auto& y = b.recursion;
        return bits_of(x.u) == bits_of(y.u) && bits_of(x.p0) == bits_of(y.p0) && x.a == y.a && x.b == y.b && x.d == y.d && x.c == y.c &&
               x.strict == y.strict;
    };
    const std::string before = apmsim::random::kernel_target();
    for (const std::string& target : apmsim::random::kernel_targets()) {
        apmsim::random::use_kernel_target(target);
        for (std::size_t start = 0, size = 1; start < terms.size(); start += size, size = size % 17 + 1) {
            const std::size_t n = std::min(size, terms.size() - start);
            std::vector<double> log_p0(n), p0(n);
            apmsim::random::count_p0s(terms.data() + start, n, log_p0.data(), p0.data());
            for (std::size_t i = 0; i < n; ++i) {
                const std::size_t j = start + i;
                std::visit(
                    [&](const auto& d) {
                        ASSERT_TRUE(same(d.prepare_scaled(scales[j], us[j], log_p0[i], p0[i]), d.prepare_scaled(scales[j], us[j])))
                            << target << " draw " << j << " scale " << scales[j];
                    },
                    families[family[j]]);
            }
        }
    }
    apmsim::random::use_kernel_target(before);
}

/// What the batch kernels must return: Lognormal::draw over the stream's draws first ..
/// first + n - 1, summed in chunks of 64 with four interleaved partial sums.
double scalar_lognormal_sum(const apmsim::Lognormal& d, const apmsim::random::StreamAddress& at, std::uint64_t first, std::size_t n) {
    Stream s(at.seed, at.trial, at.member, at.variable);
    s.seek(first);
    double total = 0.0;
    for (std::size_t start = 0; start < n; start += 64) {
        double acc[4] = {0.0, 0.0, 0.0, 0.0};
        for (std::size_t k = 0; k < 64 && start + k < n; ++k) acc[k % 4] += d.draw(s);
        total += (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }
    return total;
}

TEST(BatchKernels, LognormalSumEqualsScalarDrawsBitForBit) {
    const apmsim::Lognormal d = apmsim::Lognormal::from_mean_cv(26000.0, 2.5);
    const apmsim::random::StreamAddress at{99u, 3u, 8u, variable_id(StreamKind::severity, 0u, 0u)};
    for (std::uint64_t first : {0ull, 1ull, 37ull})
        for (std::size_t n : {std::size_t{1}, std::size_t{5}, std::size_t{64}, std::size_t{200}})
            EXPECT_EQ(apmsim::random::sum_lognormal_draws(at, first, n, d.mu(), d.sigma()), scalar_lognormal_sum(d, at, first, n))
                << "first " << first << " n " << n;
}

TEST(BatchKernels, OneBatchOfManySegmentsEqualsEachSegmentAlone) {
    // The engine gathers a member-year's categories, and the two parts of each (events
    // [0, lo) and [lo, hi)), into one batch: odd and even starts, segments sharing a
    // Philox block, long and short ones, different mu and sigma side by side. Over many
    // members a good share of draws fall in the normal's tails (vectorised separately).
    apmsim::random::LognormalSums batch;
    const std::uint64_t seed = 0xfeedbeefcafeull;
    std::size_t tails = 0, draws = 0;
    for (std::uint32_t member = 0; member < 200; ++member) {
        struct Piece { std::uint32_t variable, first, count; apmsim::Lognormal d; };
        std::vector<Piece> pieces;
        for (std::uint32_t c = 0; c < 8; ++c) {
            const std::uint32_t lo = (member * 7 + c * 13) % 70, extra = (member + c) % 5 == 0 ? 0 : (member * 3 + c) % 9;
            const apmsim::Lognormal d = apmsim::Lognormal::from_mean_cv(100.0 * (c + 1), 0.5 + 0.4 * c);
            if (lo > 0) pieces.push_back({variable_id(StreamKind::severity, 1u, c), 0, lo, d});
            if (extra > 0) pieces.push_back({variable_id(StreamKind::severity, 1u, c), lo, extra, d});
        }
        batch.clear();
        for (const Piece& p : pieces) batch.add(p.variable, p.first, p.count, p.d.mu(), p.d.sigma());
        batch.compute(seed, 5u, member);
        for (std::size_t k = 0; k < pieces.size(); ++k) {
            const Piece& p = pieces[k];
            ASSERT_EQ(batch.sum(k), scalar_lognormal_sum(p.d, {seed, 5u, member, p.variable}, p.first, p.count))
                << "member " << member << " segment " << k;
            Stream s(seed, 5u, member, p.variable);
            s.seek(p.first);
            for (std::uint32_t j = 0; j < p.count; ++j, ++draws) tails += std::fabs(s.uniform() - 0.5) > 0.425 ? 1 : 0;
        }
    }
    EXPECT_GT(tails, draws / 10);  // the tails' path was exercised (15% of draws expected)
}

TEST(BatchKernels, DrawNumbersBeyond32BitsAreTheStreamsOwn) {
    // Draw indices are 64-bit (the Philox block counter holds index / 2, as Stream::seek).
    const apmsim::Lognormal d = apmsim::Lognormal::from_mean_cv(700.0, 1.5);
    const apmsim::random::StreamAddress at{5u, 6u, 7u, variable_id(StreamKind::severity, 0u, 1u)};
    for (std::uint64_t first : {(1ull << 32) + 1, (1ull << 33) - 5})
        EXPECT_EQ(apmsim::random::sum_lognormal_draws(at, first, 3, d.mu(), d.sigma()), scalar_lognormal_sum(d, at, first, 3)) << first;
}

TEST(BatchKernels, SegmentsLongerThanAPassAreSummedInOneOrder) {
    // A member-year may have many thousands of events: the batch cuts segments into pieces
    // and passes of bounded size; the sums must not change.
    apmsim::random::LognormalSums batch;
    const apmsim::Lognormal d = apmsim::Lognormal::from_mean_cv(250.0, 0.8), e = apmsim::Lognormal::from_mean_cv(26000.0, 2.5);
    const std::uint32_t counts[] = {9001, 3, 4096, 4095, 12000, 1, 8191};
    batch.clear();
    for (std::uint32_t k = 0; k < 7; ++k) batch.add(variable_id(StreamKind::severity, 0u, k), k % 2, counts[k], (k % 2 ? e : d).mu(), (k % 2 ? e : d).sigma());
    batch.compute(3u, 1u, 2u);
    for (std::uint32_t k = 0; k < 7; ++k)
        EXPECT_EQ(batch.sum(k), scalar_lognormal_sum(k % 2 ? e : d, {3u, 1u, 2u, variable_id(StreamKind::severity, 0u, k)}, k % 2, counts[k]))
            << "segment " << k;
}

TEST(BatchKernels, FirstUniformsEqualStreamsFirstDraws) {
    std::vector<std::uint32_t> variables;
    for (std::uint32_t c = 0; c < 150; ++c) variables.push_back(variable_id(StreamKind::count, c % 7, c));
    std::vector<double> out(variables.size());
    apmsim::random::first_uniforms(77u, 9u, 1234u, variables.data(), variables.size(), out.data());
    for (std::size_t k = 0; k < variables.size(); ++k) EXPECT_EQ(out[k], Stream(77u, 9u, 1234u, variables[k]).uniform()) << k;
}

TEST(BatchKernels, UniformsAtAnyDrawEqualTheSeekedStreamOnEveryTarget) {
    // Tabulated mode draws a member-year's table uniforms in one pass (random::uniforms_at):
    // even and odd draws (the two halves of a Philox block), the second part's draws from
    // 2^31, the last draws below 2^33, in batches past one pass of 64, on every target.
    std::vector<std::uint32_t> variables;
    std::vector<std::uint64_t> draws;
    Stream pick(3u, 0u, 0u, 0u);
    for (std::uint32_t k = 0; k < 300; ++k) {
        variables.push_back(variable_id(StreamKind::severity_sum, k % 5, k % 11));
        const std::uint64_t base = k % 3 == 0 ? 0 : (k % 3 == 1 ? std::uint64_t{1} << 31 : (std::uint64_t{1} << 33) - 64);
        draws.push_back(base + static_cast<std::uint64_t>(pick.uniform() * 60.0));
    }
    const std::string before = apmsim::random::kernel_target();
    for (const std::string& target : apmsim::random::kernel_targets()) {
        apmsim::random::use_kernel_target(target);
        std::vector<double> out(variables.size());
        apmsim::random::uniforms_at(77u, 9u, 1234u, variables.data(), draws.data(), variables.size(), out.data());
        for (std::size_t k = 0; k < variables.size(); ++k) {
            Stream s(77u, 9u, 1234u, variables[k]);
            s.seek(draws[k]);
            ASSERT_EQ(out[k], s.uniform()) << target << " draw " << draws[k];
        }
    }
    apmsim::random::use_kernel_target(before);
}

TEST(BatchKernels, ExpKernelWithinThreeUlpOfLibm) {
    // exp_kernel replaces std::exp in the lognormal sampler (so the scalar and SIMD paths
    // agree); it must stay within a few units in the last place of the correctly rounded value.
    double worst = 0.0;
    for (double x = -707.0; x < 709.0; x += 0.000731) {
        const double a = apmsim::random::exp_kernel(x), b = std::exp(x);
        worst = std::max(worst, std::fabs(a - b) / b);
    }
    EXPECT_LT(worst, 3.0 * 0x1.0p-52);
    EXPECT_EQ(apmsim::random::exp_kernel(0.0), 1.0);
    EXPECT_GT(apmsim::random::exp_kernel(1000.0), 1e307);  // clamped, finite
    EXPECT_GT(apmsim::random::exp_kernel(-1000.0), 0.0);
}

/// |a - b| in units of the last place of b.
double ulps(double a, double b) { return std::fabs(a - b) / (std::nextafter(std::fabs(b), HUGE_VAL) - std::fabs(b)); }

TEST(DeterministicMath, TheCLibraryNamesAreSleefsDeterministicFunctions) {
    // glibc chooses its exp, log, pow... by processor (with fused multiply-adds or without),
    // and the two round differently in rare cases. apmsim defines these names itself
    // (src/core/deterministic_math.cpp), hidden, so every call in its code and the headers
    // it includes (Boost.Math, Eigen) gets SLEEF's deterministic version: here, in a program
    // linked with the library, std::exp must be it bit for bit.
    Stream s(17u, 0u, 0u, 0u);
    for (int k = 0; k < 20000; ++k) {
        const double u = s.uniform(), x = (u - 0.5) * 60.0, p = u * 50.0;
        ASSERT_EQ(bits_of(std::exp(x)), bits_of(Sleef_cinz_expd1_u10purec(x))) << x;
        ASSERT_EQ(bits_of(std::log(u)), bits_of(Sleef_cinz_logd1_u10purec(u))) << u;
        ASSERT_EQ(bits_of(std::log1p(x / 61.0)), bits_of(Sleef_cinz_log1pd1_u10purec(x / 61.0))) << x;
        ASSERT_EQ(bits_of(std::expm1(x / 7.0)), bits_of(Sleef_cinz_expm1d1_u10purec(x / 7.0))) << x;
        ASSERT_EQ(bits_of(std::pow(p, x / 10.0)), bits_of(Sleef_cinz_powd1_u10purec(p, x / 10.0))) << p << " " << x;
        ASSERT_EQ(bits_of(std::lgamma(p)), bits_of(Sleef_cinz_lgammad1_u10purec(p))) << p;
        ASSERT_EQ(bits_of(std::erfc(x / 8.0)), bits_of(Sleef_cinz_erfcd1_u15purec(x / 8.0))) << x;
        ASSERT_EQ(bits_of(std::cos(x)), bits_of(Sleef_cinz_cosd1_u10purec(x))) << x;
    }
}

TEST(DeterministicMath, LogsOnEveryTargetEqualTheScalarLogWithinAnUlpOfTheTrueOne) {
    // random::logs takes the normal transform's tail logarithms 8 (AVX-512) or 4 (AVX) at a
    // time by SLEEF's vector versions of its deterministic log, which promise the scalar's
    // bits: checked here on the tails' arguments (min(u, 1 - u) < 0.075), tiny and subnormal
    // ones, in batches of every length mod 8, in place. Accuracy against an independent
    // answer, the C library's long-double logl: within 1 ULP, SLEEF's stated bound.
    std::vector<double> x;
    Stream s(5u, 0u, 0u, 0u);
    for (int k = 0; k < 100000; ++k) x.push_back(s.uniform() * 0.075);
    for (int k = 0; k < 1074; ++k) x.push_back(std::ldexp(0.5 + 0.5 * s.uniform(), -k));
    for (double v : {1.0, 0.5, 0.075, 1e-300, std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min()}) x.push_back(v);
    double worst = 0.0;
    for (double v : x) worst = std::max(worst, ulps(std::log(v), static_cast<double>(std::log(static_cast<long double>(v)))));
    EXPECT_LE(worst, 1.0);
    const std::string before = apmsim::random::kernel_target();
    for (const std::string& target : apmsim::random::kernel_targets()) {
        apmsim::random::use_kernel_target(target);
        for (std::size_t start = 0, size = 1; start < x.size(); start += size, size = size % 19 + 1) {
            const std::size_t n = std::min(size, x.size() - start);
            std::vector<double> out(x.begin() + static_cast<std::ptrdiff_t>(start), x.begin() + static_cast<std::ptrdiff_t>(start + n));
            apmsim::random::logs(out.data(), out.data(), n);
            for (std::size_t k = 0; k < n; ++k) ASSERT_EQ(bits_of(out[k]), bits_of(std::log(x[start + k]))) << target << " log(" << x[start + k] << ")";
        }
    }
    apmsim::random::use_kernel_target(before);
}

TEST(BatchKernels, EveryInstructionSetGivesTheSameBits) {
    // The kernels are compiled for AVX-512, AVX2 and baseline x86-64; each one this
    // processor runs must give what the scalar samplers give, bit for bit.
    const std::vector<std::string> targets = apmsim::random::kernel_targets();
    ASSERT_FALSE(targets.empty());
    EXPECT_EQ(targets.back(), "baseline");
    const std::string before = apmsim::random::kernel_target();
    const apmsim::Lognormal d = apmsim::Lognormal::from_mean_cv(700.0, 1.5);
    std::vector<std::uint32_t> variables;
    for (std::uint32_t c = 0; c < 40; ++c) variables.push_back(variable_id(StreamKind::count, 1u, c));
    for (const std::string& target : targets) {
        apmsim::random::use_kernel_target(target);
        EXPECT_EQ(apmsim::random::kernel_target(), target);
        for (std::uint32_t member = 0; member < 50; ++member) {
            const apmsim::random::StreamAddress at{42u, 7u, member, variable_id(StreamKind::severity, 0u, member % 8)};
            ASSERT_EQ(apmsim::random::sum_lognormal_draws(at, member % 3, 37 + member * 5, d.mu(), d.sigma()),
                      scalar_lognormal_sum(d, at, member % 3, 37 + member * 5))
                << target << " member " << member;
        }
        std::vector<double> first(variables.size());
        apmsim::random::first_uniforms(42u, 7u, 3u, variables.data(), variables.size(), first.data());
        for (std::size_t k = 0; k < variables.size(); ++k) ASSERT_EQ(first[k], Stream(42u, 7u, 3u, variables[k]).uniform()) << target;
    }
    EXPECT_THROW(apmsim::random::use_kernel_target("sse9"), apmsim::InvalidInput);
    apmsim::random::use_kernel_target(before);
}
