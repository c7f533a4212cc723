#pragma once
/// \file parallel_trials.hpp
/// \brief The trial loop every simulator shares: trials handed out one at a time to a
/// pool of threads (the calling thread among them), each with its own scratch state, the
/// first failure stopping the others and rethrown, a stop request honoured between trials.
/// Results never depend on the threads: each trial writes only its own slots.

#include "apmsim/core/errors.hpp"
#include "apmsim/simulation/run_control.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace apmsim {

/// Runs `each(state, t)` for every trial t < trials on min(threads, trials) threads, where
/// `state` is one `make_state()` per thread; counts finished trials in
/// control.trials_done. Throws the first exception a trial threw, ComputationError when a
/// thread cannot start, Interrupted when control asked to stop.
template <class MakeState, class Each>
void for_each_trial(std::uint64_t trials, unsigned threads, const RunControl& control, MakeState make_state, Each each) {
    std::atomic<std::uint64_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto worker = [&] {
        try {
            auto state = make_state();
            for (std::uint64_t t; !control.stop_requested() && (t = next.fetch_add(1)) < trials;) {
                each(state, t);
                if (control.trials_done) control.trials_done->fetch_add(1, std::memory_order_relaxed);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(failure_mutex);
            if (!failure) failure = std::current_exception();
            next = trials;
        }
    };
    const std::uint64_t pool_size = std::min<std::uint64_t>(threads == 0 ? 1 : threads, trials);
    std::vector<std::thread> pool;
    try {
        for (std::uint64_t k = 1; k < pool_size; ++k) pool.emplace_back(worker);
    } catch (...) {  // could not start a thread: stop the others, join them, report
        next = trials;
        for (auto& th : pool) th.join();
        throw ComputationError("simulate: could not start " + std::to_string(pool_size) + " threads");
    }
    worker();
    for (auto& th : pool) th.join();
    if (failure) std::rethrow_exception(failure);
    if (control.stop_requested()) throw Interrupted();
}

}  // namespace apmsim
