// Builds the "lines" demo model: a tiny int8 CNN of our own that tells which
// way a line in an 8x8 picture runs (horizontal, vertical, diagonal '\' or
// anti-diagonal '/'). Its weights are written by hand, not trained: four 3x3
// line detectors, a global average pool and a softmax over the four responses.
//
// Usage: make_lines_model OUT_DIR
// Writes OUT_DIR/lines.tflite and one sample picture per class,
// OUT_DIR/<class>.bin (raw int8 input bytes) and OUT_DIR/<class>.txt (ASCII art).
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "frontend/tflite/builder.h"

namespace {

using ember::frontend::tflite::ActivationFunctionType;
using ember::frontend::tflite::BuiltinOperator;
using ember::frontend::tflite::ModelBuilder;
using ember::frontend::tflite::Padding;
using ember::frontend::tflite::Quant;
using ember::frontend::tflite::QuantSpec;
using ember::frontend::tflite::TensorType;

constexpr int kSize = 8;
const char* const kClasses[4] = {"horizontal", "vertical", "diagonal", "antidiagonal"};

// 3x3 detectors (real weights, integers): the line's own taps get +2, the
// others -1, so a matching line scores 6 and a crossing one 0.
const int kFilters[4][9] = {
    {-1, -1, -1, 2, 2, 2, -1, -1, -1},
    {-1, 2, -1, -1, 2, -1, -1, 2, -1},
    {2, -1, -1, -1, 2, -1, -1, -1, 2},
    {-1, -1, 2, -1, 2, -1, 2, -1, -1},
};

std::vector<uint8_t> ToBytes(const std::vector<int8_t>& v) { return {v.begin(), v.end()}; }

std::vector<uint8_t> BuildModel() {
  ModelBuilder b;
  b.SetDescription("ember demo: line direction classifier (hand-written weights)");
  const float in_scale = 1.0f / 255.0f;  // pixel 0.0 -> -128, 1.0 -> 127
  const int32_t in = b.AddTensor("picture", TensorType::INT8, {1, kSize, kSize, 1}, Quant(in_scale, -128));

  std::vector<int8_t> w;
  for (const auto& f : kFilters) w.insert(w.end(), f, f + 9);
  QuantSpec wq{{1.0f, 1.0f, 1.0f, 1.0f}, {0, 0, 0, 0}, 0};
  const int32_t filt = b.AddConstTensor("detectors/weights", TensorType::INT8, {4, 3, 3, 1}, ToBytes(w), wq);
  QuantSpec bq{{in_scale, in_scale, in_scale, in_scale}, {0, 0, 0, 0}, 0};
  const int32_t bias = b.AddInt32Tensor("detectors/bias", {4}, {0, 0, 0, 0}, bq);
  const float resp_scale = 6.0f / 255.0f;  // responses after relu lie in [0, 6]
  const int32_t resp = b.AddTensor("detectors/relu", TensorType::INT8, {1, kSize, kSize, 4}, Quant(resp_scale, -128));
  b.AddConv2D(in, filt, bias, resp, Padding::SAME, 1, 1, ActivationFunctionType::RELU);

  const int32_t pooled = b.AddTensor("pool", TensorType::INT8, {1, 1, 1, 4}, Quant(resp_scale, -128));
  b.AddPool2D(BuiltinOperator::AVERAGE_POOL_2D, resp, pooled, Padding::VALID, kSize, kSize, 1, 1);
  const int32_t flat = b.AddTensor("flatten", TensorType::INT8, {1, 4}, Quant(resp_scale, -128));
  const int32_t shape = b.AddInt32Tensor("flatten/shape", {2}, {1, 4});
  b.AddReshape(pooled, shape, flat, {1, 4});

  // Logits = 8 x mean response: identity weights of real value 8.
  std::vector<int8_t> fc(16, 0);
  for (int i = 0; i < 4; ++i) fc[static_cast<size_t>(i * 4 + i)] = 127;
  const float fc_scale = 8.0f / 127.0f;
  const int32_t fcw = b.AddConstTensor("logits/weights", TensorType::INT8, {4, 4}, ToBytes(fc), Quant(fc_scale, 0));
  const int32_t fcb = b.AddInt32Tensor("logits/bias", {4}, {0, 0, 0, 0}, Quant(resp_scale * fc_scale, 0));
  const int32_t logits = b.AddTensor("logits", TensorType::INT8, {1, 4}, Quant(12.0f / 255.0f, -128));
  b.AddFullyConnected(flat, fcw, fcb, logits);

  const int32_t probs = b.AddTensor("probabilities", TensorType::INT8, {1, 4}, Quant(1.0f / 256.0f, -128));
  b.AddSoftmax(logits, probs, 1.0f);
  b.SetInputs({in});
  b.SetOutputs({probs});
  return b.Finish();
}

// One picture per class: a line through the middle, 1.0 on the line.
std::vector<int8_t> Picture(int cls) {
  std::vector<int8_t> p(kSize * kSize, -128);
  for (int i = 0; i < kSize; ++i) {
    int y = i, x = i;
    if (cls == 0) y = 3;
    if (cls == 1) x = 4;
    if (cls == 3) x = kSize - 1 - i;
    p[static_cast<size_t>(y * kSize + x)] = 127;
  }
  return p;
}

bool Write(const std::string& path, const void* data, size_t size) {
  std::ofstream f(path, std::ios::binary);
  f.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_lines_model OUT_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::vector<uint8_t> model = BuildModel();
  if (!Write(dir + "/lines.tflite", model.data(), model.size())) {
    std::fprintf(stderr, "error: cannot write %s/lines.tflite\n", dir.c_str());
    return 1;
  }
  for (int c = 0; c < 4; ++c) {
    const std::vector<int8_t> p = Picture(c);
    std::string art;
    for (int y = 0; y < kSize; ++y) {
      for (int x = 0; x < kSize; ++x) art += p[static_cast<size_t>(y * kSize + x)] > 0 ? "# " : ". ";
      art += "\n";
    }
    if (!Write(dir + "/" + kClasses[c] + ".bin", p.data(), p.size()) ||
        !Write(dir + "/" + kClasses[c] + ".txt", art.data(), art.size())) {
      std::fprintf(stderr, "error: cannot write the samples to %s\n", dir.c_str());
      return 1;
    }
  }
  return 0;
}
