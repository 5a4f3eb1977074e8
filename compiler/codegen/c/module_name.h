// The module name (`--module-name NAME`, the <name> of tvmgen_<name>_run):
// it becomes C identifiers, file names and the CMake library target of the
// Model Library Format folder, which projects link next to their own
// targets. docs/safety.md, "No user value goes unescaped".
#pragma once

#include <string>
#include <vector>

#include "support/status.h"

namespace ember::codegen::c {

// Letters, digits and '_', 1 to 64 characters.
bool ValidModuleName(const std::string& name);

// The names (lower case) a module may not take because the generated builds
// already use them: CMake's reserved targets, the runtime's library, the
// projects' own targets, the system libraries they link, and the keywords
// of target_link_libraries.
const std::vector<std::string>& ReservedModuleNames();

// ValidModuleName (E0503) and, compared in lower case, not a reserved name
// (E0505); both exit 2, with a hint naming a usable name.
Status CheckModuleName(const std::string& name);

}  // namespace ember::codegen::c
