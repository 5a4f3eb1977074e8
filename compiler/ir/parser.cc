// Parser of the IR text form (grammar in docs/ir.md).
//
// A hand-written lexer produces one token of lookahead; a recursive-descent
// parser (no nesting deeper than a list, so no unbounded recursion) builds the
// graph. Tensors are numbered in the order they are declared. Every reference
// to a tensor (`%name`) is recorded with its position and resolved once the
// whole text has been read, so declarations may follow their uses. Every loop
// consumes a token per iteration or fails, so arbitrary input terminates.
#include "ir/parser.h"

#include "ir/text_lexer.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ember::ir {
namespace {

using text::Describe;
using text::Lexer;
using text::SyntaxError;
using text::Tok;
using text::Token;

// A reference to a tensor by name, resolved after the whole text is read.
struct PendingRef {
  std::string name;
  int line, col;
};
// Placeholder stored in a TensorId slot for pending reference i.
TensorId Placeholder(size_t i) { return static_cast<TensorId>(-2 - static_cast<int64_t>(i)); }

class Parser {
 public:
  explicit Parser(std::string_view text) : lex_(text) {}
  Expected<Graph> Run();

 private:
  Status Advance() { return lex_.Next(tok_); }
  bool IsPunct(char c) const { return tok_.kind == Tok::kPunct && tok_.text[0] == c; }
  bool IsWord(const char* w) const { return tok_.kind == Tok::kIdent && tok_.text == w; }
  Diagnostic Expect(const std::string& what) const {
    return SyntaxError("E0223", tok_.line, tok_.col, "expected " + what + ", found " + Describe(tok_));
  }
  Status Punct(char c);
  // '[' [item (',' item)*] ']', each item read by `one(T&)`.
  template <typename T, typename Fn>
  Status Bracketed(std::vector<T>& out, Fn one) {
    EMBER_RETURN_IF_ERROR(Punct('['));
    while (!IsPunct(']')) {
      if (!out.empty()) EMBER_RETURN_IF_ERROR(Punct(','));
      out.emplace_back();
      EMBER_RETURN_IF_ERROR(one(out.back()));
    }
    return Advance();
  }
  Status Word(const char* w);
  Status Int(int64_t& v);
  template <typename F>
  Status Real(F& v);
  Status Ref(TensorId& id, bool allow_absent);
  Status RefList(std::vector<TensorId>& ids, bool allow_absent);
  Status Declare(const Token& name, Tensor t);
  Status Type(Tensor& t);
  Status Quant(QuantParams& q);
  Status List(AttrValue& v);
  Status Attrs(ember::ir::Attrs& attrs);
  Status Decl();
  Status HexData(const Token& name, const char* what, std::optional<std::vector<uint8_t>>& out);
  Status NodeStmt();
  Status Resolve(TensorId& id);

  Lexer lex_;
  Token tok_;
  Graph g_;
  std::unordered_map<std::string, TensorId> names_;
  std::vector<PendingRef> refs_;
};

Status Parser::Punct(char c) {
  if (!IsPunct(c)) return Expect(std::string("'") + c + "'");
  return Advance();
}

Status Parser::Word(const char* w) {
  if (!IsWord(w)) return Expect(std::string("'") + w + "'");
  return Advance();
}

Status ToInt(const Token& t, int64_t& v) {
  const char* end = t.text.data() + t.text.size();
  auto [ptr, ec] = std::from_chars(t.text.data(), end, v);
  if (ec != std::errc() || ptr != end)
    return SyntaxError("E0224", t.line, t.col, "integer " + t.text + " does not fit in 64 bits");
  return Status::Ok();
}

template <typename F>
Status ToReal(const Token& t, F& v) {
  const char* end = t.text.data() + t.text.size();
  auto [ptr, ec] = std::from_chars(t.text.data(), end, v);
  if (ec != std::errc() || ptr != end)
    return SyntaxError("E0224", t.line, t.col, "number " + t.text + " is out of range");
  return Status::Ok();
}

bool IsNumber(const Token& t) {
  return t.kind == Tok::kInt || t.kind == Tok::kReal ||
         (t.kind == Tok::kIdent && (t.text == "inf" || t.text == "nan"));
}

Status Parser::Int(int64_t& v) {
  if (tok_.kind != Tok::kInt) return Expect("an integer");
  EMBER_RETURN_IF_ERROR(ToInt(tok_, v));
  return Advance();
}

// Reals accept integer tokens too (`quant(1, 0)`), and inf/nan bare words.
template <typename F>
Status Parser::Real(F& v) {
  if (!IsNumber(tok_)) return Expect("a number");
  EMBER_RETURN_IF_ERROR(ToReal(tok_, v));
  return Advance();
}

Status Parser::Ref(TensorId& id, bool allow_absent) {
  if (allow_absent && IsWord("_")) {
    id = kNoTensor;
    return Advance();
  }
  if (tok_.kind != Tok::kTensor) return Expect(allow_absent ? "a tensor (%name) or '_'" : "a tensor (%name)");
  id = Placeholder(refs_.size());
  refs_.push_back({tok_.text, tok_.line, tok_.col});
  return Advance();
}

Status Parser::RefList(std::vector<TensorId>& ids, bool allow_absent) {
  while (true) {
    ids.push_back(kNoTensor);
    EMBER_RETURN_IF_ERROR(Ref(ids.back(), allow_absent));
    if (!IsPunct(',')) return Status::Ok();
    EMBER_RETURN_IF_ERROR(Advance());
  }
}

Status Parser::Declare(const Token& name, Tensor t) {
  t.name = name.text;
  if (!names_.emplace(t.name, static_cast<TensorId>(g_.tensors.size())).second)
    return SyntaxError("E0227", name.line, name.col, "tensor %" + t.name + " is declared twice");
  g_.tensors.push_back(std::move(t));
  return Status::Ok();
}

// dtype '[' dims ']' [quant(...)] [layout("...")]
Status Parser::Type(Tensor& t) {
  if (tok_.kind != Tok::kIdent) return Expect("an element type (i8, u8, i16, i32, i64, f32, bool)");
  auto dtype = ParseDType(tok_.text);
  if (!dtype) return SyntaxError("E0225", tok_.line, tok_.col, "unknown element type '" + tok_.text + "'");
  t.dtype = *dtype;
  EMBER_RETURN_IF_ERROR(Advance());
  EMBER_RETURN_IF_ERROR(Bracketed(t.shape, [this](int64_t& d) { return Int(d); }));
  if (IsWord("quant")) {
    EMBER_RETURN_IF_ERROR(Advance());
    t.quant.emplace();
    EMBER_RETURN_IF_ERROR(Quant(*t.quant));
  }
  if (!IsWord("layout")) return Status::Ok();
  EMBER_RETURN_IF_ERROR(Advance());
  EMBER_RETURN_IF_ERROR(Punct('('));
  if (tok_.kind != Tok::kString) return Expect("a layout string such as \"NCHW\"");
  t.source_layout = tok_.text;
  EMBER_RETURN_IF_ERROR(Advance());
  return Punct(')');
}

// '(' scale ',' zp ')' | '(' 'axis' '=' int ',' '[' scales ']' ',' '[' zps ']' ')'
Status Parser::Quant(QuantParams& q) {
  EMBER_RETURN_IF_ERROR(Punct('('));
  if (!IsWord("axis")) {
    q.scale.push_back(0.0f);
    q.zero_point.push_back(0);
    EMBER_RETURN_IF_ERROR(Real(q.scale[0]));
    EMBER_RETURN_IF_ERROR(Punct(','));
    EMBER_RETURN_IF_ERROR(Int(q.zero_point[0]));
    return Punct(')');
  }
  EMBER_RETURN_IF_ERROR(Advance());
  EMBER_RETURN_IF_ERROR(Punct('='));
  const Token at = tok_;
  int64_t axis = 0;
  EMBER_RETURN_IF_ERROR(Int(axis));
  if (axis < INT32_MIN || axis > INT32_MAX)
    return SyntaxError("E0224", at.line, at.col, "quantization axis " + at.text + " does not fit in 32 bits");
  q.axis = static_cast<int32_t>(axis);
  EMBER_RETURN_IF_ERROR(Punct(','));
  EMBER_RETURN_IF_ERROR(Bracketed(q.scale, [this](float& f) { return Real(f); }));
  EMBER_RETURN_IF_ERROR(Punct(','));
  EMBER_RETURN_IF_ERROR(Bracketed(q.zero_point, [this](int64_t& z) { return Int(z); }));
  return Punct(')');
}

// [f64|i64] '[' numbers ']'. Without a prefix the element type follows the
// tokens: all integers (or empty) make an int list, all reals a real list.
Status Parser::List(AttrValue& v) {
  std::string prefix;
  if (tok_.kind == Tok::kIdent) {
    prefix = tok_.text;
    if (prefix != "f64" && prefix != "i64") return Expect("an attribute value");
    EMBER_RETURN_IF_ERROR(Advance());
  }
  const Token open = tok_;
  std::vector<Token> items;
  EMBER_RETURN_IF_ERROR(Bracketed(items, [this](Token& item) {
    if (!IsNumber(tok_)) return Status(Expect("a number"));
    item = tok_;
    return Advance();
  }));
  size_t ints = 0;
  for (const Token& t : items) ints += t.kind == Tok::kInt;
  if (prefix.empty() && ints != 0 && ints != items.size())
    return SyntaxError("E0230", open.line, open.col, "list mixes integers and reals; write f64[...] for reals");
  if (prefix == "i64" && ints != items.size())
    return SyntaxError("E0230", open.line, open.col, "i64 list holds a real number");
  if (prefix == "f64" || ints != items.size()) {
    std::vector<double> dv(items.size());
    for (size_t i = 0; i < items.size(); ++i) EMBER_RETURN_IF_ERROR(ToReal(items[i], dv[i]));
    v = std::move(dv);
  } else {
    std::vector<int64_t> iv(items.size());
    for (size_t i = 0; i < items.size(); ++i) EMBER_RETURN_IF_ERROR(ToInt(items[i], iv[i]));
    v = std::move(iv);
  }
  return Status::Ok();
}

// '{' [key '=' value (',' key '=' value)*] '}'
Status Parser::Attrs(ember::ir::Attrs& attrs) {
  EMBER_RETURN_IF_ERROR(Punct('{'));
  while (!IsPunct('}')) {
    if (!attrs.empty()) EMBER_RETURN_IF_ERROR(Punct(','));
    if (tok_.kind != Tok::kIdent && tok_.kind != Tok::kString) return Expect("an attribute name");
    const Token key = tok_;
    EMBER_RETURN_IF_ERROR(Advance());
    EMBER_RETURN_IF_ERROR(Punct('='));
    AttrValue v;
    if (tok_.kind == Tok::kInt) {
      int64_t i = 0;
      EMBER_RETURN_IF_ERROR(Int(i));
      v = i;
    } else if (IsNumber(tok_)) {
      double d = 0.0;
      EMBER_RETURN_IF_ERROR(Real(d));
      v = d;
    } else if (tok_.kind == Tok::kString) {
      v = tok_.text;
      EMBER_RETURN_IF_ERROR(Advance());
    } else if (IsPunct('[') || tok_.kind == Tok::kIdent) {
      EMBER_RETURN_IF_ERROR(List(v));
    } else {
      return Expect("an attribute value (integer, real, string or list)");
    }
    if (!attrs.emplace(key.text, std::move(v)).second)
      return SyntaxError("E0229", key.line, key.col, "attribute '" + key.text + "' is given twice");
  }
  return Advance();
}

// ('input' | 'const' | 'tensor' | 'var') %name ':' type ['=' data]; 'input' may also
// list references to tensors declared elsewhere: input %a, %b.
Status Parser::Decl() {
  const std::string kind = tok_.text;
  EMBER_RETURN_IF_ERROR(Advance());
  if (tok_.kind != Tok::kTensor) return Expect("a tensor (%name)");
  const Token name = tok_;
  EMBER_RETURN_IF_ERROR(Advance());
  if (kind == "input" && !IsPunct(':')) {
    g_.inputs.push_back(Placeholder(refs_.size()));
    refs_.push_back({name.text, name.line, name.col});
    if (!IsPunct(',')) return Status::Ok();
    EMBER_RETURN_IF_ERROR(Advance());
    return RefList(g_.inputs, false);
  }
  EMBER_RETURN_IF_ERROR(Punct(':'));
  Tensor t;
  EMBER_RETURN_IF_ERROR(Type(t));
  if (kind == "const") {
    EMBER_RETURN_IF_ERROR(Punct('='));
    EMBER_RETURN_IF_ERROR(HexData(name, "constant data", t.data));
  } else if (kind == "var" && IsPunct('=')) {  // a variable's initial value (Tensor::init)
    EMBER_RETURN_IF_ERROR(Advance());
    EMBER_RETURN_IF_ERROR(HexData(name, "initial value", t.init));
  }
  if (kind == "input") g_.inputs.push_back(static_cast<TensorId>(g_.tensors.size()));
  t.is_variable = kind == "var";
  return Declare(name, std::move(t));
}

// hex"..." after '=': the bytes of a constant or of a variable's initial value
// (`what` names which, for the error).
Status Parser::HexData(const Token& name, const char* what, std::optional<std::vector<uint8_t>>& out) {
  if (tok_.kind == Tok::kAngle)
    return SyntaxError("E0232", tok_.line, tok_.col,
                       std::string(what) + " of %" + name.text + " is elided as '" + tok_.text +
                           "'; text printed without full constants does not parse");
  if (tok_.kind != Tok::kHex) return Expect(std::string(what) + " hex\"...\"");
  out = std::move(tok_.bytes);
  return Advance();
}

// results '=' op '(' operands ')' [attrs] [':' types] ['loc' '(' string ')']
// With types, the results are declared here in order; without, they refer to
// tensors declared elsewhere.
Status Parser::NodeStmt() {
  Node n;
  std::vector<Token> results;  // %name or '_'
  if (IsPunct('(')) {
    EMBER_RETURN_IF_ERROR(Advance());
    EMBER_RETURN_IF_ERROR(Punct(')'));
  } else {
    while (true) {
      if (tok_.kind != Tok::kTensor && !IsWord("_")) return Expect("a tensor (%name) or '_'");
      results.push_back(tok_);
      EMBER_RETURN_IF_ERROR(Advance());
      if (!IsPunct(',')) break;
      EMBER_RETURN_IF_ERROR(Advance());
    }
  }
  EMBER_RETURN_IF_ERROR(Punct('='));
  if (tok_.kind != Tok::kIdent) return Expect("an op name");
  const auto op = OpKindFromIrName(tok_.text);
  if (!op) return SyntaxError("E0226", tok_.line, tok_.col, "unknown op '" + tok_.text + "'");
  n.op = *op;
  EMBER_RETURN_IF_ERROR(Advance());
  EMBER_RETURN_IF_ERROR(Punct('('));
  if (!IsPunct(')')) EMBER_RETURN_IF_ERROR(RefList(n.inputs, true));
  EMBER_RETURN_IF_ERROR(Punct(')'));
  if (IsPunct('{')) EMBER_RETURN_IF_ERROR(Attrs(n.attrs));
  if (IsPunct(':')) {
    const Token colon = tok_;
    EMBER_RETURN_IF_ERROR(Advance());
    std::vector<Tensor> types;
    do {
      if (!types.empty()) EMBER_RETURN_IF_ERROR(Advance());
      types.emplace_back();
      EMBER_RETURN_IF_ERROR(Type(types.back()));
    } while (IsPunct(','));
    if (types.size() != results.size())
      return SyntaxError("E0233", colon.line, colon.col,
                         std::to_string(types.size()) + " result types for " + std::to_string(results.size()) +
                             " results: expected one type per result");
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].kind != Tok::kTensor)
        return SyntaxError("E0233", results[i].line, results[i].col, "expected a tensor name, found '_'");
      n.outputs.push_back(static_cast<TensorId>(g_.tensors.size()));
      EMBER_RETURN_IF_ERROR(Declare(results[i], std::move(types[i])));
    }
  } else {
    for (const Token& r : results) {
      n.outputs.push_back(r.kind == Tok::kTensor ? Placeholder(refs_.size()) : kNoTensor);
      if (r.kind == Tok::kTensor) refs_.push_back({r.text, r.line, r.col});
    }
  }
  if (IsWord("loc")) {
    EMBER_RETURN_IF_ERROR(Advance());
    EMBER_RETURN_IF_ERROR(Punct('('));
    if (tok_.kind != Tok::kString) return Expect("a string");
    n.name = tok_.text;
    EMBER_RETURN_IF_ERROR(Advance());
    EMBER_RETURN_IF_ERROR(Punct(')'));
  }
  g_.nodes.push_back(std::move(n));
  return Status::Ok();
}

Status Parser::Resolve(TensorId& id) {
  if (id >= kNoTensor) return Status::Ok();
  const PendingRef& r = refs_[static_cast<size_t>(-2 - static_cast<int64_t>(id))];
  auto it = names_.find(r.name);
  if (it == names_.end())
    return SyntaxError("E0228", r.line, r.col, "tensor %" + r.name + " is never declared");
  id = it->second;
  return Status::Ok();
}

Expected<Graph> Parser::Run() {
  EMBER_RETURN_IF_ERROR(Advance());
  EMBER_RETURN_IF_ERROR(Word("graph"));
  if (tok_.kind != Tok::kString && tok_.kind != Tok::kIdent) return Expect("a graph name");
  g_.name = tok_.text;
  EMBER_RETURN_IF_ERROR(Advance());
  EMBER_RETURN_IF_ERROR(Punct('{'));
  while (!IsPunct('}')) {
    if (IsWord("input") || IsWord("const") || IsWord("tensor") || IsWord("var")) {
      EMBER_RETURN_IF_ERROR(Decl());
    } else if (IsWord("output")) {
      EMBER_RETURN_IF_ERROR(Advance());
      EMBER_RETURN_IF_ERROR(RefList(g_.outputs, true));
    } else if (tok_.kind == Tok::kTensor || IsWord("_") || IsPunct('(')) {
      EMBER_RETURN_IF_ERROR(NodeStmt());
    } else {
      return Expect("a statement (input, const, tensor, output, a node) or '}'");
    }
  }
  EMBER_RETURN_IF_ERROR(Advance());
  if (tok_.kind != Tok::kEnd) return Expect("end of input after the graph");
  for (Node& n : g_.nodes) {
    for (TensorId& id : n.inputs) EMBER_RETURN_IF_ERROR(Resolve(id));
    for (TensorId& id : n.outputs) EMBER_RETURN_IF_ERROR(Resolve(id));
  }
  for (TensorId& id : g_.inputs) EMBER_RETURN_IF_ERROR(Resolve(id));
  for (TensorId& id : g_.outputs) EMBER_RETURN_IF_ERROR(Resolve(id));
  return std::move(g_);
}

}  // namespace

Expected<Graph> Parse(std::string_view text) { return Parser(text).Run(); }

}  // namespace ember::ir
