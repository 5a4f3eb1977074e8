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
// TFLite builtins that the importer maps onto the IR operator of another
// builtin (docs/frontend-tflite.md): the same data movement, other operands.
struct Alias {
  const char* tflite;
  OpKind kind;
};
constexpr Alias kTfliteAliases[] = {
    {"SLICE", OpKind::kStridedSlice}, {"EXPAND_DIMS", OpKind::kReshape},
    {"PADV2", OpKind::kPad},          {"SPLIT_V", OpKind::kSplit},
    {"UNPACK", OpKind::kSplit},       {"PACK", OpKind::kConcatenation},
    {"SPACE_TO_BATCH_ND", OpKind::kReshape}, {"BATCH_TO_SPACE_ND", OpKind::kStridedSlice},
    {"SHAPE", OpKind::kReshape},      {"ZEROS_LIKE", OpKind::kBroadcastTo},
    {"FILL", OpKind::kBroadcastTo},   {"ADD_N", OpKind::kAdd},
    {"L2_POOL_2D", OpKind::kSqrt},
    {"FLOOR_DIV", OpKind::kFloor},
    {"REVERSE_V2", OpKind::kStridedSlice}, {"EMBEDDING_LOOKUP", OpKind::kGather},
    {"BROADCAST_ARGS", OpKind::kReshape},
};
}  // namespace

std::vector<const char*> OpTfliteAliases(OpKind k) {
  std::vector<const char*> out;
  for (const Alias& a : kTfliteAliases)
    if (a.kind == k) out.push_back(a.tflite);
  return out;
}

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
  for (const Alias& a : kTfliteAliases)
    if (name == a.tflite) return a.kind;
  return std::nullopt;
}

}  // namespace ember::ir
