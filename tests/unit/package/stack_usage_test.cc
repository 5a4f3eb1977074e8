// The worst-case stack of generated code from gcc's call graph files and the
// linked program's disassembly (package/stack_usage.h), on texts written
// the way arm-none-eabi-gcc 12 and binutils write them.
#include "package/stack_usage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace ember::package {
namespace {

// A -fcallgraph-info=su file: lib0 calls the model's entry in lib1.
const char* kLib0 =
    "graph: { title: \"src/m_lib0.c\"\n"
    "node: { title: \"tvmgen_m_run\" label: \"tvmgen_m_run\\nsrc/m_lib0.c:13:9\\n8 bytes (static)\" }\n"
    "node: { title: \"tvmgen_m___tvm_main__\" label: \"tvmgen_m___tvm_main__\\nsrc/m_lib0.c:8:9\" shape : ellipse }\n"
    "edge: { sourcename: \"tvmgen_m_run\" targetname: \"tvmgen_m___tvm_main__\" label: \"src/m_lib0.c:14:10\" }\n"
    "}\n";

// lib1: main (global) calls two static kernels; conv calls memcpy, which
// gcc does not define; the label of a constprop clone drops its ".0".
std::string Lib1(const std::string& conv_frame = "120 bytes (static)", const std::string& extra = "") {
  return "graph: { title: \"src/m_lib1.c\"\n"
         "node: { title: \"src/m_lib1.c:conv_1.constprop.0\" label: \"conv_1.constprop\\nsrc/m_lib1.c:5:13\\n" +
         conv_frame +
         "\" }\n"
         "node: { title: \"memcpy\" label: \"__builtin_memcpy\\n<built-in>\" shape : ellipse }\n"
         "edge: { sourcename: \"src/m_lib1.c:conv_1.constprop.0\" targetname: \"memcpy\" }\n"
         "node: { title: \"src/m_lib1.c:dw_2\" label: \"dw_2\\nsrc/m_lib1.c:50:13\\n144 bytes (static)\" }\n"
         "node: { title: \"tvmgen_m___tvm_main__\" label: \"tvmgen_m___tvm_main__\\nsrc/m_lib1.c:90:9\\n96 bytes (static)\" }\n"
         "edge: { sourcename: \"tvmgen_m___tvm_main__\" targetname: \"src/m_lib1.c:conv_1.constprop.0\" label: \"x\" }\n"
         "edge: { sourcename: \"tvmgen_m___tvm_main__\" targetname: \"src/m_lib1.c:dw_2\" label: \"y\" }\n" +
         extra + "}\n";
}

// objdump -d --no-show-raw-insn of the linked program. Each function's
// instructions match the compiler's frames above; memcpy pushes 16 bytes.
std::string Program(const std::string& main_body = "", const std::string& more = "") {
  return "\nDisassembly of section .text:\n\n"
         "00008000 <tvmgen_m_run>:\n"
         "    8000:\tpush\t{r3, lr}\n"
         "    8002:\tbl\t8010 <tvmgen_m___tvm_main__>\n"
         "    8006:\tpop\t{r3, pc}\n"
         "\n"
         "00008010 <tvmgen_m___tvm_main__>:\n"
         "    8010:\tstmdb\tsp!, {r4, r5, r6, r7, r8, r9, sl, fp, lr}\n"
         "    8014:\tsub\tsp, #60\t@ 0x3c\n"
         "    8016:\tbl\t8100 <conv_1.constprop.0>\n"
         "    801a:\tbl\t8200 <dw_2>\n" +
         main_body +
         "    801e:\tadd\tsp, #60\t@ 0x3c\n"
         "    8020:\tldmia.w\tsp!, {r4, r5, r6, r7, r8, r9, sl, fp, pc}\n"
         "    8024:\tnop\n"
         "\n"
         "00008100 <conv_1.constprop.0>:\n"
         "    8100:\tpush\t{r4, r5, r6, r7, lr}\n"
         "    8102:\tsub\tsp, #100\t@ 0x64\n"
         "    8104:\tcbz\tr0, 8110 <conv_1.constprop.0+0x10>\n"
         "    8106:\tbl\t8300 <memcpy>\n"
         "    810a:\tb.n\t8104 <conv_1.constprop.0+0x4>\n"
         "    8110:\tadd\tsp, #100\t@ 0x64\n"
         "    8112:\tpop\t{r4, r5, r6, r7, pc}\n"
         "\n"
         "00008200 <dw_2>:\n"
         "    8200:\tstmdb\tsp!, {r4, r5, r6, r7, r8, r9, sl, fp, lr}\n"
         "    8204:\tvpush\t{d8-d9}\n"
         "    8208:\tsub\tsp, #92\t@ 0x5c\n"
         "    820a:\tadd\tsp, #92\t@ 0x5c\n"
         "    820c:\tvpop\t{d8-d9}\n"
         "    8210:\tldmia.w\tsp!, {r4, r5, r6, r7, r8, r9, sl, fp, pc}\n"
         "\n"
         "00008300 <memcpy>:\n"
         "    8300:\tpush\t{r4, r5, r6, lr}\n"
         "    8302:\tldr\tr4, [r1, #0]\n"
         "    8304:\tpop\t{r4, r5, r6, pc}\n"
         "    8306:\t.word\t0x00000000\n" +
         more;
}

const char* kSymbols =
    "00008000 T tvmgen_m_run\n00008010 T tvmgen_m___tvm_main__\n00008100 t conv_1.constprop.0\n"
    "00008200 t dw_2\n00008300 T memcpy\n20000000 B tvmgen_m_arena\n";

StackGraph Graph(const std::string& lib1 = Lib1(), const std::string& program = Program(),
                 const std::string& symbols = kSymbols) {
  StackGraph g;
  EXPECT_TRUE(g.AddCallGraphInfo(kLib0, "m_lib0.ci").ok());
  EXPECT_TRUE(g.AddCallGraphInfo(lib1, "m_lib1.ci").ok());
  g.AddDisassembly(program, symbols);
  return g;
}

// The bound of `root` from the instructions alone: Program() and `more`.
StackBound FromCode(const std::string& more, const std::string& root) {
  StackGraph g;
  g.AddDisassembly(Program("", more), kSymbols);
  return g.WorstCase(root);
}

TEST(StackUsage, DeepestPathThroughTheCallGraph) {
  const StackBound b = Graph().WorstCase("tvmgen_m_run");
  ASSERT_TRUE(b.bounded) << b.why_not;
  // run 8 + main 96 + max(conv 120 + memcpy 16, dw 144) = 248.
  EXPECT_EQ(b.bytes, 8 + 96 + 144);
  ASSERT_EQ(b.path.size(), 3u);
  EXPECT_EQ(b.path[0].function, "tvmgen_m_run");
  EXPECT_EQ(b.path[1].function, "tvmgen_m___tvm_main__");
  EXPECT_EQ(b.path[1].bytes, 96);
  EXPECT_EQ(b.path[2].function, "dw_2");
  EXPECT_EQ(b.path[2].bytes, 144);
  EXPECT_FALSE(b.path[2].from_disassembly);
  // memcpy's figure is its instructions' (the compiler has none).
  EXPECT_EQ(b.from_disassembly, std::vector<std::string>{"memcpy"});
}

TEST(StackUsage, LibraryFunctionOnTheDeepestPath) {
  // A deeper conv: run 8 + main 96 + conv 140 + memcpy 16 = 260.
  const StackBound b = Graph(Lib1("140 bytes (static)")).WorstCase("tvmgen_m_run");
  ASSERT_TRUE(b.bounded) << b.why_not;
  EXPECT_EQ(b.bytes, 8 + 96 + 140 + 16);
  ASSERT_EQ(b.path.size(), 4u);
  EXPECT_EQ(b.path[2].function, "conv_1.constprop.0");
  EXPECT_EQ(b.path[3].function, "memcpy");
  EXPECT_EQ(b.path[3].bytes, 16);
  EXPECT_TRUE(b.path[3].from_disassembly);
}

TEST(StackUsage, InlineAssemblyThatPushesCountsWhereTheCompilerDoesNot) {
  // main's own code pushes 200 bytes in an assembly block (balanced), which
  // the compiler's 96-byte frame does not count: 96 + 200 at that point is
  // deeper than main's deepest call (96 + 144).
  const std::string block =
      "    801c:\tstmdb\tsp!, {r0, r7, fp}\n"
      "    801c:\tpush\t{r2, r4}\n"
      "    801c:\tsub\tsp, #180\n"
      "    801c:\tadd\tsp, #180\n"
      "    801c:\tpop\t{r2, r4}\n"
      "    801c:\tldmia.w\tsp!, {r0, r7, fp}\n";
  const StackBound b = Graph(Lib1(), Program(block)).WorstCase("tvmgen_m_run");
  ASSERT_TRUE(b.bounded) << b.why_not;
  EXPECT_EQ(b.bytes, 8 + 96 + 12 + 8 + 180);
  EXPECT_EQ(b.path.back().function, "tvmgen_m___tvm_main__");
  EXPECT_TRUE(b.path.back().from_disassembly);
  EXPECT_NE(std::find(b.from_disassembly.begin(), b.from_disassembly.end(), "tvmgen_m___tvm_main__"),
            b.from_disassembly.end());
}

TEST(StackUsage, NakedFunctionWithAZeroFrameIsReadFromItsInstructions) {
  // gcc says 0 bytes for a naked function whose assembly pushes 48.
  const std::string lib1 = Lib1("120 bytes (static)",
                                "node: { title: \"src/m_lib1.c:dot8\" label: \"dot8\\nsrc/dsp.h:291:54\\n0 bytes (static)\" }\n"
                                "edge: { sourcename: \"src/m_lib1.c:dw_2\" targetname: \"src/m_lib1.c:dot8\" }\n");
  std::string program = Program();
  program.replace(program.find("    820a:"), 0, "    8209:\tbl\t8400 <dot8>\n");
  program += "\n00008400 <dot8>:\n    8400:\tstmdb\tsp!, {r4, r5, r6, r7, r8, r9, sl, fp, lr}\n"
             "    8404:\tsub\tsp, #12\n    8406:\tadd\tsp, #12\n    8408:\tldmia.w\tsp!, {r4, r5, r6, r7, r8, r9, sl, fp, pc}\n";
  const StackBound b = Graph(lib1, program, std::string(kSymbols) + "00008400 t dot8\n").WorstCase("tvmgen_m_run");
  ASSERT_TRUE(b.bounded) << b.why_not;
  EXPECT_EQ(b.bytes, 8 + 96 + 144 + 48);
  EXPECT_EQ(b.path.back().function, "dot8");
  EXPECT_EQ(b.path.back().bytes, 48);
}

TEST(StackUsage, AliasesFoldedFunctionsAndCallsThatDidNotSurvive) {
  // gcc lists __aeabi_uidiv (optimized away: not in the program) and
  // __aeabi_idiv, which objdump names __divsi3 and nm gives both names;
  // row_2 was folded into row_1 (no figure of its own, an alias in nm).
  const std::string lib1 = Lib1("120 bytes (static)",
                                "node: { title: \"__aeabi_uidiv\" label: \"__aeabi_uidiv\\n<built-in>\" shape : ellipse }\n"
                                "node: { title: \"__aeabi_idiv\" label: \"__aeabi_idiv\\n<built-in>\" shape : ellipse }\n"
                                "edge: { sourcename: \"tvmgen_m___tvm_main__\" targetname: \"__aeabi_uidiv\" }\n"
                                "edge: { sourcename: \"tvmgen_m___tvm_main__\" targetname: \"__aeabi_idiv\" }\n"
                                "edge: { sourcename: \"tvmgen_m___tvm_main__\" targetname: \"src/m_lib1.c:row_2\" }\n");
  const std::string program = Program("", "\n00008500 <__divsi3>:\n    8500:\tpush\t{r4, lr}\n    8502:\tsub\tsp, #200\n"
                                          "    8504:\tadd\tsp, #200\n    8506:\tpop\t{r4, pc}\n"
                                          "\n00008600 <row_1>:\n    8600:\tpush\t{r4, r5, lr}\n    8602:\tpop\t{r4, r5, pc}\n");
  const std::string symbols =
      std::string(kSymbols) + "00008500 T __divsi3\n00008500 T __aeabi_idiv\n00008600 t row_1\n00008600 t row_2\n";
  const StackBound b = Graph(lib1, program, symbols).WorstCase("tvmgen_m_run");
  ASSERT_TRUE(b.bounded) << b.why_not;
  EXPECT_EQ(b.bytes, 8 + 96 + 208);
  EXPECT_EQ(b.path.back().function, "__aeabi_idiv");
  // Without the program, neither has a figure.
  StackGraph g;
  ASSERT_TRUE(g.AddCallGraphInfo(kLib0, "a").ok());
  ASSERT_TRUE(g.AddCallGraphInfo(lib1, "b").ok());
  const StackBound none = g.WorstCase("tvmgen_m_run");
  EXPECT_FALSE(none.bounded);
  EXPECT_NE(none.why_not.find("not linked"), std::string::npos) << none.why_not;
}

TEST(StackUsage, FallsThroughIntoTheNextFunctionAndFollowsTailCalls) {
  // first runs off its end into second (no return); third tail-calls
  // memcpy with its frame popped.
  const std::string more =
      "\n00008700 <first>:\n    8700:\tpush\t{r4, lr}\n    8702:\tmovs\tr0, #1\n"
      "\n00008710 <second>:\n    8710:\tsub\tsp, #40\n    8712:\tadd\tsp, #40\n    8714:\tbx\tlr\n"
      "\n00008720 <third>:\n    8720:\tpush\t{r4, lr}\n    8722:\tpop\t{r4, lr}\n    8724:\tb.w\t8300 <memcpy>\n";
  StackBound b = FromCode(more, "first");
  ASSERT_TRUE(b.bounded) << b.why_not;
  EXPECT_EQ(b.bytes, 8 + 40);
  b = FromCode(more, "third");
  ASSERT_TRUE(b.bounded) << b.why_not;
  EXPECT_EQ(b.bytes, 16);  // its 8 bytes are popped before the tail call; memcpy's 16
}

TEST(StackUsage, ConditionalReturnAndLoopsKeepTheDepth) {
  // An early return in an IT block, then code that still has the frame.
  const std::string more =
      "\n00008800 <early>:\n    8800:\tpush\t{r4, r5, r6, lr}\n    8802:\tcmp\tr0, #0\n"
      "    8804:\tpopeq\t{r4, r5, r6, pc}\n    8806:\tsub\tsp, #16\n    8808:\tbl\t8300 <memcpy>\n"
      "    880c:\tbne.n\t8808 <early+0x8>\n    880e:\tadd\tsp, #16\n    8810:\tpop\t{r4, r5, r6, pc}\n";
  const StackBound b = FromCode(more, "early");
  ASSERT_TRUE(b.bounded) << b.why_not;
  EXPECT_EQ(b.bytes, 16 + 16 + 16);
}

TEST(StackUsage, Armv6mFarJumpsAndSwitchTables) {
  // armv6-m: gcc jumps farther than 2 KB within a function with `bl` (no
  // call; here past a block nothing reaches), and switches through a table
  // with `mov pc, rN`, whose cases may also lie before it (sw+0x4 is
  // reached only through the table).
  const std::string more =
      "\n00008900 <far>:\n    8900:\tpush\t{r4, lr}\n    8902:\tbl\t8908 <far+0x8>\n"
      "    8904:\tsub\tsp, #400\n    8906:\tadd\tsp, #400\n    8908:\tpop\t{r4, pc}\n"
      "\n00008b00 <sw>:\n    8b00:\tpush\t{r4, lr}\n    8b02:\tb.n\t8b0a <sw+0xa>\n"
      "    8b04:\tsub\tsp, #16\n    8b06:\tadd\tsp, #16\n    8b08:\tpop\t{r4, pc}\n"
      "    8b0a:\tldr\tr3, [r2, r3]\n    8b0c:\tmov\tpc, r3\n"
      "    8b0e:\tsub\tsp, #4\n    8b10:\tadd\tsp, #4\n    8b12:\tpop\t{r4, pc}\n";
  StackBound b = FromCode(more, "far");
  ASSERT_TRUE(b.bounded) << b.why_not;
  EXPECT_EQ(b.bytes, 8);
  EXPECT_EQ(b.path.size(), 1u) << "a jump within the function is no call";
  b = FromCode(more, "sw");
  ASSERT_TRUE(b.bounded) << b.why_not;
  EXPECT_EQ(b.bytes, 8 + 16);
  // `mov pc, lr` returns; a `bl` to the function's own start recurses.
  const std::string old_style =
      "\n00008c00 <ret>:\n    8c00:\tsub\tsp, #8\n    8c02:\tadd\tsp, #8\n    8c04:\tmov\tpc, lr\n"
      "    8c06:\tsub\tsp, #400\n    8c08:\tadd\tsp, #400\n    8c0a:\tmov\tpc, lr\n"
      "\n00008d00 <self>:\n    8d00:\tpush\t{r4, lr}\n    8d02:\tbl\t8d00 <self>\n    8d06:\tpop\t{r4, pc}\n";
  b = FromCode(old_style, "ret");
  ASSERT_TRUE(b.bounded) << b.why_not;
  EXPECT_EQ(b.bytes, 8) << "the code after the return is not a switch's case";
  b = FromCode(old_style, "self");
  EXPECT_FALSE(b.bounded);
  EXPECT_NE(b.why_not.find("recursion through self"), std::string::npos) << b.why_not;
}

TEST(StackUsage, ALoopThatPushesHasNoBound) {
  const std::string more = "\n00008a00 <grows>:\n    8a00:\tpush\t{r4, lr}\n    8a02:\tsub\tsp, #8\n"
                           "    8a04:\tbne.n\t8a02 <grows+0x2>\n    8a06:\tpop\t{r4, pc}\n";
  const StackBound b = FromCode(more, "grows");
  EXPECT_FALSE(b.bounded);
  EXPECT_NE(b.why_not.find("grows grows its stack in a loop"), std::string::npos) << b.why_not;
}

TEST(StackUsage, WhatCannotBeBoundedIsSaid) {
  auto why = [](const std::string& extra) {
    const StackBound b = Graph(Lib1("120 bytes (static)", extra)).WorstCase("tvmgen_m_run");
    EXPECT_FALSE(b.bounded);
    return b.why_not;
  };
  EXPECT_NE(why("node: { title: \"src/m_lib1.c:dw_2\" label: \"dw_2\\nx.c:1:1\\n8 bytes (dynamic)\" }\n")
                .find("dw_2 sizes its stack frame at run time"),
            std::string::npos);
  EXPECT_NE(why("node: { title: \"__indirect_call\" label: \"Indirect Call Placeholder\" shape : ellipse }\n"
                "edge: { sourcename: \"src/m_lib1.c:dw_2\" targetname: \"__indirect_call\" }\n")
                .find("dw_2 calls through a function pointer"),
            std::string::npos);
  EXPECT_NE(why("edge: { sourcename: \"src/m_lib1.c:dw_2\" targetname: \"tvmgen_m___tvm_main__\" }\n")
                .find("recursion through"),
            std::string::npos);
  // A function the program holds but the disassembly does not show.
  EXPECT_NE(why("node: { title: \"tvmgen_m_arena\" label: \"tvmgen_m_arena\\n<built-in>\" shape : ellipse }\n"
                "edge: { sourcename: \"src/m_lib1.c:dw_2\" targetname: \"tvmgen_m_arena\" }\n")
                .find("no stack figure for tvmgen_m_arena"),
            std::string::npos);
  // In the instructions: a frame sized at run time, a call or jump through a register.
  std::string program = Program();
  for (const char* insn : {"    8206:\tsub.w\tsp, sp, r3\n", "    8206:\tblx\tr3\n", "    8206:\tbx\tr3\n"}) {
    std::string p = program;
    p.replace(p.find("    8208:"), 0, insn);
    const StackBound b = Graph(Lib1(), p).WorstCase("tvmgen_m_run");
    EXPECT_FALSE(b.bounded) << insn;
    EXPECT_NE(b.why_not.find("dw_2"), std::string::npos) << b.why_not;
  }
}

TEST(StackUsage, RefusesTextThatIsNotACallGraph) {
  StackGraph g;
  for (const char* text : {"", "hello\n", "graph: {\nnode: { title: \"x\" }\n}\n",
                           "graph: {\nedge: { sourcename: \"x\" }\n}\n"}) {
    const Status st = g.AddCallGraphInfo(text, "bad.ci");
    ASSERT_FALSE(st.ok()) << text;
    EXPECT_EQ(st.diag().id, "E0611");
    EXPECT_NE(st.diag().message.find("bad.ci"), std::string::npos) << st.diag().message;
  }
}

}  // namespace
}  // namespace ember::package
