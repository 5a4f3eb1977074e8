// Portable C emitters for the 16x8 forms (int16 activations, int8 weights,
// int32 or int64 bias) of conv2d, depthwise_conv2d and fully_connected,
// bit-exact with the evaluators' EvalInt16 (ops/conv2d.cc etc.), and the
// accumulation and requantization they share with transpose_conv's 16x8 form.
// The DSP and MVE variants are int8 only; these serve every target.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "ops/conv_util.h"

namespace ember::codegen::c {

// How a 16x8 kernel accumulates and requantizes (parameters computed at
// compile time by ops::PrepareConvRequantInt16). The generated code sums the
// products in a variable `sum`.
class Int16Requant {
 public:
  Status Init(const KernelContext& ctx, int64_t channels, ops::MultiplierFormula formula);

  // Chooses the sum's C type from `bound`, the largest sum(|w|) * 32768 over
  // channels: int32 when it fits (exact), else uint64 / uint32 (exact modulo
  // 2^64 / wrapping like the reference).
  void SetBound(int64_t bound) { narrow_ = bound <= INT32_MAX; }

  // The declaration of the tap sum, "<type> sum = 0;".
  std::string Decl() const { return SumType() + " sum = 0;\n"; }
  // The statement adding product expression `p` (an int) to the sum.
  std::string Term(const std::string& p) const;
  // The statements adding the bias of channel `ch`, requantizing and storing
  // the int16 result to `dst`.
  std::string Store(const std::string& dst, const std::string& ch) const;
  // One line for the kernel comment.
  std::string Describe() const;

  const ops::ConvRequant& params() const { return r_; }

 private:
  std::string SumType() const;

  ops::ConvRequant r_;
  bool shared_ = true;
  bool narrow_ = false;
  std::string mult_, shift_, bias_;
};

// max over `rows` rows of sum(|w[r][i] - zw|) * 32768, for Int16Requant::SetBound;
// `row_of` maps a flat weight index to its row.
int64_t SumBound(const std::vector<int8_t>& w, int64_t rows, int32_t zw,
                 int64_t (*row_of)(int64_t index, int64_t rows, int64_t size));
// Row-major [rows, ...] (conv2d and transpose_conv OHWI, fully_connected [units, depth]).
int64_t LeadingRow(int64_t index, int64_t rows, int64_t size);

// True when the node's input is int16 (the 16x8 form).
bool IsInt16ConvLike(const KernelContext& ctx);

Expected<Kernel> EmitConv2DInt16(const KernelContext& ctx);
Expected<Kernel> EmitDepthwiseConv2DInt16(const KernelContext& ctx);
Expected<Kernel> EmitFullyConnectedInt16(const KernelContext& ctx);

}  // namespace ember::codegen::c
