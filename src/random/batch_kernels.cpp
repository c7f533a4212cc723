// Vectorised kernels. Each loop is written once and compiled for three instruction sets
// (AVX-512, AVX2, baseline x86-64), or written with intrinsics for each; logarithms and
// exponentials are SLEEF's deterministic functions at each width. The best the processor has
// is used, or the one the environment variable APMSIM_SIMD names. All compute the same IEEE
// operations in the same order (no contraction), so the results are identical bit for bit:
// tests/cpp/test_random.cpp runs every target the machine has against the others and
// against the scalar samplers.
#include "apmsim/random/batch.hpp"
#include "apmsim/core/errors.hpp"
#include "apmsim/random/fast_math.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#include <sleef.h>

namespace apmsim::random {
namespace {

constexpr std::size_t chunk = 64;  // draws per chunk (32 Philox blocks)

#define APMSIM_ALWAYS_INLINE inline __attribute__((always_inline))

// Random123's Philox4x32 constants (philox.h): the multipliers and the key bumps.
constexpr std::uint32_t philox_m0 = 0xD2511F53u, philox_m1 = 0xCD9E8D57u, philox_w0 = 0x9E3779B9u, philox_w1 = 0xBB67AE85u;

/// Philox4x32-10 of counter {trial, member, variable, index}: the rounds and key schedule
/// of Random123's Philox4x32_R<10>, on plain words so the SIMD versions below can mirror it.
/// The words equal r123::Philox4x32_R<10>()(counter, key), which tests/cpp/test_random.cpp checks.
APMSIM_ALWAYS_INLINE void philox_words(std::uint64_t seed, std::uint32_t trial, std::uint32_t member, std::uint32_t variable, std::uint32_t index,
                                       std::uint32_t& w0, std::uint32_t& w1, std::uint32_t& w2, std::uint32_t& w3) {
    std::uint32_t c0 = trial, c1 = member, c2 = variable, c3 = index;
    std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round, k0 += philox_w0, k1 += philox_w1) {
        const std::uint64_t p0 = std::uint64_t{philox_m0} * c0, p1 = std::uint64_t{philox_m1} * c2;
        c0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
        c1 = static_cast<std::uint32_t>(p1);
        c2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
        c3 = static_cast<std::uint32_t>(p0);
    }
    w0 = c0, w1 = c1, w2 = c2, w3 = c3;
}

/// Uniforms 2l and 2l + 1 of out from the words w[0..3][l] of block l.
template <std::size_t lanes>
APMSIM_ALWAYS_INLINE void uniforms_from_blocks(const std::uint32_t (&w)[4][lanes], double* out) {
    for (std::size_t l = 0; l < lanes; ++l) {
        out[2 * l] = uniform_from_words(w[0][l], w[1][l]);
        out[2 * l + 1] = uniform_from_words(w[2][l], w[3][l]);
    }
}

/// Philox block index[b] of stream variable[b] (of one seed, trial, member) into 2 uniforms
/// each: `lanes` blocks at a time by `simd` (blocks_avx512, blocks_avx2), the last few
/// padded to a full vector; one by one without SIMD.
template <std::size_t lanes, void (*simd)(const StreamAddress&, const std::uint32_t*, const std::uint32_t*, double*)>
APMSIM_ALWAYS_INLINE void philox_loop(const StreamAddress& at, const std::uint32_t* variable, const std::uint32_t* index, std::size_t blocks,
                                      double* out) {
    std::size_t b = 0;
    if constexpr (lanes > 1) {
        for (; b + lanes <= blocks; b += lanes) simd(at, variable + b, index + b, out + 2 * b);
        if (b == blocks) return;
        std::uint32_t last_variable[lanes] = {}, last_index[lanes] = {};
        std::copy(variable + b, variable + blocks, last_variable);
        std::copy(index + b, index + blocks, last_index);
        double last[2 * lanes];
        simd(at, last_variable, last_index, last);
        std::copy_n(last, 2 * (blocks - b), out + 2 * b);
    } else {
        for (; b < blocks; ++b) {
            std::uint32_t w[4][1];
            philox_words(at.seed, at.trial, at.member, variable[b], index[b], w[0][0], w[1][0], w[2][0], w[3][0]);
            uniforms_from_blocks(w, out + 2 * b);
        }
    }
}

/// Writes the k < n with u[k] in the normal's tails (|u - 1/2| > 0.425) to tail[0..m), in
/// order; returns m.
APMSIM_ALWAYS_INLINE std::size_t tail_positions_loop(const double* u, std::size_t n, std::uint32_t* tail, std::size_t k = 0, std::size_t m = 0) {
    for (; k < n; ++k) {
        tail[m] = static_cast<std::uint32_t>(k);
        m += std::fabs(u[k] - 0.5) > 0.425 ? 1 : 0;
    }
    return m;
}

/// log_p0[k] = terms[k].log_p0(log1p(argument)), p0[k] = exp(log_p0[k]): std::log1p and
/// std::exp are SLEEF's deterministic functions (src/core/deterministic_math.cpp), whose
/// vector versions give the same bits.
void count_p0s_scalar(const LogP0Terms* terms, std::size_t n, double* log_p0, double* p0) {
    for (std::size_t k = 0; k < n; ++k) {
        const LogP0Terms& t = terms[k];
        log_p0[k] = t.factor == 0.0 ? t.shift : t.log_p0(std::log1p(t.argument));
        p0[k] = std::exp(log_p0[k]);
    }
}

/// out[k] = log(x[k]) (out may be x): SLEEF's deterministic logarithm, which is also what
/// std::log calls in apmsim (src/core/deterministic_math.cpp); its SSE2, AVX and AVX-512
/// versions give the same bits (tests/cpp/test_random.cpp checks it).
void logs_scalar(const double* x, double* out, std::size_t n) {
    std::size_t k = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    for (; k + 2 <= n; k += 2) _mm_storeu_pd(out + k, Sleef_cinz_logd2_u10sse2(_mm_loadu_pd(x + k)));
#endif
    for (; k < n; ++k) out[k] = Sleef_cinz_logd1_u10purec(x[k]);
}

#if defined(__x86_64__) && defined(__GNUC__)
// sleef.h declares its AVX and AVX-512 functions only where the whole file is compiled for
// them; this one compiles them per function (target attributes), so it declares them itself,
// with the instruction set each needs: clang refuses a call that passes a vector register to
// a function declared without it (its calling convention would differ).
extern "C" __attribute__((target("avx512f"))) __m512d Sleef_cinz_logd8_u10avx512fnofma(__m512d);
extern "C" __attribute__((target("avx512f"))) __m512d Sleef_cinz_log1pd8_u10avx512fnofma(__m512d);
extern "C" __attribute__((target("avx512f"))) __m512d Sleef_cinz_expd8_u10avx512fnofma(__m512d);
extern "C" __attribute__((target("avx"))) __m256d Sleef_cinz_logd4_u10avx(__m256d);
extern "C" __attribute__((target("avx"))) __m256d Sleef_cinz_log1pd4_u10avx(__m256d);
extern "C" __attribute__((target("avx"))) __m256d Sleef_cinz_expd4_u10avx(__m256d);

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_epi32(), which it then reports as
// used uninitialised, or maybe so at other optimisation levels (GCC bug 105593); the value is
// never read.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
// Philox4x32-10 of 16 (AVX-512) or 8 (AVX2) blocks, each 32-bit lane of c0..c3 one word of
// one block: philox_words in vector lanes. A 32 x 32 -> 64-bit product (mul_epu32) takes
// the even lanes; the odd lanes are shifted down to be multiplied, and blends put each
// lane's high and low words back in place.
__attribute__((target("avx512f"), always_inline)) inline void mulhilo(__m512i a, __m512i m, __m512i& hi, __m512i& lo) {
    const __m512i even = _mm512_mul_epu32(a, m), odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
    lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
    hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}

__attribute__((target("avx512f"))) void blocks_avx512(const StreamAddress& at, const std::uint32_t* variable, const std::uint32_t* index,
                                                      double* out) {
    const __m512i m0 = _mm512_set1_epi64(philox_m0), m1 = _mm512_set1_epi64(philox_m1);
    __m512i c0 = _mm512_set1_epi32(static_cast<int>(at.trial)), c1 = _mm512_set1_epi32(static_cast<int>(at.member));
    __m512i c2 = _mm512_loadu_si512(variable), c3 = _mm512_loadu_si512(index), hi0, lo0, hi1, lo1;
    std::uint32_t k0 = static_cast<std::uint32_t>(at.seed), k1 = static_cast<std::uint32_t>(at.seed >> 32);
    for (int round = 0; round < 10; ++round, k0 += philox_w0, k1 += philox_w1) {
        mulhilo(c0, m0, hi0, lo0);
        mulhilo(c2, m1, hi1, lo1);
        c0 = _mm512_xor_si512(_mm512_xor_si512(hi1, c1), _mm512_set1_epi32(static_cast<int>(k0)));
        c1 = lo1;
        c2 = _mm512_xor_si512(_mm512_xor_si512(hi0, c3), _mm512_set1_epi32(static_cast<int>(k1)));
        c3 = lo0;
    }
    std::uint32_t w[4][16];
    for (int j = 0; const __m512i c : {c0, c1, c2, c3}) _mm512_storeu_si512(w[j++], c);
    uniforms_from_blocks(w, out);
}

__attribute__((target("avx2"), always_inline)) inline void mulhilo(__m256i a, __m256i m, __m256i& hi, __m256i& lo) {
    const __m256i even = _mm256_mul_epu32(a, m), odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

__attribute__((target("avx2"))) void blocks_avx2(const StreamAddress& at, const std::uint32_t* variable, const std::uint32_t* index,
                                                 double* out) {
    const __m256i m0 = _mm256_set1_epi64x(philox_m0), m1 = _mm256_set1_epi64x(philox_m1);
    __m256i c0 = _mm256_set1_epi32(static_cast<int>(at.trial)), c1 = _mm256_set1_epi32(static_cast<int>(at.member));
    __m256i c2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(variable)), c3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(index));
    __m256i hi0, lo0, hi1, lo1;
    std::uint32_t k0 = static_cast<std::uint32_t>(at.seed), k1 = static_cast<std::uint32_t>(at.seed >> 32);
    for (int round = 0; round < 10; ++round, k0 += philox_w0, k1 += philox_w1) {
        mulhilo(c0, m0, hi0, lo0);
        mulhilo(c2, m1, hi1, lo1);
        c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32(static_cast<int>(k0)));
        c1 = lo1;
        c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32(static_cast<int>(k1)));
        c3 = lo0;
    }
    std::uint32_t w[4][8];
    for (int j = 0; const __m256i c : {c0, c1, c2, c3}) _mm256_storeu_si256(reinterpret_cast<__m256i*>(w[j++]), c);
    uniforms_from_blocks(w, out);
}

/// tail_positions_loop, 16 draws at a time: the same test (|u - 1/2| > 0.425, subtraction
/// and comparison exact as in the scalar loop) as a mask, the positions compressed out.
__attribute__((target("avx512f"))) std::size_t tail_positions_avx512(const double* u, std::size_t n, std::uint32_t* tail) {
    const __m512d half = _mm512_set1_pd(0.5), bound = _mm512_set1_pd(0.425);
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    std::size_t k = 0, m = 0;
    for (; k + 16 <= n; k += 16) {
        const __m512d d0 = _mm512_abs_pd(_mm512_sub_pd(_mm512_loadu_pd(u + k), half));
        const __m512d d1 = _mm512_abs_pd(_mm512_sub_pd(_mm512_loadu_pd(u + k + 8), half));
        const auto mask = static_cast<__mmask16>(_mm512_cmp_pd_mask(d0, bound, _CMP_GT_OQ) | (_mm512_cmp_pd_mask(d1, bound, _CMP_GT_OQ) << 8));
        _mm512_mask_compressstoreu_epi32(tail + m, mask, _mm512_add_epi32(iota, _mm512_set1_epi32(static_cast<int>(k))));
        m += static_cast<std::size_t>(__builtin_popcount(mask));
    }
    return tail_positions_loop(u, n, tail, k, m);
}

/// count_p0s_scalar 8 at a time (SLEEF's AVX-512 log1p and exp; the arithmetic as there).
__attribute__((target("avx512f"))) void count_p0s_avx512(const LogP0Terms* terms, std::size_t n, double* log_p0, double* p0) {
    for (std::size_t start = 0; start < n; start += 8) {
        alignas(64) double f[8] = {}, a[8] = {}, s[8] = {}, l[8], p[8];  // lanes past n: log p0 = 0
        const std::size_t m = std::min<std::size_t>(8, n - start);
        for (std::size_t j = 0; j < m; ++j) f[j] = terms[start + j].factor, a[j] = terms[start + j].argument, s[j] = terms[start + j].shift;
        const __m512d factor = _mm512_load_pd(f), shift = _mm512_load_pd(s);
        const __m512d product = _mm512_add_pd(_mm512_mul_pd(factor, Sleef_cinz_log1pd8_u10avx512fnofma(_mm512_load_pd(a))), shift);
        const __m512d value = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(factor, _mm512_setzero_pd(), _CMP_EQ_OQ), product, shift);
        _mm512_store_pd(l, value);
        _mm512_store_pd(p, Sleef_cinz_expd8_u10avx512fnofma(value));
        std::copy_n(l, m, log_p0 + start);
        std::copy_n(p, m, p0 + start);
    }
}

/// count_p0s_scalar 4 at a time (SLEEF's AVX log1p and exp).
__attribute__((target("avx2"))) void count_p0s_avx2(const LogP0Terms* terms, std::size_t n, double* log_p0, double* p0) {
    for (std::size_t start = 0; start < n; start += 4) {
        alignas(32) double f[4] = {}, a[4] = {}, s[4] = {}, l[4], p[4];
        const std::size_t m = std::min<std::size_t>(4, n - start);
        for (std::size_t j = 0; j < m; ++j) f[j] = terms[start + j].factor, a[j] = terms[start + j].argument, s[j] = terms[start + j].shift;
        const __m256d factor = _mm256_load_pd(f), shift = _mm256_load_pd(s);
        const __m256d product = _mm256_add_pd(_mm256_mul_pd(factor, Sleef_cinz_log1pd4_u10avx(_mm256_load_pd(a))), shift);
        const __m256d value = _mm256_blendv_pd(product, shift, _mm256_cmp_pd(factor, _mm256_setzero_pd(), _CMP_EQ_OQ));
        _mm256_store_pd(l, value);
        _mm256_store_pd(p, Sleef_cinz_expd4_u10avx(value));
        std::copy_n(l, m, log_p0 + start);
        std::copy_n(p, m, p0 + start);
    }
}

/// logs_scalar 8 at a time, by SLEEF's AVX-512 version of the same deterministic logarithm
/// (the last lanes masked: log(1) in the lanes past n, not stored).
__attribute__((target("avx512f"))) void logs_avx512(const double* x, double* out, std::size_t n) {
    for (std::size_t k = 0; k < n; k += 8) {
        const auto lanes = static_cast<__mmask8>(n - k >= 8 ? 0xFF : (1u << (n - k)) - 1u);
        _mm512_mask_storeu_pd(out + k, lanes, Sleef_cinz_logd8_u10avx512fnofma(_mm512_mask_loadu_pd(_mm512_set1_pd(1.0), lanes, x + k)));
    }
}

/// logs_scalar 4 at a time, by SLEEF's AVX version.
__attribute__((target("avx2"))) void logs_avx2(const double* x, double* out, std::size_t n) {
    std::size_t k = 0;
    for (; k + 4 <= n; k += 4) _mm256_storeu_pd(out + k, Sleef_cinz_logd4_u10avx(_mm256_loadu_pd(x + k)));
    logs_scalar(x + k, out + k, n - k);
}

/// The lanes where the recursion goes on: u >= F where `strict`, u > F elsewhere.
__attribute__((target("avx512f"), always_inline)) inline unsigned below_mask(__m512d u, __m512d f, unsigned strict) {
    return (_mm512_cmp_pd_mask(u, f, _CMP_GE_OQ) & strict) | (_mm512_cmp_pd_mask(u, f, _CMP_GT_OQ) & ~strict);
}

/// invert_count of counts[0..n), n <= 8, in the lanes of AVX-512 registers, in lockstep.
/// Lanes still inverting at step t have k = t, so step t's ratios need no lane's state, and
/// each lane's p and F see the scalar loop's operations in its order (the comparisons are
/// the ordered ones of C++'s <, >, >=). A lane that stops keeps its k, p and F; with one
/// lane left, recursion_steps finishes it alone.
__attribute__((target("avx512f"))) void invert_counts_avx512(const CountRecursion* counts, std::size_t n, std::uint32_t* out) {
    double u[8], p0[8], a[8], b[8], d[8], c[8];
    unsigned strict = 0;
    for (std::size_t l = 0; l < 8; ++l) {
        const CountRecursion s = l < n ? counts[l] : CountRecursion{0.0, 1.0, 0.0, 0.0, 1.0, 0.0, false};  // padding: k = 0 at once
        u[l] = s.u, p0[l] = s.p0, a[l] = s.a, b[l] = s.b, d[l] = s.d, c[l] = s.c;
        strict |= (s.strict ? 1u : 0u) << l;
    }
    const __m512d U = _mm512_loadu_pd(u), A = _mm512_loadu_pd(a), B = _mm512_loadu_pd(b), D = _mm512_loadu_pd(d), C = _mm512_loadu_pd(c);
    const __m512d one = _mm512_set1_pd(1.0), tiny = _mm512_set1_pd(1e-17);
    __m512d P = _mm512_loadu_pd(p0), F = P, K = _mm512_setzero_pd();
    unsigned going = below_mask(U, F, strict);
    double t = 0.0;
    for (; __builtin_popcount(going) > 1; t += 1.0) {
        const __m512d T = _mm512_set1_pd(t);
        const __m512d R = _mm512_mul_pd(_mm512_div_pd(_mm512_add_pd(A, _mm512_mul_pd(B, T)), _mm512_add_pd(T, D)), C);
        const __m512d next_p = _mm512_mul_pd(P, R), next_f = _mm512_add_pd(F, next_p);
        unsigned stop = _mm512_cmp_pd_mask(R, one, _CMP_LT_OQ) & _mm512_cmp_pd_mask(next_p, _mm512_mul_pd(next_f, tiny), _CMP_LT_OQ);
        if (t + 1.0 == 4294967295.0) stop = 0xFF;
        P = _mm512_mask_mov_pd(P, static_cast<__mmask8>(going), next_p);
        F = _mm512_mask_mov_pd(F, static_cast<__mmask8>(going), next_f);
        K = _mm512_mask_mov_pd(K, static_cast<__mmask8>(going), _mm512_set1_pd(t + 1.0));
        going &= ~stop & below_mask(U, next_f, strict);
    }
    double k[8], p[8], f[8];
    _mm512_storeu_pd(k, K), _mm512_storeu_pd(p, P), _mm512_storeu_pd(f, F);
    if (going != 0) {
        const int l = __builtin_ctz(going);
        k[l] = recursion_steps(counts[l], t, p[l], f[l]);
    }
    for (std::size_t l = 0; l < n; ++l) out[l] = static_cast<std::uint32_t>(k[l]);
}
#pragma GCC diagnostic pop
#endif

void no_simd(const StreamAddress&, const std::uint32_t*, const std::uint32_t*, double*) {}
std::size_t tail_positions_scalar(const double* u, std::size_t n, std::uint32_t* tail) { return tail_positions_loop(u, n, tail); }
void invert_counts_scalar(const CountRecursion* counts, std::size_t n, std::uint32_t* out) {
    for (std::size_t j = 0; j < n; ++j) out[j] = invert_count(counts[j]);
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
    std::size_t (*tail_positions)(const double*, std::size_t, std::uint32_t*);
    void (*invert_counts)(const CountRecursion*, std::size_t, std::uint32_t*);
    void (*logs)(const double*, double*, std::size_t);
    void (*count_p0s)(const LogP0Terms*, std::size_t, double*, double*);
};

#if defined(__x86_64__) && defined(__GNUC__)
#define APMSIM_KERNEL_SET(NAME, TARGET, SUPPORTED, LANES, BLOCKS, TAILS, COUNTS, LOGS, P0S)                                                                                     \
    TARGET void philox_##NAME(const StreamAddress& at, const std::uint32_t* v, const std::uint32_t* i, std::size_t n, double* out) { \
        philox_loop<LANES, BLOCKS>(at, v, i, n, out);                                                                                 \
    }                                                                                                                                 \
    TARGET void central_##NAME(const double* u, double* z, std::size_t n) { central_loop(u, z, n); }                                 \
    TARGET void tail_##NAME(const double* l, const double* u, double* z, std::size_t n) { tail_loop(l, u, z, n); }                   \
    TARGET void exp_affine_##NAME(double* x, const double* m, const double* s, std::size_t n) { exp_affine_loop(x, m, s, n); }       \
    constexpr Kernels NAME##_kernels{#NAME, SUPPORTED, philox_##NAME, central_##NAME, tail_##NAME, exp_affine_##NAME, TAILS, COUNTS, LOGS, P0S};
APMSIM_KERNEL_SET(avx512, __attribute__((target("avx512f"))), [] { return __builtin_cpu_supports("avx512f") != 0; }, 16, blocks_avx512, tail_positions_avx512,
                  invert_counts_avx512, logs_avx512, count_p0s_avx512)
APMSIM_KERNEL_SET(avx2, __attribute__((target("avx2"))), [] { return __builtin_cpu_supports("avx2") != 0; }, 8, blocks_avx2, tail_positions_scalar,
                  invert_counts_scalar, logs_avx2, count_p0s_avx2)
APMSIM_KERNEL_SET(baseline, , [] { return true; }, 1, no_simd, tail_positions_scalar, invert_counts_scalar, logs_scalar, count_p0s_scalar)
constexpr const Kernels* all_kernels[] = {&avx512_kernels, &avx2_kernels, &baseline_kernels};
#else
APMSIM_KERNEL_SET(baseline, , [] { return true; }, 1, no_simd, tail_positions_scalar, invert_counts_scalar, logs_scalar, count_p0s_scalar)
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
/// vectorised; the tails (15% of draws) gathered, then their logs and rational functions
/// vectorised (the logs SLEEF's, as the scalar path's std::log: the same bits).
void normals(const double* u, double* z, std::size_t n, std::vector<std::uint32_t>& tail, std::vector<double>& scratch) {
    kernels().central(u, z, n);
    tail.resize(n);
    const std::size_t m = kernels().tail_positions(u, n, tail.data());
    scratch.resize(3 * m);
    double *log_r = scratch.data(), *tail_u = log_r + m, *tail_z = tail_u + m;
    for (std::size_t j = 0; j < m; ++j) {
        tail_u[j] = u[tail[j]];
        log_r[j] = tail_u[j] < 0.5 ? tail_u[j] : 1.0 - tail_u[j];
    }
    kernels().logs(log_r, log_r, m);
    kernels().tail(log_r, tail_u, tail_z, m);
    for (std::size_t j = 0; j < m; ++j) z[tail[j]] = tail_z[j];
}

/// total + x[0] + ... + x[n - 1], in chunks of 64 each summed with four interleaved partial
/// sums, the chunks added to the running total in turn.
double chunked_sum(const double* x, std::size_t n, double total) {
    for (std::size_t start = 0; start < n; start += chunk) {
        const std::size_t count = std::min(chunk, n - start);
        const double* c = x + start;
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;  // a_j sums draws j, j + 4, j + 8, ... in turn
        std::size_t k = 0;
        for (; k + 4 <= count; k += 4) a0 += c[k], a1 += c[k + 1], a2 += c[k + 2], a3 += c[k + 3];
        if (k < count) a0 += c[k];
        if (k + 1 < count) a1 += c[k + 1];
        if (k + 2 < count) a2 += c[k + 2];
        total += (a0 + a1) + (a2 + a3);
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

namespace {

/// out[k] = draw draw_of(k) of stream (seed, trial, member, variables[k]): draw d is half
/// d % 2 of Philox block d / 2 (Stream::seek), 64 blocks a pass.
template <class DrawOf>
void uniforms_of(std::uint64_t seed, std::uint32_t trial, std::uint32_t member, const std::uint32_t* variables, std::size_t n, double* out,
                 DrawOf draw_of) {
    constexpr std::size_t batch = 64;
    std::uint32_t block[batch];
    double buf[2 * batch];
    for (std::size_t start = 0; start < n; start += batch) {
        const std::size_t count = std::min(batch, n - start);
        for (std::size_t k = 0; k < count; ++k) block[k] = static_cast<std::uint32_t>(draw_of(start + k) / 2);
        kernels().philox({seed, trial, member, 0}, variables + start, block, count, buf);
        for (std::size_t k = 0; k < count; ++k) out[start + k] = buf[2 * k + draw_of(start + k) % 2];
    }
}

}  // namespace

void first_uniforms(std::uint64_t seed, std::uint32_t trial, std::uint32_t member, const std::uint32_t* variables, std::size_t n,
                    double* out) {
    uniforms_of(seed, trial, member, variables, n, out, [](std::size_t) { return std::uint64_t{0}; });
}

void uniforms_at(std::uint64_t seed, std::uint32_t trial, std::uint32_t member, const std::uint32_t* variables, const std::uint64_t* draws,
                 std::size_t n, double* out) {
    uniforms_of(seed, trial, member, variables, n, out, [draws](std::size_t k) { return draws[k]; });
}

double sum_lognormal_draws(const StreamAddress& at, std::uint64_t first, std::size_t n, double mu, double sigma) {
    if (n == 0) return 0.0;
    LognormalSums one;
    one.add(at.variable, first, n, mu, sigma);
    one.compute(at.seed, at.trial, at.member);
    return one.sum(0);
}

void logs(const double* x, double* out, std::size_t n) { kernels().logs(x, out, n); }

void count_p0s(const LogP0Terms* terms, std::size_t n, double* log_p0, double* p0) { kernels().count_p0s(terms, n, log_p0, p0); }

void invert_counts(const CountRecursion* counts, std::size_t n, std::uint32_t* out) {
    constexpr std::size_t lanes = 8;
    for (std::size_t start = 0; start < n; start += lanes) kernels().invert_counts(counts + start, std::min(lanes, n - start), out + start);
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
