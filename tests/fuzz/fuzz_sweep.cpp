// libFuzzer target for sweep documents (sweep/sweep.hpp). Any text must give a sweep or
// InvalidInput (a "base" path is looked for in a folder that does not exist), and an
// accepted sweep written back with its base inline reads to the same document. The
// variants are not expanded: each would load a whole scenario (fuzz_scenario covers that).
// Build and run: scripts/fuzz.sh fuzz_sweep (the test suite replays tests/fuzz/corpus).
#include "apmsim/core/json_file.hpp"
#include "apmsim/sweep/sweep.hpp"

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    apmsim::Json document;
    if (!fuzz::accepted([&] { document = apmsim::parse_json_text(fuzz::text(data, size), "<fuzz>"); })) return 0;
    const char* folder = "/nonexistent-apmsim-fuzz-folder";
    apmsim::Json written;
    if (!fuzz::accepted([&] { written = apmsim::sweep_to_json(apmsim::sweep_from_json(document, folder)); })) return 0;
    apmsim::Json again;
    if (!fuzz::accepted([&] { again = apmsim::sweep_to_json(apmsim::sweep_from_json(written, folder)); }))
        fuzz::broken("a written sweep reads back");
    if (again != written) fuzz::broken("a sweep written, read and written again is the same document");
    return 0;
}
