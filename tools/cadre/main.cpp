// cadre: the command-line front end of the Cadre toolkit.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cadre/common/json_text.h"
#include "commands.h"
#include "exit_codes.h"
#include "streams.h"

namespace {

// No arguments, or a first argument that is neither an option nor a command:
// the error lists the commands and suggests the closest.
std::string command_error(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string_view> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  if (argc < 2) return fmt::format("cadre: a command is required: {} (cadre --help says more)\n", fmt::join(names, ", "));
  const std::string_view given = argv[1];
  if (given.starts_with('-') || std::ranges::find(names, given) != names.end()) return "";
  const std::string_view best = cadre::common::closest_name(given, names);
  return fmt::format("cadre: '{}' is not a command{}; the commands are: {}\n", given,
                     best.empty() ? "" : fmt::format(" (did you mean {}?)", best), fmt::join(names, ", "));
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cadre::cli;
  guard_standard_streams();
  CLI::App app{"Cadre: MoE accelerator co-design toolkit (ISA, simulator, compiler, GPU reference)", "cadre"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(CADRE_VERSION));
  int exit_code = kExitOk;
#define CADRE_COMMAND(name) add_##name##_command(app, exit_code);
#include "commands.def"
  if (const std::string error = command_error(app, argc, argv); !error.empty()) {
    print_stderr("{}", error);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return finish_stdout(code == 0 ? kExitOk : kExitUsage);
  } catch (const std::exception& e) {
    // A print to stdout throws when the write fails: the output is lost, not a bug.
    if (stdout_failed()) return finish_stdout(kExitIo);
    print_stderr("cadre: internal error: {}\n", e.what());
    return kExitInternal;
  }
  return finish_stdout(exit_code);
}
