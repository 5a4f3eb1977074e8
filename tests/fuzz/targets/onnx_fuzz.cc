// Fuzz target: the ONNX importer (compiler/frontend/onnx, ImportOnnx), with
// the ONNX checker and shape inference it runs first.
//
// Checks, besides ASan/UBSan: a rejected model gets a diagnostic that is not
// an internal error (exit 70); an imported graph passes the IR verifier,
// prints, and its printed text parses back to the same text. External data
// is refused (no model folder), so the target reads no files.
#include <cstdint>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

#include "fuzz_util.h"

using ember::fuzz::Fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  auto g = ember::frontend::onnx::ImportOnnx(bytes, "fuzz.onnx");
  if (!g.ok()) {
    if (g.diag().id.empty() || g.diag().exit == ember::ExitCode::kInternal) {
      Fail("rejected without a user diagnostic: " + g.diag().ToString());
    }
    return 0;
  }
  const ember::Status verified = ember::ir::Verify(*g);
  if (!verified.ok()) Fail("imported a graph the verifier rejects: " + verified.ToString());
  const std::string printed = ember::ir::Print(*g);
  auto again = ember::ir::Parse(printed);
  if (!again.ok()) Fail("the printed graph does not parse: " + again.diag().ToString() + "\n" + printed);
  if (ember::ir::Print(*again) != printed) Fail("print -> parse -> print is not exact:\n" + printed);
  return 0;
}
