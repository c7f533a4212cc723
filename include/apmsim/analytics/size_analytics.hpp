#pragma once
/// \file size_analytics.hpp
/// \brief "Size counts": members needed, error rates of reward/penalty thresholds and
/// expected shared-savings payouts of a pool of n members with member-level cost CV c.
///
/// Model (normal approximation, shared/DOMAIN.md sections 1 and 4; DeLia, Hoover &
/// Cantor, MMRR 2012): the benchmark B is the expected cost per member without the
/// program and is taken as known. The program scales every member's expected cost by
/// (1 - s), s = the true saving, leaving the member-level CV c unchanged, so the observed
/// savings rate R = 1 - (pool mean cost) / B is approximately
///     R ~ N(s, sd^2),   sd = (1 - s) c / sqrt(n).
/// Under the null (s = 0) sd = c / sqrt(n), the width the MSR rule is built on.
/// A reward (shared savings) is paid when R >= MSR, a penalty (shared losses) when
/// R <= -MLR. Savings are fractions of the benchmark (0.03 = 3%).

#include "apmsim/analytics/minimum_savings_rate.hpp"
#include "apmsim/core/errors.hpp"
#include "apmsim/random/variates.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace apmsim {

namespace detail {
inline void check_true_saving(const std::string& where, double s) {
    check::finite(where, s);
    if (!(s < 1.0)) throw InvalidInput(where, "a saving below 1 (a share of the benchmark)", show(s));
}
inline void check_rate(const std::string& where, double v) {
    check::non_negative(where, v);
}
inline double normal_pdf(double x) { return 0.3989422804014326779 * std::exp(-0.5 * x * x); }
}  // namespace detail

/// Standard deviation of the observed savings rate R of a pool: (1 - s) c / sqrt(n).
inline double savings_rate_sd(double members, double cv, double true_saving = 0.0) {
    check::positive("members", members);
    check::positive("cv", cv);
    detail::check_true_saving("true_saving", true_saving);
    return (1.0 - true_saving) * cv / std::sqrt(members);
}

/// Members needed for the confidence-interval MSR to fall to `msr`: the inverse of
/// minimum_savings_rate, n = (z c / msr)^2 (a real number; round up for a head count).
inline double members_for_msr(double msr, double cv, double confidence = 0.90, Sides sides = Sides::two) {
    check::positive("msr", msr);
    check::positive("cv", cv);
    const double r = confidence_z(confidence, sides) * cv / msr;
    return r * r;
}

/// Members needed so that a pool with true saving s is rewarded with probability
/// `power` while a pool with no saving is rewarded (falsely) with probability
/// `false_reward`, the MSR being set at z_{1-alpha} c / sqrt(n):
///     sqrt(n) = (z_{1-alpha} + z_{power} (1 - s)) c / s.
/// With (1 - s) ~ 1 this is the textbook ((z_alpha + z_beta) c / s)^2. The defaults
/// (5% one-sided) match the z = 1.645 of CMS's 90% two-sided interval.
inline double members_to_detect_saving(double saving, double cv, double false_reward = 0.05, double power = 0.80) {
    check::in_open("saving", saving, 0.0, 1.0);
    check::positive("cv", cv);
    check::in_open("false_reward", false_reward, 0.0, 1.0);
    check::in_open("power", power, 0.0, 1.0);
    const double za = random::standard_normal_quantile(1.0 - false_reward);
    const double zb = random::standard_normal_quantile(power);
    const double k = za + zb * (1.0 - saving);
    if (!(k > 0.0))
        throw InvalidInput("power", "a power high enough relative to false_reward that some members are needed",
                           show(power) + " with false_reward " + show(false_reward));
    const double r = k * cv / saving;
    return r * r;
}

/// The MSR that gives a false-reward rate alpha for a pool of n: z_{1-alpha} c / sqrt(n)
/// (equal to minimum_savings_rate(n, c, 1 - 2 alpha, Sides::two)).
inline double msr_for_false_reward(double members, double cv, double false_reward) {
    check::positive("members", members);
    check::positive("cv", cv);
    check::in_open("false_reward", false_reward, 0.0, 1.0);
    return random::standard_normal_quantile(1.0 - false_reward) * cv / std::sqrt(members);
}

/// P(R >= msr): the probability that a pool with true saving s earns shared savings.
inline double reward_probability(double members, double cv, double msr, double true_saving = 0.0) {
    detail::check_rate("msr", msr);
    const double sd = savings_rate_sd(members, cv, true_saving);
    return random::standard_normal_cdf((true_saving - msr) / sd);
}

/// P(R <= -mlr): the probability that a pool with true saving s owes shared losses.
inline double penalty_probability(double members, double cv, double mlr, double true_saving = 0.0) {
    detail::check_rate("mlr", mlr);
    const double sd = savings_rate_sd(members, cv, true_saving);
    return random::standard_normal_cdf((-mlr - true_saving) / sd);
}

/// Probability of an undeserved reward: P(R >= msr) for a pool whose true saving is
/// not positive (s <= 0; s = 0 is "flat true spending").
inline double false_reward_probability(double members, double cv, double msr, double true_saving = 0.0) {
    check::finite("true_saving", true_saving);
    if (true_saving > 0.0)
        throw InvalidInput("true_saving", "a true saving <= 0 (a reward for a real saving is not false; use reward_probability)",
                           show(true_saving));
    return reward_probability(members, cv, msr, true_saving);
}

/// Probability of an undeserved penalty: P(R <= -mlr) for a pool whose true saving is
/// not negative (s >= 0).
inline double false_penalty_probability(double members, double cv, double mlr, double true_saving = 0.0) {
    check::finite("true_saving", true_saving);
    if (true_saving < 0.0)
        throw InvalidInput("true_saving", "a true saving >= 0 (a penalty for a real loss is not false; use penalty_probability)",
                           show(true_saving));
    return penalty_probability(members, cv, mlr, true_saving);
}

/// Shared-savings (and optionally shared-loss) terms, all as shares of the benchmark.
/// MSSP style (DOMAIN section 4): once R >= msr the ACO receives sharing_rate x R from
/// the first dollar (the "MSR cliff"; first_dollar = false shares only R - msr), and the
/// payment is capped at savings_cap. Two-sided: once R <= -mlr the ACO pays
/// loss_rate x (-R) (or x (-R - mlr) when not first dollar), at most loss_limit.
struct PayoutTerms {
    double msr = 0.0;
    double sharing_rate = 0.5;
    double savings_cap = std::numeric_limits<double>::infinity();
    bool first_dollar = true;
    double mlr = 0.0;
    double loss_rate = 0.0;  ///< 0 = one-sided (no shared losses)
    double loss_limit = std::numeric_limits<double>::infinity();

    void validate() const {
        detail::check_rate("msr", msr);
        check::probability("sharing_rate", sharing_rate);
        if (!(savings_cap > 0.0)) throw InvalidInput("savings_cap", "a cap > 0 (infinity = no cap)", show(savings_cap));
        detail::check_rate("mlr", mlr);
        check::probability("loss_rate", loss_rate);
        if (!(loss_limit > 0.0)) throw InvalidInput("loss_limit", "a limit > 0 (infinity = no limit)", show(loss_limit));
    }
};

/// Moments of the settlement, as shares of the benchmark (multiply by benchmark x
/// members for dollars).
struct ExpectedPayout {
    double p_reward = 0.0;   ///< P(R >= msr)
    double p_penalty = 0.0;  ///< P(R <= -mlr) (0 for a one-sided track)
    double expected_reward = 0.0;      ///< E[shared-savings payment to the ACO]
    double expected_penalty = 0.0;     ///< E[shared-loss payment by the ACO] (>= 0)
    double expected_payout = 0.0;      ///< expected_reward - expected_penalty
    double savings_rate_sd = 0.0;      ///< sd of R
};

namespace detail {
/// E[min(a (X - shift), cap) 1{X >= lo}] for X ~ N(mu, sd^2), with cap possibly infinite:
/// the linear piece runs from lo to where the cap binds, h = max(lo, shift + cap / a).
inline double expected_capped_share(double mu, double sd, double lo, double shift, double a, double cap) {
    if (a == 0.0) return 0.0;
    const double h = std::isinf(cap) ? std::numeric_limits<double>::infinity() : std::max(lo, shift + cap / a);
    const double bl = (lo - mu) / sd;
    const double Fl = random::standard_normal_cdf(bl), fl = normal_pdf(bl);
    double Fh = 1.0, fh = 0.0;
    if (!std::isinf(h)) {
        const double bh = (h - mu) / sd;
        Fh = random::standard_normal_cdf(bh);
        fh = normal_pdf(bh);
    }
    // E[(X - shift) 1{lo <= X < h}] = (mu - shift)(F(h) - F(lo)) + sd (f(lo) - f(h)).
    double value = a * ((mu - shift) * (Fh - Fl) + sd * (fl - fh));
    if (!std::isinf(h)) value += cap * (1.0 - Fh);
    return value;
}
}  // namespace detail

/// Expected shared-savings settlement of a pool of n with member-level CV c and true
/// saving s, in closed form under R ~ N(s, ((1 - s) c)^2 / n).
inline ExpectedPayout expected_payout(double members, double cv, const PayoutTerms& terms, double true_saving = 0.0) {
    terms.validate();
    const double sd = savings_rate_sd(members, cv, true_saving);
    ExpectedPayout out;
    out.savings_rate_sd = sd;
    out.p_reward = random::standard_normal_cdf((true_saving - terms.msr) / sd);
    out.expected_reward = detail::expected_capped_share(true_saving, sd, terms.msr, terms.first_dollar ? 0.0 : terms.msr,
                                                        terms.sharing_rate, terms.savings_cap);
    if (terms.loss_rate > 0.0) {
        // The loss L = -R ~ N(-s, sd^2) is shared once L >= mlr.
        out.p_penalty = random::standard_normal_cdf((-terms.mlr - true_saving) / sd);
        out.expected_penalty = detail::expected_capped_share(-true_saving, sd, terms.mlr,
                                                             terms.first_dollar ? 0.0 : terms.mlr, terms.loss_rate,
                                                             terms.loss_limit);
    }
    out.expected_payout = out.expected_reward - out.expected_penalty;
    return out;
}

/// The settlement of one observed savings rate R under the terms (share of benchmark;
/// positive = paid to the ACO). The function expected_payout integrates.
inline double settle_savings_rate(double savings_rate, const PayoutTerms& terms) {
    terms.validate();
    check::finite("savings_rate", savings_rate);
    if (savings_rate >= terms.msr) {
        const double base = terms.first_dollar ? savings_rate : savings_rate - terms.msr;
        return std::min(terms.sharing_rate * base, terms.savings_cap);
    }
    if (terms.loss_rate > 0.0 && -savings_rate >= terms.mlr) {
        const double base = terms.first_dollar ? -savings_rate : -savings_rate - terms.mlr;
        return -std::min(terms.loss_rate * base, terms.loss_limit);
    }
    return 0.0;
}

}  // namespace apmsim
