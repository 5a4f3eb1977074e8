// Where the ember C runtime sources live (microTVM's get_standalone_crt_dir).
#pragma once

#include <string>

namespace ember::package {

// The folder holding the runtime sources (include/ember/*.h, src/*.c,
// CMakeLists.txt): the environment variable EMBER_RUNTIME_DIR when set and
// non-empty, else the source tree's runtime/ folder this build was configured
// from. The folder is not checked for existence here.
std::string GetStandaloneCrtDir();

}  // namespace ember::package

// The names of microTVM's Python API (tvm.micro.get_standalone_crt_dir), for
// code ported from it.
namespace ember::micro {
inline std::string get_standalone_crt_dir() { return package::GetStandaloneCrtDir(); }
}  // namespace ember::micro
