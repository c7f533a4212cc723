// Calibration of a cost model from clean claims experience (include/apmsim/claims/calibrate.hpp).
#include "apmsim/claims/calibrate.hpp"

#include "apmsim/credibility/limited_fluctuation.hpp"
#include "apmsim/distributions/gamma.hpp"
#include "apmsim/distributions/lognormal.hpp"
#include "apmsim/distributions/negative_binomial.hpp"
#include "apmsim/distributions/poisson.hpp"
#include "apmsim/distributions/spliced_lognormal_pareto.hpp"

#include <algorithm>
#include <cmath>

namespace apmsim::claims {

using std::chrono::year_month;
using stats::month_text;

namespace {

std::size_t month_index(const CleanClaims& c, std::chrono::sys_days day) {
    const std::chrono::year_month_day ymd{day};
    return static_cast<std::size_t>(((ymd.year() / ymd.month()) - c.first).count());
}

/// The experience arranged by member-year: exposures, counts by category, base-year amounts by cell.
struct MemberYears {
    std::size_t years = 0;
    std::vector<double> exposure;                ///< [member * years + year], in years
    std::vector<double> counts;                  ///< [(member * years + year) * categories + category]
    std::vector<std::vector<double>> amounts;    ///< [tier * categories + category]
    std::vector<double> lever;                   ///< [cell] dollar-weighted mean months from a claim to the base year
};

MemberYears arrange(const CleanClaims& c, const Calibration& cal, double monthly_log_slope) {
    const std::size_t M = c.members.size(), C = c.categories.size(), T = c.tiers.size(), n = c.months();
    MemberYears my;
    my.years = (n + 11) / 12;
    my.exposure.assign(M * my.years, 0.0);
    my.counts.assign(M * my.years * C, 0.0);
    my.amounts.resize(T * C);
    my.lever.assign(T * C, 0.0);
    std::vector<double> dollars(T * C, 0.0);
    const auto calendar0 = static_cast<unsigned>(c.first.month()) - 1;
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t t = 0; t < n; ++t)
            my.exposure[i * my.years + t / 12] += c.exposure.member_months[i * n + t] *
                                                  cal.trend.seasonality[(calendar0 + t) % 12] * cal.completeness[t] / 12.0;
    // Amounts to the base year: the middle of the last 12 months (or of the window, if shorter).
    const double base_middle = static_cast<double>(n) - (static_cast<double>(std::min<std::size_t>(n, 12)) + 1.0) / 2.0;
    for (const Event& e : c.events) {
        const std::size_t t = month_index(c, e.service);
        my.counts[(e.member * my.years + t / 12) * C + e.category] += 1.0;
        const double months_to_base = base_middle - static_cast<double>(t);
        const std::size_t cell = c.members[e.member].tier * C + e.category;
        const double amount = e.allowed * std::exp(monthly_log_slope * months_to_base);
        my.amounts[cell].push_back(amount);
        my.lever[cell] += amount * months_to_base, dollars[cell] += amount;
    }
    for (std::size_t k = 0; k < T * C; ++k)
        if (dollars[k] > 0.0) my.lever[k] /= dollars[k];
    return my;
}

/// Run-out completeness by month and the completed monthly PMPM with its trend fit.
void fit_run_out_and_trend(const CleanClaims& c, const CalibrationOptions& o, Calibration& cal) {
    const std::size_t n = c.months();
    if (n < 3) throw InvalidInput("window", "at least 3 months of experience (the trend's fit)", std::to_string(n) + " months");
    cal.first = c.first;
    stats::check_run_out_span(c.triangle, o.tail_factor);
    cal.run_out = stats::chain_ladder(c.triangle.cumulative, o.tail_factor, "run_out_triangle");
    cal.completeness.resize(n);
    for (std::size_t t = 0; t < n; ++t) cal.completeness[t] = cal.run_out.completion[n - 1 - t];
    cal.monthly_allowed.assign(n, 0.0);
    for (const Event& e : c.events) cal.monthly_allowed[month_index(c, e.service)] += e.allowed;
    for (std::size_t t = 0; t < n; ++t) {
        const double mm = c.exposure.month_total(t);
        const std::string month = month_text(c.first + std::chrono::months{static_cast<int>(t)});
        if (!(mm > 0.0)) throw InvalidInput("member_months[" + month + "]", "members enrolled in every month of the window " + c.report.window, "none");
        if (!(cal.monthly_allowed[t] > 0.0)) throw InvalidInput("claims[" + month + "]", "claims in every month of the window " + c.report.window, "none");
        cal.monthly_member_months.push_back(mm);
        cal.monthly_pmpm.push_back(cal.monthly_allowed[t] / cal.completeness[t] / mm);
    }
    const bool seasonal = o.seasonality == "yes" || (o.seasonality == "auto" && n >= 24);
    cal.trend = stats::fit_trend(cal.monthly_pmpm, cal.monthly_member_months, static_cast<int>(static_cast<unsigned>(c.first.month())), seasonal);
    cal.base_last = c.first + std::chrono::months{static_cast<int>(n) - 1};
    cal.base_first = cal.base_last - std::chrono::months{static_cast<int>(std::min<std::size_t>(n, 12)) - 1};
}

/// Frailty variance from the covariance of a member-year's counts across categories (file comment, step 6).
void fit_frailty(const CleanClaims& c, const MemberYears& my, const std::vector<double>& rate, Calibration& cal) {
    const std::size_t C = c.categories.size();
    if (C < 2) return;  // one category: frailty and the cell's dispersion cannot be told apart
    std::vector<double> x(c.members.size(), 0.0), y(c.members.size(), 0.0);
    double sx = 0.0, sy = 0.0;
    for (std::size_t i = 0; i < c.members.size(); ++i) {
        const std::size_t tier = c.members[i].tier;
        for (std::size_t k = 0; k < my.years; ++k) {
            const double e = my.exposure[i * my.years + k];
            const double* n = &my.counts[(i * my.years + k) * C];
            double sum_n = 0.0, sum_n2 = 0.0, sum_l = 0.0, sum_l2 = 0.0;
            for (std::size_t d = 0; d < C; ++d) {
                const double l = rate[tier * C + d] * e;
                sum_n += n[d], sum_n2 += n[d] * n[d], sum_l += l, sum_l2 += l * l;
            }
            x[i] += sum_n * sum_n - sum_n2;  // sum over c != d of N_c N_d
            y[i] += sum_l * sum_l - sum_l2;
        }
        sx += x[i], sy += y[i];
    }
    if (!(sy > 0.0)) return;
    cal.frailty_estimated = true;
    const double ratio = sx / sy;
    double s2 = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) s2 += (x[i] - ratio * y[i]) * (x[i] - ratio * y[i]);
    cal.frailty_variance = ratio - 1.0;
    cal.frailty_variance_se = std::sqrt(s2) / sy;
    cal.frailty_cv = std::sqrt(std::max(0.0, cal.frailty_variance));
    cal.frailty_cv_se = cal.frailty_cv > 0.0 ? cal.frailty_variance_se / (2.0 * cal.frailty_cv) : 0.0;
}

/// 1 / r of a frequency: (variance - mean) / mean^2, 0 for Poisson or less.
double inverse_dispersion(const Frequency& f) {
    const double m = mean(f);
    return m > 0.0 ? std::max(0.0, (variance(f) - m) / (m * m)) : 0.0;
}

Frequency frequency_of(double rate, double inv_r) {
    if (inv_r > 0.0) return NegativeBinomial(rate, 1.0 / inv_r);
    return Poisson(rate);
}

/// The frailty variances of step 7: the experience's, the manual's and the cost model's.
struct FrailtyBlend {
    double experience = 0.0, manual = 0.0, model = 0.0;
    /// A cell's 1 / r given its overdispersion beyond Poisson c = v + (1 + v) / r at the
    /// model's frailty (Poisson when c does not exceed the frailty's own share).
    double inverse_dispersion_for(double c) const { return std::max(0.0, (c - model) / (1.0 + model)); }
    double manual_overdispersion(const Frequency& f) const { return manual + (1.0 + manual) * inverse_dispersion(f); }
};

/// The manual's cell at the model's frailty: its count variance kept (a Poisson or negative
/// binomial frequency gets the 1 / r that does so; another family is kept as it is).
CategoryModel manual_cell(const CategoryModel& manual, const FrailtyBlend& frailty) {
    if (!std::holds_alternative<Poisson>(manual.frequency) && !std::holds_alternative<NegativeBinomial>(manual.frequency)) return manual;
    CategoryModel cell = manual;
    cell.frequency = frequency_of(mean(manual.frequency), frailty.inverse_dispersion_for(frailty.manual_overdispersion(manual.frequency)));
    return cell;
}

Severity severity_of(const std::string& family, double mean_value, double cv) {
    if (family == "gamma") return Gamma::from_mean_cv(mean_value, cv);
    return Lognormal::from_mean_cv(mean_value, cv);
}

void observed_severity(std::vector<double> amounts, CellCalibration& cell) {
    if (amounts.empty()) return;
    double s = 0.0, s2 = 0.0;
    for (double a : amounts) s += a, s2 += a * a;
    const double n = static_cast<double>(amounts.size()), m = s / n;
    cell.observed_severity_mean = m;
    cell.observed_severity_cv = n > 1 ? std::sqrt(std::max(0.0, (s2 - n * m * m) / (n - 1))) / m : 0.0;
    std::sort(amounts.begin(), amounts.end());
    for (std::size_t q = 0; q < cell.quantile_levels.size(); ++q) {  // the empirical quantile (inverse of the step cdf)
        const auto k = static_cast<std::size_t>(std::ceil(cell.quantile_levels[q] * n));
        cell.observed_severity_quantiles[q] = amounts[std::min(amounts.size(), std::max<std::size_t>(k, 1)) - 1];
    }
}

/// The standard error of the fitted severity's mean: its sampling error (lognormal: the
/// delta method on exp(mu + sigma^2 / 2); gamma: the mean's MLE is the sample mean, se =
/// mean / sqrt(shape n)) and the trend's, which moved each amount by exp(b x months to the
/// base year): d log(mean) / d b = the dollar-weighted mean of those months.
double severity_mean_se(const stats::SeverityFit& s, double lever, double slope_se) {
    const double m = mean(s.severity());
    const double sampling = s.selected == "gamma" ? m / std::sqrt(s.gamma_shape * static_cast<double>(s.claims))
                                                  : m * std::hypot(s.lognormal_mu_se, s.lognormal_sigma * s.lognormal_sigma_se);
    return std::hypot(sampling, m * lever * slope_se);
}

/// The experience fits of one cell (step 5).
void fit_tail(std::vector<double> amounts, double q, CellCalibration& cell);

void fit_cell(const CleanClaims& c, const MemberYears& my, std::size_t t, std::size_t k, double trend_slope_se, std::optional<double> tail_quantile,
              CellCalibration& cell) {
    const std::size_t C = c.categories.size();
    std::vector<double> counts, exposure;
    for (std::size_t i = 0; i < c.members.size(); ++i) {
        if (c.members[i].tier != t) continue;
        for (std::size_t y = 0; y < my.years; ++y)
            if (my.exposure[i * my.years + y] > 0.0)
                counts.push_back(my.counts[(i * my.years + y) * C + k]), exposure.push_back(my.exposure[i * my.years + y]);
    }
    cell.member_years = counts.size();
    for (std::size_t j = 0; j < counts.size(); ++j) cell.events += static_cast<std::size_t>(counts[j]), cell.exposure_years += exposure[j];
    if (cell.events > 0) {
        cell.frequency_fit = stats::fit_frequency(counts, exposure);
        cell.observed_frequency = static_cast<double>(cell.events) / cell.exposure_years;
    }
    const std::vector<double>& amounts = my.amounts[t * C + k];
    observed_severity(amounts, cell);
    if (amounts.size() >= 2 && std::adjacent_find(amounts.begin(), amounts.end(), std::not_equal_to<>()) != amounts.end()) {
        cell.severity_fit = stats::fit_severity(amounts);
        cell.severity_mean_se = severity_mean_se(*cell.severity_fit, my.lever[t * C + k], trend_slope_se);
    }
    if (tail_quantile && cell.severity_fit) fit_tail(amounts, *tail_quantile, cell);
}

/// The generalized Pareto tail above the empirical q-quantile, when enough amounts exceed it (step 6b).
void fit_tail(std::vector<double> amounts, double q, CellCalibration& cell) {
    std::sort(amounts.begin(), amounts.end());
    const double u = amounts[std::min(amounts.size() - 1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(amounts.size()))) - 1)];
    const auto above = static_cast<std::size_t>(amounts.end() - std::upper_bound(amounts.begin(), amounts.end(), u));
    if (above >= CalibrationOptions::min_tail_claims) cell.tail_fit = stats::fit_pareto_tail(amounts, u);
}

/// The cell of the cost model: the experience (dispersion net of frailty), blended with the manual cell.
CategoryModel cell_model(const CellCalibration& cell, const CategoryModel* manual, const FrailtyBlend& frailty) {
    const std::string where = "cell " + cell.category + "." + cell.tier;
    if (!cell.frequency_fit || (!cell.severity_fit && !manual)) {
        if (!manual)
            throw InvalidInput(where, "claims enough to fit it (2 or more distinct amounts), or a manual cost model to fill it",
                               std::to_string(cell.events) + " claims");
        return manual_cell(*manual, frailty);
    }
    const stats::FrequencyFit& f = *cell.frequency_fit;
    // The experience's overdispersion beyond Poisson, frailty included: the fit's 1 / r_fit.
    double overdispersion = f.selected == "negative_binomial" ? 1.0 / f.dispersion : 0.0;
    if (manual) overdispersion = credibility_weighted(cell.frequency_credibility, overdispersion, frailty.manual_overdispersion(manual->frequency));
    const double inv_r = frailty.inverse_dispersion_for(overdispersion);
    double rate = f.rate;
    if (!cell.severity_fit)  // claims, but too few distinct amounts for a severity: the frequency blended, the manual's severity
        return {frequency_of(credibility_weighted(cell.frequency_credibility, rate, mean(manual->frequency)), inv_r), manual->severity};
    const stats::SeverityFit& s = *cell.severity_fit;
    const Severity fitted = s.severity();
    double sev_mean = mean(fitted), sev_cv = std::sqrt(variance(fitted)) / sev_mean;
    if (cell.tail_fit && (!manual || cell.severity_credibility >= 1.0)) {  // the experience's severity, with its tail (step 6b)
        const stats::ParetoTailFit& tail = *cell.tail_fit;
        const Severity spliced = SplicedLognormalPareto(s.lognormal_mu, s.lognormal_sigma, tail.threshold, tail.shape, tail.scale, tail.share_below);
        if (manual) rate = credibility_weighted(cell.frequency_credibility, rate, mean(manual->frequency));
        return {frequency_of(rate, inv_r), spliced};
    }
    if (manual) {
        const double z_f = cell.frequency_credibility, z_s = cell.severity_credibility;
        rate = credibility_weighted(z_f, rate, mean(manual->frequency));
        const double manual_mean = mean(manual->severity);
        sev_mean = credibility_weighted(z_s, sev_mean, manual_mean);
        sev_cv = credibility_weighted(z_s, sev_cv, std::sqrt(variance(manual->severity)) / manual_mean);
    }
    return {frequency_of(rate, inv_r), severity_of(s.selected, sev_mean, sev_cv)};
}

void compare_fitted(const CategoryModel& model, CellCalibration& cell) {
    cell.fitted_frequency = mean(model.frequency);
    cell.fitted_severity_mean = mean(model.severity);
    cell.fitted_severity_cv = std::sqrt(variance(model.severity)) / cell.fitted_severity_mean;
    for (std::size_t q = 0; q < cell.quantile_levels.size(); ++q) cell.fitted_severity_quantiles[q] = quantile(model.severity, cell.quantile_levels[q]);
}

void check_manual(const CleanClaims& c, const CostModel& manual) {
    if (manual.tiers != c.tiers)
        throw InvalidInput("manual.tiers", "the experience's tiers (" + std::to_string(c.tiers.size()) + ")",
                           std::to_string(manual.tiers.size()) + " tiers that differ");
    if (manual.categories != c.categories)
        throw InvalidInput("manual.categories", "the experience's categories (" + std::to_string(c.categories.size()) + ")",
                           std::to_string(manual.categories.size()) + " categories that differ");
}

}  // namespace

void CalibrationOptions::validate() const {
    check::in_open("credibility_probability", credibility_probability, 0.0, 1.0);
    check::in_open("credibility_tolerance", credibility_tolerance, 0.0, 1.0);
    if (!(tail_factor >= 1.0) || !std::isfinite(tail_factor)) throw InvalidInput("tail_factor", "a factor >= 1", show(tail_factor));
    if (seasonality != "auto" && seasonality != "yes" && seasonality != "no")
        throw InvalidInput("seasonality", "\"auto\", \"yes\" or \"no\"", "\"" + seasonality + "\"");
    if (tail_quantile) check::in_open("tail_quantile", *tail_quantile, 0.5, 1.0);
    if (manual) manual->validate("manual");
}

/// The trend of the cost model: the fit's (its standard error as sd) or, with a manual model,
/// the precision-weighted blend of the two normals (the manual's trend as the prior): a
/// short or small history's trend, whose standard error can be tens of percent, then
/// leans on the manual's. cal.trend_credibility records the experience's weight.
Trend blended_trend(Calibration& cal, const Trend* manual) {
    const double g = cal.trend.annual_trend, se = cal.trend.annual_trend_se;
    cal.trend_credibility = 1.0;
    if (!manual) return {g, se};
    // A trend the manual holds certain, or a fit without a standard error (residuals of 0,
    // e.g. three months on a line: its precision unknown, not infinite): the manual's.
    if (manual->sd == 0.0 || !(se > 0.0)) {
        cal.trend_credibility = 0.0;
        return *manual;
    }
    const double w_fit = 1.0 / (se * se), w_manual = 1.0 / (manual->sd * manual->sd);
    cal.trend_credibility = w_fit / (w_fit + w_manual);
    return {(w_fit * g + w_manual * manual->mean) / (w_fit + w_manual), 1.0 / std::sqrt(w_fit + w_manual)};
}

namespace {

/// The cost model's frailty variance (step 7): the experience's, or with a manual model the
/// blend by the credibility of all the cells' events; cal.frailty_credibility records Z_v.
FrailtyBlend blended_frailty(Calibration& cal, const CostModel* manual, double n_full) {
    FrailtyBlend f;
    f.experience = f.model = std::max(0.0, cal.frailty_variance);
    if (!manual) return f;
    double events = 0.0;
    for (const CellCalibration& cell : cal.cells) events += static_cast<double>(cell.events);
    cal.frailty_credibility = cal.frailty_estimated ? partial_credibility(events, n_full) : 0.0;
    f.manual = manual->frailty_cv * manual->frailty_cv;
    f.model = credibility_weighted(cal.frailty_credibility, f.experience, f.manual);
    return f;
}

/// A cell's limited-fluctuation credibilities against a manual (step 7): frequency against
/// n_full times the variance-to-mean ratio of a member-year's count, 1 + rate / r_fit
/// (Loss Models: the standard for claim counts is n_full sigma_N^2 / mu_N; 1 for Poisson),
/// severity against n_full cv^2.
void set_credibility(CellCalibration& cell, double n_full) {
    const auto events = static_cast<double>(cell.events);
    const stats::FrequencyFit* f = cell.frequency_fit ? &*cell.frequency_fit : nullptr;
    const double vmr = f && f->selected == "negative_binomial" ? 1.0 + f->rate / f->dispersion : 1.0;
    cell.frequency_credibility = partial_credibility(events, n_full * vmr);
    const double cv = cell.severity_fit ? std::sqrt(variance(cell.severity_fit->severity())) / mean(cell.severity_fit->severity()) : 1.0;
    cell.severity_credibility = partial_credibility(events, n_full * std::max(cv * cv, 1e-12));
}

/// The fit of calibrate() (see the header).
Calibration fit_all(const CleanClaims& c, const CalibrationOptions& o) {
    if (o.manual) check_manual(c, *o.manual);
    Calibration cal;
    cal.blended = o.manual.has_value();
    fit_run_out_and_trend(c, o, cal);
    CostModel& m = cal.cost_model;
    m.trend = blended_trend(cal, o.manual ? &o.manual->trend : nullptr);
    // Amounts to the base year by the cost model's trend (step 3): the fit's, or its blend with the manual's.
    const double slope = o.manual ? std::log1p(m.trend.mean) / 12.0 : cal.trend.monthly_log_slope;
    const double slope_se = o.manual ? m.trend.sd / (12.0 * (1.0 + m.trend.mean)) : cal.trend.monthly_log_slope_se;
    const MemberYears my = arrange(c, cal, slope);
    const std::size_t T = c.tiers.size(), C = c.categories.size();
    cal.cells.resize(T * C);
    std::vector<double> rate(T * C, 0.0);
    for (std::size_t t = 0; t < T; ++t)
        for (std::size_t k = 0; k < C; ++k) {
            CellCalibration& cell = cal.cells[t * C + k];
            cell.tier = c.tiers[t], cell.category = c.categories[k];
            fit_cell(c, my, t, k, slope_se, o.tail_quantile, cell);
            if (cell.frequency_fit) rate[t * C + k] = cell.frequency_fit->rate;
        }
    fit_frailty(c, my, rate, cal);
    const double n_full = full_credibility_claims(o.credibility_probability, o.credibility_tolerance);
    const FrailtyBlend frailty = blended_frailty(cal, o.manual ? &*o.manual : nullptr, n_full);
    m.tiers = c.tiers, m.categories = c.categories;
    m.frailty_cv = std::sqrt(frailty.model);
    if (cal.trend.seasonal) m.seasonality.assign(C, cal.trend.seasonality);
    for (CellCalibration& cell : cal.cells) {
        const std::size_t index = static_cast<std::size_t>(&cell - cal.cells.data());
        const CategoryModel* manual = o.manual ? &o.manual->cells[index] : nullptr;
        if (manual) set_credibility(cell, n_full);
        if (!cell.frequency_fit) cell.frequency_credibility = 0.0;
        if (!cell.severity_fit) cell.severity_credibility = 0.0;
        m.cells.push_back(cell_model(cell, manual, frailty));
        cell.tail_used = std::holds_alternative<SplicedLognormalPareto>(m.cells.back().severity) && cell.tail_fit.has_value();
        compare_fitted(m.cells.back(), cell);
    }
    m.validate("calibrated cost model");
    return cal;
}

/// `e`, telling of the extreme lines the claims kept (flagged, not removed), the likeliest
/// cause of a fit no cost model can hold.
InvalidInput with_extreme_lines(const InvalidInput& e, const StandardiseReport& report) {
    const Finding& f = report.finding("claims", "extreme_value");
    if (f.rows == 0) return e;
    return InvalidInput(e.where(), e.expected(),
                        e.actual() + " (the claims keep " + std::to_string(f.rows) + " line(s) flagged extreme_value, e.g. " +
                            (f.examples.empty() ? f.file : f.examples.front()) + ": check or remove them)");
}

}  // namespace

Calibration calibrate(const CleanClaims& c, const CalibrationOptions& o) {
    o.validate();
    try {
        return fit_all(c, o);
    } catch (const InvalidInput& e) {
        throw with_extreme_lines(e, c.report);
    }
}

}  // namespace apmsim::claims
