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

// `source` names the model in diagnostics (usually its path).
Expected<ir::Graph> ImportTflite(const std::vector<uint8_t>& bytes, const std::string& source);
Expected<ir::Graph> ImportTfliteFile(const std::string& path);

}  // namespace ember::frontend::tflite
