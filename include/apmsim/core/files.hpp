#pragma once
/// \file files.hpp
/// \brief Writing output files so that a failed or interrupted write never leaves a
/// partial file behind.

#include <cstdint>
#include <string>

namespace apmsim {

/// Refuses, as InvalidInput at `where`, an output path that is empty, a folder, a device, a
/// symbolic link (a write through it would land elsewhere than the name given), or in a
/// missing or unwritable folder.
void check_output_path(const std::string& where, const std::string& path);

/// Writes to `file` through a temporary file in the same folder, flushed to the disk, and a
/// rename. The path is checked first (check_output_path); a write that fails (a full disk)
/// is an OutputError and leaves nothing behind: neither a partial file nor the temporary.
/// The temporary is unnamed while it is written (O_TMPFILE, where the file system has it),
/// so even a process killed with SIGKILL leaves nothing but in the instant between naming
/// it (FILE.tmp-PID-N) and the rename.
void write_file_atomically(const std::string& file, const std::string& content);

/// The bytes of `file` (`what` it should be: for errors), at most `max_bytes`: InvalidInput
/// naming the file when it does not exist, is a folder or a device, is larger, or cannot be read.
std::string read_file(const std::string& file, const std::string& what, std::uintmax_t max_bytes);

}  // namespace apmsim
