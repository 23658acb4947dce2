// cadre: the command-line front end of the Cadre toolkit.
#include <fmt/format.h>

#include <exception>

#include "commands.h"
#include "exit_codes.h"
#include "streams.h"

int main(int argc, char** argv) {
  using namespace cadre::cli;
  guard_standard_streams();
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
    return finish_stdout(code == 0 ? kExitOk : kExitUsage);
  } catch (const std::exception& e) {
    // A print to stdout throws when the write fails: the output is lost, not a bug.
    if (stdout_failed()) return finish_stdout(kExitIo);
    print_stderr("cadre: internal error: {}\n", e.what());
    return kExitInternal;
  }
  return finish_stdout(exit_code);
}
