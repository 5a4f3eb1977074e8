// OpKind: the operator enum and its name tables, generated from ops/ops.def.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace ember::ir {

enum class OpKind : int {
#define OP(E, TFL, ONNX, IR) k##E,
#include "ops/ops.def"
#undef OP
};

inline constexpr size_t kNumOpKinds = 0
#define OP(E, TFL, ONNX, IR) +1
#include "ops/ops.def"
#undef OP
    ;

const char* OpIrName(OpKind k);      // "conv2d"
const char* OpTfliteName(OpKind k);  // "CONV_2D"
const char* OpOnnxName(OpKind k);    // "Conv" or "" when there is no ONNX counterpart
std::optional<OpKind> OpKindFromIrName(std::string_view name);
// The builtin's own name, or one of OpTfliteAliases (SLICE -> strided_slice, ...).
std::optional<OpKind> OpKindFromTfliteName(std::string_view name);
// Other TFLite builtins the importer maps onto this operator ({} for most).
std::vector<const char*> OpTfliteAliases(OpKind k);

}  // namespace ember::ir
