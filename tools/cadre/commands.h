// The subcommands of `cadre`. Each adds itself to the application and sets
// `exit_code` when it runs.
#pragma once

#include <CLI/CLI.hpp>

namespace cadre::cli {

#define CADRE_COMMAND(name) void add_##name##_command(CLI::App& app, int& exit_code);
#include "commands.def"

}  // namespace cadre::cli
