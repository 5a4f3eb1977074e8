#include "frontend/model_file.h"

#include "frontend/onnx/import.h"
#include "frontend/tflite/import.h"
#include "ir/parser.h"
#include "ir/verifier.h"
#include "ops/evaluate.h"
#include "support/file.h"

namespace ember::frontend {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Expected<ir::Graph> ImportModelFile(const std::string& path, const std::vector<std::string>& input_shapes,
                                    const std::string& shape_option, std::vector<Diagnostic>* warnings) {
  if (!input_shapes.empty() && !EndsWith(path, ".onnx")) {
    return MakeDiag("E1009", ExitCode::kUsage, shape_option + " applies to ONNX models only; '" + path + "' is not one",
                    "TFLite and IR models have static shapes; drop " + shape_option);
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
    onnx::ImportOptions options;
    options.warnings = warnings;
    for (const std::string& s : input_shapes) {
      EMBER_RETURN_IF_ERROR(onnx::ParseInputShapeFlag(s, &options.input_shapes));
    }
    return onnx::ImportOnnxFile(path, options);
  }
  return tflite::ImportTfliteFile(path, warnings);
}

}  // namespace ember::frontend
