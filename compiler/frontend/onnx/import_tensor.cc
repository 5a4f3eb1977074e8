// TensorProto -> constants (raw, typed and external data) and the IR tensor
// helpers of the ONNX importer.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

#include "frontend/onnx/import_internal.h"
#include "support/float16.h"
#include "support/utf8.h"

namespace ember::frontend::onnx::detail {
namespace {

namespace fs = std::filesystem;

// Largest constant converted (elements); larger ones cannot fit a microcontroller anyway.
constexpr int64_t kMaxConstElements = int64_t{1} << 28;

template <typename T>
T LoadLe(const std::string& raw, size_t k) {
  T v;
  std::memcpy(&v, raw.data() + k * sizeof(T), sizeof(T));
  return v;
}

template <typename T>
void StoreLe(std::vector<uint8_t>& out, size_t k, T v) {
  std::memcpy(out.data() + k * sizeof(T), &v, sizeof(T));
}

// Element size in raw_data, 0 for types ember does not read.
size_t RawSize(int32_t t) {
  switch (t) {
    case pb::TensorProto::FLOAT: case pb::TensorProto::INT32: case pb::TensorProto::UINT32: return 4;
    case pb::TensorProto::DOUBLE: case pb::TensorProto::INT64: case pb::TensorProto::UINT64: return 8;
    case pb::TensorProto::INT16: case pb::TensorProto::UINT16: case pb::TensorProto::FLOAT16:
    case pb::TensorProto::BFLOAT16: return 2;
    case pb::TensorProto::INT8: case pb::TensorProto::UINT8: case pb::TensorProto::BOOL: return 1;
    default: return 0;
  }
}

// The value of a float16 or bfloat16 bit pattern.
double HalfValue(uint16_t bits, int32_t elem_type) {
  return elem_type == pb::TensorProto::BFLOAT16 ? Bfloat16Value(bits) : ember::Float16Value(bits);
}

Expected<fs::path> ExternalPath(Context& ctx, const std::string& tname, const std::string& location) {
  const std::string where = "tensor '" + tname + "' has external data '" + location + "'";
  const std::string hint = "keep external data files in the model's folder and refer to them by a relative path without '..'";
  if (ctx.model_dir.empty()) {
    return FileError(ctx, kExternalData, ExitCode::kFailure, where + " but the model was not read from a file", hint);
  }
  const fs::path rel(location);
  if (location.empty() || rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) {
    return FileError(ctx, kExternalData, ExitCode::kFailure, where + ", an absolute or empty path", hint);
  }
  for (const auto& part : rel) {
    if (part == "..") return FileError(ctx, kExternalData, ExitCode::kFailure, where + ", which leaves the model's folder", hint);
  }
  std::error_code ec;
  const fs::path dir = fs::canonical(ctx.model_dir, ec);
  if (ec) return FileError(ctx, kExternalData, ExitCode::kFailure, where + ": the model's folder cannot be resolved", hint);
  fs::path cur = dir;
  for (const auto& part : rel) {
    if (part == "." || part.empty()) continue;
    cur /= part;
    if (fs::is_symlink(fs::symlink_status(cur, ec))) {
      return FileError(ctx, kExternalData, ExitCode::kFailure, where + ", which goes through the symbolic link '" + cur.string() + "'", hint);
    }
  }
  if (!fs::is_regular_file(fs::symlink_status(cur, ec))) {
    return FileError(ctx, kExternalData, ExitCode::kFailure, where + ", which is not a regular file in the model's folder", hint);
  }
  return cur;
}

}  // namespace

bool ConstTensor::is_float() const {
  return elem_type == pb::TensorProto::FLOAT || elem_type == pb::TensorProto::DOUBLE ||
         elem_type == pb::TensorProto::FLOAT16 || elem_type == pb::TensorProto::BFLOAT16;
}

std::optional<ir::DType> ToRuntimeDType(int32_t t) {
  if (IsWidenedFloat(t)) return ir::DType::kFloat32;
  return ToDType(t);
}

double RoundToFloatType(double v, int32_t elem_type) {
  if (elem_type == pb::TensorProto::FLOAT) return static_cast<float>(v);
  if (elem_type == pb::TensorProto::FLOAT16) return RoundToFloat16(v);
  if (elem_type == pb::TensorProto::BFLOAT16) return RoundToBfloat16(v);
  return v;
}

void WarnWidened(Context& ctx, const std::string& what, int32_t elem_type) {
  ctx.warnings.push_back(MakeDiag(kFloatWidened, ExitCode::kOk,
                                  ctx.source + ": " + what + " is " + ElemTypeName(elem_type) +
                                      "; ember computes it in float32",
                                  "the compiled model takes and gives float32 where the ONNX model has double, "
                                  "float16 or bfloat16 (docs/frontend-onnx.md, \"Element types\")"));
}

std::optional<ir::DType> ToDType(int32_t t) {
  switch (t) {
    case pb::TensorProto::FLOAT: return ir::DType::kFloat32;
    case pb::TensorProto::INT8: return ir::DType::kInt8;
    case pb::TensorProto::UINT8: return ir::DType::kUInt8;
    case pb::TensorProto::INT16: return ir::DType::kInt16;
    case pb::TensorProto::INT32: return ir::DType::kInt32;
    case pb::TensorProto::INT64: return ir::DType::kInt64;
    case pb::TensorProto::BOOL: return ir::DType::kBool;
    default: return std::nullopt;
  }
}

int32_t ToElemType(ir::DType d) {
  switch (d) {
    case ir::DType::kFloat32: return pb::TensorProto::FLOAT;
    case ir::DType::kInt8: return pb::TensorProto::INT8;
    case ir::DType::kInt16: return pb::TensorProto::INT16;
    case ir::DType::kInt32: return pb::TensorProto::INT32;
    case ir::DType::kInt64: return pb::TensorProto::INT64;
    case ir::DType::kBool: return pb::TensorProto::BOOL;
    default: return pb::TensorProto::UNDEFINED;
  }
}

std::string ElemTypeName(int32_t t) {
  if (pb::TensorProto::DataType_IsValid(t)) return pb::TensorProto::DataType_Name(static_cast<pb::TensorProto::DataType>(t));
  return "type " + std::to_string(t);
}

Status InlineExternalData(Context& ctx, pb::TensorProto& t) {
  std::string location;
  uint64_t offset = 0;
  int64_t length = -1;
  for (const auto& kv : t.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      else if (kv.key() == "offset") offset = std::stoull(kv.value());
      else if (kv.key() == "length") length = static_cast<int64_t>(std::stoull(kv.value()));
    } catch (...) {
      return FileError(ctx, kExternalData, ExitCode::kFailure,
                       "tensor '" + t.name() + "' has external data with an invalid " + kv.key() + " '" + kv.value() + "'");
    }
  }
  EMBER_ASSIGN_OR_RETURN(fs::path path, ExternalPath(ctx, t.name(), location));
  std::error_code ec;
  const uint64_t file_size = fs::file_size(path, ec);
  if (ec || offset > file_size) {
    return FileError(ctx, kExternalData, ExitCode::kFailure,
                     "tensor '" + t.name() + "': external data offset " + std::to_string(offset) +
                         " is beyond the end of '" + location + "' (" + std::to_string(file_size) + " bytes)");
  }
  const uint64_t avail = file_size - offset;
  const uint64_t want = length < 0 ? avail : static_cast<uint64_t>(length);
  if (want > avail) {
    return FileError(ctx, kExternalData, ExitCode::kFailure,
                     "tensor '" + t.name() + "': external data of " + std::to_string(want) + " bytes at offset " +
                         std::to_string(offset) + " runs past the end of '" + location + "' (" +
                         std::to_string(file_size) + " bytes)");
  }
  if (ctx.external_bytes + want > kMaxExternalDataBytes) {
    return FileError(ctx, kTooLarge, ExitCode::kUnsupported,
                     "external data exceeds " + std::to_string(kMaxExternalDataBytes) + " bytes in all",
                     "models this large cannot run on a microcontroller");
  }
  ctx.external_bytes += want;
  std::ifstream in(path, std::ios::binary);
  std::string data(static_cast<size_t>(want), '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  if (!in.read(data.data(), static_cast<std::streamsize>(want))) {
    return FileError(ctx, kExternalData, ExitCode::kFailure, "cannot read external data '" + location + "' of tensor '" + t.name() + "'");
  }
  t.set_raw_data(std::move(data));
  t.clear_external_data();
  t.set_data_location(pb::TensorProto::DEFAULT);
  return Status::Ok();
}

Expected<ConstTensor> ReadTensorProto(Context& ctx, const pb::TensorProto& proto) {
  const pb::TensorProto* t = &proto;
  pb::TensorProto inlined;
  if (proto.data_location() == pb::TensorProto::EXTERNAL) {
    inlined = proto;
    EMBER_RETURN_IF_ERROR(InlineExternalData(ctx, inlined));
    t = &inlined;
  }
  ConstTensor c;
  c.elem_type = t->data_type();
  int64_t n = 1;
  for (int64_t d : t->dims()) {
    if (d < 0 || (d > 0 && n > kMaxConstElements / d)) {
      return FileError(ctx, kTensorData, ExitCode::kFailure,
                       "tensor '" + t->name() + "' has a negative or too large dimension " + std::to_string(d));
    }
    n *= d;
    c.shape.push_back(d);
  }
  const size_t count = static_cast<size_t>(n);
  const size_t esize = RawSize(c.elem_type);
  if (esize == 0) {
    return FileError(ctx, kTensorType, ExitCode::kUnsupported,
                     "tensor '" + t->name() + "' has element type " + ElemTypeName(c.elem_type) + ", which ember does not read",
                     "export the model with float32 weights");
  }
  auto mismatch = [&](size_t have) {
    return FileError(ctx, kTensorData, ExitCode::kFailure,
                     "tensor '" + t->name() + "' of shape " + ir::ShapeToString(c.shape) + " holds " +
                         std::to_string(have) + " values, expected " + std::to_string(count),
                     "the model file is damaged; re-export it");
  };
  // The data must hold exactly `count` values; checked before anything is allocated.
  size_t have = 0;
  switch (c.elem_type) {
    case pb::TensorProto::FLOAT: have = static_cast<size_t>(t->float_data_size()); break;
    case pb::TensorProto::DOUBLE: have = static_cast<size_t>(t->double_data_size()); break;
    case pb::TensorProto::INT64: have = static_cast<size_t>(t->int64_data_size()); break;
    case pb::TensorProto::UINT32: case pb::TensorProto::UINT64: have = static_cast<size_t>(t->uint64_data_size()); break;
    default: have = static_cast<size_t>(t->int32_data_size()); break;
  }
  if (t->has_raw_data()) have = t->raw_data().size() / esize;
  if (have != count || (t->has_raw_data() && t->raw_data().size() % esize != 0)) return mismatch(have);
  const bool is_f = c.is_float();
  if (is_f) c.f.resize(count); else c.i.resize(count);
  if (t->has_raw_data()) {
    const std::string& raw = t->raw_data();
    for (size_t k = 0; k < count; ++k) {
      switch (c.elem_type) {
        case pb::TensorProto::FLOAT: c.f[k] = LoadLe<float>(raw, k); break;
        case pb::TensorProto::DOUBLE: c.f[k] = LoadLe<double>(raw, k); break;
        case pb::TensorProto::INT32: c.i[k] = LoadLe<int32_t>(raw, k); break;
        case pb::TensorProto::UINT32: c.i[k] = LoadLe<uint32_t>(raw, k); break;
        case pb::TensorProto::INT64: c.i[k] = LoadLe<int64_t>(raw, k); break;
        case pb::TensorProto::UINT64: c.i[k] = static_cast<int64_t>(LoadLe<uint64_t>(raw, k)); break;
        case pb::TensorProto::INT16: c.i[k] = LoadLe<int16_t>(raw, k); break;
        case pb::TensorProto::UINT16: c.i[k] = LoadLe<uint16_t>(raw, k); break;
        case pb::TensorProto::FLOAT16: case pb::TensorProto::BFLOAT16:
          c.f[k] = HalfValue(LoadLe<uint16_t>(raw, k), c.elem_type);
          break;
        case pb::TensorProto::INT8: c.i[k] = LoadLe<int8_t>(raw, k); break;
        default: c.i[k] = LoadLe<uint8_t>(raw, k); break;  // UINT8, BOOL
      }
    }
    return c;
  }
  switch (c.elem_type) {
    case pb::TensorProto::FLOAT:
      for (size_t k = 0; k < count; ++k) c.f[k] = t->float_data(static_cast<int>(k));
      break;
    case pb::TensorProto::DOUBLE:
      for (size_t k = 0; k < count; ++k) c.f[k] = t->double_data(static_cast<int>(k));
      break;
    case pb::TensorProto::INT64:
      for (size_t k = 0; k < count; ++k) c.i[k] = t->int64_data(static_cast<int>(k));
      break;
    case pb::TensorProto::UINT32: case pb::TensorProto::UINT64:
      for (size_t k = 0; k < count; ++k) c.i[k] = static_cast<int64_t>(t->uint64_data(static_cast<int>(k)));
      break;
    case pb::TensorProto::FLOAT16: case pb::TensorProto::BFLOAT16:  // bit patterns in int32_data
      for (size_t k = 0; k < count; ++k)
        c.f[k] = HalfValue(static_cast<uint16_t>(t->int32_data(static_cast<int>(k))), c.elem_type);
      break;
    default:
      for (size_t k = 0; k < count; ++k) c.i[k] = t->int32_data(static_cast<int>(k));
      break;
  }
  return c;
}

std::string UniqueName(Context& ctx, const std::string& raw) {
  // Names that are not UTF-8 are kept escaped (support/utf8.h), so that the
  // IR text of the graph stays valid.
  const std::string base = raw.empty() ? "t" : EscapeInvalidUtf8(raw);
  return FreshName(&ctx.names, base);
}

Value ConstValue(ConstTensor c) { return Value{std::make_shared<const ConstTensor>(std::move(c)), ir::kNoTensor}; }

ConstTensor FloatConst(ir::Shape shape, std::vector<double> values) {
  ConstTensor c;
  c.shape = std::move(shape);
  c.f = std::move(values);
  return c;
}

Expected<ir::TensorId> AddConst(Context& ctx, const std::string& name, const ConstTensor& c) {
  ir::Tensor t;
  t.name = UniqueName(ctx, name);
  t.shape = c.shape;
  const size_t n = static_cast<size_t>(c.size());
  if (c.is_float()) {
    t.dtype = ir::DType::kFloat32;
    std::vector<uint8_t> d(n * 4);
    for (size_t k = 0; k < n; ++k) StoreLe<float>(d, k, static_cast<float>(c.f[k]));
    t.data = std::move(d);
  } else {
    auto dt = ToDType(c.elem_type);
    if (!dt) {
      return FileError(ctx, kTensorType, ExitCode::kUnsupported,
                       "constant '" + name + "' has element type " + ElemTypeName(c.elem_type) + ", which ember has no IR type for");
    }
    t.dtype = *dt;
    const size_t es = ir::DTypeSize(*dt);
    std::vector<uint8_t> d(n * es);
    for (size_t k = 0; k < n; ++k) {
      switch (es) {
        case 1: d[k] = static_cast<uint8_t>(c.i[k]); break;
        case 2: StoreLe<int16_t>(d, k, static_cast<int16_t>(c.i[k])); break;
        case 4: StoreLe<int32_t>(d, k, static_cast<int32_t>(c.i[k])); break;
        default: StoreLe<int64_t>(d, k, c.i[k]); break;
      }
    }
    t.data = std::move(d);
  }
  return ctx.graph.AddTensor(std::move(t));
}

ir::Shape ShapeOf(const Context& ctx, const Value& v) {
  if (v.id != ir::kNoTensor) return ctx.graph.tensor(v.id).shape;
  return v.c ? v.c->shape : ir::Shape{};
}

namespace {

// The values a tensor's data holds, and the values its shape needs; false
// when its type has no fixed size (strings) or the shape is beyond any file.
struct DataCount {
  uint64_t have = 0, need = 0;
};

std::optional<DataCount> CountData(const pb::TensorProto& t) {
  DataCount c;
  c.need = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && c.need > (uint64_t{1} << 40) / static_cast<uint64_t>(d))) {
      c.need = ~uint64_t{0};
      break;
    }
    c.need *= static_cast<uint64_t>(d);
  }
  // Bytes per element in raw_data (packed 4-bit types: counted in halves),
  // and the typed field's values per element.
  uint64_t bytes = 0, per = 1;
  int typed = 0;
  switch (t.data_type()) {
    case pb::TensorProto::FLOAT: bytes = 4, typed = t.float_data_size(); break;
    case pb::TensorProto::COMPLEX64: bytes = 8, per = 2, typed = t.float_data_size(); break;
    case pb::TensorProto::DOUBLE: bytes = 8, typed = t.double_data_size(); break;
    case pb::TensorProto::COMPLEX128: bytes = 16, per = 2, typed = t.double_data_size(); break;
    case pb::TensorProto::INT64: bytes = 8, typed = t.int64_data_size(); break;
    case pb::TensorProto::UINT32: bytes = 4, typed = t.uint64_data_size(); break;
    case pb::TensorProto::UINT64: bytes = 8, typed = t.uint64_data_size(); break;
    case pb::TensorProto::INT32: bytes = 4, typed = t.int32_data_size(); break;
    case pb::TensorProto::INT16: case pb::TensorProto::UINT16: case pb::TensorProto::FLOAT16:
    case pb::TensorProto::BFLOAT16:
      bytes = 2, typed = t.int32_data_size();
      break;
    case pb::TensorProto::INT8: case pb::TensorProto::UINT8: case pb::TensorProto::BOOL:
      bytes = 1, typed = t.int32_data_size();
      break;
    default:
      return std::nullopt;  // strings, float8 and 4-bit types, unknown: ember reads none of them
  }
  if (t.has_raw_data()) {
    const uint64_t size = t.raw_data().size();
    c.have = size % bytes == 0 ? size / bytes : ~uint64_t{0} - 1;
  } else {
    c.have = static_cast<uint64_t>(typed) / per;
    if (static_cast<uint64_t>(typed) % per != 0) c.have = ~uint64_t{0} - 1;
  }
  return c;
}

Status CheckTensors(Context& ctx, const pb::GraphProto& g) {
  const auto check = [&](const pb::TensorProto& t) -> Status {
    if (t.data_location() == pb::TensorProto::EXTERNAL) return Status::Ok();  // read (and checked) later
    const auto c = CountData(t);
    if (!c || c->have == c->need) return Status::Ok();
    std::string shape;
    for (int64_t d : t.dims()) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    return FileError(ctx, kTensorData, ExitCode::kFailure,
                     "tensor '" + t.name() + "' of shape [" + shape + "] and type " + ElemTypeName(t.data_type()) +
                         " holds " + (t.has_raw_data() ? std::to_string(t.raw_data().size()) + " byte(s) of raw data"
                                                       : "another number of values") +
                         ", not the data its shape needs",
                     "the model file is damaged; re-export it");
  };
  for (const auto& t : g.initializer()) EMBER_RETURN_IF_ERROR(check(t));
  for (const auto& n : g.node()) {
    for (const auto& a : n.attribute()) {
      if (a.has_t()) EMBER_RETURN_IF_ERROR(check(a.t()));
      for (const auto& t : a.tensors()) EMBER_RETURN_IF_ERROR(check(t));
      if (a.has_g()) EMBER_RETURN_IF_ERROR(CheckTensors(ctx, a.g()));
      for (const auto& sub : a.graphs()) EMBER_RETURN_IF_ERROR(CheckTensors(ctx, sub));
    }
  }
  return Status::Ok();
}

}  // namespace

Status PrecheckTensorData(Context& ctx, const pb::ModelProto& m) { return CheckTensors(ctx, m.graph()); }

}  // namespace ember::frontend::onnx::detail

namespace ember::frontend::onnx {

bool IsWidenedFloat(int32_t t) {
  return t == ::onnx::TensorProto::DOUBLE || t == ::onnx::TensorProto::FLOAT16 || t == ::onnx::TensorProto::BFLOAT16;
}

Expected<std::vector<double>> ReadFloatTensor(const ::onnx::TensorProto& t, const std::string& source) {
  detail::Context ctx;
  ctx.source = source;  // no model folder: external data is refused
  EMBER_ASSIGN_OR_RETURN(detail::ConstTensor c, detail::ReadTensorProto(ctx, t));
  if (!c.is_float()) {
    return MakeDiag(detail::kTensorType, ExitCode::kUnsupported,
                    source + ": tensor '" + t.name() + "' has element type " + detail::ElemTypeName(c.elem_type) +
                        ", not a floating-point type");
  }
  return c.f;
}

}  // namespace ember::frontend::onnx
