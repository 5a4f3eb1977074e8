#include "ir/dtype.h"

namespace ember::ir {

size_t DTypeSize(DType t) {
  switch (t) {
    case DType::kInt8: case DType::kUInt8: case DType::kBool: return 1;
    case DType::kInt16: return 2;
    case DType::kInt32: case DType::kFloat32: return 4;
    case DType::kInt64: return 8;
  }
  return 0;
}

const char* DTypeName(DType t) {
  switch (t) {
    case DType::kInt8: return "i8";
    case DType::kUInt8: return "u8";
    case DType::kInt16: return "i16";
    case DType::kInt32: return "i32";
    case DType::kInt64: return "i64";
    case DType::kFloat32: return "f32";
    case DType::kBool: return "bool";
  }
  return "?";
}

const char* NumpyDescr(DType t) {
  switch (t) {
    case DType::kInt8: return "|i1";
    case DType::kUInt8: return "|u1";
    case DType::kInt16: return "<i2";
    case DType::kInt32: return "<i4";
    case DType::kInt64: return "<i8";
    case DType::kFloat32: return "<f4";
    case DType::kBool: return "|b1";
  }
  return "";
}

bool SameNumpyDescr(std::string_view a, std::string_view b) {
  return a.size() == b.size() && a.size() >= 2 && a.substr(1) == b.substr(1);
}

std::optional<DType> ParseDType(std::string_view name) {
  for (DType t : {DType::kInt8, DType::kUInt8, DType::kInt16, DType::kInt32, DType::kInt64,
                  DType::kFloat32, DType::kBool}) {
    if (name == DTypeName(t)) return t;
  }
  return std::nullopt;
}

}  // namespace ember::ir
