// Atomic file output (core/files.hpp).
#include "apmsim/core/files.hpp"

#include "apmsim/core/errors.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>

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

}  // namespace apmsim
