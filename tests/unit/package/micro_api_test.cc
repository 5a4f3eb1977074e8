// The microTVM-named C++ entry points (ember::micro::...).
#include <gtest/gtest.h>

#include <filesystem>

#include "codegen/c/aot.h"
#include "frontend/tflite/import.h"
#include "package/mlf.h"
#include "package/runtime_dir.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember {
namespace {

TEST(MicroApi, StandaloneCrtDirHoldsTheRuntime) {
  const std::string dir = micro::get_standalone_crt_dir();
  EXPECT_TRUE(std::filesystem::exists(dir + "/include/ember/platform.h")) << dir;
}

TEST(MicroApi, ExportAndTheUnsupportedError) {
  auto g = frontend::tflite::ImportTflite(test::TinyConvModel(), "tiny.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  codegen::c::AotOptions o;
  auto m = codegen::c::GenerateAot(*g, o);
  ASSERT_TRUE(m.ok()) << m.diag().ToString();
  const std::string dir = test::TempDir();
  micro::export_model_library_format(*m, dir + "/m.tar");
  EXPECT_TRUE(std::filesystem::exists(dir + "/m.tar"));
  // A path that cannot be written: a file stands where a folder must be.
  test::WriteFile(dir + "/file", {1});
  EXPECT_THROW(micro::export_model_library_format(*m, dir + "/file/sub/m.tar"),
               micro::UnsupportedInModelLibraryFormatError);
}

}  // namespace
}  // namespace ember
