#include "support/npy.h"

#include <cctype>
#include <cstring>

namespace ember {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

Diagnostic NpyError(const std::string& source, const std::string& what) {
  return MakeDiag("E0410", ExitCode::kFailure, "'" + source + "' is not a valid .npy file: " + what,
                  "write it with numpy.save(), or pass raw tensor bytes as a .bin file");
}

// Finds `'key':` in the header dict and returns the position after the colon.
size_t FindKey(const std::string& h, const std::string& key) {
  const std::string pat1 = "'" + key + "'";
  const std::string pat2 = "\"" + key + "\"";
  size_t p = h.find(pat1);
  size_t len = pat1.size();
  if (p == std::string::npos) {
    p = h.find(pat2);
    len = pat2.size();
  }
  if (p == std::string::npos) return std::string::npos;
  p = h.find(':', p + len);
  return p == std::string::npos ? p : p + 1;
}

size_t SkipSpace(const std::string& h, size_t p) {
  while (p < h.size() && std::isspace(static_cast<unsigned char>(h[p]))) ++p;
  return p;
}

}  // namespace

size_t NpyDescrItemSize(const std::string& descr) {
  if (descr.size() < 3) return 0;
  const char order = descr[0];
  const char kind = descr[1];
  const std::string bytes = descr.substr(2);
  if (order != '<' && order != '|' && order != '=') return 0;
  if (kind != 'i' && kind != 'u' && kind != 'f' && kind != 'b') return 0;
  if (bytes == "1") return 1;
  if (order == '|') return 0;  // multi-byte items need an explicit byte order
  if (bytes == "2") return 2;
  if (bytes == "4") return 4;
  if (bytes == "8") return 8;
  return 0;
}

Expected<NpyArray> ParseNpy(const std::vector<uint8_t>& b, const std::string& source) {
  if (b.size() < 10 || std::memcmp(b.data(), kMagic, 6) != 0)
    return NpyError(source, "the magic string \\x93NUMPY is missing");
  const uint8_t major = b[6];
  size_t header_len = 0;
  size_t header_start = 0;
  if (major == 1) {
    header_len = static_cast<size_t>(b[8]) | (static_cast<size_t>(b[9]) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) return NpyError(source, "the header is truncated");
    header_len = static_cast<size_t>(b[8]) | (static_cast<size_t>(b[9]) << 8) |
                 (static_cast<size_t>(b[10]) << 16) | (static_cast<size_t>(b[11]) << 24);
    header_start = 12;
  } else {
    return NpyError(source, "format version " + std::to_string(major) + " is not supported");
  }
  if (header_len > b.size() - header_start) return NpyError(source, "the header is truncated");
  const std::string h(reinterpret_cast<const char*>(b.data() + header_start), header_len);

  NpyArray a;
  size_t p = FindKey(h, "descr");
  if (p == std::string::npos) return NpyError(source, "the header has no 'descr'");
  p = SkipSpace(h, p);
  if (p >= h.size() || (h[p] != '\'' && h[p] != '"')) return NpyError(source, "bad 'descr'");
  const size_t q = h.find(h[p], p + 1);
  if (q == std::string::npos) return NpyError(source, "bad 'descr'");
  a.descr = h.substr(p + 1, q - p - 1);
  const size_t item = NpyDescrItemSize(a.descr);
  if (item == 0) {
    return MakeDiag("E0411", ExitCode::kFailure,
                    "'" + source + "' has numpy dtype '" + a.descr + "', which ember does not read",
                    "save the array as a little-endian int8/uint8/int16/int32/int64/float32/bool array");
  }

  p = FindKey(h, "fortran_order");
  if (p == std::string::npos) return NpyError(source, "the header has no 'fortran_order'");
  p = SkipSpace(h, p);
  if (h.compare(p, 4, "True") == 0) {
    return MakeDiag("E0412", ExitCode::kFailure,
                    "'" + source + "' is stored in Fortran order",
                    "save a C-ordered array: numpy.save(path, numpy.ascontiguousarray(x))");
  }
  if (h.compare(p, 5, "False") != 0) return NpyError(source, "bad 'fortran_order'");

  p = FindKey(h, "shape");
  if (p == std::string::npos) return NpyError(source, "the header has no 'shape'");
  p = SkipSpace(h, p);
  if (p >= h.size() || h[p] != '(') return NpyError(source, "bad 'shape'");
  const size_t close = h.find(')', p);
  if (close == std::string::npos) return NpyError(source, "bad 'shape'");
  uint64_t count = 1;
  for (size_t i = p + 1; i < close;) {
    i = SkipSpace(h, i);
    if (i >= close) break;
    if (!std::isdigit(static_cast<unsigned char>(h[i]))) return NpyError(source, "bad 'shape'");
    uint64_t d = 0;
    while (i < close && std::isdigit(static_cast<unsigned char>(h[i]))) {
      d = d * 10 + static_cast<uint64_t>(h[i] - '0');
      if (d > (uint64_t{1} << 40)) return NpyError(source, "a dimension is implausibly large");
      ++i;
    }
    a.shape.push_back(static_cast<int64_t>(d));
    // Checked before multiplying: two dimensions of 2^32 would wrap to 0.
    if (d != 0 && count > (uint64_t{1} << 40) / d) return NpyError(source, "the array is implausibly large");
    count *= d;
    i = SkipSpace(h, i);
    if (i < close && h[i] == ',') ++i;
  }
  const size_t data_start = header_start + header_len;
  const uint64_t want = count * item;
  if (b.size() - data_start != want) {
    return MakeDiag("E0413", ExitCode::kFailure,
                    "'" + source + "' should hold " + std::to_string(want) + " data bytes but has " +
                        std::to_string(b.size() - data_start),
                    "the file is truncated or was not written by numpy.save()");
  }
  a.data.assign(b.begin() + static_cast<std::ptrdiff_t>(data_start), b.end());
  return a;
}

std::vector<uint8_t> SerializeNpy(const NpyArray& a) {
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i) {
    shape += std::to_string(a.shape[i]);
    if (a.shape.size() == 1 || i + 1 < a.shape.size()) shape += ",";
    if (i + 1 < a.shape.size()) shape += " ";
  }
  shape += ")";
  std::string header =
      "{'descr': '" + a.descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64.
  const bool v2 = header.size() + 1 + 10 > 65535;
  const size_t prefix = v2 ? 12 : 10;
  const size_t total = prefix + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> out(kMagic, kMagic + 6);
  out.push_back(v2 ? 2 : 1);
  out.push_back(0);
  const size_t len = header.size();
  out.push_back(static_cast<uint8_t>(len & 0xff));
  out.push_back(static_cast<uint8_t>((len >> 8) & 0xff));
  if (v2) {
    out.push_back(static_cast<uint8_t>((len >> 16) & 0xff));
    out.push_back(static_cast<uint8_t>((len >> 24) & 0xff));
  }
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), a.data.begin(), a.data.end());
  return out;
}

}  // namespace ember
