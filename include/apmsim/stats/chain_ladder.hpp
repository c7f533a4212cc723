#pragma once
/// \file chain_ladder.hpp
/// \brief Completion factors from a development triangle by the chain ladder: how much of
/// an incurred month's claims are paid after k months of run-out, so that recent months,
/// whose claims are not all paid yet, are not understated.
///
/// Row i of the triangle is an incurred (service) period; its entries c[i][0], c[i][1], ...
/// are the cumulative amounts paid by the end of development periods 0, 1, ... (lag in
/// months between service and payment), as far as they are known (rows may be ragged).
/// Volume-weighted age-to-age factors (Mack 1993, ASTIN Bulletin 23(2); Friedland,
/// "Estimating Unpaid Claims Using Basic Techniques", CAS 2010, ch. 7):
///   f_j = sum over rows known at j + 1 of c[i][j + 1] / sum over the same rows of c[i][j].
/// Cumulative development to ultimate from period j: CDF_j = tail x f_j x f_(j+1) x ...;
/// the completion factor at j is 1 / CDF_j, the share of the ultimate paid by then. A row
/// last known at period d has ultimate c[i][d] x CDF_d, unpaid ultimate - c[i][d].

#include "apmsim/core/errors.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace apmsim::stats {

struct ChainLadder {
    std::vector<double> age_to_age;   ///< f_j, from development period j to j + 1
    double tail = 1.0;                ///< development beyond the last period of the triangle
    std::vector<double> to_ultimate;  ///< CDF_j: ultimate / paid to date, by development period
    std::vector<double> completion;   ///< 1 / CDF_j: the share of ultimate paid by development period j
    std::vector<double> latest;       ///< [row] paid to date (its last known entry)
    std::vector<double> ultimate;     ///< [row] latest x CDF at its last known period
    std::vector<double> unpaid;       ///< [row] ultimate - latest
};

/// The chain ladder of a cumulative triangle (see the file comment). Throws InvalidInput
/// naming `where`[i][j] for a negative or non-finite amount, an empty row, or a factor
/// that cannot be estimated (no paid amount at period j in the rows known at j + 1).
inline ChainLadder chain_ladder(const std::vector<std::vector<double>>& cumulative, double tail = 1.0,
                                const std::string& where = "triangle") {
    if (cumulative.empty()) throw InvalidInput(where, "a triangle of at least one row", "none");
    std::size_t periods = 0;
    for (std::size_t i = 0; i < cumulative.size(); ++i) {
        const std::string row = where + "[" + std::to_string(i) + "]";
        if (cumulative[i].empty()) throw InvalidInput(row, "at least one development period", "an empty row");
        periods = std::max(periods, cumulative[i].size());
        for (std::size_t j = 0; j < cumulative[i].size(); ++j) check::non_negative(row + "[" + std::to_string(j) + "]", cumulative[i][j]);
    }
    if (!(tail >= 1.0) || !std::isfinite(tail)) throw InvalidInput(where + ".tail", "a tail factor >= 1 (development still to come)", show(tail));
    ChainLadder out;
    out.tail = tail;
    for (std::size_t j = 0; j + 1 < periods; ++j) {
        double later = 0.0, now = 0.0;
        for (const auto& row : cumulative)
            if (row.size() > j + 1) later += row[j + 1], now += row[j];
        if (!(now > 0.0))
            throw InvalidInput(where + "[*][" + std::to_string(j) + "]",
                               "some amount paid by development period " + std::to_string(j) + " in the rows known at period " +
                                   std::to_string(j + 1) + " (the factor divides by it)",
                               "none");
        out.age_to_age.push_back(later / now);
    }
    out.to_ultimate.assign(periods, tail);
    for (std::size_t j = periods - 1; j-- > 0;) out.to_ultimate[j] = out.to_ultimate[j + 1] * out.age_to_age[j];
    for (double cdf : out.to_ultimate) out.completion.push_back(1.0 / cdf);
    for (const auto& row : cumulative) {
        out.latest.push_back(row.back());
        out.ultimate.push_back(row.back() * out.to_ultimate[row.size() - 1]);
        out.unpaid.push_back(out.ultimate.back() - row.back());
    }
    return out;
}

}  // namespace apmsim::stats
