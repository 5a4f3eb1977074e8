#include "codegen/c/module_name.h"

#include <algorithm>
#include <cctype>

namespace ember::codegen::c {

bool ValidModuleName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

const std::vector<std::string>& ReservedModuleNames() {
  static const std::vector<std::string> names = {
      // Targets CMake's generators define (Makefiles, Ninja; Visual Studio's
      // ALL_BUILD, ZERO_CHECK, RUN_TESTS clash on case-insensitive disks).
      "all", "clean", "help", "install", "test", "package", "package_source", "preinstall", "depend",
      "edit_cache", "rebuild_cache", "list_install_components", "cmake_check_build_system", "cmake_force",
      "all_build", "zero_check", "run_tests",
      // Keywords of target_link_libraries (the projects link the model by name).
      "debug", "optimized", "general",
      // The runtime's library and the targets of ember's project templates.
      "ember_runtime", "main", "firmware",
      // Libraries the projects link by name (-lc, -lm, -lgcc).
      "c", "m", "gcc"};
  return names;
}

Status CheckModuleName(const std::string& name) {
  if (!ValidModuleName(name)) {
    return MakeDiag("E0503", ExitCode::kUsage, "module name '" + name + "' is not usable in C names",
                    "use letters, digits and '_' only (1 to 64 characters), e.g. --module-name kws");
  }
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto& reserved = ReservedModuleNames();
  if (std::find(reserved.begin(), reserved.end(), lower) != reserved.end()) {
    return MakeDiag("E0505", ExitCode::kUsage,
                    "module name '" + name + "' is taken: the generated CMake builds already use '" + lower +
                        "' (a CMake reserved target, the runtime library ember_runtime, a project target or a "
                        "system library)",
                    "choose another --module-name, e.g. --module-name " + lower + "_model or the model's name");
  }
  return Status::Ok();
}

}  // namespace ember::codegen::c
