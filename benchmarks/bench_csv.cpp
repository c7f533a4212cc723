// The CSV reader (core/csv.hpp) on a claims-like file of 1,000,000 lines and 9 columns
// (about 73 MB, written once to a temporary file): reading every record, and reading them
// while parsing the two amounts with number(). peak_rss_mib is the process's peak resident
// memory, which stays flat with the file's size (the reader streams 1 MiB blocks).
// StandardiseClaims loads and cleans the same file against 2,000 members (claims/
// standardise.hpp), its argument the rows sorted in memory before runs spill to disk; run
// each argument in its own process for its peak memory:
//   ./build/benchmarks/bench_csv
//   ./build/benchmarks/bench_csv --benchmark_filter='StandardiseClaims/65536/'
#include "apmsim/claims/standardise.hpp"
#include "apmsim/core/csv.hpp"

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

constexpr std::size_t claim_lines = 1'000'000, members = 2'000;

/// Money with two decimals from a pseudo-random integer (cents).
std::string amount(std::uint64_t cents) {
    return std::to_string(cents / 100) + "." + std::to_string(cents % 100 / 10) + std::to_string(cents % 10);
}

/// The claims file, written on first use and removed at exit.
struct ClaimsFile {
    std::string path = (std::filesystem::temp_directory_path() / "apmsim_bench_claims.csv").string();
    std::uintmax_t bytes = 0;
    ClaimsFile() {
        static const char* categories[] = {"inpatient", "outpatient", "emergency", "pharmacy", "\"professional, other\"", "home health"};
        std::ofstream out(path, std::ios::binary);
        out << "claim_id,line,member_id,service_date,paid_date,category,allowed,paid,adjustment\n";
        std::uint64_t x = 88172645463325252u;  // xorshift64
        std::string row;
        for (std::size_t k = 0; k < claim_lines; ++k) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            const std::uint64_t allowed = 500 + x % 2'500'000, paid = allowed * (60 + x % 41) / 100;
            row = "C" + std::to_string(1'000'000 + k / 3) + "," + std::to_string(1 + k % 3) + ",M" + std::to_string(100'000 + x % members) +
                  ",2024-" + std::to_string(10 + x % 3) + "-1" + std::to_string(x % 10) + ",2024-12-0" + std::to_string(1 + x % 9) + "," +
                  categories[x % 6] + "," + amount(allowed) + "," + amount(paid) + "," + (x % 5 == 0 ? "-" + amount(x % 5000) : "") + "\n";
            out << row;
        }
        out.close();
        bytes = std::filesystem::file_size(path);
    }
    ~ClaimsFile() { std::remove(path.c_str()); }
};

const ClaimsFile& claims() {
    static const ClaimsFile file;
    return file;
}

void report(benchmark::State& state, std::size_t records) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    state.counters["records"] = static_cast<double>(records);
    state.counters["MB_per_s"] = benchmark::Counter(static_cast<double>(claims().bytes) * static_cast<double>(state.iterations()) / 1e6,
                                                    benchmark::Counter::kIsRate);
    state.counters["peak_rss_mib"] = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void CsvReadRecords(benchmark::State& state) {
    const std::string& path = claims().path;
    std::size_t records = 0;
    for (auto _ : state) {
        apmsim::csv::Reader in(path);
        std::size_t bytes = 0;
        while (in.next()) bytes += in.field(8).size();
        benchmark::DoNotOptimize(bytes);
        records = in.records();
    }
    report(state, records);
}
BENCHMARK(CsvReadRecords)->Unit(benchmark::kMillisecond)->UseRealTime();

void CsvReadAndParseAmounts(benchmark::State& state) {
    const std::string& path = claims().path;
    std::size_t records = 0;
    for (auto _ : state) {
        apmsim::csv::Reader in(path);
        const std::size_t allowed = in.column("allowed"), paid = in.column("paid");
        double total = 0.0;
        while (in.next()) total += in.number(allowed) - in.number(paid);
        benchmark::DoNotOptimize(total);
        records = in.records();
    }
    report(state, records);
}
BENCHMARK(CsvReadAndParseAmounts)->Unit(benchmark::kMillisecond)->UseRealTime();

void StandardiseClaims(benchmark::State& state) {
    std::string members_text = "member_id,tier,enrolment_start,enrolment_end\n";
    for (std::size_t i = 0; i < members; ++i)
        members_text += "M" + std::to_string(100'000 + i) + (i % 3 ? ",B" : ",A") + ",2024-01-01,2024-12-31\n";
    apmsim::claims::StandardiseOptions options;
    options.rows_in_memory = static_cast<std::size_t>(state.range(0));
    std::size_t records = 0, events = 0;
    for (auto _ : state) {
        auto m = apmsim::csv::Reader::from_text(members_text, "members.csv");
        apmsim::csv::Reader c(claims().path);
        const apmsim::claims::CleanClaims clean = apmsim::claims::standardise(m, c, apmsim::claims::ColumnMap{}, options);
        records = clean.report.rows_in, events = clean.events.size();
    }
    report(state, records);
    state.counters["events"] = static_cast<double>(events);
}
BENCHMARK(StandardiseClaims)->Arg(1 << 19)->Arg(1 << 16)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
