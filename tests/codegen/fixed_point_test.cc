// runtime/include/ember/fixed_point.h (C) is bit-identical to the C++
// helpers of compiler/ops/fixed_point.cc: a C program evaluates every helper
// on edge and random arguments, and the results are compared with the C++.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "codegen/kernel_harness.h"
#include "ops/quant_math.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

std::vector<int32_t> Args32() {
  std::vector<int32_t> v = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1,
                            1 << 30, -(1 << 30), 1 << 29, -(1 << 29), 12345678, -87654321};
  const std::vector<uint8_t> r = RandomBytes(4 * 400, 77);
  for (size_t i = 0; i < 400; ++i) {
    uint32_t u = static_cast<uint32_t>(r[4 * i]) | static_cast<uint32_t>(r[4 * i + 1]) << 8 |
                 static_cast<uint32_t>(r[4 * i + 2]) << 16 | static_cast<uint32_t>(r[4 * i + 3]) << 24;
    v.push_back(static_cast<int32_t>(u >> (i % 24)));  // spread the magnitudes
    v.push_back(-static_cast<int32_t>(u >> (i % 24 + 1)));
  }
  return v;
}

// Each entry: a C expression over `a` / `b` / `e` and the same computed in C++.
struct Probe {
  std::string c_expr;
  int32_t (*cc)(int32_t a, int32_t b);
};

int16_t Lo16(int32_t a) { return static_cast<int16_t>(a & 0xffff); }
int32_t NonPos(int32_t a) { return a > 0 ? -a : a; }
int32_t NonNeg(int32_t a) { return a < 0 ? (a == INT32_MIN ? INT32_MAX : -a) : a; }

const Probe kProbes[] = {
    {"ember_satshl(a, 1)", [](int32_t a, int32_t) { return ops::SatShl(a, 1); }},
    {"ember_satshl(a, 2)", [](int32_t a, int32_t) { return ops::SatShl(a, 2); }},
    {"ember_rounding_half_sum(a, b)", [](int32_t a, int32_t b) { return ops::RoundingHalfSum(a, b); }},
    {"ember_exp_on_negative_values(NONPOS(a), 0)", [](int32_t a, int32_t) { return ops::ExpOnNegativeValues(NonPos(a), 0); }},
    {"ember_exp_on_negative_values(NONPOS(a), 4)", [](int32_t a, int32_t) { return ops::ExpOnNegativeValues(NonPos(a), 4); }},
    {"ember_exp_on_negative_values(NONPOS(a), 5)", [](int32_t a, int32_t) { return ops::ExpOnNegativeValues(NonPos(a), 5); }},
    {"ember_exp_on_negative_values(NONPOS(a), 6)", [](int32_t a, int32_t) { return ops::ExpOnNegativeValues(NonPos(a), 6); }},
    {"ember_exp_on_negative_values(NONPOS(a), 12)", [](int32_t a, int32_t) { return ops::ExpOnNegativeValues(NonPos(a), 12); }},
    {"ember_one_over_one_plus_x(NONNEG(a))", [](int32_t a, int32_t) { return ops::OneOverOnePlusX(NonNeg(a)); }},
    {"ember_one_minus_x_over_one_plus_x(NONNEG(a))", [](int32_t a, int32_t) { return ops::OneMinusXOverOnePlusX(NonNeg(a)); }},
    {"ember_fixed_logistic(a, 4)", [](int32_t a, int32_t) { return ops::FixedLogistic(a, 4); }},
    {"ember_fixed_logistic(a, 0)", [](int32_t a, int32_t) { return ops::FixedLogistic(a, 0); }},
    {"ember_fixed_tanh(a, 4)", [](int32_t a, int32_t) { return ops::FixedTanh(a, 4); }},
    {"ember_fixed_tanh(a, 2)", [](int32_t a, int32_t) { return ops::FixedTanh(a, 2); }},
    {"ember_srdhm16(LO16(a), LO16(b))", [](int32_t a, int32_t b) { return int32_t{ops::Srdhm16(Lo16(a), Lo16(b))}; }},
    {"ember_sdhm16(LO16(a), LO16(b))", [](int32_t a, int32_t b) { return int32_t{ops::Sdhm16(Lo16(a), Lo16(b))}; }},
    {"ember_rdbpot16(LO16(a), (int)((uint32_t)b % 32u))", [](int32_t a, int32_t b) { return int32_t{ops::Rdbpot16(Lo16(a), static_cast<int>(static_cast<uint32_t>(b) % 32u))}; }},
    {"ember_satshl16(LO16(a), (int)((uint32_t)b % 32u))", [](int32_t a, int32_t b) { return int32_t{ops::SatShl16(Lo16(a), static_cast<int>(static_cast<uint32_t>(b) % 32u))}; }},
    {"ember_srdhm16(-32768, -32768)", [](int32_t, int32_t) { return int32_t{ops::Srdhm16(-32768, -32768)}; }},
    {"ember_sdhm16(-32768, -32768)", [](int32_t, int32_t) { return int32_t{ops::Sdhm16(-32768, -32768)}; }},
    {"INV_SQRT_M(NONNEG(a))", [](int32_t a, int32_t) { return ops::InvSqrtQuantizedMultiplier(NonNeg(a)).multiplier; }},
    {"INV_SQRT_S(NONNEG(a))", [](int32_t a, int32_t) { return int32_t{ops::InvSqrtQuantizedMultiplier(NonNeg(a)).shift}; }},
    {"INV_SQRT_M(LO16(a) & 0x7fff)", [](int32_t a, int32_t) { return ops::InvSqrtQuantizedMultiplier(Lo16(a) & 0x7fff).multiplier; }},
};

TEST(FixedPointHeader, BitIdenticalToTheCompilerHelpers) {
  const std::vector<int32_t> args = Args32();
  std::string src =
      "#include <stdio.h>\n#include \"ember/fixed_point.h\"\n"
      "#define NONPOS(a) ((a) > 0 ? -(a) : (a))\n"
      "#define NONNEG(a) ((a) < 0 ? ((a) == INT32_MIN ? INT32_MAX : -(a)) : (a))\n"
      "#define LO16(a) ((int16_t)((a) & 0xffff))\n"
      "static int32_t INV_SQRT_M(int32_t a) { int32_t m; int s; ember_inv_sqrt_multiplier(a, &m, &s); return m; }\n"
      "static int32_t INV_SQRT_S(int32_t a) { int32_t m; int s; ember_inv_sqrt_multiplier(a, &m, &s); return s; }\n"
      "static const int32_t kArgs[] = {";
  for (size_t i = 0; i < args.size(); ++i) src += (i ? ", " : "") + std::string("(int32_t)") + std::to_string(args[i]);
  src += "};\nint main(void) {\n  size_t i;\n  const size_t n = sizeof kArgs / sizeof kArgs[0];\n"
         "  for (i = 0; i < n; ++i) {\n    const int32_t a = kArgs[i], b = kArgs[(i * 7 + 3) % n];\n"
         "    (void)b;\n";
  for (const Probe& p : kProbes) src += "    printf(\"%ld\\n\", (long)(" + p.c_expr + "));\n";
  src += "  }\n  return 0;\n}\n";
  // INT32_MIN has no literal form: spell it as an expression.
  for (size_t pos = src.find("(int32_t)-2147483648"); pos != std::string::npos;
       pos = src.find("(int32_t)-2147483648"))
    src.replace(pos, 20, "INT32_MIN");

  const std::string dir = TempDir();
  WriteFile(dir + "/fp.c", std::vector<uint8_t>(src.begin(), src.end()));
  const std::string cc = std::string("cc -std=c99 -Wall -Wextra -Werror -pedantic -O2 -I") + EMBER_SOURCE_DIR +
                         "/runtime/include -o " + dir + "/fp " + dir + "/fp.c 2> " + dir + "/cc.log";
  ASSERT_EQ(std::system(cc.c_str()), 0) << [&] {
    auto l = ReadFile(dir + "/cc.log");
    return std::string(l.begin(), l.end());
  }();
  ASSERT_EQ(std::system((dir + "/fp > " + dir + "/fp.txt").c_str()), 0);
  const std::vector<uint8_t> out = ReadFile(dir + "/fp.txt");
  std::vector<long> got;
  const std::string text(out.begin(), out.end());
  for (size_t p = 0; p < text.size();) {
    const size_t nl = text.find('\n', p);
    got.push_back(std::stol(text.substr(p, nl - p)));
    p = nl + 1;
  }
  const size_t np = sizeof kProbes / sizeof kProbes[0];
  ASSERT_EQ(got.size(), args.size() * np);
  int failures = 0;
  for (size_t i = 0; i < args.size() && failures < 10; ++i) {
    const int32_t a = args[i], b = args[(i * 7 + 3) % args.size()];
    for (size_t k = 0; k < np; ++k) {
      const long want = kProbes[k].cc(a, b);
      if (got[i * np + k] != want) {
        ADD_FAILURE() << kProbes[k].c_expr << " with a = " << a << ", b = " << b << ": C " << got[i * np + k]
                      << ", C++ " << want;
        ++failures;
      }
    }
  }
}

}  // namespace
}  // namespace ember::test
