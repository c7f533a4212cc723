#pragma once
/// \file sweep_store.hpp
/// \brief The SQLite database a sweep writes (docs/sweeps.md): a `sweep` table of
/// facts (the definition with its base inline, the apmsim version), a `variants` table
/// (id, parameters as JSON and one column per axis, seed, status, times, version) and a
/// tidy `statistics` table (variant, model, arm, year, party, component, category,
/// tier, measure, statistic, value). Each finished variant is committed in one
/// transaction, so a killed sweep loses only the variant it was working on. The store
/// holds a writer's lock (flock) from open to close: a second writer is refused at once;
/// readers may read the finished variants meanwhile (WAL journal).

#include "apmsim/outputs/statistics_table.hpp"
#include "apmsim/sweep/sweep.hpp"

#include <memory>
#include <set>
#include <string>
#include <vector>

struct sqlite3;

namespace apmsim {

class SweepStore {
public:
    /// Opens (creating when absent) the database for `definition`'s variants. A new
    /// database is filled with the definition and its variants as "pending". An existing
    /// one is refused unless `resume`, and then unless it was made from the same
    /// definition (same base, axes, design, seeds and trials) by the same apmsim version.
    SweepStore(const std::string& file, const Json& definition, const std::vector<Variant>& variants, bool resume);
    ~SweepStore();
    SweepStore(const SweepStore&) = delete;
    SweepStore& operator=(const SweepStore&) = delete;

    const std::set<std::size_t>& finished() const { return finished_; }
    /// Stores a finished variant's statistics and marks it finished, in one transaction.
    void store(const Variant& v, const std::vector<StatisticRow>& rows, double seconds);

private:
    void open_locked(const std::string& file);
    void read_or_create(const Json& definition, const std::vector<Variant>& variants);
    void close();
    void execute(const std::string& sql) const;
    void create(const Json& definition, const std::vector<Variant>& variants);
    void check_same_sweep(const Json& definition) const;
    [[noreturn]] void fail(const std::string& doing) const;

    std::string file_;
    sqlite3* db_ = nullptr;
    int lock_fd_ = -1;  ///< holds the writer's flock
    std::set<std::size_t> finished_;
};

/// The rows of a sweep database, for readers (Python reads it with sqlite3 directly).
struct StoredStatistic {
    std::size_t variant = 0;
    StatisticRow row;
};
std::vector<StoredStatistic> read_statistics(const std::string& file);

}  // namespace apmsim
