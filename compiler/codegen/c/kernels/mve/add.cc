// add, int8, Helium (cortex-m55): same-shape inputs, 4 elements per step
// (VLDRB.S32 widening loads, the reference's rescaling with VQRDMULH and a
// rounding shift, VSTRB.32 narrowing store), the last 1-3 elements with tail
// predication. Bit-exact with ops/add.cc: the same multipliers and the same
// operations lane by lane (mve.h). With ONNX Runtime's arithmetic, its
// QLinearAdd in float (ember_mve_qlinear_add: VFMA.F32 twice, VCVTN).
//
// Access order: elements ascending in groups of 4; a group's outputs are
// written after its inputs were read (the output may be one of the inputs).
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
  s += Rescale("a", a.z1, a.m1) + Rescale("b", a.z2, a.m2);
  s += "a = ember_mve_srdhm_n(ember_mve_add(a, b), " + CInt(a.mo.multiplier) + ");\n";
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
