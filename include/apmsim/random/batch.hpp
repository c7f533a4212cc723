#pragma once
/// \file batch.hpp
/// \brief Vectorised kernels for the engine's hot loop (compiled once in the library,
/// with AVX2 and baseline versions chosen at run time). They return exactly what the
/// scalar Stream and samplers return for the same (seed, trial, member, variable, index).

#include <cstddef>
#include <cstdint>

namespace apmsim::random {

/// Where a stream's draws come from: Stream(seed, trial, member, variable).
struct StreamAddress {
    std::uint64_t seed;
    std::uint32_t trial, member, variable;
};

/// out[k] = draw (first + k) of the stream, k < n.
void fill_uniforms(const StreamAddress& at, std::uint64_t first, std::size_t n, double* out);

/// Sum of exp(mu + sigma Phi^-1(u)) over draws first .. first + n - 1 of the stream:
/// n lognormal severities, each exactly Lognormal(mu, sigma).draw() of that draw.
/// Summed in chunks of 64 with four interleaved partial sums (a fixed order).
double sum_lognormal_draws(const StreamAddress& at, std::uint64_t first, std::size_t n, double mu, double sigma);

}  // namespace apmsim::random
