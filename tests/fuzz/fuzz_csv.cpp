// libFuzzer target for the CSV reader (core/csv.hpp). The first input byte picks a block
// size; the rest is the text. Reading must end in records or apmsim::InvalidInput, never a
// crash, a hang or another exception, and a tiny block must give exactly what the default
// block gives (block boundaries change nothing).
// Build and run every target: scripts/fuzz.sh (the fuzzing build is described in the top
// CMakeLists.txt); the test suite replays the corpus, tests/fuzz/corpus/csv.
#include "apmsim/core/csv.hpp"
#include "apmsim/core/errors.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

/// Everything read from `text`, or the error, as one string.
std::string outcome(const std::string& text, std::size_t block) {
    std::string out;
    try {
        apmsim::csv::Reader in = apmsim::csv::Reader::from_text(text, "<fuzz>", apmsim::csv::Options{.block_bytes = block});
        for (const auto& name : in.header()) out += name + "|";
        while (in.next()) {
            if (in.size() != in.header().size()) std::abort();  // next() promises the header's field count
            for (std::size_t i = 0; i < in.size(); ++i) out += std::string(in.field(i)) + "|";
            out += '@';
            out += std::to_string(in.line());
            out += '\n';
            (void)in.try_number(0);
        }
    } catch (const apmsim::InvalidInput& e) {
        return std::string("error: ") + e.what();
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t block = 4 + data[0] % 29;
    if (outcome(text, block) != outcome(text, apmsim::csv::Options{}.block_bytes)) std::abort();
    return 0;
}
