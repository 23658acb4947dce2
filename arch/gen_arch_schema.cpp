// Writes configs/arch/schema.json from the field table, or with --check says
// whether the checked-in copy is current (the arch_schema_current test).
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "cadre/arch/arch_json.h"

int main(int argc, char** argv) {
  const bool check = argc == 3 && std::string_view(argv[1]) == "--check";
  if (argc != 2 && !check) {
    std::fprintf(stderr, "usage: %s OUT.json | --check schema.json\n", argv[0]);
    return 2;
  }
  const std::string path = argv[argc - 1];
  const std::string schema = cadre::arch::arch_schema().dump(2) + "\n";
  if (check) {
    std::ifstream in(path, std::ios::binary);
    const std::string current((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (current == schema) return 0;
    std::fprintf(stderr, "%s is stale: rebuild the arch-schema target\n", path.c_str());
    return 1;
  }
  std::ofstream out(path, std::ios::binary);
  out << schema;
  return out ? 0 : 1;
}
