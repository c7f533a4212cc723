// Reading untrusted JSON (core/json_file.hpp).
#include "apmsim/core/json_file.hpp"

#include <filesystem>
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

/// Refuses nesting deeper than max_json_depth before the parser recurses into it.
void check_depth(const std::string& text, const std::string& source) {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t k = 0; k < text.size(); ++k) {
        const char c = text[k];
        if (in_string) {
            if (c == '\\') ++k;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_json_depth)
                throw InvalidInput(source + ":" + line_and_column(text, k), "arrays and objects nested at most " + std::to_string(max_json_depth) + " deep",
                                   "deeper nesting");
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
}

}  // namespace

Json parse_json_text(const std::string& text, const std::string& source) {
    check_depth(text, source);
    try {
        return Json::parse(text);
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
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(file, ec);
    if (ec || !fs::exists(status)) throw InvalidInput(file, what, "no such file");
    if (!fs::is_regular_file(status))
        throw InvalidInput(file, what, fs::is_directory(status) ? "a folder" : "not a regular file (a device, pipe or socket)");
    const auto size = fs::file_size(file, ec);
    if (ec) throw InvalidInput(file, what, "a file whose size cannot be read");
    if (size > max_json_file_bytes)
        throw InvalidInput(file, what + " of at most " + std::to_string(max_json_file_bytes >> 20) + " MiB", std::to_string(size >> 20) + " MiB");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InvalidInput(file, what, "a file that cannot be opened");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_json_text(text, file);
}

}  // namespace apmsim
