#pragma once
/// \file json_file.hpp
/// \brief Reading JSON documents from files and text without trusting them: only a
/// regular file of sane size is read (never a folder, a device or a pipe that never
/// ends), nesting is limited before the parser sees the text, and syntax errors name
/// the file, line and column.

#include "apmsim/core/json_reader.hpp"

#include <cstddef>
#include <string>

namespace apmsim {

/// Deepest nesting of arrays and objects accepted (a scenario needs about 8).
inline constexpr std::size_t max_json_depth = 64;
/// Largest file read as a JSON document: 512 MiB (a million-member list is about 60 MB).
inline constexpr std::size_t max_json_file_bytes = std::size_t{512} << 20;

/// Parses `text`; errors are located at `source`:line:column.
Json parse_json_text(const std::string& text, const std::string& source);

/// Reads and parses the file; `what` says what it should be ("a scenario file").
Json read_json_file(const std::string& file, const std::string& what);

}  // namespace apmsim
