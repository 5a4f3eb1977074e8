#include "ops/layout_util.h"

#include <cstring>
#include <string>
#include <variant>

#include "ir/op_kind.h"
#include "ops/op_util.h"

namespace ember::ops {

bool CheckedNumElements(const ir::Shape& shape, int64_t* count) {
  int64_t nonzero = 1;  // product of the non-zero dimensions: bounds every stride
  bool empty = false;
  for (int64_t d : shape) {
    if (d < 0) return false;
    if (d == 0) {
      empty = true;
      continue;
    }
    if (nonzero > kMaxElements / d) return false;
    nonzero *= d;
  }
  *count = empty ? 0 : nonzero;
  return true;
}

Status CheckTensorSize(const ir::Node& n, const ir::Tensor& t) {
  int64_t count = 0;
  if (CheckedNumElements(t.shape, &count)) return Status::Ok();
  return NodeError(n, "has tensor '" + t.name + "' of shape " + ir::ShapeToString(t.shape) +
                          ", which is too large or has a negative dimension");
}

Status CheckGatherOperands(const ir::Node& n, const ir::Tensor& params, const ir::Tensor& indices) {
  EMBER_RETURN_IF_ERROR(CheckTensorSize(n, params));
  EMBER_RETURN_IF_ERROR(CheckTensorSize(n, indices));
  if (indices.dtype == ir::DType::kInt32) return Status::Ok();
  return NodeError(n, std::string("has indices of type ") + ir::DTypeName(indices.dtype) +
                          "; only i32 indices are supported (as in TFLite Micro)");
}

Status CheckGatherIndices(const ir::Node& n, const int32_t* v, int64_t count, int64_t size) {
  for (int64_t i = 0; i < count; ++i) {
    if (v[i] >= -size && v[i] < size) continue;
    return NodeError(n, "has index " + std::to_string(v[i]) + " (position " + std::to_string(i) + ") outside [" +
                            std::to_string(-size) + ", " + std::to_string(size) + ")",
                     std::string(ir::OpIrName(n.op)) + " indices must address the gathered axis");
  }
  return Status::Ok();
}

bool CheckedDimAdd(int64_t a, int64_t b, int64_t* sum) {
  if (a < 0 || b < 0 || a > kMaxElements - b) return false;
  *sum = a + b;
  return true;
}

Status GetIntListAttr(const ir::Node& n, const char* key, bool required,
                      std::vector<int64_t>* out) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) {
    if (!required) {
      out->clear();
      return Status::Ok();
    }
    return NodeError(n, std::string("needs the integer-list attribute '") + key + "'");
  }
  const auto* v = std::get_if<std::vector<int64_t>>(&it->second);
  if (v == nullptr) {
    // An empty list may come out of the text parser as a real list.
    const auto* r = std::get_if<std::vector<double>>(&it->second);
    if (r == nullptr || !r->empty())
      return NodeError(n, std::string("attribute '") + key + "' must be a list of integers");
    out->clear();
    return Status::Ok();
  }
  *out = *v;
  return Status::Ok();
}

Status GetIntAttr(const ir::Node& n, const char* key, int64_t def, int64_t* out) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) {
    *out = def;
    return Status::Ok();
  }
  const auto* v = std::get_if<int64_t>(&it->second);
  if (v == nullptr) return NodeError(n, std::string("attribute '") + key + "' must be an integer");
  *out = *v;
  return Status::Ok();
}

std::vector<int64_t> RowMajorStrides(const ir::Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

// Odometer over `shape`: the last axis moves fastest. The source and
// destination offsets are updated incrementally, so each step costs O(1)
// amortized and no per-element multiplication is needed.
void RunStridedCopy(const StridedCopy& c, size_t elem_size, const uint8_t* src, uint8_t* dst) {
  const size_t rank = c.shape.size();
  for (int64_t d : c.shape)
    if (d == 0) return;
  std::vector<int64_t> index(rank, 0);
  int64_t s = c.src_base;
  int64_t t = c.dst_base;
  const auto esz = static_cast<int64_t>(elem_size);
  while (true) {
    std::memcpy(dst + t * esz, src + s * esz, elem_size);
    // Advance the odometer; undo the offset of every axis that wraps.
    size_t d = rank;
    while (d > 0) {
      --d;
      if (++index[d] < c.shape[d]) {
        s += c.src_step[d];
        t += c.dst_step[d];
        break;
      }
      s -= (c.shape[d] - 1) * c.src_step[d];
      t -= (c.shape[d] - 1) * c.dst_step[d];
      index[d] = 0;
      if (d == 0) return;
    }
    if (rank == 0) return;
  }
}

}  // namespace ember::ops
