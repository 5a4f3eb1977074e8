// Fuzz target: the IR text parser (compiler/ir/parser.cc, text_lexer.cc).
//
// Checks, besides ASan/UBSan: a rejected text gets a diagnostic; an accepted
// one prints, the printed text parses again and prints identically (the
// round trip of ir/printer.h is exact: a difference is a finding).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ir/parser.h"
#include "ir/printer.h"

#include "fuzz_util.h"

using ember::fuzz::Fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto g = ember::ir::Parse(text);
  if (!g.ok()) {
    if (g.diag().id.empty() || g.diag().exit == ember::ExitCode::kInternal) Fail("rejected without a diagnostic");
    return 0;
  }
  const std::string printed = ember::ir::Print(*g);
  auto again = ember::ir::Parse(printed);
  if (!again.ok()) Fail("printed text does not parse: " + again.diag().ToString() + "\n" + printed);
  const std::string reprinted = ember::ir::Print(*again);
  if (reprinted != printed) Fail("print -> parse -> print is not exact:\n" + printed + "\n--- reprinted:\n" + reprinted);
  return 0;
}
