// Kernel bodies shared between the layers of one generated file: a body whose
// text (parameters included) is the same for several layers is defined once,
// under an #ifndef guard, with a name made from a hash of its text; each
// layer's kernel function calls it with its own arguments (sizes, weight and
// requantization tables). Used by the depthwise_conv2d and conv2d variants of
// kernels/dsp/ and kernels/mve/, whose bodies take the layer's sizes as
// parameters so that layers of one kind (vww: twelve pointwise convolutions)
// run one copy of the code. A body used by a single layer is inlined by the
// C compiler (static, called once) with its arguments as constants.
#pragma once

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ember::codegen::c {

// One parameter of a shared body beyond the kernel's own: its C declaration
// (type and name as the body uses it) and the layer's argument (a literal or
// a ConstPool name).
struct SharedParam {
  std::string decl, arg;
};

// A C identifier `prefix` + 16 hex digits of the FNV-1a hash of `text`
// (preceded by the share group, when not "", so that groups never share).
inline std::string SharedName(const std::string& prefix, const std::string& text, const std::string& share_group = "") {
  uint64_t h = 1469598103934665603ull;
  const std::string salted = share_group.empty() ? text : "group " + share_group + "\n" + text;
  for (unsigned char ch : salted) h = (h ^ ch) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return prefix + hex;
}

// `definition` ("static ... <name>(...) {...}\n", with `name` in it) under an
// #ifndef guard of `name`, so that a second identical one in the file is skipped.
inline std::string GuardedDefinition(const std::string& name, const std::string& definition) {
  std::string upper = name;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return "#ifndef " + upper + "_DEFINED\n#define " + upper + "_DEFINED\n" + definition + "#endif\n";
}

// The names of the parameters in `kernel_params` ("const int8_t* in0, int8_t*
// out0"), comma separated ("in0, out0"); "" for "void".
inline std::string ParamNames(const std::string& kernel_params) {
  if (kernel_params == "void") return "";
  std::string names, cur;
  auto flush = [&] {
    const size_t at = cur.find_last_of("* ");
    names += (names.empty() ? "" : ", ") + cur.substr(at == std::string::npos ? 0 : at + 1);
    cur.clear();
  };
  for (char ch : kernel_params) {
    if (ch == ',') flush();
    else cur += ch;
  }
  flush();
  return names;
}

// The kernel function `fn_name(kernel_params)` calling the shared body
// `prefix<hash>(kernel_params, params...)`; `what` names the kernels in the
// shared function's comment; `fn_attr` prefixes the kernel function (e.g.
// "EMBER_NOINLINE "); the body is shared within `share_group` only
// (AotOptions::share_groups).
inline std::string SharedKernel(const std::string& prefix, const std::string& what,
                                const std::string& fn_name, const std::string& kernel_params,
                                const std::string& body, const std::vector<SharedParam>& params,
                                const std::string& fn_attr = "", const std::string& share_group = "") {
  std::string decl = kernel_params, args = ParamNames(kernel_params), voids;
  for (const SharedParam& t : params) {
    decl += ", " + t.decl;
    const std::string name = t.decl.substr(t.decl.find_last_of("* ") + 1);
    args += ", " + t.arg;
    if (body.find(name) == std::string::npos) voids += "  (void)" + name + ";\n";
  }
  const std::string shared = SharedName(prefix, decl + "\n" + voids + body, share_group);
  return GuardedDefinition(shared, "/* Shared by the " + what + " kernels of this file with this text. */\n" +
                                       "static void " + shared + "(" + decl + ") {\n" + voids + body + "}\n") +
         fn_attr + "static void " + fn_name + "(" + kernel_params + ") {\n  " + shared + "(" + args + ");\n}\n";
}

}  // namespace ember::codegen::c
