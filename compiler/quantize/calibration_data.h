// Calibration samples for post-training quantization: a .npz archive, a
// .npy file or a folder of .npy files (docs/quantize.md, "Calibration data").
//
// Which array feeds which model input:
//   - an entry (a .npz member or a .npy file in the folder) named after a
//     model input (`<input>.npy`) feeds that input;
//   - in a single-input model, every entry feeds its only input, in name order.
// An array holds one sample (exactly the input's shape) or a batch of samples
// stacked on a new leading axis ([N, ...shape]); for an input whose first
// dimension is 1 also [N, ...shape[1:]]. Every input must get the same number
// of samples. An array has its input's type: '<f4' for a float32 input,
// '<i8' for an int64 one (token ids), ... (ir::NumpyDescr).
//
// Every read is bounded (kMaxCalibrationFileBytes per file or archive member,
// kMaxCalibrationBytes in all, kMaxCalibrationEntries entries); nothing larger
// than the limit is allocated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::quantize {

inline constexpr uint64_t kMaxCalibrationFileBytes = uint64_t{256} << 20;
inline constexpr uint64_t kMaxCalibrationBytes = uint64_t{1} << 30;
inline constexpr size_t kMaxCalibrationEntries = 100000;

// Diagnostic ids (docs/errors.md, docs/quantize.md).
inline constexpr const char* kCalibRead = "E1301";      // cannot read the path / not .npz or a folder
inline constexpr const char* kCalibMismatch = "E1302";  // shape, dtype, names or counts do not fit the model
inline constexpr const char* kCalibTooLarge = "E1303";  // over a limit
inline constexpr const char* kCalibMalformed = "E1304"; // damaged archive or .npy

// A model input as the calibration reader checks it.
struct ModelInput {
  std::string name;
  ir::Shape shape;
  ir::DType dtype = ir::DType::kFloat32;
};

struct CalibrationSet {
  // samples[k][i]: the little-endian bytes of input i in sample k.
  std::vector<std::vector<std::vector<uint8_t>>> samples;
  // Samples the data held (before max_samples); for a folder read with a
  // cap, those of the files read.
  size_t available = 0;
};

// One named array of calibration data (a .npz member or a file), raw bytes.
struct CalibrationEntry {
  std::string name;    // file or member name, used in diagnostics
  std::vector<uint8_t> bytes;
};

// Reads `path` (.npz, .npy or a folder of .npy) and splits it into samples for
// `inputs`. Fails with E1301..E1304 naming the file and the expected shape.
// With `max_samples` > 0 only the first max_samples samples are kept (entries
// in name order, samples of a batch in order); a folder feeding a
// single-input model is then read only up to its max_samples-th file, so a
// large folder is usable (files after it are neither read nor checked).
Expected<CalibrationSet> LoadCalibration(const std::string& path, const std::vector<ModelInput>& inputs,
                                         size_t max_samples = 0);

// The members of a .npz (zip) archive, bounded as above (exposed for tests).
Expected<std::vector<CalibrationEntry>> ReadNpzEntries(const std::string& path);
// Splits entries into samples (exposed for tests). `source` names the set.
Expected<CalibrationSet> SplitCalibration(const std::vector<CalibrationEntry>& entries,
                                          const std::vector<ModelInput>& inputs, const std::string& source);

}  // namespace ember::quantize
