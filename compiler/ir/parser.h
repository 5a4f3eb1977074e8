// Parser for the IR text form (docs/ir.md). Errors carry line:column (E02xx).
#pragma once

#include <string_view>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::ir {

Expected<Graph> Parse(std::string_view text);

}  // namespace ember::ir
