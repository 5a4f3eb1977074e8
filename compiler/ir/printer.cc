#include "ir/printer.h"
namespace ember::ir {
std::string Print(const Graph&, const PrintOptions&) { return ""; }
}  // namespace ember::ir
