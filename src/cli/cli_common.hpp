#pragma once
// Helpers shared by the apmsim command-line subcommands: values checked with errors that
// name the option, tables, output paths, interrupts and the progress line.
#include "apmsim/core/errors.hpp"
#include "apmsim/core/files.hpp"

#include <CLI/CLI.hpp>

#include <atomic>
#include <cmath>
#include <functional>
#include <thread>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace apmsim::cli {

/// User text quoted back in an error message, cut to 80 characters so a pasted file does not flood the terminal.
inline std::string shorten(const std::string& text) {
    constexpr std::size_t limit = 80;
    return text.size() <= limit ? text : text.substr(0, limit) + "...";
}

/// The options a command was given, by name ("--cv"), as text: checked by the command
/// itself so that errors name the option and say what was expected.
using Flags = std::map<std::string, std::string>;

/// Adds an option per (name, help) to `command`, its text kept in the returned map once
/// parsed (options not given are absent).
inline std::shared_ptr<Flags> add_text_options(CLI::App* command, const std::vector<std::pair<std::string, std::string>>& options) {
    auto given = std::make_shared<Flags>();
    auto text = std::make_shared<std::map<std::string, std::string>>();
    for (const auto& [name, help] : options) command->add_option(name, (*text)[name], help)->type_name("VALUE");
    command->preparse_callback([given](std::size_t) { given->clear(); });
    command->parse_complete_callback([command, given, text] {
        for (const auto& [name, value] : *text)
            if (command->count(name)) (*given)[name] = value;
    });
    return given;
}

/// A whole number from `min` to `max` given on the command line.
inline std::uint64_t whole_number(const std::string& flag, const std::string& text, std::uint64_t max, std::uint64_t min = 0) {
    std::size_t used = 0;
    unsigned long long v = 0;
    try {
        if (text.empty() || text[0] == '-') throw std::invalid_argument("negative");
        v = std::stoull(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || v > max || v < min)
        throw apmsim::InvalidInput("command line " + flag, "a whole number from " + std::to_string(min) + " to " + std::to_string(max),
                                   "\"" + shorten(text) + "\"");
    return v;
}

inline std::string money(double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", std::fabs(x));
    std::string digits = buf, out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return (x < 0 ? "-" : "") + out;
}

inline std::string pct(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * x);
    return buf;
}

inline void print_row(const std::vector<std::string>& cells, const std::vector<int>& widths) {
    for (std::size_t i = 0; i < cells.size(); ++i) std::printf("%*s", widths[i], cells[i].c_str());
    std::printf("\n");
}

/// A real number given on the command line (finite).
inline double real_number(const std::string& flag, const std::string& text) {
    std::size_t used = 0;
    double v = 0.0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (text.empty() || used != text.size() || !std::isfinite(v))
        throw apmsim::InvalidInput("command line " + flag, "a finite number", "\"" + shorten(text) + "\"");
    return v;
}

/// Refuses an output path that cannot be written before any work is done (core/files.hpp's
/// check_output_path, the error at "command line OPTION").
void check_output_path(const std::string& option, const std::string& path);

/// Runs `work` on the scenario read from `file`: an InvalidInput it throws at a place in the
/// scenario document (a path under one of its keys, e.g. combined terms refused when the
/// payment models are prepared) names the file too, as load_scenario's errors do.
void naming_scenario_file(const std::string& file, const std::function<void()>& work);

/// SIGINT and SIGTERM set the stop flag every long computation polls (RunControl::stop);
/// the command then exits with 130 and leaves no output file.
void install_interrupt_handlers();
const std::atomic<bool>& stop_flag();

/// A progress line on stderr, redrawn a few times a second from its own thread while
/// the work runs: only when stderr is a terminal and not --quiet. `line()` gives the text.
class ProgressLine {
public:
    ProgressLine(bool enabled, std::function<std::string()> line);
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

private:
    std::atomic<bool> done_{false};
    std::thread thread_;
};

/// "1:05" or "2:03:10".
std::string duration(double seconds);

// The subcommands, each in its own file, registered on the application.
void add_run_commands(CLI::App& app);  // run, validate, default-scenario
void add_sweep_commands(CLI::App& app);
void add_solve_command(CLI::App& app);
void add_msr_command(CLI::App& app);
void add_aggregate_command(CLI::App& app);
void add_decompose_command(CLI::App& app);
void add_synth_command(CLI::App& app);  // synth: synthetic claims extracts
void add_calibrate_command(CLI::App& app);  // calibrate: a cost model from claims extracts
void add_monitor_command(CLI::App& app);    // monitor: a contract year against its scenario

/// A command's action as registered with CLI11: `run`, unless a parse-only check is set
/// (set_parse_only_check), which is then given the parsed command instead, so that
/// nothing runs. The CLI fuzz target (tests/fuzz/fuzz_cli.cpp) sets one.
std::function<void()> action(const CLI::App* command, std::function<void()> run);
void set_parse_only_check(std::function<void(const CLI::App&)> check);

/// The whole application: its description, version flag and every subcommand (app.cpp).
std::unique_ptr<CLI::App> make_app();

/// Parses the command line and runs the command; returns the exit code (main.cpp's
/// comment), printing errors to stderr. Every exception ends here.
int run_command_line(CLI::App& app, int argc, char** argv);

}  // namespace apmsim::cli
