#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "cli.h"
#include "frontend/onnx/import.h"
#include "frontend/tflite/import.h"
#include "ir/parser.h"
#include "ir/verifier.h"
#include "ops/evaluate.h"
#include "passes/graph_util.h"
#include "support/file.h"
#include "support/npy.h"
#include "support/safe_fs.h"

namespace ember::cli {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* NpyDescr(ir::DType t) {
  switch (t) {
    case ir::DType::kInt8: return "|i1";
    case ir::DType::kUInt8: return "|u1";
    case ir::DType::kInt16: return "<i2";
    case ir::DType::kInt32: return "<i4";
    case ir::DType::kInt64: return "<i8";
    case ir::DType::kFloat32: return "<f4";
    case ir::DType::kBool: return "|b1";
  }
  return "";
}

bool SameDescr(const std::string& a, const std::string& b) {
  // '<', '|' and '=' all mean little-endian/native here for the types we read.
  return a.size() == b.size() && a.size() >= 2 && a.substr(1) == b.substr(1);
}

// Bytes of a tensor of dtype `t.dtype` and shape `shape`, transposed by perm.
std::vector<uint8_t> Permuted(const ir::Tensor& t, const ir::Shape& shape, std::vector<uint8_t> bytes,
                              const std::vector<int64_t>& perm) {
  ir::Tensor c;
  c.dtype = t.dtype;
  c.shape = shape;
  c.data = std::move(bytes);
  return *passes::TransposeConstant(c, perm).data;
}

// The source model's NCHW shape of an input/output that the layout pass made
// NHWC (Tensor::source_layout, docs/passes.md), or an empty shape.
ir::Shape SourceNchwShape(const ir::Tensor& t) {
  if (t.source_layout != "NCHW" || t.shape.size() != 4) return {};
  return {t.shape[0], t.shape[3], t.shape[1], t.shape[2]};
}

Diagnostic TensorFileError(const std::string& path, const std::string& what) {
  return MakeDiag("E0403", ExitCode::kUsage, "'" + path + "': " + what,
                  "tensor files are .npy (numpy.save) or .bin (the tensor's raw bytes); 'zeros', "
                  "'random' or 'random:SEED' make an input up");
}

}  // namespace

int Report(const Diagnostic& d) {
  std::fprintf(stderr, "%s\n", d.ToString().c_str());
  return static_cast<int>(d.exit);
}

void AddInputShapeOption(CLI::App* cmd, std::vector<std::string>* values) {
  cmd->add_option("--input-shape", *values,
                  "ONNX models: fix the dynamic dimensions of an input, NAME=1x3x96x96 (repeat per input)");
}

Expected<ir::Graph> ImportModel(const std::string& path, const std::vector<std::string>& input_shapes) {
  if (!input_shapes.empty() && !EndsWith(path, ".onnx")) {
    return MakeDiag("E1009", ExitCode::kUsage, "--input-shape applies to ONNX models only; '" + path + "' is not one",
                    "TFLite and IR models have static shapes; drop --input-shape");
  }
  if (EndsWith(path, ".ir")) {
    EMBER_ASSIGN_OR_RETURN(const std::string text, ReadFileText(path, ir::kMaxIrTextBytes, "an IR text model"));
    auto g = ir::Parse(text);
    if (!g.ok()) {
      Diagnostic d = g.diag();
      d.message = path + ":" + d.message;
      return d;
    }
    EMBER_RETURN_IF_ERROR(ir::Verify(*g));
    EMBER_RETURN_IF_ERROR(ops::CheckGraph(*g));
    return g;
  }
  if (EndsWith(path, ".onnx")) {
    frontend::onnx::ImportOptions options;
    for (const std::string& s : input_shapes) {
      EMBER_RETURN_IF_ERROR(frontend::onnx::ParseInputShapeFlag(s, &options.input_shapes));
    }
    return frontend::onnx::ImportOnnxFile(path, options);
  }
  return frontend::tflite::ImportTfliteFile(path);
}

// `zeros`, `random` or `random:SEED` instead of a file: the tensor's bytes
// made up (random: uniform over the int type's range, or in [-1, 1) for
// float; input i of the model uses SEED + i, so inputs differ). nullopt for
// a file name.
std::optional<Expected<std::vector<uint8_t>>> MadeUpTensor(const std::string& spec, const ir::Tensor& t, size_t index) {
  if (spec == "zeros") return Expected<std::vector<uint8_t>>(std::vector<uint8_t>(static_cast<size_t>(t.size_bytes()), 0));
  if (spec != "random" && spec.rfind("random:", 0) != 0) return std::nullopt;
  uint64_t seed = 1;
  if (spec != "random") {
    const std::string digits = spec.substr(7);
    char* end = nullptr;
    errno = 0;
    seed = std::strtoull(digits.c_str(), &end, 10);
    if (digits.empty() || digits[0] == '-' || *end != '\0' || errno != 0)
      return Expected<std::vector<uint8_t>>(MakeDiag("E0409", ExitCode::kUsage,
                                                     "--input '" + spec + "': the seed is not a whole number",
                                                     "write random, random:SEED (e.g. random:7) or zeros"));
  }
  uint64_t x = (seed + index) * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
  auto next = [&x] {  // splitmix64
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::vector<uint8_t> bytes(static_cast<size_t>(t.size_bytes()));
  const size_t n = static_cast<size_t>(t.num_elements());
  const size_t width = n ? bytes.size() / n : 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t r = next();
    if (t.dtype == ir::DType::kFloat32) {
      const float v = static_cast<float>(static_cast<double>(r >> 11) / 9007199254740992.0 * 2.0 - 1.0);
      std::memcpy(&bytes[i * 4], &v, 4);
    } else if (t.dtype == ir::DType::kBool) {
      bytes[i] = static_cast<uint8_t>(r & 1);
    } else {
      std::memcpy(&bytes[i * width], &r, width);  // every bit pattern of the int type
    }
  }
  return Expected<std::vector<uint8_t>>(std::move(bytes));
}

Expected<std::vector<uint8_t>> ReadTensorFile(const std::string& path, const ir::Tensor& t,
                                              size_t index) {
  if (auto made = MadeUpTensor(path, t, index)) return std::move(*made);
  const std::string what_tensor = "input " + std::to_string(index) + " ('" + t.name + "', " +
                                  ir::DTypeName(t.dtype) + ir::ShapeToString(t.shape) + ", " +
                                  std::to_string(t.size_bytes()) + " bytes)";
  // A .npy header is at most kNpyMaxPrefixBytes; a .bin holds the bytes only.
  const uint64_t limit = static_cast<uint64_t>(t.size_bytes()) + kNpyMaxPrefixBytes;
  EMBER_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, limit, "a tensor file of " + what_tensor));
  if (EndsWith(path, ".npy")) {
    EMBER_ASSIGN_OR_RETURN(NpyArray a, ParseNpy(bytes, path));
    if (!SameDescr(a.descr, NpyDescr(t.dtype))) {
      return MakeDiag("E0405", ExitCode::kUsage,
                      "'" + path + "' holds numpy dtype '" + a.descr + "' but " + what_tensor +
                          " needs '" + NpyDescr(t.dtype) + "'",
                      "convert it first, e.g. numpy.save(path, x.astype(numpy." +
                          std::string(t.dtype == ir::DType::kFloat32 ? "float32" : "int8") + "))");
    }
    // A model whose source is NCHW takes its NCHW arrays as they are.
    const ir::Shape nchw = SourceNchwShape(t);
    if (!nchw.empty() && ir::Shape(a.shape.begin(), a.shape.end()) == nchw &&
        static_cast<int64_t>(a.data.size()) == t.size_bytes())
      return Permuted(t, nchw, std::move(a.data), {0, 2, 3, 1});
    if (static_cast<int64_t>(a.data.size()) != t.size_bytes()) {
      std::string shape = "[";
      for (size_t i = 0; i < a.shape.size(); ++i) shape += (i ? "," : "") + std::to_string(a.shape[i]);
      return MakeDiag("E0406", ExitCode::kUsage,
                      "'" + path + "' has shape " + shape + "] but " + what_tensor + " differs",
                      "reshape the array to the model's input shape");
    }
    return std::move(a.data);
  }
  if (EndsWith(path, ".bin")) {
    if (static_cast<int64_t>(bytes.size()) != t.size_bytes()) {
      return MakeDiag("E0407", ExitCode::kUsage,
                      "'" + path + "' has " + std::to_string(bytes.size()) + " bytes but " +
                          what_tensor + " needs exactly " + std::to_string(t.size_bytes()),
                      "a .bin input must hold the tensor's raw bytes, row-major, nothing else");
    }
    return bytes;
  }
  return TensorFileError(path, "unknown extension (expected .npy or .bin)");
}

Status WriteTensorFile(const std::string& path, const ir::Tensor& t,
                       const std::vector<uint8_t>& bytes) {
  if (EndsWith(path, ".npy")) {
    NpyArray a;
    a.descr = NpyDescr(t.dtype);
    a.shape = t.shape;
    a.data = bytes;
    // An output that the source model gives as NCHW is written as NCHW.
    const ir::Shape nchw = SourceNchwShape(t);
    if (!nchw.empty() && static_cast<int64_t>(bytes.size()) == t.size_bytes()) {
      a.shape = nchw;
      a.data = Permuted(t, t.shape, bytes, {0, 3, 1, 2});
    }
    const std::vector<uint8_t> out = SerializeNpy(a);
    return WriteFileAtomic(path, std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
  }
  if (EndsWith(path, ".bin"))
    return WriteFileAtomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  return TensorFileError(path, "unknown extension (expected .npy or .bin)");
}

// Prints up to `limit` values of an output tensor, dequantized when quantized.
void PrintTensorValues(const ir::Tensor& t, const std::vector<uint8_t>& bytes, size_t limit) {
  const int64_t n = t.num_elements();
  const bool quant = t.quant && !t.quant->per_axis() && !t.quant->scale.empty();
  for (int64_t i = 0; i < n && static_cast<size_t>(i) < limit; ++i) {
    double v = 0;
    switch (t.dtype) {
      case ir::DType::kInt8: v = static_cast<int8_t>(bytes[static_cast<size_t>(i)]); break;
      case ir::DType::kUInt8: case ir::DType::kBool: v = bytes[static_cast<size_t>(i)]; break;
      case ir::DType::kInt16: { int16_t x; std::memcpy(&x, &bytes[static_cast<size_t>(i) * 2], 2); v = x; break; }
      case ir::DType::kInt32: { int32_t x; std::memcpy(&x, &bytes[static_cast<size_t>(i) * 4], 4); v = x; break; }
      case ir::DType::kInt64: { int64_t x; std::memcpy(&x, &bytes[static_cast<size_t>(i) * 8], 8); v = static_cast<double>(x); break; }
      case ir::DType::kFloat32: { float x; std::memcpy(&x, &bytes[static_cast<size_t>(i) * 4], 4); v = x; break; }
    }
    if (quant) {
      const double real = t.quant->scale[0] * (v - static_cast<double>(t.quant->zero_point[0]));
      std::printf("  [%lld] %g  (real %.6g)\n", static_cast<long long>(i), v, real);
    } else {
      std::printf("  [%lld] %.9g\n", static_cast<long long>(i), v);
    }
  }
  if (static_cast<size_t>(n) > limit) std::printf("  ... (%lld values in all)\n", static_cast<long long>(n));
}


std::string DescribeTensor(const ir::Tensor& t) {
  std::string s = std::string(ir::DTypeName(t.dtype)) + ir::ShapeToString(t.shape);
  if (t.quant && !t.quant->scale.empty()) {
    char buf[96];
    if (t.quant->per_axis()) {
      std::snprintf(buf, sizeof buf, " per-axis(axis=%d, %zu scales)", t.quant->axis,
                    t.quant->scale.size());
    } else {
      std::snprintf(buf, sizeof buf, " scale=%.9g zero_point=%lld", static_cast<double>(t.quant->scale[0]),
                    static_cast<long long>(t.quant->zero_point.empty() ? 0 : t.quant->zero_point[0]));
    }
    s += buf;
  }
  return s;
}

}  // namespace ember::cli
