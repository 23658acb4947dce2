// Reading and writing safetensors files: an 8-byte little-endian header
// length, a JSON header naming each tensor's dtype, shape and byte range, then
// the data. Reading memory-maps the file and validates the whole header first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cadre::weights {

// The element types Cadre reads and writes: one row each.
#define CADRE_SAFETENSORS_DTYPES(X) \
  X(F32, "F32", 4)                  \
  X(BF16, "BF16", 2)                \
  X(F8_E4M3, "F8_E4M3", 1)          \
  X(F8_E5M2, "F8_E5M2", 1)          \
  X(I32, "I32", 4)                  \
  X(I64, "I64", 8)

enum class DType : uint8_t {
#define CADRE_DTYPE_ENUM(E, name, bytes) E,
  CADRE_SAFETENSORS_DTYPES(CADRE_DTYPE_ENUM)
#undef CADRE_DTYPE_ENUM
};
std::string_view dtype_name(DType dtype);
size_t dtype_bytes(DType dtype);

class SafetensorsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The file could not be opened, mapped or is not a regular file (as opposed to
// one that was read and is malformed).
class SafetensorsReadError : public SafetensorsError {
 public:
  using SafetensorsError::SafetensorsError;
};

struct TensorView {
  std::string name;
  DType dtype;
  std::vector<uint64_t> shape;
  std::span<const std::byte> bytes;  // into the mapped file
  uint64_t elements() const;
};

class SafetensorsFile {
 public:
  // Maps and validates a file; errors name the file and what is wrong where.
  static SafetensorsFile open(const std::string& path);
  // Validates a file already in memory (the fuzzer and tests use this).
  static SafetensorsFile from_bytes(std::vector<std::byte> bytes, std::string source);

  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find(std::string_view name) const;
  // Like find, but throws naming the file when the tensor is absent or not of this dtype.
  const TensorView& get(std::string_view name, DType dtype) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::string& source() const { return source_; }

 private:
  struct Storage;
  SafetensorsFile(std::shared_ptr<const Storage> storage, std::string source);
  void parse();

  std::shared_ptr<const Storage> storage_;
  std::string source_;
  std::vector<TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

struct TensorToWrite {
  std::string name;
  DType dtype;
  std::vector<uint64_t> shape;
  std::span<const std::byte> bytes;
};

// Writes tensors in the order given; throws SafetensorsError when a tensor's
// bytes do not match its shape or the file cannot be written.
void write_safetensors(const std::string& path, std::span<const TensorToWrite> tensors,
                       const std::map<std::string, std::string>& metadata = {});
std::vector<std::byte> safetensors_bytes(std::span<const TensorToWrite> tensors,
                                         const std::map<std::string, std::string>& metadata = {});

}  // namespace cadre::weights
