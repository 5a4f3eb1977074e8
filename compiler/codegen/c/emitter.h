// Kernel emitters: one C99 function per node, specialized at compile time.
//
// Each operator has an emitter in compiler/codegen/c/kernels/<ir_name>.cc
// (registered from ops/ops.def, like the reference evaluators). An emitter
// turns one node into the text of one `static void` C function whose shapes,
// strides, paddings, multipliers and shifts are constants in the code, and
// whose int8 results equal the reference evaluator's bit for bit.
//
// Calling convention of a generated kernel function (the AOT code calls it):
//   static void <fn_name>(<params>)
// with, in this order:
//   - `const <ctype>* in<i>` for each operand i that is present and not
//     constant (`<ctype>* in<i>`, writable, when the operand is a variable:
//     the kernel updates that state in place) (i is the operand index in node.inputs, so a conv with a
//     constant filter and bias has just `in0`);
//   - `<ctype>* out<j>` for each output j;
//   - `uint8_t* scratch` when Kernel::scratch_bytes > 0 (a region of the
//     arena, 16-byte aligned, valid for the duration of the call).
// Constant operands are read from `static const` arrays that the emitter
// obtains from the ConstPool (their names are returned by ConstPool::Use).
// An input buffer may alias or overlap an output buffer only when the emitter
// says so (Kernel::inplace_ok, Kernel::overlaps); the memory planner honours
// that. No overlap is the default.
//
// The generated code may use <stdint.h>, <string.h>, <math.h> (float ops) and
// the runtime headers "ember/kernel_math.h", "ember/fixed_point.h" and "ember/dsp.h"
// (SIMD helpers of DSP cores, with a portable fallback).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::codegen::c {

// Compilation target. All targets get portable C today; per-ISA variants
// (kernels/<isa>/<op>.cc) slot in by checking these flags.
struct Target {
  std::string name = "host";  // host, cortex-m0plus, cortex-m3, cortex-m4, cortex-m7, cortex-m33, cortex-m55
  bool has_dsp = false;       // SMLAD/SXTB16 (cortex-m4/m7/m33)
  bool has_mve = false;       // Helium (cortex-m55)
  bool has_smlal = false;     // SMLAL without SMLAD: the pair kernels of kernels/v7m (cortex-m3)
  bool has_fpu = false;
};
// Parses a --target name; fails (E0501, exit 2) listing the valid names.
Expected<Target> ParseTarget(const std::string& name);
const std::vector<std::string>& TargetNames();

// C element type for a dtype: int8_t, uint8_t, int16_t, int32_t, int64_t, float, uint8_t (bool).
const char* CType(ir::DType t);

// Collects the constant arrays of one generated source file, deterministically
// (in order of first use), with explicit alignment.
class ConstPool {
 public:
  explicit ConstPool(std::string prefix) : prefix_(std::move(prefix)) {}

  // The C identifier of constant tensor `id`, emitted once as a static const
  // array of its dtype. The comment above it names the tensor and its shape.
  std::string Use(const ir::Graph& g, ir::TensorId id);
  // A derived constant array (e.g. per-channel multipliers, repacked weights).
  // `hint` becomes part of the identifier; identical contents under the same
  // hint are emitted once.
  std::string AddInt32(const std::string& hint, const std::vector<int32_t>& values);
  std::string AddInt8(const std::string& hint, const std::vector<int8_t>& values);
  std::string AddInt16(const std::string& hint, const std::vector<int16_t>& values);
  std::string AddFloat(const std::string& hint, const std::vector<float>& values);

  // All declarations, in order of first use.
  std::string Render() const;
  // Total bytes of all arrays (the model's weights figure).
  int64_t total_bytes() const { return total_bytes_; }

 private:
  std::string Add(const std::string& hint, const std::string& ctype, const std::string& comment,
                  const std::string& body, int64_t bytes, size_t count);

  std::string prefix_;
  std::map<ir::TensorId, std::string> tensor_names_;
  std::map<std::string, std::string> by_content_;  // hint + ctype + body -> identifier
  std::map<std::string, int> hint_counts_;
  std::vector<std::string> decls_;
  int64_t total_bytes_ = 0;
};

struct Schedule;  // codegen/c/schedule.h

struct KernelContext {
  const ir::Graph& graph;
  const ir::Node& node;
  size_t node_index;
  std::string fn_name;  // the name of the static function to define
  ConstPool& consts;
  const Target& target;
  // Visit the output pixels in reverse order (set when the memory plan uses
  // an upward overlap the kernel declared); an emitter that honours it sets
  // Kernel::reversed.
  bool reverse_pixels = false;
  // Schedules of the tunable kernels (codegen/c/schedule.h), by node index;
  // null or absent: the emitter's defaults.
  const std::map<size_t, Schedule>* schedules = nullptr;
  // Share groups by node index (AotOptions::share_groups): kernel bodies
  // shared between layers (kernels/shared_kernel.h) are shared only between
  // nodes of the same group. Null or absent: group "".
  const std::map<size_t, std::string>* share_groups = nullptr;
  // AotOptions::optimize_size: where an emitter trades memory for speed
  // outside its schedule (the add and sub tables), it takes the memory.
  bool optimize_size = false;
};

// The share group of node `index` (KernelContext::share_groups).
inline std::string ShareGroupOf(const KernelContext& ctx, size_t index) {
  if (ctx.share_groups == nullptr) return "";
  auto it = ctx.share_groups->find(index);
  return it == ctx.share_groups->end() ? std::string() : it->second;
}

// True when `body_of(i)` of another node i of ctx's graph in ctx's share
// group equals `mine` (a kernel body that layers can share,
// kernels/shared_kernel.h); never for an empty `mine`.
template <typename BodyOf>
bool AnotherLayerHasBody(const KernelContext& ctx, const std::string& mine, const BodyOf& body_of) {
  if (mine.empty()) return false;
  for (size_t i = 0; i < ctx.graph.nodes.size(); ++i)
    if (i != ctx.node_index && ShareGroupOf(ctx, i) == ShareGroupOf(ctx, ctx.node_index) && body_of(i) == mine)
      return true;
  return false;
}

// A declaration that out0 may overlap the buffer of node.inputs[input]: the
// kernel stays correct when out0 starts at most `delta` bytes after that
// input's first byte (delta < 0: at least -delta bytes before it), because
// every output byte is written only after the last read of any input byte at
// or below it (kernels/window_overlap.h computes delta from the access
// order). The planner uses it only when the input's lifetime ends at this
// node and both buffers are in the arena.
// An `upward` overlap holds only for the kernel emitted with
// KernelContext::reverse_pixels (pixels visited from the last to the first),
// and the other way round: out0 must start at least `delta` bytes after the
// input's first byte.
struct KernelOverlap {
  int input = 0;       // operand index in node.inputs
  int64_t delta = 0;   // bytes; elementwise same-size in place is 0
  bool upward = false;
};

struct Kernel {
  std::string code;           // the C definition of `static void <fn_name>(...) { ... }`
  int64_t scratch_bytes = 0;  // scratch the kernel needs (0: no `scratch` parameter)
  bool inplace_ok = false;    // out0 may share memory with in0 (elementwise, same size)
  bool is_copy = false;       // a pure byte copy of in0 to out0 (reshape, squeeze): the
                              // planner may alias them and the call may be elided
  std::vector<KernelOverlap> overlaps;  // empty: out0 never overlaps an input (beyond inplace_ok)
  bool reversed = false;                // emitted with reverse_pixels honoured
};

using EmitFn = Expected<Kernel> (*)(const KernelContext&);

struct KernelEmitter {
  ir::OpKind kind;
  EmitFn emit;
};

// The registry, generated from ops.def: every OpKind has one emitter.
const KernelEmitter& GetEmitter(ir::OpKind kind);

// Diagnostic for a node the emitter cannot generate (E0502, exit 3).
Diagnostic EmitError(const KernelContext& ctx, const std::string& message,
                     const std::string& hint = "");

// Helpers for emitters.
std::string CInt(int64_t v);      // a C integer literal that is valid for any int32/int64 value
std::string CFloat(float v);      // a C float literal that reproduces `v` exactly (hex float)
// True when the node follows ONNX Runtime's int8 arithmetic (attribute
// int8_semantics = "onnxruntime"). The Helium kernels keep their int32
// accumulation and requantize such nodes in float vector registers
// (ember_mve_requant_f32, ember_mve_qlinear_add: the same bits as the scalar
// forms); the DSP kernels keep their SMLAD int32 accumulation and store each
// result through the portable Requant (ember_requant_f32), which is exact
// (the accumulator is the same int32).
bool OnnxRuntimeInt8(const KernelContext& ctx);

// The parameter list of the calling convention above for this node.
std::string KernelParams(const KernelContext& ctx, int64_t scratch_bytes);

}  // namespace ember::codegen::c
