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

template <class Work>
auto call_interruptibly(Work work) -> decltype(work(RunControl{})) {
    using Result = decltype(work(RunControl{}));
    std::atomic<bool> stop{false};
    std::optional<Result> result;
    std::exception_ptr failure;
    bool finished = false, interrupted = false;
    std::mutex m;
    std::condition_variable cv;
    {
        pybind11::gil_scoped_release release;
        std::thread worker([&] {
            try {
                result.emplace(work(RunControl{&stop, nullptr}));
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
                if (!interrupted && PyErr_CheckSignals() != 0) {
                    interrupted = true;  // the KeyboardInterrupt stays set until we return
                    stop = true;
                }
            }
            lock.lock();
        }
        lock.unlock();
        worker.join();
    }
    if (interrupted) throw pybind11::error_already_set();
    if (failure) std::rethrow_exception(failure);
    return std::move(*result);
}

}  // namespace apmsim::python
