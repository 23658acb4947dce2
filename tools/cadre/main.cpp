// cadre: the command-line front end of the Cadre toolkit.
#include <fmt/format.h>

#include <exception>

#include "commands.h"
#include "exit_codes.h"

int main(int argc, char** argv) {
  using namespace cadre::cli;
  CLI::App app{"Cadre: MoE accelerator co-design toolkit (ISA, simulator, compiler, GPU reference)", "cadre"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(CADRE_VERSION));
  int exit_code = kExitOk;
#define CADRE_COMMAND(name) add_##name##_command(app, exit_code);
#include "commands.def"
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "cadre: internal error: {}\n", e.what());
    return kExitInternal;
  }
  return exit_code;
}
