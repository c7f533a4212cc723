// Synthetic claims and eligibility extracts of a scenario's program (synth.hpp).
#include "apmsim/synth.hpp"

#include "apmsim/core/files.hpp"
#include "apmsim/random/batch.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"
#include "apmsim/scenario_json.hpp"
#include "apmsim/stats/exposure.hpp"
#include "apmsim/version.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <bit>
#include <filesystem>

namespace apmsim {

double& MessRates::rate(std::size_t k) {
    double* const fields[] = {&duplicate, &reversal, &void_line, &enrolment_gap, &overlap, &outside_enrolment, &unknown_member,
                              &bad_value, &unmapped_category};
    if (k >= names.size()) throw InvalidInput("MessRates.rate", "a rule index below " + std::to_string(names.size()), std::to_string(k));
    return *fields[k];
}

double MessRates::rate(std::size_t k) const { return const_cast<MessRates&>(*this).rate(k); }

MessRates MessRates::none() {
    MessRates m;
    for (std::size_t k = 0; k < names.size(); ++k) m.rate(k) = 0.0;
    return m;
}

void MessRates::validate(const std::string& where) const {
    for (std::size_t k = 0; k < names.size(); ++k) check::probability(where + "." + names[k], rate(k));
}

void SynthOptions::validate(const std::string& where) const {
    if (members && (*members < 1 || *members > 100'000))  // the rows are sorted in memory: about 20 KB a member-year
        throw InvalidInput(where + ".members", "1 to 100,000 members", std::to_string(*members));
    if (years && (*years < 1 || *years > 100)) throw InvalidInput(where + ".years", "1 to 100 years", std::to_string(*years));
    (void)stats::parse_month(start, where + ".start");
    if (!valuation.empty()) (void)stats::parse_date(valuation, where + ".valuation");
    check::in_half_open(where + ".mean_payment_lag_days", mean_payment_lag_days, 0.0, 3650.0);
    mess.validate(where + ".mess");
}

SynthCell SynthSummary::cell_total(std::size_t tier, std::size_t category) const {
    SynthCell total;
    for (std::size_t y = 0; y < trend_factors.size(); ++y) {
        const SynthCell& c = cells[cell_index(tier, category, static_cast<int>(y))];
        total.events += c.events, total.lines += c.lines, total.allowed_cents += c.allowed_cents;
    }
    return total;
}

const MessCount& SynthSummary::rule(const std::string& name) const {
    for (std::size_t k = 0; k < MessRates::names.size(); ++k)
        if (name == MessRates::names[k]) return mess[k];
    throw InvalidInput("SynthSummary.rule", "a mess rule's name", "\"" + name + "\"");
}

namespace {

using namespace std::chrono;
using random::StreamKind;
using random::variable_id;
using Day = int;  ///< days since 1970-01-01

enum Rule : std::size_t { duplicate, reversal, void_line, enrolment_gap, overlap, outside_enrolment, unknown_member, bad_value, unmapped };

/// What a StreamKind::synth stream is for: the index is purpose << 12 | category.
enum class Purpose : std::uint32_t { event = 1, line = 2, enrolment = 3, birth = 4 };
constexpr std::uint32_t synth_variable(Purpose p, int year, std::size_t category) {
    return variable_id(StreamKind::synth, static_cast<std::uint32_t>(year), (static_cast<std::uint32_t>(p) << 12) | static_cast<std::uint32_t>(category));
}

Day day_number(sys_days d) { return d.time_since_epoch().count(); }
sys_days as_date(Day d) { return sys_days{days{d}}; }

/// The window's months and days, and the valuation date.
struct Window {
    year_month first;
    int years = 0, months = 0;
    Day begin = 0, end = 0, valuation = 0;
    std::vector<Day> month_begin;  ///< [month 0 .. months]; month_begin[months] = end + 1
    int days_in(int month) const { return month_begin[month + 1] - month_begin[month]; }
};

Window make_window(const SynthOptions& o) {
    Window w;
    w.first = stats::parse_month(o.start, "synth.start");
    w.years = *o.years;
    w.months = 12 * w.years;
    for (int m = 0; m <= w.months; ++m) w.month_begin.push_back(day_number(sys_days{(w.first + std::chrono::months{m}) / day{1}}));
    w.begin = w.month_begin.front();
    w.end = w.month_begin.back() - 1;
    w.valuation = o.valuation.empty() ? w.end : day_number(stats::parse_date(o.valuation, "synth.valuation"));
    if (w.valuation < w.begin)
        throw InvalidInput("synth.valuation", "a date on or after the window's first day (" + o.start + "-01)", "\"" + o.valuation + "\"");
    return w;
}

/// Everything fixed for a run, computed once.
struct Plan {
    const Scenario& scenario;
    const CostModel& model;
    SynthOptions options;  ///< resolved
    Window window;
    std::size_t tiers, categories, members, population;
    std::vector<double> exposure;        ///< [category * 13 + k]: seasonality of months 0 .. k-1 over 12 (the engine's plan.exposure)
    std::vector<double> relative_risk;   ///< [scenario member]
    std::vector<double> trend_factor;    ///< [year]
    std::vector<std::string> unmapped_names;  ///< category names the cost model does not have
    bool line_mess = false;              ///< some rule acts on lines

    Plan(const Scenario& s, const SynthOptions& o)
        : scenario(s), model(s.cost_model), options(o), window(make_window(o)), tiers(model.tier_count()),
          categories(model.category_count()), members(*o.members), population(s.population.size()),
          relative_risk(s.population.relative_risk(tiers)) {
        exposure.assign(categories * 13, 0.0);
        for (std::size_t c = 0; c < categories; ++c)  // engine.cpp, EnginePlan: the same sums in the same order
            for (int k = 1; k <= 12; ++k) exposure[c * 13 + k] = exposure[c * 13 + k - 1] + season(c, k - 1) / 12.0;
        for (int y = 0; y < window.years; ++y) trend_factor.push_back(std::pow(1.0 + model.trend.mean, y));
        for (std::string name : {"dental", "vision", "transportation", "chiropractic"}) {
            while (CostModel::index_of(model.categories, name) >= 0) name += "_other";
            unmapped_names.push_back(name);
        }
        for (Rule r : {duplicate, reversal, void_line, outside_enrolment, unknown_member, bad_value, unmapped})
            line_mess = line_mess || o.mess.rate(r) > 0.0;
    }
    double season(std::size_t c, int k) const { return model.seasonality.empty() ? 1.0 : model.seasonality[c][static_cast<std::size_t>(k)]; }
    /// The scenario member whose attributes member k takes: floor(k x size / members), so
    /// every scenario member is used equally often (members a multiple of size) and a
    /// population listed tier by tier keeps its tier mix with fewer members (k < 10^6 and
    /// size < 2^32: the product fits in 64 bits).
    std::size_t source(std::size_t k) const { return static_cast<std::size_t>(static_cast<std::uint64_t>(k) * population / members); }
};

/// A member's enrolment: the window, less a gap, written as one span, two around the gap,
/// or two overlapping ones.
struct Enrolment {
    int gap_first = -1, gap_months = 0;          ///< months [gap_first, gap_first + gap_months) not enrolled
    int overlap_start = -1, overlap_months = 0;  ///< the second span starts at month overlap_start, the first ends overlap_months later
    bool enrolled(int month) const { return gap_first < 0 || month < gap_first || month >= gap_first + gap_months; }
    /// The enrolled months of data year y as bits 0 .. 11.
    unsigned year_mask(int y) const {
        unsigned mask = 0;
        for (int k = 0; k < 12; ++k)
            if (enrolled(12 * y + k)) mask |= 1u << k;
        return mask;
    }
};

enum class Bad : std::uint8_t { none, garbled, not_available, empty, impossible_date };
constexpr const char* bad_kinds[] = {"", "garbled_amount", "na_amount", "empty_amount", "impossible_date"};

/// One row of claims.csv; claim ids are numbered when the rows are written.
struct Row {
    std::uint64_t order = 0;  ///< generation order: rows paid the same day keep it
    std::int64_t cents = 0;
    std::uint32_t claim = 0;   ///< claim key
    std::uint32_t member = 0;  ///< member number, 1-based; above the members: unknown
    Day service = 0, paid = 0;
    std::int16_t category = 0;  ///< < 0: unmapped name -1 - category
    std::uint8_t line = 1;
    bool reversal = false;
    Bad bad = Bad::none;
};

/// One event being written: where it comes from.
struct EventAt {
    std::size_t member, tier, category;
    int year;
    std::uint32_t event;
    const Enrolment* enrolment;
};

/// The files being built and the summary being counted.
struct Generator {
    const Plan& plan;
    SynthSummary& out;
    std::vector<Row> rows;
    std::string members_csv;
    std::uint32_t claims = 0;  ///< claim keys handed out
    std::uint64_t order = 0;

    std::uint32_t new_claim() {
        if (claims == 0xFFFFFFFFu) throw ComputationError("synthesize: more than 4294967295 claims");
        return claims++;
    }
    void push(Row r) {
        r.order = order++;
        rows.push_back(r);
    }
    MessCount& count(Rule r) { return out.mess[r]; }
    void add(Rule r, std::uint64_t rows_added, std::int64_t cents) {
        ++out.mess[r].units;
        out.mess[r].rows += rows_added;
        out.mess[r].cents += cents;
    }
};

/// A payment lag: ceil(X) days, X ~ Exponential(mean), so P(lag > d) = exp(-d / mean).
int lag_days(double mean, double u) { return static_cast<int>(std::ceil(-mean * std::log(u))); }

/// Draws first .. first + n - 1 of member `member`'s stream `variable` (trial 0) into `u`.
void uniforms(const Plan& p, std::size_t member, std::uint32_t variable, std::uint64_t first, std::size_t n, double* u) {
    random::fill_uniforms({p.options.seed, 0u, static_cast<std::uint32_t>(member), variable}, first, n, u);
}

// ---- members.csv

/// Member k's enrolment mess (draws 0-2: gap, its length, its start; 3-5: overlap, its
/// length, where the second span starts).
Enrolment draw_enrolment(Generator& g, std::size_t k) {
    const Window& w = g.plan.window;
    const MessRates& r = g.plan.options.mess;
    double u[6];
    uniforms(g.plan, k, synth_variable(Purpose::enrolment, 0, 0), 0, 6, u);
    Enrolment e;
    if (u[0] < r.enrolment_gap) {
        e.gap_months = u[1] < 0.5 ? 1 : 2;
        e.gap_first = 1 + std::min(w.months - e.gap_months - 2, static_cast<int>(u[2] * (w.months - e.gap_months - 1)));
        g.add(enrolment_gap, 1, 0);
        g.count(enrolment_gap).detail["gap_months"] += static_cast<std::uint64_t>(e.gap_months);
    } else if (u[3] < r.overlap) {
        e.overlap_start = 1 + std::min(w.months - 2, static_cast<int>(u[5] * (w.months - 1)));
        e.overlap_months = std::min(w.months - e.overlap_start, 1 + std::min(2, static_cast<int>(u[4] * 3)));
        g.add(overlap, 1, 0);
        g.count(overlap).detail["overlap_months"] += static_cast<std::uint64_t>(e.overlap_months);
    }
    return e;
}

/// The age band's whole years "lo-hi", or 0-17 for another label.
std::pair<int, int> age_range(const std::string& band) {
    int lo = 0, hi = 0;
    char tail = 0;
    if (std::sscanf(band.c_str(), "%d-%d%c", &lo, &hi, &tail) == 2 && lo >= 0 && hi >= lo && hi <= 120) return {lo, hi};
    return {0, 17};
}

/// A uniform day on which a child born then is lo to hi whole years old on the window's first day.
Day birth_date(const Plan& p, std::size_t k, const std::string& band) {
    const auto [lo, hi] = age_range(band);
    const year_month_day first{as_date(p.window.begin)};  // a first of the month: every year has it
    const Day latest = day_number(sys_days{first - std::chrono::years{lo}});
    const Day earliest = day_number(sys_days{first - std::chrono::years{hi + 1}}) + 1;
    double u = 0.0;
    uniforms(p, k, synth_variable(Purpose::birth, 0, 0), 0, 1, &u);
    return earliest + std::min(latest - earliest, static_cast<int>(u * (latest - earliest + 1)));
}

void append_date(std::string& s, Day d) {
    const year_month_day ymd{as_date(d)};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    s += buf;
}

void append_member_id(std::string& s, std::uint64_t number) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "M%06llu", static_cast<unsigned long long>(number));
    s += buf;
}

/// Member k's rows of members.csv: one per enrolment span.
void write_member(Generator& g, std::size_t k, std::size_t source, const Enrolment& e) {
    const Window& w = g.plan.window;
    const Population& pop = g.plan.scenario.population;
    std::string head;
    append_member_id(head, k + 1);
    head += ',';
    append_date(head, birth_date(g.plan, k, pop.age_band[source]));
    head += ',' + pop.sex[source] + ',' + g.plan.model.tiers[pop.tier[source]] + ',';
    char score[32];
    head.append(score, std::to_chars(score, score + sizeof score, pop.risk_score[source]).ptr);
    std::vector<std::pair<Day, Day>> spans;
    if (e.gap_first >= 0) {
        spans = {{w.begin, w.month_begin[e.gap_first] - 1}, {w.month_begin[e.gap_first + e.gap_months], w.end}};
    } else if (e.overlap_start >= 0) {
        spans = {{w.begin, w.month_begin[e.overlap_start + e.overlap_months] - 1}, {w.month_begin[e.overlap_start], w.end}};
    } else {
        spans = {{w.begin, w.end}};
    }
    for (const auto& [a, b] : spans) {
        g.members_csv += head + ',';
        append_date(g.members_csv, a);
        g.members_csv += ',';
        append_date(g.members_csv, b);
        g.members_csv += '\n';
        ++g.out.member_rows;
    }
}

// ---- claims

/// Event j's severity on the engine's severity stream: draw j when the sampler uses one
/// uniform per draw, else draws from 512 j (engine.cpp, sum_severities).
double severity(const Severity& s, const random::StreamAddress& at, std::uint32_t j) {
    return std::visit(
        [&](const auto& d) {
            random::Stream stream(at.seed, at.trial, at.member, at.variable);
            stream.seek(std::decay_t<decltype(d)>::one_uniform_per_draw ? j : static_cast<std::uint64_t>(j) * 512);
            return d.draw(stream);
        },
        s);
}

/// The month (0 .. 11) of data year among the enrolled ones (`mask`) with probability
/// proportional to the category's seasonality.
int service_month(const Plan& p, std::size_t c, unsigned mask, double u) {
    double total = 0.0;
    for (int k = 0; k < 12; ++k)
        if (mask >> k & 1u) total += p.season(c, k);
    const double target = u * total;
    double sum = 0.0;
    int last = -1;
    for (int k = 0; k < 12; ++k) {
        if (!(mask >> k & 1u) || p.season(c, k) <= 0.0) continue;
        sum += p.season(c, k);
        last = k;
        if (target < sum) return k;
    }
    return last;
}

/// The claim's lines in cents: 1 (p 0.5), 2 (0.3) or 3 (0.2), at most `cents`, split at
/// uniform breaks, each at least 1 cent (no true line nets to 0).
std::vector<std::int64_t> split_lines(std::int64_t cents, double u_lines, double u1, double u2) {
    const int n = static_cast<int>(std::min<std::int64_t>(cents, u_lines < 0.5 ? 1 : u_lines < 0.8 ? 2 : 3));
    std::vector<double> breaks = {u1, u2};
    breaks.resize(static_cast<std::size_t>(n - 1));
    std::sort(breaks.begin(), breaks.end());
    const std::int64_t rest = cents - n;  // shared out after a cent each
    std::vector<std::int64_t> lines;
    std::int64_t before = 0;
    for (double b : breaks) {
        const auto upto = static_cast<std::int64_t>(std::floor(static_cast<double>(rest) * b));
        lines.push_back(1 + upto - before);
        before = upto;
    }
    lines.push_back(1 + rest - before);
    return lines;
}

void line_mess(Generator& g, const EventAt& at, const Row& line);

/// Event `at` of `cents`: its claim's lines, into the truth and (paid by the valuation
/// date) claims.csv. Draws 8j .. 8j + 5 of the event stream: month, day, lines, two breaks, lag.
void write_event(Generator& g, const EventAt& at, unsigned mask, std::int64_t cents) {
    const Plan& p = g.plan;
    double u[8];
    uniforms(p, at.member, synth_variable(Purpose::event, at.year, at.category), 8ull * at.event, 8, u);
    const int month = 12 * at.year + service_month(p, at.category, mask, u[0]);
    const int day = std::min(p.window.days_in(month) - 1, static_cast<int>(u[1] * p.window.days_in(month)));
    Row row;
    row.claim = g.new_claim();
    row.member = static_cast<std::uint32_t>(at.member + 1);
    row.category = static_cast<std::int16_t>(at.category);
    row.service = p.window.month_begin[month] + day;
    row.paid = row.service + lag_days(p.options.mean_payment_lag_days, u[5]);
    const std::vector<std::int64_t> lines = split_lines(cents, u[2], u[3], u[4]);
    SynthCell& cell = g.out.cells[g.out.cell_index(at.tier, at.category, at.year)];
    SynthMonth& m = g.out.months[static_cast<std::size_t>(month)];
    ++cell.events, cell.lines += lines.size(), cell.allowed_cents += cents;
    ++m.claims, m.lines += lines.size(), m.allowed_cents += cents;
    if (row.paid > p.window.valuation) {
        ++m.unpaid_claims, m.unpaid_lines += lines.size(), m.unpaid_cents += cents;
        return;
    }
    for (std::size_t l = 0; l < lines.size(); ++l) {
        row.line = static_cast<std::uint8_t>(l + 1);
        row.cents = lines[l];
        g.push(row);
        ++g.out.true_lines_written;
        if (p.line_mess) line_mess(g, at, g.rows.back());
    }
}

/// Member k's year y: frailty, counts and events as engine.cpp's draw_frailty_and_copula and
/// member_year_costs draw them for trial 0 (the same streams and arithmetic).
void simulate_year(Generator& g, std::size_t k, std::size_t source, int y, const Enrolment& e) {
    const Plan& p = g.plan;
    const std::uint64_t seed = p.options.seed;
    const auto member = static_cast<std::uint32_t>(k), year = static_cast<std::uint32_t>(y);
    const unsigned mask = e.year_mask(y);
    const std::size_t tier = p.scenario.population.tier[source];
    g.out.member_months[tier * p.window.years + y] += static_cast<std::uint64_t>(std::popcount(mask));
    double frailty = 1.0;
    if (p.model.frailty_cv > 0) {
        const double shape = 1.0 / (p.model.frailty_cv * p.model.frailty_cv);
        random::Stream s(seed, 0, member, variable_id(StreamKind::frailty, year, 0));
        frailty = random::standard_gamma(shape, s) / shape;
    }
    const double scale = frailty * p.relative_risk[source];
    for (std::size_t c = 0; c < p.categories; ++c) {
        double exposure = 0.0;  // the engine's exposure[end] - exposure[first], run by run of enrolled months
        for (int first = 0; first < 12;) {
            if (!(mask >> first & 1u)) { ++first; continue; }
            int end = first;
            while (end < 12 && (mask >> end & 1u)) ++end;
            exposure += p.exposure[c * 13 + static_cast<std::size_t>(end)] - p.exposure[c * 13 + static_cast<std::size_t>(first)];
            first = end;
        }
        const std::size_t at = g.out.cell_index(tier, c, y);
        g.out.exposure[at] += exposure;
        g.out.risk_exposure[at] += exposure * p.relative_risk[source];
        const CategoryModel& cell = p.model.cell(tier, c);
        const double u = random::Stream(seed, 0, member, variable_id(StreamKind::count, year, static_cast<std::uint32_t>(c))).uniform();
        const std::uint32_t n = std::visit([&](const auto& d) { return d.draw_scaled(scale * exposure, u); }, cell.frequency);
        const random::StreamAddress sev{seed, 0, member, variable_id(StreamKind::severity, year, static_cast<std::uint32_t>(c))};
        for (std::uint32_t j = 0; j < n; ++j) {
            const double dollars = severity(cell.severity, sev, j) * p.trend_factor[static_cast<std::size_t>(y)];
            const auto cents = std::max<std::int64_t>(1, std::llround(std::min(dollars * 100.0, 9.0e15)));  // at least a cent
            write_event(g, {k, tier, c, y, j, &e}, mask, cents);
        }
    }
}

// ---- mess on a written true line: draws 16 (3j + line - 1) .. of the line-mess stream

/// A new one-line claim copied from `line`.
Row extra_claim(Generator& g, const Row& line) {
    Row r = line;
    r.claim = g.new_claim();
    r.line = 1;
    return r;
}

/// The line reversed and replaced, each paid at least a day after the one before (so no row
/// repeats another), by the valuation date: only a line paid 2 days or more before it.
void reverse_line(Generator& g, const Row& line, double u_reversal, double u_replacement) {
    const Plan& p = g.plan;
    if (line.paid > p.window.valuation - 2) return;
    Row rev = line;
    rev.reversal = true;
    rev.cents = -line.cents;
    rev.paid = std::min(p.window.valuation - 1, line.paid + lag_days(p.options.mean_payment_lag_days, u_reversal));
    g.push(rev);
    Row replacement = line;
    replacement.paid = std::min(p.window.valuation, rev.paid + lag_days(p.options.mean_payment_lag_days, u_replacement));
    g.push(replacement);
    g.add(reversal, 2, line.cents);
}

void void_claim(Generator& g, const Row& line, double u_amount, double u_lag) {
    Row billed = extra_claim(g, line);
    billed.cents = std::max<std::int64_t>(1, std::llround(static_cast<double>(line.cents) * (0.5 + u_amount)));
    g.push(billed);
    Row rev = billed;
    rev.reversal = true;
    rev.cents = -billed.cents;
    rev.paid = std::min(g.plan.window.valuation, billed.paid + lag_days(g.plan.options.mean_payment_lag_days, u_lag));
    g.push(rev);
    g.add(void_line, 2, billed.cents);
}

/// A line of the member's in its gap (up to the valuation date) or 1-90 days before the window.
void outside_line(Generator& g, const Row& line, const Enrolment& e, double u_day, double u_lag) {
    const Window& w = g.plan.window;
    Row r = extra_claim(g, line);
    const Day gap_begin = e.gap_first >= 0 ? w.month_begin[e.gap_first] : 0;
    if (e.gap_first >= 0 && gap_begin <= w.valuation) {
        const Day last = std::min(w.month_begin[e.gap_first + e.gap_months] - 1, w.valuation);
        r.service = gap_begin + std::min(last - gap_begin, static_cast<int>(u_day * (last - gap_begin + 1)));
        ++g.count(outside_enrolment).detail["in_gap"];
    } else {
        r.service = w.begin - 1 - std::min(89, static_cast<int>(u_day * 90));
        ++g.count(outside_enrolment).detail["before_window"];
    }
    // Paid within the window like the rest of the extract: a lag after the service or the window's start.
    r.paid = std::min(w.valuation, std::max(r.service, w.begin) + lag_days(g.plan.options.mean_payment_lag_days, u_lag));
    g.push(r);
    g.add(outside_enrolment, 1, r.cents);
}

void line_mess(Generator& g, const EventAt& at, const Row& written) {
    const Row line = written;  // pushing rows may move `written`
    const MessRates& r = g.plan.options.mess;
    const std::uint64_t first = 16ull * (3ull * at.event + line.line - 1);
    double u[16];
    uniforms(g.plan, at.member, synth_variable(Purpose::line, at.year, at.category), first, 16, u);
    if (u[0] < r.duplicate) {
        Row copy = line;
        copy.order = (1ull << 62) + line.order;  // after the day's other rows
        g.rows.push_back(copy);
        g.add(duplicate, 1, line.cents);
    }
    if (u[1] < r.reversal) reverse_line(g, line, u[2], u[3]);
    if (u[4] < r.void_line) void_claim(g, line, u[5], u[6]);
    if (u[7] < r.outside_enrolment) outside_line(g, line, *at.enrolment, u[8], u[9]);
    if (u[10] < r.unknown_member) {
        Row ghost = extra_claim(g, line);
        const double n = static_cast<double>(std::max<std::size_t>(g.plan.members, 100));
        ghost.member = static_cast<std::uint32_t>(g.plan.members + 1 + static_cast<std::size_t>(std::min(n - 1.0, u[11] * n)));
        g.push(ghost);
        g.add(unknown_member, 1, ghost.cents);
    }
    if (u[12] < r.bad_value) {
        Row bad = extra_claim(g, line);
        bad.bad = static_cast<Bad>(1 + std::min(3, static_cast<int>(u[13] * 4)));
        g.push(bad);
        g.add(bad_value, 1, bad.bad == Bad::impossible_date ? bad.cents : 0);
        ++g.count(bad_value).detail[bad_kinds[static_cast<int>(bad.bad)]];
    }
    if (u[14] < r.unmapped_category) {
        Row other = extra_claim(g, line);
        other.category = static_cast<std::int16_t>(-1 - std::min(3, static_cast<int>(u[15] * 4)));
        g.push(other);
        g.add(unmapped, 1, other.cents);
    }
}

// ---- writing claims.csv

void append_cents(std::string& s, std::int64_t cents) {
    if (cents < 0) s += '-';
    const std::uint64_t v = static_cast<std::uint64_t>(cents < 0 ? -cents : cents);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llu.%02llu", static_cast<unsigned long long>(v / 100), static_cast<unsigned long long>(v % 100));
    s += buf;
}

/// A service date that does not exist in the service's month: the 30th of February, the
/// 31st of a 30-day month, else the 30th of February of its year.
void append_impossible_date(std::string& s, Day service) {
    const year_month_day ymd{as_date(service)};
    const unsigned month = static_cast<unsigned>(ymd.month());
    const unsigned last = static_cast<unsigned>(year_month_day_last{ymd.year() / ymd.month() / std::chrono::last}.day());
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), last == 31 ? 2u : month, last == 30 ? 31u : 30u);
    s += buf;
}

void append_row(std::string& s, const Plan& p, const Row& r, std::uint32_t claim_id) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "C%08u,%u,", claim_id, static_cast<unsigned>(r.line));
    s += buf;
    append_member_id(s, r.member);
    s += ',';
    if (r.bad == Bad::impossible_date) append_impossible_date(s, r.service); else append_date(s, r.service);
    s += ',';
    append_date(s, r.paid);
    s += ',';
    s += r.category >= 0 ? p.model.categories[static_cast<std::size_t>(r.category)] 
                           : p.unmapped_names[static_cast<std::size_t>(-1 - r.category)];
    s += ',';
    static const char* const tokens[] = {"", "12.3.4", "N/A", ""};
    if (r.bad == Bad::none || r.bad == Bad::impossible_date) {
        append_cents(s, r.cents);
        s += ',';
        append_cents(s, r.cents);  // paid = allowed
    } else {
        s += std::string(tokens[static_cast<int>(r.bad)]) + ',' + tokens[static_cast<int>(r.bad)];
    }
    s += r.reversal ? ",reversal\n" : ",original\n";
}

/// claims.csv: the rows by paid date (then generation order), claim ids numbered in order
/// of first appearance.
std::string claims_text(Generator& g) {
    std::sort(g.rows.begin(), g.rows.end(), [](const Row& a, const Row& b) { return a.paid != b.paid ? a.paid < b.paid : a.order < b.order; });
    std::vector<std::uint32_t> id(g.claims, 0);
    std::uint32_t next = 1;
    std::string s = "claim_id,line,member_id,service_date,paid_date,category,allowed,paid,adjustment\n";
    s.reserve(s.size() + g.rows.size() * 80);
    for (const Row& r : g.rows) {
        if (id[r.claim] == 0) id[r.claim] = next++;
        append_row(s, g.plan, r, id[r.claim]);
    }
    g.out.claim_rows = g.rows.size();
    return s;
}

// ---- the summary

SynthOptions resolved(const Scenario& s, SynthOptions o) {
    if (!o.members) o.members = s.population.size();
    if (!o.years) o.years = s.years();
    o.validate("synth");
    return o;
}

/// The scenario's parts the extract leaves out, and a refusal of a copula.
std::vector<std::string> ignored_parts(const Scenario& s) {
    if (s.cost_model.copula_correlation.size() != 0)
        throw InvalidInput("cost_model.copula", "a cost model without a copula (synth draws each category's count on its own stream, as the engine does without one)",
                           "a copula correlation matrix");
    std::vector<std::string> out;
    if (s.cost_model.trend.sd > 0) out.emplace_back("trend.sd (the mean trend is used)");
    if (s.cost_model.tier_transition.size() != 0) out.emplace_back("tier_transitions (members stay in their tier)");
    if (s.intervention) out.emplace_back("intervention (the extract is of the program before it starts)");
    if (s.churn) out.emplace_back("population.churn (everybody is enrolled through the window but for enrolment gaps)");
    for (std::size_t i = 0; i < s.population.size(); ++i)
        for (int y = 0; y < s.years(); ++y)
            if (s.population.months_of(i, y) != 12) {
                out.emplace_back("population months (everybody is enrolled through the window but for enrolment gaps)");
                return out;
            }
    return out;
}

Json moments_of(const CostModel& m);  // with truth.json's parts below

void start_summary(SynthSummary& out, const Plan& p) {
    const Scenario& s = p.scenario;
    out.options = p.options;
    out.options.valuation.clear();
    append_date(out.options.valuation, p.window.valuation);
    out.scenario_name = s.name;
    append_date(out.window_first, p.window.begin);
    append_date(out.window_last, p.window.end);
    out.tiers = p.model.tiers;
    out.categories = p.model.categories;
    out.cost_model = scenario_to_json(s)["cost_model"];
    out.cost_model.erase("tier_transitions");
    out.cell_moments = moments_of(p.model);
    out.trend_factors = p.trend_factor;
    const std::size_t cells = p.tiers * p.categories * static_cast<std::size_t>(p.window.years);
    out.cells.assign(cells, {});
    out.exposure.assign(cells, 0.0);
    out.risk_exposure.assign(cells, 0.0);
    out.months.assign(static_cast<std::size_t>(p.window.months), {});
    out.members_by_tier.assign(p.tiers, 0);
    out.member_months.assign(p.tiers * static_cast<std::size_t>(p.window.years), 0);
}

}  // namespace

SynthSummary synthesize(const Scenario& scenario, const SynthOptions& options, const std::string& out_dir) {
    scenario.Model::validate();
    SynthSummary out;
    out.ignored = ignored_parts(scenario);
    const Plan plan(scenario, resolved(scenario, options));
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (!fs::is_directory(out_dir, ec)) throw InvalidInput(out_dir, "a folder for the output that exists or can be created", "\"" + out_dir + "\"");
    start_summary(out, plan);
    Generator g{plan, out, {}, {}, 0, 0};
    g.members_csv = "member_id,birth_date,sex,tier,risk_score,enrolment_start,enrolment_end\n";
    for (std::size_t k = 0; k < plan.members; ++k) {
        const std::size_t source = plan.source(k);
        ++out.members_by_tier[scenario.population.tier[source]];
        const Enrolment e = draw_enrolment(g, k);
        write_member(g, k, source, e);
        for (int y = 0; y < plan.window.years; ++y) simulate_year(g, k, source, y, e);
    }
    const std::string claims = claims_text(g);
    g.rows = {};
    out.members_bytes = g.members_csv.size();
    out.claims_bytes = claims.size();
    const fs::path dir(out_dir);
    write_file_atomically((dir / "members.csv").string(), g.members_csv);
    write_file_atomically((dir / "claims.csv").string(), claims);
    write_file_atomically((dir / "truth.json").string(), out.to_json().dump(1) + "\n");
    return out;
}

// ---- truth.json

namespace {

double dollars(std::int64_t cents) { return static_cast<double>(cents) / 100.0; }

Json moments_of(const CostModel& m) {
    Json out = Json::object();
    auto cv = [](double mean, double variance) { return mean > 0 ? std::sqrt(variance) / mean : 0.0; };
    for (std::size_t c = 0; c < m.category_count(); ++c)
        for (std::size_t t = 0; t < m.tier_count(); ++t) {
            const CategoryModel& cell = m.cell(t, c);
            out[m.categories[c]][m.tiers[t]] = {{"frequency_mean", mean(cell.frequency)},
                                                {"frequency_cv", cv(mean(cell.frequency), variance(cell.frequency))},
                                                {"severity_mean", mean(cell.severity)},
                                                {"severity_cv", cv(mean(cell.severity), variance(cell.severity))}};
        }
    return out;
}

Json truth_cells(const SynthSummary& s) {
    Json cells = Json::array();
    const int years = static_cast<int>(s.trend_factors.size());
    for (std::size_t t = 0; t < s.tiers.size(); ++t)
        for (std::size_t c = 0; c < s.categories.size(); ++c) {
            const SynthCell total = s.cell_total(t, c);
            Json by_year = Json::array();
            double exposure = 0.0, risk = 0.0;
            for (int y = 0; y < years; ++y) {
                const std::size_t i = s.cell_index(t, c, y);
                const SynthCell& v = s.cells[i];
                exposure += s.exposure[i], risk += s.risk_exposure[i];
                by_year.push_back({{"year", y}, {"events", v.events}, {"lines", v.lines}, {"allowed", dollars(v.allowed_cents)},
                                   {"exposure_years", s.exposure[i]}, {"risk_exposure_years", s.risk_exposure[i]},
                                   {"trend_factor", s.trend_factors[static_cast<std::size_t>(y)]}});
            }
            cells.push_back({{"tier", s.tiers[t]}, {"category", s.categories[c]}, {"events", total.events}, {"lines", total.lines},
                             {"allowed", dollars(total.allowed_cents)}, {"exposure_years", exposure}, {"risk_exposure_years", risk},
                             {"by_year", by_year}});
        }
    return cells;
}

Json truth_months(const SynthSummary& s, Json& totals) {
    Json months = Json::array();
    SynthMonth sum;
    const year_month first = stats::parse_month(s.options.start, "synth.start");
    for (std::size_t k = 0; k < s.months.size(); ++k) {
        const SynthMonth& m = s.months[k];
        const year_month ym = first + std::chrono::months{static_cast<int>(k)};
        char name[16];
        std::snprintf(name, sizeof name, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
        months.push_back({{"month", name}, {"claims", m.claims}, {"lines", m.lines}, {"allowed", dollars(m.allowed_cents)},
                          {"unpaid_claims", m.unpaid_claims}, {"unpaid_lines", m.unpaid_lines}, {"unpaid_allowed", dollars(m.unpaid_cents)}});
        sum.claims += m.claims, sum.lines += m.lines, sum.allowed_cents += m.allowed_cents;
        sum.unpaid_claims += m.unpaid_claims, sum.unpaid_lines += m.unpaid_lines, sum.unpaid_cents += m.unpaid_cents;
    }
    totals = {{"claims", sum.claims}, {"lines", sum.lines}, {"allowed", dollars(sum.allowed_cents)}, {"unpaid_claims", sum.unpaid_claims},
              {"unpaid_lines", sum.unpaid_lines}, {"unpaid_allowed", dollars(sum.unpaid_cents)}, {"lines_written", s.true_lines_written}};
    return months;
}

Json mess_json(const SynthSummary& s) {
    Json out = Json::object();
    for (std::size_t k = 0; k < MessRates::names.size(); ++k) {
        const MessCount& m = s.mess[k];
        const bool per_member = k == enrolment_gap || k == overlap;
        Json j = {{"rate", s.options.mess.rate(k)}, {"rows", m.rows}, {per_member ? "members" : "lines", m.units}};
        if (!per_member) j["allowed"] = dollars(m.cents);
        for (const auto& [name, n] : m.detail) j[name] = n;
        out[MessRates::names[k]] = j;
    }
    return out;
}

Json members_json(const SynthSummary& s) {
    Json by_tier = Json::object();
    const std::size_t years = s.trend_factors.size();
    std::uint64_t months = 0;
    for (std::size_t t = 0; t < s.tiers.size(); ++t) {
        Json per_year = Json::array();
        std::uint64_t total = 0;
        for (std::size_t y = 0; y < years; ++y) per_year.push_back(s.member_months[t * years + y]), total += s.member_months[t * years + y];
        by_tier[s.tiers[t]] = {{"members", s.members_by_tier[t]}, {"member_months", total}, {"member_months_by_year", per_year}};
        months += total;
    }
    return {{"count", *s.options.members}, {"member_months", months}, {"by_tier", by_tier}};
}

}  // namespace

Json SynthSummary::to_json() const {
    Json j;
    j["format"] = "apmsim synth truth 1";
    j["apmsim_version"] = version;
    j["scenario"] = scenario_name;
    j["seed"] = options.seed;
    j["window"] = {{"first_day", window_first}, {"last_day", window_last}, {"months", months.size()}, {"years", trend_factors.size()},
                   {"valuation", options.valuation}};
    Json rates = Json::object();
    for (std::size_t k = 0; k < MessRates::names.size(); ++k) rates[MessRates::names[k]] = options.mess.rate(k);
    j["options"] = {{"members", *options.members}, {"years", *options.years}, {"start", options.start}, {"valuation", options.valuation},
                    {"mean_payment_lag_days", options.mean_payment_lag_days}, {"mess", rates}};
    j["conventions"] = {
        {"payment_lag", "ceil(X) days after the service date, X ~ Exponential(mean_payment_lag_days), one per claim: P(lag > d) = exp(-d / mean)"},
        {"unpaid", "claims paid after the valuation date are not in claims.csv"},
        {"trend", "allowed amounts of data year y are the severity draw times trend_factors[y] = (1 + trend.mean)^y"},
        {"rows", "mess rows: rows a rule added beyond the clean files; allowed: the parseable dollars of its lines"}};
    j["tiers"] = tiers;
    j["categories"] = categories;
    j["cost_model"] = cost_model;
    j["cell_moments"] = cell_moments;
    j["trend_factors"] = trend_factors;
    j["ignored"] = ignored;
    j["members"] = members_json(*this);
    Json totals;
    Json by_month = truth_months(*this, totals);
    j["truth"] = {{"cells", truth_cells(*this)}, {"by_incurred_month", by_month}, {"totals", totals}};
    j["mess"] = mess_json(*this);
    j["files"] = {{"members.csv", {{"rows", member_rows}, {"bytes", members_bytes}}},
                  {"claims.csv", {{"rows", claim_rows}, {"bytes", claims_bytes}, {"true_lines", true_lines_written}}}};
    return j;
}

}  // namespace apmsim
