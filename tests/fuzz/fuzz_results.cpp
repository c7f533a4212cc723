// libFuzzer target for what apmsim reads back of its own results: the binary states of
// part files (apmsim run --part / merge) and pickles (results_state.hpp), and results
// JSON files (--replay). An input that starts with "{" is a results document; otherwise
// the first byte picks the state (even: simulation, odd: payments). A state must decode or be
// refused with InvalidInput, and a decoded one encodes to a state that decodes to the
// same bytes again; a results document must give its scenario or InvalidInput, and
// compares identical to itself.
// Build and run: scripts/fuzz.sh fuzz_results (the test suite replays tests/fuzz/corpus).
#include "apmsim/core/json_file.hpp"
#include "apmsim/outputs/results_state.hpp"
#include "apmsim/results_document.hpp"

#include "fuzz_support.hpp"

namespace {

template <class Decode, class Encode>
void state_round_trip(const std::string& bytes, Decode decode, Encode encode) {
    std::string encoded;
    if (!fuzz::accepted([&] { encoded = encode(decode(bytes)); })) return;
    std::string again;
    if (!fuzz::accepted([&] { again = encode(decode(encoded)); })) fuzz::broken("an encoded state decodes");
    if (again != encoded) fuzz::broken("a state decoded and encoded again is the same bytes");
}

void results_document(const std::string& text) {
    apmsim::Json document;
    if (!fuzz::accepted([&] { document = apmsim::parse_json_text(text, "<fuzz>"); })) return;
    (void)fuzz::accepted([&] { (void)apmsim::scenario_of_results(document, "<fuzz>"); });
    if (!apmsim::replay_difference(document, document).empty()) fuzz::broken("a results document replays identical to itself");
    (void)apmsim::replay_difference(document, apmsim::Json::object());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    if (data[0] == '{') {
        results_document(fuzz::text(data, size));
        return 0;
    }
    const std::string rest = fuzz::text(data + 1, size - 1);
    if (data[0] % 2 == 0) state_round_trip(rest, apmsim::results_from_state, [](const auto& r) { return apmsim::results_state(r); });
    else state_round_trip(rest, apmsim::payments_from_state, [](const auto& p) { return apmsim::payments_state(p); });
    return 0;
}
