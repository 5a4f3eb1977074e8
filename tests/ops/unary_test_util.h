// Shared check of the float32-only unary operators (neg, sqrt, exp, log): an
// int8 node is refused by Infer with E0301 and a hint to keep the operator in
// float.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "ops/op_test_util.h"

namespace ember::test {

inline void ExpectFloat32Only(ir::OpKind op) {
  OneNode t(op);
  t.In<int8_t>({2}, {1, 2}, Quant(0.5f, 0)).Out(ir::DType::kInt8, {2}, Quant(0.5f, 0));
  auto r = t.Infer();
  ASSERT_FALSE(r.ok()) << ir::OpIrName(op);
  EXPECT_EQ(r.diag().id, "E0301");
  EXPECT_NE(r.diag().hint.find("float32 only"), std::string::npos) << r.diag().hint;
}

}  // namespace ember::test
