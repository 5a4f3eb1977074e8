#include "ir/parser.h"
namespace ember::ir {
Expected<Graph> Parse(std::string_view) { return InternalError("parser not implemented"); }
}  // namespace ember::ir
