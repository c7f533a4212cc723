// Synthetic claims extracts (synth.hpp): byte-identical files for a seed; clean files whose
// event rates, severities and run-out match the cost model and the lag distribution within
// standard errors; the engine's counts and costs of trial 0 reproduced; each mess rule's rows
// counted from the files as truth.json says; a reference cleaner recovering the truth; and
// bad options named. Files are read back with a plain comma split (they have no quotes).
#include "apmsim/scenario.hpp"
#include "apmsim/simulation/engine.hpp"
#include "apmsim/stats/exposure.hpp"
#include "apmsim/synth.hpp"
#include "test_helpers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace apmsim;
namespace fs = std::filesystem;

namespace {

/// A fresh folder for one test's files, removed at the end.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name)
        : path(fs::temp_directory_path() / ("apmsim_test_synth_" + name + "_" + std::to_string(::getpid()))) {
        fs::remove_all(path);
    }
    ~TempDir() { fs::remove_all(path); }
    std::string str() const { return path.string(); }
    std::string file(const char* name) const { return (path / name).string(); }
};

std::string bytes_of(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

using Fields = std::vector<std::string>;

/// The rows of a CSV file without quoting, split on commas, header first.
std::vector<Fields> read_csv(const std::string& file) {
    std::vector<Fields> rows;
    std::istringstream in(bytes_of(file));
    for (std::string line; std::getline(in, line);) {
        Fields f;
        std::size_t start = 0;
        for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1) f.push_back(line.substr(start, comma - start));
        f.push_back(line.substr(start));
        rows.push_back(f);
    }
    return rows;
}

/// Cents of "-123.45" (sign, digits, a point, two digits); false for anything else.
bool parse_cents(const std::string& s, std::int64_t& cents) {
    const std::size_t sign = !s.empty() && s[0] == '-' ? 1 : 0;
    if (s.size() < sign + 4 || s[s.size() - 3] != '.') return false;
    std::int64_t v = 0;
    for (std::size_t i = sign; i < s.size(); ++i) {
        if (i == s.size() - 3) continue;
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    cents = sign ? -v : v;
    return true;
}

bool valid_date(const std::string& s) {
    try {
        (void)stats::parse_date(s, "date");
        return true;
    } catch (const InvalidInput&) {
        return false;
    }
}

int day_of(const std::string& s) { return stats::parse_date(s, "date").time_since_epoch().count(); }

/// claims.csv columns.
enum Col { claim_id, line_no, member_id, service_date, paid_date, category, allowed, paid, adjustment };

Json truth_of(const TempDir& d) { return Json::parse(bytes_of(d.file("truth.json"))); }

SynthOptions options(std::size_t members, int years, const MessRates& mess, std::uint64_t seed = 11) {
    SynthOptions o;
    o.members = members;
    o.years = years;
    o.seed = seed;
    o.mess = mess;
    return o;
}

const Scenario& program() {
    static const Scenario s = Scenario::default_cmc_program(1000, 3, false);
    return s;
}

/// Claims read back: per claim id its tier x category cell, member, service date and cents.
struct Claim {
    std::string member, category;
    int service = 0;
    std::int64_t cents = 0;
    int lines = 0;
};

std::map<std::string, Claim> claims_of(const std::vector<Fields>& rows) {
    std::map<std::string, Claim> out;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const Fields& r = rows[i];
        Claim& c = out[r[claim_id]];
        std::int64_t cents = 0;
        EXPECT_TRUE(parse_cents(r[allowed], cents)) << r[allowed];
        c.member = r[member_id], c.category = r[category], c.service = day_of(r[service_date]);
        c.cents += cents;
        c.lines += r[adjustment] == "original" ? 1 : -1;
    }
    return out;
}

std::map<std::string, std::string> tier_of_members(const std::vector<Fields>& members) {
    std::map<std::string, std::string> tier;
    for (std::size_t i = 1; i < members.size(); ++i) tier[members[i][0]] = members[i][3];
    return tier;
}

}  // namespace

TEST(Synth, SameSeedSameBytesOtherSeedOther) {
    TempDir a("seed_a"), b("seed_b"), c("seed_c");
    (void)synthesize(program(), options(150, 2, MessRates{}, 5), a.str());
    (void)synthesize(program(), options(150, 2, MessRates{}, 5), b.str());
    (void)synthesize(program(), options(150, 2, MessRates{}, 6), c.str());
    for (const char* f : {"members.csv", "claims.csv", "truth.json"}) {
        EXPECT_FALSE(bytes_of(a.file(f)).empty()) << f;
        EXPECT_EQ(bytes_of(a.file(f)), bytes_of(b.file(f))) << f;
    }
    EXPECT_NE(bytes_of(a.file("claims.csv")), bytes_of(c.file("claims.csv")));
    EXPECT_NE(bytes_of(a.file("members.csv")), bytes_of(c.file("members.csv")));  // birth dates
    EXPECT_EQ(read_csv(a.file("claims.csv"))[0],
              (Fields{"claim_id", "line", "member_id", "service_date", "paid_date", "category", "allowed", "paid", "adjustment"}));
    EXPECT_EQ(read_csv(a.file("members.csv"))[0],
              (Fields{"member_id", "birth_date", "sex", "tier", "risk_score", "enrolment_start", "enrolment_end"}));
}

/// Events per exposure-year and allowed per event of each cell of clean files, against the
/// cost model: N | F ~ NB(lambda F e, r) with F ~ Gamma(mean 1, cv), so a member-year of
/// e = 1 has Var N = lambda + lambda^2 (1 + cv^2) / r + lambda^2 cv^2; an event of data
/// year y has mean m (1 + g)^y and variance v (1 + g)^(2y).
TEST(Synth, CleanFilesMatchTheCostModel) {
    TempDir d("clean");
    SynthOptions o = options(3000, 2, MessRates::none());
    o.valuation = "2030-12-31";  // everything paid: the files hold every event
    const SynthSummary s = synthesize(program(), o, d.str());
    const auto members = read_csv(d.file("members.csv"));
    ASSERT_EQ(members.size(), 3001u);
    std::map<std::string, double> years_by_tier;
    for (std::size_t i = 1; i < members.size(); ++i) {
        ASSERT_EQ(members[i][5], "2024-01-01");
        ASSERT_EQ(members[i][6], "2025-12-31");
        years_by_tier[members[i][3]] += 2.0;
    }
    const auto tier = tier_of_members(members);
    std::map<std::pair<std::string, std::string>, std::vector<const Claim*>> cell;
    const auto claims = claims_of(read_csv(d.file("claims.csv")));
    for (const auto& [id, c] : claims) cell[{tier.at(c.member), c.category}].push_back(&c);
    const CostModel& m = program().cost_model;
    const double cv2 = m.frailty_cv * m.frailty_cv, g = m.trend.mean;
    for (std::size_t t = 0; t < m.tier_count(); ++t)
        for (std::size_t k = 0; k < m.category_count(); ++k) {
            SCOPED_TRACE(m.tiers[t] + " x " + m.categories[k]);
            const auto& nb = std::get<NegativeBinomial>(m.cell(t, k).frequency);
            const double lambda = nb.mean(), e = years_by_tier[m.tiers[t]];
            const auto& list = cell[{m.tiers[t], m.categories[k]}];
            ASSERT_EQ(list.size(), s.cell_total(t, k).events);  // all paid: the truth's events are in the files
            const double var = lambda + lambda * lambda * (1 + cv2) / nb.dispersion() + lambda * lambda * cv2;
            EXPECT_NEAR(static_cast<double>(list.size()) / e, lambda, 4 * std::sqrt(var * e) / e);
            double sum = 0, factor = 0, factor2 = 0;
            for (const Claim* c : list) {
                const double f = std::pow(1 + g, c->service >= day_of("2025-01-01") ? 1 : 0);
                sum += static_cast<double>(c->cents) / 100, factor += f, factor2 += f * f;
            }
            const double n = static_cast<double>(list.size());
            const double sev = mean(m.cell(t, k).severity), sev_var = variance(m.cell(t, k).severity);
            EXPECT_NEAR(sum / n, sev * factor / n, 4 * std::sqrt(sev_var * factor2) / n);
        }
}

/// The share of a month's claims not paid by the valuation date V: a claim of day s is
/// unpaid when its lag ceil(X) > V - s, probability exp(-(V - s) / mean), averaged over the
/// month's days; the truth's unpaid claims and the files' missing ones both match it.
TEST(Synth, RunOutMatchesTheLagDistribution) {
    TempDir d("runout");
    SynthOptions o = options(2000, 1, MessRates::none());
    o.mean_payment_lag_days = 40;
    const SynthSummary s = synthesize(program(), o, d.str());
    const Json truth = truth_of(d);
    const auto claims = claims_of(read_csv(d.file("claims.csv")));
    const int valuation = day_of("2024-12-31");
    double expected_unpaid = 0, variance_unpaid = 0, unpaid = 0;
    for (int k = 0; k < 12; ++k) {
        const Json& month = truth["truth"]["by_incurred_month"][static_cast<std::size_t>(k)];
        const int first = day_of(month["month"].get<std::string>() + "-01");
        const int last = k == 11 ? valuation : day_of(truth["truth"]["by_incurred_month"][static_cast<std::size_t>(k + 1)]["month"].get<std::string>() + "-01") - 1;
        double p = 0;
        for (int day = first; day <= last; ++day) p += std::exp(-(valuation - day) / 40.0);
        p /= last - first + 1;
        const double n = month["claims"].get<double>(), u = month["unpaid_claims"].get<double>();
        if (k == 11) {
            EXPECT_NEAR(u / n, p, 4 * std::sqrt(p * (1 - p) / n)) << "last month";
        }
        expected_unpaid += n * p, variance_unpaid += n * p * (1 - p), unpaid += u;
        std::uint64_t in_files = 0;
        for (const auto& [id, c] : claims) in_files += c.service >= first && c.service <= last ? 1 : 0;
        EXPECT_EQ(in_files, month["claims"].get<std::uint64_t>() - month["unpaid_claims"].get<std::uint64_t>()) << k;
    }
    EXPECT_NEAR(unpaid, expected_unpaid, 4 * std::sqrt(variance_unpaid));
    EXPECT_GT(unpaid, 0);
    EXPECT_EQ(claims.size(), truth["truth"]["totals"]["claims"].get<std::uint64_t>() - truth["truth"]["totals"]["unpaid_claims"].get<std::uint64_t>());
    for (const auto& row : read_csv(d.file("claims.csv")))
        if (row[0] != "claim_id") {
            ASSERT_LE(day_of(row[paid_date]), valuation);
        }
    EXPECT_EQ(s.true_lines_written, s.claim_rows);
}

/// Trial 0 of the engine with the same seed draws the same counts and severities: the
/// events per year x tier x category are equal and the costs equal up to the trend factor
/// (the engine's (1 + g)^(y + 1) against the extract's (1 + g)^y) and rounding to cents.
TEST(Synth, ReproducesTheEnginesTrialZero) {
    Scenario s = Scenario::default_cmc_program(400, 2, false);
    s.intervention.reset();
    s.cost_model.trend.sd = 0.0;
    SimulationOptions so;
    so.trials = 1, so.seed = 77, so.threads = 1;
    const SimulationResults r = simulate(s, so);
    TempDir d("engine");
    const SynthSummary out = synthesize(s, options(400, 2, MessRates::none(), 77), d.str());
    const double g = s.cost_model.trend.mean;
    for (int y = 0; y < 2; ++y)
        for (std::size_t t = 0; t < 3; ++t)
            for (std::size_t c = 0; c < s.cost_model.category_count(); ++c) {
                const SynthCell& cell = out.cells[out.cell_index(t, c, y)];
                const std::size_t at = r.cell_index(0, y, t, c);
                EXPECT_EQ(static_cast<double>(cell.events), r.arms[0].events[at]) << y << t << c;
                const double engine = r.arms[0].cost[at] / (1 + g);
                EXPECT_NEAR(static_cast<double>(cell.allowed_cents) / 100, engine, 0.005 * static_cast<double>(cell.events) + 1e-9 * engine);
            }
}

namespace {

/// Runs one rule alone at `rate` (member rules on 400 members, line rules on 200) and
/// returns the folder's files read back with the summary.
struct RuleRun {
    TempDir dir;
    SynthSummary summary;
    std::vector<Fields> members, claims;
    RuleRun(std::size_t rule, double rate, const std::string& valuation = "")
        : dir("rule" + std::to_string(rule)) {
        MessRates m = MessRates::none();
        m.rate(rule) = rate;
        SynthOptions o = options(rule == 3 || rule == 4 ? 400 : 200, 1, m);
        o.valuation = valuation;
        summary = synthesize(program(), o, dir.str());
        members = read_csv(dir.file("members.csv"));
        claims = read_csv(dir.file("claims.csv"));
    }
    std::uint64_t rows(const char* rule) const { return truth_of(dir)["mess"][rule]["rows"].get<std::uint64_t>(); }
};

std::uint64_t count_rows(const std::vector<Fields>& rows, const std::function<bool(const Fields&)>& is) {
    std::uint64_t n = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) n += is(rows[i]) ? 1 : 0;
    return n;
}

}  // namespace

TEST(Synth, DuplicateRowsAreCounted) {
    const RuleRun run(0, 0.05);
    std::map<Fields, int> seen;
    for (std::size_t i = 1; i < run.claims.size(); ++i) ++seen[run.claims[i]];
    std::uint64_t extra = 0;
    for (const auto& [row, n] : seen) extra += static_cast<std::uint64_t>(n - 1);
    EXPECT_GT(extra, 0u);
    EXPECT_EQ(extra, run.rows("duplicate"));
    EXPECT_EQ(run.claims.size() - 1, run.summary.true_lines_written + extra);
}

TEST(Synth, ReversalsAreCountedAndNetToTheTrueLine) {
    const RuleRun run(1, 0.05);
    const std::uint64_t reversals = count_rows(run.claims, [](const Fields& r) { return r[adjustment] == "reversal"; });
    EXPECT_GT(reversals, 0u);
    EXPECT_EQ(2 * reversals, run.rows("reversal"));
    std::map<std::pair<std::string, std::string>, std::vector<std::int64_t>> lines;
    for (std::size_t i = 1; i < run.claims.size(); ++i) {
        std::int64_t c = 0;
        ASSERT_TRUE(parse_cents(run.claims[i][allowed], c));
        lines[{run.claims[i][claim_id], run.claims[i][line_no]}].push_back(c);
    }
    std::uint64_t triples = 0;
    for (const auto& [key, v] : lines) {
        if (v.size() == 1) continue;
        ASSERT_EQ(v.size(), 3u);
        EXPECT_EQ(v[0], v[2]);  // original, reversal, replacement in file order
        EXPECT_EQ(v[1], -v[0]);
        ++triples;
    }
    EXPECT_EQ(triples, reversals);
}

TEST(Synth, VoidsAreCountedAndNetToZero) {
    const RuleRun run(2, 0.05);
    std::map<std::string, std::pair<int, std::int64_t>> claim;  // rows, net cents
    for (std::size_t i = 1; i < run.claims.size(); ++i) {
        std::int64_t c = 0;
        ASSERT_TRUE(parse_cents(run.claims[i][allowed], c));
        auto& [rows, net] = claim[run.claims[i][claim_id]];
        ++rows, net += c;
    }
    const std::uint64_t reversals = count_rows(run.claims, [](const Fields& r) { return r[adjustment] == "reversal"; });
    std::uint64_t voided = 0;
    for (const auto& [id, rn] : claim) voided += rn.second == 0 ? 1 : 0;
    EXPECT_GT(voided, 0u);
    EXPECT_EQ(voided, reversals);
    EXPECT_EQ(2 * voided, run.rows("void"));
}

TEST(Synth, EnrolmentGapsAndOverlapsAreCounted) {
    for (std::size_t rule : {3u, 4u}) {
        const RuleRun run(rule, 0.05);
        std::map<std::string, std::vector<std::pair<int, int>>> spans;
        for (std::size_t i = 1; i < run.members.size(); ++i)
            spans[run.members[i][0]].emplace_back(day_of(run.members[i][5]), day_of(run.members[i][6]));
        std::uint64_t gaps = 0, overlaps = 0, months = 0;
        for (const auto& [id, s] : spans) {
            if (s.size() == 1) continue;
            ASSERT_EQ(s.size(), 2u);
            if (s[1].first > s[0].second + 1) ++gaps, months += static_cast<std::uint64_t>(std::lround((s[1].first - s[0].second - 1) / 30.4));
            if (s[1].first <= s[0].second) ++overlaps;
        }
        const Json truth = truth_of(run.dir);
        const char* name = MessRates::names[rule];
        EXPECT_GT(gaps + overlaps, 0u) << name;
        EXPECT_EQ(rule == 3 ? gaps : overlaps, truth["mess"][name]["members"].get<std::uint64_t>()) << name;
        EXPECT_EQ(rule == 3 ? overlaps : gaps, 0u) << name;
        EXPECT_EQ(run.members.size() - 1 - 400, truth["mess"][name]["rows"].get<std::uint64_t>()) << name;
        if (rule == 3) {
            EXPECT_EQ(months, truth["mess"][name]["gap_months"].get<std::uint64_t>());
        }
        // Member-months from the spans (stats::member_months merges them) are the truth's.
        std::vector<std::string> id, start, end;
        for (std::size_t i = 1; i < run.members.size(); ++i) id.push_back(run.members[i][0]), start.push_back(run.members[i][5]), end.push_back(run.members[i][6]);
        const auto e = stats::member_months(id, start, end, "2024-01", "2024-12");
        double total = 0;
        for (std::size_t k = 0; k < 12; ++k) total += e.month_total(k);
        EXPECT_NEAR(total, truth["members"]["member_months"].get<double>(), 1e-6) << name;
        // No claim of a member in its gap: every claim is true here.
        for (std::size_t i = 1; i < run.claims.size(); ++i) {
            const int day = day_of(run.claims[i][service_date]);
            bool inside = false;
            for (const auto& [a, b] : spans.at(run.claims[i][member_id])) inside = inside || (day >= a && day <= b);
            ASSERT_TRUE(inside) << run.claims[i][claim_id];
        }
    }
}

TEST(Synth, ExtraLinesAreCounted) {
    {
        const RuleRun run(5, 0.05);
        std::map<std::string, std::pair<int, int>> span;
        for (std::size_t i = 1; i < run.members.size(); ++i) span[run.members[i][0]] = {day_of(run.members[i][5]), day_of(run.members[i][6])};
        const auto outside = count_rows(run.claims, [&](const Fields& r) {
            const int day = day_of(r[service_date]);
            return day < span.at(r[member_id]).first || day > span.at(r[member_id]).second;
        });
        EXPECT_GT(outside, 0u);
        EXPECT_EQ(outside, run.rows("outside_enrolment"));
    }
    {
        const RuleRun run(6, 0.05);
        const auto tier = tier_of_members(run.members);
        const auto unknown = count_rows(run.claims, [&](const Fields& r) { return !tier.count(r[member_id]); });
        EXPECT_GT(unknown, 0u);
        EXPECT_EQ(unknown, run.rows("unknown_member"));
    }
    {
        const RuleRun run(7, 0.2);
        std::int64_t c = 0;
        const auto bad = count_rows(run.claims, [&](const Fields& r) {
            return r.size() != 9 || !parse_cents(r[allowed], c) || !parse_cents(r[paid], c) || !valid_date(r[service_date]);
        });
        EXPECT_GT(bad, 0u);
        EXPECT_EQ(bad, run.rows("bad_value"));
        const Json m = truth_of(run.dir)["mess"]["bad_value"];
        std::uint64_t kinds = 0;
        for (const char* k : {"garbled_amount", "na_amount", "empty_amount", "impossible_date"}) kinds += m.value(k, std::uint64_t{0});
        EXPECT_EQ(kinds, bad);
    }
    {
        const RuleRun run(8, 0.05);
        const std::set<std::string> known(program().cost_model.categories.begin(), program().cost_model.categories.end());
        const auto unmapped = count_rows(run.claims, [&](const Fields& r) { return !known.count(r[category]); });
        EXPECT_GT(unmapped, 0u);
        EXPECT_EQ(unmapped, run.rows("unmapped_category"));
    }
}

/// Every rule at once, then a reference cleaner: drop exact duplicates, net by claim and
/// line, drop unknown members, bad values, unmapped categories and service dates outside
/// the member's enrolment. What is left is the truth, cell by cell, to the cent; and the
/// true claims are those of the clean files of the same seed when no member rule acts.
TEST(Synth, AReferenceCleanerRecoversTheTruth) {
    MessRates all;
    for (std::size_t k = 0; k < MessRates::names.size(); ++k) all.rate(k) = 0.05;
    SynthOptions o = options(300, 2, all);
    o.valuation = "2030-12-31";
    TempDir d("all");
    const SynthSummary s = synthesize(program(), o, d.str());
    const auto members = read_csv(d.file("members.csv"));
    const auto tier = tier_of_members(members);
    std::map<std::string, std::vector<std::pair<int, int>>> spans;
    for (std::size_t i = 1; i < members.size(); ++i) spans[members[i][0]].emplace_back(day_of(members[i][5]), day_of(members[i][6]));
    std::set<Fields> unique;
    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, const Fields*>> net;
    const auto rows = read_csv(d.file("claims.csv"));
    const std::set<std::string> known(program().cost_model.categories.begin(), program().cost_model.categories.end());
    std::uint64_t mess_rows = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const Fields& r = rows[i];
        std::int64_t c = 0;
        bool keep = unique.insert(r).second && tier.count(r[member_id]) && known.count(r[category]) && parse_cents(r[allowed], c) &&
                    valid_date(r[service_date]);
        if (keep) {
            bool inside = false;
            for (const auto& [a, b] : spans.at(r[member_id])) inside = inside || (day_of(r[service_date]) >= a && day_of(r[service_date]) <= b);
            keep = inside;
        }
        if (!keep) continue;
        auto& [cents, row] = net[{r[claim_id], r[line_no]}];
        cents += c, row = &r;
    }
    std::map<std::pair<std::string, std::string>, SynthCell> cleaned;
    std::set<std::string> claims_seen;
    for (const auto& [key, v] : net) {
        if (v.first == 0) continue;
        SynthCell& cell = cleaned[{tier.at((*v.second)[member_id]), (*v.second)[category]}];
        cell.lines += 1, cell.allowed_cents += v.first;
        if (claims_seen.insert(key.first).second) cell.events += 1;
    }
    for (std::size_t k = 0; k < MessRates::names.size(); ++k) mess_rows += k == 3 || k == 4 ? 0 : s.mess[k].rows;
    EXPECT_EQ(rows.size() - 1, s.true_lines_written + mess_rows);
    for (std::size_t t = 0; t < 3; ++t)
        for (std::size_t k = 0; k < s.categories.size(); ++k) {
            const SynthCell truth = s.cell_total(t, k), got = cleaned[{s.tiers[t], s.categories[k]}];
            EXPECT_EQ(got.events, truth.events) << t << k;
            EXPECT_EQ(got.lines, truth.lines) << t << k;
            EXPECT_EQ(got.allowed_cents, truth.allowed_cents) << t << k;
        }
    for (std::size_t k = 0; k < MessRates::names.size(); ++k) EXPECT_GT(s.mess[k].rows, 0u) << MessRates::names[k];
}

/// Service months follow the category's seasonality; exposure in truth.json is weighted by it.
TEST(Synth, SeasonalityShapesServiceMonths) {
    Scenario sc = Scenario::default_cmc_program(1000, 1, false);
    std::array<double, 12> season{};
    for (int k = 0; k < 12; ++k) season[static_cast<std::size_t>(k)] = k < 3 ? 2.0 : k < 6 ? 1.0 : k < 9 ? 0.5 : 0.5;
    sc.cost_model.seasonality.assign(sc.cost_model.category_count(), std::array<double, 12>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
    const std::size_t professional = static_cast<std::size_t>(CostModel::index_of(sc.cost_model.categories, "professional"));
    sc.cost_model.seasonality[professional] = season;
    TempDir d("season");
    SynthOptions o = options(1000, 1, MessRates::none());
    o.valuation = "2030-12-31";
    const SynthSummary s = synthesize(sc, o, d.str());
    std::array<double, 12> count{};
    double n = 0;
    for (const auto& [id, c] : claims_of(read_csv(d.file("claims.csv"))))
        if (c.category == "professional") {
            const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{c.service}}};
            count[static_cast<unsigned>(ymd.month()) - 1] += 1, n += 1;
        }
    for (int k = 0; k < 12; ++k) {
        const double p = season[static_cast<std::size_t>(k)] / 12;
        EXPECT_NEAR(count[static_cast<std::size_t>(k)] / n, p, 4 * std::sqrt(p * (1 - p) / n)) << k;
    }
    EXPECT_NEAR(s.exposure[s.cell_index(0, professional, 0)], static_cast<double>(s.members_by_tier[0]), 1e-9);
}

TEST(Synth, BirthDatesFollowTheAgeBands) {
    TempDir d("birth");
    (void)synthesize(program(), options(100, 1, MessRates::none()), d.str());
    const auto members = read_csv(d.file("members.csv"));
    const Population& pop = program().population;
    for (std::size_t i = 1; i < members.size(); ++i) {
        const std::string& band = pop.age_band[(i - 1) * pop.size() / 100];
        const int lo = std::stoi(band.substr(0, band.find('-'))), hi = std::stoi(band.substr(band.find('-') + 1));
        const int born = std::stoi(members[i][1].substr(0, 4)), md = std::stoi(members[i][1].substr(5, 2) + members[i][1].substr(8, 2));
        const int age = 2024 - born - (md > 101 ? 1 : 0);  // whole years on 2024-01-01
        EXPECT_GE(age, lo) << members[i][1] << " " << band;
        EXPECT_LE(age, hi) << members[i][1] << " " << band;
    }
}

TEST(Synth, BadOptionsAreNamed) {
    const std::string out = (fs::temp_directory_path() / "apmsim_test_synth_never_written").string();
    auto with = [&](const std::function<void(SynthOptions&)>& change) {
        SynthOptions o = options(10, 1, MessRates::none());
        change(o);
        return [o, &out] { return synthesize(program(), o, out); };
    };
    expect_invalid(with([](SynthOptions& o) { o.mess.duplicate = -0.1; }), "synth.mess.duplicate");
    expect_invalid(with([](SynthOptions& o) { o.mess.reversal = 1.5; }), "synth.mess.reversal");
    expect_invalid(with([](SynthOptions& o) { o.mess.unmapped_category = std::nan(""); }), "synth.mess.unmapped_category");
    expect_invalid(with([](SynthOptions& o) { o.members = 0; }), "synth.members");
    expect_invalid(with([](SynthOptions& o) { o.years = 0; }), "synth.years");
    expect_invalid(with([](SynthOptions& o) { o.start = "2024-13"; }), "synth.start");
    expect_invalid(with([](SynthOptions& o) { o.start = "2024-1"; }), "synth.start");
    expect_invalid(with([](SynthOptions& o) { o.valuation = "2024-02-30"; }), "synth.valuation");
    expect_invalid(with([](SynthOptions& o) { o.valuation = "2023-12-31"; }), "synth.valuation");
    expect_invalid(with([](SynthOptions& o) { o.mean_payment_lag_days = 0; }), "synth.mean_payment_lag_days");
    Scenario copula = program();
    copula.cost_model.copula_correlation = Eigen::MatrixXd::Identity(8, 8);
    expect_invalid([&] { return synthesize(copula, options(10, 1, MessRates::none()), out); }, "cost_model.copula");
    EXPECT_FALSE(fs::exists(out));
    expect_invalid([] { return MessRates{}.rate(9); }, "MessRates.rate");
}
