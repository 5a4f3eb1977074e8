// ModelBuilder: writes TFLite model files (flatbuffers, schema version 3).
//
// Used by tests (small deterministic models, malformed variants) and by the
// demo to produce a model of our own. It writes what it is told, without
// validation, so that tests can also build broken models on purpose (tensor
// or buffer indices out of range, cycles, ...). ImportTflite is the checker.
//
// Usage:
//   ModelBuilder b;
//   int in = b.AddTensor("input", TensorType::INT8, {1, 8, 8, 1}, Quant(0.5f, -1));
//   int w = b.AddConstTensor("w", TensorType::INT8, {4, 3, 3, 1}, bytes,
//                            QuantSpec{scales, zero_points, /*quantized_dimension=*/0});
//   ...
//   b.AddConv2D(in, w, bias, out, Padding::SAME, 1, 1, ActivationFunctionType::RELU);
//   b.SetInputs({in}); b.SetOutputs({out});
//   std::vector<uint8_t> file = b.Finish();
//
// Tensor, buffer and operator-code indices are returned as int32_t in the
// order of creation. Operator codes are deduplicated by (code, custom name).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frontend/tflite/schema_generated.h"

namespace ember::frontend::tflite {

using ::tflite::ActivationFunctionType;
using ::tflite::BuiltinOperator;
using ::tflite::BuiltinOptions;
using ::tflite::Padding;
using ::tflite::TensorType;

// Quantization of one tensor: one scale/zero point (per-tensor) or one per
// index of `quantized_dimension` (per-channel).
struct QuantSpec {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;
};

// Per-tensor quantization.
inline QuantSpec Quant(float scale, int64_t zero_point) { return {{scale}, {zero_point}, 0}; }

// How operator codes are written.
enum class OpCodeStyle {
  kModern,          // builtin_code = code; deprecated_builtin_code = min(code, 127)
  kDeprecatedOnly,  // only deprecated_builtin_code (files of the old converter)
};

class ModelBuilder {
 public:
  ModelBuilder();

  // Adds a buffer holding `data` (may be empty) and returns its index.
  // Buffer 0, the empty sentinel every model starts with, exists already.
  int32_t AddBuffer(const std::vector<uint8_t>& data);

  // Adds a tensor reading buffer `buffer` (0: no data) and returns its index.
  int32_t AddTensor(const std::string& name, TensorType type, const std::vector<int32_t>& shape,
                    const std::optional<QuantSpec>& quant = std::nullopt, uint32_t buffer = 0);

  // Adds a buffer holding `data` and a tensor reading it.
  int32_t AddConstTensor(const std::string& name, TensorType type,
                         const std::vector<int32_t>& shape, const std::vector<uint8_t>& data,
                         const std::optional<QuantSpec>& quant = std::nullopt);
  // Constant int32 tensor (little-endian), e.g. biases, shapes and axes.
  int32_t AddInt32Tensor(const std::string& name, const std::vector<int32_t>& shape,
                         const std::vector<int32_t>& values,
                         const std::optional<QuantSpec>& quant = std::nullopt);
  int32_t AddFloatTensor(const std::string& name, const std::vector<int32_t>& shape,
                         const std::vector<float>& values);

  // Marks tensor `tensor` as a variable (is_variable: persistent state, e.g. SVDF's).
  void SetVariable(int32_t tensor) { sg().tensors.at(static_cast<size_t>(tensor)).is_variable = true; }

  // Index of the operator code for (op, custom_name), created on first use.
  int32_t OpCodeIndex(BuiltinOperator op, const std::string& custom_name = "");

  // Generic operator. `options` must have been built in builder() (or be 0
  // with options_type NONE). Returns the operator index. Inputs of -1 mark
  // absent optional operands.
  int32_t AddOperator(BuiltinOperator op, const std::vector<int32_t>& inputs,
                      const std::vector<int32_t>& outputs,
                      BuiltinOptions options_type = BuiltinOptions::NONE,
                      flatbuffers::Offset<void> options = 0);
  // Same with an explicit operator-code index (tests use it to go out of range).
  int32_t AddOperatorWithCodeIndex(uint32_t opcode_index, const std::vector<int32_t>& inputs,
                                   const std::vector<int32_t>& outputs,
                                   BuiltinOptions options_type = BuiltinOptions::NONE,
                                   flatbuffers::Offset<void> options = 0);
  // A CUSTOM operator named `name`.
  int32_t AddCustom(const std::string& name, const std::vector<int32_t>& inputs,
                    const std::vector<int32_t>& outputs);

  // Typed helpers. `bias` may be -1 (absent).
  int32_t AddConv2D(int32_t input, int32_t filter, int32_t bias, int32_t output, Padding padding,
                    int32_t stride_h, int32_t stride_w,
                    ActivationFunctionType act = ActivationFunctionType::NONE,
                    int32_t dilation_h = 1, int32_t dilation_w = 1);
  int32_t AddDepthwiseConv2D(int32_t input, int32_t filter, int32_t bias, int32_t output,
                             Padding padding, int32_t stride_h, int32_t stride_w,
                             int32_t depth_multiplier,
                             ActivationFunctionType act = ActivationFunctionType::NONE,
                             int32_t dilation_h = 1, int32_t dilation_w = 1);
  int32_t AddFullyConnected(int32_t input, int32_t weights, int32_t bias, int32_t output,
                            ActivationFunctionType act = ActivationFunctionType::NONE,
                            bool keep_num_dims = false);
  // op is AVERAGE_POOL_2D or MAX_POOL_2D.
  int32_t AddPool2D(BuiltinOperator op, int32_t input, int32_t output, Padding padding,
                    int32_t filter_h, int32_t filter_w, int32_t stride_h, int32_t stride_w,
                    ActivationFunctionType act = ActivationFunctionType::NONE);
  int32_t AddAdd(int32_t a, int32_t b, int32_t output,
                 ActivationFunctionType act = ActivationFunctionType::NONE);
  int32_t AddMul(int32_t a, int32_t b, int32_t output,
                 ActivationFunctionType act = ActivationFunctionType::NONE);
  // `shape_tensor` may be -1 (then only the new_shape option is written);
  // `new_shape` may be empty (then the option table has no new_shape).
  int32_t AddReshape(int32_t input, int32_t shape_tensor, int32_t output,
                     const std::vector<int32_t>& new_shape = {});
  int32_t AddSoftmax(int32_t input, int32_t output, float beta = 1.0f);

  void SetInputs(const std::vector<int32_t>& inputs) { sg().inputs = inputs; }
  void SetOutputs(const std::vector<int32_t>& outputs) { sg().outputs = outputs; }

  // Several subgraphs (e.g. the init subgraph of CALL_ONCE): AddSubgraph
  // starts subgraph k (1, 2, ...) and makes it current; Select makes subgraph
  // k current again. Tensors, operators, inputs and outputs go to the current
  // subgraph (tensor indices are per subgraph); buffers and operator codes
  // are the model's. The builder starts in subgraph 0, "main".
  int32_t AddSubgraph(const std::string& name);
  void Select(int32_t subgraph) { cur_ = static_cast<size_t>(subgraph); }
  // Resource variables: VAR_HANDLE (container may be empty: absent),
  // READ_VARIABLE, ASSIGN_VARIABLE and CALL_ONCE.
  int32_t AddVarHandle(int32_t output, const std::string& shared_name, const std::string& container = "");
  int32_t AddReadVariable(int32_t resource, int32_t output);
  int32_t AddAssignVariable(int32_t resource, int32_t value);
  int32_t AddCallOnce(int32_t init_subgraph);
  void SetOpCodeStyle(OpCodeStyle style) { style_ = style; }
  void SetDescription(const std::string& d) { description_ = d; }

  // For building option tables of other operators (e.g. CreatePool2DOptions(builder(), ...)).
  flatbuffers::FlatBufferBuilder& builder() { return fbb_; }

  // Serializes the model (subgraph 0 named "main", schema version 3), with
  // the "TFL3" identifier unless `with_identifier` is false. The builder must
  // not be used afterwards.
  std::vector<uint8_t> Finish(bool with_identifier = true);

 private:
  struct TensorRec {
    std::string name;
    TensorType type;
    std::vector<int32_t> shape;
    std::optional<QuantSpec> quant;
    uint32_t buffer;
    bool is_variable = false;
  };
  struct OpRec {
    uint32_t opcode_index;
    std::vector<int32_t> inputs, outputs;
    BuiltinOptions options_type;
    flatbuffers::Offset<void> options;
  };
  struct CodeRec {
    BuiltinOperator op;
    std::string custom;
  };

  struct SubgraphRec {
    std::string name;
    std::vector<TensorRec> tensors;
    std::vector<OpRec> ops;
    std::vector<int32_t> inputs, outputs;
  };
  SubgraphRec& sg() { return subgraphs_.at(cur_); }

  flatbuffers::FlatBufferBuilder fbb_;
  std::vector<std::vector<uint8_t>> buffers_;
  std::vector<SubgraphRec> subgraphs_{SubgraphRec{"main", {}, {}, {}, {}}};
  size_t cur_ = 0;
  std::vector<CodeRec> codes_;
  OpCodeStyle style_ = OpCodeStyle::kModern;
  std::string description_ = "ember ModelBuilder";
};

}  // namespace ember::frontend::tflite
