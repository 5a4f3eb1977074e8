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

}  // namespace ember::ir
