// How noisy is a program's mean cost? Simulate the default CMC program at three sizes
// and compare the simulated CV of the pool mean with the closed form c / sqrt(n).
#include <apmsim/apmsim.hpp>

#include <cmath>
#include <cstdio>

int main() {
    for (std::size_t members : {250u, 1000u, 4000u}) {
        apmsim::Scenario s = apmsim::Scenario::default_cmc_program(members, 1);
        s.intervention.reset();
        s.cost_model.trend = {0.0, 0.0};
        apmsim::SimulationOptions options;
        options.trials = 200;
        options.seed = 42;
        const apmsim::SimulationResults r = apmsim::simulate(s, options);
        const auto total = r.samples("total_cost", "baseline");
        std::vector<double> per_member(total.rows());
        for (Eigen::Index t = 0; t < total.rows(); ++t) per_member[t] = total(t, 0) / static_cast<double>(members);
        const auto st = apmsim::stats::summarize(per_member);
        std::printf("%5zu members: mean %8.0f, cv of the pool mean %.3f (closed form %.3f)\n", members, st.mean,
                    st.sd / st.mean, r.member_level_cv("baseline", 1) / std::sqrt(static_cast<double>(members)));
    }
    return 0;
}
