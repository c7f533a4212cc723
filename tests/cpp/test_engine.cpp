// Monte Carlo engine (apmsim::simulate): moments against closed forms, the default
// program's targets (shared/DOMAIN.md section 2), reproducibility, pool standard
// errors, common random numbers, program costs, eligibility, seasonality, tier
// transitions, the copula, input errors and the trial observer.
//
// Statistical checks use a fixed seed, so each is deterministic; their tolerances are
// nevertheless set from the sampling error (usually 4 standard errors computed from
// exact closed-form moments, not from the sample, because the lognormal severities
// of the default program are so heavy-tailed that sample fourth moments are useless),
// so that a correct engine passes for essentially any seed and a wrong one fails.
#include "apmsim/population/analytic_moments.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/population/synthetic.hpp"
#include "apmsim/outputs/simulation_summary.hpp"
#include "apmsim/simulation/engine.hpp"
#include "apmsim/core/memory.hpp"
#include "apmsim/run.hpp"
#include "apmsim/random/batch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace apmsim;

namespace {

// ---------------------------------------------------------------------------------
// Small statistics helpers (two-pass, so no cancellation).

double mean_of(const std::vector<double>& x) {
    return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}
double variance_of(const std::vector<double>& x) {
    const double m = mean_of(x);
    double s = 0.0;
    for (double v : x) s += (v - m) * (v - m);
    return s / static_cast<double>(x.size() - 1);
}
double sd_of(const std::vector<double>& x) { return std::sqrt(variance_of(x)); }
double correlation_of(const std::vector<double>& x, const std::vector<double>& y) {
    const double mx = mean_of(x), my = mean_of(y);
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}
/// Column `year` (0-based) of a samples() matrix.
std::vector<double> column(const SampleMatrix& m, int year = 0) {
    std::vector<double> v(static_cast<std::size_t>(m.rows()));
    for (Eigen::Index t = 0; t < m.rows(); ++t) v[static_cast<std::size_t>(t)] = m(t, year);
    return v;
}
/// One (year, tier, category) cell of cost or events, across trials.
std::vector<double> cell_series(const SimulationResults& r, const std::vector<double>& arr, int year, std::size_t tier,
                                std::size_t category) {
    std::vector<double> v(r.trials);
    for (std::uint64_t t = 0; t < r.trials; ++t) v[t] = arr[r.cell_index(t, year, tier, category)];
    return v;
}

// ---------------------------------------------------------------------------------
// Exact moments (orders 1 to 6) of a member-year's cost, independent of
// analytic_moments.hpp.
//
// Given the frailty F, category c has N_c ~ NB(m_c F, r_c) (or Poisson) with factorial
// moments E[N^(k) | F] = (m_c F)^k prod_{j<k} (1 + j / r_c), and S_c = X_1 + ... + X_N
// has raw moments (Faa di Bruno applied to P_N(M_X(t)))
//   E[S^n | F] = sum_{k=1..n} E[N^(k) | F] B_{n,k}(E[X], E[X^2], ...)
// with B_{n,k} the partial Bell polynomials. For instance
//   E[S^2] = f1 x2 + f2 x1^2,  E[S^4] = f1 x4 + f2 (4 x1 x3 + 3 x2^2) + 6 f3 x1^2 x2 + f4 x1^4.
// Categories are independent given F, so their cumulants add; every quantity of order n
// is a polynomial of degree <= n in F, and E[F^k] = prod_{j<k} (1 + j v) for a gamma
// frailty of mean 1 and variance v. Orders 5 and 6 are needed only for the skewness of
// a sample variance (see variance_band).

constexpr int kOrder = 6;
using Poly = std::array<double, kOrder + 1>;  // coefficients of F^0 .. F^6

Poly operator+(Poly a, const Poly& b) {
    for (int i = 0; i <= kOrder; ++i) a[i] += b[i];
    return a;
}
Poly operator*(double s, Poly a) {
    for (auto& x : a) x *= s;
    return a;
}
Poly operator*(const Poly& a, const Poly& b) {
    Poly c{};
    for (int i = 0; i <= kOrder; ++i)
        for (int j = 0; j <= kOrder; ++j) {
            if (a[i] == 0.0 || b[j] == 0.0) continue;
            // Every product formed below has degree <= its order <= 6 by construction.
            if (i + j > kOrder) throw std::logic_error("polynomial degree above 6");
            c[i + j] += a[i] * b[j];
        }
    return c;
}

double binomial(int n, int k) {
    double b = 1.0;
    for (int i = 1; i <= k; ++i) b = b * (n - k + i) / i;
    return b;
}

/// Cumulants from raw moments (index 0 unused): k_n = m_n - sum_{j<n} C(n-1, j-1) k_j m_{n-j}.
template <class T>
std::array<T, kOrder + 1> raw_to_cumulants(const std::array<T, kOrder + 1>& m) {
    std::array<T, kOrder + 1> k{};
    for (int n = 1; n <= kOrder; ++n) {
        k[n] = m[n];
        for (int j = 1; j < n; ++j) k[n] = k[n] + (-binomial(n - 1, j - 1)) * (k[j] * m[n - j]);
    }
    return k;
}
/// Raw moments from cumulants, m_0 = one: m_n = sum_{j<=n} C(n-1, j-1) k_j m_{n-j}.
template <class T>
std::array<T, kOrder + 1> cumulants_to_raw(const std::array<T, kOrder + 1>& k, const T& one) {
    std::array<T, kOrder + 1> m{};
    m[0] = one;
    for (int n = 1; n <= kOrder; ++n)
        for (int j = 1; j <= n; ++j) m[n] = m[n] + binomial(n - 1, j - 1) * (k[j] * m[n - j]);
    return m;
}

struct Moments {
    std::array<double, kOrder + 1> raw{};  // raw[k] = E[S^k], raw[0] = 1
    double mean() const { return raw[1]; }
    double variance() const { return central(2); }
    /// E[(S - mu)^k] by the binomial expansion.
    double central(int k) const {
        double s = 0.0;
        for (int j = 0; j <= k; ++j) s += binomial(k, j) * raw[j] * std::pow(-raw[1], k - j);
        return s;
    }
    double cv() const { return std::sqrt(variance()) / mean(); }
    /// Moments of the sum of k iid copies (cumulants scale by k).
    Moments sum_of(double k) const {
        auto c = raw_to_cumulants(raw);
        for (int n = 1; n <= kOrder; ++n) c[n] *= k;
        Moments out;
        out.raw = cumulants_to_raw(c, 1.0);
        return out;
    }
    /// Mixture of populations with weights w (raw moments mix linearly).
    static Moments mixture(const std::vector<Moments>& parts, const std::vector<double>& w) {
        Moments m;
        for (std::size_t i = 0; i < parts.size(); ++i)
            for (int k = 0; k <= kOrder; ++k) m.raw[k] += w[i] * parts[i].raw[k];
        return m;
    }
};

std::array<double, kOrder + 1> lognormal_raw_moments(const Severity& s) {
    const auto& ln = std::get<Lognormal>(s);
    std::array<double, kOrder + 1> x{};
    for (int k = 0; k <= kOrder; ++k) x[k] = std::exp(k * ln.mu() + 0.5 * k * k * ln.sigma() * ln.sigma());
    return x;
}

/// Partial Bell polynomials B[n][k](x_1, x_2, ...), n, k <= 6, by
/// B_{n,k} = sum_{i=1}^{n-k+1} C(n-1, i-1) x_i B_{n-i,k-1}, B_{0,0} = 1.
std::array<std::array<double, kOrder + 1>, kOrder + 1> bell(const std::array<double, kOrder + 1>& x) {
    std::array<std::array<double, kOrder + 1>, kOrder + 1> b{};
    b[0][0] = 1.0;
    for (int n = 1; n <= kOrder; ++n)
        for (int k = 1; k <= n; ++k)
            for (int i = 1; i <= n - k + 1; ++i) b[n][k] += binomial(n - 1, i - 1) * x[i] * b[n - i][k - 1];
    return b;
}

/// Moments of a member-year's cost (or, with unit_severity, of its event count) summed
/// over `categories` of `tier`, 12 months, no trend, no intervention, no copula.
Moments exact_moments(const CostModel& model, std::size_t tier, const std::vector<std::size_t>& categories,
                      bool unit_severity = false) {
    const double v = model.frailty_cv * model.frailty_cv;
    std::array<Poly, kOrder + 1> cum{};  // cumulants of the sum, given F
    for (std::size_t c : categories) {
        const CategoryModel& cell = model.cell(tier, c);
        double m = 0.0, inv_r = 0.0;
        if (const auto* nb = std::get_if<NegativeBinomial>(&cell.frequency)) {
            m = nb->mean();
            inv_r = 1.0 / nb->dispersion();
        } else {
            m = std::get<Poisson>(cell.frequency).mean();
        }
        std::array<double, kOrder + 1> x{};
        if (unit_severity)
            x.fill(1.0);
        else
            x = lognormal_raw_moments(cell.severity);
        const auto b = bell(x);
        double f[kOrder + 1];  // factorial-moment coefficient of F^k
        f[0] = 1.0;
        for (int k = 1; k <= kOrder; ++k) f[k] = f[k - 1] * m * (1.0 + (k - 1) * inv_r);
        std::array<Poly, kOrder + 1> raw{};
        raw[0][0] = 1.0;
        for (int n = 1; n <= kOrder; ++n)
            for (int k = 1; k <= n; ++k) raw[n][k] += f[k] * b[n][k];
        const auto kc = raw_to_cumulants(raw);
        for (int n = 1; n <= kOrder; ++n) cum[n] = cum[n] + kc[n];
    }
    Poly one{};
    one[0] = 1.0;
    const auto raw = cumulants_to_raw(cum, one);
    double ef[kOrder + 1];  // E[F^k]
    ef[0] = 1.0;
    for (int k = 1; k <= kOrder; ++k) ef[k] = ef[k - 1] * (1.0 + (k - 1) * v);
    Moments out;
    for (int n = 0; n <= kOrder; ++n)
        for (int k = 0; k <= kOrder; ++k) out.raw[n] += raw[n][k] * ef[k];
    return out;
}

std::vector<std::size_t> all_categories(const CostModel& m) {
    std::vector<std::size_t> c(m.category_count());
    std::iota(c.begin(), c.end(), std::size_t{0});
    return c;
}

/// Standard error of the sample variance of n iid draws (large n): sqrt((mu4 - sigma^4) / n).
double se_of_variance(const Moments& m, double n) {
    const double s2 = m.variance();
    return std::sqrt((m.central(4) - s2 * s2) / n);
}

/// Skewness of the sample variance of n iid draws, to leading order: the skewness of the
/// mean of Y = (S - mu)^2, E[(Y - s^2)^3] / (sqrt(n) Var[Y]^1.5) with
/// E[(Y - s^2)^3] = mu6 - 3 s^2 mu4 + 2 s^6.
double skewness_of_variance(const Moments& m, double n) {
    const double s2 = m.variance(), mu4 = m.central(4), mu6 = m.central(6);
    return (mu6 - 3 * s2 * mu4 + 2 * s2 * s2 * s2) / (std::sqrt(n) * std::pow(mu4 - s2 * s2, 1.5));
}

/// Acceptance band around an expected value: got must lie in [want - below, want + above].
struct Band {
    double below, above;
};

/// Band for a statistic distributed like a sample variance with small skewness gamma
/// (counts, pool means): 4 SE below; above, 4 SE widened by the Cornish-Fisher term
/// z + (z^2 - 1) gamma / 6 = 4 + 2.5 gamma SE. The lower side of a right-skewed
/// distribution is its light tail, so 4 SE there is conservative.
Band variance_band(double se, double skewness) { return {4 * se, (4 + 2.5 * std::max(0.0, skewness)) * se}; }

/// The largest severity one should see among all the severity draws of `member_years`
/// member-years of `tier` (categories `cats`): the x with
/// sum_c E[N_c] member_years P(X_c > x) = p, p = 1e-4 (a union bound over the draws:
/// P(any draw beyond x) <= 1e-4), found by bisection on log x.
double largest_plausible_severity(const CostModel& model, std::size_t tier, const std::vector<std::size_t>& cats,
                                  double member_years, double p = 1e-4) {
    auto expected_exceedances = [&](double log_x) {
        double e = 0.0;
        for (std::size_t c : cats) {
            const auto& ln = std::get<Lognormal>(model.cell(tier, c).severity);
            e += apmsim::mean(model.cell(tier, c).frequency) * member_years *
                 random::standard_normal_cdf(-(log_x - ln.mu()) / ln.sigma());
        }
        return e;
    };
    double lo = 0.0, hi = 60.0;  // log dollars
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (lo + hi);
        (expected_exceedances(mid) > p ? lo : hi) = mid;
    }
    return std::exp(hi);
}

/// Band for a sample variance of member-year costs. With lognormal severities of CV 1 to
/// 2.5 a sample variance has a heavy right tail that no normal or Cornish-Fisher
/// correction captures (for inpatient its skewness is in the hundreds): it is "the
/// bulk plus the odd enormous draw", e.g. one admission at the 1 - 1e-8 quantile ($28M)
/// moves tier A's inpatient variance by +5.6 normal-theory SE. So: 4 SE below (the light
/// side), and above 4 SE plus the largest single draw's contribution x*^2 / n, x* from
/// largest_plausible_severity (for professional, emergency or behavioural health this
/// adds < 1 SE; for pharmacy and DME 5-7 SE; for inpatient it is 1.5 to 6 times the
/// variance itself, which is what a sample of this size can say about that tail).
Band cost_variance_band(double se, double largest_draw, double member_years) {
    return {4 * se, 4 * se + largest_draw * largest_draw / member_years};
}

::testing::AssertionResult within_band(double got, double want, Band band) {
    if (got >= want - band.below && got <= want + band.above) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << got << " outside [" << want - band.below << ", " << want + band.above
                                         << "] around " << want;
}

/// Standard error of the sample CV sd/mean of n iid draws (delta method):
/// Var = [ (mu4 - s^4) / (4 s^2 mu^2) + cv^4 - mu3 / mu^3 ] / n.
double se_of_cv(const Moments& m, double n) {
    const double mu = m.mean(), s2 = m.variance(), cv = std::sqrt(s2) / mu;
    const double v = (m.central(4) - s2 * s2) / (4 * s2 * mu * mu) + std::pow(cv, 4) - m.central(3) / std::pow(mu, 3);
    return std::sqrt(v / n);
}

/// Standard error of a sample SD of n iid draws: sqrt((mu4 - sigma^4) / n) / (2 sigma).
double se_of_sd(const Moments& m, double n) { return se_of_variance(m, n) / (2 * std::sqrt(m.variance())); }

// ---------------------------------------------------------------------------------
// Scenarios.

/// The default program with trend off and the intervention removed (closed-form world).
Scenario plain_default(std::size_t members, int years) {
    Scenario s = Scenario::default_cmc_program(members, years);
    s.cost_model.trend = {0.0, 0.0};
    s.intervention.reset();
    return s;
}

/// One tier "all", one category "claims": Frequency x Severity, no frailty, no trend.
Scenario simple_scenario(std::size_t members, Frequency f, Severity sev, int years = 1) {
    Scenario s;
    s.name = "simple";
    s.cost_model.tiers = {"all"};
    s.cost_model.categories = {"claims"};
    s.cost_model.cells.push_back({std::move(f), std::move(sev)});
    s.population = synthetic_population(members, {1.0}, years, {1.0});
    return s;
}

SimulationOptions opts(std::uint64_t trials, std::uint64_t seed, unsigned threads = 2, bool detail = false) {
    SimulationOptions o;
    o.trials = trials;
    o.seed = seed;
    o.threads = threads;
    o.member_detail = detail;
    return o;
}

std::size_t members_in_tier(const Population& p, std::size_t tier) {
    return static_cast<std::size_t>(std::count(p.tier.begin(), p.tier.end(), static_cast<std::uint16_t>(tier)));
}

/// The shared large run for the closed-form and target checks: the default program
/// with 4 members (1 A, 2 B, 1 C: exactly the 25/50/25 mix), trend off, no intervention,
/// one year, 150,000 trials = 600,000 member-years (about 1.5 s on two threads).
constexpr std::uint64_t kBigTrials = 150000;
const Scenario& big_scenario() {
    static const Scenario s = plain_default(4, 1);
    return s;
}
const SimulationResults& big_run() {
    static const SimulationResults r = simulate(big_scenario(), opts(kBigTrials, 20240611));
    return r;
}

// Bit-for-bit comparison of doubles (== would equate 0 and -0 and fail on NaN).
::testing::AssertionResult bit_identical(const std::vector<double>& a, const std::vector<double>& b, const char* what) {
    if (a.size() != b.size())
        return ::testing::AssertionFailure() << what << ": sizes " << a.size() << " vs " << b.size();
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::memcmp(&a[i], &b[i], sizeof(double)) != 0)
            return ::testing::AssertionFailure() << what << "[" << i << "]: " << a[i] << " vs " << b[i];
    return ::testing::AssertionSuccess();
}

void expect_bit_identical(const SimulationResults& a, const SimulationResults& b) {
    EXPECT_EQ(a.trials, b.trials);
    EXPECT_EQ(a.years, b.years);
    ASSERT_EQ(a.arms.size(), b.arms.size());
    for (std::size_t k = 0; k < a.arms.size(); ++k) {
        EXPECT_EQ(a.arms[k].name, b.arms[k].name);
        EXPECT_TRUE(bit_identical(a.arms[k].cost, b.arms[k].cost, "cost"));
        EXPECT_TRUE(bit_identical(a.arms[k].events, b.arms[k].events, "events"));
        EXPECT_TRUE(bit_identical(a.arms[k].member_months, b.arms[k].member_months, "member_months"));
        EXPECT_TRUE(bit_identical(a.arms[k].members, b.arms[k].members, "members"));
        EXPECT_TRUE(bit_identical(a.arms[k].member_cost_sumsq, b.arms[k].member_cost_sumsq, "member_cost_sumsq"));
        EXPECT_TRUE(bit_identical(a.arms[k].program_cost, b.arms[k].program_cost, "program_cost"));
    }
    EXPECT_TRUE(bit_identical(a.trend, b.trend, "trend"));
    EXPECT_TRUE(bit_identical(a.effect_factors, b.effect_factors, "effect_factors"));
    EXPECT_TRUE(bit_identical(a.member_costs, b.member_costs, "member_costs"));
}

template <class F>
void expect_invalid_at(F f, const std::string& where) {
    try {
        f();
        ADD_FAILURE() << "no InvalidInput thrown; expected one at " << where;
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.where(), where) << e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected InvalidInput at " << where << ", got another exception: " << e.what();
    }
}

}  // namespace

// =================================================================================
// 1. Closed-form moments of a member-year's category cost and count.

// Independent check of analytic_moments.hpp: the exact moments above must agree with
// member_year_moments() to rounding (1e-9 relative), per category and in total
// (the total includes the frailty covariance v E[S_c] E[S_d] between categories).
TEST(EngineMoments, AnalyticMomentsAgreeWithIndependentDerivation) {
    const CostModel& model = big_scenario().cost_model;
    for (std::size_t t = 0; t < model.tier_count(); ++t) {
        const MemberYearMoments cf = member_year_moments(model, t);
        for (std::size_t c = 0; c < model.category_count(); ++c) {
            const Moments m = exact_moments(model, t, {c});
            EXPECT_NEAR(cf.category_mean[c], m.mean(), 1e-9 * m.mean());
            EXPECT_NEAR(cf.category_variance[c], m.variance(), 1e-9 * m.variance());
        }
        const Moments total = exact_moments(model, t, all_categories(model));
        EXPECT_NEAR(cf.mean, total.mean(), 1e-9 * total.mean());
        EXPECT_NEAR(cf.variance, total.variance(), 1e-9 * total.variance());
    }
}

// For every tier x category of the default program (trend 0, no intervention, one
// year): the simulated mean and variance of a member-year's cost and event count
// match E[N]E[X] and E[N]Var[X] + Var[N]E[X]^2 with Var[N] = m + m^2 (v + (1+v)/r).
// Tolerance: 4 standard errors, computed from the exact moments, not the sample's
// (SE(mean) = sigma/sqrt(n), SE(var) = sqrt((mu4 - sigma^4)/n)); for variances the upper
// side is widened for the right skew of a sample variance: counts by Cornish-Fisher
// (variance_band, about +4.1 SE), costs by the largest plausible single severity
// (cost_variance_band). The per-trial cells hold the sum over the k members of a tier
// (k = 1, 2, 1): mean = E[cell]/k, variance = Var[cell]/k, with the cell's moments
// those of a sum of k iid member-years. Means are pinned to 0.3-1%, count variances
// and the lighter categories' cost variances to 4-10%; inpatient's severity CV 2.5
// gives a kurtosis of 1,000 to 13,000, so its cost variance is checked mainly from below.
TEST(EngineMoments, TierCategoryMeanAndVarianceMatchClosedForm) {
    const Scenario& sc = big_scenario();
    const SimulationResults& r = big_run();
    const CostModel& model = sc.cost_model;
    const double T = static_cast<double>(r.trials);
    for (std::size_t t = 0; t < model.tier_count(); ++t) {
        const double k = static_cast<double>(members_in_tier(sc.population, t));
        const MemberYearMoments cf = member_year_moments(model, t);
        for (std::size_t c = 0; c < model.category_count(); ++c) {
            for (int counts = 0; counts < 2; ++counts) {
                const bool events = counts == 1;
                const Moments m = exact_moments(model, t, {c}, events);
                const Moments cell = m.sum_of(k);
                const double s2 = m.variance();
                const std::vector<double> x = cell_series(r, events ? r.arms[0].events : r.arms[0].cost, 0, t, c);
                const double sim_mean = mean_of(x) / k, sim_var = variance_of(x) / k;
                const double se_mean = std::sqrt(s2 / (k * T));
                const double se_var = se_of_variance(cell, T) / k;
                const Band band =
                    events ? variance_band(se_var, skewness_of_variance(cell, T))
                           : cost_variance_band(se_var, largest_plausible_severity(model, t, {c}, k * T), k * T);
                const double want_mean = events ? m.mean() : cf.category_mean[c];
                const double want_var = events ? s2 : cf.category_variance[c];
                const std::string label = model.tiers[t] + "/" + model.categories[c] + (events ? " events" : " cost");
                EXPECT_NEAR(sim_mean, want_mean, 4 * se_mean) << label;
                EXPECT_TRUE(within_band(sim_var, want_var, band)) << label << " variance";
                std::printf(
                    "  %-26s mean %9.1f (cf %9.1f, z %+5.2f)  sd %9.1f (cf %9.1f, var z %+5.2f, band -4/+%.1f)\n",
                    label.c_str(), sim_mean, want_mean, (sim_mean - want_mean) / se_mean, std::sqrt(sim_var),
                    std::sqrt(want_var), (sim_var - want_var) / se_var, band.above / se_var);
            }
        }
    }
}

// The frailty is one draw per member-year shared by all categories, so counts of
// different categories covary: Var[sum_c N_c] = sum_c Var[N_c] + v ((sum_c m_c)^2 -
// sum_c m_c^2). Per tier, the simulated mean and variance of a member-year's total event
// count match the exact moments (exact_moments over all categories, unit severity),
// within 4 SE (variance: Cornish-Fisher band, about +4.1 SE). A frailty drawn per
// category would remove the covariance term, a third (A) to a half (C) of the variance
// and far more than 10 SE (checked, so the test can tell the two apart).
TEST(EngineMoments, TotalCountVarianceIncludesSharedFrailty) {
    const Scenario& sc = big_scenario();
    const SimulationResults& r = big_run();
    const CostModel& model = sc.cost_model;
    const double T = static_cast<double>(r.trials);
    for (std::size_t t = 0; t < model.tier_count(); ++t) {
        const double k = static_cast<double>(members_in_tier(sc.population, t));
        const Moments m = exact_moments(model, t, all_categories(model), true);
        const Moments cell = m.sum_of(k);
        double independent = 0.0;  // the variance without the frailty covariance
        for (std::size_t c = 0; c < model.category_count(); ++c)
            independent += exact_moments(model, t, {c}, true).variance();
        const std::vector<double> x = column(r.samples("events", "baseline", "", model.tiers[t]));
        const double sim_mean = mean_of(x) / k, sim_var = variance_of(x) / k;
        const double se_var = se_of_variance(cell, T) / k;
        std::printf(
            "  tier %s total events: mean %.2f (cf %.2f), var %.1f (cf %.1f, z %+.2f; without covariance %.1f)\n",
            model.tiers[t].c_str(), sim_mean, m.mean(), sim_var, m.variance(), (sim_var - m.variance()) / se_var,
            independent);
        EXPECT_NEAR(sim_mean, m.mean(), 4 * std::sqrt(m.variance() / (k * T))) << model.tiers[t];
        EXPECT_TRUE(within_band(sim_var, m.variance(), variance_band(se_var, skewness_of_variance(cell, T))))
            << model.tiers[t];
        EXPECT_GT(m.variance() - independent, 10 * se_var) << "the check can tell shared from independent frailty";
    }
}

// =================================================================================
// 2. The default program's targets (DOMAIN.md section 2), trend disabled.

// The closed form reproduces the published targets to their rounding: tier means
// 94,600 / 34,980 / 14,750 (to $1), overall 44,828 (to $1, it is 44,827.5), CVs
// 1.21 / 1.49 / 1.61 / 1.68 (to 0.005, the rounding of two decimals).
TEST(EngineTargets, ClosedFormReproducesDomainTargets) {
    const CostModel& model = big_scenario().cost_model;
    const std::vector<double> mean_target = {94600, 34980, 14750}, cv_target = {1.21, 1.49, 1.61};
    const std::vector<double> mix = {0.25, 0.5, 0.25};
    std::vector<Moments> parts;
    for (std::size_t t = 0; t < 3; ++t) {
        const MemberYearMoments cf = member_year_moments(model, t);
        EXPECT_NEAR(cf.mean, mean_target[t], 1.0) << model.tiers[t];
        EXPECT_NEAR(cf.cv(), cv_target[t], 0.005) << model.tiers[t];
        parts.push_back(exact_moments(model, t, all_categories(model)));
    }
    const Moments all = Moments::mixture(parts, mix);
    EXPECT_NEAR(all.mean(), 44828, 1.0);
    EXPECT_NEAR(std::sqrt(all.variance()) / all.mean(), 1.68, 0.005);
}

// Simulated tier means within 2% of the DOMAIN targets and within 4 SE of the closed
// form (SE = sigma / sqrt(member-years): 0.33% for tier C with 150,000 member-years,
// so 2% is more than 4 SE for every tier).
TEST(EngineTargets, MeanCostPerMemberYearMatchesTargets) {
    const Scenario& sc = big_scenario();
    const SimulationResults& r = big_run();
    const std::vector<double> target = {94600, 34980, 14750};
    double total = 0.0;
    for (std::size_t t = 0; t < 3; ++t) {
        const double k = static_cast<double>(members_in_tier(sc.population, t));
        const double n = k * static_cast<double>(r.trials);
        const double sim = r.samples("total_cost", "baseline", "", sc.cost_model.tiers[t]).sum() / n;
        const MemberYearMoments cf = member_year_moments(sc.cost_model, t);
        const double se = std::sqrt(cf.variance / n);
        std::printf("  tier %s mean %.1f target %.0f (%+.2f%%, z %+.2f)\n", sc.cost_model.tiers[t].c_str(), sim,
                    target[t], 100 * (sim / target[t] - 1), (sim - cf.mean) / se);
        EXPECT_NEAR(sim, target[t], 0.02 * target[t]) << sc.cost_model.tiers[t];
        EXPECT_NEAR(sim, cf.mean, 4 * se) << sc.cost_model.tiers[t];
        total += r.samples("total_cost", "baseline", "", sc.cost_model.tiers[t]).sum();
    }
    const double overall = total / (4.0 * static_cast<double>(r.trials));
    std::printf("  overall mean %.1f target 44828 (%+.2f%%)\n", overall, 100 * (overall / 44828 - 1));
    EXPECT_NEAR(overall, 44828, 0.02 * 44828);
    EXPECT_NEAR(r.samples("total_cost").mean() / 4.0, overall, 1e-9 * overall);
}

// Member-level CV (SimulationResults::member_level_cv) against the closed form (which
// matches the DOMAIN targets to their rounding, see above). Tolerance: 4 SE below (SE by
// the delta method from the exact moments, se_of_cv); above, the CV of a variance 4 SE
// (of the sample variance) plus one largest plausible severity squared / n higher (see
// cost_variance_band). For the overall CV the moments of the 25/50/25 mixture are used,
// which overstates the SE of the stratified sample slightly (conservative).
// Why not a flat 3%: inpatient severity (lognormal, CV 2.5) makes the member-year
// kurtosis about 600 (A) to 10,000 (C); the sample CV of 150,000 member-years then has
// an SE of 3% (A) to 12% (C) and a heavy right tail (one $28M admission moves tier A's
// CV by 17%). Pinning the CV to 3% at 4 SE would need ~10^8 member-years, far beyond
// the run-time budget. The lower side (which catches a missing frailty, dispersion or
// frailty covariance) is tight to 4 SE; the per-category checks above carry the rest.
TEST(EngineTargets, MemberLevelCvMatchesTargets) {
    const Scenario& sc = big_scenario();
    const SimulationResults& r = big_run();
    const CostModel& model = sc.cost_model;
    const std::vector<double> target = {1.21, 1.49, 1.61};
    std::vector<Moments> parts;
    double largest = 0.0;  // over every draw of the run, for the overall CV
    for (std::size_t t = 0; t <= 3; ++t) {
        const bool overall = t == 3;
        if (!overall) parts.push_back(exact_moments(model, t, all_categories(model)));
        const Moments m = overall ? Moments::mixture(parts, {0.25, 0.5, 0.25}) : parts.back();
        const double n = static_cast<double>((overall ? 4 : members_in_tier(sc.population, t)) * r.trials);
        if (!overall)  // a union bound over the three tiers' draws: p = 1e-4 / 3 each
            largest = std::max(largest, largest_plausible_severity(model, t, all_categories(model), n, 1e-4 / 3));
        const double x = overall ? largest : largest_plausible_severity(model, t, all_categories(model), n);
        const double cv_cf = m.cv(), se = se_of_cv(m, n);
        const double var_high = m.variance() + 4 * se_of_variance(m, n) + x * x / n;
        const Band band{4 * se, std::sqrt(var_high) / m.mean() - cv_cf};
        const double sim =
            overall ? r.member_level_cv("baseline", 1) : r.member_level_cv("baseline", 1, model.tiers[t]);
        const std::string name = overall ? "overall" : "tier " + model.tiers[t];
        std::printf("  %-7s CV %.4f target %.2f closed form %.4f (%+.2f%%, SE %.4f, z %+.2f, band -4/+%.1f SE)\n",
                    name.c_str(), sim, overall ? 1.68 : target[t], cv_cf, 100 * (sim / cv_cf - 1), se,
                    (sim - cv_cf) / se, band.above / se);
        EXPECT_TRUE(within_band(sim, cv_cf, band)) << name;
    }
}

// Spending shares: simulated share of each category within 1.5 percentage points of the
// DOMAIN figure (which is rounded to a whole percent, so up to 0.5 pp of the gap is
// rounding) and within 4 SE of the closed-form share. SE of a ratio of sums by the
// delta method with the per-trial residuals S_c - share x S (trials are iid).
TEST(EngineTargets, SpendingSharesMatchTargets) {
    const Scenario& sc = big_scenario();
    const SimulationResults& r = big_run();
    const CostModel& model = sc.cost_model;
    const std::vector<std::pair<std::string, double>> target = {
        {"inpatient", 0.40},    {"home_health", 0.13}, {"pharmacy", 0.13}, {"outpatient", 0.12},
        {"professional", 0.10}, {"emergency", 0.05},   {"dme", 0.05},      {"behavioral_health", 0.02}};
    const std::vector<double> total = column(r.samples("total_cost"));
    const double T = static_cast<double>(r.trials), sum_total = std::accumulate(total.begin(), total.end(), 0.0);
    double cf_total = 0.0;
    std::vector<double> cf_cat(model.category_count(), 0.0);
    for (std::size_t t = 0; t < 3; ++t) {
        const MemberYearMoments m = member_year_moments(model, t);
        const double k = static_cast<double>(members_in_tier(sc.population, t));
        for (std::size_t c = 0; c < cf_cat.size(); ++c) cf_cat[c] += k * m.category_mean[c];
        cf_total += k * m.mean;
    }
    for (const auto& [name, share] : target) {
        const auto c = static_cast<std::size_t>(CostModel::index_of(model.categories, name));
        const std::vector<double> cat = column(r.samples("total_cost", "baseline", name));
        const double sim = std::accumulate(cat.begin(), cat.end(), 0.0) / sum_total;
        std::vector<double> resid(cat.size());
        for (std::size_t i = 0; i < cat.size(); ++i) resid[i] = cat[i] - sim * total[i];
        const double se = sd_of(resid) / (std::sqrt(T) * sum_total / T);
        const double cf = cf_cat[c] / cf_total;
        std::printf("  %-18s share %5.2f%% target %2.0f%% closed form %5.2f%% (SE %.2f pp)\n", name.c_str(), 100 * sim,
                    100 * share, 100 * cf, 100 * se);
        EXPECT_NEAR(sim, share, 0.015) << name;
        EXPECT_NEAR(sim, cf, 4 * se) << name;
    }
}

// =================================================================================
// 3. Reproducibility.

// Every array of every arm, the trend and effect draws and the member detail are
// bit-identical for 1, 2 and 8 threads and for a repeated run (exact equality: the
// engine promises results that do not depend on threads).
TEST(EngineReproducibility, BitIdenticalAcrossThreadCountsAndRuns) {
    const Scenario s = Scenario::default_cmc_program(150, 3);  // trend, intervention, 3 years
    const SimulationResults r1 = simulate(s, opts(24, 77, 1, true));
    const SimulationResults r2 = simulate(s, opts(24, 77, 2, true));
    const SimulationResults r8 = simulate(s, opts(24, 77, 8, true));
    const SimulationResults again = simulate(s, opts(24, 77, 8, true));
    expect_bit_identical(r1, r2);
    expect_bit_identical(r1, r8);
    expect_bit_identical(r8, again);
    ASSERT_EQ(r1.arms.size(), 2u);
    EXPECT_GT(r1.samples("total_cost").minCoeff(), 0.0);

    const SimulationResults other = simulate(s, opts(24, 78, 2, true));
    EXPECT_NE(other.arms[0].cost, r1.arms[0].cost);
    EXPECT_NE(other.trend, r1.trend);
    EXPECT_NE(other.effect_factors, r1.effect_factors);
    EXPECT_NE(other.member_costs, r1.member_costs);
}

// The same seed gives the same bits on every instruction set the kernels are compiled
// for (AVX-512, AVX2, baseline x86-64), whichever this processor picks.
TEST(EngineReproducibility, BitIdenticalAcrossInstructionSets) {
    const Scenario s = Scenario::default_cmc_program(150, 3);
    const std::string before = apmsim::random::kernel_target();
    const std::vector<std::string> targets = apmsim::random::kernel_targets();
    apmsim::random::use_kernel_target("baseline");
    const SimulationResults baseline = simulate(s, opts(12, 77, 2, true));
    for (const std::string& target : targets) {
        apmsim::random::use_kernel_target(target);
        SCOPED_TRACE(target);
        expect_bit_identical(baseline, simulate(s, opts(12, 77, 2, true)));
    }
    apmsim::random::use_kernel_target(before);
    EXPECT_GE(targets.size(), 1u);
}

// A trial's outputs depend only on (seed, trial index): trials 0..4 of a 5-trial run
// equal trials 0..4 of a 7-trial run bit for bit, whatever the thread count.
TEST(EngineReproducibility, TrialReplaysIdenticallyInLongerRun) {
    const Scenario s = Scenario::default_cmc_program(60, 2);
    const SimulationResults a = simulate(s, opts(5, 99, 1, true));
    const SimulationResults b = simulate(s, opts(7, 99, 8, true));
    const std::size_t T = s.cost_model.tier_count(), C = s.cost_model.category_count(), Y = 2, M = 60;
    for (std::uint64_t t = 0; t < 5; ++t) {
        for (std::size_t arm = 0; arm < 2; ++arm) {
            for (int y = 0; y < 2; ++y) {
                for (std::size_t k = 0; k < T; ++k) {
                    for (std::size_t c = 0; c < C; ++c) {
                        EXPECT_EQ(a.arms[arm].cost[a.cell_index(t, y, k, c)],
                                  b.arms[arm].cost[b.cell_index(t, y, k, c)]);
                        EXPECT_EQ(a.arms[arm].events[a.cell_index(t, y, k, c)],
                                  b.arms[arm].events[b.cell_index(t, y, k, c)]);
                    }
                    const std::size_t ti = (t * Y + y) * T + k;
                    EXPECT_EQ(a.arms[arm].member_months[ti], b.arms[arm].member_months[ti]);
                    EXPECT_EQ(a.arms[arm].member_cost_sumsq[ti], b.arms[arm].member_cost_sumsq[ti]);
                }
                for (std::size_t i = 0; i < M; ++i)
                    EXPECT_EQ(a.member_costs[((arm * 5 + t) * Y + y) * M + i],
                              b.member_costs[((arm * 7 + t) * Y + y) * M + i]);
            }
        }
        EXPECT_EQ(a.trend[t], b.trend[t]);
        for (std::size_t c = 0; c < C; ++c) EXPECT_EQ(a.effect_factors[t * C + c], b.effect_factors[t * C + c]);
    }
    // Trials are not copies of one another.
    EXPECT_NE(a.trend[3], a.trend[2]);
    EXPECT_NE(a.samples("total_cost")(3, 0), a.samples("total_cost")(2, 0));
}

// =================================================================================
// 4. Standard error of a pool's mean cost.

namespace {
// Moments of the pool mean per member M_n for Poisson(lambda) x severity with raw
// moments x, no frailty: member cumulants kappa_j = lambda E[X^j], M_n has cumulants
// kappa_j / n^(j-1). With a trend Y = (1 + g) M_n, g ~ N(0, s^2) independent:
// E[Y^j] = E[(1+g)^j] E[M_n^j], E[(1+g)^j] = sum_i C(j,i) E[g^i], E[g^i] = (i-1)!! s^i
// for even i, 0 for odd.
Moments pool_mean_moments(double lambda, const std::array<double, kOrder + 1>& x, double n, double s) {
    std::array<double, kOrder + 1> k{};
    for (int j = 1; j <= kOrder; ++j) k[j] = lambda * x[j] / std::pow(n, j - 1);
    const auto m = cumulants_to_raw(k, 1.0);
    Moments y;
    for (int j = 0; j <= kOrder; ++j) {
        double g = 0.0, double_factorial = 1.0;
        for (int i = 0; i <= j; i += 2) {
            g += binomial(j, i) * double_factorial * std::pow(s, i);
            double_factorial *= i + 1;
        }
        y.raw[j] = g * m[j];
    }
    return y;
}
}  // namespace

// Poisson(2) x Lognormal(mean 1000, CV 1.5), no frailty: the SD across trials of the
// pool's mean cost per member is sigma / sqrt(n) (sigma^2 = lambda E[X^2] = 6.5e6) for
// n = 100, 1,000, 10,000; each n with its own seed, so the three SDs are independent.
// With 2,000 trials the SE of a sample SD is sigma_pool sqrt((kurtosis - 1) / (4 T)),
// about 1.6-1.8%; tolerance 4 SE for each SD (upper side widened for the skewness of
// a sample variance, about 0.2 here: +4.5 SE) and for each ratio (which should be
// sqrt(10); SE of a ratio of independent SDs = ratio x sqrt(rel1^2 + rel2^2)).
// With a trend common shock g ~ N(0, 0.05) the pool mean is (1 + g) M_n, so
// Var = E[(1+g)^2] Var[M_n] + Var[g] E[M_n]^2 = (1 + s^2) sigma^2/n + s^2 mu^2: the SD
// levels off at s mu = 100 instead of falling to 25.5 at n = 10,000. The trend stream
// is separate from the members' streams, so with the same seed each trial's pool mean
// is exactly (1 + g_t) times the trend-free one (checked to 1e-12).
TEST(EnginePoolError, PoolMeanSdFallsAsRootNAndLevelsOffWithCommonShock) {
    const Lognormal sev = Lognormal::from_mean_cv(1000, 1.5);
    const std::array<double, kOrder + 1> x = lognormal_raw_moments(sev);
    const double lambda = 2.0, mu = lambda * x[1];
    const std::uint64_t trials = 2000;
    const double T = static_cast<double>(trials);
    const std::vector<std::size_t> sizes = {100, 1000, 10000};
    std::vector<double> sd_flat, rel_flat, sd_shock, rel_shock;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const double n = static_cast<double>(sizes[i]);
        Scenario s = simple_scenario(sizes[i], Poisson(lambda), sev);
        const std::uint64_t seed = 1000 + i;
        const std::vector<double> flat = column(simulate(s, opts(trials, seed)).samples("total_cost"));
        std::vector<double> pool(flat.size());
        for (std::size_t t = 0; t < flat.size(); ++t) pool[t] = flat[t] / n;
        const Moments th = pool_mean_moments(lambda, x, n, 0.0);
        const double var_th = th.variance();
        const double sd = sd_of(pool), se = se_of_sd(th, T);
        std::printf("  n %6zu: pool-mean SD %.2f theory %.2f (z %+.2f); mean %.1f vs %.1f\n", sizes[i], sd,
                    std::sqrt(var_th), (sd - std::sqrt(var_th)) / se, mean_of(pool), mu);
        EXPECT_TRUE(within_band(sd, std::sqrt(var_th), variance_band(se, skewness_of_variance(th, T))))
            << "n = " << sizes[i];
        EXPECT_NEAR(mean_of(pool), mu, 4 * std::sqrt(var_th / T)) << "n = " << sizes[i];
        sd_flat.push_back(sd);
        rel_flat.push_back(se / std::sqrt(var_th));

        if (sizes[i] < 1000) continue;
        s.cost_model.trend = {0.0, 0.05};
        const SimulationResults shocked = simulate(s, opts(trials, seed));
        const std::vector<double> with = column(shocked.samples("total_cost"));
        std::vector<double> pool_shock(with.size());
        for (std::size_t t = 0; t < with.size(); ++t) {
            pool_shock[t] = with[t] / n;
            EXPECT_NEAR(with[t], (1 + shocked.trend[t]) * flat[t], 1e-12 * with[t]) << "trial " << t;
        }
        EXPECT_NEAR(sd_of(shocked.trend), 0.05, 4 * 0.05 / std::sqrt(2 * T));
        const Moments ths = pool_mean_moments(lambda, x, n, 0.05);
        const double var_s = ths.variance();
        const double sd_s = sd_of(pool_shock), se_s = se_of_sd(ths, T);
        std::printf("  n %6zu with shock sd 0.05: pool-mean SD %.2f theory %.2f (z %+.2f)\n", sizes[i], sd_s,
                    std::sqrt(var_s), (sd_s - std::sqrt(var_s)) / se_s);
        EXPECT_TRUE(within_band(sd_s, std::sqrt(var_s), variance_band(se_s, skewness_of_variance(ths, T))))
            << "n = " << sizes[i];
        sd_shock.push_back(sd_s);
        rel_shock.push_back(se_s / std::sqrt(var_s));
    }
    for (std::size_t i = 0; i + 1 < sd_flat.size(); ++i) {
        const double ratio = sd_flat[i] / sd_flat[i + 1];
        const double se = std::sqrt(10.0) * std::hypot(rel_flat[i], rel_flat[i + 1]);
        std::printf("  SD ratio n=%zu/n=%zu: %.3f (sqrt(10) = 3.162, SE %.3f)\n", sizes[i], sizes[i + 1], ratio, se);
        EXPECT_NEAR(ratio, std::sqrt(10.0), 4 * se);
    }
    // With the shock: ratio sqrt((1.0025*6.5e6/1000 + 1e4) / (1.0025*6.5e6/10000 + 1e4)) = 1.245.
    const double v1 = pool_mean_moments(lambda, x, 1000, 0.05).variance();
    const double v2 = pool_mean_moments(lambda, x, 10000, 0.05).variance();
    const double ratio_th = std::sqrt(v1 / v2), ratio = sd_shock[0] / sd_shock[1];
    std::printf("  SD ratio with shock n=1000/n=10000: %.3f (theory %.3f)\n", ratio, ratio_th);
    EXPECT_NEAR(ratio, ratio_th, 4 * ratio_th * std::hypot(rel_shock[0], rel_shock[1]));
    EXPECT_LT(ratio, 1.5);  // far from sqrt(10): the common shock does not diversify away
}

// =================================================================================
// 5. Common random numbers between the arms.

namespace {
// Expected cost per trial of category c in the default program (trend 0, 12 months).
std::vector<double> expected_category_cost(const Scenario& s) {
    std::vector<double> out(s.cost_model.category_count(), 0.0);
    for (std::size_t t = 0; t < s.cost_model.tier_count(); ++t) {
        const MemberYearMoments m = member_year_moments(s.cost_model, t);
        for (std::size_t c = 0; c < out.size(); ++c)
            out[c] += static_cast<double>(members_in_tier(s.population, t)) * m.category_mean[c];
    }
    return out;
}
}  // namespace

// Default intervention (inpatient -7.7% sd 3.1%, emergency -11.6% sd 3.7%, outpatient
// +2%), 1,000 members, 300 trials, trend off.
//  * Savings (same random numbers in both arms) have far less spread than the
//    difference of two independent runs: required SD ratio < 0.5 (expected ~0.25:
//    sqrt(effect uncertainty + removed events) against sqrt(2) x the pool SD).
//  * Counts are monotone in the effect factor cell by cell (inversion of one uniform):
//    intervention <= baseline for events and cost when the factor <= 1, >= when >= 1,
//    and bit-identical for categories without an effect.
//  * Mean savings = sum_c (1 - E[factor_c]) E[cost_c] (E[factor] = 1 + mean effect;
//    truncation at 0 is >25 SD away), within 4 SE (SE = sample SD / sqrt(trials),
//    savings are sums over 1,000 members so the sample SD is reliable); and given each
//    trial's drawn factors, savings_t - sum_c (1 - f_tc) E[cost_c] has mean 0 within 4 SE.
TEST(EngineCommonRandomNumbers, SavingsAreSharpAndMonotone) {
    Scenario s = Scenario::default_cmc_program(1000, 1);
    s.cost_model.trend = {0.0, 0.0};
    const std::uint64_t trials = 300;
    const double T = static_cast<double>(trials);
    const SimulationResults r1 = simulate(s, opts(trials, 501));
    const SimulationResults r2 = simulate(s, opts(trials, 502));
    const std::vector<double> savings = column(r1.samples("savings"));
    const std::vector<double> base1 = column(r1.samples("total_cost", "baseline"));
    const std::vector<double> int2 = column(r2.samples("total_cost", "intervention"));
    std::vector<double> independent(trials);
    for (std::size_t t = 0; t < trials; ++t) independent[t] = base1[t] - int2[t];
    const double sd_crn = sd_of(savings), sd_ind = sd_of(independent);
    std::printf("  SD of savings (CRN) %.0f vs independent runs %.0f: ratio %.3f\n", sd_crn, sd_ind, sd_crn / sd_ind);
    EXPECT_LT(sd_crn, 0.5 * sd_ind);

    // Monotonicity cell by cell.
    const CostModel& model = s.cost_model;
    const std::size_t C = model.category_count();
    const int inpatient = CostModel::index_of(model.categories, "inpatient");
    std::size_t below = 0;
    for (std::uint64_t t = 0; t < trials; ++t) {
        if (r1.effect_factors[t * C + inpatient] < 1.0) ++below;
        for (std::size_t k = 0; k < model.tier_count(); ++k)
            for (std::size_t c = 0; c < C; ++c) {
                const double f = r1.effect_factors[t * C + c];
                const std::size_t i = r1.cell_index(t, 0, k, c);
                const double nb = r1.arms[0].events[i], ni = r1.arms[1].events[i];
                const double cb = r1.arms[0].cost[i], ci = r1.arms[1].cost[i];
                if (f <= 1.0) {
                    EXPECT_LE(ni, nb) << "trial " << t << " " << model.categories[c];
                    EXPECT_LE(ci, cb) << "trial " << t << " " << model.categories[c];
                }
                if (f >= 1.0) {
                    EXPECT_GE(ni, nb) << "trial " << t << " " << model.categories[c];
                    EXPECT_GE(ci, cb) << "trial " << t << " " << model.categories[c];
                }
                if (f == 1.0) {
                    EXPECT_EQ(std::memcmp(&cb, &ci, sizeof(double)), 0) << model.categories[c];
                }
            }
    }
    EXPECT_GT(below, trials * 9 / 10);  // P(factor < 1) = Phi(0.077/0.031) = 0.994

    // Effect factors: 1 + Normal(mean, sd) per trial; exactly 1 without an effect.
    for (const auto& e : s.intervention->effects) {
        const auto c = static_cast<std::size_t>(CostModel::index_of(model.categories, e.category));
        std::vector<double> f(trials);
        for (std::size_t t = 0; t < trials; ++t) f[t] = r1.effect_factors[t * C + c];
        if (e.sd == 0.0) {
            for (double v : f) EXPECT_EQ(v, 1.0 + e.mean);
        } else {
            EXPECT_NEAR(mean_of(f), 1.0 + e.mean, 4 * e.sd / std::sqrt(T)) << e.category;
            EXPECT_NEAR(sd_of(f), e.sd, 4 * e.sd / std::sqrt(2 * T)) << e.category;
        }
    }
    for (std::size_t t = 0; t < trials; ++t)
        EXPECT_EQ(r1.effect_factors[t * C + CostModel::index_of(model.categories, "pharmacy")], 1.0);

    // Mean savings against the closed form.
    const std::vector<double> cost_c = expected_category_cost(s);
    double want = 0.0;
    for (const auto& e : s.intervention->effects)
        want -= e.mean * cost_c[static_cast<std::size_t>(CostModel::index_of(model.categories, e.category))];
    const double got = mean_of(savings), se = sd_crn / std::sqrt(T);
    std::printf("  mean savings %.0f closed form %.0f (%+.2f%%, z %+.2f)\n", got, want, 100 * (got / want - 1),
                (got - want) / se);
    EXPECT_NEAR(got, want, 4 * se);
    std::vector<double> resid(trials);
    for (std::size_t t = 0; t < trials; ++t) {
        double expect_t = 0.0;
        for (std::size_t c = 0; c < C; ++c) expect_t += (1.0 - r1.effect_factors[t * C + c]) * cost_c[c];
        resid[t] = savings[t] - expect_t;
    }
    std::printf("  conditional residual mean %.0f (SE %.0f)\n", mean_of(resid), sd_of(resid) / std::sqrt(T));
    EXPECT_NEAR(mean_of(resid), 0.0, 4 * sd_of(resid) / std::sqrt(T));
}

// An intervention with no effect reproduces the baseline arm bit for bit (both arms
// use the same uniforms), and an effect of -100% removes every event of its category.
TEST(EngineCommonRandomNumbers, NullAndTotalEffects) {
    Scenario s = Scenario::default_cmc_program(50, 2);
    s.intervention->effects = {{"inpatient", 0.0, 0.0, ""}};
    const SimulationResults r = simulate(s, opts(10, 3));
    EXPECT_TRUE(bit_identical(r.arms[0].cost, r.arms[1].cost, "cost"));
    EXPECT_TRUE(bit_identical(r.arms[0].events, r.arms[1].events, "events"));
    EXPECT_TRUE(bit_identical(r.arms[0].member_cost_sumsq, r.arms[1].member_cost_sumsq, "member_cost_sumsq"));
    EXPECT_EQ(r.samples("savings").cwiseAbs().maxCoeff(), 0.0);

    s.intervention->effects = {{"emergency", -1.0, 0.0, ""}};
    const SimulationResults z = simulate(s, opts(10, 3));
    EXPECT_EQ(z.samples("events", "intervention", "emergency").maxCoeff(), 0.0);
    EXPECT_GT(z.samples("events", "baseline", "emergency").minCoeff(), 0.0);
    EXPECT_TRUE(bit_identical(z.arms[0].cost, r.arms[0].cost, "baseline is untouched by the intervention"));
}

// The baseline arm does not depend on whether the scenario has an intervention: with
// and without one, event counts are bit-identical and costs agree to rounding (1e-12
// relative; with an intervention a cell's severities are summed in two pieces, the
// events both arms share and the rest).
TEST(EngineCommonRandomNumbers, BaselineArmDoesNotDependOnIntervention) {
    Scenario with = Scenario::default_cmc_program(200, 2);
    Scenario without = with;
    without.intervention.reset();
    const SimulationResults a = simulate(with, opts(20, 64));
    const SimulationResults b = simulate(without, opts(20, 64));
    ASSERT_EQ(b.arms.size(), 1u);
    EXPECT_TRUE(bit_identical(a.arms[0].events, b.arms[0].events, "events"));
    EXPECT_TRUE(bit_identical(a.arms[0].member_months, b.arms[0].member_months, "member_months"));
    EXPECT_TRUE(bit_identical(a.trend, b.trend, "trend"));
    for (std::size_t i = 0; i < a.arms[0].cost.size(); ++i)
        EXPECT_NEAR(a.arms[0].cost[i], b.arms[0].cost[i], 1e-12 * b.arms[0].cost[i]) << "cell " << i;
    EXPECT_TRUE(b.effect_factors.empty());
    EXPECT_EQ(a.effect_factors.size(), 20u * with.cost_model.category_count());
}

// Large expected counts (where p0 = P(N = 0) underflows and the sampler must not
// start a pmf recursion from it): Poisson(603) and NegativeBinomial(3000, r = 500 or
// 0.5), one member, no frailty, 2,000 trials. Means and variances match the exact ones
// (4 SE; variance band as for counts), and a -0.5% effect never raises a count in any
// trial (the count is an inversion of one uniform, non-decreasing in the mean, even
// when the effect moves the mean across the sampler's internal switch at exp(-600)).
TEST(EngineCommonRandomNumbers, LargeCountsAreUnbiasedAndMonotone) {
    Scenario s;
    s.cost_model.tiers = {"all"};
    s.cost_model.categories = {"poisson_603", "nb_3000_r500", "nb_3000_r0.5"};
    const Lognormal sev = Lognormal::from_mean_cv(10, 0.1);
    s.cost_model.cells = {{Poisson(603), sev}, {NegativeBinomial(3000, 500), sev}, {NegativeBinomial(3000, 0.5), sev}};
    s.population = synthetic_population(1, {1.0}, 1, {1.0});
    Intervention iv;
    iv.name = "tiny";
    for (const auto& c : s.cost_model.categories) iv.effects.push_back({c, -0.005, 0.0, ""});
    s.intervention = iv;
    const std::uint64_t trials = 2000;
    const double T = static_cast<double>(trials);
    const SimulationResults r = simulate(s, opts(trials, 808));
    for (std::size_t c = 0; c < 3; ++c) {
        const std::vector<double> base = cell_series(r, r.arms[0].events, 0, 0, c);
        const std::vector<double> treated = cell_series(r, r.arms[1].events, 0, 0, c);
        std::size_t raised = 0;
        for (std::size_t t = 0; t < trials; ++t) raised += treated[t] > base[t];
        EXPECT_EQ(raised, 0u) << s.cost_model.categories[c];
        const Moments m = exact_moments(s.cost_model, 0, {c}, true);
        const double se_var = se_of_variance(m, T);
        std::printf("  %-13s events mean %.1f (want %.0f), var %.0f (want %.0f, z %+.2f); mean after effect %.1f\n",
                    s.cost_model.categories[c].c_str(), mean_of(base), m.mean(), variance_of(base), m.variance(),
                    (variance_of(base) - m.variance()) / se_var, mean_of(treated));
        EXPECT_NEAR(mean_of(base), m.mean(), 4 * std::sqrt(m.variance() / T)) << s.cost_model.categories[c];
        EXPECT_TRUE(within_band(variance_of(base), m.variance(), variance_band(se_var, skewness_of_variance(m, T))))
            << s.cost_model.categories[c];
        EXPECT_NEAR(mean_of(treated), 0.995 * m.mean(), 4 * std::sqrt(m.variance() / T)) << s.cost_model.categories[c];
    }
}

// =================================================================================
// 6. Program costs.

// Program cost = PMPM x eligible member-months, exactly (integers times small
// integers are exact in double), per component and in total ($150 PMPM), in every
// trial and year; the baseline arm has none; net_cost and net_savings add it up.
TEST(EngineProgramCost, PmpmTimesMemberMonthsExactly) {
    Scenario s = Scenario::default_cmc_program(100, 3);
    double mm[3] = {0, 0, 0};
    double members[3] = {0, 0, 0};
    for (std::size_t i = 0; i < 100; ++i)
        for (int y = 0; y < 3; ++y) {
            const auto m = static_cast<std::uint8_t>((i * 7 + static_cast<std::size_t>(y) * 5) % 13);
            s.population.months[i * 3 + static_cast<std::size_t>(y)] = m;
            mm[y] += m;
            members[y] += m > 0 ? 1 : 0;
        }
    const SimulationResults r = simulate(s, opts(6, 12));
    ASSERT_EQ(r.program_cost_items.size(), 4u);
    const SampleMatrix total = r.samples("program_cost", "intervention");
    const SampleMatrix team = r.samples("program_cost", "intervention", "", "", "care_team");
    for (int t = 0; t < 6; ++t)
        for (int y = 0; y < 3; ++y) {
            EXPECT_EQ(total(t, y), 150.0 * mm[y]);
            EXPECT_EQ(team(t, y), 70.0 * mm[y]);
            EXPECT_EQ(r.samples("member_months", "intervention")(t, y), mm[y]);
            EXPECT_EQ(r.samples("member_months", "baseline")(t, y), mm[y]);
            EXPECT_EQ(r.samples("members", "baseline")(t, y), members[y]);
        }
    EXPECT_DOUBLE_EQ(s.intervention->total_pmpm("A"), 150.0);
    EXPECT_EQ(r.samples("program_cost", "baseline").cwiseAbs().maxCoeff(), 0.0);
    const SampleMatrix net = r.samples("net_cost", "intervention");
    const SampleMatrix cost = r.samples("total_cost", "intervention");
    const SampleMatrix net_sav = r.samples("net_savings"), sav = r.samples("savings");
    for (int t = 0; t < 6; ++t)
        for (int y = 0; y < 3; ++y) {
            EXPECT_DOUBLE_EQ(net(t, y), cost(t, y) + total(t, y));
            EXPECT_DOUBLE_EQ(net_sav(t, y), sav(t, y) - total(t, y));
            EXPECT_DOUBLE_EQ(r.samples("cost_pmpm", "baseline")(t, y), r.samples("total_cost")(t, y) / mm[y]);
        }
}

// =================================================================================
// 7. Partial eligibility and seasonality.

// Poisson(2) x Lognormal(1000, CV 1), 2,000 members, 100 trials (200,000 member-years).
// Flat seasonality: 6 eligible months halve the expected count (1.0 per member-year)
// and the cost ($1,000); seasonality 2 in Jan-Jun and 0 in Jul-Dec puts the whole
// year's expectation into the 6 eligible months (2.0 events), double the flat value,
// and leaves a 12-month member unchanged (2.0). Tolerance 4 SE: total events are
// Poisson, SE = sqrt(mean / n); cost SE = sqrt(lambda E[X^2] / n).
TEST(EngineEligibility, PartialMonthsAndSeasonality) {
    const Lognormal sev = Lognormal::from_mean_cv(1000, 1.0);
    const std::size_t members = 2000;
    const std::uint64_t trials = 100;
    const double n = static_cast<double>(members * trials);
    auto run = [&](int months, bool seasonal) {
        Scenario s = simple_scenario(members, Poisson(2.0), sev);
        std::fill(s.population.months.begin(), s.population.months.end(), static_cast<std::uint8_t>(months));
        if (seasonal) s.cost_model.seasonality = {{2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0}};
        return simulate(s, opts(trials, 31));
    };
    struct Case {
        int months;
        bool seasonal;
        double lambda;
    };
    const Case cases[] = {{12, false, 2.0}, {6, false, 1.0}, {3, false, 0.5},
                          {6, true, 2.0},   {12, true, 2.0}, {3, true, 1.0}};
    std::vector<double> mean_events;
    for (const Case& c : cases) {
        const SimulationResults r = run(c.months, c.seasonal);
        const double ev = r.samples("events").sum() / n, cost = r.samples("total_cost").sum() / n;
        const double cost_mean = c.lambda * sev.mean(), cost_se = std::sqrt(c.lambda * (sev.variance() + 1e6) / n);
        std::printf("  months %2d %s: events/member %.4f (want %.1f), cost %.1f (want %.0f)\n", c.months,
                    c.seasonal ? "Jan-Jun" : "flat   ", ev, c.lambda, cost, cost_mean);
        EXPECT_NEAR(ev, c.lambda, 4 * std::sqrt(c.lambda / n)) << c.months << (c.seasonal ? " seasonal" : " flat");
        EXPECT_NEAR(cost, cost_mean, 4 * cost_se) << c.months << (c.seasonal ? " seasonal" : " flat");
        EXPECT_EQ(r.samples("member_months").minCoeff(), static_cast<double>(c.months * members));
        EXPECT_EQ(r.samples("member_months").maxCoeff(), static_cast<double>(c.months * members));
        mean_events.push_back(ev);
    }
    // Seasonal / flat at 6 months: 2 (SE of the ratio from the two Poisson totals).
    EXPECT_NEAR(mean_events[3] / mean_events[1], 2.0, 4 * 2.0 * std::sqrt(1 / (2.0 * n) + 1 / (1.0 * n)));
}

// Members with 0 months in a year cost nothing and are not counted as members;
// a member eligible for no month of any year is allowed.
TEST(EngineEligibility, ZeroMonthMembersAreExcluded) {
    Scenario s = simple_scenario(10, Poisson(5.0), Lognormal::from_mean_cv(100, 1.0), 2);
    for (std::size_t i = 0; i < 10; ++i) s.population.months[i * 2 + 1] = i < 4 ? 0 : 12;  // year 2: 4 members out
    s.population.months[0] = 0;                                                            // member 0, year 1
    const SimulationResults r = simulate(s, opts(20, 8, 2, true));
    for (int t = 0; t < 20; ++t) {
        EXPECT_EQ(r.samples("members")(t, 0), 9.0);
        EXPECT_EQ(r.samples("members")(t, 1), 6.0);
        EXPECT_EQ(r.samples("member_months")(t, 0), 108.0);
        EXPECT_EQ(r.samples("member_months")(t, 1), 72.0);
        EXPECT_EQ(r.member_costs[(static_cast<std::size_t>(t) * 2 + 0) * 10 + 0], 0.0);
        for (std::size_t i = 0; i < 4; ++i)
            EXPECT_EQ(r.member_costs[(static_cast<std::size_t>(t) * 2 + 1) * 10 + i], 0.0);
    }
}

// =================================================================================
// 8. Tier transitions.

// Three tiers with a transition matrix P, 3,000 members (750 / 1,500 / 750), 3 years,
// 100 trials. Year 1 counts are the population's; a member's tier in year k+1 is
// distributed as its starting row of P^k, independently across members, so the mean
// count in tier j is sum_i P^k(tier_i, j) with per-trial variance
// sum_i p (1 - p); tolerance 4 SE. member_months = 12 x members exactly. Costs follow
// the tier in force: events per member in tier j (Poisson lambda_j = 3, 2, 1) match
// lambda_j within 4 SE (sqrt(lambda_j / member-years)).
TEST(EngineTransitions, TierSharesFollowMarkovChain) {
    Scenario s;
    s.cost_model.tiers = {"A", "B", "C"};
    s.cost_model.categories = {"visits"};
    const double lambda[3] = {3.0, 2.0, 1.0};
    for (double l : lambda) s.cost_model.cells.push_back({Poisson(l), Lognormal::from_mean_cv(100 * l, 0.5)});
    Eigen::MatrixXd P(3, 3);
    P << 0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.05, 0.15, 0.8;
    s.cost_model.tier_transition = P;
    s.population = synthetic_population(3000, {0.25, 0.5, 0.25}, 3, {1, 1, 1});
    const std::uint64_t trials = 100;
    const SimulationResults r = simulate(s, opts(trials, 4242));
    const Eigen::RowVector3d start(750, 1500, 750);
    Eigen::MatrixXd Pk = Eigen::MatrixXd::Identity(3, 3);
    for (int y = 0; y < 3; ++y) {
        const Eigen::RowVectorXd expected = start * Pk;
        for (int j = 0; j < 3; ++j) {
            const std::string tier = s.cost_model.tiers[static_cast<std::size_t>(j)];
            const std::vector<double> count = column(r.samples("members", "baseline", "", tier), y);
            double var = 0.0;
            for (int i = 0; i < 3; ++i) var += start(i) * Pk(i, j) * (1 - Pk(i, j));
            const double se = std::sqrt(var / static_cast<double>(trials));
            if (y == 0) {
                for (double c : count) EXPECT_EQ(c, start(j));
            } else {
                std::printf("  year %d tier %s: mean members %.1f Markov %.1f (z %+.2f)\n", y + 1, tier.c_str(),
                            mean_of(count), expected(j), (mean_of(count) - expected(j)) / se);
                EXPECT_NEAR(mean_of(count), expected(j), 4 * se) << "year " << y + 1 << " tier " << tier;
            }
            const std::vector<double> mm = column(r.samples("member_months", "baseline", "", tier), y);
            for (std::size_t t = 0; t < trials; ++t) EXPECT_EQ(mm[t], 12.0 * count[t]);
            const double member_years = std::accumulate(count.begin(), count.end(), 0.0);
            const double ev = r.samples("events", "baseline", "", tier).col(y).sum() / member_years;
            EXPECT_NEAR(ev, lambda[j], 4 * std::sqrt(lambda[j] / member_years)) << "year " << y + 1 << " tier " << tier;
        }
        // Every member is in exactly one tier.
        for (std::size_t t = 0; t < trials; ++t)
            EXPECT_EQ(r.samples("members")(static_cast<Eigen::Index>(t), y), 3000.0);
        Pk = Pk * P;
    }
}

// =================================================================================
// 9. Gaussian copula.

// Two categories, Poisson(3) x Lognormal(100, CV 0.5) each, one member, 20,000 trials
// (each trial's cell is that member's category count and cost). Independent: count
// correlation within 4/sqrt(T) = 0.028 of 0. Copula rho = 0.8: the count correlation
// is positive, at most rho (a Gaussian copula's maximal correlation is |rho|) plus
// 4 SE and at least 0.65 (discretising Poisson(3) attenuates rho only slightly); the
// cost correlation equals corr(N) x mu^2 Var[N] / Var[S] = corr(N) x 0.8 (within 0.03 =
// 4/sqrt(T) with some slack for the ratio); and the marginals are unchanged: mean and
// variance of each count 3, within 4 SE (SE(var) = sqrt((lambda + 3 lambda^2 - lambda^2)/T)).
TEST(EngineCopula, PositiveCorrelationRaisesCategoryCorrelationAndKeepsMarginals) {
    Scenario s;
    s.cost_model.tiers = {"all"};
    s.cost_model.categories = {"a", "b"};
    for (int c = 0; c < 2; ++c) s.cost_model.cells.push_back({Poisson(3.0), Lognormal::from_mean_cv(100, 0.5)});
    s.population = synthetic_population(1, {1.0}, 1, {1.0});
    const std::uint64_t trials = 20000;
    const double T = static_cast<double>(trials);
    auto measure = [&](const SimulationResults& r, double& corr_n, double& corr_s) {
        corr_n = correlation_of(cell_series(r, r.arms[0].events, 0, 0, 0), cell_series(r, r.arms[0].events, 0, 0, 1));
        corr_s = correlation_of(cell_series(r, r.arms[0].cost, 0, 0, 0), cell_series(r, r.arms[0].cost, 0, 0, 1));
    };
    double n_ind = 0, s_ind = 0, n_cop = 0, s_cop = 0;
    measure(simulate(s, opts(trials, 55)), n_ind, s_ind);
    Eigen::MatrixXd R(2, 2);
    R << 1.0, 0.8, 0.8, 1.0;
    s.cost_model.copula_correlation = R;
    const SimulationResults rc = simulate(s, opts(trials, 55));
    measure(rc, n_cop, s_cop);
    std::printf("  count corr independent %.4f copula(0.8) %.4f; cost corr %.4f vs %.4f\n", n_ind, n_cop, s_ind, s_cop);
    EXPECT_NEAR(n_ind, 0.0, 4 / std::sqrt(T));
    EXPECT_NEAR(s_ind, 0.0, 4 / std::sqrt(T));
    EXPECT_GT(n_cop, 0.65);
    EXPECT_LT(n_cop, 0.8 + 4 * (1 - 0.64) / std::sqrt(T));
    EXPECT_NEAR(s_cop, 0.8 * n_cop, 0.03);
    EXPECT_GT(s_cop, s_ind + 0.4);
    for (std::size_t c = 0; c < 2; ++c) {
        const std::vector<double> n = cell_series(rc, rc.arms[0].events, 0, 0, c);
        EXPECT_NEAR(mean_of(n), 3.0, 4 * std::sqrt(3.0 / T));
        EXPECT_NEAR(variance_of(n), 3.0, 4 * std::sqrt((3.0 + 3 * 9.0 - 9.0) / T));
    }
    // A negative correlation gives a negative count correlation.
    R << 1.0, -0.6, -0.6, 1.0;
    s.cost_model.copula_correlation = R;
    double n_neg = 0, s_neg = 0;
    measure(simulate(s, opts(trials / 4, 56)), n_neg, s_neg);
    EXPECT_LT(n_neg, -0.45);
}

// A correlation matrix that is not positive definite is rejected before any work,
// naming cost_model.copula.correlation; so are a wrong shape and a non-unit diagonal.
TEST(EngineCopula, InvalidCorrelationIsRejected) {
    Scenario s = Scenario::default_cmc_program(10, 1);
    const auto C = static_cast<Eigen::Index>(s.cost_model.category_count());
    Eigen::MatrixXd R = Eigen::MatrixXd::Identity(C, C);
    R(0, 1) = R(1, 0) = 0.9;
    R(1, 2) = R(2, 1) = 0.9;
    R(0, 2) = R(2, 0) = -0.9;  // eigenvalue < 0
    s.cost_model.copula_correlation = R;
    expect_invalid_at([&] { simulate(s, opts(2, 1)); }, "cost_model.copula.correlation");
    s.cost_model.copula_correlation = Eigen::MatrixXd::Identity(3, 3);
    expect_invalid_at([&] { simulate(s, opts(2, 1)); }, "cost_model.copula.correlation");
    R = Eigen::MatrixXd::Identity(C, C);
    R(0, 0) = 0.5;
    s.cost_model.copula_correlation = R;
    expect_invalid_at([&] { simulate(s, opts(2, 1)); }, "cost_model.copula.correlation[0][0]");
    R = Eigen::MatrixXd::Identity(C, C);
    R(0, 1) = 0.3;  // not symmetric
    s.cost_model.copula_correlation = R;
    expect_invalid_at([&] { simulate(s, opts(2, 1)); }, "cost_model.copula.correlation[0][1]");
    s.cost_model.copula_correlation = Eigen::MatrixXd::Identity(C, C);
    EXPECT_NO_THROW(simulate(s, opts(2, 1)));
}

// =================================================================================
// 10. Invalid input: InvalidInput naming the location, before any work, never a crash.

TEST(EngineErrors, InvalidOptionsAndScenarioPiecesNameTheirLocation) {
    const Scenario good = Scenario::default_cmc_program(20, 2);
    const SimulationOptions o = opts(3, 1);

    expect_invalid_at([&] { simulate(good, opts(0, 1)); }, "options.trials");
    expect_invalid_at([&] { simulate(good, opts(1ull << 33, 1)); }, "options.trials");
    expect_invalid_at([&] { simulate(good, opts(3, 1, 5000)); }, "options.threads");

    auto with = [&](const std::function<void(Scenario&)>& edit, const std::string& where) {
        Scenario s = good;
        edit(s);
        expect_invalid_at([&] { simulate(s, o); }, where);
    };
    with([](Scenario& s) { s.population.tier[2] = 3; }, "population.members.tier[2]");
    with([](Scenario& s) { s.population.months[1 * 2 + 1] = 13; }, "population.members.months[1][1]");
    with([](Scenario& s) { s.population.months.pop_back(); }, "population.members.months");
    with([](Scenario& s) { s.population.sex.pop_back(); }, "population.members.sex");
    with([](Scenario& s) { s.population.sex[4] = "X"; }, "population.members.sex[4]");
    with([](Scenario& s) { s.population.risk_score[0] = -1; }, "population.members.risk_score[0]");
    with([](Scenario& s) { s.population = Population{}; }, "population.members");
    with(
        [](Scenario& s) {
            Eigen::MatrixXd P(3, 3);
            P << 0.7, 0.2, 0.0, 0.1, 0.8, 0.1, 0.05, 0.15, 0.8;  // row A sums to 0.9
            s.cost_model.tier_transition = P;
        },
        "cost_model.tier_transitions.A");
    with([](Scenario& s) { s.cost_model.tier_transition = Eigen::MatrixXd::Identity(2, 2); },
         "cost_model.tier_transitions");
    with(
        [](Scenario& s) {
            Eigen::MatrixXd P = Eigen::MatrixXd::Identity(3, 3);
            P(1, 1) = 1.5;
            P(1, 0) = -0.5;
            s.cost_model.tier_transition = P;
        },
        "cost_model.tier_transitions.B.A");
    with(
        [](Scenario& s) {
            s.cost_model.seasonality.assign(s.cost_model.category_count(), std::array<double, 12>{});
            for (auto& row : s.cost_model.seasonality) row.fill(1.0);
            s.cost_model.seasonality[0][0] = 2.0;  // inpatient averages 13/12
        },
        "cost_model.seasonality.inpatient");
    with(
        [](Scenario& s) {
            s.cost_model.seasonality.assign(s.cost_model.category_count(), std::array<double, 12>{});
            for (auto& row : s.cost_model.seasonality) row.fill(1.0);
            s.cost_model.seasonality[1][3] = -1.0;
            s.cost_model.seasonality[1][4] = 3.0;  // averages 1 but negative
        },
        "cost_model.seasonality.emergency[3]");
    with([](Scenario& s) { s.cost_model.seasonality.assign(2, std::array<double, 12>{}); }, "cost_model.seasonality");
    with([](Scenario& s) { s.intervention->effects.push_back({"dental", -0.1, 0.0, ""}); }, "intervention.effects.dental");
    with([](Scenario& s) { s.intervention->effects[0].sd = -0.1; }, "intervention.effects.inpatient.sd");
    with([](Scenario& s) { s.intervention->effects[0].mean = std::nan(""); }, "intervention.effects.inpatient.mean");
    with([](Scenario& s) { s.intervention->costs[0].pmpm = -5; }, "intervention.program_cost_pmpm.care_team");
    with([](Scenario& s) { s.intervention->name.clear(); }, "intervention.name");
    with([](Scenario& s) { s.cost_model.frailty_cv = -0.1; }, "cost_model.frailty_cv");
    with([](Scenario& s) { s.cost_model.frailty_cv = std::nan(""); }, "cost_model.frailty_cv");
    with([](Scenario& s) { s.cost_model.trend.sd = -0.01; }, "cost_model.trend.sd");
    with([](Scenario& s) { s.cost_model.trend.mean = -1.0; }, "cost_model.trend.mean");
    with([](Scenario& s) { s.cost_model.cells.pop_back(); }, "cost_model.categories");
    with([](Scenario& s) { s.cost_model.tiers.clear(); }, "cost_model.tiers");
    with([](Scenario& s) { s.population.years = 0; }, "population.members.years");

    // Observers are not called when the input is rejected.
    struct Counter : TrialObserver {
        std::atomic<int> calls{0};
        void observe(const TrialView&) override { ++calls; }
    } counter;
    Scenario bad = good;
    bad.cost_model.frailty_cv = -1;
    EXPECT_THROW(simulate(bad, o, {&counter}), InvalidInput);
    EXPECT_EQ(counter.calls.load(), 0);
}

// Results accessors reject unknown names and impossible requests with InvalidInput.
TEST(EngineErrors, ResultAccessorsNameBadArguments) {
    Scenario s = plain_default(12, 2);
    const SimulationResults r = simulate(s, opts(3, 1));
    expect_invalid_at([&] { (void)r.samples("profit"); }, "measure");
    expect_invalid_at([&] { (void)r.samples("total_cost", "intervention"); }, "arm");
    expect_invalid_at([&] { (void)r.samples("savings"); }, "measure");
    expect_invalid_at([&] { (void)r.samples("total_cost", "baseline", "dental"); }, "category");
    expect_invalid_at([&] { (void)r.samples("total_cost", "baseline", "", "D"); }, "tier");
    expect_invalid_at([&] { (void)r.member_level_cv("baseline", 3); }, "year");
    expect_invalid_at([&] { (void)r.member_level_cv("baseline", 0); }, "year");
}

// =================================================================================
// 11. Trial observer.

namespace {
/// Records, per trial, how often it was seen and each arm's member-year totals; writes
/// only to the slots of view.trial, as the TrialObserver contract requires.
struct RecordingObserver : TrialObserver {
    std::vector<std::atomic<int>> calls;
    std::vector<std::vector<double>> totals;  // [trial] -> [arm][year]
    std::vector<std::vector<double>> member;  // [trial] -> [arm][member*years+year]
    std::vector<std::vector<std::uint16_t>> tiers;
    std::vector<std::vector<std::uint8_t>> months;
    RecordingObserver(std::size_t trials)
        : calls(trials), totals(trials), member(trials), tiers(trials), months(trials) {}
    void observe(const TrialView& v) override {
        ++calls[v.trial];
        auto& tot = totals[v.trial];
        tot.assign(v.arms.size() * static_cast<std::size_t>(v.years), 0.0);
        for (std::size_t a = 0; a < v.arms.size(); ++a) {
            for (std::size_t i = 0; i < v.members; ++i)
                for (int y = 0; y < v.years; ++y)
                    tot[a * static_cast<std::size_t>(v.years) + static_cast<std::size_t>(y)] +=
                        v.arms[a][i * static_cast<std::size_t>(v.years) + static_cast<std::size_t>(y)];
            member[v.trial].insert(member[v.trial].end(), v.arms[a].begin(), v.arms[a].end());
        }
        tiers[v.trial].assign(v.arm_tiers[0].begin(), v.arm_tiers[0].end());
        months[v.trial].assign(v.months.begin(), v.months.end());
    }
};
}  // namespace

// Every trial is observed exactly once (threads = 2); each arm's member totals sum to
// the trial's total_cost (to 1e-12 relative: only the order of additions differs);
// the member totals are bit-identical to member_detail's; tiers and months are the
// ones in force (months = the population's; tiers = the members' tier counts); and
// member_level_cv agrees with the CV computed from the observed member totals.
TEST(EngineObserver, SeesEveryTrialOnceWithConsistentTotals) {
    Scenario s = Scenario::default_cmc_program(80, 2);
    Eigen::MatrixXd P(3, 3);
    P << 0.8, 0.2, 0.0, 0.1, 0.8, 0.1, 0.0, 0.3, 0.7;
    s.cost_model.tier_transition = P;
    for (std::size_t i = 0; i < 80; i += 9) s.population.months[i * 2 + 1] = 5;
    const std::uint64_t trials = 40;
    RecordingObserver obs(trials);
    const SimulationResults r = simulate(s, opts(trials, 314, 2, true), {&obs});
    const std::size_t Y = 2, M = 80;
    double n = 0, s1 = 0, s2 = 0;  // baseline year 2 moments for the CV check
    for (std::size_t t = 0; t < trials; ++t) {
        EXPECT_EQ(obs.calls[t].load(), 1) << "trial " << t;
        ASSERT_EQ(obs.totals[t].size(), 2 * Y);
        for (std::size_t a = 0; a < 2; ++a) {
            const SampleMatrix total = r.samples("total_cost", r.arms[a].name);
            for (std::size_t y = 0; y < Y; ++y) {
                const double want = total(static_cast<Eigen::Index>(t), static_cast<Eigen::Index>(y));
                EXPECT_NEAR(obs.totals[t][a * Y + y], want, 1e-12 * want) << "trial " << t << " arm " << a;
                for (std::size_t i = 0; i < M; ++i) {
                    const double m = obs.member[t][a * M * Y + i * Y + y];
                    EXPECT_EQ(m, r.member_costs[((a * trials + t) * Y + y) * M + i]);
                    if (a == 0 && y == 1 && s.population.months_of(i, 1) > 0) {
                        n += 1;
                        s1 += m;
                        s2 += m * m;
                    }
                }
            }
        }
        EXPECT_EQ(obs.months[t], s.population.months);
        for (std::size_t y = 0; y < Y; ++y)
            for (std::size_t k = 0; k < 3; ++k) {
                double count = 0;
                for (std::size_t i = 0; i < M; ++i)
                    count += obs.tiers[t][i * Y + y] == k && s.population.months_of(i, static_cast<int>(y)) > 0;
                EXPECT_EQ(count, r.samples("members", "baseline", "", s.cost_model.tiers[k])(
                                     static_cast<Eigen::Index>(t), static_cast<Eigen::Index>(y)));
            }
        for (std::size_t i = 0; i < M; ++i) EXPECT_EQ(obs.tiers[t][i * Y], s.population.tier[i]);  // year 1 = start
    }
    const double m = s1 / n, cv = std::sqrt(s2 / n - m * m) / m;
    EXPECT_NEAR(r.member_level_cv("baseline", 2), cv, 1e-9 * cv);
}

// =================================================================================
// Trend definition and the summary table.

// Year k (1-based) costs are base-year costs times (1 + g)^k with g drawn once per
// trial: with the same seed, every cell of a trended run equals the untrended cell
// times (1 + g_t)^(y+1) (1e-12 relative: the factor is applied per member before the
// cell sums); counts are untouched; and over 400 trials g has mean 0.04 and sd 0.01
// within 4 SE (SE 0.01/sqrt(400) and 0.01/sqrt(800)).
TEST(EngineTrend, CompoundsPerYearFromOneDrawPerTrial) {
    Scenario s = plain_default(40, 3);
    const SimulationResults flat = simulate(s, opts(400, 17));
    s.cost_model.trend = {0.04, 0.01};
    const SimulationResults tr = simulate(s, opts(400, 17));
    for (std::uint64_t t = 0; t < 400; ++t)
        for (int y = 0; y < 3; ++y)
            for (std::size_t k = 0; k < 3; ++k)
                for (std::size_t c = 0; c < 8; ++c) {
                    const std::size_t i = tr.cell_index(t, y, k, c);
                    const double want = std::pow(1 + tr.trend[t], y + 1) * flat.arms[0].cost[i];
                    EXPECT_NEAR(tr.arms[0].cost[i], want, 1e-12 * want);
                    EXPECT_EQ(tr.arms[0].events[i], flat.arms[0].events[i]);
                }
    EXPECT_NEAR(mean_of(tr.trend), 0.04, 4 * 0.01 / std::sqrt(400.0));
    EXPECT_NEAR(sd_of(tr.trend), 0.01, 4 * 0.01 / std::sqrt(800.0));
    for (double g : flat.trend) EXPECT_EQ(g, 0.0);
}

// summary_rows(): one row per arm x year x measure (total, pmpm, program, net, each category
// and tier) plus savings and net_savings per year; stats match the sample matrices.
TEST(EngineSummary, RowsMatchSamples) {
    const Scenario s = Scenario::default_cmc_program(30, 2);
    const SimulationResults r = simulate(s, opts(50, 21));
    const std::vector<SummaryRow> rows = summary_rows(r);
    EXPECT_EQ(rows.size(), 2u * 2u * (4u + 8u + 3u) + 2u * 2u);
    for (const SummaryRow& row : rows) {
        EXPECT_EQ(row.stats.count, 50u);
        if (row.measure == "savings" || row.measure == "net_savings") {
            EXPECT_NEAR(row.stats.mean, r.samples(row.measure).col(row.year - 1).mean(), 1e-6);
            continue;
        }
        const double want = r.samples(row.measure, row.arm, row.category, row.tier).col(row.year - 1).mean();
        EXPECT_NEAR(row.stats.mean, want, 1e-9 * std::fabs(want) + 1e-9) << row.arm << " " << row.measure;
    }
}

// =================================================================================
// Regression: severities drawn by rejection (Gamma, Marsaglia-Tsang) use a variable
// number of uniforms, so event k must not be "uniform k" of a shared stream: with an
// intervention the extra events of the larger arm would reuse uniforms already spent.
// One member, Poisson(4) events x Gamma(2, 1) severity, a -50% effect: both arms'
// compound variance must match E[N] Var[X] + Var[N] E[X]^2 (24 and 12) within 4 SE.
TEST(EngineCommonRandomNumbers, RejectionSampledSeveritiesStayUnbiasedInBothArms) {
    Scenario s = simple_scenario(1, Poisson(4.0), Gamma(2.0, 1.0));
    Intervention iv;
    iv.name = "halve";
    iv.effects.push_back({s.cost_model.categories[0], -0.5, 0.0, ""});
    s.intervention = iv;
    const std::uint64_t trials = 200000;
    const SimulationResults r = simulate(s, opts(trials, 4242));
    const double T = static_cast<double>(trials);
    for (std::size_t a = 0; a < 2; ++a) {
        const double lambda = a == 0 ? 4.0 : 2.0;
        const double want_mean = lambda * 2.0, want_var = lambda * 2.0 + lambda * 4.0;  // E[X]=2, Var[X]=2
        const std::vector<double> x = cell_series(r, r.arms[a].cost, 0, 0, 0);
        // E[S^4] of a compound Poisson-gamma is finite; the SE of the variance uses the sample's 4th moment.
        const double m = mean_of(x), v = variance_of(x);
        double m4 = 0.0;
        for (double xi : x) m4 += std::pow(xi - m, 4.0);
        m4 /= T;
        EXPECT_NEAR(m, want_mean, 4.0 * std::sqrt(want_var / T)) << r.arms[a].name;
        EXPECT_NEAR(v, want_var, 4.0 * std::sqrt((m4 - v * v) / T)) << r.arms[a].name;
    }
}

// A zero-modified Poisson's expected count scales with exposure and the intervention
// like every other frequency (it thins its non-zero mass): 3 of 12 months gives a
// quarter of the annual mean.
TEST(EngineEligibility, ZeroModifiedPoissonScalesWithExposure) {
    Scenario s = simple_scenario(1, ZeroModifiedPoisson(0.5, 0.3), Lognormal::from_mean_cv(100, 0.5));
    s.population.months.assign(1, 3);
    const std::uint64_t trials = 100000;
    const SimulationResults r = simulate(s, opts(trials, 77));
    const std::vector<double> n = cell_series(r, r.arms[0].events, 0, 0, 0);
    const double want = 0.25 * ZeroModifiedPoisson(0.5, 0.3).mean();
    EXPECT_NEAR(mean_of(n), want, 4.0 * std::sqrt(variance_of(n) / static_cast<double>(trials)));
}

// A program that enrols tier B only, with a coordinator per 50 participants and a start-up
// cost: tier A's members cost the same in both arms, bit for bit; tier B's costs follow the
// effect; the staffing cost steps at the caseload edges (hand computation); the engine's
// program costs are those the experience observer hands the contracts (run_each below).
TEST(Program, TargetingAndStaffingFromCpp) {
    for (const std::size_t b_members : {100u, 101u}) {
        Scenario s = Scenario::default_cmc_program(10, 2, false);
        s.population = Population{};
        s.population.years = 2;
        for (std::size_t i = 0; i < 20 + b_members; ++i) {
            s.population.id.push_back(static_cast<std::int64_t>(i + 1));
            s.population.tier.push_back(i < 20 ? 0 : 1);
            s.population.age_band.push_back("unknown");
            s.population.sex.push_back("U");
            s.population.risk_score.push_back(1.0);
            s.population.months.insert(s.population.months.end(), {12, 12});
        }
        s.population_recipe.reset();
        s.intervention->target_tiers = {"B"};
        s.intervention->staffing = {{"care_coordinator", {"B"}, 50.0, 85000.0}};
        s.intervention->start_up = {{"analytics", 250000.0}};
        s.validate();
        SimulationOptions o;
        o.trials = 4;
        o.member_detail = true;
        const SimulationResults r = simulate(s, o);
        for (std::uint64_t t = 0; t < o.trials; ++t)
            for (int y = 0; y < 2; ++y)
                for (std::size_t i = 0; i < 20; ++i) {
                    const auto at = [&](std::size_t arm) { return r.member_costs[((arm * o.trials + t) * 2 + y) * r.member_count + i]; };
                    EXPECT_EQ(at(0), at(1)) << "tier A member " << i;
                }
        const double staff = b_members == 100 ? 2.0 : 3.0;
        const SampleMatrix coordinator = r.samples("program_cost", "intervention", "", "", "care_coordinator");
        const SampleMatrix analytics = r.samples("program_cost", "intervention", "", "", "analytics");
        const SampleMatrix pmpm_items = r.samples("program_cost", "intervention", "", "", "care_team");
        for (Eigen::Index t = 0; t < coordinator.rows(); ++t) {
            EXPECT_EQ(coordinator(t, 0), staff * 85000.0);
            EXPECT_EQ(coordinator(t, 1), staff * 85000.0);
            EXPECT_EQ(analytics(t, 0), 250000.0);
            EXPECT_EQ(analytics(t, 1), 0.0);
            EXPECT_EQ(pmpm_items(t, 0), 70.0 * 12 * static_cast<double>(b_members));  // $70 PMPM, participants only
        }
    }
}

// A run whose arrays would not fit in the machine's memory is refused before anything is
// simulated or allocated, with the size it would need: 2 arms x 10^7 trials x 3 years x
// 20,000 members x 8 bytes = 9.6e12 bytes = 8,940.7 GiB of per-member detail.
TEST(EngineLimits, MemberDetailBeyondTheMachinesMemoryIsRefusedUpFrontWithItsSize) {
    const Scenario s = Scenario::default_cmc_program(20'000, 3, true);
    SimulationOptions o = opts(10'000'000, 1, 1, true);
    o.calibration_trials = 10;
    for (const bool whole_run : {true, false}) {
        try {
            if (whole_run) (void)run(s, o);
            else (void)simulate(s, o);
            FAIL() << "expected a refusal";
        } catch (const InvalidInput& e) {
            EXPECT_EQ(e.where(), "options.member_detail");
            EXPECT_EQ(e.actual(), "one that would need 8940.7 GiB for it");
            EXPECT_NE(e.expected().find("a run whose per-member detail fits in this machine's memory"), std::string::npos) << e.expected();
        }
    }
    // Per-trial results alone: 4e9 trials x 3 years x 3 tiers x 8 categories x 2 arms x 16 bytes.
    o.member_detail = false, o.trials = 4'000'000'000;
    try {
        (void)simulate(s, o);
        FAIL() << "expected a refusal";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.where(), "options.trials");
        EXPECT_NE(e.actual().find("would need"), std::string::npos) << e.actual();
    }
    EXPECT_NO_THROW(check_fits_in_memory("x", 1000, "detail", 1000));
    EXPECT_THROW(check_fits_in_memory("x", 1001, "detail", 1000), InvalidInput);
    EXPECT_EQ(gibibytes(saturating_product({std::size_t{1} << 40, std::size_t{1} << 40})), "more than 16 EiB");
}
