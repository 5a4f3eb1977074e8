#include "ir/op_kind.h"

namespace ember::ir {
namespace {
struct Names {
  const char* ir;
  const char* tflite;
  const char* onnx;
};
constexpr Names kNames[] = {
#define OP(E, TFL, ONNX, IR) {IR, TFL, ONNX},
#include "ops/ops.def"
#undef OP
};
}  // namespace

const char* OpIrName(OpKind k) { return kNames[static_cast<int>(k)].ir; }
const char* OpTfliteName(OpKind k) { return kNames[static_cast<int>(k)].tflite; }
const char* OpOnnxName(OpKind k) { return kNames[static_cast<int>(k)].onnx; }

std::optional<OpKind> OpKindFromIrName(std::string_view name) {
  for (size_t i = 0; i < kNumOpKinds; ++i)
    if (name == kNames[i].ir) return static_cast<OpKind>(i);
  return std::nullopt;
}

std::optional<OpKind> OpKindFromTfliteName(std::string_view name) {
  for (size_t i = 0; i < kNumOpKinds; ++i)
    if (name == kNames[i].tflite) return static_cast<OpKind>(i);
  return std::nullopt;
}

}  // namespace ember::ir
