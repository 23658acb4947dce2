#include "cadre/compiler/argument_block.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cadre/common/json_text.h"

namespace cadre::compiler {

uint64_t TensorArg::bytes() const { return TensorType{dtype, shape}.bytes(); }

const TensorArg* ArgumentBlock::find(std::string_view role) const {
  for (const TensorArg& t : tensors)
    if (t.role == role) return &t;
  return nullptr;
}

ArgumentBlock argument_block(const Module& m) {
  if (!m.program) throw IrError("the module has no tile program");
  ArgumentBlock b;
  b.module = m.attrs;
  for (const HbmDecl& t : m.program->tensors) {
    if (!t.address) throw IrError(fmt::format("tensor @{} has no address (run allocate)", t.name));
    b.tensors.push_back({t.name, t.attrs.get_string("role", t.name), t.attrs.get_string("io", "scratch"), t.type.dtype,
                         t.type.shape, *t.address});
  }
  return b;
}

std::string to_json(const ArgumentBlock& b) {
  nlohmann::ordered_json j;
  j["format"] = kArgsFormat;
  nlohmann::ordered_json mod = nlohmann::ordered_json::object();
  for (const Attr& a : b.module.items) std::visit([&](const auto& v) { mod[a.key] = v; }, a.value);
  j["module"] = mod;
  j["tensors"] = nlohmann::ordered_json::array();
  for (const TensorArg& t : b.tensors)
    j["tensors"].push_back({{"name", t.name}, {"role", t.role}, {"io", t.io}, {"dtype", num::info(t.dtype).name},
                            {"shape", t.shape}, {"address", t.address}, {"bytes", t.bytes()}});
  return j.dump(1);
}

ArgumentBlock parse_argument_block(std::string_view text) {
  nlohmann::json j;
  try {
    j = common::parse_json_strict(text);
  } catch (const common::JsonTextError& e) {
    throw std::invalid_argument(e.message_for(kArgsSection));
  }
  const auto bad = [](const std::string& what) { return std::invalid_argument(fmt::format("{}: {}", kArgsSection, what)); };
  if (!j.is_object() || j.value("format", "") != kArgsFormat)
    throw bad(fmt::format("not a {} argument block", kArgsFormat));
  ArgumentBlock b;
  if (j.contains("module") && j["module"].is_object())
    for (const auto& [k, v] : j["module"].items()) {
      if (v.is_number_integer()) b.module.set(k, v.get<int64_t>());
      else if (v.is_number()) b.module.set(k, v.get<double>());
      else if (v.is_string()) b.module.set(k, v.get<std::string>());
    }
  if (!j.contains("tensors") || !j["tensors"].is_array()) throw bad("no tensors list");
  for (const auto& t : j["tensors"]) {
    try {
      TensorArg a;
      a.name = t.at("name").get<std::string>();
      a.role = t.at("role").get<std::string>();
      a.io = t.at("io").get<std::string>();
      const auto f = num::format_from_name(t.at("dtype").get<std::string>());
      if (!f) throw bad(fmt::format("tensor {}: unknown dtype", a.name));
      a.dtype = f->format;
      a.shape = t.at("shape").get<std::vector<uint64_t>>();
      a.address = t.at("address").get<uint64_t>();
      b.tensors.push_back(std::move(a));
    } catch (const nlohmann::json::exception& e) {
      throw bad(fmt::format("tensor entry {}: {}", t.dump(), e.what()));
    }
  }
  return b;
}

}  // namespace cadre::compiler
