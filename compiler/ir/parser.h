// Parser for the IR text form (docs/ir.md). Errors carry line:column (E02xx).
#pragma once

#include <cstdint>
#include <string_view>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::ir {

Expected<Graph> Parse(std::string_view text);

// The largest IR text file ember reads (.ir models): constants print as hex,
// so this holds models of about 500 MB of weights.
inline constexpr uint64_t kMaxIrTextBytes = uint64_t{1} << 30;

}  // namespace ember::ir
