// libFuzzer target for scenario documents (scenario_json.hpp). Any text must parse or be
// refused with InvalidInput; scenario_problems finds no problem exactly when
// scenario_from_json loads the document; and a loaded scenario written back and read
// again is the same document (scenario_from_json(scenario_to_json(s)) reproduces s).
// Build and run: scripts/fuzz.sh fuzz_scenario (the test suite replays tests/fuzz/corpus).
#include "apmsim/core/json_file.hpp"
#include "apmsim/scenario_json.hpp"

#include "fuzz_support.hpp"

#include <optional>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    apmsim::Json document;
    if (!fuzz::accepted([&] { document = apmsim::parse_json_text(fuzz::text(data, size), "<fuzz>"); })) return 0;
    const bool no_problems = apmsim::scenario_problems(document).empty();
    std::optional<apmsim::Scenario> scenario;
    const bool loaded = fuzz::accepted([&] { scenario.emplace(apmsim::scenario_from_json(document)); });
    if (loaded != no_problems) fuzz::broken("scenario_problems is empty exactly when scenario_from_json loads");
    if (!loaded) return 0;
    const apmsim::Json written = apmsim::scenario_to_json(*scenario);
    apmsim::Json again;
    if (!fuzz::accepted([&] { again = apmsim::scenario_to_json(apmsim::scenario_from_json(written)); }))
        fuzz::broken("a written scenario loads");
    if (again != written) fuzz::broken("a scenario written, read and written again is the same document");
    return 0;
}
