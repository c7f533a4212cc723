#pragma once
/// \file run_control.hpp
/// \brief How a caller watches and stops a long run: a stop flag the engine polls between
/// trials (set it from a signal handler, a notebook's interrupt or another thread) and a
/// counter of finished trials to draw a progress line from. Neither changes any result.

#include "apmsim/core/errors.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

namespace apmsim {

struct RunControl {
    /// When it becomes true the run stops within one trial per thread and throws Interrupted.
    const std::atomic<bool>* stop = nullptr;
    /// Incremented once per finished trial of the main simulation (not of calibration,
    /// pilot or base-period samples).
    std::atomic<std::uint64_t>* trials_done = nullptr;

    bool stop_requested() const { return stop != nullptr && stop->load(std::memory_order_relaxed); }
};

/// v = n copies of `value`, written in slices of 4 Mi values with a stop check between
/// them: the result arrays of a run of many trials take seconds to zero, and the run
/// must stop within a second when asked (throws Interrupted).
inline void fill_stoppably(std::vector<double>& v, std::size_t n, double value, const RunControl& control) {
    constexpr std::size_t slice = std::size_t{1} << 22;
    v.clear();
    v.reserve(n);
    while (v.size() < n) {
        if (control.stop_requested()) throw Interrupted();
        v.resize(std::min(n, v.size() + slice), value);
    }
}

}  // namespace apmsim
