// Standardisation of members and claims extracts (include/apmsim/claims/standardise.hpp).
#include "apmsim/claims/standardise.hpp"

#include "apmsim/core/external_sort.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <unordered_map>

namespace apmsim::claims {

using std::chrono::sys_days;
using std::chrono::year_month;
using stats::month_text;

namespace {

/// The rules in report order (standardise.hpp's file comment).
enum Rule : std::size_t {
    unparseable_value, unknown_member, unmapped_code, incurred_outside_window, paid_after_valuation, duplicate_line,
    reversal_netted, non_positive_after_netting, outside_enrolment, extreme_value, conflicting_tier, members_without_claims,
    member_unparseable_value, member_unmapped_code, rule_count
};
constexpr std::array<const char*, rule_count> rule_names = {
    "unparseable_value", "unknown_member", "unmapped_code", "incurred_outside_window", "paid_after_valuation", "duplicate_line",
    "reversal_netted", "non_positive_after_netting", "outside_enrolment", "extreme_value", "conflicting_tier", "members_without_claims",
    "unparseable_value", "unmapped_code"};

/// A 128-bit hash (trivially copyable, unlike std::pair: rows are sorted on disk).
struct Hash128 {
    std::uint64_t high = 0, low = 0;
    auto operator<=>(const Hash128&) const = default;
};

/// Two 64-bit FNV-1a hashes (different offset bases) with a final avalanche: a 128-bit
/// fingerprint of a claim line's key or of a whole row. Not cryptographic; two distinct
/// rows share one with probability about 2^-128.
struct Fingerprint {
    std::uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
    void add(std::string_view text) {
        for (unsigned char ch : text) a = (a ^ ch) * 0x100000001b3ull, b = (b ^ ch) * 0x100000001b3ull;
        a = (a ^ 0x1f) * 0x100000001b3ull, b = (b ^ 0x1e) * 0x100000001b3ull;  // a field separator
    }
    static std::uint64_t mix(std::uint64_t z) {  // splitmix64's finaliser
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    Hash128 value() const { return {mix(a), mix(b)}; }
};

/// A claims row that passed the row rules, without its strings.
struct Row {
    Hash128 line_key, content;
    std::uint64_t claim = 0;
    std::uint32_t file_line = 0, member = 0;
    sys_days service, paid;
    double allowed = 0.0, paid_amount = 0.0;
    std::uint16_t category = 0;
    bool reversal = false;
};

/// The order the rows are cleaned in: by claim, then claim line, duplicates next to each
/// other, then file line (unique, so the order is total and the same for any buffer size).
struct RowOrder {
    bool operator()(const Row& x, const Row& y) const {
        return std::tie(x.claim, x.line_key, x.content, x.file_line) < std::tie(y.claim, y.line_key, y.content, y.file_line);
    }
};

/// A claim line after netting its rows.
struct NetLine {
    std::uint64_t claim;
    std::uint32_t file_line, member;
    std::uint16_t category;
    sys_days service;  ///< the first billing's (its rows enter the run-out triangle at their own payment dates)
    double allowed, paid_amount;
};

std::optional<sys_days> try_date(std::string_view text) {
    try {
        return stats::parse_date(std::string(text), "date");
    } catch (const InvalidInput&) {
        return std::nullopt;
    }
}

std::string quoted(std::string_view s) { return "\"" + std::string(s.substr(0, 60)) + "\""; }
std::string day_text(sys_days d) {
    const std::chrono::year_month_day ymd{d};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}
year_month month_of(sys_days d) {
    const std::chrono::year_month_day ymd{d};
    return ymd.year() / ymd.month();
}

/// The report's findings and the strict mode.
class Findings {
public:
    Findings(StandardiseReport& report, bool strict) : report_(report), strict_(strict) {}
    /// The rules' empty findings, once the report names its files.
    void begin() {
        for (std::size_t r = 0; r < rule_count; ++r) {
            const bool members = r == conflicting_tier || r == members_without_claims || r == member_unparseable_value || r == member_unmapped_code;
            const bool removes = r != extreme_value && r != conflicting_tier && r != members_without_claims;
            report_.findings.push_back({rule_names[r], members ? "members" : "claims", members ? report_.members_file : report_.claims_file,
                                        removes, 0, 0.0, {}});
        }
    }
    /// Counts a row (or `rows`) under `rule`; `detail` says what is wrong with it.
    void note(Rule rule, std::size_t line, double dollars, const std::string& detail, std::size_t rows = 1) {
        Finding& f = report_.findings[rule];
        if (strict_ && rule != members_without_claims)
            throw InvalidInput(f.file + ", line " + std::to_string(line), std::string("no ") + f.rule + " finding (strict mode)", detail);
        f.rows += rows;
        f.allowed += dollars;
        // The 5 earliest lines, whatever order the rows are cleaned in.
        std::vector<std::size_t>& lines = example_lines_[rule];
        const auto at = std::upper_bound(lines.begin(), lines.end(), line);
        if (at - lines.begin() >= 5) return;
        f.examples.insert(f.examples.begin() + (at - lines.begin()), f.file + ", line " + std::to_string(line) + ": " + detail);
        lines.insert(at, line);
        if (lines.size() > 5) lines.pop_back(), f.examples.pop_back();
    }

private:
    StandardiseReport& report_;
    bool strict_;
    std::array<std::vector<std::size_t>, rule_count> example_lines_;
};

int index_of(const std::vector<std::string>& names, const std::string& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

/// Names in order of first appearance, to be sorted at the end unless a list was given.
class NameIndex {
public:
    explicit NameIndex(std::vector<std::string> accepted) : names_(std::move(accepted)), fixed_(!names_.empty()) {}
    /// The index of `name`, or -1 when a list was given and does not hold it.
    int find_or_add(const std::string& name) {
        const int i = index_of(names_, name);
        if (i >= 0 || fixed_) return i;
        names_.push_back(name);
        return static_cast<int>(names_.size()) - 1;
    }
    /// The final names (sorted unless given) and old index -> new index.
    std::pair<std::vector<std::string>, std::vector<std::uint16_t>> finish() const {
        std::vector<std::string> sorted = names_;
        if (!fixed_) std::sort(sorted.begin(), sorted.end());
        std::vector<std::uint16_t> remap(names_.size());
        for (std::size_t i = 0; i < names_.size(); ++i) remap[i] = static_cast<std::uint16_t>(index_of(sorted, names_[i]));
        return {sorted, remap};
    }

private:
    std::vector<std::string> names_;
    bool fixed_;
};

struct MemberRow {
    std::uint32_t member, file_line;
    int tier;
    double risk_score;
    sys_days start, end;
};

class Standardiser {
public:
    Standardiser(const ColumnMap& map, const StandardiseOptions& options)
        : map_(map), options_(options), tiers_(options.tiers), categories_(options.categories), findings_(out_.report, options.strict),
          rows_(options.rows_in_memory, "claims rows") {}

    CleanClaims run(csv::Reader& members, csv::Reader& claims) {
        out_.report.members_file = members.file(), out_.report.claims_file = claims.file();
        findings_.begin();
        read_member_rows(members);
        read_claim_rows(claims);
        finish_members();
        set_window();
        clean_rows();
        note_members_without_claims();
        build_exposure();
        return std::move(out_);
    }

private:
    void read_member_rows(csv::Reader& in);
    void read_claim_rows(csv::Reader& in);
    std::string claim_row_problem(const csv::Reader& in, Row& row) const;
    void finish_members();
    void set_window();
    bool inside_window(const Row& row);
    void clean_rows();
    void net_line(std::vector<Row>& rows, std::vector<NetLine>& lines);
    void add_events(std::vector<NetLine>& lines, const std::vector<std::uint16_t>& category_remap);
    void note_members_without_claims();
    void build_exposure();

    const ColumnMap& map_;
    const StandardiseOptions& options_;
    CleanClaims out_;
    NameIndex tiers_, categories_;
    Findings findings_;
    std::unordered_map<std::string, std::uint32_t> member_index_;
    std::vector<MemberRow> member_rows_;
    ExternalSort<Row, RowOrder> rows_;
    sys_days earliest_service_{}, latest_paid_{};
    std::uint32_t earliest_service_line_ = 0, latest_paid_line_ = 0;
    stats::PaidTriangleBuilder triangle_{year_month{}, year_month{}};
    std::vector<bool> has_claim_;
    struct ClaimColumnIndex {
        std::size_t claim_id, member_id, service, paid_date, category, allowed;
        std::optional<std::size_t> line, paid, adjustment;
    } col_{};
};

void Standardiser::read_member_rows(csv::Reader& in) {
    const MemberColumns& c = map_.members;
    const std::size_t id = in.column(c.member_id), tier = in.column(c.tier), start = in.column(c.enrolment_start),
                      end = in.column(c.enrolment_end);
    const auto risk = in.find_column(c.risk_score);
    StandardiseReport& report = out_.report;
    while (in.next()) {
        ++report.member_rows_in;
        const auto a = try_date(in.field(start)), b = try_date(in.field(end));
        const auto score = risk && !in.field(*risk).empty() ? in.try_number(*risk) : std::optional<double>(1.0);  // empty: not given
        std::string problem;
        if (in.field(id).empty()) problem = c.member_id + " is empty";
        else if (!a) problem = c.enrolment_start + " " + quoted(in.field(start)) + " is not a date YYYY-MM-DD";
        else if (!b) problem = c.enrolment_end + " " + quoted(in.field(end)) + " is not a date YYYY-MM-DD";
        else if (*b < *a) problem = c.enrolment_end + " " + quoted(in.field(end)) + " is before the start " + quoted(in.field(start));
        else if (!score || *score < 0.0) problem = c.risk_score + " " + quoted(in.field(*risk)) + " is not a number >= 0";
        if (!problem.empty()) {
            findings_.note(member_unparseable_value, in.line(), 0.0, problem);
            continue;
        }
        const std::optional<std::string> name = map_.tier_of(in.field(tier));
        const int t = name ? tiers_.find_or_add(*name) : -1;
        if (t < 0) {
            findings_.note(member_unmapped_code, in.line(), 0.0, c.tier + " " + quoted(in.field(tier)) + " maps to no tier");
            continue;
        }
        const auto [it, added] = member_index_.try_emplace(std::string(in.field(id)), static_cast<std::uint32_t>(out_.members.size()));
        if (added) out_.members.push_back(Member{it->first, 0, 1.0, {}});
        member_rows_.push_back({it->second, static_cast<std::uint32_t>(in.line()), t, *score, *a, *b});
        ++report.member_rows_kept;
    }
    if (out_.members.empty())
        throw InvalidInput(in.file(), "at least one member with a readable row", std::to_string(report.member_rows_in) + " rows, none readable");
}

/// Each member's spans merged; its tier and risk score those of its latest span.
void Standardiser::finish_members() {
    auto [names, remap] = tiers_.finish();
    out_.tiers = std::move(names);
    std::vector<std::vector<stats::DaySpan>> spans(out_.members.size());
    std::vector<const MemberRow*> latest(out_.members.size(), nullptr);
    for (const MemberRow& r : member_rows_) {
        spans[r.member].emplace_back(r.start, r.end);
        const MemberRow*& l = latest[r.member];
        if (l && l->tier != r.tier)
            findings_.note(conflicting_tier, r.file_line, 0.0,
                           "member " + out_.members[r.member].id + " has tier " + out_.tiers[remap[static_cast<std::size_t>(r.tier)]] +
                               " here and " + out_.tiers[remap[static_cast<std::size_t>(l->tier)]] + " on line " + std::to_string(l->file_line) +
                               " (the latest span's tier is used)");
        if (!l || r.start >= l->start) l = &r;
    }
    for (std::size_t i = 0; i < out_.members.size(); ++i) {
        Member& m = out_.members[i];
        m.tier = remap[static_cast<std::size_t>(latest[i]->tier)];
        m.risk_score = latest[i]->risk_score;
        m.spans = stats::merge_spans(std::move(spans[i]));
    }
}

void Standardiser::read_claim_rows(csv::Reader& in) {
    const ClaimColumns& c = map_.claims;
    col_ = {in.column(c.claim_id), in.column(c.member_id), in.column(c.service_date), in.column(c.paid_date), in.column(c.category),
            in.column(c.allowed), in.find_column(c.line), in.find_column(c.paid), in.find_column(c.adjustment)};
    StandardiseReport& report = out_.report;
    while (in.next()) {
        ++report.rows_in;
        Row row;
        // A reversal takes its amount away, whichever sign the extract writes it with.
        row.reversal = col_.adjustment && map_.is_reversal(in.field(*col_.adjustment));
        const auto reversed = [&](double amount) { return row.reversal ? -std::fabs(amount) : amount; };
        const auto allowed = in.try_number(col_.allowed);
        if (allowed) report.allowed_in += reversed(*allowed);
        if (const std::string problem = claim_row_problem(in, row); !problem.empty()) {
            findings_.note(unparseable_value, in.line(), allowed ? reversed(*allowed) : 0.0, problem);
            continue;
        }
        row.allowed = reversed(row.allowed), row.paid_amount = reversed(row.paid_amount);
        const auto member = member_index_.find(std::string(in.field(col_.member_id)));
        if (member == member_index_.end()) {
            findings_.note(unknown_member, in.line(), row.allowed, c.member_id + " " + quoted(in.field(col_.member_id)) + " is not in the members file");
            continue;
        }
        const std::optional<std::string> name = map_.category_of(in.field(col_.category));
        const int category = name ? categories_.find_or_add(*name) : -1;
        if (category < 0) {
            findings_.note(unmapped_code, in.line(), row.allowed, c.category + " " + quoted(in.field(col_.category)) + " maps to no category");
            continue;
        }
        row.member = member->second;
        row.category = static_cast<std::uint16_t>(category);
        row.file_line = static_cast<std::uint32_t>(in.line());
        report.reversal_rows += row.reversal;
        Fingerprint key, content, claim;
        key.add(in.field(col_.claim_id));
        claim.add(in.field(col_.claim_id));
        if (col_.line) key.add(in.field(*col_.line));
        for (std::size_t i = 0; i < in.size(); ++i) content.add(in.field(i));
        row.line_key = key.value(), row.content = content.value(), row.claim = claim.value().high;
        if (rows_.size() == 0 || row.service < earliest_service_) earliest_service_ = row.service, earliest_service_line_ = row.file_line;
        if (rows_.size() == 0 || row.paid > latest_paid_) latest_paid_ = row.paid, latest_paid_line_ = row.file_line;
        rows_.push(row);
    }
}

/// What makes a claims row unreadable ("" when nothing), with its dates and amounts in `row`.
std::string Standardiser::claim_row_problem(const csv::Reader& in, Row& row) const {
    const ClaimColumns& c = map_.claims;
    if (in.field(col_.claim_id).empty()) return c.claim_id + " is empty";
    if (in.field(col_.member_id).empty()) return c.member_id + " is empty";
    const auto service = try_date(in.field(col_.service));
    if (!service) return c.service_date + " " + quoted(in.field(col_.service)) + " is not a date YYYY-MM-DD";
    const auto paid = try_date(in.field(col_.paid_date));
    if (!paid) return c.paid_date + " " + quoted(in.field(col_.paid_date)) + " is not a date YYYY-MM-DD";
    if (*paid < *service) return c.paid_date + " " + quoted(in.field(col_.paid_date)) + " is before the service date " + quoted(in.field(col_.service));
    const auto allowed = in.try_number(col_.allowed);
    if (!allowed) return c.allowed + " " + quoted(in.field(col_.allowed)) + " is not a number";
    const auto paid_amount = col_.paid ? in.try_number(*col_.paid) : allowed;
    if (!paid_amount) return c.paid + " " + quoted(in.field(*col_.paid)) + " is not a number";
    row.service = *service, row.paid = *paid, row.allowed = *allowed, row.paid_amount = *paid_amount;
    return "";
}

/// The window: the first incurred month and the valuation month, given or from the rows.
void Standardiser::set_window() {
    if (rows_.size() == 0)
        throw InvalidInput(out_.report.claims_file, "at least one readable claim row of a known member and category",
                           std::to_string(out_.report.rows_in) + " rows, none usable");
    // Without a first month: the later of the first service and the first enrolment, so
    // that claims served before anyone was enrolled do not open the window with empty months.
    sys_days enrolled = member_rows_.front().start;
    for (const MemberRow& m : member_rows_) enrolled = std::min(enrolled, m.start);
    out_.first = options_.first.empty() ? std::max(month_of(earliest_service_), month_of(enrolled)) : stats::parse_month(options_.first, "first");
    out_.valuation = options_.valuation.empty() ? month_of(latest_paid_) : stats::parse_month(options_.valuation, "valuation");
    const std::string& file = out_.report.claims_file;
    const bool first_from_service = options_.first.empty() && month_of(earliest_service_) >= month_of(enrolled);
    out_.report.window = month_text(out_.first) +
                         (!options_.first.empty()     ? " (given)"
                          : first_from_service        ? " (the earliest service: " + file + ", line " + std::to_string(earliest_service_line_) + ")"
                                                      : " (the earliest enrolment)") +
                         " to " + month_text(out_.valuation) +
                         (options_.valuation.empty() ? " (the latest payment: " + file + ", line " + std::to_string(latest_paid_line_) + ")" : " (given)");
    if (out_.valuation < out_.first)
        throw InvalidInput("valuation", "a month from the first month " + month_text(out_.first) + " on", month_text(out_.valuation));
    // The run-out triangle grows with the square of the window: one payment dated 4220 would
    // ask for gigabytes before any other check (found by fuzzing).
    if ((out_.valuation - out_.first).count() >= StandardiseOptions::max_window_months)
        throw InvalidInput("window", "at most " + std::to_string(StandardiseOptions::max_window_months) +
                                         " months of experience (--first and --valuation, Python first and valuation, choose one)",
                           out_.report.window);
}

/// The window's rules for one row: false (and counted) when it is removed.
bool Standardiser::inside_window(const Row& r) {
    const year_month incurred = month_of(r.service);
    if (incurred < out_.first || incurred > out_.valuation) {
        findings_.note(incurred_outside_window, r.file_line, r.allowed,
                       "service " + day_text(r.service) + " outside " + month_text(out_.first) + " .. " + month_text(out_.valuation));
        return false;
    }
    if (month_of(r.paid) > out_.valuation) {
        findings_.note(paid_after_valuation, r.file_line, r.allowed, "paid " + day_text(r.paid) + " after the valuation month " + month_text(out_.valuation));
        return false;
    }
    return true;
}

/// The rows in RowOrder (merged from disk when they outgrew the buffer), one claim at a
/// time: each claim line's rows netted (net_line), then the claim's lines made events.
void Standardiser::clean_rows() {
    const auto [names, remap] = categories_.finish();
    out_.categories = names;
    triangle_ = stats::PaidTriangleBuilder(out_.first, out_.valuation);
    has_claim_.assign(out_.members.size(), false);
    rows_.finish();
    std::vector<Row> line;
    std::vector<NetLine> claim;
    Row r;
    while (rows_.next(r)) {
        if (!inside_window(r)) continue;
        if (!line.empty() && r.line_key != line.front().line_key) {
            net_line(line, claim);
            if (r.claim != line.front().claim) add_events(claim, remap);
            line.clear();
        }
        line.push_back(r);
    }
    if (!line.empty()) net_line(line, claim);
    add_events(claim, remap);
    out_.triangle = triangle_.finish();
    // Events by member (then service): the order does not depend on claim ids' hashes.
    // Events equal in every field are interchangeable, so std::sort (no buffer) suffices.
    std::sort(out_.events.begin(), out_.events.end(), [](const Event& x, const Event& y) {
        return std::tie(x.member, x.service, x.category, x.allowed, x.paid) < std::tie(y.member, y.service, y.category, y.allowed, y.paid);
    });
}

/// One claim line's rows (in RowOrder): duplicates removed, the rest netted into a line.
void Standardiser::net_line(std::vector<Row>& rows, std::vector<NetLine>& lines) {
    auto kept = rows.begin();
    for (auto r = rows.begin(); r != rows.end(); ++r)
        if (r != rows.begin() && r->content == (r - 1)->content)
            findings_.note(duplicate_line, r->file_line, r->allowed, "the same as line " + std::to_string((r - 1)->file_line));
        else
            *kept++ = *r;
    // The line's first billing (the earliest row that is not a reversal) gives its member, category and dates.
    auto first = rows.begin();
    for (auto r = rows.begin(); r != kept; ++r)
        if ((first->reversal && !r->reversal) || (first->reversal == r->reversal && r->file_line < first->file_line)) first = r;
    NetLine line{first->claim, first->file_line, first->member, first->category, first->service, 0.0, 0.0};
    for (auto r = rows.begin(); r != kept; ++r) line.allowed += r->allowed, line.paid_amount += r->paid_amount;
    const auto netted = static_cast<std::size_t>(kept - rows.begin());
    if (netted > 1)
        findings_.note(reversal_netted, line.file_line, 0.0,
                       std::to_string(netted) + " rows of the claim line netted to " + show(line.allowed), netted - 1);
    if (!(line.allowed > 0.0))
        findings_.note(non_positive_after_netting, line.file_line, line.allowed, "the claim line nets to " + show(line.allowed));
    else if (!out_.members[line.member].enrolled_on(line.service))
        findings_.note(outside_enrolment, line.file_line, line.allowed,
                       "member " + out_.members[line.member].id + " not enrolled on " + day_text(line.service));
    else {
        if (line.allowed > options_.extreme_threshold)
            findings_.note(extreme_value, line.file_line, line.allowed, "allowed " + show(line.allowed) + " above " + show(options_.extreme_threshold));
        lines.push_back(line);
        ++out_.report.rows_kept;
        out_.report.allowed_kept += line.allowed;
        // Each row's amount at its own payment (a paid triangle): an adjustment paid months
        // later develops the line then, as recent lines' adjustments have yet to (Friedland,
        // ch. 7). A row paid before the line's service counts at the service month.
        for (auto r = rows.begin(); r != kept; ++r) triangle_.add(line.service, std::max(r->paid, line.service), r->allowed);
        has_claim_[line.member] = true;
    }
}

/// A claim's net lines of one member and category make one event (then `lines` is emptied).
void Standardiser::add_events(std::vector<NetLine>& lines, const std::vector<std::uint16_t>& category_remap) {
    std::sort(lines.begin(), lines.end(),
              [](const NetLine& x, const NetLine& y) { return std::tie(x.member, x.category, x.file_line) < std::tie(y.member, y.category, y.file_line); });
    for (std::size_t k = 0; k < lines.size(); ++k) {
        const NetLine& l = lines[k];
        if (k == 0 || l.member != lines[k - 1].member || l.category != lines[k - 1].category)
            out_.events.push_back(Event{l.member, category_remap[l.category], l.service, 0.0, 0.0});
        Event& e = out_.events.back();
        e.service = std::min(e.service, l.service);
        e.allowed += l.allowed, e.paid += l.paid_amount;
    }
    lines.clear();
}

void Standardiser::note_members_without_claims() {
    for (const MemberRow& r : member_rows_)  // each member once, at its first row
        if (!has_claim_[r.member]) {
            findings_.note(members_without_claims, r.file_line, 0.0, "member " + out_.members[r.member].id + " has no claim");
            has_claim_[r.member] = true;
        }
}

void Standardiser::build_exposure() {
    stats::Exposure& e = out_.exposure;
    e.first = out_.first;
    e.months = static_cast<std::size_t>((out_.valuation - out_.first).count()) + 1;
    e.member_months.assign(out_.members.size() * e.months, 0.0);
    for (std::size_t i = 0; i < out_.members.size(); ++i) {
        e.members.push_back(out_.members[i].id);
        stats::add_member_months(out_.members[i].spans, e.first, e.months, &e.member_months[i * e.months]);
    }
}

}  // namespace

bool Member::enrolled_on(sys_days day) const {
    for (const auto& [a, b] : spans)
        if (day >= a && day <= b) return true;
    return false;
}

void StandardiseOptions::validate() const {
    if (!first.empty()) (void)stats::parse_month(first, "first");
    if (!valuation.empty()) (void)stats::parse_month(valuation, "valuation");
    if (!first.empty() && !valuation.empty() && stats::parse_month(valuation, "valuation") < stats::parse_month(first, "first"))
        throw InvalidInput("valuation", "a month from first (" + first + ") on", "\"" + valuation + "\"");
    check::positive("extreme_threshold", extreme_threshold);
    if (rows_in_memory < 2) throw InvalidInput("rows_in_memory", "at least 2 rows", std::to_string(rows_in_memory));
    for (const auto* list : {&tiers, &categories})
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string at = std::string(list == &tiers ? "tiers" : "categories") + "[" + std::to_string(i) + "]";
            if ((*list)[i].empty()) throw InvalidInput(at, "a non-empty name", "\"\"");
            if (index_of(*list, (*list)[i]) != static_cast<int>(i)) throw InvalidInput(at, "a name not used before", "\"" + (*list)[i] + "\" again");
        }
}

const Finding& StandardiseReport::finding(std::string_view source, std::string_view rule) const {
    for (const Finding& f : findings)
        if (f.source == source && f.rule == rule) return f;
    throw std::invalid_argument("StandardiseReport::finding: no rule \"" + std::string(rule) + "\" for the " + std::string(source) + " extract");
}

bool StandardiseReport::reconciles() const {
    std::size_t rows = rows_kept, member_rows = member_rows_kept;
    double dollars = allowed_kept;
    for (const Finding& f : findings) {
        if (!f.removes) continue;
        if (f.source == "claims") rows += f.rows, dollars += f.allowed;
        else member_rows += f.rows;
    }
    return rows == rows_in && member_rows == member_rows_in && std::fabs(dollars - allowed_in) <= 1e-8 * std::max(1.0, std::fabs(allowed_in));
}

CleanClaims standardise(csv::Reader& members, csv::Reader& claims, const ColumnMap& map, const StandardiseOptions& options) {
    options.validate();
    return Standardiser(map, options).run(members, claims);
}

}  // namespace apmsim::claims
