// Reading and writing numpy .npy files (format versions 1.0, 2.0 and 3.0).
//
// Only C-order (fortran_order False) little-endian or byte-sized arrays are
// supported; that is what numpy writes by default on every common platform.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/status.h"

namespace ember {

struct NpyArray {
  std::string descr;            // numpy dtype string, e.g. "|i1", "<f4"
  std::vector<int64_t> shape;   // empty for a scalar
  std::vector<uint8_t> data;    // raw little-endian element bytes, C order
};

// The largest .npy prefix ember reads: magic, version, header length and a
// format 1.0 header (numpy writes 2.0 only for headers over 64 KiB, which the
// dtypes and shapes ember reads never need).
inline constexpr uint64_t kNpyMaxPrefixBytes = 12 + 65535;

// Parses .npy bytes. `source` names the file in diagnostics (E0410..E0415).
Expected<NpyArray> ParseNpy(const std::vector<uint8_t>& bytes, const std::string& source);
// Serialises as format 1.0 (2.0 when the header does not fit 1.0's 16-bit length).
std::vector<uint8_t> SerializeNpy(const NpyArray& a);

// Byte size of one element of a numpy descr we understand, or 0 when unsupported.
size_t NpyDescrItemSize(const std::string& descr);

}  // namespace ember
