// reduce_min: minimum over `axes` (non-negative, ascending, unique; may be
// empty), keeping them as size-1 axes when `keep_dims` = 1. ONNX ReduceMin,
// TFLite REDUCE_MIN. f32 and i8, as TFLite's reference reducer
// (compiler/ops/reduce_minmax_util.h): each output starts at FLT_MAX (127)
// and takes in < cur ? in : cur, so a NaN input is skipped; int8 needs equal
// input and output quantization.
#include "ops/reduce_minmax_util.h"

namespace ember::ops {

extern const OpDef kReduceMinDef = {ir::OpKind::kReduceMin, "i8, f32", reduce_minmax::Infer,
                                    reduce_minmax::Eval<false>, nullptr};

}  // namespace ember::ops
