// Tensor side of the TFLite importer: element types, shapes, constant data,
// quantization, unique names, and operands of operators (see import.cc for
// the overall steps and import_internal.h for the contracts).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "frontend/tflite/import_internal.h"
#include "support/float16.h"
#include "support/utf8.h"

namespace ember::frontend::tflite::detail {

namespace tfl = ::tflite;

// Largest tensor ember accepts (the flatbuffer limit, and far beyond any MCU).
constexpr int64_t kMaxTensorBytes = (int64_t{1} << 31) - 1;

Diagnostic FileError(const Context& ctx, const char* id, ExitCode exit, const std::string& message,
                     const std::string& hint) {
  return MakeDiag(id, exit, ctx.source + ": " + message, hint);
}

Diagnostic OpError(const Context& ctx, const OpRef& op, const char* id, ExitCode exit,
                   const std::string& message, const std::string& hint) {
  const std::string sub = ctx.subgraph_index == 0 ? "" : " of subgraph " + std::to_string(ctx.subgraph_index);
  return MakeDiag(id, exit,
                  ctx.source + ": operator " + std::to_string(op.index) + sub + " (" + op.op_name +
                      ", output '" + op.output_name + "'): " + message,
                  hint);
}

size_t NumInputs(const OpRef& op) { return op.op->inputs() ? op.op->inputs()->size() : 0; }

int32_t InputIndex(const OpRef& op, size_t pos) {
  if (pos >= NumInputs(op)) return -1;
  return op.op->inputs()->Get(static_cast<flatbuffers::uoffset_t>(pos));
}

namespace {

std::optional<ir::DType> MapType(tfl::TensorType t) {
  switch (t) {
    case tfl::TensorType::FLOAT32: return ir::DType::kFloat32;
    case tfl::TensorType::INT32: return ir::DType::kInt32;
    case tfl::TensorType::UINT8: return ir::DType::kUInt8;
    case tfl::TensorType::INT64: return ir::DType::kInt64;
    case tfl::TensorType::BOOL: return ir::DType::kBool;
    case tfl::TensorType::INT16: return ir::DType::kInt16;
    case tfl::TensorType::INT8: return ir::DType::kInt8;
    default: return std::nullopt;
  }
}

std::string TypeName(tfl::TensorType t) {
  const char* n = tfl::EnumNameTensorType(t);
  return (n && *n) ? n : "type " + std::to_string(static_cast<int>(t));
}

const tfl::Tensor* RawTensor(const Context& ctx, int32_t index) {
  return ctx.subgraph->tensors()->Get(static_cast<flatbuffers::uoffset_t>(index));
}

}  // namespace

const flatbuffers::Vector<uint8_t>* ConstData(const Context& ctx, int32_t index) {
  const auto* buffers = ctx.model->buffers();
  const uint32_t b = RawTensor(ctx, index)->buffer();
  if (!buffers || b >= buffers->size()) return nullptr;
  const auto* data = buffers->Get(b)->data();
  return (data && data->size() > 0) ? data : nullptr;
}

namespace {

std::string Quoted(const Context& ctx, int32_t index) {
  return "'" + ctx.names[static_cast<size_t>(index)] + "'";
}

// Shape of a tensor: no negative dimension, at most kMaxTensorBytes bytes.
Expected<ir::Shape> ReadShape(const Context& ctx, int32_t index, size_t elem_size) {
  const auto* dims = RawTensor(ctx, index)->shape();
  ir::Shape shape;
  int64_t bytes = static_cast<int64_t>(elem_size);
  bool too_large = false;  // also with a zero dimension: other code multiplies dims in order
  for (flatbuffers::uoffset_t i = 0; dims && i < dims->size(); ++i) {
    const int64_t d = dims->Get(i);
    if (d < 0) {
      return FileError(ctx, kBadShape, ExitCode::kFailure,
                       "tensor " + Quoted(ctx, index) + " has a negative dimension " +
                           std::to_string(d) + " at axis " + std::to_string(i),
                       "dynamic shapes are not supported; convert the model with fixed shapes");
    }
    if (d > 0 && bytes > kMaxTensorBytes / d) too_large = true;
    if (!too_large && d > 0) bytes *= d;
    shape.push_back(d);
  }
  if (too_large) {
    return FileError(ctx, kBadShape, ExitCode::kFailure,
                     "tensor " + Quoted(ctx, index) + " of shape " + ir::ShapeToString(shape) +
                         " is larger than 2 GiB",
                     "the model file is damaged or not meant for a microcontroller");
  }
  return shape;
}

// Element i of a vector of int64 (zero points). The flatbuffers Verifier
// checks the alignment of a vector's length field only, so in a damaged
// file the elements may sit at an address that is not a multiple of 8:
// read them bytewise, never through an int64_t pointer.
int64_t Int64At(const flatbuffers::Vector<int64_t>* v, flatbuffers::uoffset_t i) {
  int64_t x = 0;
  std::memcpy(&x, v->Data() + static_cast<size_t>(i) * sizeof x, sizeof x);
  return flatbuffers::EndianScalar(x);
}

Status ReadQuant(Context& ctx, int32_t index, const ir::Tensor& t,
                 std::optional<ir::QuantParams>* out) {
  const auto* q = RawTensor(ctx, index)->quantization();
  if (!q) return Status::Ok();
  const std::string where = "tensor " + Quoted(ctx, index);
  if (q->details_type() != tfl::QuantizationDetails::NONE) {
    return FileError(ctx, kQuantDetails, ExitCode::kUnsupported,
                     where + " uses a custom (non-affine) quantization scheme",
                     "ember supports affine int8 quantization (scale and zero point)");
  }
  const size_t ns = q->scale() ? q->scale()->size() : 0;
  const size_t nz = q->zero_point() ? q->zero_point()->size() : 0;
  if (ns == 0) return Status::Ok();  // min/max only, or empty: not quantized
  const auto bad = [&](const std::string& what) {
    return FileError(ctx, kBadQuant, ExitCode::kFailure, where + " has invalid quantization: " + what,
                     "the model file is damaged; re-export it from the converter");
  };
  if (nz != ns) {
    return bad(std::to_string(ns) + " scales but " + std::to_string(nz) + " zero points");
  }
  ir::QuantParams p;
  if (ns > 1) {
    const int32_t axis = q->quantized_dimension();
    const auto rank = static_cast<int32_t>(t.shape.size());
    if ((axis < 0 || axis >= rank) && rank == 1 && t.shape[0] == static_cast<int64_t>(ns)) {
      // The TFLite converter writes the filter's quantized_dimension (3 for
      // a depthwise filter [1, KH, KW, C]) onto the 1-D per-channel bias of
      // CONV_2D/DEPTHWISE_CONV_2D (person_detect.tflite has 14 of them).
      // TFLite and TFLM never read it: the only axis of a 1-D tensor is meant.
      ctx.warnings.push_back(MakeDiag(
          kQuantAxisRepaired, ExitCode::kOk,
          ctx.source + ": " + where + " of shape " + ir::ShapeToString(t.shape) + " has " +
              std::to_string(ns) + " per-channel scales with quantized_dimension " + std::to_string(axis) +
              "; read as axis 0",
          "the TFLite converter copies the filter's quantized_dimension onto 1-D biases; TFLite ignores it"));
    } else if (axis < 0 || axis >= rank) {
      return bad("quantized_dimension " + std::to_string(axis) + " is not an axis of shape " +
                 ir::ShapeToString(t.shape));
    } else if (t.shape[static_cast<size_t>(axis)] != static_cast<int64_t>(ns)) {
      return bad(std::to_string(ns) + " scales for axis " + std::to_string(axis) + " of size " +
                 std::to_string(t.shape[static_cast<size_t>(axis)]));
    }
    p.axis = rank == 1 ? 0 : axis;
  }
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  if (t.dtype == ir::DType::kInt8) lo = -128, hi = 127;
  if (t.dtype == ir::DType::kUInt8) lo = 0, hi = 255;
  if (t.dtype == ir::DType::kInt16) lo = -32768, hi = 32767;
  for (flatbuffers::uoffset_t i = 0; i < ns; ++i) {
    const float s = q->scale()->Get(i);
    const int64_t z = Int64At(q->zero_point(), i);
    if (!std::isfinite(s) || !(s > 0.0f)) return bad("scale " + std::to_string(s) + " is not positive");
    if (z < lo || z > hi) {
      return bad("zero point " + std::to_string(z) + " is outside the range of " +
                 ir::DTypeName(t.dtype));
    }
    p.scale.push_back(s);
    p.zero_point.push_back(z);
  }
  // Quantization of float and bool tensors carries no meaning for ember.
  if (t.dtype != ir::DType::kFloat32 && t.dtype != ir::DType::kBool) *out = std::move(p);
  return Status::Ok();
}

// Converts TFLite tensor `index` (already range-checked) into an IR tensor.
Expected<ir::Tensor> ConvertTensor(Context& ctx, int32_t index) {
  const tfl::Tensor* raw = RawTensor(ctx, index);
  const std::string where = "tensor " + Quoted(ctx, index);
  // float16 constants (the weights of TFLite's float16 quantization, read
  // by DEQUANTIZE) are read as float32, exactly.
  const bool half = raw->type() == tfl::TensorType::FLOAT16;
  const std::optional<ir::DType> dtype = half ? std::optional(ir::DType::kFloat32) : MapType(raw->type());
  if (!dtype) {
    return FileError(ctx, kTensorType, ExitCode::kUnsupported,
                     where + " has element type " + TypeName(raw->type()) +
                         ", which ember does not support",
                     "ember supports int8, uint8, int16, int32, int64, float32 and bool tensors, and float16 "
                     "constants");
  }
  if (raw->sparsity()) {
    return FileError(ctx, kSparse, ExitCode::kUnsupported, where + " is sparse",
                     "convert the model without sparsity (dense weights)");
  }
  ir::Tensor t;
  // A variable tensor (e.g. SVDF's state) is persistent state: TFLite Micro
  // resets it to real zero whatever its buffer holds, so no data is read.
  t.is_variable = raw->is_variable();
  t.name = ctx.names[static_cast<size_t>(index)];
  t.dtype = *dtype;
  const size_t stored_size = half ? 2 : ir::DTypeSize(*dtype);
  EMBER_ASSIGN_OR_RETURN(t.shape, ReadShape(ctx, index, stored_size));
  const auto* buffers = ctx.model->buffers();
  const uint32_t b = raw->buffer();
  const uint32_t nb = buffers ? buffers->size() : 0;
  if (b != 0 && b >= nb) {
    return FileError(ctx, kBufferIndex, ExitCode::kFailure,
                     where + " refers to buffer " + std::to_string(b) + " but the model has " +
                         std::to_string(nb) + " buffers",
                     "the model file is damaged; re-export it from the converter");
  }
  if (b < nb && !t.is_variable) {
    const tfl::Buffer* buf = buffers->Get(b);
    if (buf->offset() > 1) {
      return FileError(ctx, kExternalBuffer, ExitCode::kUnsupported,
                       where + " keeps its data outside the flatbuffer (offset " +
                           std::to_string(buf->offset()) + "), as models over 2 GiB do",
                       "models over 2 GiB cannot run on a microcontroller; use a smaller model");
    }
    if (buf->data() && buf->data()->size() > 0) {
      const auto size = static_cast<int64_t>(buf->data()->size());
      const int64_t need = t.num_elements() * static_cast<int64_t>(stored_size);
      if (size != need) {
        return FileError(ctx, kBufferSize, ExitCode::kFailure,
                         where + " of shape " + ir::ShapeToString(t.shape) + " and type " +
                             (half ? std::string("float16") : ir::DTypeName(t.dtype)) + " needs " +
                             std::to_string(need) + " bytes but its buffer " + std::to_string(b) + " holds " +
                             std::to_string(size),
                         "the model file is damaged; re-export it from the converter");
      }
      t.data = std::vector<uint8_t>(buf->data()->begin(), buf->data()->end());
      if (half) {
        std::vector<uint8_t> f32(static_cast<size_t>(t.size_bytes()));
        for (size_t k = 0; k < f32.size() / 4; ++k) {
          uint16_t bits;
          std::memcpy(&bits, t.data->data() + 2 * k, 2);
          const auto v = static_cast<float>(Float16Value(bits));
          std::memcpy(f32.data() + 4 * k, &v, 4);
        }
        t.data = std::move(f32);
      }
    }
  }
  if (half && !t.data) {
    return FileError(ctx, kTensorType, ExitCode::kUnsupported,
                     where + " is a FLOAT16 tensor without data (computed at run time or a variable)",
                     "ember reads float16 constants (float16 weights that DEQUANTIZE turns to float32); convert "
                     "the model with float32 activations");
  }
  EMBER_RETURN_IF_ERROR(ReadQuant(ctx, index, t, &t.quant));
  return t;
}

// Range check of a TFLite tensor index found at `where`.
Status CheckIndex(const Context& ctx, int32_t index, const std::string& where,
                  const OpRef* op = nullptr) {
  if (index >= 0 && static_cast<size_t>(index) < ctx.num_tensors) return Status::Ok();
  const std::string msg = where + " refers to tensor " + std::to_string(index) +
                          " but the subgraph has " + std::to_string(ctx.num_tensors) + " tensors";
  const std::string hint = "the model file is damaged; re-export it from the converter";
  if (op) return OpError(ctx, *op, kTensorIndex, ExitCode::kFailure, msg, hint);
  return FileError(ctx, kTensorIndex, ExitCode::kFailure, msg, hint);
}

}  // namespace

Expected<ir::TensorId> UseTensor(Context& ctx, int32_t index) {
  ir::TensorId& id = ctx.ir_id[static_cast<size_t>(index)];
  if (id != ir::kNoTensor) return id;
  EMBER_ASSIGN_OR_RETURN(ir::Tensor t, ConvertTensor(ctx, index));
  id = ctx.graph.AddTensor(std::move(t));
  return id;
}

std::vector<std::string> UniqueNames(const tfl::SubGraph* sg) {
  std::vector<std::string> names;
  std::set<std::string> used;
  std::unordered_map<std::string, int> next_suffix;
  const auto* tensors = sg->tensors();
  for (flatbuffers::uoffset_t i = 0; tensors && i < tensors->size(); ++i) {
    const auto* n = tensors->Get(i)->name();
    // Names that are not UTF-8 are kept escaped (support/utf8.h), so that
    // every JSON file and listing can carry them.
    std::string base = (n && n->size() > 0) ? EscapeInvalidUtf8(std::string_view(n->c_str(), n->size())) : "tensor_" + std::to_string(i);
    std::string name = base;
    if (used.count(name)) {
      int& k = next_suffix[base];
      do name = base + "_" + std::to_string(++k);
      while (used.count(name));
    }
    used.insert(name);
    names.push_back(std::move(name));
  }
  return names;
}

Expected<ir::TensorId> Operand(Context& ctx, const OpRef& op, size_t pos, bool optional) {
  const int32_t index = pos < NumInputs(op) ? InputIndex(op, pos) : -1;
  if (index == -1) {
    if (optional) return ir::kNoTensor;
    return OpError(ctx, op, kOperandCount, ExitCode::kFailure,
                   "input " + std::to_string(pos) + " is required but " +
                       (pos < NumInputs(op) ? std::string("marked absent (-1)")
                                            : "the operator has only " +
                                                  std::to_string(NumInputs(op)) + " inputs"),
                   "the model file is damaged; re-export it from the converter");
  }
  EMBER_RETURN_IF_ERROR(CheckIndex(ctx, index, "input " + std::to_string(pos), &op));
  if (!ctx.available[static_cast<size_t>(index)] && !ConstData(ctx, index) &&
      !RawTensor(ctx, index)->is_variable()) {
    // Report a broken tensor (e.g. buffer index out of range) as such first.
    EMBER_RETURN_IF_ERROR(UseTensor(ctx, index).status());
    return OpError(ctx, op, kDataflow, ExitCode::kFailure,
                   "input " + std::to_string(pos) + " reads tensor " + Quoted(ctx, index) +
                       ", which is neither a constant, a graph input nor the output of an "
                       "earlier operator",
                   "operators must be stored in execution order and must not read their own "
                   "outputs (no cycles)");
  }
  return UseTensor(ctx, index);
}

namespace {

// The TFLite tensor index of parameter input `pos` (E0113 when absent).
Expected<int32_t> ParamIndex(Context& ctx, const OpRef& op, size_t pos, const std::string& what) {
  const int32_t index = InputIndex(op, pos);
  if (index == -1) {
    return OpError(ctx, op, kOperandCount, ExitCode::kFailure,
                   "the " + what + " input (input " + std::to_string(pos) + ") is missing");
  }
  EMBER_RETURN_IF_ERROR(CheckIndex(ctx, index, "input " + std::to_string(pos), &op));
  return index;
}

Diagnostic NotConstant(Context& ctx, const OpRef& op, int32_t index, const std::string& what) {
  return OpError(ctx, op, kNotConstant, ExitCode::kUnsupported,
                 "the " + what + " tensor " + Quoted(ctx, index) + " is not a constant",
                 "ember needs the " + what + " at compile time; convert the model with a "
                 "constant " + what);
}

}  // namespace

Expected<std::vector<int64_t>> ConstInts(Context& ctx, const OpRef& op, size_t pos,
                                         const std::string& what) {
  EMBER_ASSIGN_OR_RETURN(const int32_t index, ParamIndex(ctx, op, pos, what));
  const tfl::Tensor* raw = RawTensor(ctx, index);
  const bool is64 = raw->type() == tfl::TensorType::INT64;
  if (!is64 && raw->type() != tfl::TensorType::INT32) {
    return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                   "the " + what + " tensor " + Quoted(ctx, index) + " has type " +
                       TypeName(raw->type()) + "; int32 or int64 is expected");
  }
  const auto* data = ConstData(ctx, index);
  if (!data) return NotConstant(ctx, op, index, what);
  const size_t elem = is64 ? 8 : 4;
  EMBER_ASSIGN_OR_RETURN(ir::Shape shape, ReadShape(ctx, index, elem));
  const int64_t n = ir::NumElements(shape);
  if (static_cast<int64_t>(data->size()) != n * static_cast<int64_t>(elem)) {
    return OpError(ctx, op, kBufferSize, ExitCode::kFailure,
                   "the " + what + " tensor " + Quoted(ctx, index) + " of shape " +
                       ir::ShapeToString(shape) + " has a buffer of " +
                       std::to_string(data->size()) + " bytes");
  }
  std::vector<int64_t> values(static_cast<size_t>(n));
  for (size_t i = 0; i < values.size(); ++i) {
    if (is64) {
      std::memcpy(&values[i], data->data() + i * 8, 8);
    } else {
      int32_t v;
      std::memcpy(&v, data->data() + i * 4, 4);
      values[i] = v;
    }
  }
  return values;
}

Expected<double> ConstScalar(Context& ctx, const OpRef& op, size_t pos, const std::string& what) {
  EMBER_ASSIGN_OR_RETURN(const int32_t index, ParamIndex(ctx, op, pos, what));
  const tfl::Tensor* raw = RawTensor(ctx, index);
  const auto* data = ConstData(ctx, index);
  if (!data) return NotConstant(ctx, op, index, what);
  auto read = [&](auto zero) -> Expected<double> {
    if (data->size() != sizeof zero) {
      return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                     "the " + what + " tensor " + Quoted(ctx, index) + " has " +
                         std::to_string(data->size()) + " bytes; one " + TypeName(raw->type()) +
                         " value is expected");
    }
    std::memcpy(&zero, data->data(), sizeof zero);
    return static_cast<double>(zero);
  };
  switch (raw->type()) {
    case tfl::TensorType::FLOAT32: return read(float{0});
    case tfl::TensorType::INT8: return read(int8_t{0});
    case tfl::TensorType::UINT8: return read(uint8_t{0});
    case tfl::TensorType::INT16: return read(int16_t{0});
    case tfl::TensorType::INT32: return read(int32_t{0});
    case tfl::TensorType::INT64: return read(int64_t{0});
    default:
      return OpError(ctx, op, kBadConstant, ExitCode::kUnsupported,
                     "the " + what + " tensor " + Quoted(ctx, index) + " has type " +
                         TypeName(raw->type()) + ", which ember does not read");
  }
}

}  // namespace ember::frontend::tflite::detail
