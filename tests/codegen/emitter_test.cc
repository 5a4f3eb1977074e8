#include "codegen/c/emitter.h"

#include <gtest/gtest.h>

#include "codegen/kernel_harness.h"

namespace ember::codegen::c {
namespace {

TEST(Emitter, TargetsParse) {
  for (const auto& n : TargetNames()) EXPECT_TRUE(ParseTarget(n).ok()) << n;
  auto bad = ParseTarget("cortex-a53");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.diag().hint.find("cortex-m4"), std::string::npos);
  EXPECT_TRUE(ParseTarget("cortex-m4")->has_dsp);
  EXPECT_FALSE(ParseTarget("cortex-m3")->has_dsp);
}

TEST(Emitter, Literals) {
  EXPECT_EQ(CInt(5), "5");
  EXPECT_EQ(CInt(-2147483648LL), "(-2147483647 - 1)");
  EXPECT_EQ(CInt(4294967296LL), "INT64_C(4294967296)");
  EXPECT_EQ(CFloat(0.5f), "0x1p-1f");
}

TEST(Emitter, ConstPoolDeduplicatesAndIsDeterministic) {
  ConstPool a("m");
  const std::string n1 = a.AddInt32("mult", {1, 2, 3});
  const std::string n2 = a.AddInt32("mult", {1, 2, 3});
  const std::string n3 = a.AddInt32("mult", {4});
  EXPECT_EQ(n1, n2);
  EXPECT_NE(n1, n3);
  EXPECT_EQ(a.total_bytes(), 16);
  ConstPool b("m");
  b.AddInt32("mult", {1, 2, 3});
  b.AddInt32("mult", {4});
  EXPECT_EQ(a.Render(), b.Render());
  EXPECT_NE(a.Render().find("EMBER_ALIGNED(16)"), std::string::npos);
}

}  // namespace
}  // namespace ember::codegen::c
