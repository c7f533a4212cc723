// Vectorised kernels. Each loop is written once and compiled for three instruction sets
// (AVX-512, AVX2, baseline x86-64); the best the processor has is used, or the one the
// environment variable APMSIM_SIMD names. All compute the same IEEE operations in the same
// order (no contraction), so the results are identical bit for bit: tests/cpp/test_random.cpp
// runs every target the machine has against the others and against the scalar samplers.
#include "apmsim/random/batch.hpp"
#include "apmsim/core/errors.hpp"
#include "apmsim/random/fast_math.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"

#include <Random123/philox.h>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>

namespace apmsim::random {
namespace {

constexpr std::size_t chunk = 64;  // draws per chunk (32 Philox blocks)

#define APMSIM_ALWAYS_INLINE inline __attribute__((always_inline))

/// Philox block index[b] of stream variable[b] (of one seed, trial, member) into 2 uniforms each.
APMSIM_ALWAYS_INLINE void philox_loop(const StreamAddress& at, const std::uint32_t* variable, const std::uint32_t* index, std::size_t blocks,
                                      double* out) {
    const r123::Philox4x32_R<10> gen;
    const r123::Philox4x32_R<10>::key_type key = {{static_cast<std::uint32_t>(at.seed), static_cast<std::uint32_t>(at.seed >> 32)}};
    for (std::size_t b = 0; b < blocks; ++b) {
        const r123::Philox4x32_R<10>::ctr_type c = {{at.trial, at.member, variable[b], index[b]}};
        const auto r = gen(c, key);
        out[2 * b] = uniform_from_words(r[0], r[1]);
        out[2 * b + 1] = uniform_from_words(r[2], r[3]);
    }
}

/// z[k] = Phi^-1(u[k]) in the central region (the tails are overwritten after).
APMSIM_ALWAYS_INLINE void central_loop(const double* u, double* z, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) z[k] = as241_central(u[k] - 0.5);
}

/// z[k] = the AS 241 tail of log_r[k] (log of min(p, 1 - p)), lower tail where u[k] < 1/2.
APMSIM_ALWAYS_INLINE void tail_loop(const double* log_r, const double* u, double* z, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) z[k] = as241_tail(log_r[k], u[k] < 0.5);
}

/// x[k] = exp(mu[k] + sigma[k] z[k]), in place.
APMSIM_ALWAYS_INLINE void exp_affine_loop(double* x, const double* mu, const double* sigma, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) x[k] = exp_kernel(mu[k] + sigma[k] * x[k]);
}

/// The kernels compiled for one instruction set.
struct Kernels {
    const char* name;
    bool (*supported)();
    void (*philox)(const StreamAddress&, const std::uint32_t*, const std::uint32_t*, std::size_t, double*);
    void (*central)(const double*, double*, std::size_t);
    void (*tail)(const double*, const double*, double*, std::size_t);
    void (*exp_affine)(double*, const double*, const double*, std::size_t);
};

#if defined(__x86_64__) && defined(__GNUC__)
#define APMSIM_KERNEL_SET(NAME, TARGET, SUPPORTED)                                                                                        \
    TARGET void philox_##NAME(const StreamAddress& at, const std::uint32_t* v, const std::uint32_t* i, std::size_t n, double* out) { \
        philox_loop(at, v, i, n, out);                                                                                                \
    }                                                                                                                                 \
    TARGET void central_##NAME(const double* u, double* z, std::size_t n) { central_loop(u, z, n); }                                 \
    TARGET void tail_##NAME(const double* l, const double* u, double* z, std::size_t n) { tail_loop(l, u, z, n); }                   \
    TARGET void exp_affine_##NAME(double* x, const double* m, const double* s, std::size_t n) { exp_affine_loop(x, m, s, n); }       \
    constexpr Kernels NAME##_kernels{#NAME, SUPPORTED, philox_##NAME, central_##NAME, tail_##NAME, exp_affine_##NAME};
APMSIM_KERNEL_SET(avx512, __attribute__((target("avx512f"))), [] { return __builtin_cpu_supports("avx512f") != 0; })
APMSIM_KERNEL_SET(avx2, __attribute__((target("avx2"))), [] { return __builtin_cpu_supports("avx2") != 0; })
APMSIM_KERNEL_SET(baseline, , [] { return true; })
constexpr const Kernels* all_kernels[] = {&avx512_kernels, &avx2_kernels, &baseline_kernels};
#else
APMSIM_KERNEL_SET(baseline, , [] { return true; })
constexpr const Kernels* all_kernels[] = {&baseline_kernels};
#endif

const Kernels* find_kernels(const std::string& name) {
    for (const Kernels* k : all_kernels)
        if (name == k->name && k->supported()) return k;
    return nullptr;
}

[[noreturn]] void throw_unknown_target(const std::string& where, const std::string& name) {
    std::string choices;
    for (const Kernels* k : all_kernels)
        if (k->supported()) choices += (choices.empty() ? "" : ", ") + std::string(k->name);
    throw InvalidInput(where, "one of the instruction sets this processor runs: " + choices, "\"" + name + "\"");
}

/// The best set this processor runs, or the one APMSIM_SIMD names.
const Kernels* default_kernels() {
    if (const char* named = std::getenv("APMSIM_SIMD"); named != nullptr && *named != '\0') {
        if (const Kernels* k = find_kernels(named)) return k;
        throw_unknown_target("APMSIM_SIMD", named);
    }
    for (const Kernels* k : all_kernels)
        if (k->supported()) return k;
    return &baseline_kernels;
}

std::atomic<const Kernels*> chosen{nullptr};

const Kernels& kernels() {
    const Kernels* k = chosen.load(std::memory_order_acquire);
    if (k == nullptr) {
        k = default_kernels();
        chosen.store(k, std::memory_order_release);
    }
    return *k;
}

/// z[k] = Phi^-1(u[k]), what standard_normal_quantile returns: the central region
/// vectorised; the tails (15% of draws) gathered, their logs taken by libm one by one
/// (so the bits are the scalar path's), their rational functions vectorised.
void normals(const double* u, double* z, std::size_t n, std::vector<std::uint32_t>& tail, std::vector<double>& scratch) {
    kernels().central(u, z, n);
    tail.resize(n);
    std::size_t m = 0;
    for (std::size_t k = 0; k < n; ++k) {
        tail[m] = static_cast<std::uint32_t>(k);
        m += std::fabs(u[k] - 0.5) > 0.425 ? 1 : 0;
    }
    scratch.resize(3 * m);
    double *log_r = scratch.data(), *tail_u = log_r + m, *tail_z = tail_u + m;
    for (std::size_t j = 0; j < m; ++j) {
        tail_u[j] = u[tail[j]];
        log_r[j] = std::log(tail_u[j] < 0.5 ? tail_u[j] : 1.0 - tail_u[j]);
    }
    kernels().tail(log_r, tail_u, tail_z, m);
    for (std::size_t j = 0; j < m; ++j) z[tail[j]] = tail_z[j];
}

/// total + x[0] + ... + x[n - 1], in chunks of 64 each summed with four interleaved partial
/// sums, the chunks added to the running total in turn.
double chunked_sum(const double* x, std::size_t n, double total) {
    for (std::size_t start = 0; start < n; start += chunk) {
        const std::size_t count = std::min(chunk, n - start);
        double acc[4] = {0.0, 0.0, 0.0, 0.0};
        for (std::size_t k = 0; k < count; ++k) acc[k % 4] += x[start + k];
        total += (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }
    return total;
}

/// A pass holds at most this many Philox blocks (its buffers stay a few hundred KB however
/// many events a member-year has); a segment is cut into pieces of at most max_piece draws,
/// a multiple of the chunk, so its chunks and their order are those of one long sum.
constexpr std::size_t max_pass_blocks = 4096;
constexpr std::uint32_t max_piece = 64 * chunk;

}  // namespace

std::vector<std::string> kernel_targets() {
    std::vector<std::string> out;
    for (const Kernels* k : all_kernels)
        if (k->supported()) out.emplace_back(k->name);
    return out;
}

std::string kernel_target() { return kernels().name; }

void use_kernel_target(const std::string& name) {
    const Kernels* k = find_kernels(name);
    if (k == nullptr) throw_unknown_target("use_kernel_target", name);
    chosen.store(k, std::memory_order_release);
}

void fill_uniforms(const StreamAddress& at, std::uint64_t first, std::size_t n, double* out) {
    double buf[chunk + 2];
    for (std::uint64_t next = first; next < first + n;) {
        const std::size_t skip = static_cast<std::size_t>(next % 2);
        const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, first + n - next));
        std::uint32_t variable[chunk / 2 + 1], index[chunk / 2 + 1];
        const std::size_t blocks = (count + skip + 1) / 2;
        for (std::size_t b = 0; b < blocks; ++b) {
            variable[b] = at.variable;
            index[b] = static_cast<std::uint32_t>(next / 2 + b);
        }
        kernels().philox(at, variable, index, blocks, buf);
        std::copy_n(buf + skip, count, out);
        out += count;
        next += count;
    }
}

void first_uniforms(std::uint64_t seed, std::uint32_t trial, std::uint32_t member, const std::uint32_t* variables, std::size_t n,
                    double* out) {
    constexpr std::size_t batch = 64;
    const std::uint32_t zeros[batch] = {};
    double buf[2 * batch];
    for (std::size_t start = 0; start < n; start += batch) {
        const std::size_t count = std::min(batch, n - start);
        kernels().philox({seed, trial, member, 0}, variables + start, zeros, count, buf);
        for (std::size_t k = 0; k < count; ++k) out[start + k] = buf[2 * k];
    }
}

double sum_lognormal_draws(const StreamAddress& at, std::uint64_t first, std::size_t n, double mu, double sigma) {
    if (n == 0) return 0.0;
    LognormalSums one;
    one.add(at.variable, first, n, mu, sigma);
    one.compute(at.seed, at.trial, at.member);
    return one.sum(0);
}

void LognormalSums::clear() { segments_.clear(); }

std::size_t LognormalSums::add(std::uint32_t variable, std::uint64_t first, std::uint64_t count, double mu, double sigma) {
    segments_.push_back({variable, first, count, mu, sigma});
    return segments_.size() - 1;
}

void LognormalSums::compute(std::uint64_t seed, std::uint32_t trial, std::uint32_t member) {
    sums_.assign(segments_.size(), 0.0);
    std::size_t next = 0;     // the segment whose draws come next
    std::uint64_t done = 0;   // its draws already summed
    while (next < segments_.size()) {
        // Lay out pieces of segments (a piece starting at an odd draw skips the first uniform
        // of its first block) until the pass is full, with each draw's mu and sigma beside it.
        pieces_.clear();
        std::size_t blocks = 0;
        while (next < segments_.size()) {
            const Segment& s = segments_[next];
            const std::uint64_t first = s.first + done;
            const auto count = static_cast<std::uint32_t>(std::min<std::uint64_t>(s.count - done, max_piece));
            const std::size_t piece_blocks = (count + first % 2 + 1) / 2;
            if (blocks > 0 && blocks + piece_blocks > max_pass_blocks) break;
            pieces_.push_back({next, first, count, 2 * blocks + first % 2});
            fill_blocks(s, first, piece_blocks, blocks);
            blocks += piece_blocks;
            done += count;
            if (done == s.count) ++next, done = 0;
        }
        const std::size_t draws = 2 * blocks;
        kernels().philox({seed, trial, member, 0}, block_variable_.data(), block_index_.data(), blocks, uniform_.data());
        normals(uniform_.data(), severity_.data(), draws, tail_, tail_scratch_);
        kernels().exp_affine(severity_.data(), mu_.data(), sigma_.data(), draws);
        for (const Piece& p : pieces_) sums_[p.segment] = chunked_sum(severity_.data() + p.offset, p.count, sums_[p.segment]);
    }
}

/// Philox blocks of `s` from the one holding draw `first` on, at block `at` of the pass.
void LognormalSums::fill_blocks(const Segment& s, std::uint64_t first, std::size_t blocks, std::size_t at) {
    if (block_index_.size() < at + blocks) {
        for (auto* v : {&block_variable_, &block_index_}) v->resize(max_pass_blocks + 1);
        for (auto* v : {&uniform_, &severity_, &mu_, &sigma_}) v->resize(2 * (max_pass_blocks + 1));
    }
    for (std::size_t b = 0; b < blocks; ++b) {
        block_variable_[at + b] = s.variable;
        block_index_[at + b] = static_cast<std::uint32_t>(first / 2 + b);  // the 32-bit block counter, as Stream::seek
    }
    std::fill_n(mu_.begin() + static_cast<std::ptrdiff_t>(2 * at), 2 * blocks, s.mu);
    std::fill_n(sigma_.begin() + static_cast<std::ptrdiff_t>(2 * at), 2 * blocks, s.sigma);
}

}  // namespace apmsim::random
