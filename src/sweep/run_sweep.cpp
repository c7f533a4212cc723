// Running a sweep (sweep/run_sweep.hpp).
#include "apmsim/sweep/run_sweep.hpp"

#include "apmsim/run.hpp"

#include <chrono>

namespace apmsim {

Json sweep_identity(const SweepDefinition& d, const SweepOptions& o) {
    Json j = sweep_to_json(d);
    j["trials"] = o.trials;
    j["calibration_trials"] = o.calibration_trials;
    return j;
}

SweepProgress run_sweep(const SweepDefinition& d, const std::string& file, const SweepOptions& o,
                        const std::function<void(const SweepProgress&)>& progress, const RunControl& control) {
    const std::vector<Variant> variants = expand(d, o.trials, o.calibration_trials);
    SweepStore store(file, sweep_identity(d, o), variants, o.resume);
    SweepProgress state;
    state.total = variants.size();
    state.skipped = state.done = store.finished().size();
    if (progress) progress(state);
    std::vector<const Variant*> pending;
    for (const Variant& v : variants)
        if (!store.finished().count(v.id)) pending.push_back(&v);
    using clock = std::chrono::steady_clock;
    for (std::size_t first = 0; first < pending.size(); first += std::max<std::size_t>(1, o.batch)) {
        const std::size_t last = std::min(pending.size(), first + std::max<std::size_t>(1, o.batch));
        std::vector<Scenario> batch;
        for (std::size_t k = first; k < last; ++k) {
            batch.push_back(variant_scenario(*pending[k]));
            if (o.threads_given) batch.back().settings.threads = o.threads;
        }
        auto since = clock::now();
        std::size_t summarized = ~std::size_t{0};
        std::vector<StatisticRow> simulation_rows;  // the same for every variant settled on one simulation
        run_each(
            batch,
            [&](std::size_t k, std::size_t simulation, const SimulationResults& sim, PaymentResults&& pay) {
                const Variant& v = *pending[first + k];
                if (simulation != summarized) simulation_rows = simulation_statistics(sim), summarized = simulation;
                std::vector<StatisticRow> rows = simulation_rows;
                append_payment_statistics(rows, pay);
                const auto now = clock::now();
                store.store(v, rows, std::chrono::duration<double>(now - since).count());
                since = now;
                ++state.done;
                state.last = &v;
                if (progress) progress(state);
                if (control.stop_requested()) throw Interrupted();
            },
            control);
    }
    return state;
}

}  // namespace apmsim
