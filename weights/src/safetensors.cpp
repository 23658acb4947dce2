#include "cadre/weights/safetensors.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cadre/common/json_text.h"

namespace cadre::weights {
namespace {

using nlohmann::json;

// The safetensors reference implementation refuses headers over 100 MB.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  size_t bytes;
};
constexpr DTypeInfo kDTypes[] = {
#define CADRE_DTYPE_ROW(E, name, bytes) {DType::E, name, bytes},
    CADRE_SAFETENSORS_DTYPES(CADRE_DTYPE_ROW)
#undef CADRE_DTYPE_ROW
};

const DTypeInfo* dtype_by_name(std::string_view name) {
  for (const DTypeInfo& d : kDTypes)
    if (d.name == name) return &d;
  return nullptr;
}

// elements * bytes, or false when it overflows 64 bits.
bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_mul_overflow(a, b, &out); }

}  // namespace

std::string_view dtype_name(DType dtype) { return kDTypes[static_cast<size_t>(dtype)].name; }
size_t dtype_bytes(DType dtype) { return kDTypes[static_cast<size_t>(dtype)].bytes; }

uint64_t TensorView::elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;  // validated not to overflow when the file was read
  return n;
}

// The bytes of a file: either mapped or owned.
struct SafetensorsFile::Storage {
  std::vector<std::byte> owned;
  const std::byte* mapped = nullptr;
  size_t size = 0;

  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage() {
    if (mapped) munmap(const_cast<std::byte*>(mapped), size);
  }
  std::span<const std::byte> bytes() const {
    return mapped ? std::span<const std::byte>(mapped, size) : std::span<const std::byte>(owned);
  }
};

SafetensorsFile::SafetensorsFile(std::shared_ptr<const Storage> storage, std::string source)
    : storage_(std::move(storage)), source_(std::move(source)) {
  parse();
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw SafetensorsReadError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw SafetensorsReadError(fmt::format("{}: not a regular file", path));
  }
  auto storage = std::make_shared<Storage>();
  storage->size = static_cast<size_t>(st.st_size);
  if (storage->size > 0) {
    void* p = mmap(nullptr, storage->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw SafetensorsReadError(fmt::format("{}: cannot map: {}", path, std::strerror(errno)));
    }
    storage->mapped = static_cast<const std::byte*>(p);
  }
  ::close(fd);
  return SafetensorsFile(std::move(storage), path);
}

SafetensorsFile SafetensorsFile::from_bytes(std::vector<std::byte> bytes, std::string source) {
  auto storage = std::make_shared<Storage>();
  storage->owned = std::move(bytes);
  return SafetensorsFile(std::move(storage), std::move(source));
}

void SafetensorsFile::parse() {
  const std::span<const std::byte> file = storage_->bytes();
  const auto fail = [&](const std::string& what) { throw SafetensorsError(fmt::format("{}: {}", source_, what)); };

  if (file.size() < 8) fail(fmt::format("{} bytes: too short for the 8-byte header length", file.size()));
  uint64_t header_bytes = 0;
  for (int i = 7; i >= 0; --i) header_bytes = header_bytes << 8 | std::to_integer<uint64_t>(file[static_cast<size_t>(i)]);
  if (header_bytes > kMaxHeaderBytes)
    fail(fmt::format("header length {} is over the {} byte limit", header_bytes, kMaxHeaderBytes));
  if (header_bytes > file.size() - 8)
    fail(fmt::format("header length {} runs past the end of the file ({} bytes)", header_bytes, file.size()));
  const std::string_view header_text(reinterpret_cast<const char*>(file.data() + 8), header_bytes);
  const std::span<const std::byte> data = file.subspan(8 + header_bytes);

  const json header = common::parse_json<SafetensorsError>(header_text, {source_, "header"});
  if (!header.is_object()) fail("header: must be a JSON object");

  struct Range {
    uint64_t begin, end;
    size_t tensor;
  };
  std::vector<Range> ranges;
  for (auto item = header.begin(); item != header.end(); ++item) {
    // Named copies: clang 14 cannot capture structured bindings in the lambdas below.
    const std::string& name = item.key();
    const json& entry = item.value();
    if (name == "__metadata__") {
      if (!entry.is_object()) fail("header: __metadata__ must be an object of strings");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) fail(fmt::format("header: __metadata__.{} must be a string", key));
        metadata_[key] = value.get<std::string>();
      }
      continue;
    }
    const auto bad = [&](const std::string& what) { fail(fmt::format("tensor '{}': {}", name, what)); };
    if (!entry.is_object()) bad("entry must be an object");
    for (const auto& [key, value] : entry.items())
      if (key != "dtype" && key != "shape" && key != "data_offsets") bad(fmt::format("unknown field '{}'", key));
    if (!entry.contains("dtype") || !entry["dtype"].is_string()) bad("dtype missing or not a string");
    const DTypeInfo* dtype = dtype_by_name(entry["dtype"].get<std::string>());
    if (!dtype) bad(fmt::format("dtype {} is not one Cadre reads (F32, BF16, F8_E4M3, F8_E5M2, I32, I64)",
                                entry["dtype"].dump()));
    if (!entry.contains("shape") || !entry["shape"].is_array()) bad("shape missing or not an array");
    TensorView view{name, dtype->dtype, {}, {}};
    uint64_t elements = 1;
    for (const json& d : entry["shape"]) {
      if (!d.is_number_unsigned()) bad(fmt::format("shape entry {} is not a non-negative integer", d.dump()));
      view.shape.push_back(d.get<uint64_t>());
      if (!checked_mul(elements, view.shape.back(), elements)) bad("shape's element count overflows");
    }
    const json& offsets = entry.contains("data_offsets") ? entry["data_offsets"] : json();
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
      bad("data_offsets must be [begin, end] with non-negative integers");
    const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    if (begin > end) bad(fmt::format("data_offsets [{}, {}] end before they begin", begin, end));
    if (end > data.size())
      bad(fmt::format("data_offsets [{}, {}] run past the end of the data ({} bytes)", begin, end, data.size()));
    uint64_t bytes = 0;
    if (!checked_mul(elements, dtype->bytes, bytes) || bytes != end - begin)
      bad(fmt::format("shape needs {} x {} bytes but data_offsets [{}, {}] hold {}", elements, dtype->bytes, begin,
                      end, end - begin));
    view.bytes = data.subspan(begin, end - begin);
    ranges.push_back({begin, end, tensors_.size()});
    tensors_.push_back(std::move(view));
  }

  // As the format requires: the tensors tile the data exactly, no overlap, no hole.
  std::ranges::sort(ranges, [](const Range& a, const Range& b) { return a.begin < b.begin || (a.begin == b.begin && a.end < b.end); });
  uint64_t covered = 0;
  for (const Range& r : ranges) {
    if (r.begin < covered)
      fail(fmt::format("tensor '{}': data_offsets [{}, {}] overlap an earlier tensor (which ends at {})",
                       tensors_[r.tensor].name, r.begin, r.end, covered));
    if (r.begin > covered)
      fail(fmt::format("bytes [{}, {}) of the data belong to no tensor", covered, r.begin));
    covered = r.end;
  }
  if (covered != data.size()) fail(fmt::format("bytes [{}, {}) of the data belong to no tensor", covered, data.size()));
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  for (const TensorView& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

const TensorView& SafetensorsFile::get(std::string_view name, DType dtype) const {
  const TensorView* t = find(name);
  if (!t) throw SafetensorsError(fmt::format("{}: no tensor '{}'", source_, name));
  if (t->dtype != dtype)
    throw SafetensorsError(fmt::format("{}: tensor '{}' is {}, expected {}", source_, name, dtype_name(t->dtype),
                                       dtype_name(dtype)));
  return *t;
}

std::vector<std::byte> safetensors_bytes(std::span<const TensorToWrite> tensors,
                                         const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const TensorToWrite& t : tensors) {
    uint64_t elements = 1;
    for (uint64_t d : t.shape) elements *= d;
    if (elements * dtype_bytes(t.dtype) != t.bytes.size())
      throw SafetensorsError(fmt::format("tensor '{}': {} bytes given for {} elements of {}", t.name, t.bytes.size(),
                                         elements, dtype_name(t.dtype)));
    header[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // align the data to 8 bytes, as the reference writer does
  std::vector<std::byte> out(8);
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<std::byte>(text.size() >> (8 * i));
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  for (const TensorToWrite& t : tensors) out.insert(out.end(), t.bytes.begin(), t.bytes.end());
  return out;
}

void write_safetensors(const std::string& path, std::span<const TensorToWrite> tensors,
                       const std::map<std::string, std::string>& metadata) {
  const std::vector<std::byte> bytes = safetensors_bytes(tensors, metadata);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw SafetensorsError(fmt::format("{}: cannot write", path));
}

}  // namespace cadre::weights
