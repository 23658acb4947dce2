// safetensors files the test writes, read back; corrupt ones refused clearly.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "cadre/weights/safetensors.h"

namespace cadre::weights {
namespace {

std::vector<std::byte> as_bytes(const void* p, size_t n) {
  std::vector<std::byte> b(n);
  std::memcpy(b.data(), p, n);
  return b;
}

std::vector<std::byte> sample_file() {
  static const float f32[6] = {1.0f, -2.0f, 3.5f, 0.0f, 1e-3f, 448.0f};
  static const uint8_t e4m3[4] = {0x38, 0xB8, 0x7E, 0x01};
  static const int64_t i64[2] = {-1, 7};
  const TensorToWrite t[] = {
      {"w", DType::F32, {2, 3}, std::as_bytes(std::span(f32))},
      {"q", DType::F8_E4M3, {4}, std::as_bytes(std::span(e4m3))},
      {"ids", DType::I64, {2}, std::as_bytes(std::span(i64))},
      {"empty", DType::BF16, {0, 5}, {}},
  };
  return safetensors_bytes(t, {{"format", "pt"}});
}

// A file with the given header text and `data_bytes` zero bytes of data.
std::vector<std::byte> with_header(const std::string& header, size_t data_bytes) {
  std::vector<std::byte> out(8);
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<std::byte>(header.size() >> (8 * i));
  for (char c : header) out.push_back(static_cast<std::byte>(c));
  out.resize(out.size() + data_bytes);
  return out;
}

std::string error_of(std::vector<std::byte> bytes) {
  try {
    SafetensorsFile::from_bytes(std::move(bytes), "bad.safetensors");
  } catch (const SafetensorsError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Safetensors, RoundTripsInMemoryAndThroughAMappedFile) {
  const std::vector<std::byte> bytes = sample_file();
  const auto path = std::filesystem::temp_directory_path() / "cadre_test_roundtrip.safetensors";
  {
    const SafetensorsFile mem = SafetensorsFile::from_bytes(bytes, "mem");
    std::vector<TensorToWrite> again;
    for (const TensorView& t : mem.tensors()) again.push_back({t.name, t.dtype, t.shape, t.bytes});
    write_safetensors(path.string(), again, mem.metadata());
  }
  const SafetensorsFile f = SafetensorsFile::open(path.string());
  EXPECT_EQ(f.metadata().at("format"), "pt");
  ASSERT_EQ(f.tensors().size(), 4u);
  const TensorView& w = f.get("w", DType::F32);
  EXPECT_EQ(w.shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(w.elements(), 6u);
  float values[6];
  std::memcpy(values, w.bytes.data(), sizeof values);
  EXPECT_EQ(values[2], 3.5f);
  EXPECT_EQ(values[5], 448.0f);
  EXPECT_EQ(std::to_integer<int>(f.get("q", DType::F8_E4M3).bytes[2]), 0x7E);
  EXPECT_EQ(f.get("empty", DType::BF16).bytes.size(), 0u);
  EXPECT_EQ(f.find("missing"), nullptr);
  EXPECT_THROW(f.get("w", DType::BF16), SafetensorsError);
  std::filesystem::remove(path);
}

TEST(Safetensors, HeaderIsPaddedSoDataIsAligned) {
  const std::vector<std::byte> bytes = sample_file();
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ((8 + n) % 8, 0u);
}

TEST(Safetensors, TruncatedFilesAreRefused) {
  EXPECT_EQ(error_of(as_bytes("abc", 3)), "bad.safetensors: 3 bytes: too short for the 8-byte header length");
  std::vector<std::byte> cut = sample_file();
  cut.resize(cut.size() - 4);
  EXPECT_NE(error_of(cut).find("run past the end of the data"), std::string::npos) << error_of(cut);
  std::vector<std::byte> header_only = sample_file();
  header_only.resize(20);
  EXPECT_NE(error_of(header_only).find("runs past the end of the file"), std::string::npos);
}

TEST(Safetensors, HugeHeaderLengthIsRefusedBeforeReading) {
  std::vector<std::byte> b(16, std::byte{0xFF});
  EXPECT_EQ(error_of(b), "bad.safetensors: header length 18446744073709551615 is over the 100000000 byte limit");
}

TEST(Safetensors, OverlapsAndHolesAreRefused) {
  EXPECT_EQ(error_of(with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                 12)),
            "bad.safetensors: tensor 'b': data_offsets [4, 12] overlap an earlier tensor (which ends at 8)");
  EXPECT_EQ(error_of(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8)),
            "bad.safetensors: bytes [0, 4) of the data belong to no tensor");
}

TEST(Safetensors, HeaderFieldsAreValidated) {
  EXPECT_EQ(error_of(with_header(R"({"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})", 2)),
            "bad.safetensors: tensor 'a': dtype \"F16\" is not one Cadre reads (F32, BF16, F8_E4M3, F8_E5M2, I32, I64)");
  EXPECT_EQ(error_of(with_header(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)),
            "bad.safetensors: tensor 'a': shape needs 3 x 4 bytes but data_offsets [0, 8] hold 8");
  EXPECT_EQ(error_of(with_header(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4)),
            "bad.safetensors: tensor 'a': shape entry -1 is not a non-negative integer");
  EXPECT_EQ(error_of(with_header(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}})", 4)),
            "bad.safetensors: tensor 'a': shape's element count overflows");
  EXPECT_EQ(error_of(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", 8)),
            "bad.safetensors: tensor 'a': data_offsets [8, 4] end before they begin");
  EXPECT_EQ(error_of(with_header(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})", 4)),
            "bad.safetensors: tensor 'a': unknown field 'x'");
  EXPECT_EQ(error_of(with_header(R"({"__metadata__":{"k":1}})", 0)),
            "bad.safetensors: header: __metadata__.k must be a string");
  EXPECT_EQ(error_of(with_header("[]", 0)), "bad.safetensors: header: must be a JSON object");
  const std::string e = error_of(with_header("{\"a\": {", 0));
  EXPECT_EQ(e.rfind("bad.safetensors: header 1:8: malformed JSON:", 0), 0u) << e;
}

TEST(Safetensors, NumbersTooLargeForAnyTypeAreRefused) {
  // Found by fuzz_safetensors: nlohmann reports this as out_of_range, not parse_error.
  EXPECT_EQ(error_of(with_header(R"({"a":{"dtype":"F32","shape":[1e999],"data_offsets":[0,4]}})", 4)),
            "bad.safetensors: header /a/shape/0: number out of range");
}

TEST(Safetensors, WriterRefusesBytesThatDoNotMatchTheShape) {
  const float one = 1.0f;
  const TensorToWrite t[] = {{"a", DType::F32, {2}, std::as_bytes(std::span(&one, 1))}};
  EXPECT_THROW(safetensors_bytes(t), SafetensorsError);
}

TEST(Safetensors, MissingFileIsAClearError) {
  try {
    SafetensorsFile::open("/nonexistent/w.safetensors");
    ADD_FAILURE();
  } catch (const SafetensorsError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/w.safetensors: cannot open: No such file or directory");
  }
}

}  // namespace
}  // namespace cadre::weights
