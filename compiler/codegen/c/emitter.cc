#include "codegen/c/emitter.h"

#include <cinttypes>
#include <cstdio>
#include <cctype>
#include <cstring>

#include "ops/op_util.h"

namespace ember::codegen::c {

const std::vector<std::string>& TargetNames() {
  static const std::vector<std::string> kNames = {"host",       "cortex-m0plus", "cortex-m3",
                                                  "cortex-m4",  "cortex-m7",     "cortex-m33",
                                                  "cortex-m55"};
  return kNames;
}

Expected<Target> ParseTarget(const std::string& name) {
  Target t;
  t.name = name;
  if (name == "host") {
    t.has_fpu = true;
  } else if (name == "cortex-m0plus") {
  } else if (name == "cortex-m3") {
    t.has_smlal = true;
  } else if (name == "cortex-m4" || name == "cortex-m7" || name == "cortex-m33") {
    t.has_dsp = true;
    t.has_fpu = true;
  } else if (name == "cortex-m55") {
    t.has_dsp = true;
    t.has_mve = true;
    t.has_fpu = true;
  } else {
    std::string valid;
    for (const auto& n : TargetNames()) valid += (valid.empty() ? "" : ", ") + n;
    return MakeDiag("E0501", ExitCode::kUsage, "unknown target '" + name + "'",
                    "use one of: " + valid);
  }
  return t;
}

const char* CType(ir::DType t) {
  switch (t) {
    case ir::DType::kInt8: return "int8_t";
    case ir::DType::kUInt8: return "uint8_t";
    case ir::DType::kInt16: return "int16_t";
    case ir::DType::kInt32: return "int32_t";
    case ir::DType::kInt64: return "int64_t";
    case ir::DType::kFloat32: return "float";
    case ir::DType::kBool: return "uint8_t";
  }
  return "uint8_t";
}

std::string CInt(int64_t v) {
  if (v == INT64_MIN) return "(-INT64_C(9223372036854775807) - 1)";
  if (v == INT32_MIN) return "(-2147483647 - 1)";
  if (v > INT32_MAX || v < INT32_MIN) return "INT64_C(" + std::to_string(v) + ")";
  return std::to_string(v);
}

bool OnnxRuntimeInt8(const KernelContext& ctx) {
  ops::Int8Semantics s = ops::Int8Semantics::kTflite;
  return ops::GetInt8SemanticsAttr(ctx.node, &s).ok() && s == ops::Int8Semantics::kOnnxRuntime;
}

std::string CFloat(float v) {
  if (v != v) return "(0.0f / 0.0f)";
  if (v == __builtin_inff()) return "(1.0f / 0.0f)";
  if (v == -__builtin_inff()) return "(-1.0f / 0.0f)";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%af", static_cast<double>(v));
  return buf;
}

namespace {

// Turns any string into a C identifier fragment: [A-Za-z0-9_], lower-case.
std::string Sanitize(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    else if (out.empty() || out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.size() > 40) out = out.substr(out.size() - 40);
  while (!out.empty() && out.front() == '_') out.erase(out.begin());
  if (out.empty()) out = "c";
  return out;
}

template <typename T>
std::string Body(const std::vector<T>& values, const char* fmt_one) {
  std::string body;
  char buf[48];
  for (size_t i = 0; i < values.size(); ++i) {
    if (i % 16 == 0) body += "\n  ";
    std::snprintf(buf, sizeof buf, fmt_one, values[i]);
    body += buf;
    body += (i + 1 < values.size()) ? ", " : "";
  }
  return body;
}

std::string Int32Body(const std::vector<int32_t>& v) {
  std::string body;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i % 8 == 0) body += "\n  ";
    body += CInt(v[i]);
    if (i + 1 < v.size()) body += ", ";
  }
  return body;
}

}  // namespace

std::string ConstPool::Add(const std::string& hint, const std::string& ctype,
                           const std::string& comment, const std::string& body, int64_t bytes,
                           size_t count) {
  const std::string key = hint + "|" + ctype + "|" + body;
  auto it = by_content_.find(key);
  if (it != by_content_.end()) return it->second;
  const std::string base = prefix_ + "_" + Sanitize(hint);
  const int n = hint_counts_[base]++;
  const std::string name = n == 0 ? base : base + "_" + std::to_string(n);
  std::string decl;
  if (!comment.empty()) decl += "/* " + comment + " */\n";
  decl += "static const " + ctype + " " + name + "[" + std::to_string(count == 0 ? 1 : count) +
          "] EMBER_ALIGNED(16) = {" + (count == 0 ? "0" : body) + "\n};\n";
  decls_.push_back(decl);
  by_content_[key] = name;
  total_bytes_ += bytes;
  return name;
}

std::string ConstPool::Use(const ir::Graph& g, ir::TensorId id) {
  auto it = tensor_names_.find(id);
  if (it != tensor_names_.end()) return it->second;
  const ir::Tensor& t = g.tensor(id);
  const std::vector<uint8_t>& d = *t.data;
  const std::string comment = "'" + t.name + "' " + ir::DTypeName(t.dtype) + ir::ShapeToString(t.shape);
  std::string body;
  const size_t count = static_cast<size_t>(t.num_elements());
  switch (t.dtype) {
    case ir::DType::kInt8: {
      std::vector<int> v(d.begin(), d.end());
      for (int& x : v) x = static_cast<int8_t>(x);
      body = Body(v, "%d");
      break;
    }
    case ir::DType::kUInt8: case ir::DType::kBool: {
      std::vector<unsigned> v(d.begin(), d.end());
      body = Body(v, "%u");
      break;
    }
    case ir::DType::kInt16: {
      std::vector<int> v(count);
      for (size_t i = 0; i < count; ++i) { int16_t x; std::memcpy(&x, &d[i * 2], 2); v[i] = x; }
      body = Body(v, "%d");
      break;
    }
    case ir::DType::kInt32: {
      std::vector<int32_t> v(count);
      std::memcpy(v.data(), d.data(), count * 4);
      body = Int32Body(v);
      break;
    }
    case ir::DType::kInt64: {
      for (size_t i = 0; i < count; ++i) {
        int64_t x;
        std::memcpy(&x, &d[i * 8], 8);
        body += (i % 8 == 0 ? "\n  " : "") + CInt(x) + (i + 1 < count ? ", " : "");
      }
      break;
    }
    case ir::DType::kFloat32: {
      for (size_t i = 0; i < count; ++i) {
        float x;
        std::memcpy(&x, &d[i * 4], 4);
        body += (i % 8 == 0 ? "\n  " : "") + CFloat(x) + (i + 1 < count ? ", " : "");
      }
      break;
    }
  }
  const std::string name = Add(t.name, CType(t.dtype), comment, body, t.size_bytes(), count);
  tensor_names_[id] = name;
  return name;
}

std::string ConstPool::AddInt32(const std::string& hint, const std::vector<int32_t>& values) {
  return Add(hint, "int32_t", "", Int32Body(values), static_cast<int64_t>(values.size() * 4), values.size());
}
std::string ConstPool::AddInt8(const std::string& hint, const std::vector<int8_t>& values) {
  std::vector<int> v(values.begin(), values.end());
  return Add(hint, "int8_t", "", Body(v, "%d"), static_cast<int64_t>(values.size()), values.size());
}
std::string ConstPool::AddInt16(const std::string& hint, const std::vector<int16_t>& values) {
  std::vector<int> v(values.begin(), values.end());
  return Add(hint, "int16_t", "", Body(v, "%d"), static_cast<int64_t>(values.size() * 2), values.size());
}
std::string ConstPool::AddFloat(const std::string& hint, const std::vector<float>& values) {
  std::string body;
  for (size_t i = 0; i < values.size(); ++i)
    body += (i % 8 == 0 ? "\n  " : "") + CFloat(values[i]) + (i + 1 < values.size() ? ", " : "");
  return Add(hint, "float", "", body, static_cast<int64_t>(values.size() * 4), values.size());
}

std::string ConstPool::Render() const {
  std::string s;
  for (const auto& d : decls_) s += d + "\n";
  return s;
}

Diagnostic EmitError(const KernelContext& ctx, const std::string& message, const std::string& hint) {
  std::string where = "node " + std::to_string(ctx.node_index);
  if (!ctx.node.name.empty()) where += " '" + ctx.node.name + "'";
  where += std::string(" (") + ir::OpIrName(ctx.node.op) + ")";
  return MakeDiag("E0502", ExitCode::kUnsupported,
                  where + ": " + message + " (target '" + ctx.target.name + "')", hint);
}

std::string KernelParams(const KernelContext& ctx, int64_t scratch_bytes) {
  std::string p;
  auto add = [&](const std::string& s) { p += (p.empty() ? "" : ", ") + s; };
  for (size_t i = 0; i < ctx.node.inputs.size(); ++i) {
    const ir::TensorId id = ctx.node.inputs[i];
    if (id == ir::kNoTensor || ctx.graph.tensor(id).is_const()) continue;
    // A variable is state the kernel updates in place: writable.
    add(std::string(ctx.graph.tensor(id).is_variable ? "" : "const ") + CType(ctx.graph.tensor(id).dtype) +
        "* in" + std::to_string(i));
  }
  for (size_t j = 0; j < ctx.node.outputs.size(); ++j)
    add(std::string(CType(ctx.graph.tensor(ctx.node.outputs[j]).dtype)) + "* out" + std::to_string(j));
  if (scratch_bytes > 0) add("uint8_t* scratch");
  if (p.empty()) p = "void";
  return p;
}

}  // namespace ember::codegen::c
