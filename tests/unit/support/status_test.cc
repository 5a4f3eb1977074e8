#include "support/status.h"

#include <gtest/gtest.h>

namespace ember {
namespace {

Expected<int> Half(int x) {
  if (x % 2) return MakeDiag("E9999", ExitCode::kUsage, "odd value " + std::to_string(x), "pass an even one");
  return x / 2;
}

Status Quarter(int x, int* out) {
  EMBER_ASSIGN_OR_RETURN(int h, Half(x));
  EMBER_ASSIGN_OR_RETURN(int q, Half(h));
  *out = q;
  return Status::Ok();
}

TEST(Status, OkAndError) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = MakeDiag("E0001", ExitCode::kFailure, "boom", "do this");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "error[E0001]: boom\n  hint: do this");
}

TEST(Status, AssignOrReturnPropagates) {
  int q = 0;
  EXPECT_TRUE(Quarter(8, &q).ok());
  EXPECT_EQ(q, 2);
  Status s = Quarter(6, &q);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.diag().id, "E9999");
  EXPECT_EQ(s.diag().exit, ExitCode::kUsage);
  EXPECT_NE(s.diag().message.find("odd value 3"), std::string::npos);
}

TEST(Status, InternalErrorExitCode) { EXPECT_EQ(InternalError("x").exit, ExitCode::kInternal); }

}  // namespace
}  // namespace ember
