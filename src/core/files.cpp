// Atomic file output (core/files.hpp).
#include "apmsim/core/files.hpp"

#include "apmsim/core/errors.hpp"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace apmsim {

void write_file_atomically(const std::string& file, const std::string& content) {
    const std::string tmp = file + ".tmp-" + std::to_string(reinterpret_cast<std::uintptr_t>(&content));
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw InvalidInput(file, "a writable output path", "a folder that cannot be written");
        out << content;
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            throw ComputationError(file + ": writing the output failed (disk full?)");
        }
    }
    if (std::rename(tmp.c_str(), file.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw InvalidInput(file, "a path the output can be renamed to", "a rename that failed");
    }
}

std::string read_file(const std::string& file, const std::string& what, std::uintmax_t max_bytes) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(file, ec);
    if (ec || !fs::exists(status)) throw InvalidInput(file, what, "no such file");
    if (!fs::is_regular_file(status))
        throw InvalidInput(file, what, fs::is_directory(status) ? "a folder" : "not a regular file (a device, pipe or socket)");
    const auto size = fs::file_size(file, ec);
    if (ec) throw InvalidInput(file, what, "a file whose size cannot be read");
    if (size > max_bytes) throw InvalidInput(file, what + " of at most " + std::to_string(max_bytes >> 20) + " MiB", std::to_string(size >> 20) + " MiB");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InvalidInput(file, what, "a file that cannot be opened");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw InvalidInput(file, what, "a file that cannot be read");
    return bytes;
}

}  // namespace apmsim
