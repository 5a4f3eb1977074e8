// Post-training quantization of a float ONNX model into a QDQ ONNX model
// (docs/quantize.md). Library entry point of `ember quantize` and of
// `ember compile --quantize int8`.
//
// Steps of QuantizeOnnxModel:
//   1. Read the model (bounded), refuse quantized models and external data,
//      fold BatchNormalization after Conv/Gemm into their weights (ONNX level).
//   2. Import it WITHOUT the pass pipeline: every float ONNX tensor then has
//      an IR tensor of the same name and layout.
//   3. Read the calibration set (checked against the model's inputs), run the
//      reference evaluator on every sample and collect each tensor's
//      statistics (a second round for the histogram methods).
//   4. Write the QDQ model on the ModelProto (qdq_writer.h), run the checker.
//   5. Error table: the written model imported and run through the whole pass
//      pipeline (fold-qdq makes it int8), evaluated on every sample; each
//      quantized tensor that survives the passes under its ONNX name (or as
//      `<name>_QuantizeLinear_Output`) is dequantized and compared with the
//      float tensor: SQNR and max abs error over the calibration set.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "quantize/stats.h"
#include "support/status.h"

namespace ember::quantize {

inline constexpr const char* kOutputPath = "E1307";  // -o would overwrite the input, or cannot be written
inline constexpr const char* kUsage = "E1308";       // quantize / compile --quantize usage

struct QuantizeOptions {
  Method method = Method::kMinMax;
  bool per_channel = false;
  double percentile = 99.99;
  size_t max_samples = 0;  // --max-samples: 0 = every sample
  std::map<std::string, ir::Shape> input_shapes;  // --input-shape
  bool error_table = true;                        // step 5
};

// One row of the error table.
struct LayerError {
  std::string tensor;    // ONNX name in the float model
  std::string producer;  // op type, "input" for a graph input
  float scale = 1.0f;
  int32_t zero_point = 0;
  bool is_output = false;
  bool matched = false;  // found in ember's int8 graph
  double sqnr_db = 0.0;  // +inf when equal
  double max_abs = 0.0;
};

struct QuantizeReport {
  std::vector<uint8_t> model;  // the QDQ model (serialized ModelProto)
  std::vector<LayerError> layers;
  size_t samples = 0;
  size_t samples_available = 0;  // before --max-samples (CalibrationSet::available)
  int batchnorm_folded = 0;
  int activations_removed = 0;
  int int8_nodes = 0;   // int8 operators in ember's graph of the written model
  int float_nodes = 0;  // float operators left (besides quantize/dequantize)
  std::vector<Diagnostic> warnings;  // W1001: double/float16/bfloat16 values read as float32
};

Expected<QuantizeReport> QuantizeOnnxModel(const std::string& model_path, const std::string& calibration_path,
                                           const QuantizeOptions& options);
// The same on a serialized ONNX model; `model_path` names it in diagnostics.
Expected<QuantizeReport> QuantizeOnnxBytes(const std::vector<uint8_t>& bytes, const std::string& model_path,
                                           const std::string& calibration_path, const QuantizeOptions& options);
// A float TFLite model (MODEL.tflite) as the float ONNX model ember quantizes
// (onnx_export.h: NCHW inside, the TFLite model's NHWC inputs and outputs).
Expected<std::vector<uint8_t>> TfliteAsFloatOnnx(const std::string& path);
// QuantizeOnnxModel, or for a `.tflite` path TfliteAsFloatOnnx first (the
// calibration data is then in the TFLite model's layout).
Expected<QuantizeReport> QuantizeModel(const std::string& model_path, const std::string& calibration_path,
                                       const QuantizeOptions& options);

// The table printed by `ember quantize`.
std::string FormatErrorTable(const QuantizeReport& report);

// Writes `bytes` to `path` through a temporary file in the same folder and a
// rename, so that `path` is either the old file or the whole new one. Refuses
// (E1307) when `path` is the same file as `input_path`.
Status WriteFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes, const std::string& input_path);

// Values of a tensor's bytes as float (float32 as is, int8/uint8/int32
// dequantized with per-tensor parameters). Exposed for tests.
std::vector<float> DequantizedValues(const ir::Tensor& t, const std::vector<uint8_t>& bytes);

}  // namespace ember::quantize
