// Writes rtl/generated/ from the architecture field table, or with --check
// says whether the checked-in files are current (the rtl_params_current test).
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "cadre/arch/arch_json.h"
#include "cadre/rtl/parameters.h"

namespace {

// The preset whose values are the declarations' defaults (what lint elaborates).
constexpr std::string_view kDefaultsPreset = "small";

bool same(const std::string& path, const std::string& text) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()) == text;
}

}  // namespace

int main(int argc, char** argv) {
  const bool check = argc == 3 && std::string_view(argv[1]) == "--check";
  if (argc != 2 && !check) {
    std::fprintf(stderr, "usage: %s DIR | --check DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[argc - 1];
  const cadre::arch::ArchConfig cfg = cadre::arch::load_arch(kDefaultsPreset);
  const std::pair<std::string, std::string> files[] = {
      {dir + "/cadre_matrix_params.svh", cadre::rtl::parameter_declarations(cfg)},
      {dir + "/cadre_matrix_params.cmake", cadre::rtl::parameter_cmake_list(cfg)}};
  int status = 0;
  for (const auto& [path, text] : files) {
    if (check) {
      if (!same(path, text)) {
        std::fprintf(stderr, "%s is stale: rebuild the rtl-params target\n", path.c_str());
        status = 1;
      }
      continue;
    }
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) status = 1;
  }
  return status;
}
