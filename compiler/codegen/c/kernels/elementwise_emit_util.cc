#include "codegen/c/kernels/elementwise_emit_util.h"

#include <climits>
#include <cstdio>
#include <cstring>
#include <utility>

#include "ops/add_sub_util.h"
#include "ops/evaluate.h"
#include "ops/layout_util.h"
#include "ops/op.h"

namespace ember::codegen::c {

namespace {
constexpr int64_t kMaxKernelBytes = int64_t{1} << 31;

// The loop nests of a reduction (EmitReductionKernel): `outer` runs over the
// kept axes (operand 0 the output, row major; operand 1 the input's base
// offset), `inner` over the reduced axes in input order (operand 0 the input
// offset relative to the base); both simplified. Returns N.
int64_t ReductionNests(const KernelContext& ctx, LoopNest* outer, LoopNest* inner) {
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  std::vector<bool> reduced(in.shape.size(), false);
  for (int64_t a : ctx.node.GetInts("axes")) reduced[static_cast<size_t>(a)] = true;
  const std::vector<int64_t> in_strides = ops::RowMajorStrides(in.shape);
  LoopNest o, r;
  o.bases = {0, 0};
  o.steps = {{}, {}};
  r.bases = {0};
  r.steps = {{}};
  int64_t count = 1;
  for (size_t d = 0; d < in.shape.size(); ++d) {
    if (reduced[d]) {
      r.sizes.push_back(in.shape[d]);
      r.steps[0].push_back(in_strides[d]);
      count *= in.shape[d];
    } else {
      o.sizes.push_back(in.shape[d]);
      o.steps[1].push_back(in_strides[d]);
    }
  }
  o.steps[0] = ops::RowMajorStrides(o.sizes);
  *outer = SimplifyNest(o);
  *inner = SimplifyNest(r);
  return count;
}

std::string ReductionLoops(const LoopNest& outer, const LoopNest& inner, const std::string& init,
                          const std::function<std::string(const std::string& idx)>& step,
                          const std::function<std::string(const std::string& o, int indent)>& finish) {
  return EmitLoops(outer, 2, [&](const std::vector<std::string>& o, int ind) {
    std::string s = Spaces(ind) + init + "\n";
    s += EmitLoops(inner, ind, [&](const std::vector<std::string>& r, int ind2) {
      const std::string idx = o[1] == "0" ? r[0] : (r[0] == "0" ? o[1] : o[1] + " + " + r[0]);
      return Spaces(ind2) + step(idx) + "\n";
    }, "r");
    return s + finish(o[0], ind);
  });
}

}  // namespace

Status CheckNode(const KernelContext& ctx) {
  auto inferred = ops::GetOpDef(ctx.node.op).infer(ctx.graph, ctx.node);
  if (!inferred.ok()) return inferred.diag();
  std::vector<ir::TensorId> ids = ctx.node.inputs;
  ids.insert(ids.end(), ctx.node.outputs.begin(), ctx.node.outputs.end());
  for (ir::TensorId id : ids) {
    if (id == ir::kNoTensor) continue;
    const ir::Tensor& t = ctx.graph.tensor(id);
    if (t.size_bytes() >= kMaxKernelBytes) {
      return EmitError(ctx, "tensor '" + t.name + "' " + ir::ShapeToString(t.shape) + " has " +
                                std::to_string(t.size_bytes()) +
                                " bytes; generated kernels address at most 2^31 - 1 bytes",
                       "split the tensor");
    }
  }
  return Status::Ok();
}

std::string OperandName(const KernelContext& ctx, size_t i) {
  const ir::TensorId id = ctx.node.inputs[i];
  if (ctx.graph.tensor(id).is_const()) return ctx.consts.Use(ctx.graph, id);
  return "in" + std::to_string(i);
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string MinusZ(int64_t z) {
  if (z == 0) return "";
  if (z < 0 && z > INT64_MIN) return " + " + CInt(-z);
  return " - " + CInt(z);
}

std::string ClampInt8Expr(const std::string& x, int32_t lo, int32_t hi) {
  std::string e = x;
  if (lo > -128) e = x + " < " + CInt(lo) + " ? " + CInt(lo) + " : " + x;
  if (hi < 127) e = x + " > " + CInt(hi) + " ? " + CInt(hi) + " : " + (lo > -128 ? "(" + e + ")" : e);
  return e;
}

std::vector<int32_t> ScaledIndices(const std::vector<int32_t>& v, int64_t stride) {
  std::vector<int32_t> r;
  for (int32_t x : v) r.push_back(static_cast<int32_t>(x * stride));
  return r;
}

std::string Spaces(int n) { return std::string(static_cast<size_t>(n), ' '); }

Expected<Kernel> EmitReductionKernel(const KernelContext& ctx,
                                     const std::function<ReductionBody(const ReductionInput&)>& make) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  LoopNest outer, inner;
  ReductionInput in;
  in.count = ReductionNests(ctx, &outer, &inner);
  in.is_float = ctx.graph.tensor(ctx.node.inputs[0]).dtype == ir::DType::kFloat32;
  in.x = OperandName(ctx, 0);
  const ReductionBody b = make(in);
  Kernel k;
  k.code = FunctionHead(ctx, b.details);
  if (ctx.graph.tensor(ctx.node.outputs[0]).num_elements() > 0)
    k.code += ReductionLoops(outer, inner, b.init, b.step, b.finish);
  k.code += "}\n";
  return k;
}

LastAxisRows GetLastAxisRows(const ir::Tensor& in) {
  LastAxisRows r;
  r.depth = in.shape.empty() ? 1 : in.shape.back();
  r.rows = r.depth == 0 ? 0 : in.num_elements() / r.depth;
  return r;
}

std::string EmitRowLoop(const KernelContext& ctx, const LastAxisRows& r, const char* in_ctype,
                        const char* out_ctype, const std::string& body) {
  if (r.rows == 0) return "";
  const std::string d = CInt(r.depth);
  std::string s = "  for (int32_t r = 0; r < " + CInt(r.rows) + "; ++r) {\n";
  s += "    const " + std::string(in_ctype) + "* x = " + OperandName(ctx, 0) + " + r * " + d + ";\n";
  s += "    " + std::string(out_ctype) + "* y = out0 + r * " + d + ";\n";
  return s + body + "  }\n";
}

int32_t NegatedZeroPointSum(int32_t z, int64_t count) {
  return static_cast<int32_t>(static_cast<uint32_t>(-(int64_t{z} * count)));
}

std::string DescribeTensor(const ir::Graph& g, ir::TensorId id) {
  const ir::Tensor& t = g.tensor(id);
  std::string s = std::string(ir::DTypeName(t.dtype)) + ir::ShapeToString(t.shape);
  if (t.quant && t.quant->scale.size() == 1 && !t.quant->zero_point.empty()) {
    s += " (scale " + Num(static_cast<double>(t.quant->scale[0])) + ", zero point " +
         std::to_string(t.quant->zero_point[0]) + ")";
  }
  return s;
}

std::string FunctionHead(const KernelContext& ctx, const std::vector<std::string>& details,
                         int64_t scratch_bytes) {
  // Comment text must not close the comment early.
  auto safe = [](std::string s) {
    for (char& c : s)
      if (c < 0x20 || c == 0x7f) c = '?';
    for (size_t p = s.find("*/"); p != std::string::npos; p = s.find("*/")) s.replace(p, 2, "* /");
    return s;
  };
  std::string s = "/* " + std::string(ir::OpIrName(ctx.node.op));
  if (!ctx.node.name.empty()) s += " '" + safe(ctx.node.name) + "'";
  s += "\n";
  for (size_t i = 0; i < ctx.node.inputs.size(); ++i) {
    const ir::TensorId id = ctx.node.inputs[i];
    if (id == ir::kNoTensor) continue;
    s += " *   in" + std::to_string(i) + ": " + DescribeTensor(ctx.graph, id) +
         (ctx.graph.tensor(id).is_const() ? " constant" : "") +
         (ctx.graph.tensor(id).is_variable ? " variable (state, updated in place)" : "") + "\n";
  }
  for (size_t j = 0; j < ctx.node.outputs.size(); ++j)
    s += " *   out" + std::to_string(j) + ": " + DescribeTensor(ctx.graph, ctx.node.outputs[j]) + "\n";
  for (const auto& d : details) s += " *   " + safe(d) + "\n";
  s += " */\nstatic void " + ctx.fn_name + "(" + KernelParams(ctx, scratch_bytes) + ") {\n";
  // An empty output leaves the body without statements: mark the parameters used.
  bool empty = false;
  for (ir::TensorId id : ctx.node.outputs) empty = empty || ctx.graph.tensor(id).num_elements() == 0;
  if (empty) {
    const std::string params = KernelParams(ctx, scratch_bytes);
    if (params != "void") {
      size_t start = 0;
      while (start < params.size()) {
        size_t end = params.find(", ", start);
        if (end == std::string::npos) end = params.size();
        const std::string p = params.substr(start, end - start);
        s += "  (void)" + p.substr(p.find_last_of("* ") + 1) + ";\n";
        start = end + 2;
      }
    }
  }
  return s;
}

TensorQuant QuantOf(const ir::Graph& g, ir::TensorId id) {
  const ir::Tensor& t = g.tensor(id);
  TensorQuant q;
  if (t.quant && !t.quant->scale.empty() && !t.quant->zero_point.empty()) {
    q.scale = t.quant->scale[0];
    q.zero_point = static_cast<int32_t>(t.quant->zero_point[0]);
  }
  return q;
}

LoopNest SimplifyNest(const LoopNest& nest) {
  LoopNest out;
  out.bases = nest.bases;
  out.steps.assign(nest.steps.size(), {});
  for (size_t d = 0; d < nest.sizes.size(); ++d) {
    if (nest.sizes[d] == 1) continue;
    // Merge axis d into the previous kept axis when it is contiguous with it.
    bool merge = !out.sizes.empty();
    for (size_t k = 0; merge && k < nest.steps.size(); ++k)
      merge = out.steps[k].back() == nest.sizes[d] * nest.steps[k][d];
    if (merge) {
      out.sizes.back() *= nest.sizes[d];
      for (size_t k = 0; k < nest.steps.size(); ++k) out.steps[k].back() = nest.steps[k][d];
      continue;
    }
    out.sizes.push_back(nest.sizes[d]);
    for (size_t k = 0; k < nest.steps.size(); ++k) out.steps[k].push_back(nest.steps[k][d]);
  }
  // A zero-size axis empties the whole nest; keep it visible.
  for (int64_t s : nest.sizes) {
    if (s == 0) {
      out.sizes.assign(1, 0);
      for (auto& st : out.steps) st.assign(1, 0);
      break;
    }
  }
  return out;
}

LoopNest BroadcastNest(const ir::Shape& out, const std::vector<ir::Shape>& inputs) {
  LoopNest n;
  n.sizes = out;
  n.bases.assign(inputs.size() + 1, 0);
  n.steps.assign(inputs.size() + 1, std::vector<int64_t>(out.size(), 0));
  int64_t stride = 1;
  for (size_t d = out.size(); d-- > 0;) {
    n.steps[0][d] = stride;
    stride *= out[d];
  }
  for (size_t k = 0; k < inputs.size(); ++k) {
    const ir::Shape& in = inputs[k];
    const size_t lead = out.size() - in.size();
    int64_t s = 1;
    for (size_t d = in.size(); d-- > 0;) {
      n.steps[k + 1][lead + d] = in[d] == 1 ? 0 : s;
      s *= in[d];
    }
  }
  return n;
}

namespace {

std::string IndexExpr(const LoopNest& n, size_t k, const std::string& var_prefix) {
  std::string e;
  if (n.bases[k] != 0) e = CInt(n.bases[k]);
  for (size_t d = 0; d < n.sizes.size(); ++d) {
    const int64_t st = n.steps[k][d];
    if (st == 0) continue;
    const std::string var = var_prefix + std::to_string(d);
    std::string term = st == 1 ? var : (st == -1 ? "-" + var : var + " * " + CInt(st));
    if (e.empty()) {
      e = term;
    } else if (term[0] == '-') {
      e += " - " + term.substr(1);
    } else {
      e += " + " + term;
    }
  }
  if (e.empty()) e = "0";
  return e;
}

}  // namespace

std::string EmitLoops(const LoopNest& nest, int indent, const LoopBody& body,
                      const std::string& var) {
  for (int64_t s : nest.sizes)
    if (s == 0) return "";
  std::string s;
  int in = indent;
  for (size_t d = 0; d < nest.sizes.size(); ++d) {
    const std::string v = var + std::to_string(d);
    s += Spaces(in) + "for (int32_t " + v + " = 0; " + v + " < " + CInt(nest.sizes[d]) + "; ++" +
         v + ") {\n";
    in += 2;
  }
  std::vector<std::string> idx;
  for (size_t k = 0; k < nest.steps.size(); ++k) idx.push_back(IndexExpr(nest, k, var));
  s += body(idx, in);
  for (size_t d = nest.sizes.size(); d-- > 0;) {
    in -= 2;
    s += Spaces(in) + "}\n";
  }
  return s;
}

std::string EmitStridedCopy(const LoopNest& nest, const std::string& dst, const std::string& src,
                            const std::string& ctype, size_t elem_size, int indent) {
  LoopNest n = SimplifyNest(nest);
  for (int64_t s : n.sizes)
    if (s == 0) return "";
  if (!n.sizes.empty() && n.steps[0].back() == 1 && n.steps[1].back() == 1) {
    // The innermost axis is contiguous in both: one memcpy per run.
    const int64_t run = n.sizes.back();
    n.sizes.pop_back();
    for (auto& st : n.steps) st.pop_back();
    const std::string bytes = CInt(run * static_cast<int64_t>(elem_size));
    return EmitLoops(n, indent, [&](const std::vector<std::string>& i, int in) {
      return Spaces(in) + "memcpy(" + dst + " + " + i[0] + ", " + src + " + " + i[1] + ", " + bytes +
             ");  /* " + std::to_string(run) + " x " + ctype + " */\n";
    });
  }
  return EmitLoops(n, indent, [&](const std::vector<std::string>& i, int in) {
    return Spaces(in) + dst + "[" + i[0] + "] = " + src + "[" + i[1] + "];\n";
  });
}

Expected<std::vector<int8_t>> ReferenceInt8Table(const KernelContext& ctx) {
  ir::Graph g;
  ir::Tensor in = ctx.graph.tensor(ctx.node.inputs[0]);
  ir::Tensor out = ctx.graph.tensor(ctx.node.outputs[0]);
  in.shape = {256};
  in.data.reset();
  out.shape = {256};
  ir::Node n = ctx.node;
  n.inputs = {g.AddTensor(in)};
  n.outputs = {g.AddTensor(out)};
  g.inputs = n.inputs;
  g.outputs = n.outputs;
  g.nodes.push_back(n);
  std::vector<uint8_t> values(256);
  for (int v = 0; v < 256; ++v) values[static_cast<size_t>(v)] = static_cast<uint8_t>(v - 128);
  EMBER_ASSIGN_OR_RETURN(ops::EvalResult r, ops::EvaluateGraph(g, {values}));
  std::vector<int8_t> table(256);
  std::memcpy(table.data(), r.outputs.at(0).data(), 256);
  return table;
}

Kernel Int8TableLoopKernel(const KernelContext& ctx, const std::string& table, std::vector<std::string> details) {
  const std::string n = CInt(ctx.graph.tensor(ctx.node.inputs[0]).num_elements());
  const std::string x = OperandName(ctx, 0);
  Kernel k;
  if (ctx.target.has_mve) {  // mve.h: included by the model source for Helium targets
    details.push_back("Helium: blocks of 16 (one VLDRB gather each, the last tail-predicated); access order: "
                      "ascending blocks, each block's outputs written after its inputs were read");
    k.code = FunctionHead(ctx, details) + "  for (int32_t i = 0; i < " + n + "; i += 16) ember_mve_lut16(out0 + i, " +
             x + " + i, " + table + ", " + n + " - i < 16 ? (int)(" + n + " - i) : 16);\n}\n";
  } else {
    k.code = FunctionHead(ctx, details) + "  for (int32_t i = 0; i < " + n + "; ++i) out0[i] = " + table + "[" + x +
             "[i] + 128];\n}\n";
  }
  k.inplace_ok = true;
  return k;
}

Expected<Kernel> EmitInt8TableKernel(const KernelContext& ctx,
                                     const std::vector<std::string>& details) {
  EMBER_ASSIGN_OR_RETURN(const std::vector<int8_t> table, ReferenceInt8Table(ctx));
  const std::string name = ctx.consts.AddInt8(std::string(ir::OpIrName(ctx.node.op)) + "_table", table);
  std::vector<std::string> d = details;
  d.push_back(name + "[x + 128] is the reference result for input x (computed at compile time)");
  return Int8TableLoopKernel(ctx, name, std::move(d));
}

std::string FloatLogisticExpr(const std::string& x) {
  return x + " > " + CFloat(16.619047164916992188f) + " ? 1.0f : (" + x + " < " + CFloat(-9.0f) + " ? expf(" + x +
         ") : 1.0f / (1.0f + expf(-" + x + ")))";
}

std::string FloatClamp(const std::string& v, float lo, float hi, int indent) {
  return Spaces(indent) + v + " = " + v + " < " + CFloat(lo) + " ? " + CFloat(lo) + " : " + v +
         ";\n" + Spaces(indent) + v + " = " + CFloat(hi) + " < " + v + " ? " + CFloat(hi) + " : " +
         v + ";\n";
}

LoopBody FloatBinaryBody(const std::string& x, const std::string& y, const char* op,
                         ops::Activation act) {
  const ops::FloatRange r = ops::ActivationRangeFloat(act);
  const std::string o = op;
  return [x, y, o, r](const std::vector<std::string>& i, int in) {
    return Spaces(in) + "float v = " + x + "[" + i[1] + "] " + o + " " + y + "[" + i[2] + "];\n" +
           FloatClamp("v", r.min, r.max, in) + Spaces(in) + "out0[" + i[0] + "] = v;\n";
  };
}

std::string SignedFromUnsigned(const std::string& v, ir::DType dtype) {
  const bool wide = dtype == ir::DType::kInt64;
  const std::string t = wide ? "int64_t" : "int32_t", half = wide ? "0x8000000000000000u" : "0x80000000u";
  return v + " >= " + half + " ? (" + t + ")(" + v + " - " + half + ") - " + (wide ? "INT64_MAX" : "INT32_MAX") +
         " - 1 : (" + t + ")" + v;
}

LoopBody WideIntBinaryBody(const std::string& x, const std::string& y, const char* op, ir::DType dtype) {
  const std::string u = dtype == ir::DType::kInt64 ? "uint64_t" : "uint32_t", o = op;
  return [=](const std::vector<std::string>& i, int in) {
    return Spaces(in) + "const " + u + " v = (" + u + ")" + x + "[" + i[1] + "] " + o + " (" + u + ")" + y + "[" +
           i[2] + "];\n" + Spaces(in) + "out0[" + i[0] + "] = " + SignedFromUnsigned("v", dtype) + ";\n";
  };
}

namespace {

// Rdbpot(Srdhm(v, M), -e) of the C expression v: one SMLAL and a shift
// (ember_requant_rs of dsp.h, exact for M >= 0 and 2 <= e <= 31), else the
// two steps of kernel_math.h.
std::string MulByMultiplier(const std::string& v, ops::QuantizedMultiplier m) {
  const int e = -m.shift;
  if (m.multiplier >= 0 && e >= 2 && e <= 31)
    return "ember_requant_rs(" + v + ", " + CInt(m.multiplier) + ", " + CInt(int64_t{1} << (e - 2)) + ", " +
           std::to_string(e - 1) + ")";
  return "ember_rdbpot(ember_srdhm(" + v + ", " + CInt(m.multiplier) + "), " + std::to_string(e) + ")";
}

// Rdbpot(Srdhm((x - z) * 2^shift, M), -e); int8: |x - z| <= 255 and shift
// 20, int16: |x| <= 32768 and shift 15, so the shifted value and the sum or
// difference of two stay below 2^31 in magnitude. The larger input scale's
// multiplier is 1/2 (M = 2^30, e = 0): Srdhm of an even value v by 2^30 is
// v / 2 exactly, so that input is (x - z) * 2^(shift - 1).
std::string AddSubRescale(const std::string& x, int32_t z, ops::QuantizedMultiplier m, int left_shift) {
  const std::string v = "((int32_t)" + x + MinusZ(z) + ")";
  if (ops::IsHalfMultiplier(m) && left_shift >= 1)
    return v + " * " + std::to_string(int64_t{1} << (left_shift - 1));
  return MulByMultiplier(v + " * " + std::to_string(int64_t{1} << left_shift), m);
}

// The output stage Rdbpot(Srdhm(v, M), -e) + z of the C expression v. Where
// ops::ClampHidesNegativeRounding, M is normalized ([2^30, 2^31) or 0) and
// e >= 2, ember_requant_rs_clamped rounds a negative v as a non-negative one
// (one SMLAL from a constant and a shift), with z in its rounding term where
// that stays exact (dsp.h).
std::string AddSubOutput(const std::string& v, const AddSubInt8& p) {
  const int e = -p.mo.shift;
  const bool normalized = p.mo.multiplier == 0 || p.mo.multiplier >= (int32_t{1} << 30);
  if (!normalized || e < 2 || e > 31 || !ops::ClampHidesNegativeRounding(p.act.min, p.zo))
    return MulByMultiplier(v, p.mo) + " + " + CInt(p.zo);
  const int s = e - 1;
  int64_t rnd = int64_t{1} << (e - 2);
  const int64_t z_shifted = int64_t{p.zo} * (int64_t{1} << s);
  const bool fold = s <= 22 && z_shifted >= -(int64_t{1} << 29) && z_shifted <= (int64_t{1} << 29);
  if (fold) rnd += z_shifted;
  return "ember_requant_rs_clamped(" + v + ", " + CInt(p.mo.multiplier) + ", " + CInt(rnd) + ", " +
         std::to_string(s) + ")" + (fold ? std::string() : " + " + CInt(p.zo));
}

// The clamp of the output stage's o to the activation range: the whole
// int8 range is one SSAT (ember_ssat8); other ranges compare twice.
std::string AddSubClamp(const AddSubInt8& p) {
  return p.ctype == "int8_t" && p.act.min == -128 && p.act.max == 127
             ? std::string("ember_ssat8(o)")
             : "ember_clamp_i32(o, " + CInt(p.act.min) + ", " + CInt(p.act.max) + ")";
}

}  // namespace

LoopBody AddSubInt8Body(const std::string& x, const std::string& y, const AddSubInt8& p,
                        const char* op) {
  const std::string o = op;
  const std::string clamp = AddSubClamp(p);
  return [x, y, p, o, clamp](const std::vector<std::string>& i, int in) {
    return Spaces(in) + "const int32_t a = " + AddSubRescale(x + "[" + i[1] + "]", p.z1, p.m1, p.left_shift) +
           ";\n" + Spaces(in) + "const int32_t b = " +
           AddSubRescale(y + "[" + i[2] + "]", p.z2, p.m2, p.left_shift) + ";\n" + Spaces(in) +
           "const int32_t o = " + AddSubOutput("a " + o + " b", p) + ";\n" + Spaces(in) +
           "out0[" + i[0] + "] = (" + p.ctype + ")" + clamp + ";\n";
  };
}

std::optional<AddSubTable> AddSubInt8Table(const AddSubInt8& p, const char* op, int64_t elements) {
  const bool half1 = ops::IsHalfMultiplier(p.m1), half2 = ops::IsHalfMultiplier(p.m2);
  if (p.ctype != "int8_t" || half1 == half2 || p.left_shift < 1 || elements < kAddSubTableMinElements)
    return std::nullopt;
  AddSubTable t;
  t.operand = half1 ? 1 : 0;
  const bool sub = std::strcmp(op, "-") == 0;
  const int64_t st = sub && t.operand == 1 ? -1 : 1, sh = sub && t.operand == 0 ? -1 : 1;
  const int32_t zt = t.operand == 0 ? p.z1 : p.z2, zh = t.operand == 0 ? p.z2 : p.z1;
  const ops::QuantizedMultiplier mt = t.operand == 0 ? p.m1 : p.m2;
  for (int u = 0; u < 256; ++u) {
    const int32_t v = static_cast<int8_t>(static_cast<uint8_t>(u));
    const int64_t value = st * int64_t{ops::AddSubRescale(v, zt, mt, p.left_shift)} -
                          sh * int64_t{zh} * (int64_t{1} << (p.left_shift - 1));
    if (value < INT32_MIN || value > INT32_MAX) return std::nullopt;
    t.values.push_back(static_cast<int32_t>(value));
  }
  return t;
}

LoopBody AddSubInt8TableBody(const std::string& x, const std::string& y, const AddSubInt8& p, const char* op,
                             const AddSubTable& t, const std::string& table) {
  const bool minus = std::strcmp(op, "-") == 0 && t.operand == 0;  // the other operand enters negated
  const std::string clamp = AddSubClamp(p);
  const std::string scale = std::to_string(int64_t{1} << (p.left_shift - 1));
  return [x, y, p, t, table, minus, clamp, scale](const std::vector<std::string>& i, int in) {
    const std::string tv = (t.operand == 0 ? x + "[" + i[1] + "]" : y + "[" + i[2] + "]");
    const std::string hv = (t.operand == 0 ? y + "[" + i[2] + "]" : x + "[" + i[1] + "]");
    return Spaces(in) + "const int32_t s = " + table + "[(uint8_t)" + tv + "] " + (minus ? "- " : "+ ") +
           "(int32_t)" + hv + " * " + scale + ";\n" + Spaces(in) + "const int32_t o = " + AddSubOutput("s", p) +
           ";\n" + Spaces(in) + "out0[" + i[0] + "] = (int8_t)" + clamp + ";\n";
  };
}

LoopBody AddSubInt8Loop(const KernelContext& ctx, const std::string& x, const std::string& y, const AddSubInt8& p,
                        const char* op, int64_t elements, std::vector<std::string>* details) {
  // --optimize size keeps the 1 KB table out of flash.
  const std::optional<AddSubTable> t = ctx.optimize_size ? std::nullopt : AddSubInt8Table(p, op, elements);
  if (!t) return AddSubInt8Body(x, y, p, op);
  const std::string table = ctx.consts.AddInt32(ctx.node.name + "_rescaled", t->values);
  details->push_back(std::string(t->operand == 0 ? "in0" : "in1") +
                     " rescaled through a table of its 256 values (the other input's zero point folded in)");
  return AddSubInt8TableBody(x, y, p, op, *t, table);
}

std::vector<std::string> AddSubInt8Details(const AddSubInt8& p) {
  return {"in0 multiplier " + std::to_string(p.m1.multiplier) + " shift " +
              std::to_string(p.m1.shift) + ", in1 multiplier " + std::to_string(p.m2.multiplier) +
              " shift " + std::to_string(p.m2.shift) + ", output multiplier " +
              std::to_string(p.mo.multiplier) + " shift " + std::to_string(p.mo.shift),
          "output range [" + std::to_string(p.act.min) + ", " + std::to_string(p.act.max) + "]"};
}

Kernel BinaryCallKernel(const KernelContext& ctx, const std::string& fn, const std::string& extra,
                        const std::string& detail) {
  const ir::Graph& g = ctx.graph;
  const ir::Tensor& a = g.tensor(ctx.node.inputs[0]);
  const ir::Tensor& b = g.tensor(ctx.node.inputs[1]);
  const ir::Tensor& out = g.tensor(ctx.node.outputs[0]);
  const std::string x = OperandName(ctx, 0), y = OperandName(ctx, 1);
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {a.shape, b.shape}));
  const LoopBody body = [&](const std::vector<std::string>& i, int in) {
    return Spaces(in) + "out0[" + i[0] + "] = " + fn + "(" + x + "[" + i[1] + "], " + y + "[" + i[2] + "]" + extra +
           ");\n";
  };
  Kernel k;
  k.code = FunctionHead(ctx, {detail}) + EmitLoops(nest, 2, body) + "}\n";
  k.inplace_ok = !a.is_const() && a.shape == out.shape;
  if (!b.is_const() && b.shape == out.shape) k.overlaps.push_back({1, 0});
  return k;
}

std::string EmitIndexFix(const std::string& var, int64_t size, bool clamp, int indent) {
  const std::string sp = Spaces(indent);
  std::string s = sp + "if (" + var + " < 0) " + var + " += " + CInt(size) + ";\n";
  if (clamp) {
    s += sp + "if (" + var + " < 0) " + var + " = 0;\n";
    s += sp + "if (" + var + " > " + CInt(size - 1) + ") " + var + " = " + CInt(size - 1) + ";\n";
  }
  return s;
}

}  // namespace ember::codegen::c
