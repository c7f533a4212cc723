// The command-line application as a whole (cli_common.hpp): built once by main.cpp and by
// the CLI fuzz target (tests/fuzz/fuzz_cli.cpp), which parses without running commands.
#include "cli_common.hpp"

#include "apmsim/version.hpp"

#include <cstdio>

namespace apmsim::cli {

namespace {
std::function<void(const CLI::App&)>& parse_only_check() {
    static std::function<void(const CLI::App&)> check;
    return check;
}
}  // namespace

void set_parse_only_check(std::function<void(const CLI::App&)> check) { parse_only_check() = std::move(check); }

std::function<void()> action(const CLI::App* command, std::function<void()> run) {
    return [command, run = std::move(run)] {
        if (const auto& check = parse_only_check()) check(*command);
        else run();
    };
}

std::unique_ptr<CLI::App> make_app() {
    auto app = std::make_unique<CLI::App>("apmsim " + std::string(apmsim::version) +
                                              ": actuarial payment-model simulation for children with medical complexity.\n"
                                              "Simulates a program's costs member by member and settles payment models on them.",
                                          "apmsim");
    app->set_version_flag("--version", "apmsim " + std::string(apmsim::version));
    app->require_subcommand(1);
    app->fallthrough(false);
    app->footer("apmsim COMMAND --help describes a command's options and their defaults.");
    add_run_commands(*app);
    add_sweep_commands(*app);
    add_solve_command(*app);
    add_msr_command(*app);
    add_aggregate_command(*app);
    add_decompose_command(*app);
    add_synth_command(*app);
    add_calibrate_command(*app);
    add_monitor_command(*app);
    return app;
}

namespace {

/// A first argument that is not an option must be a command (CLI11 would call it missing).
void check_command_name(const CLI::App& app, int argc, char** argv) {
    if (argc < 2 || argv[1][0] == '-') return;
    std::string names;
    for (const CLI::App* sub : app.get_subcommands({})) {
        if (sub->get_name() == argv[1]) return;
        names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    throw apmsim::InvalidInput("command line", "a command: " + names, "\"" + shorten(argv[1]) + "\"");
}

}  // namespace

int run_command_line(CLI::App& app, int argc, char** argv) {
    try {
        check_command_name(app, argc, argv);
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
    } catch (const apmsim::OutputError& e) {
        std::fprintf(stderr, "apmsim: error: %s\n", e.what());
        return 1;
    } catch (const apmsim::Interrupted&) {
        std::fprintf(stderr, "apmsim: interrupted\n");
        return 130;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "apmsim: internal error: %s\n", e.what());
        return 1;
    }
}

}  // namespace apmsim::cli
