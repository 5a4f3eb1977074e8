// N-d index arithmetic shared by the data-movement operators (reshape,
// concatenation, pad, transpose, strided_slice, squeeze): overflow-checked
// element counts, row-major strides and one strided element copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::ops {

// Largest element count a tensor may have: its byte size (up to 8 bytes per
// element) must still fit in int64.
inline constexpr int64_t kMaxElements = INT64_MAX / 8;

// Product of the dimensions into *count. False (and *count untouched) when a
// dimension is negative or the product of the non-zero dimensions exceeds
// kMaxElements (so that RowMajorStrides cannot overflow even for an empty
// shape such as [0, 2^40, 2^40]).
bool CheckedNumElements(const ir::Shape& shape, int64_t* count);

// NodeError unless CheckedNumElements accepts the tensor's shape. Operators
// call it on their inputs before computing strides.
Status CheckTensorSize(const ir::Node& n, const ir::Tensor& t);

// gather's and gather_nd's operands: both of a size CheckTensorSize accepts,
// the indices int32 (as TFLite Micro's).
Status CheckGatherOperands(const ir::Node& n, const ir::Tensor& params, const ir::Tensor& indices);

// gather's and gather_elements' indices: a NodeError naming the first of
// `count` values outside [-size, size) (negative ones count from the end).
Status CheckGatherIndices(const ir::Node& n, const int32_t* v, int64_t count, int64_t size);

// a + b into *sum; false when either is negative or the sum exceeds kMaxElements.
bool CheckedDimAdd(int64_t a, int64_t b, int64_t* sum);

// Reads the integer-list attribute `key` into *out. An absent attribute
// gives {} when `required` is false; an attribute of another type, or an
// absent required one, is a NodeError.
Status GetIntListAttr(const ir::Node& n, const char* key, bool required,
                      std::vector<int64_t>* out);
// Reads the integer attribute `key` (absent: `def`); another type is a NodeError.
Status GetIntAttr(const ir::Node& n, const char* key, int64_t def, int64_t* out);

// Row-major strides in elements: strides[last] = 1, strides[d] = strides[d+1] * shape[d+1].
// Assumes the element count was checked (no overflow).
std::vector<int64_t> RowMajorStrides(const ir::Shape& shape);

// One strided copy of `elem_size`-byte elements. For every index (i_0..i_n-1)
// of `shape`, in row-major order:
//   dst[dst_base + sum_d i_d * dst_step[d]] = src[src_base + sum_d i_d * src_step[d]]
// (offsets in elements). Nothing is copied when `shape` has a zero dimension;
// a rank-0 shape copies one element. The caller guarantees every offset is in
// bounds; steps of axes of size 1 are never used.
struct StridedCopy {
  ir::Shape shape;
  int64_t src_base = 0;
  std::vector<int64_t> src_step;
  int64_t dst_base = 0;
  std::vector<int64_t> dst_step;
};
void RunStridedCopy(const StridedCopy& c, size_t elem_size, const uint8_t* src, uint8_t* dst);

// The output shape of pad and mirror_pad (ops/pad.cc): reads the `pads`
// attribute into *pads and checks it (one non-negative pair per axis, rank
// <= 5, a shape that is not too large); a NodeError otherwise.
Expected<ir::Shape> PaddedShape(const ir::Node& n, const ir::Tensor& in, std::vector<int64_t>* pads);

// The bytes of one element of pad's fill value for the output tensor `out`
// (the `value` attribute, else the output zero point, else 0; ops/pad.cc); a
// NodeError when the output type cannot hold it.
Status PadFillElement(const ir::Node& n, const ir::Tensor& out, std::vector<uint8_t>* elem);

// mirror_pad (ops/mirror_pad.cc): `off` of a mode (1 reflect, 0 symmetric,
// -1 edge) and the input index of output index `p` along one axis of input
// size `size` padded by `before`.
int64_t MirrorPadOffset(const std::string& mode);
int64_t MirrorPadSource(int64_t p, int64_t before, int64_t size, int64_t off);

}  // namespace ember::ops
