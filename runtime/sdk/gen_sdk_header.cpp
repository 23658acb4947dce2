// gen_sdk_header OUT          writes the SDK's Xcadre header made from the ISA table
// gen_sdk_header --check OUT  exits 1, saying so, when OUT differs from what would be written
#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cadre/isa/sdk_header.h"

int main(int argc, char** argv) {
  const bool check = argc == 3 && std::string(argv[1]) == "--check";
  if (argc != 2 && !check) {
    fmt::print(stderr, "usage: gen_sdk_header [--check] OUT\n");
    return 2;
  }
  const std::string path = argv[argc - 1];
  const std::string text = cadre::isa::sdk_c_header();
  if (check) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream current;
    current << in.rdbuf();
    if (!in || current.str() != text) {
      fmt::print(stderr,
                 "{} is stale: it no longer matches the ISA table. Rebuild it with\n"
                 "  cmake --build --preset release --target sdk-header\n",
                 path);
      return 1;
    }
    return 0;
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    fmt::print(stderr, "gen_sdk_header: cannot write {}\n", path);
    return 1;
  }
  return 0;
}
