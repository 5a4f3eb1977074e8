#include "frontend/tflite/import.h"
namespace ember::frontend::tflite {
Expected<ir::Graph> ImportTflite(const std::vector<uint8_t>&, const std::string&) {
  return InternalError("tflite import not implemented");
}
Expected<ir::Graph> ImportTfliteFile(const std::string&) {
  return InternalError("tflite import not implemented");
}
}  // namespace ember::frontend::tflite
