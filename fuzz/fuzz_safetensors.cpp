// Any byte string given to the safetensors reader is either read or refused
// with SafetensorsError; anything else escaping (or a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "cadre/weights/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::byte> bytes(size);
  if (size > 0) std::memcpy(bytes.data(), data, size);
  try {
    const auto file = cadre::weights::SafetensorsFile::from_bytes(std::move(bytes), "fuzz");
    size_t total = 0;
    for (const auto& t : file.tensors()) total += t.bytes.size();  // touch every tensor view
    (void)total;
  } catch (const cadre::weights::SafetensorsError&) {
  }
  return 0;
}
