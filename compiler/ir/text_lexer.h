// The lexer of the IR text form (docs/ir.md): one token of lookahead, line
// and column tracking, diagnostics E0220-E0229. Internal to compiler/ir.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/status.h"

namespace ember::ir::text {

enum class Tok { kEnd, kIdent, kTensor, kString, kInt, kReal, kHex, kAngle, kPunct };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;            // identifier, name, string contents, number text, punctuation
  std::vector<uint8_t> bytes;  // kHex only
  int line = 1, col = 1;
};

// "line:col: what" diagnostic with the given id.
Diagnostic SyntaxError(const char* id, int line, int col, const std::string& what);

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  Status Next(Token& t);

 private:
  char At(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  void Bump() {
    if (s_[p_] == '\n') {
      ++line_;
      line_start_ = p_ + 1;
    }
    ++p_;
  }
  int Col() const { return static_cast<int>(p_ - line_start_) + 1; }
  Diagnostic Err(const char* id, const std::string& what) const { return SyntaxError(id, line_, Col(), what); }
  void SkipSpaceAndComments();
  Status String(std::string& out);
  Status Hex(std::vector<uint8_t>& out);
  Status Number(Token& t);

  std::string_view s_;
  size_t p_ = 0, line_start_ = 0;
  int line_ = 1;
};

// A token for messages: "end of input", "'graph'", "tensor %x", ...
std::string Describe(const Token& t);

}  // namespace ember::ir::text
