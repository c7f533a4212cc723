#pragma once
// Running long C++ work from Python so that Ctrl-C (a notebook's interrupt) stops it: the
// work runs on its own thread without the GIL while the calling thread checks Python's
// signals every 100 ms; on a signal it sets the work's stop flag (RunControl::stop),
// waits for it to stop (within a trial) and raises KeyboardInterrupt.
#include "apmsim/core/errors.hpp"
#include "apmsim/simulation/run_control.hpp"

#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace apmsim::python {

/// Runs `work(control)` on a worker thread without the GIL; every 100 ms the calling thread
/// checks Python's signals (a signal stops the work: KeyboardInterrupt) and, when given,
/// calls `on_progress(done)` (a Python callable; its exception stops the work too): `done`
/// is the trials the work has finished, or `*count` when given (a count the work keeps).
template <class Work>
auto call_interruptibly(Work work, const pybind11::object& on_progress = pybind11::none(), const std::atomic<std::uint64_t>* count = nullptr)
    -> decltype(work(RunControl{})) {
    using Result = decltype(work(RunControl{}));
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> trials_done{0};
    if (count == nullptr) count = &trials_done;
    std::optional<Result> result;
    std::exception_ptr failure;
    std::optional<pybind11::error_already_set> python_error;
    bool finished = false, interrupted = false;
    std::mutex m;
    std::condition_variable cv;
    auto poll = [&] {  // with the GIL held
        if (!interrupted && PyErr_CheckSignals() != 0) {
            interrupted = true;  // the KeyboardInterrupt stays set until we return
            stop = true;
        }
        if (interrupted || on_progress.is_none() || python_error) return;  // never with an error set
        try {
            on_progress(count->load());
        } catch (pybind11::error_already_set& e) {
            python_error.emplace(std::move(e));
            stop = true;
        }
    };
    {
        pybind11::gil_scoped_release release;
        std::thread worker([&] {
            try {
                result.emplace(work(RunControl{&stop, &trials_done}));
            } catch (...) {
                failure = std::current_exception();
            }
            std::lock_guard<std::mutex> lock(m);
            finished = true;
            cv.notify_one();
        });
        std::unique_lock<std::mutex> lock(m);
        while (!finished) {
            if (cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return finished; })) break;
            lock.unlock();
            {
                pybind11::gil_scoped_acquire gil;
                poll();
            }
            lock.lock();
        }
        lock.unlock();
        worker.join();
    }
    if (interrupted) throw pybind11::error_already_set();
    if (python_error) throw std::move(*python_error);
    if (failure) std::rethrow_exception(failure);
    poll();  // the bar at its end
    if (python_error) throw std::move(*python_error);
    return std::move(*result);
}

}  // namespace apmsim::python
