#pragma once
/// \file memory.hpp
/// \brief Refusing, before any work, a run whose arrays would need more memory than the
/// machine has (rather than swapping for hours or being killed part way), with the size
/// it would need.

#include "apmsim/core/errors.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string>

namespace apmsim {

/// The machine's physical memory in bytes; the largest size_t when it cannot be read.
inline std::size_t physical_memory() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return std::numeric_limits<std::size_t>::max();
    std::size_t bytes = 0;
    if (__builtin_mul_overflow(static_cast<std::size_t>(pages), static_cast<std::size_t>(page), &bytes)) return std::numeric_limits<std::size_t>::max();
    return bytes;
}

/// The product of `factors`, or the largest size_t when it overflows.
inline std::size_t saturating_product(std::initializer_list<std::size_t> factors) {
    std::size_t p = 1;
    for (std::size_t f : factors)
        if (__builtin_mul_overflow(p, f, &p)) return std::numeric_limits<std::size_t>::max();
    return p;
}

/// "3.2 GiB", or "more than 16 EiB" for a saturated size.
inline std::string gibibytes(std::size_t bytes) {
    if (bytes == std::numeric_limits<std::size_t>::max()) return "more than 16 EiB";
    char text[48];
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / 1073741824.0);
    return text;
}

/// InvalidInput at `where` when `bytes` of `what` (e.g. "per-member detail") exceed the
/// machine's physical memory `available`.
inline void check_fits_in_memory(const std::string& where, std::size_t bytes, const std::string& what, std::size_t available = physical_memory()) {
    if (bytes <= available) return;
    throw InvalidInput(where, "a run whose " + what + " fits in this machine's memory (" + gibibytes(available) + ")",
                       "one that would need " + gibibytes(bytes) + " for it");
}

}  // namespace apmsim
