// ONNX DFT, STFT and MelWeightMatrix (opset 17): against transforms
// computed here in double by their definitions (forward, inverse, onesided,
// complex input, dft_length padding and cutting, another axis; frames,
// window), the exact zeros at the quarter turns, the mel matrix's
// triangles, and the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "ops/evaluate.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using test::OnnxBuilder;

// DFT of rows of n samples of c parts (1 real, 2 complex) with length l
// (zero-padded or cut), `bins` bins, inverse scaled by 1/l: [rows, bins, 2].
std::vector<float> DirectDft(const std::vector<float>& x, int64_t rows, int64_t n, int64_t c, int64_t l, int64_t bins,
                             bool inverse) {
  std::vector<float> y;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < bins; ++j) {
      double re = 0.0, im = 0.0;
      for (int64_t k = 0; k < std::min(n, l); ++k) {
        const double a = (inverse ? 2.0 : -2.0) * std::numbers::pi * static_cast<double>(j * k) / static_cast<double>(l);
        const double xr = x[static_cast<size_t>((r * n + k) * c)];
        const double xi = c == 2 ? x[static_cast<size_t>((r * n + k) * c + 1)] : 0.0;
        re += xr * std::cos(a) - xi * std::sin(a);
        im += xr * std::sin(a) + xi * std::cos(a);
      }
      const double s = inverse ? 1.0 / static_cast<double>(l) : 1.0;
      y.push_back(static_cast<float>(re * s));
      y.push_back(static_cast<float>(im * s));
    }
  return y;
}

std::vector<float> Noise(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 1u;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>(s >> 8) / 8388608.0f - 1.0f;
  }
  return v;
}

struct DftCase {
  int64_t rows, n, c, l;
  bool onesided, inverse, length_input;
};

TEST(OnnxSignal, DftMatchesTheDirectSum) {
  const DftCase cases[] = {
      {2, 7, 1, 7, false, false, false},  // odd length, real
      {1, 8, 2, 8, false, true, false},   // complex inverse
      {3, 12, 1, 12, true, false, false}, // onesided: 7 bins
      {1, 6, 1, 10, false, false, true},  // dft_length 10 zero-pads
      {1, 10, 2, 4, true, false, true},   // dft_length 4 cuts; complex onesided
  };
  for (const DftCase& p : cases) {
    SCOPED_TRACE("n " + std::to_string(p.n) + " c " + std::to_string(p.c) + " l " + std::to_string(p.l));
    OnnxBuilder b(17);
    b.Input("x", {p.rows, p.n, p.c});
    std::vector<std::string> ins = {"x"};
    if (p.length_input) {
      b.InitInt64("len", {}, {p.l});
      ins.push_back("len");
    }
    b.Node("DFT", ins, {"y"}).Int("axis", 1).Int("onesided", p.onesided ? 1 : 0).Int("inverse", p.inverse ? 1 : 0);
    b.Output("y");
    const ir::Graph g = MustImport(b.Bytes());
    const int64_t bins = p.onesided ? p.l / 2 + 1 : p.l;
    EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{p.rows, bins, 2}));
    const std::vector<float> x = Noise(static_cast<size_t>(p.rows * p.n * p.c), 3);
    ExpectNear(Eval(g, x), DirectDft(x, p.rows, p.n, p.c, p.l, bins, p.inverse), 2e-5f);
  }
}

TEST(OnnxSignal, DftOverAnotherAxisAndExactZeros) {
  // [1, 4, 6, 1] over axis 2 (the signal is every row of 6); a real signal's
  // bins 0 and 3 have imaginary parts exactly 0.
  OnnxBuilder b(17);
  b.Input("x", {1, 4, 6, 1});
  b.Node("DFT", {"x"}, {"y"}).Int("axis", 2);
  b.Output("y");
  const ir::Graph g = MustImport(b.Bytes());
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{1, 4, 6, 2}));
  const std::vector<float> x = Noise(24, 5);
  const std::vector<float> y = Eval(g, x);
  ExpectNear(y, DirectDft(x, 4, 6, 1, 6, 6, false), 2e-5f);
  for (size_t r = 0; r < 4; ++r) {
    EXPECT_EQ(y[r * 12 + 1], 0.0f);
    EXPECT_EQ(y[r * 12 + 7], 0.0f);
  }
  // Over axis 1 of the same shape: each signal is a column of 4.
  OnnxBuilder b1(17);
  b1.Input("x", {1, 4, 6, 1});
  b1.Node("DFT", {"x"}, {"y"}).Int("axis", -3);
  b1.Output("y");
  const ir::Graph g1 = MustImport(b1.Bytes());
  std::vector<float> cols;
  for (int j = 0; j < 6; ++j)
    for (int i = 0; i < 4; ++i) cols.push_back(x[static_cast<size_t>(i * 6 + j)]);
  const std::vector<float> ref = DirectDft(cols, 6, 4, 1, 4, 4, false);  // [col, bin, 2]
  std::vector<float> want;
  for (int bin = 0; bin < 4; ++bin)
    for (int j = 0; j < 6; ++j)
      for (int part = 0; part < 2; ++part) want.push_back(ref[static_cast<size_t>((j * 4 + bin) * 2 + part)]);
  ExpectNear(Eval(g1, x), want, 2e-5f);
}

TEST(OnnxSignal, StftIsTheDftOfEachWindowedFrame) {
  const int64_t len = 40, step = 6, fl = 10;
  std::vector<float> window;
  for (int64_t k = 0; k < fl; ++k)
    window.push_back(static_cast<float>(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(k) / fl)));
  OnnxBuilder b(17);
  b.Input("x", {2, len, 1});
  b.InitInt64("step", {}, {step});
  b.Init("window", {fl}, window);
  b.Node("STFT", {"x", "step", "window"}, {"y"});
  const int64_t frames = (len - fl) / step + 1, bins = fl / 2 + 1;
  // Declared as an exporter writes it (the builder's libonnx inference
  // would give all frame_length bins).
  b.OutputWithShape("y", {2, frames, bins, 2});
  const ir::Graph g = MustImport(b.Bytes());
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{2, frames, bins, 2}));
  const std::vector<float> x = Noise(static_cast<size_t>(2 * len), 9);
  std::vector<float> framed;
  for (int64_t bi = 0; bi < 2; ++bi)
    for (int64_t f = 0; f < frames; ++f)
      for (int64_t k = 0; k < fl; ++k)
        framed.push_back(x[static_cast<size_t>(bi * len + f * step + k)] * window[static_cast<size_t>(k)]);
  ExpectNear(Eval(g, x), DirectDft(framed, 2 * frames, fl, 1, fl, bins, false), 2e-5f);
}

TEST(OnnxSignal, MelWeightMatrixIsAConstantOfTriangles) {
  OnnxBuilder b(17);
  b.Input("x", {3, 33});
  b.InitInt("mels", ::onnx::TensorProto::INT32, {}, {10});
  b.InitInt("len", ::onnx::TensorProto::INT32, {}, {64});
  b.InitInt("rate", ::onnx::TensorProto::INT32, {}, {16000});
  b.Init("lo", {}, {20.0f});
  b.Init("hi", {}, {8000.0f});
  b.Node("MelWeightMatrix", {"mels", "len", "rate", "lo", "hi"}, {"m"});
  b.Node("MatMul", {"x", "m"}, {"y"});
  b.Output("y");
  const ir::Graph g = MustImport(b.Bytes());
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{3, 10}));
  // Each column of the matrix: x = the unit vector e_j picks row j.
  for (int64_t j = 0; j < 33; ++j) {
    std::vector<float> x(99, 0.0f);
    x[static_cast<size_t>(j)] = 1.0f;
    const std::vector<float> row = Eval(g, x);
    for (float v : std::vector<float>(row.begin(), row.begin() + 10)) {
      EXPECT_GE(v, 0.0f);
      EXPECT_LE(v, 1.0f);
    }
  }
  // Every band peaks at exactly 1 in one bin.
  std::vector<float> peak(10, 0.0f);
  for (int64_t j = 0; j < 33; ++j) {
    std::vector<float> x(99, 0.0f);
    x[static_cast<size_t>(j)] = 1.0f;
    const std::vector<float> row = Eval(g, x);
    for (size_t i = 0; i < 10; ++i) peak[i] = std::max(peak[i], row[i]);
  }
  for (float p : peak) EXPECT_EQ(p, 1.0f);
}

TEST(OnnxSignal, Refusals) {
  {
    OnnxBuilder b(17);
    b.Input("x", {1, 8, 3});
    b.Node("DFT", {"x"}, {"y"});
    b.Output("y");
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_NE(d.message.find("does not end in 1 (real) or 2 (complex)"), std::string::npos) << d.ToString();
  }
  {
    OnnxBuilder b(17);
    b.Input("x", {1, 8, 1});
    b.InitInt64("len", {}, {100000});
    b.Node("DFT", {"x", "len"}, {"y"});
    b.Output("y");
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1007") << d.ToString();
  }
  {  // a 4096-point transform of 5000 samples: a matrix of 8192 x 5000 entries
    OnnxBuilder b(17);
    b.Input("x", {1, 5000, 1});
    b.InitInt64("len", {}, {4096});
    b.Node("DFT", {"x", "len"}, {"y"});
    b.OutputWithShape("y", {1, 4096, 2});
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1007") << d.ToString();
    EXPECT_NE(d.message.find("more than 2^24 entries"), std::string::npos) << d.message;
  }
  {
    OnnxBuilder b(17);
    b.Input("x", {1, 8, 1});
    b.Input("step", {1}, ::onnx::TensorProto::INT32);
    b.InitInt("fl", ::onnx::TensorProto::INT32, {}, {4});
    b.Node("STFT", {"x", "step", "", "fl"}, {"y"});
    b.OutputWithShape("y", {1, 3, 3, 2});
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1013") << d.ToString();
  }
  {
    OnnxBuilder b(17);
    b.Input("x", {1, 9});
    b.InitInt("mels", ::onnx::TensorProto::INT32, {}, {4});
    b.InitInt("len", ::onnx::TensorProto::INT32, {}, {16});
    b.InitInt("rate", ::onnx::TensorProto::INT32, {}, {8000});
    b.Init("lo", {}, {0.0f});
    b.Init("hi", {}, {16000.0f});  // above the sample rate: edges beyond the spectrum
    b.Node("MelWeightMatrix", {"mels", "len", "rate", "lo", "hi"}, {"m"});
    b.Node("MatMul", {"x", "m"}, {"y"});
    b.Output("y");
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_NE(d.message.find("outside the 9 spectrum bins"), std::string::npos) << d.ToString();
  }
}

}  // namespace
}  // namespace ember::frontend::onnx
