// Shared command-line helpers (cli_common.hpp).
#include "cli_common.hpp"

#include "apmsim/scenario_json.hpp"

#include <algorithm>

#include <chrono>
#include <csignal>

namespace apmsim::cli {

namespace {
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set from a signal handler");

extern "C" void on_signal(int) { stop_requested.store(true); }
}  // namespace

void install_interrupt_handlers() {
    struct sigaction action{};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

const std::atomic<bool>& stop_flag() { return stop_requested; }

void check_output_path(const std::string& option, const std::string& path) { apmsim::check_output_path("command line " + option, path); }

void naming_scenario_file(const std::string& file, const std::function<void()>& work) {
    try {
        work();
    } catch (const InvalidInput& e) {
        const std::string& where = e.where();
        const std::string key = where.substr(0, where.find_first_of(".["));
        const auto& keys = scenario_keys();
        if (file.empty() || std::find(keys.begin(), keys.end(), key) == keys.end()) throw;
        throw InvalidInput(file + ": " + where, e.expected(), e.actual());
    }
}

std::string duration(double seconds) {
    if (!(seconds >= 0) || seconds > 1e7) return "?";
    const auto s = static_cast<long>(seconds + 0.5);
    char buffer[32];
    if (s >= 3600) std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(buffer, sizeof buffer, "%ld:%02ld", s / 60, s % 60);
    return buffer;
}

ProgressLine::ProgressLine(bool enabled, std::function<std::string()> line) {
    if (!enabled || !::isatty(STDERR_FILENO)) return;
    thread_ = std::thread([this, line = std::move(line)] {
        std::size_t width = 0;
        while (!done_.load()) {
            const std::string text = line();
            std::fprintf(stderr, "\r%s%*s", text.c_str(), static_cast<int>(width > text.size() ? width - text.size() : 0), "");
            std::fflush(stderr);
            width = text.size();
            for (int k = 0; k < 4 && !done_.load(); ++k) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        std::fprintf(stderr, "\r%*s\r", static_cast<int>(width), "");
        std::fflush(stderr);
    });
}

ProgressLine::~ProgressLine() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
}

}  // namespace apmsim::cli
