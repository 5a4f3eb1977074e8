// ONNX model -> ember IR.
//
// The file is parsed with the ONNX project's protobuf classes (size-bounded
// read), external data is loaded from inside the model's folder only, then
// the ONNX checker and shape inference run before anything is converted.
// Opsets 1 to 22 of the default domain (1 to 10 converted to 13 by ONNX's
// version converter first) and IR versions up to 11 are accepted;
// model-local functions are inlined. The imported graph is correct as is: ONNX's NCHW spatial operators become NHWC IR operators
// between explicit `transpose` nodes, weights are converted to the IR layouts
// at import, and the static shape arithmetic exporters emit (Constant, Shape,
// Gather, Cast, Unsqueeze, ...) is folded. docs/frontend-onnx.md has the
// mapping and the diagnostics (E1001-E1039); an unsupported operator or
// attribute exits with 3.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace onnx {
class TensorProto;
}  // namespace onnx

namespace ember::frontend::onnx {

struct ImportOptions {
  // Fixed shapes for graph inputs with dynamic dimensions, by input name
  // (`--input-shape NAME=1x3x96x96`). A shape given for an input whose dims
  // are static must agree with them.
  std::map<std::string, ir::Shape> input_shapes;
  // Folder that external data files are read from (only files inside it).
  // Empty: external data is refused.
  std::string model_dir;
  // Where warnings go (W1001: double, float16 or bfloat16 values computed
  // in float32); none kept when null.
  std::vector<Diagnostic>* warnings = nullptr;
};

// Largest model file read (protobuf's own limit is 2 GiB).
inline constexpr uint64_t kMaxOnnxFileBytes = uint64_t{1} << 30;
// metadata_props key naming the int8 arithmetic of a QDQ model: "tflite"
// (written by ember quantize) or "onnxruntime" (the default when absent).
inline constexpr const char* kInt8SemanticsKey = "ember.int8_semantics";
// Largest total of external data read for one model.
inline constexpr uint64_t kMaxExternalDataBytes = uint64_t{1} << 30;

// Whether ember computes values of this ONNX element type in float32
// (double, float16, bfloat16: no microcontroller kernel of ember's has
// them; warning W1001).
bool IsWidenedFloat(int32_t elem_type);
// The warning that says so (the command goes on).
inline constexpr const char* kFloatWidened = "W1001";

// The values of a float32, double, float16 or bfloat16 tensor held in the
// model (raw or typed data; not external), as the importer reads them:
// E1011 when the data does not match the dims, E1012 for other types.
// `source` names the model in diagnostics.
Expected<std::vector<double>> ReadFloatTensor(const ::onnx::TensorProto& t, const std::string& source);

// `source` names the model in diagnostics (usually its path).
Expected<ir::Graph> ImportOnnx(const std::vector<uint8_t>& bytes, const std::string& source,
                               const ImportOptions& options = {});
// Reads `path` (bounded) and imports it; external data comes from the
// model's folder.
Expected<ir::Graph> ImportOnnxFile(const std::string& path, ImportOptions options = {});

// Parses one `--input-shape` value, "NAME=1x3x96x96", into `out`. The name
// may contain '='; the shape is the text after the last one. Usage errors
// exit with 2.
Status ParseInputShapeFlag(const std::string& text, std::map<std::string, ir::Shape>* out);

}  // namespace ember::frontend::onnx
