// layout on random chains of transposes, elementwise operators, concatenation,
// pad and mean: the graph after the pass verifies and computes the same values.
#include <random>

#include "unit/passes/pass_test_util.h"

namespace ember::passes::test {
namespace {

std::string ShapeText(const ir::Shape& s) {
  std::string t = "f32" + ir::ShapeToString(s);
  return t;
}

std::string IntsText(const std::vector<int64_t>& v) { return ir::ShapeToString(v); }

// One random graph: a rank-4 input with distinct dimensions through `steps` operators.
std::string RandomGraph(uint32_t seed, int steps) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  ir::Shape s = {2, 3, 4, 5};
  std::string text = "graph \"r\" {\n  input %t0 : " + ShapeText(s) + "\n";
  std::string consts;
  int id = 0;
  for (int k = 0; k < steps; ++k) {
    const std::string in = "%t" + std::to_string(id), out = "%t" + std::to_string(id + 1);
    const int op = pick(6);
    if (op <= 1) {  // transpose, twice as likely
      std::vector<int64_t> perm = {0, 1, 2, 3};
      std::shuffle(perm.begin(), perm.end(), rng);
      s = PermuteShape(s, perm);
      text += "  " + out + " = transpose(" + in + ") {perm=" + IntsText(perm) + "} : " + ShapeText(s) + "\n";
    } else if (op == 2) {
      text += "  " + out + " = relu(" + in + ") : " + ShapeText(s) + "\n";
    } else if (op == 3) {  // add or mul of a broadcast constant of rank 1..4
      ir::Shape c(s.end() - 1 - pick(4), s.end());
      for (int64_t& d : c)
        if (pick(2)) d = 1;
      const std::string name = "%c" + std::to_string(k);
      consts += "  const " + name + " : " + ShapeText(c) + " = " +
                HexRandom(static_cast<size_t>(ir::NumElements(c)), seed * 100 + static_cast<uint32_t>(k)) + "\n";
      const char* bin = pick(2) ? "add" : "mul";
      text += "  " + out + " = " + bin + "(" + (pick(2) ? in + ", " + name : name + ", " + in) + ") : " +
              ShapeText(s) + "\n";
    } else if (op == 4) {  // pad or concatenation with itself
      if (pick(2)) {
        std::vector<int64_t> pads(8);
        for (size_t a = 0; a < 4; ++a) {
          pads[2 * a] = pick(2);
          pads[2 * a + 1] = pick(2);
          s[a] += pads[2 * a] + pads[2 * a + 1];
        }
        text += "  " + out + " = pad(" + in + ") {pads=" + IntsText(pads) + "} : " + ShapeText(s) + "\n";
      } else {
        const int axis = pick(4);
        s[static_cast<size_t>(axis)] *= 2;
        text += "  " + out + " = concatenation(" + in + ", " + in + ") {axis=" + std::to_string(axis) + "} : " +
                ShapeText(s) + "\n";
      }
    } else {  // mean over one or two axes, keeping them
      const int a = pick(4), b = pick(4);
      std::vector<int64_t> axes = {a};
      if (b != a) axes.push_back(b);
      std::sort(axes.begin(), axes.end());
      for (int64_t x : axes) s[static_cast<size_t>(x)] = 1;
      text += "  " + out + " = mean(" + in + ") {axes=" + IntsText(axes) + ", keep_dims=1} : " + ShapeText(s) + "\n";
    }
    ++id;
  }
  return text + consts + "  output %t" + std::to_string(id) + "\n}\n";
}

TEST(Layout, RandomChainsKeepTheirResults) {
  int rewritten = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    const std::string text = RandomGraph(seed, 3 + static_cast<int>(seed % 6));
    const ir::Graph before = ParseValid(text);
    PassOptions o;
    o.keep_io_layout = seed % 3 == 0;
    const ir::Graph after = RunPassOn("layout", before, o);
    if (!(after == before)) ++rewritten;
    ExpectSameResults(before, after, 1e-5f);
    if (HasFailure()) {
      ADD_FAILURE() << "seed " << seed << "\n" << text << "\nafter:\n" << ir::Print(after);
      return;
    }
  }
  EXPECT_GT(rewritten, 100);
}

}  // namespace
}  // namespace ember::passes::test
