// Element types of ember tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ember::ir {

enum class DType : uint8_t { kInt8, kUInt8, kInt16, kInt32, kInt64, kFloat32, kBool };

// Size of one element in bytes.
size_t DTypeSize(DType t);
// Short text name used by the IR notation: i8 u8 i16 i32 i64 f32 bool.
const char* DTypeName(DType t);
// Inverse of DTypeName; nullopt for an unknown name.
std::optional<DType> ParseDType(std::string_view name);
// The numpy type string of arrays of `t` in .npy files: |i1 |u1 <i2 <i4 <i8
// <f4 |b1.
const char* NumpyDescr(DType t);
// Whether two numpy type strings name the same type: the byte-order mark
// ('<', '|', '=') aside, for the little-endian types ember reads.
bool SameNumpyDescr(std::string_view a, std::string_view b);

}  // namespace ember::ir
