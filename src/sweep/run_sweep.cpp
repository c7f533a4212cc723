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

void run_statistics(std::span<const Scenario> scenarios, const StatisticsDone& done, const RunControl& control) {
    std::size_t summarized = ~std::size_t{0};
    std::vector<StatisticRow> simulation_rows;  // the same for every scenario settled on one simulation
    run_each(
        scenarios,
        [&](std::size_t k, std::size_t simulation, const SimulationResults& sim, PaymentResults&& pay) {
            if (simulation != summarized) simulation_rows = simulation_statistics(sim), summarized = simulation;
            std::vector<StatisticRow> rows = simulation_rows;
            append_payment_statistics(rows, pay);
            done(k, std::move(rows));
        },
        control);
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
        run_statistics(
            batch,
            [&](std::size_t k, std::vector<StatisticRow>&& rows) {
                const Variant& v = *pending[first + k];
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
