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
  const auto format = j.is_object() ? j.find("format") : j.end();
  if (format == j.end() || !format->is_string() || format->get<std::string>() != kArgsFormat)
    throw bad(fmt::format("not a {} argument block", kArgsFormat));
  ArgumentBlock b;
  if (j.contains("module") && j["module"].is_object())
    for (const auto& [k, v] : j["module"].items()) {
      if (v.is_number_integer()) b.module.set(k, v.get<int64_t>());
      else if (v.is_number()) b.module.set(k, v.get<double>());
      else if (v.is_string()) b.module.set(k, v.get<std::string>());
    }
  if (!j.contains("tensors") || !j["tensors"].is_array()) throw bad("no tensors list");
  const nlohmann::json& tensors = j["tensors"];
  for (size_t i = 0; i < tensors.size(); ++i) {
    const nlohmann::json& t = tensors[i];
    if (!t.is_object()) throw bad(fmt::format("tensors/{}: not an object", i));
    // Each field is read with its own type; JSON numbers of another kind (negative,
    // fractional) are refused rather than converted.
    const auto field = [&](const char* key) -> const nlohmann::json& {
      const auto it = t.find(key);
      if (it == t.end()) throw bad(fmt::format("tensors/{}: no {}", i, key));
      return *it;
    };
    const auto text_field = [&](const char* key) {
      const nlohmann::json& v = field(key);
      if (!v.is_string()) throw bad(fmt::format("tensors/{}/{}: not a string", i, key));
      return v.get<std::string>();
    };
    const auto whole = [&](const nlohmann::json& v, const std::string& where) {
      if (!v.is_number_unsigned()) throw bad(fmt::format("tensors/{}: not a non-negative integer", where));
      return v.get<uint64_t>();
    };
    TensorArg a;
    a.name = text_field("name");
    a.role = text_field("role");
    a.io = text_field("io");
    const auto f = num::format_from_name(text_field("dtype"));
    if (!f) throw bad(fmt::format("tensor {}: unknown dtype", a.name));
    a.dtype = f->format;
    const nlohmann::json& shape = field("shape");
    if (!shape.is_array()) throw bad(fmt::format("tensors/{}/shape: not an array", i));
    uint64_t bytes = num::info(a.dtype).bytes;
    for (size_t d = 0; d < shape.size(); ++d) {
      a.shape.push_back(whole(shape[d], fmt::format("{}/shape/{}", i, d)));
      if (__builtin_mul_overflow(bytes, a.shape.back(), &bytes))
        throw bad(fmt::format("tensor {}: its shape's bytes overflow 64 bits", a.name));
    }
    a.address = whole(field("address"), fmt::format("{}/address", i));
    b.tensors.push_back(std::move(a));
  }
  return b;
}

}  // namespace cadre::compiler
