#pragma once
/// \file errors.hpp
/// \brief The exception types of apmsim: bad input, numerical failure, and a run stopped
/// on request.
///
/// InvalidInput names where the bad value came from (a JSON path such as
/// `cost_model.cells.inpatient.A.severity.cv`, a file and line, or a C++/Python
/// parameter name), what was expected and what was found. Python maps it to
/// ValueError; ComputationError maps to RuntimeError.

#include <cstdlib>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

namespace apmsim {

class InvalidInput : public std::invalid_argument {
public:
    /// `where` and `actual` may quote user text: each is cut to a few hundred characters.
    InvalidInput(std::string where, std::string expected, std::string actual)
        : std::invalid_argument(compose(cut(where), expected, cut(actual))),
          where_(cut(where)), expected_(std::move(expected)), actual_(cut(actual)) {}

    const std::string& where() const noexcept { return where_; }
    const std::string& expected() const noexcept { return expected_; }
    const std::string& actual() const noexcept { return actual_; }

private:
    static std::string cut(const std::string& text) {
        constexpr std::size_t limit = 300;
        if (text.size() <= limit) return text;
        std::size_t end = limit;
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not inside a UTF-8 character
        return text.substr(0, end) + "... (" + std::to_string(text.size()) + " characters)";
    }
    static std::string compose(const std::string& where, const std::string& expected,
                               const std::string& actual) {
        return where + ": expected " + expected + ", got " + actual;
    }
    std::string where_, expected_, actual_;
};

class ComputationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An output file that could not be written (a full disk, a file-size limit, an I/O
/// error); nothing partial is left. The CLI exits with 1, Python raises an OSError.
class OutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A run stopped on request (RunControl::stop): no results. The CLI exits with 130,
/// Python raises KeyboardInterrupt.
class Interrupted : public std::runtime_error {
public:
    Interrupted() : std::runtime_error("interrupted") {}
};

/// "[i]": an element's index in an error's place. (Built by appending: GCC 12 at -O3 takes
/// "[" + std::string(...), an insert at the front, for a memcpy past the end of memory.)
inline std::string bracketed(std::size_t i) {
    std::string s = "[";
    s += std::to_string(i);
    s += ']';
    return s;
}

/// Formats a number the way error messages show it (shortest round-trip form).
inline std::string show(double value) {
    if (value > -1e15 && value < 1e15 && value == static_cast<double>(static_cast<long long>(value)))
        return std::to_string(static_cast<long long>(value));
    std::ostringstream out;
    out.precision(17);
    out << value;
    std::string s = out.str();
    // Prefer a short form when it round-trips.
    for (int p = 1; p < 17; ++p) {
        std::ostringstream shorter;
        shorter.precision(p);
        shorter << value;
        if (std::strtod(shorter.str().c_str(), nullptr) == value) return shorter.str();
    }
    return s;
}

/// A ratio or share shown to `digits` significant digits (e.g. 15.4 for 15.358105893152194):
/// for a measured quantity in a message, where every digit of show() would be noise.
inline std::string show_rounded(double value, int digits = 3) {
    std::ostringstream out;
    out.precision(digits);
    out << value;
    return out.str();
}

namespace check {

/// Each helper throws InvalidInput naming `where` when the condition fails.
inline void finite(const std::string& where, double v) {
    if (!(v == v) || v == std::numeric_limits<double>::infinity() ||
        v == -std::numeric_limits<double>::infinity())
        throw InvalidInput(where, "a finite number", show(v));
}
inline void positive(const std::string& where, double v) {
    if (!(v > 0.0) || v == std::numeric_limits<double>::infinity())
        throw InvalidInput(where, "a finite number > 0", show(v));
}
inline void non_negative(const std::string& where, double v) {
    if (!(v >= 0.0) || v == std::numeric_limits<double>::infinity())
        throw InvalidInput(where, "a finite number >= 0", show(v));
}
inline void in_closed(const std::string& where, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi))
        throw InvalidInput(where, "a number in [" + show(lo) + ", " + show(hi) + "]", show(v));
}
inline void in_open(const std::string& where, double v, double lo, double hi) {
    if (!(v > lo && v < hi))
        throw InvalidInput(where, "a number in (" + show(lo) + ", " + show(hi) + ")", show(v));
}
/// lo < v <= hi
inline void in_half_open(const std::string& where, double v, double lo, double hi) {
    if (!(v > lo && v <= hi))
        throw InvalidInput(where, "a number in (" + show(lo) + ", " + show(hi) + "]", show(v));
}
inline void probability(const std::string& where, double v) { in_closed(where, v, 0.0, 1.0); }

}  // namespace check
}  // namespace apmsim
