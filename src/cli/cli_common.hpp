#pragma once
// Helpers shared by the apmsim command-line subcommands (parsing and table printing).
#include "apmsim/apmsim.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace apmsim::cli {

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> flags;
};

inline Args parse(int argc, char** argv, const std::vector<std::string>& allowed) {
    Args a;
    for (int i = 2; i < argc; ++i) {
        std::string s = argv[i];
        if (s.rfind("--", 0) == 0) {
            bool ok = false;
            for (const auto& f : allowed) ok = ok || f == s;
            if (!ok) throw apmsim::InvalidInput("command line", "one of the options in --help", "\"" + s + "\"");
            if (i + 1 >= argc) throw apmsim::InvalidInput("command line " + s, "a value after " + s, "nothing");
            a.flags[s] = argv[++i];
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

inline std::uint64_t whole_number(const std::string& flag, const std::string& text, std::uint64_t max) {
    std::size_t used = 0;
    unsigned long long v = 0;
    try {
        if (text.empty() || text[0] == '-') throw std::invalid_argument("negative");
        v = std::stoull(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || v > max)
        throw apmsim::InvalidInput("command line " + flag, "a whole number from 0 to " + std::to_string(max), "\"" + text + "\"");
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
        throw apmsim::InvalidInput("command line " + flag, "a finite number", "\"" + text + "\"");
    return v;
}

// Subcommands defined in their own files (argv[1] is the subcommand's name).
int msr_command(int argc, char** argv);
int aggregate_command(int argc, char** argv);

}  // namespace apmsim::cli
