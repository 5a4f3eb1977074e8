// A model file by its suffix: .onnx (ONNX frontend), .ir (IR text, verified
// and checked), anything else TFLite. Shared by the CLI and the Python
// package so that both read a model the same way.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::frontend {

// `input_shapes`: NAME=1x3x96x96 entries fixing an ONNX model's dynamic
// dimensions (E1009 for another kind of model); `shape_option` names them in
// that message as the caller's user knows them ("--input-shape",
// "input_shapes"). `warnings`, when given, receives the importer's warnings.
Expected<ir::Graph> ImportModelFile(const std::string& path, const std::vector<std::string>& input_shapes,
                                    const std::string& shape_option, std::vector<Diagnostic>* warnings = nullptr);

}  // namespace ember::frontend
