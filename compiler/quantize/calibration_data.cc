// Calibration samples from .npz, .npy or a folder of .npy (contract in
// calibration_data.h).
#include "quantize/calibration_data.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "support/file.h"
#include "support/float16.h"
#include "support/npy.h"

namespace ember::quantize {

namespace fs = std::filesystem;

namespace {

Diagnostic TooLarge(const std::string& source, const std::string& what) {
  return MakeDiag(kCalibTooLarge, ExitCode::kUnsupported, "calibration data " + source + ": " + what,
                  "use fewer or smaller samples (a few hundred samples are plenty for calibration)");
}

Diagnostic Malformed(const std::string& source, const std::string& what) {
  return MakeDiag(kCalibMalformed, ExitCode::kFailure, "calibration data " + source + ": " + what,
                  "write the samples with numpy.savez / numpy.save (float32, C order)");
}

struct ReaderCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

std::string StripNpy(const std::string& name) {
  const std::string base = fs::path(name).filename().string();
  return base.size() > 4 && base.ends_with(".npy") ? base.substr(0, base.size() - 4) : base;
}

std::string Dims(const std::vector<int64_t>& s) {
  std::string out;
  for (size_t k = 0; k < s.size(); ++k) out += (k ? "x" : "") + std::to_string(s[k]);
  return out.empty() ? "(scalar)" : out;
}

// Number of samples an array of `shape` holds for an input of `want`, or -1.
int64_t SamplesIn(const std::vector<int64_t>& shape, const ir::Shape& want) {
  if (shape == want) return 1;
  if (shape.size() == want.size() + 1 && std::equal(want.begin(), want.end(), shape.begin() + 1)) return shape[0];
  if (!want.empty() && want[0] == 1 && shape.size() == want.size() &&
      std::equal(want.begin() + 1, want.end(), shape.begin() + 1)) {
    return shape[0];
  }
  return -1;
}

}  // namespace

Expected<std::vector<CalibrationEntry>> ReadNpzEntries(const std::string& path) {
  std::unique_ptr<archive, ReaderCloser> a(archive_read_new());
  if (!a) return Malformed(path, "out of memory");
  archive_read_support_format_zip(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    const char* why = archive_error_string(a.get());
    return MakeDiag(kCalibRead, ExitCode::kFailure,
                    "cannot read calibration data " + path + " as .npz (zip): " + (why ? why : "unknown error"),
                    "pass a .npz written by numpy.savez, a .npy written by numpy.save or a folder of .npy files");
  }
  std::vector<CalibrationEntry> out;
  uint64_t total = 0;
  archive_entry* e = nullptr;
  int r = ARCHIVE_OK;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    const char* raw = archive_entry_pathname(e);
    const std::string name = raw ? raw : "";
    if (archive_entry_filetype(e) == AE_IFDIR) continue;
    if (out.size() >= kMaxCalibrationEntries) {
      return TooLarge(path, "more than " + std::to_string(kMaxCalibrationEntries) + " arrays");
    }
    if (archive_entry_size_is_set(e) && static_cast<uint64_t>(archive_entry_size(e)) > kMaxCalibrationFileBytes) {
      return TooLarge(path, "member '" + name + "' is " + std::to_string(archive_entry_size(e)) +
                                " bytes, the limit is " + std::to_string(kMaxCalibrationFileBytes));
    }
    CalibrationEntry ce;
    ce.name = path + ":" + name;
    // Read in chunks: the size in the header may be absent (streamed zip).
    std::vector<uint8_t> chunk(1 << 16);
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), chunk.data(), chunk.size());
      if (n < 0) {
        const char* why = archive_error_string(a.get());
        return Malformed(path, "member '" + name + "' cannot be decompressed: " + (why ? why : "damaged"));
      }
      if (n == 0) break;
      if (ce.bytes.size() + static_cast<size_t>(n) > kMaxCalibrationFileBytes) {
        return TooLarge(path, "member '" + name + "' is over the limit of " + std::to_string(kMaxCalibrationFileBytes) +
                                  " bytes");
      }
      total += static_cast<uint64_t>(n);
      if (total > kMaxCalibrationBytes) {
        return TooLarge(path, "its arrays hold more than " + std::to_string(kMaxCalibrationBytes) + " bytes");
      }
      ce.bytes.insert(ce.bytes.end(), chunk.begin(), chunk.begin() + n);
    }
    out.push_back(std::move(ce));
  }
  if (r != ARCHIVE_EOF) {
    const char* why = archive_error_string(a.get());
    return Malformed(path, std::string("the archive is damaged: ") + (why ? why : "unreadable entry"));
  }
  if (out.empty()) return Malformed(path, "the archive holds no arrays");
  return out;
}

namespace {

// With `max_files` > 0 only the first `max_files` files (in name order) are read.
Expected<std::vector<CalibrationEntry>> ReadNpyFolder(const std::string& path, size_t max_files) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".npy") files.push_back(it->path().string());
    if (files.size() > kMaxCalibrationEntries) {
      return TooLarge(path, "more than " + std::to_string(kMaxCalibrationEntries) + " .npy files");
    }
  }
  if (ec) return MakeDiag(kCalibRead, ExitCode::kFailure, "cannot list calibration folder " + path + ": " + ec.message());
  if (files.empty()) {
    return MakeDiag(kCalibRead, ExitCode::kFailure, "calibration folder " + path + " holds no .npy files",
                    "save each sample with numpy.save(path, array) into the folder");
  }
  std::sort(files.begin(), files.end());
  if (max_files > 0 && files.size() > max_files) files.resize(max_files);
  std::vector<CalibrationEntry> out;
  uint64_t total = 0;
  for (const auto& f : files) {
    auto bytes = ReadFileBytes(f, kMaxCalibrationFileBytes, "a calibration .npy file");
    if (!bytes.ok()) return bytes.diag();
    total += bytes->size();
    if (total > kMaxCalibrationBytes) {
      return TooLarge(path, "its files hold more than " + std::to_string(kMaxCalibrationBytes) + " bytes");
    }
    out.push_back({f, std::move(*bytes)});
  }
  return out;
}

// A single .npy file (numpy.save's magic "\x93NUMPY" first): its samples.
bool IsNpyFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char magic[6] = {};
  return f.read(magic, sizeof magic) && std::string(magic, sizeof magic) == "\x93NUMPY";
}

Expected<std::vector<CalibrationEntry>> ReadNpyFile(const std::string& path) {
  auto bytes = ReadFileBytes(path, kMaxCalibrationFileBytes, "a calibration .npy file");
  if (!bytes.ok()) return bytes.diag();
  std::vector<CalibrationEntry> out;
  out.push_back({path, std::move(*bytes)});
  return out;
}

// A little-endian float16 ("<f2") or float64 ("<f8") array as float32 ("<f4").
void NpyToFloat32(NpyArray* a) {
  const bool half = a->descr == "<f2";
  const size_t width = half ? 2 : 8, n = a->data.size() / width;
  std::vector<uint8_t> out(n * 4);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = a->data.data() + i * width;
    float f = 0.0f;
    if (half) {
      f = static_cast<float>(Float16Value(static_cast<uint16_t>(p[0] | (p[1] << 8))));
    } else {
      double d = 0.0;
      std::memcpy(&d, p, 8);
      f = static_cast<float>(d);
    }
    std::memcpy(out.data() + i * 4, &f, 4);
  }
  a->data = std::move(out);
  a->descr = "<f4";
}

}  // namespace

Expected<CalibrationSet> SplitCalibration(const std::vector<CalibrationEntry>& entries,
                                          const std::vector<ModelInput>& inputs, const std::string& source) {
  if (inputs.empty()) return Malformed(source, "the model has no inputs");
  std::map<std::string, size_t> by_name;
  for (size_t i = 0; i < inputs.size(); ++i) by_name[inputs[i].name] = i;
  // Per input: the samples in order.
  std::vector<std::vector<std::vector<uint8_t>>> per_input(inputs.size());
  for (const auto& e : entries) {
    const std::string key = StripNpy(e.name.substr(e.name.rfind(':') == std::string::npos ? 0 : e.name.rfind(':') + 1));
    size_t idx = 0;
    if (auto it = by_name.find(key); it != by_name.end()) {
      idx = it->second;
    } else if (inputs.size() != 1) {
      std::string names;
      for (const auto& in : inputs) names += (names.empty() ? "'" : ", '") + in.name + "'";
      return MakeDiag(kCalibMismatch, ExitCode::kFailure,
                      "calibration array " + e.name + " names no model input; the model has several inputs (" + names + ")",
                      "name each array after the input it feeds (<input>.npy, or numpy.savez(f, <input>=array))");
    }
    auto arr = ParseNpy(e.bytes, e.name);
    if (!arr.ok()) {
      Diagnostic d = arr.diag();
      return Malformed(e.name, d.message);
    }
    const ModelInput& in = inputs[idx];
    // float16 and float64 samples of a float input (a half-precision model,
    // whose inputs ember quantize reads as float32): converted to float32.
    if (in.dtype == ir::DType::kFloat32 && (arr->descr == "<f2" || arr->descr == "<f8")) NpyToFloat32(&*arr);
    const std::string descr = ir::NumpyDescr(in.dtype);
    const std::string expect = "expected " + std::string(ir::DTypeName(in.dtype)) + " (" + descr + ") of shape " +
                               Dims(in.shape) + ", or N samples as Nx" + Dims(in.shape);
    if (!ir::SameNumpyDescr(arr->descr, descr)) {
      return MakeDiag(kCalibMismatch, ExitCode::kFailure,
                      "calibration array " + e.name + " has dtype " + arr->descr + " for input '" + in.name + "'; " + expect,
                      "convert it with array.astype('" + descr + "')");
    }
    const int64_t n = SamplesIn(arr->shape, in.shape);
    if (n < 0) {
      return MakeDiag(kCalibMismatch, ExitCode::kFailure,
                      "calibration array " + e.name + " has shape " + Dims(arr->shape) + " for input '" + in.name + "'; " +
                          expect,
                      "reshape the samples to the model's input shape");
    }
    const size_t sample_bytes = static_cast<size_t>(ir::NumElements(in.shape)) * ir::DTypeSize(in.dtype);
    if (n == 0 || arr->data.size() != static_cast<size_t>(n) * sample_bytes) {
      return Malformed(e.name, "holds no samples or its data does not match its shape");
    }
    for (int64_t k = 0; k < n; ++k) {
      const auto* p = arr->data.data() + static_cast<size_t>(k) * sample_bytes;
      per_input[idx].emplace_back(p, p + sample_bytes);
    }
  }
  const size_t count = per_input[0].size();
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (per_input[i].size() != count || count == 0) {
      return MakeDiag(kCalibMismatch, ExitCode::kFailure,
                      "calibration data " + source + " gives " + std::to_string(per_input[i].size()) +
                          " samples for input '" + inputs[i].name + "' and " + std::to_string(count) + " for '" +
                          inputs[0].name + "'",
                      "give every input the same number of samples");
    }
  }
  CalibrationSet set;
  set.samples.resize(count);
  for (size_t k = 0; k < count; ++k) {
    for (size_t i = 0; i < inputs.size(); ++i) set.samples[k].push_back(std::move(per_input[i][k]));
  }
  return set;
}

Expected<CalibrationSet> LoadCalibration(const std::string& path, const std::vector<ModelInput>& inputs,
                                         size_t max_samples) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return MakeDiag(kCalibRead, ExitCode::kFailure, "calibration data " + path + " does not exist",
                    "pass a .npz file, a .npy file or a folder of .npy files with --calibration");
  }
  if (!fs::is_directory(st) && !fs::is_regular_file(st)) {
    return MakeDiag(kCalibRead, ExitCode::kFailure, "calibration data " + path + " is neither a file nor a folder",
                    "pass a .npz file, a .npy file or a folder of .npy files with --calibration");
  }
  // In a single-input model every file holds at least one sample of the one
  // input, so the first max_samples files are enough.
  const size_t max_files = inputs.size() == 1 ? max_samples : 0;
  Expected<std::vector<CalibrationEntry>> entries = fs::is_directory(st) ? ReadNpyFolder(path, max_files)
                                                     : IsNpyFile(path)      ? ReadNpyFile(path)
                                                                            : ReadNpzEntries(path);
  if (!entries.ok()) return entries.diag();
  EMBER_ASSIGN_OR_RETURN(CalibrationSet set, SplitCalibration(*entries, inputs, path));
  set.available = set.samples.size();
  if (max_samples > 0 && set.samples.size() > max_samples) set.samples.resize(max_samples);
  return set;
}

}  // namespace ember::quantize
