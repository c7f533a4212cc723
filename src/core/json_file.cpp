// Reading untrusted JSON (core/json_file.hpp).
#include "apmsim/core/json_file.hpp"
#include "apmsim/core/files.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <utility>
#include <fstream>
#include <iterator>

namespace apmsim {

namespace {

/// Line and column (1-based) of byte `offset` of `text`.
std::string line_and_column(const std::string& text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t k = 0; k < offset && k < text.size(); ++k) {
        if (text[k] == '\n') ++line, column = 1;
        else ++column;
    }
    return std::to_string(line) + ":" + std::to_string(column);
}

/// Calls `visit(k)` for each character k of `text` outside JSON strings; visit returns
/// where to go on (k + 1, or further to skip a token), or npos to stop.
template <class Visit>
void scan_outside_strings(const std::string& text, Visit visit) {
    bool in_string = false;
    for (std::size_t k = 0; k < text.size();) {
        const char c = text[k];
        if (in_string) {
            k += c == '\\' ? 2 : 1;
            in_string = c != '"';
        } else if (c == '"') {
            in_string = true;
            ++k;
        } else {
            k = visit(k);
        }
    }
}

/// Refuses nesting deeper than max_json_depth before the parser recurses into it.
void check_depth(const std::string& text, const std::string& source) {
    std::size_t depth = 0;
    scan_outside_strings(text, [&](std::size_t k) {
        const char c = text[k];
        if ((c == '[' || c == '{') && ++depth > max_json_depth)
            throw InvalidInput(source + ":" + line_and_column(text, k), "arrays and objects nested at most " + std::to_string(max_json_depth) + " deep",
                               "deeper nesting");
        if ((c == ']' || c == '}') && depth > 0) --depth;
        return k + 1;
    });
}

/// The first number literal outside strings that overflows a double: its offset and length.
std::pair<std::size_t, std::size_t> overflowing_number(const std::string& text) {
    std::pair<std::size_t, std::size_t> found{std::string::npos, 0};
    scan_outside_strings(text, [&](std::size_t k) {
        const char c = text[k];
        if (c != '-' && (c < '0' || c > '9')) return k + 1;
        std::size_t end = k + 1;
        while (end < text.size() && std::string_view("0123456789.eE+-").find(text[end]) != std::string_view::npos) ++end;
        if (std::isfinite(std::strtod(text.substr(k, end - k).c_str(), nullptr))) return end;
        found = {k, end - k};
        return std::string::npos;
    });
    return found;
}

/// The JSON path (as the loaders write it: a.b[2].c) of the first string equal to `mark`.
bool path_of(const Json& j, const std::string& mark, std::string& path) {
    if (j.is_string()) return j.get_ref<const std::string&>() == mark;
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it) {
            std::string inner = join_path(path, it.key());
            if (path_of(*it, mark, inner)) return path = inner, true;
        }
    if (j.is_array())
        for (std::size_t i = 0; i < j.size(); ++i) {
            std::string inner = index_path(path, i);
            if (path_of(j[i], mark, inner)) return path = inner, true;
        }
    return false;
}

/// A number too large for a double, reported at its JSON path (the parser only says that one overflowed).
[[noreturn]] void report_overflow(const std::string& text, const std::string& source) {
    const auto [at, length] = overflowing_number(text);
    if (at == std::string::npos) throw InvalidInput(source, "numbers within the range of a double (about 1.8e308)", "a larger number");
    // The literal becomes a string no document holds, which the parser can then place.
    const std::string mark = "\x01" "apmsim-overflow" "\x01", mark_in_json = R"("\u0001apmsim-overflow\u0001")";
    std::string patched = text;
    patched.replace(at, length, mark_in_json);
    std::string path;
    try {
        path_of(Json::parse(patched), mark, path);
    } catch (const Json::exception&) {  // another overflow further on: the line and column must do
        path.clear();
    }
    throw InvalidInput(source + ":" + (path.empty() ? line_and_column(text, at) : " " + path), "a number within the range of a double (about 1.8e308)",
                       text.substr(at, std::min<std::size_t>(length, 40)));
}

}  // namespace

Json parse_json_text(const std::string& text, const std::string& source) {
    check_depth(text, source);
    try {
        return Json::parse(text);
    } catch (const Json::out_of_range&) {
        report_overflow(text, source);
    } catch (const Json::parse_error& e) {
        // e.byte is the 1-based offset of the error.
        std::string what = e.what();
        const auto colon = what.find("syntax error");
        if (colon != std::string::npos) what = what.substr(colon);
        if (what.size() > 160) what = what.substr(0, 157) + "...";
        throw InvalidInput(source + ":" + line_and_column(text, e.byte > 0 ? e.byte - 1 : 0), "valid JSON", what);
    }
}

Json read_json_file(const std::string& file, const std::string& what) {
    return parse_json_text(read_file(file, what, max_json_file_bytes), file);
}

}  // namespace apmsim
