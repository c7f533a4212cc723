#pragma once
/// \file run_control.hpp
/// \brief How a caller watches and stops a long run: a stop flag the engine polls between
/// trials (set it from a signal handler, a notebook's interrupt or another thread) and a
/// counter of finished trials to draw a progress line from. Neither changes any result.

#include <atomic>
#include <cstdint>

namespace apmsim {

struct RunControl {
    /// When it becomes true the run stops within one trial per thread and throws Interrupted.
    const std::atomic<bool>* stop = nullptr;
    /// Incremented once per finished trial of the main simulation (not of calibration,
    /// pilot or base-period samples).
    std::atomic<std::uint64_t>* trials_done = nullptr;

    bool stop_requested() const { return stop != nullptr && stop->load(std::memory_order_relaxed); }
};

}  // namespace apmsim
