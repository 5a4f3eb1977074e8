// Test helper for operator tests: builds a graph holding a single node and
// runs the reference evaluator on it.
//
//   ember::test::OneNode t(ir::OpKind::kConv2D);
//   t.In<int8_t>({1, 2, 2, 1}, {1, 2, 3, 4}, Quant(0.5f, 0))      // graph input + its data
//    .Const<int8_t>({1, 1, 1, 1}, {2}, Quant(0.25f, 0))            // constant operand
//    .Absent()                                                     // optional operand left out
//    .Out(ir::DType::kInt8, {1, 2, 2, 1}, Quant(1.0f, 0))
//    .Attr("stride", std::vector<int64_t>{1, 1});
//   auto r = t.Run<int8_t>();  // CheckGraph (every Infer) then EvaluateGraph
//   ASSERT_TRUE(r.ok()) << r.diag().ToString();
//
// Operands are added in node order. Run() checks the graph first, so an Infer
// failure is reported as the Run() diagnostic. Infer() calls the op's Infer
// directly, for error-case tests. The helper is header-only and stable: other
// operator tests depend on it.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ops/evaluate.h"
#include "ops/op.h"
#include "support/status.h"

namespace ember::test {

// Per-tensor quantization (scale, zero point).
inline ir::QuantParams Quant(float scale, int64_t zero_point) {
  ir::QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

// Per-axis quantization along `axis`; zero points all 0 unless given.
inline ir::QuantParams QuantPerAxis(std::vector<float> scales, int32_t axis,
                                    std::vector<int64_t> zero_points = {}) {
  ir::QuantParams q;
  if (zero_points.empty()) zero_points.assign(scales.size(), 0);
  q.scale = std::move(scales);
  q.zero_point = std::move(zero_points);
  q.axis = axis;
  return q;
}

// The IR dtype of a C++ element type.
template <typename T>
constexpr ir::DType DTypeOf() {
  if constexpr (std::is_same_v<T, int8_t>) return ir::DType::kInt8;
  else if constexpr (std::is_same_v<T, uint8_t>) return ir::DType::kUInt8;
  else if constexpr (std::is_same_v<T, int16_t>) return ir::DType::kInt16;
  else if constexpr (std::is_same_v<T, int32_t>) return ir::DType::kInt32;
  else if constexpr (std::is_same_v<T, int64_t>) return ir::DType::kInt64;
  else if constexpr (std::is_same_v<T, float>) return ir::DType::kFloat32;
  else {
    static_assert(std::is_same_v<T, bool>, "unsupported element type");
    return ir::DType::kBool;
  }
}

// Little-endian bytes of a typed array (the host is little-endian).
template <typename T>
std::vector<uint8_t> ToBytes(const std::vector<T>& values) {
  std::vector<uint8_t> b(values.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), values.data(), b.size());
  return b;
}

template <typename T>
std::vector<T> FromBytes(const std::vector<uint8_t>& bytes) {
  std::vector<T> v(bytes.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

class OneNode {
 public:
  explicit OneNode(ir::OpKind op, std::string name = "op") {
    ir::Node n;
    n.op = op;
    n.name = std::move(name);
    graph_.nodes.push_back(std::move(n));
  }

  ir::Graph& graph() { return graph_; }
  const ir::Graph& graph() const { return graph_; }
  ir::Node& node() { return graph_.nodes[0]; }
  const ir::Node& node() const { return graph_.nodes[0]; }
  // The tensor of the node's i-th input / output (to tweak it in error tests).
  ir::Tensor& in_tensor(size_t i) { return graph_.tensor(node().inputs.at(i)); }
  ir::Tensor& out_tensor(size_t i) { return graph_.tensor(node().outputs.at(i)); }

  // A graph input operand with the data Run() feeds it.
  template <typename T>
  OneNode& In(ir::Shape shape, const std::vector<T>& values,
              std::optional<ir::QuantParams> q = std::nullopt) {
    return InBytes(DTypeOf<T>(), std::move(shape), ToBytes(values), std::move(q));
  }
  OneNode& InBytes(ir::DType dtype, ir::Shape shape, std::vector<uint8_t> bytes,
                   std::optional<ir::QuantParams> q = std::nullopt) {
    const ir::TensorId id = Add(dtype, std::move(shape), std::move(q), "in");
    graph_.inputs.push_back(id);
    input_data_.push_back(std::move(bytes));
    node().inputs.push_back(id);
    return *this;
  }

  // A constant operand (weights, bias, ...).
  template <typename T>
  OneNode& Const(ir::Shape shape, const std::vector<T>& values,
                 std::optional<ir::QuantParams> q = std::nullopt) {
    return ConstBytes(DTypeOf<T>(), std::move(shape), ToBytes(values), std::move(q));
  }
  OneNode& ConstBytes(ir::DType dtype, ir::Shape shape, std::vector<uint8_t> bytes,
                      std::optional<ir::QuantParams> q = std::nullopt) {
    const ir::TensorId id = Add(dtype, std::move(shape), std::move(q), "const");
    graph_.tensor(id).data = std::move(bytes);
    node().inputs.push_back(id);
    return *this;
  }

  // An absent optional operand.
  OneNode& Absent() {
    node().inputs.push_back(ir::kNoTensor);
    return *this;
  }

  OneNode& Out(ir::DType dtype, ir::Shape shape, std::optional<ir::QuantParams> q = std::nullopt) {
    const ir::TensorId id = Add(dtype, std::move(shape), std::move(q), "out");
    graph_.outputs.push_back(id);
    node().outputs.push_back(id);
    return *this;
  }

  OneNode& Attr(const std::string& key, ir::AttrValue value) {
    node().attrs[key] = std::move(value);
    return *this;
  }

  // The op's Infer on the node, unchecked against the declared outputs.
  Expected<std::vector<ops::TensorType>> Infer() const {
    return ops::GetOpDef(node().op).infer(graph_, node());
  }
  // CheckGraph: Infer plus comparison with the declared outputs.
  Status Check() const { return ops::CheckGraph(graph_); }
  int64_t Macs() const {
    const ops::OpDef& def = ops::GetOpDef(node().op);
    return def.macs ? def.macs(graph_, node()) : 0;
  }

  // Checks the graph, evaluates it and returns every output's bytes.
  Expected<std::vector<std::vector<uint8_t>>> RunBytes() const {
    Status st = Check();
    if (!st.ok()) return st.diag();
    auto r = ops::EvaluateGraph(graph_, input_data_);
    if (!r.ok()) return r.diag();
    return std::move(r->outputs);
  }
  // Output `index` decoded as T.
  template <typename T>
  Expected<std::vector<T>> Run(size_t index = 0) const {
    auto r = RunBytes();
    if (!r.ok()) return r.diag();
    if (index >= r->size()) return InternalError("test asked for a missing output");
    return FromBytes<T>((*r)[index]);
  }

 private:
  ir::TensorId Add(ir::DType dtype, ir::Shape shape, std::optional<ir::QuantParams> q,
                   const char* prefix) {
    ir::Tensor t;
    t.name = std::string(prefix) + std::to_string(graph_.tensors.size());
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.quant = std::move(q);
    return graph_.AddTensor(std::move(t));
  }

  ir::Graph graph_;
  std::vector<std::vector<uint8_t>> input_data_;
};

}  // namespace ember::test
