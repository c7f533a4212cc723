// libFuzzer target for the command-line parser: the input's lines are the arguments after
// "apmsim". Every command and option of the real program is registered (cli::make_app),
// but a parse-only check replaces each command's action (cli::set_parse_only_check): it
// reads the option values with the CLI's number readers (whole_number, real_number), so
// nothing is simulated or written. Any
// command line must parse or be refused with a CLI11 error or InvalidInput; a number read
// must lie in its range and be finite.
// Build and run: scripts/fuzz.sh fuzz_cli (the test suite replays tests/fuzz/corpus/cli).
#include "cli_common.hpp"

#include "fuzz_support.hpp"

#include <cmath>
#include <limits>

namespace {

/// Every value of every option given to `command`, read as the numbers options take.
void read_numbers(const CLI::App& command) {
    for (const CLI::Option* option : command.get_options()) {
        for (const std::string& value : option->results()) {
            std::uint64_t n = 0;
            if (fuzz::accepted([&] { n = apmsim::cli::whole_number(option->get_name(), value, 1000, 2); }) && (n < 2 || n > 1000))
                fuzz::broken("whole_number stays in its range");
            double x = 0.0;
            if (fuzz::accepted([&] { x = apmsim::cli::real_number(option->get_name(), value); }) && !std::isfinite(x))
                fuzz::broken("real_number is finite");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> args{"apmsim"};
    std::string arg;
    for (std::size_t i = 0; i < size && args.size() < 40; ++i) {
        if (data[i] == '\n') args.push_back(std::exchange(arg, {}));
        else if (data[i] != '\0') arg += static_cast<char>(data[i]);
    }
    if (!arg.empty() && args.size() < 40) args.push_back(arg);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    static const bool parse_only = (apmsim::cli::set_parse_only_check(read_numbers), true);
    (void)parse_only;
    const auto app = apmsim::cli::make_app();
    try {
        app->parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::Error&) {  // a usage error, or --help / --version
    } catch (const apmsim::InvalidInput&) {
    }
    return 0;
}
