#pragma once
/// \file run_out.hpp
/// \brief The paid-claims development (lag) triangle of claims lines, for completion factors
/// (chain_ladder.hpp): row k is incurred (service) month first + k, entry j the amount paid
/// by the end of development month j (paid month - incurred month), as known at the
/// valuation month: row k has valuation - (first + k) + 1 known entries. Lines paid after
/// the valuation month, or incurred before `first` or after the valuation, are not in the
/// triangle and are counted, so nothing is dropped unseen.

#include "apmsim/core/errors.hpp"
#include "apmsim/stats/exposure.hpp"

#include <vector>

namespace apmsim::stats {

struct PaidTriangle {
    std::chrono::year_month first;
    std::vector<std::vector<double>> cumulative;  ///< [incurred month][development month]
    std::size_t lines_used = 0, lines_paid_after_valuation = 0, lines_outside = 0;
    double amount_used = 0.0, amount_paid_after_valuation = 0.0, amount_outside = 0.0;
};

/// The triangle built one line at a time, for incurred months `first` .. `last` (the
/// valuation month); a payment is on or after its service (the callers check it).
class PaidTriangleBuilder {
public:
    PaidTriangleBuilder(std::chrono::year_month first, std::chrono::year_month last) : last_(last) {
        t_.first = first;
        const auto rows = static_cast<std::size_t>((last - first).count()) + 1;
        t_.cumulative.resize(rows);
        for (std::size_t k = 0; k < rows; ++k) t_.cumulative[k].assign(rows - k, 0.0);
    }
    void add(std::chrono::sys_days service, std::chrono::sys_days paid, double amount) {
        using namespace std::chrono;
        const year_month_day s{service}, p{paid};
        const year_month incurred = s.year() / s.month(), paid_month = p.year() / p.month();
        if (incurred < t_.first || incurred > last_) {
            ++t_.lines_outside, t_.amount_outside += amount;
        } else if (paid_month > last_) {
            ++t_.lines_paid_after_valuation, t_.amount_paid_after_valuation += amount;
        } else {
            t_.cumulative[static_cast<std::size_t>((incurred - t_.first).count())][static_cast<std::size_t>((paid_month - incurred).count())] += amount;
            ++t_.lines_used, t_.amount_used += amount;
        }
    }
    /// The triangle, its rows made cumulative; the builder is spent.
    PaidTriangle finish() {
        for (auto& row : t_.cumulative)
            for (std::size_t j = 1; j < row.size(); ++j) row[j] += row[j - 1];
        return std::move(t_);
    }

private:
    PaidTriangle t_;
    std::chrono::year_month last_;
};

/// How much the oldest incurred month of `t` was still developing at the triangle's longest
/// lag: what it was paid in its last known month, as a share of what it was paid by then
/// (1 for a triangle of one month: no development seen). The chain ladder takes nothing to
/// be paid beyond that lag except the tail factor.
inline double last_development_share(const PaidTriangle& t) {
    if (t.cumulative.empty() || t.cumulative.front().empty()) return 1.0;
    const std::vector<double>& oldest = t.cumulative.front();
    const double latest = oldest.back();
    if (!(latest > 0.0)) return oldest.size() > 1 ? 0.0 : 1.0;
    return oldest.size() > 1 ? (latest - oldest[oldest.size() - 2]) / latest : 1.0;
}

/// The largest last_development_share a triangle may have without a tail factor: beyond it,
/// claims were still being paid at the longest lag seen, and completing recent months with
/// nothing to come after that lag would understate them.
inline constexpr double max_last_development_share = 0.01;

/// InvalidInput unless `t` saw its claims finish developing (last_development_share at most
/// max_last_development_share) or a tail factor above 1 stands for what comes later.
inline void check_run_out_span(const PaidTriangle& t, double tail_factor) {
    const double share = last_development_share(t);
    if (tail_factor > 1.0 || share <= max_last_development_share) return;
    const std::size_t lags = t.cumulative.empty() ? 0 : t.cumulative.front().size();
    const std::string oldest = month_text(t.first), last = month_text(t.first + std::chrono::months{static_cast<int>(lags) - 1});
    throw InvalidInput("first", "claims history long enough to see claims finish developing (the oldest incurred month " +
                                    oldest + " paid at most " + show(100 * max_last_development_share) + "% of its amount in " + last +
                                    ", its last month), or a tail factor above 1 for the development still to come (--tail, tail_factor)",
                       lags > 1 ? show_rounded(100 * share) + "% paid in " + last + ", " + std::to_string(lags - 1) + " months after service"
                                : "one month of history (no development seen)");
}

/// The triangle of lines (service[k], paid[k], amount[k]) for incurred months `first` ..
/// `valuation`; a payment is on or after its service (the callers check it).
inline PaidTriangle paid_triangle(std::span<const std::chrono::sys_days> service, std::span<const std::chrono::sys_days> paid,
                                  std::span<const double> amount, std::chrono::year_month first, std::chrono::year_month last) {
    PaidTriangleBuilder builder(first, last);
    for (std::size_t k = 0; k < service.size(); ++k) builder.add(service[k], paid[k], amount[k]);
    return builder.finish();
}

/// The triangle of lines (service_date[k], paid_date[k], amount[k]) for incurred months
/// `first` .. `valuation` ("YYYY-MM"). InvalidInput names the line for a bad date or a
/// payment before the service, and the amount for a non-finite one.
inline PaidTriangle paid_triangle(std::span<const std::string> service_date, std::span<const std::string> paid_date,
                                  std::span<const double> amount, const std::string& first, const std::string& valuation) {
    using namespace std::chrono;
    if (paid_date.size() != service_date.size() || amount.size() != service_date.size())
        throw InvalidInput(paid_date.size() != service_date.size() ? "paid_date" : "amount",
                           std::to_string(service_date.size()) + " values (one per line)",
                           std::to_string(paid_date.size() != service_date.size() ? paid_date.size() : amount.size()));
    const year_month begin = parse_month(first, "first"), last = parse_month(valuation, "valuation");
    if (last < begin) throw InvalidInput("valuation", "a month from first (" + first + ") on", "\"" + valuation + "\"");
    std::vector<sys_days> service(service_date.size()), paid(service_date.size());
    for (std::size_t k = 0; k < service_date.size(); ++k) {
        const std::string at = bracketed(k);
        service[k] = parse_date(service_date[k], "service_date" + at), paid[k] = parse_date(paid_date[k], "paid_date" + at);
        if (!std::isfinite(amount[k])) throw InvalidInput("amount" + at, "a finite amount", show(amount[k]));
        if (paid[k] < service[k])
            throw InvalidInput("paid_date" + at, "a payment on or after the service date (" + service_date[k] + ")", "\"" + paid_date[k] + "\"");
    }
    return paid_triangle(service, paid, amount, begin, last);
}

}  // namespace apmsim::stats
