// Printer of the IR text form. The notation and the rules that keep tensor ids
// stable through Parse are described in docs/ir.md ("Tensor ids").
//
// Declaration order: Parse numbers tensors in the order their declarations
// appear, so the printer declares tensor 0, 1, 2, ... in that order. A node
// declares its outputs inline (`%y = op(...) : type`) when they are exactly the
// next ids to declare; every other tensor gets a standalone declaration
// (`input`, `const` or `tensor`) at its id's position, and nodes then refer to
// it by name. References are resolved after the whole text is read, so a
// standalone declaration may follow the node that produces it.
#include "ir/printer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <string_view>
#include <vector>

namespace ember::ir {
namespace {

bool IsBareChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '/';
}

void AppendQuoted(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

// A name is printed bare when it is a non-empty run of [A-Za-z0-9_./] that does
// not start with '/' (so it can never be read as a comment), quoted otherwise.
void AppendName(std::string& out, std::string_view s) {
  bool bare = !s.empty() && s[0] != '/';
  for (char c : s) bare = bare && IsBareChar(c);
  if (bare)
    out += s;
  else
    AppendQuoted(out, s);
}

// Attribute keys are bare when identifier-like ([A-Za-z_][A-Za-z0-9_.]*).
void AppendKey(std::string& out, std::string_view s) {
  bool bare = !s.empty() && !(s[0] >= '0' && s[0] <= '9') && s[0] != '.' && s[0] != '/';
  for (char c : s) bare = bare && IsBareChar(c) && c != '/';
  if (bare)
    out += s;
  else
    AppendQuoted(out, s);
}

// Shortest text that reads back to the same value; always looks like a real
// (has '.', an exponent, inf or nan) so that it never parses as an integer.
template <typename F>
void AppendReal(std::string& out, F v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  std::string_view s(buf, static_cast<size_t>(res.ptr - buf));
  out += s;
  if (s.find_first_of(".ein") == std::string_view::npos) out += ".0";
}

void AppendInt(std::string& out, int64_t v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

class Printer {
 public:
  Printer(const Graph& g, const PrintOptions& o) : g_(g), opt_(o) {}
  std::string Run();

 private:
  bool InRange(TensorId id) const { return id >= 0 && static_cast<size_t>(id) < g_.tensors.size(); }
  void Ref(TensorId id);
  void Type(const Tensor& t);
  void Quant(const QuantParams& q);
  void Data(const std::vector<uint8_t>& data);
  void Declare(TensorId id);
  void DeclareUpTo(TensorId limit) {
    while (next_ < limit) Declare(next_++);
  }
  bool CanInline(const Node& n) const;
  void PrintNode(const Node& n);
  void AttrValueText(const AttrValue& v);

  const Graph& g_;
  const PrintOptions& opt_;
  std::string out_;
  TensorId next_ = 0;     // next tensor id to declare
  size_t inputs_done_ = 0;  // graph inputs declared by `input` so far, in order
};

void Printer::Ref(TensorId id) {
  if (id == kNoTensor) {
    out_ += '_';
  } else if (!InRange(id)) {
    out_ += "<invalid tensor ";
    AppendInt(out_, id);
    out_ += '>';
  } else {
    out_ += '%';
    AppendName(out_, g_.tensors[static_cast<size_t>(id)].name);
  }
}

void Printer::Type(const Tensor& t) {
  out_ += DTypeName(t.dtype);
  out_ += '[';
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (i) out_ += ',';
    AppendInt(out_, t.shape[i]);
  }
  out_ += ']';
  if (t.quant) Quant(*t.quant);
  if (!t.source_layout.empty()) {
    out_ += " layout(";
    AppendQuoted(out_, t.source_layout);
    out_ += ')';
  }
}

// Per-channel scales shown when constants are elided (PrintOptions).
constexpr size_t kShownScales = 3;

void Printer::Quant(const QuantParams& q) {
  out_ += " quant(";
  if (q.scale.size() == 1 && q.zero_point.size() == 1 && q.axis == 0) {
    AppendReal(out_, q.scale[0]);
    out_ += ", ";
    AppendInt(out_, q.zero_point[0]);
  } else if (!opt_.full_constants && q.scale.size() > kShownScales) {
    // Per-channel parameters, abbreviated for reading: the first few, the
    // count and the range (a layer of 512 channels would print several KB).
    out_ += "axis=";
    AppendInt(out_, q.axis);
    out_ += ", <";
    AppendInt(out_, static_cast<int64_t>(q.scale.size()));
    out_ += " scales: ";
    for (size_t i = 0; i < kShownScales; ++i) {
      AppendReal(out_, q.scale[i]);
      out_ += ", ";
    }
    out_ += "..., min ";
    AppendReal(out_, *std::min_element(q.scale.begin(), q.scale.end()));
    out_ += ", max ";
    AppendReal(out_, *std::max_element(q.scale.begin(), q.scale.end()));
    out_ += ">, <";
    AppendInt(out_, static_cast<int64_t>(q.zero_point.size()));
    out_ += " zero points: ";
    if (!q.zero_point.empty() && std::all_of(q.zero_point.begin(), q.zero_point.end(),
                                             [&](int64_t z) { return z == q.zero_point[0]; })) {
      out_ += "all ";
      AppendInt(out_, q.zero_point[0]);
    } else if (!q.zero_point.empty()) {
      out_ += "min ";
      AppendInt(out_, *std::min_element(q.zero_point.begin(), q.zero_point.end()));
      out_ += ", max ";
      AppendInt(out_, *std::max_element(q.zero_point.begin(), q.zero_point.end()));
    }
    out_ += '>';
  } else {
    out_ += "axis=";
    AppendInt(out_, q.axis);
    out_ += ", [";
    for (size_t i = 0; i < q.scale.size(); ++i) {
      if (i) out_ += ", ";
      AppendReal(out_, q.scale[i]);
    }
    out_ += "], [";
    for (size_t i = 0; i < q.zero_point.size(); ++i) {
      if (i) out_ += ", ";
      AppendInt(out_, q.zero_point[i]);
    }
    out_ += ']';
  }
  out_ += ')';
}

// Bytes as lower-case hex; more than kInline bytes go on wrapped lines.
void Printer::Data(const std::vector<uint8_t>& data) {
  constexpr size_t kInline = 32, kPerLine = 64;
  static const char kHex[] = "0123456789abcdef";
  if (!opt_.full_constants) {
    out_ += '<';
    AppendInt(out_, static_cast<int64_t>(data.size()));
    out_ += " bytes>";
    return;
  }
  out_ += "hex\"";
  const bool wrap = data.size() > kInline;
  out_.reserve(out_.size() + data.size() * 2 + (data.size() / kPerLine + 1) * 6);
  for (size_t i = 0; i < data.size(); ++i) {
    if (wrap && i % kPerLine == 0) out_ += "\n    ";
    out_ += kHex[data[i] >> 4];
    out_ += kHex[data[i] & 15];
  }
  out_ += '"';
}

void Printer::Declare(TensorId id) {
  const Tensor& t = g_.tensors[static_cast<size_t>(id)];
  out_ += "  ";
  if (t.data) {
    out_ += "const ";
  } else if (t.is_variable) {
    out_ += "var ";
  } else if (inputs_done_ < g_.inputs.size() && g_.inputs[inputs_done_] == id) {
    out_ += "input ";
    ++inputs_done_;
  } else {
    out_ += "tensor ";
  }
  Ref(id);
  out_ += " : ";
  Type(t);
  if (t.data) {
    out_ += " = ";
    Data(*t.data);
  } else if (t.is_variable && t.init) {
    out_ += " = ";
    Data(*t.init);
  }
  out_ += '\n';
}

// Outputs are declared inline when they are the next ids, consecutive, and
// carry no data (an inline declaration has no place for it).
bool Printer::CanInline(const Node& n) const {
  if (n.outputs.empty()) return false;
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    const TensorId id = n.outputs[i];
    if (!InRange(id) || id < next_ || g_.tensors[static_cast<size_t>(id)].data) return false;
    if (i > 0 && id != n.outputs[i - 1] + 1) return false;
  }
  return true;
}

void Printer::AttrValueText(const AttrValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    AppendInt(out_, *i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    AppendReal(out_, *d);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    AppendQuoted(out_, *s);
  } else if (const auto* il = std::get_if<std::vector<int64_t>>(&v)) {
    out_ += '[';
    for (size_t k = 0; k < il->size(); ++k) {
      if (k) out_ += ',';
      AppendInt(out_, (*il)[k]);
    }
    out_ += ']';
  } else if (const auto* dl = std::get_if<std::vector<double>>(&v)) {
    if (dl->empty()) out_ += "f64";  // `[]` alone is the empty integer list
    out_ += '[';
    for (size_t k = 0; k < dl->size(); ++k) {
      if (k) out_ += ',';
      AppendReal(out_, (*dl)[k]);
    }
    out_ += ']';
  }
}

void Printer::PrintNode(const Node& n) {
  const bool inline_decl = CanInline(n);
  if (inline_decl) DeclareUpTo(n.outputs[0]);
  out_ += "  ";
  if (n.outputs.empty()) out_ += "()";
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    if (i) out_ += ", ";
    Ref(n.outputs[i]);
  }
  out_ += " = ";
  if (static_cast<int>(n.op) >= 0 && static_cast<size_t>(n.op) < kNumOpKinds) {
    out_ += OpIrName(n.op);
  } else {
    out_ += "<invalid op ";
    AppendInt(out_, static_cast<int>(n.op));
    out_ += '>';
  }
  out_ += '(';
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (i) out_ += ", ";
    Ref(n.inputs[i]);
  }
  out_ += ')';
  if (!n.attrs.empty()) {
    out_ += " {";
    bool first = true;
    for (const auto& [key, value] : n.attrs) {
      if (!first) out_ += ", ";
      first = false;
      AppendKey(out_, key);
      out_ += '=';
      AttrValueText(value);
    }
    out_ += '}';
  }
  if (inline_decl) {
    out_ += " : ";
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      if (i) out_ += ", ";
      Type(g_.tensors[static_cast<size_t>(n.outputs[i])]);
    }
    next_ = n.outputs.back() + 1;
  }
  if (!n.name.empty()) {
    out_ += " loc(";
    AppendQuoted(out_, n.name);
    out_ += ')';
  }
  out_ += '\n';
}

std::string Printer::Run() {
  out_ += "graph ";
  AppendQuoted(out_, g_.name);
  out_ += " {\n";
  for (const Node& n : g_.nodes) PrintNode(n);
  DeclareUpTo(static_cast<TensorId>(g_.tensors.size()));
  // Graph inputs that no `input` declaration covered, as references.
  if (inputs_done_ < g_.inputs.size()) {
    out_ += "  input ";
    for (size_t i = inputs_done_; i < g_.inputs.size(); ++i) {
      if (i > inputs_done_) out_ += ", ";
      Ref(g_.inputs[i]);
    }
    out_ += '\n';
  }
  if (!g_.outputs.empty()) {
    out_ += "  output ";
    for (size_t i = 0; i < g_.outputs.size(); ++i) {
      if (i) out_ += ", ";
      Ref(g_.outputs[i]);
    }
    out_ += '\n';
  }
  out_ += "}\n";
  return std::move(out_);
}

}  // namespace

std::string Print(const Graph& g, const PrintOptions& options) { return Printer(g, options).Run(); }

}  // namespace ember::ir
