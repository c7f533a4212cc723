// apmsim aggregate: being written (issue 4).
#include "cli_common.hpp"

namespace apmsim::cli {
int aggregate_command(int, char**) {
    throw apmsim::InvalidInput("command line", "a command this build has", "\"aggregate\" (not built yet)");
}
}  // namespace apmsim::cli
