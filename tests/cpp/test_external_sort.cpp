// The external sort (core/external_sort.hpp): the same order as std::sort for any buffer
// size, nothing left in TMPDIR, and a full disk or a missing folder as a clear error.
#include "apmsim/core/external_sort.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <tuple>

using apmsim::ExternalSort;

namespace {

struct Record {
    std::uint32_t key = 0;  // few distinct values: many ties, broken by id
    std::uint64_t id = 0;
    double payload = 0.0;
};
struct ByKeyThenId {
    bool operator()(const Record& a, const Record& b) const { return std::tie(a.key, a.id) < std::tie(b.key, b.id); }
};

std::vector<Record> records(std::size_t n, std::uint64_t seed) {
    std::vector<Record> out(n);
    std::uint64_t x = seed | 1;
    for (std::size_t i = 0; i < n; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
        out[i] = {static_cast<std::uint32_t>(x % 97), i, static_cast<double>(x >> 11)};
    }
    return out;
}

std::vector<Record> sorted_externally(const std::vector<Record>& in, std::size_t buffer, std::size_t* runs = nullptr) {
    ExternalSort<Record, ByKeyThenId> sort(buffer, "test records");
    for (const Record& r : in) sort.push(r);
    sort.finish();
    if (runs) *runs = sort.runs();
    std::vector<Record> out;
    Record r;
    while (sort.next(r)) out.push_back(r);
    return out;
}

/// TMPDIR pointed at a fresh folder for the test's life.
class TemporaryFolder {
public:
    TemporaryFolder() : path_(std::filesystem::temp_directory_path() / ("apmsim_test_sort_" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(path_);
        if (const char* old = std::getenv("TMPDIR")) old_ = old;
        ::setenv("TMPDIR", path_.c_str(), 1);
    }
    ~TemporaryFolder() {
        if (old_) ::setenv("TMPDIR", old_->c_str(), 1);
        else ::unsetenv("TMPDIR");
        std::filesystem::remove_all(path_);
    }
    bool empty() const { return std::filesystem::is_empty(path_); }

private:
    std::filesystem::path path_;
    std::optional<std::string> old_;
};

}  // namespace

TEST(ExternalSort, EveryBufferSizeGivesStdSortsOrder) {
    const std::vector<Record> in = records(20'000, 42);
    std::vector<Record> expected = in;
    std::sort(expected.begin(), expected.end(), ByKeyThenId{});
    for (const std::size_t buffer : {2u, 3u, 1000u, 7'919u, 20'000u, 1'000'000u}) {
        std::size_t runs = 0;
        const std::vector<Record> out = sorted_externally(in, buffer, &runs);
        ASSERT_EQ(out.size(), expected.size()) << "buffer " << buffer;
        for (std::size_t i = 0; i < out.size(); ++i) {
            ASSERT_EQ(out[i].id, expected[i].id) << "buffer " << buffer << ", record " << i;
            ASSERT_EQ(out[i].payload, expected[i].payload);
        }
        EXPECT_EQ(runs, buffer >= in.size() ? 0u : (in.size() + buffer - 1) / buffer) << "buffer " << buffer;
    }
}

TEST(ExternalSort, NoRecordsAndOneRecord) {
    EXPECT_TRUE(sorted_externally({}, 4).empty());
    const std::vector<Record> one = records(1, 7);
    EXPECT_EQ(sorted_externally(one, 2).at(0).id, 0u);
    const std::vector<Record> five = records(5, 9);  // 3 runs of 2, 2 and 1
    EXPECT_EQ(sorted_externally(five, 2).size(), 5u);
}

TEST(ExternalSort, TheTemporaryFileIsNeverVisibleInTmpdir) {
    const TemporaryFolder folder;
    ExternalSort<Record, ByKeyThenId> sort(100, "test records");
    for (const Record& r : records(1'000, 3)) sort.push(r);
    EXPECT_EQ(sort.runs(), 9u);  // the 10th buffer is still in memory
    EXPECT_TRUE(folder.empty());  // unlinked at creation: nothing to leave behind if killed
    sort.finish();
    Record r;
    std::size_t n = 0;
    while (sort.next(r)) ++n;
    EXPECT_EQ(n, 1'000u);
    EXPECT_TRUE(folder.empty());
}

TEST(ExternalSort, AMissingTemporaryFolderIsAClearError) {
    const TemporaryFolder folder;
    ::setenv("TMPDIR", "/nonexistent/apmsim-no-such-folder", 1);
    ExternalSort<Record, ByKeyThenId> sort(10, "test records");
    try {
        for (const Record& r : records(100, 5)) sort.push(r);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("sorting test records: no temporary folder (TMPDIR)"), std::string::npos) << e.what();
    }
}

// A full disk, simulated by the file-size limit (RLIMIT_FSIZE): writes past it fail with
// EFBIG, as they would with ENOSPC, and SIGXFSZ is ignored so the write returns an error.
TEST(ExternalSort, AFullDiskIsAClearErrorNamingTheFolder) {
    const TemporaryFolder folder;
    rlimit old{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 64 * 1024;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    std::string message;
    try {
        ExternalSort<Record, ByKeyThenId> sort(1'000, "test records");  // runs of 24 KB
        for (const Record& r : records(20'000, 11)) sort.push(r);
        sort.finish();
    } catch (const std::runtime_error& e) {
        message = e.what();
    }
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
    EXPECT_NE(message.find("sorting test records: cannot write a temporary file in "), std::string::npos) << message;
    EXPECT_NE(message.find("apmsim_test_sort_"), std::string::npos) << message;
    EXPECT_NE(message.find("File too large"), std::string::npos) << message;
    EXPECT_TRUE(folder.empty());
}
