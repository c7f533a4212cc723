#pragma once
/// \file files.hpp
/// \brief Writing output files so that a failed or interrupted write never leaves a
/// partial file behind.

#include <cstdint>
#include <string>

namespace apmsim {

/// Writes to `file` through a temporary file in the same folder and a rename.
void write_file_atomically(const std::string& file, const std::string& content);

/// The bytes of `file` (`what` it should be: for errors), at most `max_bytes`: InvalidInput
/// naming the file when it does not exist, is a folder or a device, is larger, or cannot be read.
std::string read_file(const std::string& file, const std::string& what, std::uintmax_t max_bytes);

}  // namespace apmsim
