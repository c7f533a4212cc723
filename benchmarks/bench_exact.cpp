// Panjer recursion against FFT for the aggregate distribution of a compound Poisson(20)
// with lognormal severities (mean 1000, cv 2), rounding discretisation, on lattices of
// 2^12 to 2^20 nodes. Panjer is O(n^2) (every severity mass is non-zero), so it is run up
// to 2^16 nodes; beyond, extrapolate by 4x per doubling. FFT (padding 2, tilt 10) is
// O(n log n). Discretisation is included in both (it is O(n) cdf evaluations).
//   ./build/benchmarks/bench_exact --benchmark_filter=Panjer|Fft
#include "apmsim/exact/exact.hpp"
#include "apmsim/scenario.hpp"

#include <benchmark/benchmark.h>

namespace {

apmsim::AggregateOptions options(apmsim::AggregateMethod method, std::size_t nodes) {
    apmsim::AggregateOptions o;
    o.method = method;
    o.nodes = nodes;
    o.upper = 400'000.0;  // 20 claims of mean 1000: mean 20,000, far tail to 400,000
    return o;
}

void run(benchmark::State& state, apmsim::AggregateMethod method) {
    const apmsim::Frequency n = apmsim::Poisson(20.0);
    const apmsim::Severity x = apmsim::Lognormal::from_mean_cv(1000.0, 2.0);
    const auto nodes = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        const auto d = apmsim::aggregate(n, x, options(method, nodes));
        benchmark::DoNotOptimize(d.pmf().data());
    }
    state.counters["nodes"] = static_cast<double>(nodes);
    state.counters["nodes_per_s"] = benchmark::Counter(static_cast<double>(nodes) * state.iterations(),
                                                       benchmark::Counter::kIsRate);
}

void Panjer(benchmark::State& state) { run(state, apmsim::AggregateMethod::panjer); }
void Fft(benchmark::State& state) { run(state, apmsim::AggregateMethod::fft); }

BENCHMARK(Panjer)->RangeMultiplier(2)->Range(1 << 12, 1 << 16)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Fft)->RangeMultiplier(2)->Range(1 << 12, 1 << 20)->Unit(benchmark::kMillisecond)->UseRealTime();

// The pool distribution of the bundled program (1,000 children, frailty 0, one year).
void PoolDistribution(benchmark::State& state) {
    apmsim::Scenario s = apmsim::Scenario::default_cmc_program(1000, 1);
    s.cost_model.frailty_cv = 0.0;
    s.cost_model.trend = {0.0, 0.0};
    apmsim::PoolOptions o;
    o.nodes = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(apmsim::pool_distribution(s, o).total.pmf().data());
}
BENCHMARK(PoolDistribution)->Arg(1 << 16)->Arg(1 << 17)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
