// Fuzz target: the .npy reader (compiler/support/npy.cc, ParseNpy).
//
// Checks, besides ASan/UBSan: an accepted array has a dtype ember reads and
// exactly shape x item size data bytes (the product computed without
// overflow), and it survives SerializeNpy -> ParseNpy unchanged.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "support/npy.h"

#include "fuzz_util.h"

using ember::fuzz::Fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  auto a = ember::ParseNpy(bytes, "fuzz.npy");
  if (!a.ok()) {
    if (a.diag().id.empty() || a.diag().exit == ember::ExitCode::kInternal) Fail("rejected without a diagnostic");
    return 0;
  }
  const uint64_t item = ember::NpyDescrItemSize(a->descr);
  if (item == 0) Fail("accepted a dtype it does not read");
  uint64_t want = item;
  for (int64_t d : a->shape) {
    if (d < 0) Fail("accepted a negative dimension");
    if (__builtin_mul_overflow(want, static_cast<uint64_t>(d), &want)) Fail("accepted a shape whose size overflows");
  }
  if (want != a->data.size()) Fail("data size differs from shape x item size");
  auto again = ember::ParseNpy(ember::SerializeNpy(*a), "again.npy");
  if (!again.ok()) Fail("its own serialization does not parse");
  if (again->descr != a->descr || again->shape != a->shape || again->data != a->data) {
    Fail("serialize -> parse changed the array");
  }
  return 0;
}
