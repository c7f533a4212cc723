#pragma once
/// \file exposure.hpp
/// \brief Member-months from enrolment spans, as claims experience is measured: each
/// member's spans merged where they overlap or touch (an extract often repeats or splits
/// them), each calendar month's exposure the days enrolled over the days in the month
/// (partial months prorated by days). Dates are ISO 8601 (YYYY-MM-DD); an end date is
/// the last day enrolled (inclusive).

#include "apmsim/core/errors.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace apmsim::stats {

/// A calendar day from "YYYY-MM-DD"; InvalidInput naming `where` for another form or a day
/// that does not exist (2023-02-29).
inline std::chrono::sys_days parse_date(const std::string& text, const std::string& where) {
    int y = 0;
    unsigned m = 0, d = 0;
    char tail = 0;
    if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3 || text[4] != '-' || text[7] != '-')
        throw InvalidInput(where, "a date YYYY-MM-DD", "\"" + text + "\"");
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!ymd.ok()) throw InvalidInput(where, "a day that exists", "\"" + text + "\"");
    return std::chrono::sys_days{ymd};
}

/// A calendar month from "YYYY-MM".
inline std::chrono::year_month parse_month(const std::string& text, const std::string& where) {
    int y = 0;
    unsigned m = 0;
    if (text.size() != 7 || text[4] != '-' || std::sscanf(text.c_str(), "%4d-%2u", &y, &m) != 2 || m < 1 || m > 12)
        throw InvalidInput(where, "a month YYYY-MM", "\"" + text + "\"");
    return std::chrono::year{y} / std::chrono::month{m};
}

/// "YYYY-MM" of a calendar month (what parse_month reads).
inline std::string month_text(std::chrono::year_month ym) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
    return buf;
}

struct Exposure {
    std::vector<std::string> members;  ///< in order of first appearance
    std::chrono::year_month first;
    std::size_t months = 0;
    std::vector<double> member_months;  ///< [member * months + month]: the share of the month enrolled
    double month_total(std::size_t month) const {
        double s = 0.0;
        for (std::size_t i = 0; i < members.size(); ++i) s += member_months[i * months + month];
        return s;
    }
};

using DaySpan = std::pair<std::chrono::sys_days, std::chrono::sys_days>;  ///< first and last day enrolled

/// Sorts `spans` and joins those that overlap or touch (an extract often repeats or splits them).
inline std::vector<DaySpan> merge_spans(std::vector<DaySpan> spans) {
    std::sort(spans.begin(), spans.end());
    std::vector<DaySpan> merged;
    for (const auto& span : spans)
        if (!merged.empty() && span.first <= merged.back().second + std::chrono::days{1})
            merged.back().second = std::max(merged.back().second, span.second);
        else
            merged.push_back(span);
    return merged;
}

/// Adds the member-months of merged `spans` within months first .. first + months - 1 to
/// `row` (one value per month): each month's days enrolled over its days.
inline void add_member_months(const std::vector<DaySpan>& spans, std::chrono::year_month first, std::size_t months, double* row) {
    using namespace std::chrono;
    const year_month stop = first + std::chrono::months{static_cast<int>(months) - 1};
    const sys_days window_begin{first / day{1}}, window_end{stop / std::chrono::last};
    for (auto [a, b] : spans) {
        a = std::max(a, window_begin), b = std::min(b, window_end);
        for (sys_days d = a; d <= b;) {  // month by month
            const year_month_day ymd{d};
            const year_month ym = ymd.year() / ymd.month();
            const sys_days month_end{ym / std::chrono::last};
            const sys_days upto = std::min(b, month_end);
            const double in_month = static_cast<double>((month_end - sys_days{ym / day{1}}).count() + 1);
            row[static_cast<std::size_t>((ym - first).count())] += static_cast<double>((upto - d).count() + 1) / in_month;
            d = upto + days{1};
        }
    }
}

/// Member-months of the spans (member[k], start[k] .. end[k]) from month `first` to `last`
/// (inclusive, "YYYY-MM"). InvalidInput names start[k] / end[k] for a bad date or an end
/// before its start, and `last` for a window that ends before it starts.
inline Exposure member_months(std::span<const std::string> member, std::span<const std::string> start, std::span<const std::string> end,
                              const std::string& first, const std::string& last_month) {
    using namespace std::chrono;
    if (start.size() != member.size() || end.size() != member.size())
        throw InvalidInput(start.size() != member.size() ? "start" : "end", std::to_string(member.size()) + " dates (one per span)",
                           std::to_string(start.size() != member.size() ? start.size() : end.size()));
    Exposure out;
    out.first = parse_month(first, "first");
    const year_month stop = parse_month(last_month, "last");
    if (stop < out.first) throw InvalidInput("last", "a month from first (" + first + ") on", "\"" + last_month + "\"");
    out.months = static_cast<std::size_t>((stop - out.first).count()) + 1;
    std::map<std::string, std::size_t> index;
    std::vector<std::vector<DaySpan>> spans;
    for (std::size_t k = 0; k < member.size(); ++k) {
        const std::string at = bracketed(k);
        const sys_days a = parse_date(start[k], "start" + at), b = parse_date(end[k], "end" + at);
        if (b < a) throw InvalidInput("end" + at, "a last day on or after the start (" + start[k] + ")", "\"" + end[k] + "\"");
        auto [it, added] = index.try_emplace(member[k], out.members.size());
        if (added) out.members.push_back(member[k]), spans.emplace_back();
        spans[it->second].emplace_back(a, b);
    }
    out.member_months.assign(out.members.size() * out.months, 0.0);
    for (std::size_t i = 0; i < spans.size(); ++i)
        add_member_months(merge_spans(std::move(spans[i])), out.first, out.months, &out.member_months[i * out.months]);
    return out;
}

}  // namespace apmsim::stats
