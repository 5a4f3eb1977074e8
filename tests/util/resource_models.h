// TFLite models with resource variables (VAR_HANDLE, READ_VARIABLE,
// ASSIGN_VARIABLE, CALL_ONCE), written with ModelBuilder, for the import
// tests and the streaming tests.
#pragma once

#include <cstdint>
#include <vector>

#include "frontend/tflite/builder.h"

namespace ember::test {

// A streaming int8 model as the TFLite converter writes one, all tensors
// quant(0.05, -3):
//   subgraph 0: CALL_ONCE(1); VAR_HANDLE "stream/buffer" -> hb, "stream/last" -> hl;
//     prev = READ(hb) [1,4]; last = READ(hl) [1,2]; cat = CONCAT(prev, x) [1,6];
//     new = SLICE(cat, [0,2], [1,4]); ASSIGN(hb, new); ASSIGN(hl, x);
//     after = READ(hb) [1,4] (the value just assigned); cat2 = CONCAT(after, last) [1,6];
//     out = FULLY_CONNECTED(cat2) [1,3]
//   subgraph 1 (init): ASSIGN(buffer, [1,2,3,4]); ASSIGN(last, [-5,7]).
// `call_once_last` puts CALL_ONCE after the first READ (refused);
// `init_index` is CALL_ONCE's init_subgraph_index.
inline std::vector<uint8_t> ResourceStreamModel(bool call_once_last = false, int32_t init_index = 1) {
  using frontend::tflite::BuiltinOperator;
  using frontend::tflite::BuiltinOptions;
  using frontend::tflite::ModelBuilder;
  using frontend::tflite::Quant;
  using frontend::tflite::TensorType;
  ModelBuilder b;
  const auto q = Quant(0.05f, -3);
  const int x = b.AddTensor("x", TensorType::INT8, {1, 2}, q);
  const int hb = b.AddTensor("hb", TensorType::RESOURCE, {});
  const int hl = b.AddTensor("hl", TensorType::RESOURCE, {});
  const int prev = b.AddTensor("prev", TensorType::INT8, {1, 4}, q);
  const int last = b.AddTensor("last", TensorType::INT8, {1, 2}, q);
  const int cat = b.AddTensor("cat", TensorType::INT8, {1, 6}, q);
  const int begin = b.AddInt32Tensor("begin", {2}, {0, 2});
  const int size = b.AddInt32Tensor("size", {2}, {1, 4});
  const int fresh = b.AddTensor("new", TensorType::INT8, {1, 4}, q);
  const int after = b.AddTensor("after", TensorType::INT8, {1, 4}, q);
  const int cat2 = b.AddTensor("cat2", TensorType::INT8, {1, 6}, q);
  std::vector<uint8_t> w(18);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>(i * 37 % 61) - 30));
  const int fw = b.AddConstTensor("fc/w", TensorType::INT8, {3, 6}, w, Quant(0.02f, 0));
  const int fb = b.AddInt32Tensor("fc/b", {3}, {40, -25, 9}, Quant(0.001f, 0));
  const int out = b.AddTensor("out", TensorType::INT8, {1, 3}, Quant(0.04f, 2));
  if (!call_once_last) b.AddCallOnce(init_index);
  b.AddVarHandle(hb, "stream/buffer");
  b.AddVarHandle(hl, "stream/last");
  b.AddReadVariable(hb, prev);
  if (call_once_last) b.AddCallOnce(init_index);
  b.AddReadVariable(hl, last);
  auto concat = [&](int a, int c, int y) {
    b.AddOperator(BuiltinOperator::CONCATENATION, {a, c}, {y}, BuiltinOptions::ConcatenationOptions,
                  ::tflite::CreateConcatenationOptions(b.builder(), 1).Union());
  };
  concat(prev, x, cat);
  b.AddOperator(BuiltinOperator::SLICE, {cat, begin, size}, {fresh});
  b.AddAssignVariable(hb, fresh);
  b.AddAssignVariable(hl, x);
  b.AddReadVariable(hb, after);
  concat(after, last, cat2);
  b.AddFullyConnected(cat2, fw, fb, out);
  b.SetInputs({x});
  b.SetOutputs({out});

  b.AddSubgraph("init");
  const int ib = b.AddTensor("ib", TensorType::RESOURCE, {});
  const int il = b.AddTensor("il", TensorType::RESOURCE, {});
  const int vb = b.AddConstTensor("buffer_init", TensorType::INT8, {1, 4}, {1, 2, 3, 4}, q);
  const int vl = b.AddConstTensor("last_init", TensorType::INT8, {1, 2}, {static_cast<uint8_t>(-5), 7}, q);
  b.AddVarHandle(ib, "stream/buffer");
  b.AddAssignVariable(ib, vb);
  b.AddVarHandle(il, "stream/last");
  b.AddAssignVariable(il, vl);
  b.Select(0);
  return b.Finish();
}

}  // namespace ember::test
