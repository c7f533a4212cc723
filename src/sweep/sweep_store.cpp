// The sweep database (sweep/sweep_store.hpp), on SQLite.
#include "apmsim/sweep/sweep_store.hpp"

#include "apmsim/version.hpp"

#include <sqlite3.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>

namespace apmsim {

namespace {

/// A prepared statement, finalized on scope exit.
class Statement {
public:
    Statement(sqlite3* db, const std::string& sql) {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK) s_ = nullptr;
    }
    ~Statement() { sqlite3_finalize(s_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    sqlite3_stmt* get() const { return s_; }
    explicit operator bool() const { return s_ != nullptr; }

private:
    sqlite3_stmt* s_ = nullptr;
};

std::string quoted_identifier(const std::string& name) {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string now_utc() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

void bind_text(sqlite3_stmt* s, int k, const std::string& text) { sqlite3_bind_text(s, k, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT); }

/// Column k as text, by its length (NUL bytes kept); "" for NULL, which a damaged or
/// hand-made database may hold where apmsim never writes one.
std::string column_text(sqlite3_stmt* s, int k) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, k));
    return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(s, k))) : std::string();
}

/// An axis value in its column: numbers as numbers, strings as text, anything else as JSON.
void bind_json(sqlite3_stmt* s, int k, const Json& v) {
    if (v.is_number_integer()) sqlite3_bind_int64(s, k, v.get<std::int64_t>());
    else if (v.is_number()) sqlite3_bind_double(s, k, v.get<double>());
    else if (v.is_string()) bind_text(s, k, v.get<std::string>());
    else if (v.is_boolean()) sqlite3_bind_int(s, k, v.get<bool>() ? 1 : 0);
    else bind_text(s, k, v.dump());
}

const char* const schema =
    "CREATE TABLE sweep (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE statistics (variant INTEGER NOT NULL REFERENCES variants(id), model TEXT NOT NULL, arm TEXT NOT NULL,"
    " year INTEGER NOT NULL, party TEXT NOT NULL, component TEXT NOT NULL, category TEXT NOT NULL, tier TEXT NOT NULL,"
    " measure TEXT NOT NULL, statistic TEXT NOT NULL, value REAL);"
    "CREATE INDEX statistics_by_variant ON statistics(variant);";

}  // namespace

void SweepStore::fail(const std::string& doing) const {
    const int code = db_ ? sqlite3_errcode(db_) : SQLITE_CANTOPEN;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        throw InvalidInput(file_, "a sweep database no other apmsim process is writing", "one that another process holds locked (wait for it, or use another --db)");
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
        throw InvalidInput(file_, "an apmsim sweep database (SQLite)", std::string("a file that is not one, or is damaged (SQLite: ") + sqlite3_errmsg(db_) + ")");
    if (code == SQLITE_FULL || code == SQLITE_IOERR)  // the transaction rolls back: finished variants stay
        throw OutputError(file_ + ": " + doing + " failed: " + sqlite3_errmsg(db_) + " (the variants finished before are kept; --resume continues)");
    throw ComputationError(file_ + ": " + doing + " failed: " + (db_ ? sqlite3_errmsg(db_) : "cannot open"));
}

void SweepStore::execute(const std::string& sql) const {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail("\"" + sql.substr(0, 40) + "\"");
}

SweepStore::SweepStore(const std::string& file, const Json& definition, const std::vector<Variant>& variants, bool resume) : file_(file) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool exists = fs::exists(file, ec);
    if (fs::is_directory(file, ec)) throw InvalidInput(file, "a database file path", "a folder");
    if (exists && !resume)
        throw InvalidInput(file, "a new database path (or --resume to continue the sweep stored there)", "a file that exists");
    if (exists && !fs::is_regular_file(file, ec)) throw InvalidInput(file, "an apmsim sweep database (SQLite)", "not a regular file");
    try {
        open_locked(file);
        read_or_create(definition, variants);
        execute("PRAGMA journal_mode=WAL");  // after read_or_create's statements are finalized
    } catch (...) {
        close();
        if (!exists)  // a database this call created holds nothing worth keeping
            for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(file + suffix, ec);
        throw;
    }
}

void SweepStore::open_locked(const std::string& file) {
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        sqlite3_close(db_);
        db_ = nullptr;
        throw InvalidInput(file, "a database path in a folder you can write to", "one that cannot be opened");
    }
    // One writer: an flock on the file, held from here to close (and dropped by the
    // system if the process dies), refuses a second writer at once. SQLite's own locks
    // are fcntl locks, which flock does not touch; the descriptor stays open until after
    // sqlite3_close (closing one early would drop SQLite's locks). The WAL journal lets
    // readers (apmsim.read_sweep, sqlite3) read finished variants while the sweep runs.
    lock_fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (lock_fd_ < 0) fail("opening the database");
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
        throw InvalidInput(file_, "a sweep database no other apmsim process is writing", "one that another process is writing now (wait for it, or use another --db)");
    sqlite3_busy_timeout(db_, 10'000);  // a reader's checkpoint or read lock, briefly
    execute("BEGIN IMMEDIATE");
}

void SweepStore::read_or_create(const Json& definition, const std::vector<Variant>& variants) {
    Statement tables(db_, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='sweep'");
    if (!tables || sqlite3_step(tables.get()) != SQLITE_ROW) fail("reading the database");
    const bool fresh = sqlite3_column_int(tables.get(), 0) == 0;
    if (fresh) {
        create(definition, variants);
    } else {
        check_same_sweep(definition);
        Statement done(db_, "SELECT id FROM variants WHERE status = 'finished'");
        if (!done) fail("reading the variants");
        while (sqlite3_step(done.get()) == SQLITE_ROW) finished_.insert(static_cast<std::size_t>(sqlite3_column_int64(done.get(), 0)));
    }
    execute("COMMIT");
}

void SweepStore::close() {
    sqlite3_close(db_);
    db_ = nullptr;
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
}

SweepStore::~SweepStore() { close(); }

void SweepStore::create(const Json& definition, const std::vector<Variant>& variants) {
    std::string columns;
    for (const auto& p : variants.front().parameters) columns += ", " + quoted_identifier(p.axis);
    execute(std::string(schema) +
            "CREATE TABLE variants (id INTEGER PRIMARY KEY, parameters TEXT NOT NULL, seed TEXT NOT NULL,"
            " status TEXT NOT NULL CHECK (status IN ('pending', 'finished')), finished TEXT, seconds REAL,"
            " apmsim_version TEXT" + columns + ");");
    {
        Statement put(db_, "INSERT INTO sweep (key, value) VALUES (?, ?)");
        for (const auto& [key, value] : {std::pair<std::string, std::string>{"definition", definition.dump()},
                                         {"apmsim_version", apmsim::version}, {"created", now_utc()}}) {
            bind_text(put.get(), 1, key);
            bind_text(put.get(), 2, value);
            if (sqlite3_step(put.get()) != SQLITE_DONE) fail("writing the sweep table");
            sqlite3_reset(put.get());
        }
    }
    std::string placeholders;
    for (std::size_t k = 0; k < variants.front().parameters.size(); ++k) placeholders += ", ?";
    std::string names;
    for (const auto& p : variants.front().parameters) names += ", " + quoted_identifier(p.axis);
    Statement add(db_, "INSERT INTO variants (id, parameters, seed, status" + names + ") VALUES (?, ?, ?, 'pending'" + placeholders + ")");
    if (!add) fail("preparing the variants table");
    for (const Variant& v : variants) {
        Json parameters = Json::object();
        for (const auto& p : v.parameters) parameters[p.axis] = p.value;
        sqlite3_bind_int64(add.get(), 1, static_cast<sqlite3_int64>(v.id));
        bind_text(add.get(), 2, parameters.dump());
        bind_text(add.get(), 3, std::to_string(v.seed));
        for (std::size_t k = 0; k < v.parameters.size(); ++k) bind_json(add.get(), static_cast<int>(k + 4), v.parameters[k].value);
        if (sqlite3_step(add.get()) != SQLITE_DONE) fail("writing the variants table");
        sqlite3_reset(add.get());
    }
}

void SweepStore::check_same_sweep(const Json& definition) const {
    Statement get(db_, "SELECT key, value FROM sweep");
    if (!get) fail("reading the sweep table");
    std::string stored_definition, stored_version;
    while (sqlite3_step(get.get()) == SQLITE_ROW) {
        const std::string key = column_text(get.get(), 0), value = column_text(get.get(), 1);
        if (key == "definition") stored_definition = value;
        if (key == "apmsim_version") stored_version = value;
    }
    if (stored_version != apmsim::version)
        throw InvalidInput(file_, "a sweep database made by apmsim " + std::string(apmsim::version) + " (results of two versions must not mix)",
                           "one made by apmsim " + stored_version);
    if (stored_definition == definition.dump()) return;
    Json stored;
    try {
        stored = Json::parse(stored_definition);
    } catch (const Json::exception&) {
        throw InvalidInput(file_, "an apmsim sweep database", "one whose stored definition is not JSON");
    }
    std::string differs;
    for (const auto& [key, value] : definition.items())
        if (!stored.contains(key) || stored.at(key) != value) differs += (differs.empty() ? "" : ", ") + key;
    throw InvalidInput(file_, "the database of this sweep (--resume continues the same sweep)",
                       "one made from a different sweep (" + (differs.empty() ? std::string("definition") : differs) + " differ)");
}

void SweepStore::store(const Variant& v, const std::vector<StatisticRow>& rows, double seconds) {
    execute("BEGIN");
    {
        Statement add(db_, "INSERT INTO statistics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        if (!add) fail("preparing the statistics table");
        for (const StatisticRow& r : rows) {
            sqlite3_bind_int64(add.get(), 1, static_cast<sqlite3_int64>(v.id));
            bind_text(add.get(), 2, r.model);
            bind_text(add.get(), 3, r.arm);
            sqlite3_bind_int(add.get(), 4, r.year);
            bind_text(add.get(), 5, r.party);
            bind_text(add.get(), 6, r.component);
            bind_text(add.get(), 7, r.category);
            bind_text(add.get(), 8, r.tier);
            bind_text(add.get(), 9, r.measure);
            bind_text(add.get(), 10, r.statistic);
            if (std::isnan(r.value)) sqlite3_bind_null(add.get(), 11);
            else sqlite3_bind_double(add.get(), 11, r.value);
            if (sqlite3_step(add.get()) != SQLITE_DONE) fail("writing statistics");
            sqlite3_reset(add.get());
        }
        Statement mark(db_, "UPDATE variants SET status = 'finished', finished = ?, seconds = ?, apmsim_version = ? WHERE id = ?");
        const std::string finished = now_utc();
        bind_text(mark.get(), 1, finished);
        sqlite3_bind_double(mark.get(), 2, seconds);
        bind_text(mark.get(), 3, apmsim::version);
        sqlite3_bind_int64(mark.get(), 4, static_cast<sqlite3_int64>(v.id));
        if (sqlite3_step(mark.get()) != SQLITE_DONE) fail("marking the variant finished");
    }
    execute("COMMIT");
    finished_.insert(v.id);
}

std::vector<StoredStatistic> read_statistics(const std::string& file) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        throw InvalidInput(file, "a sweep database", "a file that cannot be opened");
    }
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, sqlite3_close);
    Statement get(db, "SELECT variant, model, arm, year, party, component, category, tier, measure, statistic, value FROM statistics"
                      " ORDER BY variant, rowid");
    if (!get) throw InvalidInput(file, "a sweep database", std::string("one without a statistics table (") + sqlite3_errmsg(db) + ")");
    std::vector<StoredStatistic> out;
    auto text = [&](int k) { return column_text(get.get(), k); };
    int rc;
    while ((rc = sqlite3_step(get.get())) == SQLITE_ROW) {
        StoredStatistic s;
        s.variant = static_cast<std::size_t>(sqlite3_column_int64(get.get(), 0));
        s.row = {text(1), text(2), sqlite3_column_int(get.get(), 3), text(4), text(5), text(6), text(7), text(8), text(9),
                 sqlite3_column_type(get.get(), 10) == SQLITE_NULL ? std::nan("") : sqlite3_column_double(get.get(), 10)};
        out.push_back(std::move(s));
    }
    if (rc != SQLITE_DONE) throw InvalidInput(file, "a readable sweep database", std::string("an error: ") + sqlite3_errmsg(db));
    return out;
}

}  // namespace apmsim
