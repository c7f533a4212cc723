#pragma once
/// \file synth.hpp
/// \brief Synthetic claims and eligibility extracts of a scenario's program
/// (`apmsim synth`): members.csv, claims.csv and truth.json, drawn from the scenario's cost
/// model the way the engine draws it, with deliberate mess at stated rates, each injected
/// row counted in truth.json. The input of the claims standardiser and calibrator's tests.
///
/// The model (src/simulation/engine.cpp, simulate_member and member_year_costs):
/// - Member k (k = 0 .. members - 1, id "M" + k + 1 in 6 or more digits) takes the tier,
///   sex, age band, risk score and relative risk (Population::relative_risk) of scenario
///   member k mod size; it stays in that tier (tier transitions, churn, the population's
///   eligible months and the intervention are ignored: the extract describes the program
///   before it starts). Everybody is enrolled through the window (`start` for 12 x `years`
///   months) unless an enrolment gap says otherwise. birth_date: a uniform day with the age
///   at the window's start in the member's age band ("lo-hi"; any other label: 0-17).
/// - Member-year y (data year y = months 12y .. 12y + 11 of the window): frailty F ~
///   Gamma(1/cv^2) / (1/cv^2) when frailty_cv > 0, on the engine's frailty stream; per
///   category c the count is the cell's Frequency drawn at scale F x relative risk x
///   exposure, where exposure is the sum over enrolled months of seasonality / 12 (the
///   engine's plan.exposure), on the engine's count stream; event j's allowed amount is the
///   cell's Severity draw j on the engine's severity stream times (1 + trend.mean)^y (the
///   mean trend; data year 0 is in base-year dollars). With trial 0 and the same seed, the
///   counts and severities are the engine's baseline arm of trial 0, member for member,
///   when the scenario's members are enrolled all year. A scenario with a copula is refused.
/// - Streams: Philox only, trial 0. Besides the engine's, StreamKind::synth with the
///   index purpose << 12 | category: 1 an event's details (service month, day, lines, split,
///   payment lag: draws 8j ..), 2 a line's mess (draws 16 (3j + line) ..), 3 the member's
///   enrolment mess, 4 its birth date. A rule's draws do not depend on the other rates, so
///   the true claims are the same at every mess rate and a rule's rows at rate r are a
///   subset of its rows at a higher rate.
/// - An event is one claim of 1 (p 0.5), 2 (0.3) or 3 (0.2) lines of its category and
///   service date, the allowed amount (rounded to cents, at least 1) split at uniform
///   breaks with at least a cent a line (no true line nets to 0); paid =
///   allowed (no cost sharing for the CMC population). Service date: a month among the
///   member's enrolled months of the year with probability proportional to the category's
///   seasonality factor (seasonality[c][k] for month k of the data year), a uniform day.
///   Paid date: service date + a lag of ceil(X) days, X ~ Exponential(mean_payment_lag_days),
///   the same for every line of the claim, so P(lag > d) = exp(-d / mean) for whole d >= 0.
///   A claim paid after the valuation date is not written (run-out); truth.json counts it
///   by incurred month. claim_id: "C" + 8 or more digits, numbered in order of first
///   appearance in claims.csv (true claims and extras alike).
///
/// The mess, per written true line (paid by the valuation date) unless said otherwise:
/// - duplicate: its original row written twice (an exact duplicate row).
/// - reversal (a line paid 2 days or more before the valuation date): its original row, a
///   reversal row (same claim_id and line, negated) paid ceil(Exponential(mean lag)) days
///   later (at most the day before the valuation date), then a replacement row with the true
///   amount paid as much later again (at most the valuation date). Net: the true line.
/// - void: an extra one-line claim (same member, category and service date, the line's
///   amount times 0.5 + U) billed on the line's paid date and reversed later: nets to 0.
/// - enrolment_gap (per member): enrolment split into two spans with a 1-2 month gap
///   strictly inside the window; no true claims in the gap, exposure excludes it.
/// - overlap (per member without a gap): two spans overlapping by 1-3 months.
/// - outside_enrolment: an extra one-line claim of the member and category with a service
///   date in the member's gap (up to the valuation date) or, without one, 1-90 days before
///   the window; paid a lag after the later of it and the window's first day (at most the
///   valuation date).
/// - unknown_member: a copy of the line as a new claim of a member id not in members.csv.
/// - bad_value: a copy as a new claim with allowed and paid "12.3.4", "N/A" or "" (no
///   commas), or a service date that does not exist (the 30th of February or the 31st of
///   a 30-day month); one of the four kinds with probability 1/4 each.
/// - unmapped_category: a copy as a new claim with a category not in the cost model
///   ("dental", "vision", "transportation", "chiropractic").
/// Memory: every claims row is held until the file is sorted by paid date, about 20 KB per
/// member-year of the default program (2,000 members x 3 years: 130 MB, 1.4 s).
///
/// Cleaning: drop exact duplicate rows, then net rows by (claim_id, line) (dropping lines
/// that net to 0), drop rows of unknown members, bad values, unmapped categories and
/// service dates outside the member's merged enrolment: what is left is the true lines paid
/// by the valuation date, exactly.

#include "apmsim/core/json_reader.hpp"
#include "apmsim/population/cost_model.hpp"
#include "apmsim/scenario.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace apmsim {

/// The mess `synthesize` injects, each a probability in [0, 1] (see the file comment).
struct MessRates {
    double duplicate = 0.01, reversal = 0.02, void_line = 0.005;  ///< per written true line
    double enrolment_gap = 0.03, overlap = 0.03;                  ///< per member
    double outside_enrolment = 0.002, unknown_member = 0.002, bad_value = 0.001, unmapped_category = 0.001;  ///< per written true line

    /// The rules' names, as in truth.json and the command line (with '-' for '_').
    static constexpr std::array<const char*, 9> names = {"duplicate",         "reversal",       "void",      "enrolment_gap", "overlap",
                                                         "outside_enrolment", "unknown_member", "bad_value", "unmapped_category"};
    double& rate(std::size_t k);
    double rate(std::size_t k) const;
    /// Every rate 0: clean files.
    static MessRates none();
    /// Each rate in [0, 1]; InvalidInput names `where`.NAME.
    void validate(const std::string& where) const;
};

struct SynthOptions {
    std::uint64_t seed = 1;
    std::optional<std::size_t> members;  ///< none: the scenario population's size (1 to 100,000; the rows are sorted in memory, about 20 KB a member-year)
    std::optional<int> years;            ///< none: the scenario's (1 to 100)
    std::string start = "2024-01";       ///< the window's first month, YYYY-MM
    std::string valuation;               ///< YYYY-MM-DD, on or after the window's first day; empty: its last day
    double mean_payment_lag_days = 40.0; ///< (0, 3650]
    MessRates mess;

    /// InvalidInput naming `where`.members, .years, .start, .valuation,
    /// .mean_payment_lag_days or .mess.NAME.
    void validate(const std::string& where = "synth") const;
};

/// True claims of one tier x category x data year: every event incurred in the window,
/// paid by the valuation date or not.
struct SynthCell {
    std::uint64_t events = 0, lines = 0;
    std::int64_t allowed_cents = 0;
};

/// True claims by incurred (service) month, and those paid after the valuation date.
struct SynthMonth {
    std::uint64_t claims = 0, lines = 0, unpaid_claims = 0, unpaid_lines = 0;
    std::int64_t allowed_cents = 0, unpaid_cents = 0;
};

/// What one mess rule injected: `rows` it added to its file beyond the clean one (duplicate,
/// gap, overlap and the extras 1 each, reversal and void 2 each), `units` the lines it
/// touched or added (members for enrolment_gap and overlap), `cents` the parseable allowed
/// dollars of the lines (reversal: the amount reversed; void: the amount billed), `detail`
/// sub-counts (gap_months, overlap_months, in_gap, before_window, bad_value kinds).
struct MessCount {
    std::uint64_t rows = 0, units = 0;
    std::int64_t cents = 0;
    std::map<std::string, std::uint64_t> detail;
};

/// What `synthesize` wrote and the truth behind it; to_json() is truth.json.
struct SynthSummary {
    SynthOptions options;  ///< resolved: members, years and valuation filled in
    std::string scenario_name, window_first, window_last;  ///< the window's first and last days
    std::vector<std::string> tiers, categories, ignored;   ///< ignored: parts of the scenario not simulated
    Json cost_model;                     ///< as in the scenario format (tier transitions and copula left out)
    Json cell_moments;                   ///< {category: {tier: frequency_mean, frequency_cv, severity_mean, severity_cv}}
    std::vector<double> trend_factors;   ///< [year] (1 + trend.mean)^year
    std::vector<SynthCell> cells;        ///< [(tier * categories + category) * years + year]
    std::vector<SynthMonth> months;      ///< [month of the window]
    std::vector<std::uint64_t> members_by_tier;  ///< [tier]
    std::vector<std::uint64_t> member_months;    ///< [tier * years + year] enrolled months
    /// [(tier * categories + category) * years + year] enrolled years weighted by the
    /// category's seasonality; risk_exposure: the same times each member's relative risk,
    /// so a cell's expected events are its frequency mean x risk_exposure.
    std::vector<double> exposure, risk_exposure;
    std::array<MessCount, MessRates::names.size()> mess;  ///< in the order of MessRates::names
    std::uint64_t member_rows = 0, claim_rows = 0, true_lines_written = 0;
    std::uint64_t members_bytes = 0, claims_bytes = 0;

    std::size_t cell_index(std::size_t tier, std::size_t category, int year) const {
        return (tier * categories.size() + category) * trend_factors.size() + static_cast<std::size_t>(year);
    }
    /// The cell summed over the years.
    SynthCell cell_total(std::size_t tier, std::size_t category) const;
    const MessCount& rule(const std::string& name) const;
    Json to_json() const;
};

/// Writes members.csv, claims.csv and truth.json to `out_dir` (created if missing; each file
/// written atomically) and returns truth.json's content. The same scenario, options and
/// seed give the same bytes. InvalidInput for bad options (named as in validate) or a
/// scenario with a copula.
SynthSummary synthesize(const Scenario& scenario, const SynthOptions& options, const std::string& out_dir);

}  // namespace apmsim
