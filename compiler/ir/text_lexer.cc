// The lexer of the IR text form: see text_lexer.h.
#include "ir/text_lexer.h"

#include <charconv>

namespace ember::ir::text {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsBareChar(char c) { return IsIdentStart(c) || IsDigit(c) || c == '.' || c == '/'; }
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Diagnostic SyntaxError(const char* id, int line, int col, const std::string& what) {
  return MakeDiag(id, ExitCode::kFailure, std::to_string(line) + ":" + std::to_string(col) + ": " + what,
                  "see docs/ir.md for the notation of the ember IR");
}

void Lexer::SkipSpaceAndComments() {
  while (p_ < s_.size()) {
    const char c = s_[p_];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      Bump();
    } else if (c == '/' && At(p_ + 1) == '/') {
      while (p_ < s_.size() && s_[p_] != '\n') Bump();
    } else {
      return;
    }
  }
}

// At the opening quote; reads up to and including the closing quote.
Status Lexer::String(std::string& out) {
  Bump();
  while (true) {
    if (p_ >= s_.size() || s_[p_] == '\n') return Err("E0221", "unterminated string: expected '\"'");
    const char c = s_[p_];
    if (c == '"') {
      Bump();
      return Status::Ok();
    }
    if (c != '\\') {
      out += c;
      Bump();
      continue;
    }
    const char e = At(p_ + 1);
    if (e == '\\' || e == '"') {
      out += e;
    } else if (e == 'n') {
      out += '\n';
    } else if (e == 't') {
      out += '\t';
    } else if (e == 'x' && HexValue(At(p_ + 2)) >= 0 && HexValue(At(p_ + 3)) >= 0) {
      out += static_cast<char>(HexValue(At(p_ + 2)) * 16 + HexValue(At(p_ + 3)));
      p_ += 2;
    } else {
      return Err("E0222", "invalid escape in string: expected \\\\, \\\", \\n, \\t or \\xHH");
    }
    p_ += 2;
  }
}

// After `hex"`: pairs of hex digits, whitespace allowed anywhere, up to '"'.
Status Lexer::Hex(std::vector<uint8_t>& out) {
  const size_t close = s_.find('"', p_);
  out.reserve(((close == std::string_view::npos ? s_.size() : close) - p_) / 2);
  int high = -1;
  while (true) {
    if (p_ >= s_.size()) return Err("E0221", "unterminated hex data: expected '\"'");
    const char c = s_[p_];
    if (c == '"') break;
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      Bump();
      continue;
    }
    const int v = HexValue(c);
    if (v < 0) return Err("E0231", std::string("invalid character '") + c + "' in hex data: expected a hex digit");
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high * 16 + v));
      high = -1;
    }
    ++p_;
  }
  if (high >= 0) return Err("E0231", "odd number of hex digits in hex data: expected whole bytes");
  Bump();
  return Status::Ok();
}

// -?digits[.digits][(e|E)[+-]digits] or -?(inf|nan); kInt when there is
// neither a fraction nor an exponent.
Status Lexer::Number(Token& t) {
  const size_t start = p_;
  if (s_[p_] == '-') ++p_;
  if (IsIdentStart(At(p_))) {
    while (IsIdentStart(At(p_))) ++p_;
    t.text = std::string(s_.substr(start, p_ - start));
    t.kind = Tok::kReal;
    const std::string_view word = std::string_view(t.text).substr(t.text[0] == '-' ? 1 : 0);
    if (word != "inf" && word != "nan") return Err("E0224", "invalid number '" + t.text + "'");
    return Status::Ok();
  }
  t.kind = Tok::kInt;
  if (!IsDigit(At(p_))) return Err("E0224", "invalid number: expected a digit after '-'");
  while (IsDigit(At(p_))) ++p_;
  if (At(p_) == '.') {
    t.kind = Tok::kReal;
    ++p_;
    if (!IsDigit(At(p_))) return Err("E0224", "invalid number: expected a digit after '.'");
    while (IsDigit(At(p_))) ++p_;
  }
  if (At(p_) == 'e' || At(p_) == 'E') {
    t.kind = Tok::kReal;
    ++p_;
    if (At(p_) == '+' || At(p_) == '-') ++p_;
    if (!IsDigit(At(p_))) return Err("E0224", "invalid number: expected a digit in the exponent");
    while (IsDigit(At(p_))) ++p_;
  }
  if (IsBareChar(At(p_))) return Err("E0224", std::string("invalid number: unexpected '") + At(p_) + "'");
  t.text = std::string(s_.substr(start, p_ - start));
  return Status::Ok();
}

Status Lexer::Next(Token& t) {
  SkipSpaceAndComments();
  t = Token();
  t.line = line_;
  t.col = Col();
  if (p_ >= s_.size()) return Status::Ok();
  const char c = s_[p_];
  if (c == '"') {
    t.kind = Tok::kString;
    return String(t.text);
  }
  if (c == '%') {
    ++p_;
    t.kind = Tok::kTensor;
    if (At(p_) == '"') return String(t.text);
    const size_t start = p_;
    while (IsBareChar(At(p_))) ++p_;
    if (p_ == start) return Err("E0220", "expected a tensor name after '%'");
    t.text = std::string(s_.substr(start, p_ - start));
    return Status::Ok();
  }
  if (c == 'h' && s_.substr(p_, 4) == "hex\"") {
    p_ += 4;
    t.kind = Tok::kHex;
    return Hex(t.bytes);
  }
  if (IsIdentStart(c)) {
    const size_t start = p_;
    while (IsIdentStart(At(p_)) || IsDigit(At(p_)) || At(p_) == '.') ++p_;
    t.kind = Tok::kIdent;
    t.text = std::string(s_.substr(start, p_ - start));
    return Status::Ok();
  }
  if (IsDigit(c) || c == '-') return Number(t);
  if (c == '<') {
    const size_t start = p_;
    while (p_ < s_.size() && s_[p_] != '>' && s_[p_] != '\n') ++p_;
    if (At(p_) == '>') ++p_;
    t.kind = Tok::kAngle;
    t.text = std::string(s_.substr(start, p_ - start));
    return Status::Ok();
  }
  if (std::string_view("{}()[],=:").find(c) != std::string_view::npos) {
    ++p_;
    t.kind = Tok::kPunct;
    t.text = std::string(1, c);
    return Status::Ok();
  }
  return Err("E0220", "unexpected character '" + std::string(1, c) + "'");
}

std::string Describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd: return "end of input";
    case Tok::kIdent: return "'" + t.text + "'";
    case Tok::kTensor: return "tensor %" + t.text;
    case Tok::kString: return "a string";
    case Tok::kInt: case Tok::kReal: return "number " + t.text;
    case Tok::kHex: return "hex data";
    case Tok::kAngle: return "'" + t.text + "'";
    case Tok::kPunct: return "'" + t.text + "'";
  }
  return "?";
}

}  // namespace ember::ir::text
