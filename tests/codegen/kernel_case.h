// Test helper for the C kernel emitters: builds a one-node graph with random
// inputs (tests/ops/op_test_util.h's OneNode) and checks its generated kernel
// against the reference evaluator with ExpectKernelMatchesReference.
//
//   KernelCase(ir::OpKind::kAdd)
//       .In(ir::DType::kInt8, {1, 8, 8, 3}, Quant(0.05f, 3))   // random bytes
//       .In(ir::DType::kInt8, {3}, Quant(0.02f, -7))
//       .Out(ir::DType::kInt8, {1, 8, 8, 3}, Quant(0.1f, 0))
//       .Expect();
//
// Float inputs are random finite values in [-range, range] (default 8).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/kernel_harness.h"
#include "ops/op_test_util.h"
#include "util/test_util.h"

namespace ember::test {

// The bytes of float values, for InData.
inline std::vector<uint8_t> FloatBytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

inline std::vector<uint8_t> RandomFloatBytes(size_t count, uint32_t seed, float range) {
  const std::vector<uint8_t> raw = RandomBytes(count * 4, seed);
  std::vector<uint8_t> out(count * 4);
  for (size_t i = 0; i < count; ++i) {
    uint32_t u;
    std::memcpy(&u, &raw[i * 4], 4);
    const float f = (static_cast<float>(u >> 8) / 16777216.0f * 2.0f - 1.0f) * range;
    std::memcpy(&out[i * 4], &f, 4);
  }
  return out;
}

class KernelCase {
 public:
  explicit KernelCase(ir::OpKind op) : t_(op, "node/" + std::string(ir::OpIrName(op))) {}

  // A graph input with random contents (seeded by its position and `seed`).
  KernelCase& In(ir::DType dtype, ir::Shape shape, std::optional<ir::QuantParams> q = std::nullopt,
                 uint32_t seed = 1, float range = 8.0f) {
    const size_t n = static_cast<size_t>(ir::NumElements(shape));
    const uint32_t s = seed * 7919u + static_cast<uint32_t>(inputs_.size()) + 1u;
    std::vector<uint8_t> b = dtype == ir::DType::kFloat32 ? RandomFloatBytes(n, s, range)
                                                         : RandomBytes(n * ir::DTypeSize(dtype), s);
    if (dtype == ir::DType::kBool)
      for (auto& x : b) x &= 1;
    return InData(dtype, std::move(shape), std::move(b), std::move(q));
  }
  KernelCase& InData(ir::DType dtype, ir::Shape shape, std::vector<uint8_t> bytes,
                     std::optional<ir::QuantParams> q = std::nullopt) {
    inputs_.push_back(bytes);
    t_.InBytes(dtype, std::move(shape), std::move(bytes), std::move(q));
    return *this;
  }
  KernelCase& Const(ir::DType dtype, ir::Shape shape, std::optional<ir::QuantParams> q = std::nullopt,
                    uint32_t seed = 99) {
    const size_t n = static_cast<size_t>(ir::NumElements(shape));
    t_.ConstBytes(dtype, std::move(shape),
                  dtype == ir::DType::kFloat32 ? RandomFloatBytes(n, seed, 8.0f)
                                               : RandomBytes(n * ir::DTypeSize(dtype), seed),
                  std::move(q));
    return *this;
  }
  KernelCase& Out(ir::DType dtype, ir::Shape shape, std::optional<ir::QuantParams> q = std::nullopt) {
    t_.Out(dtype, std::move(shape), std::move(q));
    return *this;
  }
  KernelCase& Attr(const std::string& key, ir::AttrValue v) {
    t_.Attr(key, std::move(v));
    return *this;
  }

  // Generated C equals the reference evaluator byte for byte.
  void Expect(double float_tolerance = 0.0) const {
    SCOPED_TRACE(ir::OpIrName(t_.node().op));
    ExpectKernelMatchesReference(t_.graph(), inputs_, float_tolerance);
  }

  // The emitter's result for the node (flags, code).
  Expected<codegen::c::Kernel> Emit(const std::string& target = "host", bool optimize_size = false) const {
    auto tg = codegen::c::ParseTarget(target);
    if (!tg.ok()) return tg.diag();
    codegen::c::KernelContext ctx{t_.graph(), t_.node(), 0, "kernel_0", pool_, *tg};
    ctx.optimize_size = optimize_size;
    return codegen::c::GetEmitter(t_.node().op).emit(ctx);
  }
  const codegen::c::ConstPool& pool() const { return pool_; }

  const ir::Graph& graph() const { return t_.graph(); }
  OneNode& node() { return t_; }
  const std::vector<std::vector<uint8_t>>& inputs() const { return inputs_; }

 private:
  OneNode t_;
  std::vector<std::vector<uint8_t>> inputs_;
  mutable codegen::c::ConstPool pool_{"k"};
};

// Compiles the case's kernel (constants, function, and a pointer that keeps
// it referenced) with `compiler` plus -std=c99 -Wall -Wextra -Werror
// -pedantic -O2 -c. Returns "" on success, "skip" when the compiler is
// absent, else the compiler log and the source.
inline std::string CompileKernelWith(const KernelCase& c, const std::string& compiler,
                                     const std::string& target = "host") {
  const std::string exe = compiler.substr(0, compiler.find(' '));
  if (std::system((exe + " --version > /dev/null 2>&1").c_str()) != 0) return "skip";
  auto k = c.Emit(target);
  if (!k.ok()) return k.diag().ToString();
  std::string src =
      "#include <stdint.h>\n#include <string.h>\n#include <math.h>\n"
      "#include \"ember/kernel_math.h\"\n#include \"ember/fixed_point.h\"\n#include \"ember/dsp.h\"\n\n";
  src += c.pool().Render() + k->code +
         "\nvoid (*volatile ember_keep_kernel)(void) = (void (*)(void))kernel_0;\n";
  const std::string dir = TempDir();
  WriteFile(dir + "/kc.c", std::vector<uint8_t>(src.begin(), src.end()));
  const std::string cmd = compiler + " -std=c99 -Wall -Wextra -Werror -pedantic -O2 -I" +
                          EMBER_SOURCE_DIR + "/runtime/include -c " + dir + "/kc.c -o " + dir +
                          "/kc.o > " + dir + "/kc.log 2>&1";
  if (std::system(cmd.c_str()) == 0) return "";
  const auto log = ReadFile(dir + "/kc.log");
  return std::string(log.begin(), log.end()) + "\n" + src;
}

// The same for Cortex-M4 (arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb, hard
// float), and, when clang is installed, also with clang for the host (the
// result then covers both; "skip" only when arm-none-eabi-gcc is absent).
inline std::string CompileForCortexM4(const KernelCase& c) {
  const std::string m4 = CompileKernelWith(
      c, "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16", "cortex-m4");
  if (m4 != "") return m4;
  const std::string host = CompileKernelWith(c, "clang");
  return host == "skip" ? "" : host;
}

}  // namespace ember::test
