// apmsim, the command-line program: one subcommand per job (apmsim --help lists them,
// apmsim COMMAND --help describes every option with its default). Exit codes: 0 success,
// 2 bad input or usage, 1 internal error, 130 interrupted (SIGINT or SIGTERM).
#include "cli_common.hpp"

#include "apmsim/version.hpp"

#include <cstdio>

int main(int argc, char** argv) {
    using namespace apmsim::cli;
    CLI::App app{"apmsim " + std::string(apmsim::version) +
                     ": actuarial payment-model simulation for children with medical complexity.\n"
                     "Simulates a program's costs member by member and settles payment models on them.",
                 "apmsim"};
    app.set_version_flag("--version", "apmsim " + std::string(apmsim::version));
    app.require_subcommand(1);
    app.fallthrough(false);
    app.footer("apmsim COMMAND --help describes a command's options and their defaults.");
    add_run_commands(app);
    add_sweep_commands(app);
    add_solve_command(app);
    add_msr_command(app);
    add_aggregate_command(app);
    add_decompose_command(app);
    add_synth_command(app);
    add_calibrate_command(app);
    add_monitor_command(app);
    install_interrupt_handlers();
    try {
        if (argc > 1 && argv[1][0] != '-') {  // a command CLI11 would call a missing one
            bool known = false;
            std::string names;
            for (const CLI::App* sub : app.get_subcommands({})) {
                known = known || sub->get_name() == argv[1];
                names += (names.empty() ? "" : ", ") + sub->get_name();
            }
            if (!known) throw apmsim::InvalidInput("command line", "a command: " + names, "\"" + shorten(argv[1]) + "\"");
        }
        app.parse(argc, argv);
        return 0;
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "apmsim: error: command line: %s\n(apmsim --help lists the commands, apmsim COMMAND --help their options)\n",
                     e.what());
        return 2;
    } catch (const apmsim::InvalidInput& e) {
        std::fprintf(stderr, "apmsim: error: %s\n", e.what());
        return 2;
    } catch (const apmsim::Interrupted&) {
        std::fprintf(stderr, "apmsim: interrupted\n");
        return 130;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "apmsim: internal error: %s\n", e.what());
        return 1;
    }
}
