// ModelBuilder (contract in builder.h).
//
// Option tables are written into the FlatBufferBuilder as soon as an operator
// is added (they are leaves, so this is allowed at any time); everything else
// is recorded and serialized bottom-up in Finish(): buffers, tensors, operator
// codes, operators, the subgraph and finally the model table.
#include "frontend/tflite/builder.h"

#include <algorithm>
#include <cstring>

namespace ember::frontend::tflite {

namespace fb = ::flatbuffers;
namespace tfl = ::tflite;

ModelBuilder::ModelBuilder() { buffers_.emplace_back(); }

int32_t ModelBuilder::AddBuffer(const std::vector<uint8_t>& data) {
  buffers_.push_back(data);
  return static_cast<int32_t>(buffers_.size() - 1);
}

int32_t ModelBuilder::AddTensor(const std::string& name, TensorType type,
                                const std::vector<int32_t>& shape,
                                const std::optional<QuantSpec>& quant, uint32_t buffer) {
  sg().tensors.push_back(TensorRec{name, type, shape, quant, buffer});
  return static_cast<int32_t>(sg().tensors.size() - 1);
}

int32_t ModelBuilder::AddConstTensor(const std::string& name, TensorType type,
                                     const std::vector<int32_t>& shape,
                                     const std::vector<uint8_t>& data,
                                     const std::optional<QuantSpec>& quant) {
  const int32_t buffer = AddBuffer(data);
  return AddTensor(name, type, shape, quant, static_cast<uint32_t>(buffer));
}

namespace {
template <typename T>
std::vector<uint8_t> ToBytes(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;  // the host is little-endian, like the file format
}
}  // namespace

int32_t ModelBuilder::AddInt32Tensor(const std::string& name, const std::vector<int32_t>& shape,
                                     const std::vector<int32_t>& values,
                                     const std::optional<QuantSpec>& quant) {
  return AddConstTensor(name, TensorType::INT32, shape, ToBytes(values), quant);
}

int32_t ModelBuilder::AddFloatTensor(const std::string& name, const std::vector<int32_t>& shape,
                                     const std::vector<float>& values) {
  return AddConstTensor(name, TensorType::FLOAT32, shape, ToBytes(values));
}

int32_t ModelBuilder::OpCodeIndex(BuiltinOperator op, const std::string& custom_name) {
  for (size_t i = 0; i < codes_.size(); ++i) {
    if (codes_[i].op == op && codes_[i].custom == custom_name) return static_cast<int32_t>(i);
  }
  codes_.push_back(CodeRec{op, custom_name});
  return static_cast<int32_t>(codes_.size() - 1);
}

int32_t ModelBuilder::AddOperatorWithCodeIndex(uint32_t opcode_index,
                                               const std::vector<int32_t>& inputs,
                                               const std::vector<int32_t>& outputs,
                                               BuiltinOptions options_type,
                                               fb::Offset<void> options) {
  sg().ops.push_back(OpRec{opcode_index, inputs, outputs, options_type, options});
  return static_cast<int32_t>(sg().ops.size() - 1);
}

int32_t ModelBuilder::AddOperator(BuiltinOperator op, const std::vector<int32_t>& inputs,
                                  const std::vector<int32_t>& outputs,
                                  BuiltinOptions options_type, fb::Offset<void> options) {
  const auto code = static_cast<uint32_t>(OpCodeIndex(op));
  return AddOperatorWithCodeIndex(code, inputs, outputs, options_type, options);
}

int32_t ModelBuilder::AddCustom(const std::string& name, const std::vector<int32_t>& inputs,
                                const std::vector<int32_t>& outputs) {
  const auto code = static_cast<uint32_t>(OpCodeIndex(BuiltinOperator::CUSTOM, name));
  return AddOperatorWithCodeIndex(code, inputs, outputs);
}

int32_t ModelBuilder::AddConv2D(int32_t input, int32_t filter, int32_t bias, int32_t output,
                                Padding padding, int32_t stride_h, int32_t stride_w,
                                ActivationFunctionType act, int32_t dilation_h,
                                int32_t dilation_w) {
  auto o = tfl::CreateConv2DOptions(fbb_, padding, stride_w, stride_h, act, dilation_w, dilation_h);
  return AddOperator(BuiltinOperator::CONV_2D, {input, filter, bias}, {output},
                     BuiltinOptions::Conv2DOptions, o.Union());
}

int32_t ModelBuilder::AddDepthwiseConv2D(int32_t input, int32_t filter, int32_t bias,
                                         int32_t output, Padding padding, int32_t stride_h,
                                         int32_t stride_w, int32_t depth_multiplier,
                                         ActivationFunctionType act, int32_t dilation_h,
                                         int32_t dilation_w) {
  auto o = tfl::CreateDepthwiseConv2DOptions(fbb_, padding, stride_w, stride_h, depth_multiplier,
                                             act, dilation_w, dilation_h);
  return AddOperator(BuiltinOperator::DEPTHWISE_CONV_2D, {input, filter, bias}, {output},
                     BuiltinOptions::DepthwiseConv2DOptions, o.Union());
}

int32_t ModelBuilder::AddFullyConnected(int32_t input, int32_t weights, int32_t bias,
                                        int32_t output, ActivationFunctionType act,
                                        bool keep_num_dims) {
  auto o = tfl::CreateFullyConnectedOptions(
      fbb_, act, tfl::FullyConnectedOptionsWeightsFormat::DEFAULT, keep_num_dims);
  return AddOperator(BuiltinOperator::FULLY_CONNECTED, {input, weights, bias}, {output},
                     BuiltinOptions::FullyConnectedOptions, o.Union());
}

int32_t ModelBuilder::AddPool2D(BuiltinOperator op, int32_t input, int32_t output,
                                Padding padding, int32_t filter_h, int32_t filter_w,
                                int32_t stride_h, int32_t stride_w, ActivationFunctionType act) {
  auto o = tfl::CreatePool2DOptions(fbb_, padding, stride_w, stride_h, filter_w, filter_h, act);
  return AddOperator(op, {input}, {output}, BuiltinOptions::Pool2DOptions, o.Union());
}

int32_t ModelBuilder::AddAdd(int32_t a, int32_t b, int32_t output, ActivationFunctionType act) {
  auto o = tfl::CreateAddOptions(fbb_, act);
  return AddOperator(BuiltinOperator::ADD, {a, b}, {output}, BuiltinOptions::AddOptions,
                     o.Union());
}

int32_t ModelBuilder::AddMul(int32_t a, int32_t b, int32_t output, ActivationFunctionType act) {
  auto o = tfl::CreateMulOptions(fbb_, act);
  return AddOperator(BuiltinOperator::MUL, {a, b}, {output}, BuiltinOptions::MulOptions,
                     o.Union());
}

int32_t ModelBuilder::AddReshape(int32_t input, int32_t shape_tensor, int32_t output,
                                 const std::vector<int32_t>& new_shape) {
  fb::Offset<fb::Vector<int32_t>> ns = 0;
  if (!new_shape.empty()) ns = fbb_.CreateVector(new_shape);
  auto o = tfl::CreateReshapeOptions(fbb_, ns);
  std::vector<int32_t> inputs = {input};
  if (shape_tensor >= 0) inputs.push_back(shape_tensor);
  return AddOperator(BuiltinOperator::RESHAPE, inputs, {output}, BuiltinOptions::ReshapeOptions,
                     o.Union());
}

int32_t ModelBuilder::AddSoftmax(int32_t input, int32_t output, float beta) {
  auto o = tfl::CreateSoftmaxOptions(fbb_, beta);
  return AddOperator(BuiltinOperator::SOFTMAX, {input}, {output}, BuiltinOptions::SoftmaxOptions,
                     o.Union());
}

int32_t ModelBuilder::AddSubgraph(const std::string& name) {
  subgraphs_.push_back(SubgraphRec{name, {}, {}, {}, {}});
  cur_ = subgraphs_.size() - 1;
  return static_cast<int32_t>(cur_);
}

int32_t ModelBuilder::AddVarHandle(int32_t output, const std::string& shared_name, const std::string& container) {
  fb::Offset<fb::String> c = 0;
  if (!container.empty()) c = fbb_.CreateString(container);
  auto o = tfl::CreateVarHandleOptions(fbb_, c, fbb_.CreateString(shared_name));
  return AddOperator(BuiltinOperator::VAR_HANDLE, {}, {output}, BuiltinOptions::VarHandleOptions, o.Union());
}

int32_t ModelBuilder::AddReadVariable(int32_t resource, int32_t output) {
  return AddOperator(BuiltinOperator::READ_VARIABLE, {resource}, {output});
}

int32_t ModelBuilder::AddAssignVariable(int32_t resource, int32_t value) {
  return AddOperator(BuiltinOperator::ASSIGN_VARIABLE, {resource, value}, {});
}

int32_t ModelBuilder::AddCallOnce(int32_t init_subgraph) {
  auto o = tfl::CreateCallOnceOptions(fbb_, init_subgraph);
  return AddOperator(BuiltinOperator::CALL_ONCE, {}, {}, BuiltinOptions::CallOnceOptions, o.Union());
}

std::vector<uint8_t> ModelBuilder::Finish(bool with_identifier) {
  std::vector<fb::Offset<tfl::Buffer>> buffers;
  for (const auto& data : buffers_) {
    fb::Offset<fb::Vector<uint8_t>> v = 0;
    if (!data.empty()) {
      fbb_.ForceVectorAlignment(data.size(), 1, 16);  // like the reference converter
      v = fbb_.CreateVector(data);
    }
    buffers.push_back(tfl::CreateBuffer(fbb_, v));
  }
  std::vector<fb::Offset<tfl::OperatorCode>> codes;
  for (const auto& c : codes_) {
    const auto code = static_cast<int32_t>(c.op);
    const auto dep = static_cast<int8_t>(std::min(code, 127));
    fb::Offset<fb::String> custom = 0;
    if (!c.custom.empty()) custom = fbb_.CreateString(c.custom);
    const BuiltinOperator modern =
        style_ == OpCodeStyle::kModern ? c.op : BuiltinOperator::ADD;  // ADD = 0 = absent
    codes.push_back(tfl::CreateOperatorCode(fbb_, dep, custom, 1, modern));
  }
  std::vector<fb::Offset<tfl::SubGraph>> subgraphs;
  for (const SubgraphRec& g : subgraphs_) {
    std::vector<fb::Offset<tfl::Tensor>> tensors;
    for (const auto& t : g.tensors) {
      fb::Offset<tfl::QuantizationParameters> q = 0;
      if (t.quant) {
        q = tfl::CreateQuantizationParameters(
            fbb_, 0, 0, fbb_.CreateVector(t.quant->scale), fbb_.CreateVector(t.quant->zero_point),
            tfl::QuantizationDetails::NONE, 0, t.quant->quantized_dimension);
      }
      tensors.push_back(tfl::CreateTensor(fbb_, fbb_.CreateVector(t.shape), t.type, t.buffer,
                                          fbb_.CreateString(t.name), q, t.is_variable));
    }
    std::vector<fb::Offset<tfl::Operator>> ops;
    for (const auto& o : g.ops) {
      ops.push_back(tfl::CreateOperator(fbb_, o.opcode_index, fbb_.CreateVector(o.inputs),
                                        fbb_.CreateVector(o.outputs), o.options_type, o.options));
    }
    subgraphs.push_back(tfl::CreateSubGraph(fbb_, fbb_.CreateVector(tensors), fbb_.CreateVector(g.inputs),
                                            fbb_.CreateVector(g.outputs), fbb_.CreateVector(ops),
                                            fbb_.CreateString(g.name)));
  }
  auto model = tfl::CreateModel(fbb_, 3, fbb_.CreateVector(codes),
                                fbb_.CreateVector(subgraphs),
                                fbb_.CreateString(description_), fbb_.CreateVector(buffers));
  if (with_identifier) {
    fbb_.Finish(model, tfl::ModelIdentifier());
  } else {
    fbb_.Finish(model);
  }
  return std::vector<uint8_t>(fbb_.GetBufferPointer(), fbb_.GetBufferPointer() + fbb_.GetSize());
}

}  // namespace ember::frontend::tflite
