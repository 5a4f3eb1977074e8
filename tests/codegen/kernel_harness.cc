#include "codegen/kernel_harness.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <filesystem>

#include "codegen/c/emitter.h"
#include "e2e/qemu_util.h"
#include "ops/evaluate.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

// Operand indices of the node's runtime inputs (present and not constant), in
// order: runtime input k is the C buffer `in<k>`.
std::vector<size_t> RuntimeOperands(const ir::Graph& g, const ir::Node& n) {
  std::vector<size_t> ops;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (n.inputs[i] != ir::kNoTensor && !g.tensor(n.inputs[i]).is_const()) ops.push_back(i);
  }
  return ops;
}

// After the plain call: for each declared overlap, out0 and a copy of the
// input in one buffer, out0 exactly at the input + delta (the limit the
// kernel declared), the call (the reversed kernel for upward overlaps), and
// out0 written to the next file argument.
std::string OverlapRuns(const ir::Graph& g, const ir::Node& n, const std::string& fn,
                        const std::vector<codegen::c::KernelOverlap>& overlaps, bool scratch) {
  std::string s;
  for (size_t v = 0; v < overlaps.size(); ++v) {
    const codegen::c::KernelOverlap& ov = overlaps[v];
    const int64_t in_bytes = g.tensor(n.inputs[static_cast<size_t>(ov.input)]).size_bytes();
    const int64_t out_bytes = g.tensor(n.outputs[0]).size_bytes();
    const int64_t in_at = std::max<int64_t>(0, -ov.delta), out_at = in_at + ov.delta;
    const int64_t size = std::max(in_at + in_bytes, out_at + out_bytes) + 16;
    const std::string sh = "shared" + std::to_string(v);
    s += "  {\n    static uint8_t " + sh + "[" + std::to_string(size) + "] EMBER_ALIGNED(16);\n";
    std::string call;
    auto add = [&](const std::string& x) { call += (call.empty() ? "" : ", ") + x; };
    const std::vector<size_t> ops = RuntimeOperands(g, n);
    for (size_t k = 0; k < ops.size(); ++k) {
      const std::string ct = std::string("(const ") + codegen::c::CType(g.tensor(n.inputs[ops[k]]).dtype) + "*)";
      if (static_cast<int>(ops[k]) == ov.input) {
        s += "    memcpy(" + sh + " + " + std::to_string(in_at) + ", in" + std::to_string(k) + ", " +
             std::to_string(in_bytes) + ");\n";
        add(ct + "(" + sh + " + " + std::to_string(in_at) + ")");
      } else {
        add(ct + "in" + std::to_string(k));
      }
    }
    for (size_t j = 0; j < n.outputs.size(); ++j) {
      const std::string ct = std::string("(") + codegen::c::CType(g.tensor(n.outputs[j]).dtype) + "*)";
      add(j == 0 ? ct + "(" + sh + " + " + std::to_string(out_at) + ")" : ct + "out" + std::to_string(j));
    }
    if (scratch) add("scratch");
    s += "    " + fn + (ov.upward ? "_rev" : "") + "(" + call + ");\n";
    s += "    { FILE* f = fopen(argv[a++], \"wb\"); if (!f) return 4; fwrite(" + sh + " + " + std::to_string(out_at) +
         ", 1, " + std::to_string(out_bytes) + ", f); fclose(f); }\n  }\n";
  }
  return s;
}

std::string Main(const ir::Graph& g, const ir::Node& n, const std::string& fn, int64_t scratch,
                 const std::vector<codegen::c::KernelOverlap>& overlaps) {
  std::string s = "int main(int argc, char** argv) {\n  int a = 1;\n";
  std::string call;
  auto add = [&](const std::string& x) { call += (call.empty() ? "" : ", ") + x; };
  int k = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const ir::TensorId id = n.inputs[i];
    if (id == ir::kNoTensor || g.tensor(id).is_const()) continue;
    const auto bytes = g.tensor(id).size_bytes();
    s += "  static uint8_t in" + std::to_string(k) + "[" + std::to_string(bytes + 16) + "];\n";
    s += "  { FILE* f = fopen(argv[a++], \"rb\"); if (!f || fread(in" + std::to_string(k) + ", 1, " +
         std::to_string(bytes) + ", f) != " + std::to_string(bytes) + "u) return 3; fclose(f); }\n";
    add(std::string("(const ") + codegen::c::CType(g.tensor(id).dtype) + "*)in" + std::to_string(k));
    ++k;
  }
  for (size_t j = 0; j < n.outputs.size(); ++j) {
    const auto bytes = g.tensor(n.outputs[j]).size_bytes();
    s += "  static uint8_t out" + std::to_string(j) + "[" + std::to_string(bytes + 16) + "];\n";
    add(std::string("(") + codegen::c::CType(g.tensor(n.outputs[j]).dtype) + "*)out" + std::to_string(j));
  }
  if (scratch > 0) {
    s += "  static uint8_t scratch[" + std::to_string(scratch) + "] EMBER_ALIGNED(16);\n";
    add("scratch");
  }
  s += "  if (argc != " + std::to_string(1 + k + static_cast<int>(n.outputs.size() + overlaps.size())) +
       ") return 2;\n";
  s += "  " + fn + "(" + call + ");\n";
  for (size_t j = 0; j < n.outputs.size(); ++j) {
    const auto bytes = g.tensor(n.outputs[j]).size_bytes();
    s += "  { FILE* f = fopen(argv[a++], \"wb\"); if (!f) return 4; fwrite(out" + std::to_string(j) +
         ", 1, " + std::to_string(bytes) + ", f); fclose(f); }\n";
  }
  s += OverlapRuns(g, n, fn, overlaps, scratch > 0);
  return s + "  return 0;\n}\n";
}

}  // namespace

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed ? seed : 1;
  for (auto& b : v) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x & 0xff);
  }
  return v;
}

Expected<std::vector<std::vector<uint8_t>>> RunKernelInC(const ir::Graph& g, size_t node_index,
                                                         const std::vector<std::vector<uint8_t>>& inputs,
                                                         const std::string& target_name,
                                                         std::string* c_source,
                                                         std::vector<std::vector<uint8_t>>* overlapped,
                                                         const std::map<size_t, codegen::c::Schedule>* schedules) {
  const ir::Node& n = g.nodes.at(node_index);
  EMBER_ASSIGN_OR_RETURN(codegen::c::Target target, codegen::c::ParseTarget(target_name));
  codegen::c::ConstPool consts("k");
  const std::string fn = "kernel_" + std::to_string(node_index);
  codegen::c::KernelContext ctx{g, n, node_index, fn, consts, target, false, schedules};
  EMBER_ASSIGN_OR_RETURN(codegen::c::Kernel kernel, codegen::c::GetEmitter(n.op).emit(ctx));
  std::string src =
      "#include <stdint.h>\n#include <stdio.h>\n#include <string.h>\n#include <math.h>\n"
      "#include \"ember/kernel_math.h\"\n#include \"ember/fixed_point.h\"\n#include \"ember/dsp.h\"\n"
      "#include \"ember/mve.h\"\n\n";
  std::vector<codegen::c::KernelOverlap> overlaps;
  if (overlapped) {
    overlaps = kernel.overlaps;
    if (kernel.inplace_ok && !kernel.is_copy && !n.inputs.empty() &&
        g.tensor(n.inputs[0]).size_bytes() == g.tensor(n.outputs[0]).size_bytes())
      overlaps.push_back({0, 0, false});
  }
  std::string reversed;
  if (std::any_of(overlaps.begin(), overlaps.end(), [](const auto& o) { return o.upward; })) {
    codegen::c::KernelContext rctx{g, n, node_index, fn + "_rev", consts, target, /*reverse_pixels=*/true, schedules};
    EMBER_ASSIGN_OR_RETURN(codegen::c::Kernel rk, codegen::c::GetEmitter(n.op).emit(rctx));
    if (!rk.reversed) return InternalError("the kernel declares an upward overlap but ignores reverse_pixels");
    reversed = rk.code + "\n";
  }
  src += consts.Render() + kernel.code + "\n" + reversed + Main(g, n, fn, kernel.scratch_bytes, overlaps);
  if (c_source) *c_source = src;

  const std::string dir = TempDir();
  FILE* f = std::fopen((dir + "/k.c").c_str(), "wb");
  if (!f) return InternalError("cannot write " + dir + "/k.c");
  std::fwrite(src.data(), 1, src.size(), f);
  std::fclose(f);
  const std::string cc = std::string("cc -std=c99 -Wall -Wextra -Werror -pedantic -O1 -I") +
                         EMBER_SOURCE_DIR + "/runtime/include -o " + dir + "/k " + dir + "/k.c -lm 2> " +
                         dir + "/cc.log";
  if (std::system(cc.c_str()) != 0) {
    const auto log = ReadFile(dir + "/cc.log");
    return InternalError("the generated kernel does not compile:\n" + std::string(log.begin(), log.end()) +
                         "\n" + src);
  }
  std::string run = dir + "/k";
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string p = dir + "/in" + std::to_string(i) + ".bin";
    WriteFile(p, inputs[i]);
    run += " " + p;
  }
  for (size_t j = 0; j < n.outputs.size(); ++j) run += " " + dir + "/out" + std::to_string(j) + ".bin";
  for (size_t v = 0; v < overlaps.size(); ++v) run += " " + dir + "/overlap" + std::to_string(v) + ".bin";
  if (std::system(run.c_str()) != 0) return InternalError("the generated kernel program failed:\n" + src);
  std::vector<std::vector<uint8_t>> outs;
  for (size_t j = 0; j < n.outputs.size(); ++j) outs.push_back(ReadFile(dir + "/out" + std::to_string(j) + ".bin"));
  if (overlapped) {
    overlapped->clear();
    for (size_t v = 0; v < overlaps.size(); ++v)
      overlapped->push_back(ReadFile(dir + "/overlap" + std::to_string(v) + ".bin"));
  }
  return outs;
}

void ExpectKernelMatchesReference(const ir::Graph& g, const std::vector<std::vector<uint8_t>>& inputs,
                                  double float_tolerance, const std::string& target) {
  ASSERT_EQ(g.nodes.size(), 1u);
  ASSERT_TRUE(ops::CheckGraph(g).ok()) << ops::CheckGraph(g).ToString();
  auto ref = ops::EvaluateGraph(g, inputs);
  ASSERT_TRUE(ref.ok()) << ref.diag().ToString();
  std::string src;
  std::vector<std::vector<uint8_t>> overlapped;
  auto got = RunKernelInC(g, 0, inputs, target, &src, &overlapped);
  ASSERT_TRUE(got.ok()) << got.diag().ToString();
  ASSERT_EQ(got->size(), ref->outputs.size());
  // Out0 overlapping its input at each declared delta must not change a byte.
  for (size_t v = 0; v < overlapped.size(); ++v) {
    if (overlapped[v] != (*got)[0]) {
      ADD_FAILURE() << "output 0 overlapping its input (declared overlap " << v
                    << ") differs from the separate run\n" << src;
      break;
    }
  }
  for (size_t j = 0; j < ref->outputs.size(); ++j) {
    const auto& want = ref->outputs[j];
    const auto& have = (*got)[j];
    ASSERT_EQ(have.size(), want.size());
    const ir::Tensor& t = g.tensor(g.outputs[j]);
    size_t mismatches = 0;
    for (size_t i = 0; i < want.size() && mismatches < 8; ++i) {
      if (t.dtype == ir::DType::kFloat32 && float_tolerance > 0 && i % 4 == 0) {
        float a, b;
        std::memcpy(&a, &want[i], 4);
        std::memcpy(&b, &have[i], 4);
        if (std::abs(a - b) > float_tolerance) {
          ADD_FAILURE() << "output " << j << " element " << i / 4 << ": reference " << a << ", C " << b;
          ++mismatches;
        }
        i += 3;
        continue;
      }
      if (want[i] != have[i]) {
        ADD_FAILURE() << "output " << j << " byte " << i << ": reference " << int(want[i]) << ", C "
                      << int(have[i]);
        ++mismatches;
      }
    }
    if (mismatches) ADD_FAILURE() << "generated source:\n" << src;
  }
}

void ExpectKernelsMatchOnBoard(const std::vector<BoardKernelCase>& cases, const std::string& target,
                               const std::string& board,
                               const std::function<void(size_t, const std::string&)>& check_code,
                               const std::string& cflags) {
  EMBER_REQUIRE_QEMU_TOOLS();
  auto tg = codegen::c::ParseTarget(target);
  ASSERT_TRUE(tg.ok());
  std::string src =
      "#include <stdint.h>\n#include <string.h>\n#include <math.h>\n#include \"platform.h\"\n"
      "#include \"ember/kernel_math.h\"\n#include \"ember/fixed_point.h\"\n#include \"ember/dsp.h\"\n"
      "#include \"ember/mve.h\"\n\n";
  std::string body;
  auto bytes = [](const std::vector<uint8_t>& b) {
    std::string s;
    for (size_t i = 0; i < b.size(); ++i) s += std::to_string(static_cast<int8_t>(b[i])) + (i % 32 == 31 ? ",\n" : ",");
    return s;
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const ir::Graph& g = *cases[i].graph;
    auto ref = ops::EvaluateGraph(g, {cases[i].input});
    ASSERT_TRUE(ref.ok()) << cases[i].name << ": " << ref.diag().ToString();
    codegen::c::ConstPool consts("c" + std::to_string(i));
    const std::string fn = "kernel_" + std::to_string(i);
    codegen::c::KernelContext ctx{g, g.nodes.at(0), 0, fn, consts, *tg, cases[i].reverse};
    auto kernel = codegen::c::GetEmitter(g.nodes[0].op).emit(ctx);
    ASSERT_TRUE(kernel.ok()) << cases[i].name << ": " << kernel.diag().ToString();
    if (check_code) check_code(i, kernel->code);
    const std::string n = std::to_string(i);
    src += consts.Render() + kernel->code;
    src += "static const int8_t in_" + n + "[" + std::to_string(cases[i].input.size()) + "] EMBER_ALIGNED(16) = {\n" +
           bytes(cases[i].input) + "};\n";
    src += "static const int8_t want_" + n + "[" + std::to_string(ref->outputs[0].size()) + "] = {\n" +
           bytes(ref->outputs[0]) + "};\n";
    src += "static int8_t out_" + n + "[" + std::to_string(ref->outputs[0].size()) + "] EMBER_ALIGNED(16);\n\n";
    body += "  t0 = ember_platform_ticks();\n  " + fn + "(in_" + n + ", out_" + n + ");\n";
    body += "  t1 = ember_platform_ticks();\n";
    body += "  ok = memcmp(out_" + n + ", want_" + n + ", sizeof want_" + n + ") == 0;\n";
    body += "  bad += !ok;\n  ember_cm_print(\"case " + n + " \");\n";
    body += "  ember_cm_print_u64(ember_cm_ticks_to_instructions(t1 - t0));\n";
    body += "  ember_cm_print(ok ? \" ok\\n\" : \" bad\\n\");\n";
  }
  src += "int main(void) {\n  uint32_t t0, t1;\n  int ok, bad = 0;\n" + body + "  return bad ? 1 : 0;\n}\n";
  const std::string dir = TempDir();
  WriteFile(dir + "/kernels.c", std::vector<uint8_t>(src.begin(), src.end()));
  const qemu::Command bc = qemu::Build("--app " + qemu::Quote(dir + "/kernels.c") + " " + board + " " +
                                           qemu::Quote(dir + "/kernels.elf"),
                                       cflags.empty() ? "" : "EMBER_CM_CFLAGS=" + qemu::Quote(cflags));
  ASSERT_EQ(bc.exit_code, 0) << bc.output;
  const qemu::Command r = qemu::Emulate(dir + "/kernels.elf", board, 120);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string line = "case " + std::to_string(i) + " ";
    const size_t at = r.output.find(line);
    ASSERT_NE(at, std::string::npos) << r.output;
    const std::string rest = r.output.substr(at, r.output.find('\n', at) - at);
    EXPECT_NE(rest.find(" ok"), std::string::npos) << cases[i].name << " on " << board << ": " << rest;
  }
  std::printf("%s", r.output.c_str());
}

}  // namespace ember::test
