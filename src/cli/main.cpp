// apmsim, the command-line program: one subcommand per job (apmsim --help lists them,
// apmsim COMMAND --help describes every option with its default). Exit codes: 0 success,
// 2 bad input or usage, 1 an output that could not be written (a full disk) or an internal
// error, 130 interrupted (SIGINT or SIGTERM).
#include "cli_common.hpp"

int main(int argc, char** argv) {
    using namespace apmsim::cli;
    const auto app = make_app();
    install_interrupt_handlers();
    return run_command_line(*app, argc, argv);
}
