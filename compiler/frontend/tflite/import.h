// TFLite flatbuffer -> ember IR.
//
// The buffer is checked with the flatbuffers Verifier before anything is read;
// then every tensor, buffer and operator reference is bounds-checked. The
// result has passed ir::Verify and ops::CheckGraph. Failures are diagnostics
// (E01xx) that name the file, and for operators the operator index, its TFLite
// name and its first output tensor; an unsupported operator exits with 3.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::frontend::tflite {

// `source` names the model in diagnostics (usually its path). Warnings
// (W01xx: fields ember repairs, such as the quantized_dimension the
// converter writes onto 1-D biases) go to `warnings` when given; the import
// succeeds.
Expected<ir::Graph> ImportTflite(const std::vector<uint8_t>& bytes, const std::string& source,
                                 std::vector<Diagnostic>* warnings = nullptr);
Expected<ir::Graph> ImportTfliteFile(const std::string& path, std::vector<Diagnostic>* warnings = nullptr);

}  // namespace ember::frontend::tflite
