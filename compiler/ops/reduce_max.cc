// reduce_max: maximum over `axes` (non-negative, ascending, unique; may be
// empty), keeping them as size-1 axes when `keep_dims` = 1. ONNX ReduceMax and
// GlobalMaxPool, TFLite REDUCE_MAX. f32 and i8, as TFLite's reference reducer
// (compiler/ops/reduce_minmax_util.h): a NaN input is skipped, int8 needs
// equal input and output quantization.
#include "ops/reduce_minmax_util.h"

namespace ember::ops {

extern const OpDef kReduceMaxDef = {ir::OpKind::kReduceMax, "i8, f32", reduce_minmax::Infer,
                                    reduce_minmax::Eval<true>, nullptr};

}  // namespace ember::ops
