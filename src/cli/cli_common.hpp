#pragma once
// Helpers shared by the apmsim command-line subcommands (parsing and table printing).
#include "apmsim/core/errors.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace apmsim::cli {

/// User text quoted back in an error message, cut to 80 characters so a pasted file does not flood the terminal.
inline std::string shorten(const std::string& text) {
    constexpr std::size_t limit = 80;
    return text.size() <= limit ? text : text.substr(0, limit) + "...";
}

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> flags;
    bool help = false;  ///< --help or -h was given: print the subcommand's usage, exit 0
};

/// The arguments after the subcommand: `--flag value` or `--flag=value` for the flags in
/// `allowed`, positional arguments, and --help / -h.
inline Args parse(int argc, char** argv, const std::vector<std::string>& allowed) {
    Args a;
    for (int i = 2; i < argc; ++i) {
        std::string s = argv[i];
        if (s == "--help" || s == "-h") {
            a.help = true;
        } else if (s.rfind("--", 0) == 0) {
            const std::size_t eq = s.find('=');
            const std::string flag = s.substr(0, eq);
            bool ok = false;
            for (const auto& f : allowed) ok = ok || f == flag;
            if (!ok) throw apmsim::InvalidInput("command line", "one of the options in --help", "\"" + shorten(flag) + "\"");
            if (eq != std::string::npos) {
                a.flags[flag] = s.substr(eq + 1);
            } else {
                if (i + 1 >= argc) throw apmsim::InvalidInput("command line " + flag, "a value after " + flag, "nothing");
                a.flags[flag] = argv[++i];
            }
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
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

// Subcommands defined in their own files (argv[1] is the subcommand's name).
int msr_command(int argc, char** argv);
int aggregate_command(int argc, char** argv);

}  // namespace apmsim::cli
