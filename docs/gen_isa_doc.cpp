// gen_isa_doc TEMPLATE OUT      writes OUT: TEMPLATE with @INSTRUCTION_REFERENCE@ replaced
// gen_isa_doc TEMPLATE --check OUT   exits 1, saying so, when OUT differs from what would be written
#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cadre/isa/isa_doc.h"

namespace {

bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const bool check = argc == 4 && std::string(argv[2]) == "--check";
  if (argc != 3 && !check) {
    fmt::print(stderr, "usage: gen_isa_doc TEMPLATE [--check] OUT\n");
    return 2;
  }
  const std::string out_path = argv[argc - 1];
  std::string text;
  if (!read_file(argv[1], text)) {
    fmt::print(stderr, "gen_isa_doc: cannot read {}\n", argv[1]);
    return 2;
  }
  const std::string marker = "@INSTRUCTION_REFERENCE@";
  const size_t at = text.find(marker);
  if (at == std::string::npos) {
    fmt::print(stderr, "gen_isa_doc: {} has no {}\n", argv[1], marker);
    return 2;
  }
  text.replace(at, marker.size(), cadre::isa::instruction_reference_markdown());
  if (check) {
    std::string current;
    if (!read_file(out_path, current) || current != text) {
      fmt::print(stderr,
                 "{} is stale: it no longer matches the ISA table. Rebuild it with\n"
                 "  cmake --build --preset release --target docs-isa\n",
                 out_path);
      return 1;
    }
    return 0;
  }
  std::ofstream out(out_path, std::ios::binary);
  out << text;
  return out ? 0 : 2;
}
