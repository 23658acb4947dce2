// Fuzz target: the safetensors reader on arbitrary bytes. Any input is either
// refused with SafetensorsError or read into tensors whose byte views lie in
// the input's data, hold exactly their shape's bytes, and are read here byte
// by byte (so a view outside the buffer is seen); written back out, the
// tensors read back the same. Anything else escaping (another exception, a
// crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

#include "cadre/weights/safetensors.h"

namespace {

using namespace cadre::weights;

// Every byte of every tensor, by name, checked against the buffer it came from.
std::map<std::string, std::vector<std::byte>> read_all(const SafetensorsFile& file, const std::byte* begin,
                                                       const std::byte* end) {
  std::map<std::string, std::vector<std::byte>> out;
  for (const TensorView& t : file.tensors()) {
    if (t.bytes.size() != t.elements() * dtype_bytes(t.dtype)) __builtin_trap();
    if (!t.bytes.empty() && (t.bytes.data() < begin || t.bytes.data() + t.bytes.size() > end)) __builtin_trap();
    if (file.find(t.name) != &t || &file.get(t.name, t.dtype) != &t) __builtin_trap();
    std::vector<std::byte>& copy = out[t.name];
    for (const std::byte b : t.bytes) copy.push_back(b);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::byte> bytes(size);
  if (size > 0) std::memcpy(bytes.data(), data, size);
  const std::byte* begin = bytes.data();  // a moved vector keeps its buffer
  try {
    const SafetensorsFile file = SafetensorsFile::from_bytes(std::move(bytes), "fuzz");
    const auto contents = read_all(file, begin, begin + size);
    if (contents.size() != file.tensors().size()) __builtin_trap();

    std::vector<TensorToWrite> tensors;
    for (const TensorView& t : file.tensors()) tensors.push_back({t.name, t.dtype, t.shape, t.bytes});
    std::vector<std::byte> written = safetensors_bytes(tensors, file.metadata());
    const std::byte* written_begin = written.data();
    const size_t written_size = written.size();
    const SafetensorsFile again = SafetensorsFile::from_bytes(std::move(written), "written");
    if (read_all(again, written_begin, written_begin + written_size) != contents) __builtin_trap();
    if (again.metadata() != file.metadata()) __builtin_trap();
    for (const TensorView& t : file.tensors()) {
      const TensorView* back = again.find(t.name);
      if (!back || back->dtype != t.dtype || back->shape != t.shape) __builtin_trap();
    }
  } catch (const SafetensorsError&) {
  }
  return 0;
}
