// Python bindings: small-population analytics (top level of _core) and credibility and
// risk adjustment (the _core.credibility submodule). Scalar functions are numpy-vectorised.
#include "argument_checks.hpp"
#include "bindings.hpp"

#include "apmsim/analytics/minimum_savings_rate.hpp"
#include "apmsim/analytics/size_analytics.hpp"
#include "apmsim/credibility/blended_rate.hpp"
#include "apmsim/credibility/buhlmann.hpp"
#include "apmsim/credibility/limited_fluctuation.hpp"
#include "apmsim/credibility/risk_adjustment.hpp"
#include "apmsim/credibility/risk_design.hpp"
#include "apmsim/scenario.hpp"
#include "apmsim/stats/chain_ladder.hpp"
#include "apmsim/stats/claim_fits.hpp"
#include "apmsim/stats/exposure.hpp"
#include "apmsim/stats/run_out.hpp"
#include "apmsim/stats/trend_fit.hpp"

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <limits>
#include <optional>
#include <sstream>

namespace apmsim::python {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

std::string fixed(double v, int digits = 6) {
    std::ostringstream out;
    out.precision(digits);
    out << v;
    return out.str();
}

PayoutTerms make_terms(double msr, double sharing_rate, double savings_cap, bool first_dollar, double mlr,
                        double loss_rate, double loss_limit) {
    PayoutTerms t;
    t.msr = msr;
    t.sharing_rate = sharing_rate;
    t.savings_cap = savings_cap;
    t.first_dollar = first_dollar;
    t.mlr = mlr;
    t.loss_rate = loss_rate;
    t.loss_limit = loss_limit;
    return t;
}

/// A Python severity object (apmsim.Lognormal, Gamma, ...) as the C++ Severity variant.
Severity severity_from_python(const py::object& o, const std::string& where) {
    if (py::isinstance<Lognormal>(o)) return o.cast<Lognormal>();
    if (py::isinstance<Gamma>(o)) return o.cast<Gamma>();
    if (py::isinstance<Weibull>(o)) return o.cast<Weibull>();
    if (py::isinstance<Pareto>(o)) return o.cast<Pareto>();
    if (py::isinstance<SplicedLognormalPareto>(o)) return o.cast<SplicedLognormalPareto>();
    throw InvalidInput(where, "a severity distribution (Lognormal, Gamma, Weibull, Pareto, SplicedLognormalPareto)",
                       py::repr(o).cast<std::string>());
}

/// A 1-D argument of one finite value per member, as many as `other_name` has (`members`).
std::vector<double> member_values(const std::string& name, const py::object& value, const std::string& other_name, std::size_t members) {
    std::vector<double> v = vector_argument(name, value, "one value per member");
    check_same_length(name, v.size(), other_name, members);
    return v;
}

/// Marker columns (None: none), one per marker name; each is named markers.<name> in errors.
std::vector<std::vector<double>> marker_columns(const std::vector<std::string>& names, const py::object& markers,
                                                const std::string& other_name, std::size_t members) {
    std::vector<std::vector<double>> columns;
    if (markers.is_none()) return columns;
    for (const py::handle column : markers) {
        const std::size_t k = columns.size();
        const std::string where = k < names.size() ? "markers." + names[k] : index_path("markers", k);
        columns.push_back(member_values(where, py::reinterpret_borrow<py::object>(column), other_name, members));
    }
    return columns;
}

void register_size_analytics(py::module_& m) {
    m.def(
        "minimum_savings_rate",
        [](const py::object& members, const py::object& cv, const py::object& confidence, const std::string& sides) {
            const Sides s = sides_from_string("sides", sides);
            return broadcast_apply<3>({"members", "cv", "confidence"}, {members, cv, confidence},
                                      [s](const auto& x) { return minimum_savings_rate(x[0], x[1], x[2], s); });
        },
        py::arg("members"), py::arg("cv"), py::arg("confidence") = 0.90, py::arg("sides") = "two",
        "Confidence-interval MSR z * cv / sqrt(members) (z from confidence, sides 'one' or 'two')");
    m.def("mssp_minimum_savings_rate", vectorized<1>({"beneficiaries"}, [](double b) { return mssp_minimum_savings_rate(b); }),
          py::arg("beneficiaries"), "MSSP one-sided MSR table (42 CFR 425.604(b)), interpolated; from 5,000 beneficiaries");
    m.def(
        "members_for_msr",
        [](const py::object& msr, const py::object& cv, const py::object& confidence, const std::string& sides) {
            const Sides s = sides_from_string("sides", sides);
            return broadcast_apply<3>({"msr", "cv", "confidence"}, {msr, cv, confidence},
                                      [s](const auto& x) { return members_for_msr(x[0], x[1], x[2], s); });
        },
        py::arg("msr"), py::arg("cv"), py::arg("confidence") = 0.90, py::arg("sides") = "two",
        "Members for the confidence-interval MSR to equal msr: (z cv / msr)^2");
    m.def("members_to_detect_saving",
          vectorized<4>({"saving", "cv", "false_reward", "power"},
                        [](double saving, double cv, double false_reward, double power) {
                            return members_to_detect_saving(saving, cv, false_reward, power);
                        }),
          py::arg("saving"), py::arg("cv"), py::arg("false_reward") = 0.05, py::arg("power") = 0.80,
          "Members so a true saving is rewarded with probability power at false-reward rate false_reward");
    m.def("msr_for_false_reward",
          vectorized<3>({"members", "cv", "false_reward"}, [](double n, double cv, double a) { return msr_for_false_reward(n, cv, a); }),
          py::arg("members"), py::arg("cv"), py::arg("false_reward"), "MSR z_{1-alpha} cv / sqrt(members)");
    m.def("savings_rate_sd",
          vectorized<3>({"members", "cv", "true_saving"}, [](double n, double cv, double s) { return savings_rate_sd(n, cv, s); }),
          py::arg("members"), py::arg("cv"), py::arg("true_saving") = 0.0, "sd of the observed savings rate: (1 - s) cv / sqrt(n)");
    m.def("reward_probability",
          vectorized<4>({"members", "cv", "msr", "true_saving"},
                        [](double n, double cv, double msr, double s) { return reward_probability(n, cv, msr, s); }),
          py::arg("members"), py::arg("cv"), py::arg("msr"), py::arg("true_saving") = 0.0, "P(observed savings rate >= msr)");
    m.def("penalty_probability",
          vectorized<4>({"members", "cv", "mlr", "true_saving"},
                        [](double n, double cv, double mlr, double s) { return penalty_probability(n, cv, mlr, s); }),
          py::arg("members"), py::arg("cv"), py::arg("mlr"), py::arg("true_saving") = 0.0, "P(observed savings rate <= -mlr)");
    m.def("false_reward_probability",
          vectorized<4>({"members", "cv", "msr", "true_saving"},
                        [](double n, double cv, double msr, double s) { return false_reward_probability(n, cv, msr, s); }),
          py::arg("members"), py::arg("cv"), py::arg("msr"), py::arg("true_saving") = 0.0,
          "P(reward) for a pool whose true saving is <= 0");
    m.def("false_penalty_probability",
          vectorized<4>({"members", "cv", "mlr", "true_saving"},
                        [](double n, double cv, double mlr, double s) { return false_penalty_probability(n, cv, mlr, s); }),
          py::arg("members"), py::arg("cv"), py::arg("mlr"), py::arg("true_saving") = 0.0,
          "P(penalty) for a pool whose true saving is >= 0");

    py::class_<ExpectedPayout>(m, "ExpectedPayout", "Expected shared-savings settlement, as shares of the benchmark")
        .def(py::pickle(
            [](const ExpectedPayout& p) {
                return py::make_tuple(p.p_reward, p.p_penalty, p.expected_reward, p.expected_penalty, p.expected_payout, p.savings_rate_sd);
            },
            [](const py::tuple& t) {
                if (t.size() != 6) throw InvalidInput("state", "an ExpectedPayout state of 6 fields", std::to_string(t.size()) + " fields");
                return ExpectedPayout{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>(),
                                      t[3].cast<double>(), t[4].cast<double>(), t[5].cast<double>()};
            }))
        .def_readonly("p_reward", &ExpectedPayout::p_reward)
        .def_readonly("p_penalty", &ExpectedPayout::p_penalty)
        .def_readonly("expected_reward", &ExpectedPayout::expected_reward)
        .def_readonly("expected_penalty", &ExpectedPayout::expected_penalty)
        .def_readonly("expected_payout", &ExpectedPayout::expected_payout)
        .def_readonly("savings_rate_sd", &ExpectedPayout::savings_rate_sd)
        .def("to_dict",
             [](const ExpectedPayout& p) {
                 py::dict d;
                 d["p_reward"] = p.p_reward;
                 d["p_penalty"] = p.p_penalty;
                 d["expected_reward"] = p.expected_reward;
                 d["expected_penalty"] = p.expected_penalty;
                 d["expected_payout"] = p.expected_payout;
                 d["savings_rate_sd"] = p.savings_rate_sd;
                 return d;
             })
        .def("__repr__", [](const ExpectedPayout& p) {
            return "ExpectedPayout(expected_payout=" + fixed(p.expected_payout) + ", p_reward=" +
                   fixed(p.p_reward) + ", p_penalty=" + fixed(p.p_penalty) + ")";
        });
    m.def(
        "expected_payout",
        [](double members, double cv, double true_saving, double msr, double sharing_rate, double savings_cap,
           bool first_dollar, double mlr, double loss_rate, double loss_limit) {
            return expected_payout(members, cv, make_terms(msr, sharing_rate, savings_cap, first_dollar, mlr, loss_rate, loss_limit),
                                   true_saving);
        },
        py::arg("members"), py::arg("cv"), py::arg("true_saving") = 0.0, py::kw_only(), py::arg("msr") = 0.0,
        py::arg("sharing_rate") = 0.5, py::arg("savings_cap") = inf, py::arg("first_dollar") = true, py::arg("mlr") = 0.0,
        py::arg("loss_rate") = 0.0, py::arg("loss_limit") = inf,
        "Expected shared-savings settlement (normal approximation, closed form), shares of the benchmark");
    m.def(
        "settle_savings_rate",
        [](const py::object& r, const py::object& msr, const py::object& sharing_rate, const py::object& savings_cap,
           bool first_dollar, const py::object& mlr, const py::object& loss_rate, const py::object& loss_limit) {
            return broadcast_apply<7>({"savings_rate", "msr", "sharing_rate", "savings_cap", "mlr", "loss_rate", "loss_limit"},
                                      {r, msr, sharing_rate, savings_cap, mlr, loss_rate, loss_limit}, [first_dollar](const auto& x) {
                                          return settle_savings_rate(x[0], make_terms(x[1], x[2], x[3], first_dollar, x[4], x[5], x[6]));
                                      });
        },
        py::arg("savings_rate"), py::kw_only(), py::arg("msr") = 0.0, py::arg("sharing_rate") = 0.5, py::arg("savings_cap") = inf,
        py::arg("first_dollar") = true, py::arg("mlr") = 0.0, py::arg("loss_rate") = 0.0, py::arg("loss_limit") = inf,
        "Settlement (share of benchmark, + to the ACO) of observed savings rates");
}

void register_credibility(py::module_& c) {
    c.def("full_credibility_claims", &full_credibility_claims, py::arg("probability") = 0.90, py::arg("tolerance") = 0.05,
          "Expected claims for full credibility of frequency: (z/k)^2 (1,082 at 90%/5%)");
    c.def("full_credibility_aggregate", &full_credibility_aggregate, py::arg("severity_cv"), py::arg("probability") = 0.90,
          py::arg("tolerance") = 0.05, py::arg("frequency_variance_to_mean") = 1.0,
          "Expected claims for full credibility of aggregate cost: (z/k)^2 (VMR + cv^2)");
    c.def("full_credibility_exposure", &full_credibility_exposure, py::arg("cost_cv"), py::arg("probability") = 0.90,
          py::arg("tolerance") = 0.05, "Exposure units for full credibility of the mean cost per unit: (z/k)^2 cv^2");
    c.def("partial_credibility", vectorized<2>({"n", "n_full"}, [](double n, double nf) { return partial_credibility(n, nf); }),
          py::arg("n"), py::arg("n_full"), "Square-root rule Z = min(1, sqrt(n / n_full))");
    c.def("credibility_weighted",
          vectorized<3>({"credibility", "experience", "manual"}, [](double z, double e, double mn) { return credibility_weighted(z, e, mn); }),
          py::arg("credibility"), py::arg("experience"), py::arg("manual"), "Z * experience + (1 - Z) * manual");

    py::class_<CredibilityResult>(c, "CredibilityResult", "Buhlmann(-Straub) structure parameters, factors and premiums")
        .def_readonly("collective_premium", &CredibilityResult::collective_premium)
        .def_readonly("between_variance", &CredibilityResult::between_variance)
        .def_readonly("between_variance_estimate", &CredibilityResult::between_variance_estimate)
        .def_readonly("within_variance", &CredibilityResult::within_variance)
        .def_readonly("credibility_coefficient", &CredibilityResult::credibility_coefficient)
        .def_readonly("weighted_mean", &CredibilityResult::weighted_mean)
        .def_readonly("between_variance_truncated", &CredibilityResult::between_variance_truncated)
        .def_readonly("note", &CredibilityResult::note)
        .def_property_readonly("weights", [](const CredibilityResult& r) { return Eigen::VectorXd(r.weights); })
        .def_property_readonly("risk_means", [](const CredibilityResult& r) { return Eigen::VectorXd(r.risk_means); })
        .def_property_readonly("credibility_factors",
                               [](const CredibilityResult& r) { return Eigen::VectorXd(r.credibility_factors); })
        .def_property_readonly("premiums", [](const CredibilityResult& r) { return Eigen::VectorXd(r.premiums); });
    c.def(
        "buhlmann_straub",
        [](const py::object& ratios, const py::object& weights) {
            // NaN and infinity are judged per cell by buhlmann_straub (a ratio whose weight is 0 is not used).
            const Eigen::MatrixXd x = matrix_argument("ratios", ratios, "risks x periods", NonFinite::allowed);
            const Eigen::MatrixXd w = matrix_argument("weights", weights, "risks x periods", NonFinite::allowed);
            check_shape("weights", w, x.rows(), x.cols(), "ratios");
            return buhlmann_straub(x, w);
        },
        py::arg("ratios"), py::arg("weights"),
        "Buhlmann-Straub with the unbiased estimators (Buhlmann & Gisler 2005, ch. 4); risks x periods, zero weight = missing");
    c.def(
        "buhlmann",
        [](const py::object& data) { return buhlmann(matrix_argument("data", data, "risks x periods", NonFinite::allowed)); },
        py::arg("data"), "Buhlmann (equal weights); risks x periods, every cell observed");

    py::class_<BlendedRate>(c, "BlendedRate", "A credibility-blended PMPM rate and its pieces")
        .def_readonly("member_months", &BlendedRate::member_months)
        .def_readonly("experience_pmpm", &BlendedRate::experience_pmpm)
        .def_readonly("excess_claims", &BlendedRate::excess_claims)
        .def_readonly("members_pooled", &BlendedRate::members_pooled)
        .def_readonly("pooled_experience_pmpm", &BlendedRate::pooled_experience_pmpm)
        .def_readonly("manual_pooled_pmpm", &BlendedRate::manual_pooled_pmpm)
        .def_readonly("pooling_charge_pmpm", &BlendedRate::pooling_charge_pmpm)
        .def_readonly("credibility", &BlendedRate::credibility)
        .def_readonly("blended_pmpm", &BlendedRate::blended_pmpm)
        .def_readonly("method", &BlendedRate::method)
        .def("__repr__", [](const BlendedRate& b) {
            return "BlendedRate(blended_pmpm=" + fixed(b.blended_pmpm) + ", credibility=" + fixed(b.credibility) +
                   ", method='" + b.method + "')";
        });
    c.def(
        "blended_rate",
        [](const py::object& member_claims, const py::object& member_months, double manual_pmpm, double pooling_level,
           double pooling_charge_pmpm, std::optional<double> full_mm, std::optional<double> k) {
            const std::vector<double> claims = vector_argument("member_claims", member_claims, "one value per member");
            const std::vector<double> months = vector_argument("member_months", member_months, "one value per member");
            check_same_length("member_months", months.size(), "member_claims", claims.size());
            BlendedRateTerms t;
            t.manual_pmpm = manual_pmpm;
            t.pooling_level = pooling_level;
            t.pooling_charge_pmpm = pooling_charge_pmpm;
            t.full_credibility_member_months = full_mm.value_or(0.0);
            t.buhlmann_k = k.value_or(0.0);
            return blended_rate(claims, months, t);
        },
        py::arg("member_claims"), py::arg("member_months"), py::arg("manual_pmpm"), py::kw_only(),
        py::arg("pooling_level") = inf, py::arg("pooling_charge_pmpm") = 0.0,
        py::arg("full_credibility_member_months") = py::none(), py::arg("buhlmann_k") = py::none(),
        "Blend pooled experience with the manual rate: Z E_p + (1 - Z)(M - P) + P");
    c.def(
        "pooling_charge_pmpm",
        [](const py::object& cost, double level, double months) {
            return pooling_charge_pmpm(severity_from_python(cost, "cost"), level, months);
        },
        py::arg("cost"), py::arg("pooling_level"), py::arg("months") = 12.0,
        "Expected cost above the pooling level per member-month, (E[X] - E[min(X, L)]) / months");

    py::class_<RiskWeightFit>(c, "RiskWeightFit", "Relative risk weights fitted by exposure-weighted least squares")
        .def_readonly("names", &RiskWeightFit::names)
        .def_property_readonly("coefficients", [](const RiskWeightFit& f) { return Eigen::VectorXd(f.coefficients); })
        .def_property_readonly("coefficients_pmpm", &RiskWeightFit::coefficients_pmpm)
        .def_property_readonly("standard_errors", [](const RiskWeightFit& f) { return Eigen::VectorXd(f.standard_errors); })
        .def_property_readonly("robust_standard_errors",
                               [](const RiskWeightFit& f) { return Eigen::VectorXd(f.robust_standard_errors); })
        .def_readonly("mean_pmpm", &RiskWeightFit::mean_pmpm)
        .def_readonly("r_squared", &RiskWeightFit::r_squared)
        .def_readonly("residual_variance", &RiskWeightFit::residual_variance)
        .def_readonly("normalization", &RiskWeightFit::normalization)
        .def_readonly("observations", &RiskWeightFit::observations)
        .def_readonly("exposure", &RiskWeightFit::exposure)
        .def_property_readonly("raw_scores", [](const RiskWeightFit& f) { return Eigen::VectorXd(f.raw_scores); })
        .def_property_readonly("scores", [](const RiskWeightFit& f) { return Eigen::VectorXd(f.scores); })
        .def_readonly("group_names", &RiskWeightFit::group_names)
        .def_property_readonly("group_exposure", [](const RiskWeightFit& f) { return Eigen::VectorXd(f.group_exposure); })
        .def_property_readonly("predictive_ratios", [](const RiskWeightFit& f) { return Eigen::VectorXd(f.predictive_ratios); })
        .def("__repr__", [](const RiskWeightFit& f) {
            return "RiskWeightFit(" + std::to_string(f.names.size()) + " coefficients, " + std::to_string(f.observations) +
                   " members, r_squared=" + fixed(f.r_squared, 4) + ")";
        });
    c.def(
        "fit_risk_weights_matrix",
        [](const py::object& design, const py::object& cost, const py::object& exposure, std::vector<std::string> names,
           const py::object& groups, std::vector<std::string> group_names) {
            const Eigen::MatrixXd x = matrix_argument("design", design, "members x columns");
            const auto members = static_cast<std::size_t>(x.rows());
            const std::vector<double> y = member_values("cost", cost, "the rows of design", members);
            const std::vector<double> e = member_values("exposure", exposure, "the rows of design", members);
            std::vector<int> g;
            if (!groups.is_none()) {
                g = index_argument("groups", groups, "one group index per member");
                if (!g.empty()) check_same_length("groups", g.size(), "the rows of design", members);
            }
            py::gil_scoped_release release;
            return fit_risk_weights(x, Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size())),
                                    Eigen::Map<const Eigen::VectorXd>(e.data(), static_cast<Eigen::Index>(e.size())), std::move(names), g,
                                    std::move(group_names));
        },
        py::arg("design"), py::arg("cost"), py::arg("exposure"), py::arg("names") = std::vector<std::string>{},
        py::arg("groups") = py::none(), py::arg("group_names") = std::vector<std::string>{},
        "WLS risk weights from a design matrix (members x p), member costs and member-months");
    c.def(
        "fit_risk_weights_factors",
        [](const py::object& cost, const py::object& exposure, std::vector<std::string> tier, std::vector<std::string> age_band,
           std::vector<std::string> sex, std::vector<std::string> marker_names, const py::object& markers) {
            const std::vector<double> y = vector_argument("cost", cost, "one value per member");
            const std::vector<double> e = member_values("exposure", exposure, "cost", y.size());
            std::vector<std::vector<double>> columns = marker_columns(marker_names, markers, "cost", y.size());
            RiskFactors f{std::move(tier), std::move(age_band), std::move(sex), std::move(marker_names), std::move(columns)};
            py::gil_scoped_release release;
            return fit_risk_weights(f, y, e);
        },
        py::arg("cost"), py::arg("exposure"), py::arg("tier") = std::vector<std::string>{},
        py::arg("age_band") = std::vector<std::string>{}, py::arg("sex") = std::vector<std::string>{},
        py::arg("marker_names") = std::vector<std::string>{}, py::arg("markers") = py::none(),
        "WLS risk weights from member-level tier / age band / sex labels and marker columns (empty = not used)");
    c.def(
        "fit_risk_weights_scenario",
        [](const Scenario& s, const py::object& member_costs, const Whole& year, bool tier, bool age_band, bool sex,
           std::vector<std::string> marker_names, const py::object& markers) {
            const std::vector<double> y = vector_argument("member_costs", member_costs, "one value per member");
            std::vector<std::vector<double>> columns = marker_columns(marker_names, markers, "member_costs", y.size());
            PopulationRiskFactors use{tier, age_band, sex, std::move(marker_names), std::move(columns)};
            const int first = whole_number<int>("year", year, 0, s.population.years - 1, " (0-based)");
            py::gil_scoped_release release;
            return fit_risk_weights(s.population, s.cost_model.tiers, y, first, use);
        },
        py::arg("scenario"), py::arg("member_costs"), py::arg("year") = 0, py::arg("tier") = true, py::arg("age_band") = true,
        py::arg("sex") = true, py::arg("marker_names") = std::vector<std::string>{}, py::arg("markers") = py::none(),
        "WLS risk weights from a scenario's population (tier, age band, sex, months of `year`) and member costs");
}

/// Pickling and equality of a plain struct through a tuple of its fields.
template <class T, class... Fields>
void add_field_behaviour(py::class_<T>& cls, const char* name, Fields T::*... fields) {
    cls.def(py::pickle([fields...](const T& v) { return py::make_tuple(v.*fields...); },
                       [name, fields...](const py::tuple& t) {
                           if (t.size() != sizeof...(Fields))
                               throw InvalidInput("state", std::string("a ") + name + " state of " + std::to_string(sizeof...(Fields)) + " fields",
                                                  std::to_string(t.size()) + " fields");
                           T v;
                           std::size_t k = 0;
                           ((v.*fields = t[k++].template cast<std::remove_reference_t<decltype(v.*fields)>>()), ...);
                           return v;
                       }))
        .def("__eq__", [fields...](const T& a, const py::object& b) {
            if (!py::isinstance<T>(b)) return false;
            const T& c = b.cast<const T&>();
            return ((a.*fields == c.*fields) && ...);
        });
}

/// A development triangle's rows, from a list of rows (ragged) or a 2-D array or DataFrame
/// whose unknown cells are NaN; each row's trailing NaN are dropped (a NaN before a known
/// amount stays, and chain_ladder names the cell).
std::vector<std::vector<double>> triangle_rows(const py::object& triangle) {
    std::vector<std::vector<double>> rows;
    bool ragged = false;
    if (py::isinstance<py::list>(triangle) || py::isinstance<py::tuple>(triangle)) {
        try {
            rows = triangle.cast<std::vector<std::vector<double>>>();
            ragged = true;
        } catch (const py::cast_error&) {
        }
    }
    if (!ragged) {
        const Eigen::MatrixXd m = matrix_argument("triangle", triangle, "incurred periods x development periods", NonFinite::allowed);
        for (Eigen::Index i = 0; i < m.rows(); ++i) {
            rows.emplace_back(static_cast<std::size_t>(m.cols()));
            for (Eigen::Index j = 0; j < m.cols(); ++j) rows.back()[static_cast<std::size_t>(j)] = m(i, j);
        }
    }
    for (auto& row : rows)
        while (!row.empty() && std::isnan(row.back())) row.pop_back();
    return rows;
}

void register_reserving(py::module_& m) {
    using stats::ChainLadder;
    py::class_<ChainLadder> cls(m, "ChainLadder", "Chain-ladder development of a cumulative triangle: factors, completion, ultimate, unpaid");
    add_field_behaviour(cls, "ChainLadder", &ChainLadder::age_to_age, &ChainLadder::tail, &ChainLadder::to_ultimate, &ChainLadder::completion,
                        &ChainLadder::latest, &ChainLadder::ultimate, &ChainLadder::unpaid);
    cls        .def_property_readonly("age_to_age", [](const ChainLadder& c) { return Eigen::VectorXd::Map(c.age_to_age.data(), c.age_to_age.size()).eval(); },
                               "f_j: volume-weighted factor from development period j to j + 1")
        .def_readonly("tail", &ChainLadder::tail, "development beyond the triangle's last period")
        .def_property_readonly("to_ultimate", [](const ChainLadder& c) { return Eigen::VectorXd::Map(c.to_ultimate.data(), c.to_ultimate.size()).eval(); },
                               "CDF_j: ultimate / paid to date at development period j")
        .def_property_readonly("completion", [](const ChainLadder& c) { return Eigen::VectorXd::Map(c.completion.data(), c.completion.size()).eval(); },
                               "1 / CDF_j: the share of ultimate paid by development period j")
        .def_property_readonly("latest", [](const ChainLadder& c) { return Eigen::VectorXd::Map(c.latest.data(), c.latest.size()).eval(); },
                               "each incurred period's amount paid to date")
        .def_property_readonly("ultimate", [](const ChainLadder& c) { return Eigen::VectorXd::Map(c.ultimate.data(), c.ultimate.size()).eval(); },
                               "each incurred period's ultimate: latest x CDF at its development")
        .def_property_readonly("unpaid", [](const ChainLadder& c) { return Eigen::VectorXd::Map(c.unpaid.data(), c.unpaid.size()).eval(); },
                               "each incurred period's ultimate - latest")
        .def("__repr__", [](const ChainLadder& c) {
            double unpaid = 0.0;
            for (double u : c.unpaid) unpaid += u;
            return "ChainLadder(periods=" + std::to_string(c.latest.size()) + ", development=" + std::to_string(c.to_ultimate.size()) +
                   ", tail=" + fixed(c.tail) + ", unpaid=" + fixed(unpaid, 10) + ")";
        });
    m.def(
        "chain_ladder", [](const py::object& triangle, double tail) { return stats::chain_ladder(triangle_rows(triangle), tail); },
        py::arg("triangle"), py::arg("tail") = 1.0,
        "Chain ladder of a cumulative paid triangle (rows: incurred periods; columns: development periods, unknown cells NaN "
        "or left out): volume-weighted age-to-age factors, completion factors, ultimate and unpaid by row (stats/chain_ladder.hpp)");
}

void register_trend_fit(py::module_& m) {
    using stats::TrendFit;
    py::class_<TrendFit> cls(m, "TrendFit", "Annual trend (with its standard error) and monthly seasonality of a PMPM history");
    add_field_behaviour(cls, "TrendFit", &TrendFit::annual_trend, &TrendFit::annual_trend_se, &TrendFit::monthly_log_slope,
                        &TrendFit::monthly_log_slope_se, &TrendFit::seasonality, &TrendFit::seasonal, &TrendFit::residual_sd, &TrendFit::months,
                        &TrendFit::degrees_of_freedom);
    cls        .def_readonly("annual_trend", &TrendFit::annual_trend, "g = e^(12 b) - 1")
        .def_readonly("annual_trend_se", &TrendFit::annual_trend_se, "its standard error (delta method)")
        .def_readonly("monthly_log_slope", &TrendFit::monthly_log_slope)
        .def_readonly("monthly_log_slope_se", &TrendFit::monthly_log_slope_se)
        .def_property_readonly("seasonality", [](const TrendFit& f) { return Eigen::VectorXd::Map(f.seasonality.data(), 12).eval(); },
                               "12 factors by calendar month (January first), averaging 1")
        .def_readonly("seasonal", &TrendFit::seasonal)
        .def_readonly("residual_sd", &TrendFit::residual_sd)
        .def_readonly("months", &TrendFit::months)
        .def_readonly("degrees_of_freedom", &TrendFit::degrees_of_freedom)
        .def_property_readonly("scenario_trend", [](const TrendFit& f) {
            py::dict d;
            d["mean"] = f.annual_trend;
            d["sd"] = f.annual_trend_se;
            return d;
        }, "{'mean': annual_trend, 'sd': annual_trend_se}: a scenario's cost_model.trend, its sd the trend's parameter uncertainty")
        .def("__repr__", [](const TrendFit& f) {
            return "TrendFit(annual_trend=" + fixed(f.annual_trend) + ", annual_trend_se=" + fixed(f.annual_trend_se) +
                   ", months=" + std::to_string(f.months) + (f.seasonal ? ", seasonal" : "") + ")";
        });
    m.def(
        "fit_trend",
        [](const py::object& pmpm, const py::object& member_months, int first_month, bool seasonality) {
            const std::vector<double> y = vector_argument("pmpm", pmpm, "one PMPM per month");
            const std::vector<double> w = vector_argument("member_months", member_months, "one exposure per month");
            return stats::fit_trend(y, w, first_month, seasonality);
        },
        py::arg("pmpm"), py::arg("member_months"), py::arg("first_month") = 1, py::arg("seasonality") = true,
        "Annual trend and monthly seasonality of a monthly PMPM history by exposure-weighted log-linear least squares "
        "(stats/trend_fit.hpp): the trend's standard error is its parameter uncertainty (scenario_trend)");
}

void register_claim_fits(py::module_& m) {
    using stats::FrequencyFit;
    using stats::SeverityFit;
    py::class_<FrequencyFit> f(m, "FrequencyFit", "Poisson and negative-binomial fits of counts with exposure, and the overdispersion test");
    add_field_behaviour(f, "FrequencyFit", &FrequencyFit::rate, &FrequencyFit::rate_se, &FrequencyFit::dispersion, &FrequencyFit::dispersion_se,
                        &FrequencyFit::poisson_log_likelihood, &FrequencyFit::negative_binomial_log_likelihood,
                        &FrequencyFit::overdispersion_statistic, &FrequencyFit::overdispersion_p_value, &FrequencyFit::selected,
                        &FrequencyFit::exposure, &FrequencyFit::events, &FrequencyFit::members);
    f.def_readonly("rate", &FrequencyFit::rate, "events per unit of exposure (of the selected family)")
        .def_readonly("rate_se", &FrequencyFit::rate_se)
        .def_readonly("dispersion", &FrequencyFit::dispersion, "r of the negative binomial's fit (inf: no overdispersion found)")
        .def_readonly("dispersion_se", &FrequencyFit::dispersion_se)
        .def_readonly("poisson_log_likelihood", &FrequencyFit::poisson_log_likelihood)
        .def_readonly("negative_binomial_log_likelihood", &FrequencyFit::negative_binomial_log_likelihood)
        .def_readonly("overdispersion_statistic", &FrequencyFit::overdispersion_statistic)
        .def_readonly("overdispersion_p_value", &FrequencyFit::overdispersion_p_value)
        .def_readonly("selected", &FrequencyFit::selected, "\"negative_binomial\" when the test rejects a Poisson at 5%, else \"poisson\"")
        .def_readonly("exposure", &FrequencyFit::exposure)
        .def_readonly("events", &FrequencyFit::events)
        .def_readonly("members", &FrequencyFit::members)
        .def("frequency", &FrequencyFit::frequency, "The selected distribution per unit of exposure: a cell's frequency")
        .def("__repr__", [](const FrequencyFit& v) {
            return "FrequencyFit(" + v.selected + ", rate=" + fixed(v.rate) + ", rate_se=" + fixed(v.rate_se) + ", dispersion=" + fixed(v.dispersion) +
                   ", members=" + std::to_string(v.members) + ")";
        });
    py::class_<SeverityFit> s(m, "SeverityFit", "Lognormal and gamma maximum-likelihood fits of claim amounts");
    add_field_behaviour(s, "SeverityFit", &SeverityFit::lognormal_mu, &SeverityFit::lognormal_mu_se, &SeverityFit::lognormal_sigma,
                        &SeverityFit::lognormal_sigma_se, &SeverityFit::gamma_shape, &SeverityFit::gamma_shape_se, &SeverityFit::gamma_scale,
                        &SeverityFit::lognormal_log_likelihood, &SeverityFit::gamma_log_likelihood, &SeverityFit::selected, &SeverityFit::mean,
                        &SeverityFit::claims);
    s.def_readonly("lognormal_mu", &SeverityFit::lognormal_mu)
        .def_readonly("lognormal_mu_se", &SeverityFit::lognormal_mu_se)
        .def_readonly("lognormal_sigma", &SeverityFit::lognormal_sigma)
        .def_readonly("lognormal_sigma_se", &SeverityFit::lognormal_sigma_se)
        .def_readonly("gamma_shape", &SeverityFit::gamma_shape)
        .def_readonly("gamma_shape_se", &SeverityFit::gamma_shape_se)
        .def_readonly("gamma_scale", &SeverityFit::gamma_scale)
        .def_readonly("lognormal_log_likelihood", &SeverityFit::lognormal_log_likelihood)
        .def_readonly("gamma_log_likelihood", &SeverityFit::gamma_log_likelihood)
        .def_readonly("selected", &SeverityFit::selected, "\"lognormal\" or \"gamma\": the larger likelihood")
        .def_readonly("mean", &SeverityFit::mean)
        .def_readonly("claims", &SeverityFit::claims)
        .def("severity", &SeverityFit::severity, "The selected distribution: a cell's severity")
        .def("__repr__", [](const SeverityFit& v) {
            return "SeverityFit(" + v.selected + ", mean=" + fixed(v.mean) + ", claims=" + std::to_string(v.claims) + ")";
        });
    m.def(
        "fit_frequency",
        [](const py::object& events, const py::object& exposure) {
            return stats::fit_frequency(vector_argument("events", events, "one count per member"),
                                        vector_argument("exposure", exposure, "one exposure (years) per member"));
        },
        py::arg("events"), py::arg("exposure"),
        "Poisson and negative-binomial maximum-likelihood fits of counts with exposure (years), the overdispersion test and "
        "the selected frequency (stats/claim_fits.hpp)");
    m.def(
        "_member_months",
        [](const std::vector<std::string>& member, const std::vector<std::string>& start, const std::vector<std::string>& end,
           const std::string& first, const std::string& last) {
            const stats::Exposure e = stats::member_months(member, start, end, first, last);
            std::vector<std::string> months;
            for (std::size_t k = 0; k < e.months; ++k) {
                const std::chrono::year_month ym = e.first + std::chrono::months{static_cast<int>(k)};
                char text[16];
                std::snprintf(text, sizeof text, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
                months.emplace_back(text);
            }
            Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> table =
                Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                    e.member_months.data(), static_cast<Eigen::Index>(e.members.size()), static_cast<Eigen::Index>(e.months));
            return py::make_tuple(e.members, months, table);
        },
        py::arg("member"), py::arg("start"), py::arg("end"), py::arg("first"), py::arg("last"));
    m.def(
        "_paid_triangle",
        [](const std::vector<std::string>& service, const std::vector<std::string>& paid, const py::object& amount, const std::string& first,
           const std::string& valuation) {
            const std::vector<double> a = vector_argument("amount", amount, "one amount per line");
            const stats::PaidTriangle t = stats::paid_triangle(service, paid, a, first, valuation);
            py::dict counts;
            counts["lines_used"] = t.lines_used, counts["amount_used"] = t.amount_used;
            counts["lines_paid_after_valuation"] = t.lines_paid_after_valuation, counts["amount_paid_after_valuation"] = t.amount_paid_after_valuation;
            counts["lines_outside"] = t.lines_outside, counts["amount_outside"] = t.amount_outside;
            return py::make_tuple(t.cumulative, counts);
        },
        py::arg("service_date"), py::arg("paid_date"), py::arg("amount"), py::arg("first"), py::arg("valuation"));
    m.def(
        "fit_severity", [](const py::object& amounts) { return stats::fit_severity(vector_argument("amounts", amounts, "one amount per claim")); },
        py::arg("amounts"), "Lognormal and gamma maximum-likelihood fits of claim amounts and the selected severity (stats/claim_fits.hpp)");
}

}  // namespace

void register_analytics(py::module_& m) {
    register_size_analytics(m);
    register_reserving(m);
    register_trend_fit(m);
    register_claim_fits(m);
    py::module_ c = m.def_submodule("credibility", "Limited-fluctuation and Buhlmann(-Straub) credibility, blended rates, risk adjustment");
    register_credibility(c);
}

}  // namespace apmsim::python
