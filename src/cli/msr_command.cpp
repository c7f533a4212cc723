// apmsim msr: being written (issue 4).
#include "cli_common.hpp"

namespace apmsim::cli {
int msr_command(int, char**) {
    throw apmsim::InvalidInput("command line", "a command this build has", "\"msr\" (not built yet)");
}
}  // namespace apmsim::cli
