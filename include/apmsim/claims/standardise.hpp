#pragma once
/// \file standardise.hpp
/// \brief From a program's members (eligibility) and claims extracts to clean experience:
/// the cost model's events (a claim's lines of one category, reversals netted), each
/// member's merged enrolment, member-months, and the paid-lag triangle, with a report in
/// which nothing is dropped unseen.
///
/// Rules, in the order they apply to a claims row (each counted with its allowed dollars
/// and up to 5 examples naming the file and line):
///   unparseable_value        a required value missing or unreadable (claim id, member id,
///                            a date that does not exist, a non-numeric amount), or paid
///                            before the service
///   unknown_member           a member id not in the members file
///   unmapped_code            a category code the map (or the category list) does not hold
///   incurred_outside_window  service before the first month or after the valuation month
///   paid_after_valuation     paid after the valuation month (not known at valuation)
/// then, per claim line (claim id and line number) over all its rows:
///   duplicate_line           a row equal to an earlier row in every field
///   reversal_netted          rows merged into their line by netting (their dollars stay
///                            in the line: the finding's dollars are 0)
///   non_positive_after_netting  a line whose rows net to an allowed amount <= 0
///   outside_enrolment        a line served on a day the member was not enrolled
/// and, without removing anything:
///   extreme_value            a line whose net allowed exceeds the threshold (flagged)
///   members_without_claims   members with no claim (kept: they are exposure)
/// Members rows: unparseable_value (a bad date, an end before the start, a bad risk
/// score), unmapped_code (a tier the map does not hold); a member whose rows disagree on
/// the tier takes the tier of the latest span (conflicting_tier, flagged).
/// The report reconciles: rows in = rows kept + rows removed by each rule, and allowed
/// dollars likewise (a row whose amount cannot be read counts no dollars; a row marked as a
/// reversal counts minus its amount's size, whichever sign the extract gives it).
///
/// Memory: finding duplicates and netting reversals needs every row of a claim line
/// together. The usable rows (80 bytes each, no strings) are sorted by claim and line in a
/// buffer of `rows_in_memory` rows; a larger extract is sorted in runs spilled to an
/// unlinked temporary file in TMPDIR and merged (core/external_sort.hpp). What stays in
/// memory is the buffer, the members (their ids, spans and member-months) and the clean
/// events (one per claim and category), so a file of more duplicates, reversals and lines
/// per claim costs no more memory. The result does not depend on the buffer size.

#include "apmsim/claims/column_map.hpp"
#include "apmsim/core/csv.hpp"
#include "apmsim/stats/chain_ladder.hpp"
#include "apmsim/stats/exposure.hpp"
#include "apmsim/stats/run_out.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace apmsim::claims {

/// One rule's count: rows, their allowed dollars, the first examples.
struct Finding {
    std::string rule;
    std::string source;  ///< "members" or "claims": the extract it is about
    std::string file;    ///< that extract's file
    bool removes = true;  ///< false: flagged or counted, the rows stay
    std::size_t rows = 0;
    double allowed = 0.0;
    std::vector<std::string> examples;  ///< at most 5: "claims.csv, line 17: ..."
};

struct StandardiseOptions {
    std::string first;      ///< "YYYY-MM", the first incurred month; empty: the later of the first service's and the first enrolment's
    std::string valuation;  ///< "YYYY-MM", the last incurred and paid month; empty: the latest paid month
    double extreme_threshold = 1'000'000.0;  ///< a line's net allowed above it is flagged
    bool strict = false;    ///< any finding (other than members without claims) is an error
    std::size_t rows_in_memory = std::size_t{1} << 19;  ///< claims rows sorted in memory (80 B each) before runs spill to disk
    /// The longest window read (100 years): a longer one is an error naming where its ends come from.
    static constexpr int max_window_months = 1200;
    /// The accepted tiers and categories (e.g. a manual cost model's); empty: what the data hold.
    std::vector<std::string> tiers, categories;
    void validate() const;
};

struct Member {
    std::string id;
    std::uint16_t tier = 0;
    double risk_score = 1.0;
    std::vector<std::pair<std::chrono::sys_days, std::chrono::sys_days>> spans;  ///< merged, sorted
    bool enrolled_on(std::chrono::sys_days day) const;
};

/// An event of the cost model: the netted lines of one claim in one category.
struct Event {
    std::uint32_t member = 0;
    std::uint16_t category = 0;
    std::chrono::sys_days service;  ///< the earliest line's
    double allowed = 0.0, paid = 0.0;
};

struct StandardiseReport {
    std::string members_file, claims_file;
    /// The window read and where its ends come from, e.g. "2023-01 (the earliest service:
    /// claims.csv, line 2) to 2024-06 (the latest payment: claims.csv, line 9)".
    std::string window;
    std::size_t member_rows_in = 0, member_rows_kept = 0;
    std::size_t rows_in = 0, rows_kept = 0;  ///< claims rows; a kept row is a net claim line
    double allowed_in = 0.0, allowed_kept = 0.0;
    std::size_t reversal_rows = 0;  ///< rows marked as reversals (netted or removed)
    std::vector<Finding> findings;  ///< one per rule and extract
    /// The finding of `rule` in the extract `source` ("members" or "claims"), e.g.
    /// finding("claims", "extreme_value"); one the report has not is std::invalid_argument.
    const Finding& finding(std::string_view source, std::string_view rule) const;
    /// rows_in == rows_kept + removed rows, and the dollars within a cent per million.
    bool reconciles() const;
};

struct CleanClaims {
    std::vector<std::string> tiers, categories;
    std::vector<Member> members;
    std::chrono::year_month first, valuation;
    stats::Exposure exposure;     ///< member-months of `members` (same order), first .. valuation
    std::vector<Event> events;    ///< by member, then service date
    stats::PaidTriangle triangle; ///< net lines' allowed by incurred and paid month
    StandardiseReport report;
    std::size_t months() const { return exposure.months; }
};

/// Reads and cleans the two extracts (see the file comment). Missing required columns,
/// malformed CSV and, in strict mode, the first finding are InvalidInput naming the file
/// and line; so is an extract left with no member or no claim. A finding's examples are
/// its 5 earliest lines. A temporary file that cannot be written (a full disk) is a
/// std::runtime_error naming its folder.
CleanClaims standardise(csv::Reader& members, csv::Reader& claims, const ColumnMap& map, const StandardiseOptions& options = {});

}  // namespace apmsim::claims
