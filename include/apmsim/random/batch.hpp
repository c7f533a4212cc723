#pragma once
/// \file batch.hpp
/// \brief Vectorised kernels for the engine's hot loop (compiled once in the library,
/// with AVX-512, AVX2 and baseline versions chosen at run time). They return exactly what the
/// scalar Stream and samplers return for the same (seed, trial, member, variable, index).

#include "apmsim/random/count_recursion.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace apmsim::random {

/// Where a stream's draws come from: Stream(seed, trial, member, variable).
struct StreamAddress {
    std::uint64_t seed;
    std::uint32_t trial, member, variable;
};

/// The instruction sets the kernels are compiled for that this processor runs, best
/// first ("avx512", "avx2", "baseline"). Results are the same bits on every one.
std::vector<std::string> kernel_targets();
/// The one in use: the best, unless the environment variable APMSIM_SIMD names another.
std::string kernel_target();
/// Uses the kernels of `name` (one of kernel_targets()) from now on: for tests and for
/// checking on one machine that another instruction set gives the same bits. Call it
/// while no simulation runs.
void use_kernel_target(const std::string& name);

/// out[k] = draw (first + k) of the stream, k < n.
void fill_uniforms(const StreamAddress& at, std::uint64_t first, std::size_t n, double* out);

/// out[k] = draw 0 of stream (seed, trial, member, variables[k]), k < n: one Philox
/// block per stream, the blocks of all streams in one vectorised pass.
void first_uniforms(std::uint64_t seed, std::uint32_t trial, std::uint32_t member, const std::uint32_t* variables, std::size_t n,
                    double* out);
/// out[k] = draw draws[k] (below 2^33) of stream (seed, trial, member, variables[k]), k < n:
/// Stream(...).seek(draws[k]) then uniform(), one Philox block per draw, all in one pass.
void uniforms_at(std::uint64_t seed, std::uint32_t trial, std::uint32_t member, const std::uint32_t* variables, const std::uint64_t* draws,
                 std::size_t n, double* out);

/// out[j] = invert_count(counts[j]), j < n: the recursions run together, eight in the lanes
/// of a vector (the scalar loop's operations in the same order, so the same bits), a last
/// long one alone.
void invert_counts(const CountRecursion* counts, std::size_t n, std::uint32_t* out);

/// out[k] = std::log(x[k]), k < n (out may be x): SLEEF's deterministic logarithm, 8 or 4
/// at a time where the processor can; the same bits as the scalar std::log of apmsim's code
/// (src/core/deterministic_math.cpp) on every target.
void logs(const double* x, double* out, std::size_t n);

/// log_p0[k] = terms[k].log_p0(std::log1p(terms[k].argument)) and p0[k] = std::exp(log_p0[k]),
/// k < n: a member-year's counts' p(0), their log1p and exp 8 or 4 at a time (SLEEF's vector
/// versions of the deterministic functions; the same bits as the scalar expressions).
void count_p0s(const LogP0Terms* terms, std::size_t n, double* log_p0, double* p0);

/// Sum of exp(mu + sigma Phi^-1(u)) over draws first .. first + n - 1 of the stream:
/// n lognormal severities, each exactly Lognormal(mu, sigma).draw() of that draw.
/// Summed in chunks of 64 with four interleaved partial sums (a fixed order).
double sum_lognormal_draws(const StreamAddress& at, std::uint64_t first, std::size_t n, double mu, double sigma);

/// Several sums of lognormal draws of one (seed, trial, member), each on its own stream
/// (`variable`), computed in one long vectorised pass over all their draws: sum(k) is
/// bit for bit sum_lognormal_draws of segment k. The engine gathers a member-year's
/// categories into one batch, so its vectors are a hundred draws long, not a dozen.
class LognormalSums {
public:
    void clear();
    /// Adds the segment of draws first .. first + count - 1 of stream `variable`; returns its index.
    std::size_t add(std::uint32_t variable, std::uint64_t first, std::uint64_t count, double mu, double sigma);
    void compute(std::uint64_t seed, std::uint32_t trial, std::uint32_t member);
    double sum(std::size_t k) const { return sums_[k]; }

private:
    struct Segment {
        std::uint32_t variable;
        std::uint64_t first, count;
        double mu, sigma;
    };
    struct Piece {  ///< draws of one segment in one pass
        std::size_t segment;
        std::uint64_t first;
        std::uint32_t count;
        std::size_t offset;  ///< of its first draw in the pass's buffers
    };
    void fill_blocks(const Segment& s, std::uint64_t first, std::size_t blocks, std::size_t at);
    std::vector<Segment> segments_;
    std::vector<Piece> pieces_;
    std::vector<std::uint32_t> block_variable_, block_index_;  ///< [block]
    std::vector<double> uniform_, mu_, sigma_, severity_;       ///< [2 x block]
    std::vector<double> sums_;
    std::vector<std::uint32_t> tail_;   ///< draws in the normal's tails
    std::vector<double> tail_scratch_;  ///< their logs, uniforms and normals
};

}  // namespace apmsim::random
