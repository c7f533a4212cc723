// Reference workload of shared/DOMAIN.md section 3: the default cost table, 2,000
// members (500 A, 1,000 B, 500 C), 12 months, one year, no trend, seasonality,
// copula or intervention, every event's severity drawn individually (exact mode, last
// argument 0) or the sums of severities from quantile tables (tabulated mode, 1).
// Reports member-years per second and events per second.
//   ./build/benchmarks/bench_engine --benchmark_filter=ReferenceWorkload
#include "apmsim/scenario.hpp"
#include "apmsim/random/batch.hpp"
#include "apmsim/random/philox_stream.hpp"
#include "apmsim/random/variates.hpp"
#include "apmsim/simulation/engine.hpp"

#include <benchmark/benchmark.h>

namespace {

apmsim::Scenario reference_workload() {
    apmsim::Scenario s = apmsim::Scenario::default_cmc_program(2000, 1);
    s.intervention.reset();
    s.cost_model.trend = {0.0, 0.0};
    return s;
}

/// Tabulated mode builds its tables once per process (about 40 ms per cell): outside the timing.
void warm_up(const apmsim::Scenario& s, apmsim::SimulationOptions o) {
    o.trials = 1;
    benchmark::DoNotOptimize(apmsim::simulate(s, o).trend.data());
}

void ReferenceWorkload(benchmark::State& state) {
    const apmsim::Scenario s = reference_workload();
    apmsim::SimulationOptions o;
    o.trials = static_cast<std::uint64_t>(state.range(0));
    o.threads = static_cast<unsigned>(state.range(1));
    o.mode = state.range(2) == 0 ? apmsim::SimulationMode::exact : apmsim::SimulationMode::tabulated;
    warm_up(s, o);
    double events = 0.0;
    std::uint64_t seed = 1;
    for (auto _ : state) {
        o.seed = seed++;
        const auto r = apmsim::simulate(s, o);
        events += r.samples("events", "baseline").sum();
        benchmark::DoNotOptimize(r.trend.data());
    }
    const double member_years = static_cast<double>(state.iterations()) * o.trials * s.population.size();
    state.counters["member_years_per_s"] = benchmark::Counter(member_years, benchmark::Counter::kIsRate);
    state.counters["events_per_s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
    state.counters["events_per_trial"] = events / (static_cast<double>(state.iterations()) * o.trials);
}
BENCHMARK(ReferenceWorkload)
    ->Args({50, 1, 0})->Args({50, 2, 0})->Args({50, 1, 1})->Args({50, 2, 1})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// With the default intervention: both arms on common random numbers.
void ReferenceWorkloadWithIntervention(benchmark::State& state) {
    apmsim::Scenario s = apmsim::Scenario::default_cmc_program(2000, 1);
    s.cost_model.trend = {0.0, 0.0};
    apmsim::SimulationOptions o;
    o.trials = 50;
    o.threads = static_cast<unsigned>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(apmsim::simulate(s, o).trend.data());
    state.counters["member_years_per_s"] =
        benchmark::Counter(static_cast<double>(state.iterations()) * o.trials * 2000, benchmark::Counter::kIsRate);
}
BENCHMARK(ReferenceWorkloadWithIntervention)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The default program as `apmsim run` simulates it: 1,000 members, 3 years, trend,
// both arms on common random numbers.
void DefaultProgram(benchmark::State& state) {
    const apmsim::Scenario s = apmsim::Scenario::default_cmc_program();
    apmsim::SimulationOptions o;
    o.trials = 50;
    o.threads = static_cast<unsigned>(state.range(0));
    o.mode = state.range(1) == 0 ? apmsim::SimulationMode::exact : apmsim::SimulationMode::tabulated;
    warm_up(s, o);
    for (auto _ : state) benchmark::DoNotOptimize(apmsim::simulate(s, o).trend.data());
    state.counters["member_years_per_s"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * o.trials * s.population.size() * s.years(), benchmark::Counter::kIsRate);
}
BENCHMARK(DefaultProgram)->Args({1, 0})->Args({2, 0})->Args({1, 1})->Args({2, 1})->Unit(benchmark::kMillisecond)->UseRealTime();

// The draw ceiling: what the engine's severities cost with nothing else around them,
// Philox words, the normal transform and exp over one long stream (per event).
void DrawCeiling(benchmark::State& state) {
    const std::size_t n = 100000;
    const apmsim::Lognormal d = apmsim::Lognormal::from_mean_cv(700, 1.5);
    apmsim::random::LognormalSums batch;
    std::uint32_t trial = 0;
    double sum = 0.0;
    for (auto _ : state) {
        batch.clear();
        batch.add(0, 0, static_cast<std::uint32_t>(n), d.mu(), d.sigma());
        batch.compute(1, trial++, 0);
        sum += batch.sum(0);
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(DrawCeiling)->Unit(benchmark::kMicrosecond);

template <class D>
void SeverityDraw(benchmark::State& state, D d) {
    apmsim::random::Stream stream(1, 0, 0, 0);
    double sum = 0.0;
    for (auto _ : state) sum += d.draw(stream);
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(SeverityDraw, lognormal, apmsim::Lognormal::from_mean_cv(26000, 2.5));
BENCHMARK_CAPTURE(SeverityDraw, gamma, apmsim::Gamma::from_mean_cv(26000, 2.5));
BENCHMARK_CAPTURE(SeverityDraw, pareto, apmsim::Pareto::from_mean_cv(26000, 2.5));

void Uniform(benchmark::State& state) {
    apmsim::random::Stream stream(1, 0, 0, 0);
    double sum = 0.0;
    for (auto _ : state) sum += stream.uniform();
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Uniform);

void NormalQuantile(benchmark::State& state) {
    apmsim::random::Stream stream(1, 0, 0, 0);
    double sum = 0.0;
    for (auto _ : state) sum += apmsim::random::standard_normal_quantile(stream.uniform());
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(NormalQuantile);

}  // namespace

BENCHMARK_MAIN();
