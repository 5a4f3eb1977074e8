// add, int8, Helium (cortex-m55): same-shape inputs, 4 elements per step
// (VLDRB.S32 widening loads, the reference's rescaling with VQRDMULH and a
// rounding shift, VSTRB.32 narrowing store), the last 1-3 elements with tail
// predication. Bit-exact with ops/add.cc: the same multipliers and the same
// operations lane by lane (mve.h), or, where TFLite gives one input the
// multiplier 1/2, fewer operations with the same result (FoldedSum; ic's
// first add on cortex-m55: 65,562 instructions against 90,125). With ONNX
// Runtime's arithmetic, its QLinearAdd in float (ember_mve_qlinear_add:
// VFMA.F32 twice, VCVTN).
//
// Access order: elements ascending in groups of 4; a group's outputs are
// written after its inputs were read (the output may be one of the inputs).
#include <algorithm>
#include <cstdlib>
#include <string>

#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/mve/kernels.h"

namespace ember::codegen::c::mve {
namespace {

std::string S(int64_t v) { return std::to_string(v); }

// v = Rdbpot(Srdhm((v - z) * 2^20, M), -shift) on vector `v`.
std::string Rescale(const std::string& v, int32_t z, ops::QuantizedMultiplier m) {
  std::string s;
  if (z != 0) s += v + " = ember_mve_add_n(" + v + ", " + CInt(-int64_t{z}) + ");\n";
  s += v + " = ember_mve_srdhm_n(ember_mve_shl_n(" + v + ", 20), " + CInt(m.multiplier) + ");\n";
  if (m.shift < 0) s += v + " = ember_mve_rdbpot_n(" + v + ", " + S(-m.shift) + ");\n";
  return s;
}

// The largest |x - z| of an int8 input with zero point z.
int64_t MaxOffset(int32_t z) { return std::max<int64_t>(std::abs(-128 - int64_t{z}), std::abs(127 - int64_t{z})); }

// The sum of both rescaled inputs, a + b, in fewer steps where it stays
// exact, or "" (Rescale each, then add). The input with the larger scale
// has the multiplier 1/2 (ops::IsHalfMultiplier), its rescale
// Srdhm((x - z) * 2^20, 2^30) being (x - z) * 2^19. Both 1/2: (x1 + x2) *
// 2^19 - (z1 + z2) * 2^19 (VADD, VMLAS). One (input h) 1/2 and the other
// (input r: M, right shift e): VQRDMLAH adds Srdhm((xr - zr) * 2^20, M) to
// hv = (xh - zh) * 2^(19 + e) with one rounding, and the rounding shift by
// e gives Rdbpot(Srdhm(.., M), e) + (xh - zh) * 2^19, as hv is a multiple
// of 2^e; the ties fix-up of Rdbpot (one less where Srdhm's result is
// negative) comes from the sign of (xr - zr) * 2^20, the same where the
// result is not 0, and -1 added to 0 before the shift leaves 0 (e >= 1);
// none when zr = -128 (xr - zr >= 0). Applies where every partial sum
// stays below 2^31 in magnitude.
std::string FoldedSum(const AddS8& a, const std::string& x1, const std::string& x2) {
  if (ops::IsHalfMultiplier(a.m1) && ops::IsHalfMultiplier(a.m2)) {
    return "a = ember_mve_add(" + x1 + ", " + x2 + ");  /* (x1 - z1 + x2 - z2) * 2^19 */\n" +
           "a = ember_mve_mul_add_n(a, 524288, " + CInt(-(int64_t{a.z1} + a.z2) * 524288) + ");\n";
  }
  const bool h1 = ops::IsHalfMultiplier(a.m1);
  if (!h1 && !ops::IsHalfMultiplier(a.m2)) return "";
  const std::string xh = h1 ? x1 : x2, xr = h1 ? x2 : x1;
  const int32_t zh = h1 ? a.z1 : a.z2, zr = h1 ? a.z2 : a.z1;
  const ops::QuantizedMultiplier m = h1 ? a.m2 : a.m1;
  const int e = -m.shift;
  if (e < 0 || e > 11 || m.multiplier < 0) return "";
  const int64_t kh = int64_t{1} << (19 + e);
  if (MaxOffset(zh) * kh + MaxOffset(zr) * (int64_t{1} << 20) + 1 >= (int64_t{1} << 31)) return "";
  std::string s = "ember_v32 hv = ember_mve_mul_add_n(" + xh + ", " + CInt(kh) + ", " + CInt(-int64_t{zh} * kh) +
                  ");  /* (xh - zh) * 2^19 * 2^" + S(e) + " */\n";
  s += "const ember_v32 rv = ember_mve_mul_add_n(" + xr + ", 1048576, " + CInt(-int64_t{zr} * 1048576) +
       ");  /* (xr - zr) * 2^20 */\n";
  if (zr != -128 && e > 0) s += "hv = ember_mve_add(hv, ember_mve_neg_mask(rv));  /* the ties fix-up */\n";
  s += "a = ember_mve_srdhm_acc_n(hv, rv, " + CInt(m.multiplier) + ");\n";
  if (e > 0) s += "a = ember_mve_rshr_up_n(a, " + S(e) + ");\n";
  return s;
}

// One step over `n` lanes (4: full) at element offset `i`.
std::string Step(const AddS8& a, const std::string& i, int64_t n) {
  const std::string ld = n == 4 ? "ember_mve_ld8x4(" : "ember_mve_ld8x4_n(";
  const std::string cnt = n == 4 ? ")" : ", " + S(n) + ")";
  std::string s = "ember_v32 a = " + ld + "in0 + " + i + cnt + ", b = " + ld + "in1 + " + i + cnt + ";\n";
  const std::string st =
      n == 4 ? "ember_mve_st8x4(out0 + " + i + ", a);\n" : "ember_mve_st8x4_n(out0 + " + i + ", a, " + S(n) + ");\n";
  if (a.ort) {
    const std::string u = S(a.uint8_offset);
    if (a.uint8_offset) s += "a = ember_mve_add_n(a, " + u + ");\nb = ember_mve_add_n(b, " + u + ");\n";
    s += "a = ember_mve_qlinear_add(a, b, " + CFloat(a.ra) + ", " + CFloat(a.rb) + ", " + CFloat(a.fixed) + ", " +
         CFloat(static_cast<float>(a.act.min)) + ", " + CFloat(static_cast<float>(a.act.max)) + ");\n";
    if (a.uint8_offset) s += "a = ember_mve_add_n(a, -" + u + ");\n";
    return s + st;
  }
  const std::string folded = FoldedSum(a, "a", "b");
  if (folded.empty()) {
    s += Rescale("a", a.z1, a.m1) + Rescale("b", a.z2, a.m2) + "a = ember_mve_add(a, b);\n";
  } else {
    s += folded;
  }
  s += "a = ember_mve_srdhm_n(a, " + CInt(a.mo.multiplier) + ");\n";
  if (a.mo.shift < 0)
    s += std::string("a = ") +
         (ops::ClampHidesNegativeRounding(a.act.min, a.zo) ? "ember_mve_rshr_up_n" : "ember_mve_rdbpot_n") + "(a, " +
         S(-a.mo.shift) + ");\n";
  if (a.zo != 0) s += "a = ember_mve_add_n(a, " + CInt(a.zo) + ");\n";
  s += "a = ember_mve_clamp(a, " + CInt(a.act.min) + ", " + CInt(a.act.max) + ");\n";
  return s + st;
}

}  // namespace

bool AddApplies(const AddS8& a) {
  return a.n > 0 && a.n < (int64_t{1} << 30) && (a.ort || (a.m1.shift <= 0 && a.m2.shift <= 0 && a.mo.shift <= 0));
}

std::string EmitAddS8Body(const AddS8& a) {
  std::string s = "  /* Helium: 4 elements per step; access order: ascending groups of 4, each\n"
                  "     group's outputs written after its inputs were read */\n";
  const int64_t full = a.n / 4 * 4;
  if (full > 0)
    s += "  for (int i = 0; i < " + S(full) + "; i += 4) {\n" + Reindent(Step(a, "i", 4), 4) + "  }\n";
  if (a.n % 4) s += "  {  /* the last " + S(a.n % 4) + " */\n" + Reindent(Step(a, S(full), a.n % 4), 4) + "  }\n";
  return s;
}

}  // namespace ember::codegen::c::mve
