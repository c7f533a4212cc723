#pragma once
/// \file trial_ranges.hpp
/// \brief A large run split by trial ranges and joined again. Every trial's numbers are a
/// function of the seed and its number alone (Random123 streams), so runs of one scenario
/// over consecutive ranges (SimulationOptions::trial_begin, trials) hold exactly the
/// numbers of one run over their union; joining them is a concatenation along the trial
/// axis of every per-trial array. The results of the whole run come back bit for bit.

#include "apmsim/core/errors.hpp"
#include "apmsim/simulation/results.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace apmsim {

/// Checks that `begins` and `counts` describe consecutive trial ranges, in order: part k
/// starts where part k - 1 ends. Errors name `where`[k].trial_begin.
void check_consecutive_ranges(std::span<const std::uint64_t> begins, std::span<const std::uint64_t> counts, const std::string& where);

/// The trial counts of `parts` (results with trial_begin and trials), once they are checked
/// to be consecutive and, by `check_same_run(parts[0], parts[k], "parts[k]")`, of one run.
template <class Results, class Check>
std::vector<std::uint64_t> consecutive_trial_counts(std::span<const Results> parts, Check check_same_run) {
    std::vector<std::uint64_t> begins, counts;
    for (const auto& p : parts) {
        begins.push_back(p.trial_begin);
        counts.push_back(p.trials);
    }
    check_consecutive_ranges(begins, counts, "parts");
    for (std::size_t k = 1; k < parts.size(); ++k) check_same_run(parts[0], parts[k], "parts[" + std::to_string(k) + "]");
    return counts;
}

/// The arrays `parts` laid out [outer][trial][inner] (part k with counts[k] trials), joined
/// along the trials: [outer][sum of counts][inner]. `inner` follows from the sizes; an
/// array whose size does not fit the layout is an error naming `what`.
template <class T>
std::vector<T> join_trials(const std::vector<const std::vector<T>*>& parts, std::span<const std::uint64_t> counts, std::size_t outer,
                           const std::string& what) {
    std::uint64_t total = 0;
    for (std::uint64_t c : counts) total += c;
    if (outer == 0) {  // nothing per trial (no program cost items, no comparisons...)
        for (std::size_t k = 0; k < parts.size(); ++k)
            if (!parts[k]->empty()) throw InvalidInput(what, "no values, as parts[0]", std::to_string(parts[k]->size()) + " in part " + std::to_string(k));
        return {};
    }
    const std::size_t all = parts.empty() ? 0 : parts.front()->size();
    std::size_t inner = 0;
    for (std::size_t k = 0; k < parts.size(); ++k) {
        const std::size_t per_trial_values = outer * counts[k];
        if (per_trial_values == 0 || parts[k]->size() % per_trial_values != 0 ||
            (k > 0 && parts[k]->size() / per_trial_values != inner) || (parts[k]->empty() != (all == 0)))
            throw InvalidInput(what, "parts with the same values per trial", "part " + std::to_string(k) + " with " + std::to_string(parts[k]->size()));
        inner = parts[k]->size() / per_trial_values;
    }
    std::vector<T> out;
    out.reserve(outer * total * inner);
    for (std::size_t o = 0; o < outer; ++o)
        for (std::size_t k = 0; k < parts.size(); ++k) {
            const std::size_t block = counts[k] * inner;
            out.insert(out.end(), parts[k]->begin() + static_cast<std::ptrdiff_t>(o * block),
                       parts[k]->begin() + static_cast<std::ptrdiff_t>((o + 1) * block));
        }
    return out;
}

/// The simulation results of consecutive trial ranges of one scenario and seed, joined
/// into the results of their union (trial_begin the first part's). Throws InvalidInput
/// naming parts[k] when a part is of another scenario, seed or shape, or does not start
/// where the one before ends.
SimulationResults merge_trial_ranges(std::span<const SimulationResults> parts);

}  // namespace apmsim
