#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "cli.h"
#include "frontend/model_file.h"
#include "frontend/onnx/import.h"
#include "frontend/tflite/import.h"
#include "ir/parser.h"
#include "ir/verifier.h"
#include "ops/evaluate.h"
#include "passes/graph_util.h"
#include "quantize/calibration_data.h"
#include "support/file.h"
#include "support/npy.h"
#include "support/safe_fs.h"

namespace ember::cli {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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

// The source model's NCHW (NCW) shape of an input/output that the layout
// pass made NHWC (NWC) (Tensor::source_layout, docs/passes.md), or an empty
// shape.
ir::Shape SourceNchwShape(const ir::Tensor& t) {
  if (t.source_layout == "NCW" && t.shape.size() == 3) return {t.shape[0], t.shape[2], t.shape[1]};
  if (t.source_layout != "NCHW" || t.shape.size() != 4) return {};
  return {t.shape[0], t.shape[3], t.shape[1], t.shape[2]};
}

// The perm from the source layout to the compiled one (to_source: back).
std::vector<int64_t> SourcePerm(const ir::Tensor& t, bool to_source) {
  if (t.shape.size() == 3) return {0, 2, 1};
  return to_source ? std::vector<int64_t>{0, 3, 1, 2} : std::vector<int64_t>{0, 2, 3, 1};
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
  std::vector<Diagnostic> warnings;
  auto g = frontend::ImportModelFile(path, input_shapes, "--input-shape", &warnings);
  // Several warnings of one kind (one per bias of a model) print once, with a count.
  for (size_t i = 0; i < warnings.size();) {
    size_t n = 1;
    while (i + n < warnings.size() && warnings[i + n].id == warnings[i].id) ++n;
    Diagnostic d = warnings[i];
    if (n > 1) d.message += " (and " + std::to_string(n - 1) + " more like it)";
    std::fprintf(stderr, "%s\n", d.ToString().c_str());
    i += n;
  }
  return g;
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
    if (!ir::SameNumpyDescr(a.descr, ir::NumpyDescr(t.dtype))) {
      return MakeDiag("E0405", ExitCode::kUsage,
                      "'" + path + "' holds numpy dtype '" + a.descr + "' but " + what_tensor +
                          " needs '" + ir::NumpyDescr(t.dtype) + "'",
                      "convert it first, e.g. numpy.save(path, x.astype(numpy." +
                          std::string(t.dtype == ir::DType::kFloat32 ? "float32" : "int8") + "))");
    }
    // A model whose source is NCHW takes its NCHW arrays as they are.
    const ir::Shape nchw = SourceNchwShape(t);
    if (!nchw.empty() && ir::Shape(a.shape.begin(), a.shape.end()) == nchw &&
        static_cast<int64_t>(a.data.size()) == t.size_bytes())
      return Permuted(t, nchw, std::move(a.data), SourcePerm(t, false));
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

namespace {

Diagnostic DataSetError(const std::string& what, const std::string& hint) {
  return MakeDiag("E0414", ExitCode::kUsage, what, hint);
}

// The samples of one model input in an array: [N, ...shape] or one sample
// of the input's shape (also NCHW for an input the layout pass made NHWC,
// and [N, ...shape[1:]] for a batch dimension of 1); float32 data for an
// int8/uint8 input is quantized with the input's scale and zero point.
Expected<std::vector<std::vector<uint8_t>>> SamplesOf(const NpyArray& a, const ir::Tensor& t, const std::string& where) {
  const bool quantize_float = a.descr == "<f4" && (t.dtype == ir::DType::kInt8 || t.dtype == ir::DType::kUInt8) &&
                              t.quant && t.quant->scale.size() == 1;
  if (!ir::SameNumpyDescr(a.descr, ir::NumpyDescr(t.dtype)) && !quantize_float)
    return DataSetError(where + " has numpy dtype '" + a.descr + "'; input '" + t.name + "' is " +
                            ir::DTypeName(t.dtype),
                        std::string("give the input's dtype") +
                            (t.quant ? ", or float32 values that ember quantizes with the input's scale" : ""));
  const ir::Shape shape(a.shape.begin(), a.shape.end());
  const ir::Shape nchw = SourceNchwShape(t);
  auto matches = [&](const ir::Shape& sample) { return sample == t.shape || (!nchw.empty() && sample == nchw); };
  ir::Shape sample;
  int64_t n = 1;
  if (matches(shape)) {
    sample = shape;
  } else if (!shape.empty() && matches(ir::Shape(shape.begin() + 1, shape.end()))) {
    sample = ir::Shape(shape.begin() + 1, shape.end());
    n = shape[0];
  } else if (!shape.empty() && !t.shape.empty() && t.shape[0] == 1) {
    ir::Shape with_one = {1};
    with_one.insert(with_one.end(), shape.begin() + 1, shape.end());
    if (!matches(with_one))
      return DataSetError(where + " has shape " + ir::ShapeToString(shape) + "; input '" + t.name + "' takes " +
                              ir::ShapeToString(t.shape) + " (or N of them, stacked on a first axis)",
                          "reshape the array");
    sample = with_one;
    n = shape[0];
  } else {
    return DataSetError(where + " has shape " + ir::ShapeToString(shape) + "; input '" + t.name + "' takes " +
                            ir::ShapeToString(t.shape) + " (or N of them, stacked on a first axis)",
                        "reshape the array");
  }
  const size_t element = a.descr == "<f4" ? 4 : ir::DTypeSize(t.dtype);
  const size_t per = static_cast<size_t>(t.num_elements()) * element;
  if (n <= 0 || a.data.size() != per * static_cast<size_t>(n)) return DataSetError(where + " holds no samples", "check the file");
  std::vector<std::vector<uint8_t>> out;
  for (int64_t k = 0; k < n; ++k) {
    std::vector<uint8_t> bytes(a.data.begin() + static_cast<std::ptrdiff_t>(per * k),
                               a.data.begin() + static_cast<std::ptrdiff_t>(per * (k + 1)));
    if (quantize_float) {
      std::vector<uint8_t> q(static_cast<size_t>(t.num_elements()));
      const double scale = t.quant->scale[0];
      const double zp = t.quant->zero_point.empty() ? 0 : static_cast<double>(t.quant->zero_point[0]);
      const double lo = t.dtype == ir::DType::kInt8 ? -128 : 0, hi = t.dtype == ir::DType::kInt8 ? 127 : 255;
      for (size_t i = 0; i < q.size(); ++i) {
        float x;
        std::memcpy(&x, &bytes[i * 4], 4);
        const double v = std::min(hi, std::max(lo, std::nearbyint(x / scale) + zp));
        q[i] = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>(v)));
        if (t.dtype == ir::DType::kUInt8) q[i] = static_cast<uint8_t>(static_cast<int>(v));
      }
      bytes = std::move(q);
    }
    if (sample != t.shape) bytes = Permuted(t, nchw, std::move(bytes), SourcePerm(t, false));
    out.push_back(std::move(bytes));
  }
  return out;
}

}  // namespace

Expected<std::vector<std::vector<std::vector<uint8_t>>>> ReadDataSet(const std::string& path, const ir::Graph& g) {
  std::vector<std::pair<std::string, NpyArray>> arrays;
  if (EndsWith(path, ".npz")) {
    EMBER_ASSIGN_OR_RETURN(const auto entries, quantize::ReadNpzEntries(path));
    for (const auto& e : entries) {
      EMBER_ASSIGN_OR_RETURN(NpyArray a, ParseNpy(e.bytes, path + ":" + e.name));
      std::string key = e.name;
      if (EndsWith(key, ".npy")) key.resize(key.size() - 4);
      arrays.emplace_back(key, std::move(a));
    }
  } else if (EndsWith(path, ".npy")) {
    EMBER_ASSIGN_OR_RETURN(const std::vector<uint8_t> bytes, ReadFileBytes(path, uint64_t{1} << 30, "a data set"));
    EMBER_ASSIGN_OR_RETURN(NpyArray a, ParseNpy(bytes, path));
    arrays.emplace_back("", std::move(a));
  } else {
    return DataSetError("'" + path + "' is not a .npz or .npy data set", "numpy.savez(path, input_name=samples)");
  }
  // The arrays of each input: the one named after it, else (one input) the first.
  std::vector<std::vector<std::vector<uint8_t>>> per_input(g.inputs.size());
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const ir::Tensor& t = g.tensor(g.inputs[i]);
    const NpyArray* chosen = nullptr;
    std::string where;
    for (const auto& [key, a] : arrays)
      if (key == t.name) { chosen = &a; where = path + ":" + key; }
    if (!chosen && g.inputs.size() == 1) {
      // Labels (an integer array of one value per sample) may sit beside the inputs: take the first array that fits.
      for (const auto& [key, a] : arrays) {
        if (SamplesOf(a, t, path).ok()) { chosen = &a; where = path + (key.empty() ? "" : ":" + key); break; }
      }
    }
    if (!chosen)
      return DataSetError("'" + path + "' has no array for input '" + t.name + "'",
                          "name each array after its input (numpy.savez(path, **{'" + t.name + "': samples}))");
    EMBER_ASSIGN_OR_RETURN(per_input[i], SamplesOf(*chosen, t, where));
    if (per_input[i].size() != per_input[0].size())
      return DataSetError("'" + path + "' gives input '" + t.name + "' " + std::to_string(per_input[i].size()) +
                              " samples and the first input " + std::to_string(per_input[0].size()),
                          "give every input the same number of samples");
  }
  std::vector<std::vector<std::vector<uint8_t>>> samples(per_input.empty() ? 0 : per_input[0].size());
  for (size_t k = 0; k < samples.size(); ++k)
    for (auto& in : per_input) samples[k].push_back(std::move(in[k]));
  return samples;
}

Status WriteTensorFile(const std::string& path, const ir::Tensor& t,
                       const std::vector<uint8_t>& bytes) {
  if (EndsWith(path, ".npy")) {
    NpyArray a;
    a.descr = ir::NumpyDescr(t.dtype);
    a.shape = t.shape;
    a.data = bytes;
    // An output that the source model gives as NCHW is written as NCHW.
    const ir::Shape nchw = SourceNchwShape(t);
    if (!nchw.empty() && static_cast<int64_t>(bytes.size()) == t.size_bytes()) {
      a.shape = nchw;
      a.data = Permuted(t, t.shape, bytes, SourcePerm(t, true));
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
