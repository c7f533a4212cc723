// Risk factor designs and fits from populations (credibility/risk_design.hpp), compiled once.
#include "apmsim/credibility/risk_design.hpp"

namespace apmsim {

RiskDesign risk_design(const RiskFactors& f, std::size_t members) {
    auto check_length = [&](const char* where, std::size_t len) {
        if (len != 0 && len != members)
            throw InvalidInput(where, std::to_string(members) + " values (one per member) or none", std::to_string(len) + " values");
    };
    if (members == 0) throw InvalidInput("members", "at least one member", "0");
    check_length("tier", f.tier.size());
    check_length("age_band", f.age_band.size());
    check_length("sex", f.sex.size());
    if (f.marker_names.size() != f.markers.size())
        throw InvalidInput("markers", std::to_string(f.marker_names.size()) + " columns (one per marker name)",
                           std::to_string(f.markers.size()) + " columns");
    for (std::size_t k = 0; k < f.markers.size(); ++k) {
        const std::string where = "markers." + f.marker_names[k];
        if (f.markers[k].size() != members)
            throw InvalidInput(where, std::to_string(members) + " values (one per member)", std::to_string(f.markers[k].size()) + " values");
        for (std::size_t i = 0; i < members; ++i) check::finite(where + "[" + std::to_string(i) + "]", f.markers[k][i]);
    }

    RiskDesign d;
    struct Block {
        const std::vector<std::string>* column;
        std::string name;
        std::vector<std::string> levels;
        std::size_t first;  // first level with a column (0 for tiers, 1 otherwise)
    };
    std::vector<Block> blocks;
    if (!f.tier.empty()) blocks.push_back({&f.tier, "tier", detail::sorted_levels(f.tier), 0});
    else d.names.push_back("intercept");
    if (!f.age_band.empty()) blocks.push_back({&f.age_band, "age_band", detail::sorted_levels(f.age_band), 1});
    if (!f.sex.empty()) blocks.push_back({&f.sex, "sex", detail::sorted_levels(f.sex), 1});
    std::vector<std::size_t> offset;
    for (const auto& b : blocks) {
        offset.push_back(d.names.size());
        for (std::size_t l = b.first; l < b.levels.size(); ++l) d.names.push_back(b.name + "=" + b.levels[l]);
    }
    const std::size_t marker_offset = d.names.size();
    for (const auto& m : f.marker_names) d.names.push_back(m);

    d.matrix = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(members), static_cast<Eigen::Index>(d.names.size()));
    if (f.tier.empty()) d.matrix.col(0).setOnes();
    for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
        const auto& b = blocks[bi];
        for (std::size_t i = 0; i < members; ++i) {
            const auto l = static_cast<std::size_t>(detail::level_index(b.levels, (*b.column)[i]));
            if (l >= b.first) d.matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(offset[bi] + l - b.first)) = 1.0;
        }
    }
    for (std::size_t k = 0; k < f.markers.size(); ++k)
        for (std::size_t i = 0; i < members; ++i)
            d.matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(marker_offset + k)) = f.markers[k][i];

    if (!f.tier.empty()) {
        d.group_names = blocks[0].levels;
        d.groups.resize(members);
        for (std::size_t i = 0; i < members; ++i) d.groups[i] = detail::level_index(d.group_names, f.tier[i]);
    } else {
        d.group_names = {"all"};
        d.groups.assign(members, 0);
    }
    return d;
}

RiskWeightFit fit_risk_weights(const RiskFactors& factors, const std::vector<double>& cost,
                                      const std::vector<double>& exposure) {
    const RiskDesign d = risk_design(factors, cost.size());
    if (exposure.size() != cost.size())
        throw InvalidInput("exposure", std::to_string(cost.size()) + " values (one per member)", std::to_string(exposure.size()) + " values");
    return fit_risk_weights(d.matrix, Eigen::Map<const Eigen::VectorXd>(cost.data(), static_cast<Eigen::Index>(cost.size())),
                            Eigen::Map<const Eigen::VectorXd>(exposure.data(), static_cast<Eigen::Index>(exposure.size())),
                            d.names, d.groups, d.group_names);
}

RiskWeightFit fit_risk_weights(const Population& population, const std::vector<std::string>& tier_names,
                                      const std::vector<double>& member_costs, int year,
                                      const PopulationRiskFactors& use) {
    population.validate("population", tier_names.size());
    if (year < 0 || year >= population.years)
        throw InvalidInput("year", "0 to " + std::to_string(population.years - 1) + " (0-based)", std::to_string(year));
    const std::size_t n = population.size();
    if (member_costs.size() != n)
        throw InvalidInput("member_costs", std::to_string(n) + " values (one per member)", std::to_string(member_costs.size()) + " values");
    RiskFactors f;
    if (use.tier)
        for (std::size_t i = 0; i < n; ++i) f.tier.push_back(tier_names[population.tier[i]]);
    if (use.age_band) f.age_band = population.age_band;
    if (use.sex) f.sex = population.sex;
    f.marker_names = use.marker_names;
    f.markers = use.markers;
    std::vector<double> exposure(n);
    for (std::size_t i = 0; i < n; ++i) exposure[i] = population.months_of(i, year);
    return fit_risk_weights(f, member_costs, exposure);
}

std::vector<double> member_costs_of(const SimulationResults& r, const std::string& arm,
                                           std::uint64_t trial, int year) {
    if (r.member_costs.empty())
        throw InvalidInput("results", "results simulated with member_detail on", "no member costs");
    const std::size_t a = r.arm_index(arm);
    if (trial >= r.trials) throw InvalidInput("trial", "0 to " + std::to_string(r.trials - 1), std::to_string(trial));
    if (year < 0 || year >= r.years) throw InvalidInput("year", "0 to " + std::to_string(r.years - 1) + " (0-based)", std::to_string(year));
    const std::size_t start = ((a * r.trials + trial) * static_cast<std::size_t>(r.years) + static_cast<std::size_t>(year)) * r.member_count;
    return {r.member_costs.begin() + static_cast<std::ptrdiff_t>(start),
            r.member_costs.begin() + static_cast<std::ptrdiff_t>(start + r.member_count)};
}

}  // namespace apmsim
