// Atomic file output (core/files.hpp).
#include "apmsim/core/files.hpp"

#include "apmsim/core/errors.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace apmsim {

namespace {

/// Writes all of `content` to `fd`, then flushes it to the disk; false on any failure.
bool write_all(int fd, const std::string& content) {
    const char* p = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n, left -= static_cast<std::size_t>(n);
    }
    return ::fsync(fd) == 0;
}

/// The temporary file's name beside `file` (unique in the process, and across processes by its id).
std::string temporary_name(const std::string& file) {
    static std::atomic<unsigned> counter{0};
    return file + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

/// Writes `content` to an unnamed file in `file`'s folder (O_TMPFILE), then gives it the
/// temporary name `tmp`: a process killed while it writes leaves nothing behind. False
/// when the file system or the system cannot (the caller writes a named file instead);
/// OutputError when the write itself fails.
bool write_unnamed_then_link(const std::string& file, const std::string& tmp, const std::string& content) {
    namespace fs = std::filesystem;
    const fs::path out(file);
    const std::string folder = out.has_parent_path() ? out.parent_path().string() : ".";
    const int fd = ::open(folder.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) return false;
    const bool written = write_all(fd, content);
    const int error = errno;
    // Linking through /proc needs no privilege (AT_EMPTY_PATH would).
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    const bool linked = written && ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0;
    ::close(fd);
    if (!written) throw OutputError(file + ": writing the output failed, nothing was written: " + std::strerror(error));
    return linked;
}

}  // namespace

void check_output_path(const std::string& where, const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path out(path);
    const std::string quoted = "\"" + path + "\"";
    std::error_code ec;
    if (path.empty()) throw InvalidInput(where, "a file path", "\"\"");
    const fs::file_status status = fs::symlink_status(out, ec);
    if (fs::is_symlink(status))  // a write through it would land where the user did not name
        throw InvalidInput(where, "a file path that is not a symbolic link", quoted + ", a link to \"" + fs::read_symlink(out, ec).string() + "\"");
    if (fs::is_directory(status)) throw InvalidInput(where, "a file path", quoted + ", a folder");
    if (fs::exists(status) && !fs::is_regular_file(status)) throw InvalidInput(where, "a file path", quoted + ", a device, pipe or socket");
    const fs::path folder = out.has_parent_path() ? out.parent_path() : fs::path(".");
    if (!fs::is_directory(folder, ec)) throw InvalidInput(where, "a path in an existing folder", quoted + " (no folder \"" + folder.string() + "\")");
    if (::access(folder.c_str(), W_OK) != 0)
        throw InvalidInput(where, "a path in a folder you can write to", quoted + " (folder \"" + folder.string() + "\" is not writable)");
}

void write_file_atomically(const std::string& file, const std::string& content) {
    check_output_path(file, file);
    const std::string tmp = temporary_name(file);
    if (!write_unnamed_then_link(file, tmp, content)) {
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) throw InvalidInput(file, "a writable output path", std::string("a folder that cannot be written (") + std::strerror(errno) + ")");
        const bool written = write_all(fd, content);
        const int error = errno;
        if (::close(fd) != 0 || !written) {
            std::remove(tmp.c_str());
            throw OutputError(file + ": writing the output failed, nothing was written: " + std::strerror(written ? errno : error));
        }
    }
    if (std::rename(tmp.c_str(), file.c_str()) != 0) {
        const int rename_error = errno;
        std::remove(tmp.c_str());
        throw OutputError(file + ": renaming the finished output into place failed: " + std::strerror(rename_error));
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
