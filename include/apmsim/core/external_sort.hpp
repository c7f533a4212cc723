#pragma once
/// \file external_sort.hpp
/// \brief Sorting more records than memory should hold. Records are buffered; a full buffer
/// is sorted and appended as a run to a temporary file, and reading merges the runs through
/// a small buffer per run (a k-way merge on a heap). Memory is the buffer, whatever the
/// number of records. When everything fits in the buffer, nothing touches the disk.
///
/// The temporary file is created in std::filesystem::temp_directory_path() (TMPDIR) and
/// unlinked at once, so it disappears when the sorter does or the process ends, even when
/// killed: nothing is left behind. Records are trivially copyable and written as bytes, read
/// back by the same process only. `Less` must be a strict total order (break ties on a
/// unique field) for the order not to depend on the buffer size.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <unistd.h>
#include <vector>

namespace apmsim {

template <class T, class Less>
class ExternalSort {
    static_assert(std::is_trivially_copyable_v<T>, "records are written to the temporary file as bytes");

public:
    /// `what`: the records' name, for errors ("claims rows").
    ExternalSort(std::size_t buffer_records, std::string what, Less less = {})
        : capacity_(std::max<std::size_t>(buffer_records, 2)), what_(std::move(what)), less_(less) {
        buffer_.reserve(std::min<std::size_t>(capacity_, 1u << 16));
    }
    ExternalSort(const ExternalSort&) = delete;
    ExternalSort& operator=(const ExternalSort&) = delete;
    ~ExternalSort() {
        if (file_) std::fclose(file_);
    }

    void push(const T& record) {
        if (buffer_.size() == capacity_) spill();
        buffer_.push_back(record);
        ++count_;
    }
    std::size_t size() const { return count_; }
    std::size_t runs() const { return runs_.size(); }

    /// Ends the pushes and starts the merge; next() then gives the records in order.
    void finish() {
        if (runs_.empty()) {
            std::sort(buffer_.begin(), buffer_.end(), less_);
            return;
        }
        if (!buffer_.empty()) spill();
        std::vector<T>().swap(buffer_);
        if (std::fflush(file_) != 0) fail("write");
        const std::size_t chunk = std::max<std::size_t>(64, capacity_ / runs_.size());
        for (std::size_t r = 0; r < runs_.size(); ++r) {
            runs_[r].buffer.reserve(std::min(chunk, runs_[r].count));
            runs_[r].chunk = chunk;
            if (refill(runs_[r])) heap_.push_back(r);
        }
        std::make_heap(heap_.begin(), heap_.end(), heap_order());
    }

    /// The next record in order; false after the last.
    bool next(T& out) {
        if (runs_.empty()) {
            if (cursor_ == buffer_.size()) return false;
            out = buffer_[cursor_++];
            return true;
        }
        if (heap_.empty()) return false;
        std::pop_heap(heap_.begin(), heap_.end(), heap_order());
        Run& run = runs_[heap_.back()];
        out = run.buffer[run.position++];
        if (run.position < run.buffer.size() || refill(run)) std::push_heap(heap_.begin(), heap_.end(), heap_order());
        else heap_.pop_back();
        return true;
    }

private:
    struct Run {
        off_t offset = 0;               ///< the next unread record's byte offset
        std::size_t count = 0, read = 0;  ///< records in the run, records read into buffers
        std::size_t chunk = 0, position = 0;
        std::vector<T> buffer;
    };

    /// A heap on the runs' current records: the smallest on top.
    auto heap_order() const {
        return [this](std::size_t a, std::size_t b) {
            const Run &x = runs_[a], &y = runs_[b];
            return less_(y.buffer[y.position], x.buffer[x.position]);
        };
    }

    void open() {
        std::error_code error;
        const std::filesystem::path dir = std::filesystem::temp_directory_path(error);
        if (error) throw std::runtime_error("sorting " + what_ + ": no temporary folder (TMPDIR): " + error.message());
        dir_ = dir.string();
        std::string name = (dir / "apmsim-sort-XXXXXX").string();
        const int fd = ::mkstemp(name.data());
        if (fd < 0) fail("create");
        ::unlink(name.c_str());  // gone with the last descriptor, even if the process is killed
        file_ = ::fdopen(fd, "w+b");
        if (!file_) {
            ::close(fd);
            fail("open");
        }
    }

    void spill() {
        if (!file_) open();
        errno = 0;
        std::sort(buffer_.begin(), buffer_.end(), less_);
        Run run;
        run.offset = written_, run.count = buffer_.size();
        if (::fseeko(file_, written_, SEEK_SET) != 0 || std::fwrite(buffer_.data(), sizeof(T), buffer_.size(), file_) != buffer_.size())
            fail("write");
        written_ += static_cast<off_t>(buffer_.size() * sizeof(T));
        runs_.push_back(std::move(run));
        buffer_.clear();
    }

    /// Reads the run's next chunk; false when the run is exhausted.
    bool refill(Run& run) {
        const std::size_t n = std::min(run.chunk, run.count - run.read);
        if (n == 0) return false;
        run.buffer.resize(n);
        errno = 0;
        if (::fseeko(file_, run.offset, SEEK_SET) != 0 || std::fread(run.buffer.data(), sizeof(T), n, file_) != n) fail("read");
        run.offset += static_cast<off_t>(n * sizeof(T));
        run.read += n, run.position = 0;
        return true;
    }

    [[noreturn]] void fail(const char* verb) const {
        const int error = errno;
        throw std::runtime_error("sorting " + what_ + ": cannot " + verb + " a temporary file in " + dir_ +
                                 " (set TMPDIR to a folder with room): " + (error ? std::strerror(error) : "short transfer"));
    }

    std::size_t capacity_;
    std::string what_, dir_;
    Less less_;
    std::vector<T> buffer_;
    std::size_t count_ = 0, cursor_ = 0;
    std::FILE* file_ = nullptr;
    off_t written_ = 0;
    std::vector<Run> runs_;
    std::vector<std::size_t> heap_;
};

}  // namespace apmsim
