#include "package/runtime_dir.h"

#include <cstdlib>

#ifndef EMBER_RUNTIME_DIR
#error "EMBER_RUNTIME_DIR must be defined by the build (compiler/CMakeLists.txt)"
#endif

namespace ember::package {

std::string GetStandaloneCrtDir() {
  const char* env = std::getenv("EMBER_RUNTIME_DIR");
  if (env != nullptr && env[0] != '\0') return env;
  return EMBER_RUNTIME_DIR;
}

}  // namespace ember::package
