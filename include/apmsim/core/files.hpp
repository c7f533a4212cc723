#pragma once
/// \file files.hpp
/// \brief Writing output files so that a failed or interrupted write never leaves a
/// partial file behind.

#include <string>

namespace apmsim {

/// Writes to `file` through a temporary file in the same folder and a rename.
void write_file_atomically(const std::string& file, const std::string& content);

}  // namespace apmsim
