#include "memory/planner.h"

#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "frontend/tflite/import.h"
#include "ir/parser.h"
#include "memory/liveness.h"
#include "memory/placement.h"
#include "util/test_util.h"

namespace ember::memory {
namespace {

using ir::OpKind;
using ir::TensorId;

// Builds small graphs of int8 tensors. The planner looks only at sizes and
// at who reads and writes what, so the op kinds are placeholders.
struct Builder {
  ir::Graph g;
  TensorId Act(const std::string& name, int64_t bytes) {
    ir::Tensor t;
    t.name = name;
    t.dtype = ir::DType::kInt8;
    t.shape = {bytes};
    return g.AddTensor(t);
  }
  void Node(OpKind op, std::vector<TensorId> in, std::vector<TensorId> out) {
    g.nodes.push_back({op, "n" + std::to_string(g.nodes.size()), std::move(in), std::move(out), {}});
  }
};

PlanOptions Opts(bool io_in_arena, int64_t alignment = 1) {
  PlanOptions o;
  o.io_in_arena = io_in_arena;
  o.alignment = alignment;
  return o;
}

MemoryPlan PlanOk(const ir::Graph& g, const PlanHints& hints, const PlanOptions& o) {
  auto plan = PlanMemory(g, hints, o);
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.diag().ToString());
  if (!plan.ok()) return MemoryPlan{};
  const Status st = VerifyPlan(g, hints, *plan);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return *plan;
}

// x(100) -> a(200) -> b(50) -> y(30): x -1..0, a 0..1, b 1..2, y 2..3.
ir::Graph Chain() {
  Builder b;
  const auto x = b.Act("x", 100), a = b.Act("a", 200), t = b.Act("b", 50), y = b.Act("y", 30);
  b.g.inputs = {x};
  b.g.outputs = {y};
  b.Node(OpKind::kRelu, {x}, {a});
  b.Node(OpKind::kRelu, {a}, {t});
  b.Node(OpKind::kRelu, {t}, {y});
  return b.g;
}

// x(100) -> a(200); a -> b(50); add(a, b) -> y(30): a stays live 0..2.
ir::Graph Diamond() {
  Builder b;
  const auto x = b.Act("x", 100), a = b.Act("a", 200), t = b.Act("b", 50), y = b.Act("y", 30);
  b.g.inputs = {x};
  b.g.outputs = {y};
  b.Node(OpKind::kRelu, {x}, {a});
  b.Node(OpKind::kRelu, {a}, {t});
  b.Node(OpKind::kAdd, {a, t}, {y});
  return b.g;
}

TEST(Planner, ChainCallerIo) {
  const ir::Graph g = Chain();
  const MemoryPlan p = PlanOk(g, {}, Opts(false));
  EXPECT_EQ(p.arena_bytes, 250);  // a and b live together at step 1
  ASSERT_EQ(p.allocations.size(), 4u);
  EXPECT_FALSE(p.Find(0)->in_arena);
  EXPECT_FALSE(p.Find(3)->in_arena);
  EXPECT_EQ(p.Find(1)->offset, 0);    // largest first
  EXPECT_EQ(p.Find(2)->offset, 200);
  EXPECT_EQ(p.Find(1)->first, 0);
  EXPECT_EQ(p.Find(1)->last, 1);
}

TEST(Planner, ChainIoInArenaReachesLowerBound) {
  const ir::Graph g = Chain();
  const MemoryPlan p = PlanOk(g, {}, Opts(true));
  // Steps need 300, 250, 80 bytes: a@0, x@200, b@200 (x is dead), y@0 (a is dead).
  EXPECT_EQ(ActivationLowerBound(g), 300);
  EXPECT_EQ(p.arena_bytes, 300);
  EXPECT_EQ(p.Find(0)->offset, 200);
  EXPECT_EQ(p.Find(1)->offset, 0);
  EXPECT_EQ(p.Find(2)->offset, 200);
  EXPECT_EQ(p.Find(3)->offset, 0);
  EXPECT_TRUE(p.Find(0)->in_arena);
}

TEST(Planner, Diamond) {
  const ir::Graph g = Diamond();
  EXPECT_EQ(PlanOk(g, {}, Opts(false)).arena_bytes, 250);
  const MemoryPlan p = PlanOk(g, {}, Opts(true));
  // a@0, x@200, b@200, y must avoid a and b: @250; the peak is x+a = 300.
  EXPECT_EQ(p.arena_bytes, 300);
  EXPECT_EQ(p.Find(3)->offset, 250);
}

TEST(Planner, AlignmentRoundsOffsetsAndArena) {
  Builder b;
  const auto x = b.Act("x", 8), a = b.Act("a", 10), t = b.Act("b", 10), y = b.Act("y", 8);
  b.g.inputs = {x};
  b.g.outputs = {y};
  b.Node(OpKind::kRelu, {x}, {a});
  b.Node(OpKind::kRelu, {a}, {t});
  b.Node(OpKind::kRelu, {t}, {y});
  const MemoryPlan p = PlanOk(b.g, {}, Opts(false, 16));
  EXPECT_EQ(p.alignment, 16);
  EXPECT_EQ(p.Find(a)->offset, 0);   // equal sizes: earlier first use first
  EXPECT_EQ(p.Find(t)->offset, 16);  // 10 rounded up to 16
  EXPECT_EQ(p.arena_bytes, 32);      // 26 rounded up to 32
}

// x(64) -> relu -> a -> reshape -> b -> reshape -> c -> relu -> y, all 64 bytes.
struct AliasChain {
  ir::Graph g;
  TensorId x, a, b, c, y;
  AliasChain() {
    Builder bl;
    x = bl.Act("x", 64), a = bl.Act("a", 64), b = bl.Act("b", 64), c = bl.Act("c", 64), y = bl.Act("y", 64);
    bl.g.inputs = {x};
    bl.g.outputs = {y};
    bl.Node(OpKind::kRelu, {x}, {a});
    bl.Node(OpKind::kReshape, {a}, {b});
    bl.Node(OpKind::kReshape, {b}, {c});
    bl.Node(OpKind::kRelu, {c}, {y});
    g = bl.g;
  }
};

TEST(Planner, AliasChainSharesOneBuffer) {
  const AliasChain m;
  EXPECT_EQ(PlanOk(m.g, {}, Opts(false, 16)).arena_bytes, 128);  // copies: a,b then b,c alternate
  PlanHints h;
  h.aliases = {{m.b, m.a}, {m.c, m.b}};
  const MemoryPlan p = PlanOk(m.g, h, Opts(false, 16));
  EXPECT_EQ(p.arena_bytes, 64);
  EXPECT_EQ(p.Find(m.b)->offset, p.Find(m.a)->offset);
  EXPECT_EQ(p.Find(m.c)->offset, p.Find(m.a)->offset);
  EXPECT_FALSE(p.Find(m.a)->aliased);
  EXPECT_TRUE(p.Find(m.b)->aliased);
  EXPECT_TRUE(p.Find(m.c)->aliased);
  EXPECT_EQ(p.Find(m.c)->first, 2);  // each allocation keeps its own lifetime
  EXPECT_EQ(p.Find(m.c)->last, 3);
}

TEST(Planner, AliasOfCallerBuffersIsNotMerged) {
  Builder bl;
  const auto x = bl.Act("x", 64), a = bl.Act("a", 64), y = bl.Act("y", 64);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kReshape, {x}, {a});
  bl.Node(OpKind::kRelu, {a}, {y});
  PlanHints h;
  h.aliases = {{a, x}};
  const MemoryPlan caller = PlanOk(bl.g, h, Opts(false, 16));
  EXPECT_EQ(caller.arena_bytes, 64);  // a alone; the copy from x runs
  EXPECT_FALSE(caller.Find(a)->aliased);
  EXPECT_FALSE(caller.Find(x)->in_arena);
  const MemoryPlan arena = PlanOk(bl.g, h, Opts(true, 16));
  EXPECT_EQ(arena.arena_bytes, 128);  // {x,a} live -1..1 and y live 1..2
  EXPECT_TRUE(arena.Find(a)->aliased);
  EXPECT_EQ(arena.Find(a)->offset, arena.Find(x)->offset);
}

TEST(Planner, AliasIntoCallerOutputIsNotMerged) {
  Builder bl;
  const auto x = bl.Act("x", 64), a = bl.Act("a", 64), y = bl.Act("y", 64);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kRelu, {x}, {a});
  bl.Node(OpKind::kReshape, {a}, {y});
  PlanHints h;
  h.aliases = {{y, a}};
  const MemoryPlan p = PlanOk(bl.g, h, Opts(false, 16));
  EXPECT_EQ(p.arena_bytes, 64);
  EXPECT_FALSE(p.Find(y)->aliased);
  EXPECT_FALSE(p.Find(y)->in_arena);
}

// x -> relu -> a(64) -> relu -> b(64) -> conv -> y(32); `a_lives_on` adds a to the last node.
ir::Graph InplaceGraph(bool a_lives_on) {
  Builder bl;
  const auto x = bl.Act("x", 64), a = bl.Act("a", 64), b = bl.Act("b", 64), y = bl.Act("y", 32);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kRelu, {x}, {a});
  bl.Node(OpKind::kRelu, {a}, {b});
  bl.Node(OpKind::kAdd, a_lives_on ? std::vector<TensorId>{a, b} : std::vector<TensorId>{b}, {y});
  return bl.g;
}

TEST(Planner, InplaceWhenInputDies) {
  const ir::Graph g = InplaceGraph(false);
  PlanHints h;
  h.overlaps = {{2, 1, 0}};
  EXPECT_EQ(PlanOk(g, {}, Opts(false, 16)).arena_bytes, 128);
  const MemoryPlan p = PlanOk(g, h, Opts(false, 16));
  EXPECT_EQ(p.arena_bytes, 64);
  EXPECT_TRUE(p.Find(2)->aliased);
  EXPECT_EQ(p.Find(2)->offset, p.Find(1)->offset);
}

TEST(Planner, NoInplaceWhenInputLivesOn) {
  const ir::Graph g = InplaceGraph(true);
  PlanHints h;
  h.overlaps = {{2, 1, 0}};
  const MemoryPlan p = PlanOk(g, h, Opts(false, 16));
  EXPECT_EQ(p.arena_bytes, 128);
  EXPECT_FALSE(p.Find(2)->aliased);
  EXPECT_NE(p.Find(2)->offset, p.Find(1)->offset);
}

TEST(Planner, InplaceRejectedWhenItGrowsTheArena) {
  // x -> n0 -> a(16) -> n1 (in place, scratch 64) -> b(16) -> n2 -> d(32) -> n3 (scratch 64) -> y.
  // Apart, the first-use order fits 96 bytes: a@0, s1@16, b@80, d@0, s3@32.
  // Merged, {a,b} lives 0..2 and meets s1 (step 1) and d (step 2); every one
  // of the four orders then ends at 112 (e.g. by size: s1@0, s3@0, d@64,
  // {a,b}@96), so the hint is legal but not applied.
  Builder bl;
  const auto x = bl.Act("x", 16), a = bl.Act("a", 16), b = bl.Act("b", 16), d = bl.Act("d", 32),
             y = bl.Act("y", 16);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kRelu, {x}, {a});
  bl.Node(OpKind::kRelu, {a}, {b});
  bl.Node(OpKind::kConv2D, {b}, {d});
  bl.Node(OpKind::kConv2D, {d}, {y});
  PlanHints h;
  h.scratch_bytes = {0, 64, 0, 64};
  h.overlaps = {{b, a, 0}};
  const MemoryPlan p = PlanOk(bl.g, h, Opts(false, 16));
  EXPECT_EQ(p.arena_bytes, 96);
  EXPECT_FALSE(p.Find(b)->aliased);
  EXPECT_NE(p.Find(b)->offset, p.Find(a)->offset);
}

TEST(Planner, InplaceChainAfterAlias) {
  // a -> reshape -> b (alias), then relu in place over b -> c: {a,b} dies at the relu.
  Builder bl;
  const auto x = bl.Act("x", 48), a = bl.Act("a", 48), b = bl.Act("b", 48), c = bl.Act("c", 48),
             y = bl.Act("y", 16);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kRelu, {x}, {a});
  bl.Node(OpKind::kReshape, {a}, {b});
  bl.Node(OpKind::kRelu, {b}, {c});
  bl.Node(OpKind::kRelu, {c}, {y});
  PlanHints h;
  h.aliases = {{b, a}};
  h.overlaps = {{c, b, 0}};
  const MemoryPlan p = PlanOk(bl.g, h, Opts(false, 16));
  EXPECT_EQ(p.arena_bytes, 48);
  EXPECT_EQ(p.Find(c)->offset, p.Find(a)->offset);
  EXPECT_TRUE(p.Find(b)->aliased);
  EXPECT_TRUE(p.Find(c)->aliased);
}

// x(160) -> n0 -> a(160) -> n1 -> b(160) -> n2 -> c(160) -> n3 -> y(16),
// optionally with a read by n3 too (a lives on).
ir::Graph ShiftChain(bool a_lives_on) {
  Builder bl;
  const auto x = bl.Act("x", 160), a = bl.Act("a", 160), b = bl.Act("b", 160), c = bl.Act("c", 160),
             y = bl.Act("y", 16);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kConv2D, {x}, {a});
  bl.Node(OpKind::kDepthwiseConv2D, {a}, {b});
  bl.Node(OpKind::kConv2D, {b}, {c});
  bl.Node(OpKind::kAdd, a_lives_on ? std::vector<TensorId>{c, a} : std::vector<TensorId>{c}, {y});
  return bl.g;
}

TEST(Planner, OverlapPlacesTheOutputBelowItsDyingInput) {
  const ir::Graph g = ShiftChain(false);
  PlanHints h;
  h.overlaps = {{2, 1, -20}};  // b must start at least 20 bytes below a
  EXPECT_EQ(PlanOk(g, {}, Opts(false, 16)).arena_bytes, 320);
  const MemoryPlan p = PlanOk(g, h, Opts(false, 16));
  // -20 rounds down to -32: a and b together take 192 bytes.
  EXPECT_EQ(p.arena_bytes, 320);  // step 2 still holds b and c (no hint there)
  h.overlaps.push_back({3, 2, -40});
  const MemoryPlan q = PlanOk(g, h, Opts(false, 16));
  // b at a - 32, c at b - 48: the chain drifts down by 80 bytes, 240 in all
  // (each step alone would need 208).
  EXPECT_EQ(q.arena_bytes, 240);
  EXPECT_EQ(q.Find(2)->offset, q.Find(1)->offset - 32);
  EXPECT_EQ(q.Find(3)->offset, q.Find(2)->offset - 48);
  EXPECT_TRUE(q.Find(2)->aliased);
  EXPECT_TRUE(q.Find(3)->aliased);
}

TEST(Planner, OverlapWithPositiveDeltaAndLargerOutput) {
  // a(64) -> b(128) whose kernel allows b up to 40 bytes above a: b at or
  // below a + 32 (rounded down); at a itself both take 128 bytes, not 192.
  Builder bl;
  const auto x = bl.Act("x", 16), a = bl.Act("a", 64), b = bl.Act("b", 128), y = bl.Act("y", 16);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kConv2D, {x}, {a});
  bl.Node(OpKind::kConv2D, {a}, {b});
  bl.Node(OpKind::kConv2D, {b}, {y});
  PlanHints h;
  h.overlaps = {{b, a, 40}};
  const MemoryPlan p = PlanOk(bl.g, h, Opts(false, 16));
  EXPECT_EQ(p.arena_bytes, 128);
  EXPECT_LE(p.Find(b)->offset, p.Find(a)->offset + 40);
  EXPECT_TRUE(p.Find(b)->aliased);
}

TEST(Planner, NoOverlapWithAnInputThatLivesOn) {
  const ir::Graph g = ShiftChain(true);
  PlanHints h;
  h.overlaps = {{2, 1, -32}};
  const MemoryPlan p = PlanOk(g, h, Opts(false, 16));
  EXPECT_FALSE(p.Find(2)->aliased);
  const Allocation* a = p.Find(1);
  const Allocation* b = p.Find(2);
  EXPECT_TRUE(a->offset >= b->offset + b->bytes || b->offset >= a->offset + a->bytes);
}

TEST(Planner, NoOverlapWithACallerOwnedInput) {
  const ir::Graph g = ShiftChain(false);
  PlanHints h;
  h.overlaps = {{1, 0, -32}, {2, 1, -32}, {3, 2, -48}};  // the first: a over the graph input x
  const MemoryPlan caller = PlanOk(g, h, Opts(false, 16));
  EXPECT_FALSE(caller.Find(0)->in_arena);
  EXPECT_FALSE(caller.Find(1)->aliased);
  EXPECT_EQ(caller.arena_bytes, 240);
  const MemoryPlan inside = PlanOk(g, h, Opts(true, 16));  // in the arena, x may be overwritten
  EXPECT_TRUE(inside.Find(1)->aliased);
  EXPECT_LE(inside.Find(1)->offset, inside.Find(0)->offset - 32);
  EXPECT_EQ(inside.arena_bytes, 272);  // 160 + 32 + 32 + 48
}

TEST(Planner, ResidualAddOverwritesTheOperandThatDies) {
  // n0: x -> a, n1: a -> b, n2: add(a, b) -> y; both operands die at n2, the
  // kernel declares in-place for operand 1 only.
  Builder bl;
  const auto x = bl.Act("x", 64), a = bl.Act("a", 64), b = bl.Act("b", 64), y = bl.Act("y", 64);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kConv2D, {x}, {a});
  bl.Node(OpKind::kConv2D, {a}, {b});
  bl.Node(OpKind::kAdd, {a, b}, {y});
  PlanHints h;
  h.overlaps = {{y, b, 0}};
  EXPECT_EQ(PlanOk(bl.g, {}, Opts(true, 16)).arena_bytes, 192);
  const MemoryPlan p = PlanOk(bl.g, h, Opts(true, 16));
  EXPECT_EQ(p.arena_bytes, 128);
  EXPECT_EQ(p.Find(y)->offset, p.Find(b)->offset);
}

TEST(Planner, UpwardOverlapTurnsAChainBack) {
  // b over a either 32 bytes below (forward) or 32 above (its kernel in
  // reverse), c over b 32 below: with the upward choice the chain returns to
  // where it started and needs 192 bytes instead of 224.
  const ir::Graph g = ShiftChain(false);
  PlanHints forward;
  forward.overlaps = {{2, 1, -32}, {3, 2, -32}};
  EXPECT_EQ(PlanOk(g, forward, Opts(false, 16)).arena_bytes, 224);
  PlanHints both = forward;
  both.overlaps.push_back({2, 1, 32, /*upward=*/true});
  const MemoryPlan p = PlanOk(g, both, Opts(false, 16));
  EXPECT_EQ(p.arena_bytes, 192);
  EXPECT_TRUE(p.Find(2)->reversed);
  EXPECT_GE(p.Find(2)->offset, p.Find(1)->offset + 32);
  EXPECT_FALSE(p.Find(3)->reversed);
  // The same offsets with the kernel in forward order are an error.
  MemoryPlan q = p;
  q.allocations[2].reversed = false;
  EXPECT_FALSE(VerifyPlan(g, both, q).ok());
}

TEST(VerifyPlan, OverlapHintJustifiesOnlyLegalOverlaps) {
  const ir::Graph g = ShiftChain(false);
  PlanHints h;
  h.overlaps = {{2, 1, -32}, {3, 2, -48}};
  const MemoryPlan p = PlanOk(g, h, Opts(false, 16));
  ASSERT_TRUE(p.Find(2)->aliased);
  EXPECT_TRUE(VerifyPlan(g, h, p).ok());
  EXPECT_FALSE(VerifyPlan(g, {}, p).ok());  // without the hints the overlaps are errors
  auto rejects = [&](const PlanHints& hints, auto edit) {
    MemoryPlan q = p;
    edit(q);
    const Status st = VerifyPlan(g, hints, q);
    return !st.ok() && st.diag().id == "E0602";
  };
  // b 16 bytes higher than the hint allows (a - 16 > a - 32).
  EXPECT_TRUE(rejects(h, [](MemoryPlan& q) {
    q.allocations[2].offset += 16;
    q.allocations[3].offset += 16;
  }));
  // A smaller delta than the plan used.
  PlanHints tighter = h;
  tighter.overlaps[0].delta = -48;
  EXPECT_TRUE(rejects(tighter, [](MemoryPlan&) {}));
  // The same offsets where a is still read after b is written.
  const ir::Graph lives_on = ShiftChain(true);
  MemoryPlan r = PlanOk(lives_on, {}, Opts(false, 16));
  const int64_t base = r.arena_bytes;
  r.allocations[1].offset = base + 32;  // a
  r.allocations[2].offset = base;       // b: a - 32, as the hint would allow
  r.allocations[3].offset = base + 192; // c apart from both
  r.arena_bytes = base + 352;
  EXPECT_FALSE(VerifyPlan(lives_on, h, r).ok());
}

TEST(Planner, OverlapPlansAreDeterministic) {
  const ir::Graph g = ShiftChain(false);
  PlanHints h;
  h.overlaps = {{2, 1, -32}, {3, 2, -48}, {1, 0, -16}};
  h.scratch_bytes = {16, 0, 48};
  const MemoryPlan p1 = PlanOk(g, h, Opts(true, 16));
  const MemoryPlan p2 = PlanOk(g, h, Opts(true, 16));
  ASSERT_EQ(p1.allocations.size(), p2.allocations.size());
  EXPECT_EQ(p1.arena_bytes, p2.arena_bytes);
  for (size_t i = 0; i < p1.allocations.size(); ++i) EXPECT_EQ(p1.allocations[i].offset, p2.allocations[i].offset);
}

TEST(Planner, HintsWithConstantInputsAreNotApplied) {
  Builder bl;
  const auto x = bl.Act("x", 64), a = bl.Act("a", 64), b = bl.Act("b", 64), y = bl.Act("y", 64);
  ir::Tensor w;
  w.name = "w";
  w.dtype = ir::DType::kInt8;
  w.shape = {64};
  w.data = std::vector<uint8_t>(64, 1);
  const auto wid = bl.g.AddTensor(w);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kReshape, {wid}, {a});   // a copy of a constant
  bl.Node(OpKind::kMul, {wid, x}, {b});    // elementwise with the constant as operand 0
  bl.Node(OpKind::kAdd, {a, b}, {y});
  PlanHints h;
  h.aliases = {{a, wid}};
  h.overlaps = {{b, wid, 0}};
  const MemoryPlan p = PlanOk(bl.g, h, Opts(true, 16));
  EXPECT_FALSE(p.Find(a)->aliased);
  EXPECT_FALSE(p.Find(b)->aliased);
  EXPECT_EQ(p.Find(wid), nullptr);  // constants are not planned
  // x -1..1, a 0..2, b 1..2, y 2..3: step 2 holds a, b and y.
  EXPECT_EQ(p.arena_bytes, 192);
}

TEST(Planner, ScratchLiveAtItsStepOnly) {
  Builder bl;
  const auto x = bl.Act("x", 64), a = bl.Act("a", 64), b = bl.Act("b", 64), c = bl.Act("c", 64),
             y = bl.Act("y", 64);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kRelu, {x}, {a});
  bl.Node(OpKind::kConv2D, {a}, {b});
  bl.Node(OpKind::kRelu, {b}, {c});
  bl.Node(OpKind::kRelu, {c}, {y});
  PlanHints h;
  h.scratch_bytes = {0, 32};  // shorter than the node list: the rest need none
  const MemoryPlan p = PlanOk(bl.g, h, Opts(false, 16));
  EXPECT_EQ(p.arena_bytes, 160);  // step 1: a + b + scratch = 64 + 64 + 32
  ASSERT_EQ(p.allocations.size(), 6u);
  const Allocation* s = p.Scratch(1);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->tensor, ir::kNoTensor);
  EXPECT_EQ(s->bytes, 32);
  EXPECT_EQ(s->first, 1);
  EXPECT_EQ(s->last, 1);
  EXPECT_EQ(s->offset % 16, 0);
  EXPECT_EQ(p.Scratch(0), nullptr);
  EXPECT_EQ(&p.allocations.back(), s);  // scratch after the activations
}

// A residual block as in ic, 16 times smaller: t0 is read again by the add,
// t2 may be written over t1 from 48 bytes below it, the add over t2 in place.
// The ops are placeholders (the planner sees only sizes and who reads what).
constexpr const char* kResidualBlock = R"(graph "residual" {
  input %x : i8[192]
  %t0 = relu(%x) : i8[1024]
  %t1 = relu(%t0) : i8[1024]
  %t2 = relu(%t1) : i8[1024]
  %t3 = add(%t0, %t2) : i8[1024]
  %y = relu(%t3) : i8[64]
  output %y
})";

TEST(Planner, ScratchPlacedLastKeepsTheOverlapOfAResidualBlock) {
  auto g = ir::Parse(kResidualBlock);
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  PlanHints h;
  h.overlaps = {{3, 2, -48}, {4, 3, 0}, {4, 1, 0}};
  h.scratch_bytes = {16, 64, 64};  // the im2col buffers of three convolutions
  const MemoryPlan p = PlanOk(*g, h, Opts(true, 16));
  // The tensors sit where they would without any scratch (t0 at 0, t2 48
  // bytes below t1, the add in place over t0), each scratch region in the
  // lowest hole free at its step: 2,096 + 64 bytes.
  EXPECT_EQ(PlanSummary(*g, p), R"(arena 2160 bytes, alignment 16, greedy-by-conflicts, fillers last
buffer                 bytes     offset  live        note
x                        192       1024  -1..0
t0                      1024          0  0..3
t1                      1024       1072  1..2
t2                      1024       1024  2..3        shares bytes
t3                      1024          0  3..4        shares bytes
y                         64       1024  4..5
scratch of node 0         16       1216  0..0
scratch of node 1         64       2096  1..1
scratch of node 2         64       2096  2..2
)");
  h.scratch_bytes.clear();
  const MemoryPlan bare = PlanOk(*g, h, Opts(true, 16));
  EXPECT_EQ(bare.arena_bytes, 2096);
  for (size_t t = 0; t < 6; ++t) EXPECT_EQ(bare.allocations[t].offset, p.allocations[t].offset) << t;
}

// The same blocks at the placement level: with the scratch ordered among the
// tensors (not fillers), no ordering leaves room below t1 for t2, and the
// arena holds three whole tensors and a scratch region.
TEST(Placement, FillersLastFindTheOverlapTheMixedOrdersMiss) {
  std::vector<Block> blocks = {{-1, 0, 192, 0},  {0, 3, 1024, 1}, {1, 2, 1024, 2}, {2, 3, 1024, 3},
                               {3, 4, 1024, 4},  {4, 5, 64, 5},   {0, 0, 16, 6},   {1, 1, 64, 7},
                               {2, 2, 64, 8}};
  const std::vector<Relation> relations = {{3, 2, -48}, {4, 3, 0}, {4, 1, 0}};
  const Placement mixed = PlaceBlocks(blocks, 16, relations);
  for (size_t k = 6; k < blocks.size(); ++k) blocks[k].filler = true;
  const Placement last = PlaceBlocks(blocks, 16, relations);
  EXPECT_EQ(mixed.arena_bytes, 3 * 1024 + 64);
  EXPECT_EQ(last.arena_bytes, 2160);
  EXPECT_EQ(last.algorithm, "greedy-by-conflicts, fillers last");
  EXPECT_EQ(last.offsets[3], last.offsets[2] - 48);  // t2 below t1
}

TEST(Planner, ZeroSizeTensorTakesNoSpace) {
  Builder bl;
  const auto x = bl.Act("x", 64), z = bl.Act("z", 0), a = bl.Act("a", 64), y = bl.Act("y", 64);
  bl.g.inputs = {x};
  bl.g.outputs = {y};
  bl.Node(OpKind::kRelu, {x}, {z});
  bl.Node(OpKind::kRelu, {z}, {a});
  bl.Node(OpKind::kRelu, {a}, {y});
  const MemoryPlan p = PlanOk(bl.g, {}, Opts(false, 16));
  EXPECT_EQ(p.arena_bytes, 64);
  EXPECT_EQ(p.Find(z)->bytes, 0);
  EXPECT_TRUE(p.Find(z)->in_arena);
}

TEST(Planner, GraphWithoutNodes) {
  Builder bl;
  const auto x = bl.Act("x", 20);
  bl.g.inputs = {x};
  bl.g.outputs = {x};
  const MemoryPlan caller = PlanOk(bl.g, {}, Opts(false, 16));
  EXPECT_EQ(caller.arena_bytes, 0);
  ASSERT_EQ(caller.allocations.size(), 1u);
  EXPECT_FALSE(caller.allocations[0].in_arena);
  const MemoryPlan arena = PlanOk(bl.g, {}, Opts(true, 16));
  EXPECT_EQ(arena.arena_bytes, 32);
  EXPECT_EQ(arena.Find(x)->offset, 0);
  ir::Graph empty;
  EXPECT_EQ(PlanOk(empty, {}, Opts(true, 16)).arena_bytes, 0);
}

TEST(Planner, Deterministic) {
  const AliasChain m;
  PlanHints h;
  h.aliases = {{m.b, m.a}};
  h.scratch_bytes = {16, 0, 48};
  const MemoryPlan p1 = PlanOk(m.g, h, Opts(true, 16));
  const MemoryPlan p2 = PlanOk(m.g, h, Opts(true, 16));
  EXPECT_EQ(p1.arena_bytes, p2.arena_bytes);
  EXPECT_EQ(p1.algorithm, p2.algorithm);
  ASSERT_EQ(p1.allocations.size(), p2.allocations.size());
  for (size_t i = 0; i < p1.allocations.size(); ++i) {
    EXPECT_EQ(p1.allocations[i].offset, p2.allocations[i].offset) << i;
    EXPECT_EQ(p1.allocations[i].tensor, p2.allocations[i].tensor) << i;
    EXPECT_EQ(p1.allocations[i].aliased, p2.allocations[i].aliased) << i;
  }
}

TEST(Planner, InconsistentHintsAreRejected) {
  const AliasChain m;
  auto fails = [&](const PlanHints& h, int64_t alignment = 16) {
    auto p = PlanMemory(m.g, h, Opts(false, alignment));
    return !p.ok() && p.diag().id == "E0601" && p.diag().exit == ExitCode::kInternal;
  };
  PlanHints not_read;
  not_read.aliases = {{m.c, m.a}};  // node 2 reads b, not a
  EXPECT_TRUE(fails(not_read));
  PlanHints bad_id;
  bad_id.overlaps = {{99, m.a, 0}};
  EXPECT_TRUE(fails(bad_id));
  PlanHints negative;
  negative.scratch_bytes = {0, -4};
  EXPECT_TRUE(fails(negative));
  PlanHints too_long;
  too_long.scratch_bytes = {0, 0, 0, 0, 8};
  EXPECT_TRUE(fails(too_long));
  EXPECT_TRUE(fails({}, 0));
  Builder bl;  // alias between tensors of different sizes
  const auto x = bl.Act("x", 8), a = bl.Act("a", 4);
  bl.g.inputs = {x};
  bl.g.outputs = {a};
  bl.Node(OpKind::kReshape, {x}, {a});
  PlanHints sizes;
  sizes.aliases = {{a, x}};
  EXPECT_FALSE(PlanMemory(bl.g, sizes, Opts(true)).ok());
}

TEST(VerifyPlan, CatchesBrokenPlans) {
  const ir::Graph g = Diamond();
  const MemoryPlan good = PlanOk(g, {}, Opts(true, 4));
  auto broken = [&](auto edit) {
    MemoryPlan p = good;
    edit(p);
    const Status st = VerifyPlan(g, {}, p);
    return !st.ok() && st.diag().id == "E0602";
  };
  // b overlaps a while both live.
  EXPECT_TRUE(broken([](MemoryPlan& p) { p.allocations[2].offset = p.allocations[1].offset; }));
  EXPECT_TRUE(broken([](MemoryPlan& p) { p.allocations[2].offset += 2; }));          // misaligned
  EXPECT_TRUE(broken([](MemoryPlan& p) { p.arena_bytes -= 4; }));                    // past the end
  EXPECT_TRUE(broken([](MemoryPlan& p) { p.arena_bytes += 2; }));                    // arena not aligned
  EXPECT_TRUE(broken([](MemoryPlan& p) { p.allocations[1].last = 1; }));             // shortened lifetime
  EXPECT_TRUE(broken([](MemoryPlan& p) { p.allocations.pop_back(); }));              // missing tensor
  EXPECT_TRUE(broken([](MemoryPlan& p) { p.allocations[1].in_arena = false; }));     // inner tensor outside
  EXPECT_TRUE(VerifyPlan(g, {}, good).ok());
}

TEST(VerifyPlan, InplaceHintJustifiesOnlyLegalSharing) {
  PlanHints h;
  h.overlaps = {{2, 1, 0}};
  const ir::Graph ok_graph = InplaceGraph(false);
  MemoryPlan p = PlanOk(ok_graph, h, Opts(false, 16));
  EXPECT_TRUE(VerifyPlan(ok_graph, h, p).ok());
  EXPECT_FALSE(VerifyPlan(ok_graph, {}, p).ok());  // without the hint the sharing is an overlap
  const ir::Graph lives_on = InplaceGraph(true);
  MemoryPlan q = PlanOk(lives_on, h, Opts(false, 16));
  q.allocations[2].offset = q.allocations[1].offset;  // a is still read after b is written
  EXPECT_FALSE(VerifyPlan(lives_on, h, q).ok());
}

TEST(Planner, SummaryTable) {
  const ir::Graph g = Chain();
  const std::string s = PlanSummary(g, PlanOk(g, {}, Opts(false)));
  EXPECT_NE(s.find("arena 250 bytes, alignment 1"), std::string::npos) << s;
  EXPECT_NE(s.find("caller"), std::string::npos) << s;
  EXPECT_NE(s.find("0..1"), std::string::npos) << s;
  EXPECT_NE(s.find("\nb "), std::string::npos) << s;
}

// The acceptance figure of the static memory plan: with inputs and outputs in
// the arena and reshapes/squeezes aliased, the arena of each MLPerf Tiny model
// is within 10 % of the naive activation lower bound that `ember analyze`
// prints (the bounds are the figures stated in the issue).
TEST(Planner, MlperfTinyWithinTenPercentOfLowerBound) {
  EMBER_REQUIRE_SHARED();
  const std::vector<std::pair<std::string, int64_t>> models = {
      {"kws", 16000}, {"vww", 55296}, {"ic", 49152}, {"ad", 768}};
  for (const auto& [name, bound] : models) {
    auto g = frontend::tflite::ImportTfliteFile(test::SharedDir() + "/models/" + name + ".tflite");
    ASSERT_TRUE(g.ok()) << g.diag().ToString();
    EXPECT_EQ(ActivationLowerBound(*g), bound) << name;
    PlanHints h;
    for (const ir::Node& n : g->nodes) {
      if (n.op == OpKind::kReshape || n.op == OpKind::kSqueeze) h.aliases.emplace_back(n.outputs[0], n.inputs[0]);
    }
    const MemoryPlan p = PlanOk(*g, h, Opts(true, 16));
    std::cout << "[ figures  ] " << name << ": arena " << p.arena_bytes << " B, lower bound " << bound << " B ("
              << p.algorithm << ")\n";
    EXPECT_LE(p.arena_bytes * 10, bound * 11) << name;
    EXPECT_GT(p.arena_bytes, 0) << name;
  }
}

}  // namespace
}  // namespace ember::memory
