// Vectorised kernels: AVX2 and baseline clones of each, picked at load time. Both
// clones compute the same IEEE operations in the same order (no contraction), so the
// results are identical bit for bit; tests/cpp/test_random.cpp checks them against the
// scalar Stream and samplers.
#include "apmsim/random/batch.hpp"
#include "apmsim/random/fast_math.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"

#include <Random123/philox.h>
#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define APMSIM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define APMSIM_CLONES
#endif

namespace apmsim::random {
namespace {

constexpr std::size_t chunk = 64;  // draws per chunk (32 Philox blocks)

/// Philox blocks block0 .. block0 + blocks - 1 into 2 uniforms each.
APMSIM_CLONES void philox_blocks(const StreamAddress& at, std::uint32_t block0, std::size_t blocks, double* out) {
    const r123::Philox4x32_R<10> gen;
    const r123::Philox4x32_R<10>::key_type key = {{static_cast<std::uint32_t>(at.seed), static_cast<std::uint32_t>(at.seed >> 32)}};
    for (std::size_t b = 0; b < blocks; ++b) {
        const r123::Philox4x32_R<10>::ctr_type c = {{at.trial, at.member, at.variable, block0 + static_cast<std::uint32_t>(b)}};
        const auto r = gen(c, key);
        out[2 * b] = uniform_from_words(r[0], r[1]);
        out[2 * b + 1] = uniform_from_words(r[2], r[3]);
    }
}

/// z[k] = Phi^-1(u[k]) with the central region vectorised; tails (15% of draws) scalar.
APMSIM_CLONES void central_normals(const double* u, double* z, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) z[k] = as241_central(u[k] - 0.5);
}

APMSIM_CLONES double sum_exp_affine(const double* z, std::size_t n, double mu, double sigma) {
    double x[chunk];
    for (std::size_t k = 0; k < n; ++k) x[k] = exp_kernel(mu + sigma * z[k]);
    double acc[4] = {0.0, 0.0, 0.0, 0.0};
    for (std::size_t k = 0; k < n; ++k) acc[k % 4] += x[k];
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/// Calls f(u, count) for successive chunks of draws first .. first + n - 1.
template <class F>
void for_each_chunk(const StreamAddress& at, std::uint64_t first, std::size_t n, F f) {
    double buf[chunk + 2];
    std::uint64_t next = first;
    const std::uint64_t end = first + n;
    while (next < end) {
        const std::size_t skip = static_cast<std::size_t>(next % 2);
        const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, end - next));
        philox_blocks(at, static_cast<std::uint32_t>(next / 2), (count + skip + 1) / 2, buf);
        f(buf + skip, count);
        next += count;
    }
}

}  // namespace

void fill_uniforms(const StreamAddress& at, std::uint64_t first, std::size_t n, double* out) {
    for_each_chunk(at, first, n, [&](const double* u, std::size_t count) {
        for (std::size_t k = 0; k < count; ++k) *out++ = u[k];
    });
}

double sum_lognormal_draws(const StreamAddress& at, std::uint64_t first, std::size_t n, double mu, double sigma) {
    double total = 0.0;
    double z[chunk];
    for_each_chunk(at, first, n, [&](const double* u, std::size_t count) {
        central_normals(u, z, count);
        for (std::size_t k = 0; k < count; ++k)
            if (std::fabs(u[k] - 0.5) > 0.425) z[k] = standard_normal_quantile(u[k]);
        total += sum_exp_affine(z, count, mu, sigma);
    });
    return total;
}

}  // namespace apmsim::random
