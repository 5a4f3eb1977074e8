// The model table of a generated project (src/model_io.c): the C definition
// of `ember_model` (runtime/include/ember/model_io.h) for the model in a
// Model Library Format archive, so that firmware runs any model without
// knowing its name, its inputs or how it was compiled (--io-in-arena,
// --external-arena).
#pragma once

#include <string>
#include <vector>

#include "package/mlf_reader.h"
#include "support/status.h"

namespace ember::micro {

// The identity of a compiled model: FNV-1a 64 over its generated C (the
// header, then every codegen/host/src/ file in path order, each preceded by
// its path and a newline), as 16 lower-case hex digits. The firmware carries
// it (ember_model.hash) and the host compares it on connect.
std::string ModelHash(const package::MlfContents& mlf);

// The C99 source of src/model_io.c for the archive's (single) model. Fails
// with E0901 when the archive lacks the header or the IR (src/<name>.relay)
// the table is made from, or holds more than one model.
Expected<std::string> GenerateModelGlue(const package::MlfContents& mlf);

// The member names of `struct <tag> {` (one `void* NAME;` per line) in a
// generated tvmgen_<name>.h, in order; empty when the struct is absent.
std::vector<std::string> HeaderStructMembers(const std::string& header, const std::string& tag);

}  // namespace ember::micro
