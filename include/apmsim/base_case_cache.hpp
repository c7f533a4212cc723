#pragma once
/// \file base_case_cache.hpp
/// \brief What a run simulates of the base case (the model without its program) besides
/// its own simulation, kept for the runs that follow in the same process.
///
/// A run that settles payment models may simulate the base case up to three more times:
/// the pilot that fixes truncation percentiles, the calibration sample that prices
/// stop-loss, and the benchmark's simulated base period (run.hpp). None of them depends on
/// the program, so the runs of a sweep over the program's effect, cost or uptake, a goal
/// seek on the effect, a notebook re-run after a contract edit, or the monitor's monthly
/// re-settlement all need the same ones. This cache keeps them, keyed by everything they
/// depend on: the model without its program written out in full (scenario JSON, members
/// listed), the seed, trial numbers, parameter block and mode, and the member-level
/// reductions and population segments they collect. Results are bit-identical with or
/// without it; only time changes. Thread-safe; the least recently used entries go first
/// when the cache would exceed its capacity (default 256 MiB, 0 turns it off).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace apmsim {

struct BaseCaseCacheInfo {
    std::uint64_t hits = 0;    ///< lookups answered from the cache
    std::uint64_t misses = 0;  ///< lookups that simulated (and stored the result, if it fits)
    std::size_t entries = 0;
    std::size_t bytes = 0;           ///< held now: results and their keys
    std::size_t capacity_bytes = 0;  ///< at most this many are held
};

/// The counters and sizes of the process's base-case cache.
BaseCaseCacheInfo base_case_cache_info();
/// Drops every entry and zeroes the counters.
void clear_base_case_cache();
/// Sets the capacity (bytes); entries beyond it are dropped at once. 0 turns the cache off.
void set_base_case_cache_capacity(std::size_t bytes);

namespace detail {
/// The value stored under `key`, or `compute()`'s (stored when it fits) with its size in
/// bytes from `bytes_of`. A computation that throws stores nothing.
std::shared_ptr<const void> cached_base_case(const std::string& key, const std::function<std::shared_ptr<const void>()>& compute,
                                             const std::function<std::size_t(const void*)>& bytes_of);
}  // namespace detail

/// Typed access: the T stored under `key`, or compute()'s.
template <class T, class Compute, class Bytes>
std::shared_ptr<const T> cached_base_case(const std::string& key, Compute compute, Bytes bytes_of) {
    return std::static_pointer_cast<const T>(detail::cached_base_case(
        key, [&] { return std::static_pointer_cast<const void>(std::make_shared<const T>(compute())); },
        [&](const void* p) -> std::size_t { return bytes_of(*static_cast<const T*>(p)); }));
}

}  // namespace apmsim
