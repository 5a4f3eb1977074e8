#include "support/npy.h"

#include <gtest/gtest.h>

#include <string>

namespace ember {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(Npy, RoundTripInt8) {
  NpyArray a;
  a.descr = "|i1";
  a.shape = {1, 2, 3};
  a.data = {1, 2, 3, 4, 5, 250};
  const auto bytes = SerializeNpy(a);
  EXPECT_EQ((bytes.size() - a.data.size()) % 64, 0u);  // header padded to 64
  auto b = ParseNpy(bytes, "t.npy");
  ASSERT_TRUE(b.ok()) << b.diag().ToString();
  EXPECT_EQ(b->descr, "|i1");
  EXPECT_EQ(b->shape, a.shape);
  EXPECT_EQ(b->data, a.data);
}

TEST(Npy, ScalarAndOneDimShapes) {
  NpyArray a;
  a.descr = "<f4";
  a.shape = {};
  a.data = {0, 0, 128, 63};
  auto b = ParseNpy(SerializeNpy(a), "s.npy");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->shape.empty());
  a.shape = {1};
  const auto bytes = SerializeNpy(a);
  EXPECT_NE(std::string(bytes.begin(), bytes.end()).find("(1,)"), std::string::npos);
}

TEST(Npy, ParsesHandWrittenNumpyHeader) {
  // What numpy 1.x writes for np.save(f, np.array([[1,2]], dtype=np.int16)).
  std::string h = "{'descr': '<i2', 'fortran_order': False, 'shape': (1, 2), }";
  h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');  // numpy pads to 64
  h += '\n';
  std::string file = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size()) + '\0' + h;
  file += std::string("\x01\x00\x02\x00", 4);
  auto a = ParseNpy(Bytes(file), "h.npy");
  ASSERT_TRUE(a.ok()) << a.diag().ToString();
  EXPECT_EQ(a->shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(a->data.size(), 4u);
}

TEST(Npy, Rejections) {
  EXPECT_FALSE(ParseNpy(Bytes("hello"), "x").ok());
  NpyArray a;
  a.descr = "|i1";
  a.shape = {4};
  a.data = {1, 2, 3, 4};
  auto bytes = SerializeNpy(a);
  bytes.pop_back();
  auto r = ParseNpy(bytes, "trunc.npy");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0413");
  a.descr = "<c8";
  a.data.assign(32, 0);
  EXPECT_EQ(ParseNpy(SerializeNpy(a), "c.npy").diag().id, "E0411");
  std::string s(reinterpret_cast<const char*>(SerializeNpy(a).data()), 20);
  EXPECT_FALSE(ParseNpy(Bytes(s), "cut.npy").ok());
}

// A shape whose element count overflows 64 bits (2^32 x 2^32 wraps to 0)
// must not pass as an empty array.
TEST(Npy, ShapeWhoseSizeOverflowsIsRejected) {
  NpyArray a;
  a.descr = "<f4";
  for (const std::vector<int64_t>& shape : {std::vector<int64_t>{int64_t{1} << 32, int64_t{1} << 32},
                                            std::vector<int64_t>{int64_t{1} << 40, int64_t{1} << 40, 0},
                                            std::vector<int64_t>{int64_t{1} << 21, int64_t{1} << 21}}) {
    a.shape = shape;
    auto r = ParseNpy(SerializeNpy(a), "huge.npy");
    ASSERT_FALSE(r.ok()) << shape[0];
    EXPECT_EQ(r.diag().id, "E0410") << r.diag().ToString();
    EXPECT_NE(r.diag().message.find("implausibly large"), std::string::npos) << r.diag().message;
  }
}

TEST(Npy, ItemSizes) {
  EXPECT_EQ(NpyDescrItemSize("|i1"), 1u);
  EXPECT_EQ(NpyDescrItemSize("<i8"), 8u);
  EXPECT_EQ(NpyDescrItemSize(">i4"), 0u);
  EXPECT_EQ(NpyDescrItemSize("|i4"), 0u);
}

}  // namespace
}  // namespace ember
