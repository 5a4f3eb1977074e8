#include "map_file.h"

#include <gtest/gtest.h>

namespace ember::bench {
namespace {

// A trimmed map of the kind arm-none-eabi-ld writes: a discarded section
// before the heading, short and long section names, fill, symbols, a
// library member, debug sections.
constexpr const char* kMap = R"(Discarded input sections

 .text.unused   0x00000000       0x10 fw.elf.d/7-kws_lib1.o

Memory Configuration

Linker script and memory map

LOAD fw.elf.d/7-kws_lib0.o
.text           0x00000040     0x1f5c
 .text.ember_cm_timer_init
                0x00000170       0x18 fw.elf.d/2-platform.o
                0x00000170                ember_cm_timer_init
 .text.tvmgen_kws_run
                0x00000400       0x24 fw.elf.d/7-kws_lib0.o
 .text.tvmgen_kws_conv2d_0
                0x00000424      0x200 fw.elf.d/8-kws_lib1.o
 .text          0x00001cd0      0x134 /usr/lib/libc_nano.a(lib_a-memcpy.o)
 *fill*         0x00001ea8       0x18 
.rodata         0x00001fa0     0x7980
 .rodata.tvmgen_kws_w0
                0x00002320      0x300 fw.elf.d/8-kws_lib1.o
 .rodata.tvmgen_kws_profile_names
                0x00002620       0x34 fw.elf.d/8-kws_lib1.o
 .rodata.str1.1
                0x00002654        0x9 fw.elf.d/8-kws_lib1.o
                                  0xc (size before relaxing)
 .rodata.kTable.0
                0x00002660       0x40 fw.elf.d/8-kws_lib1.o
.bss            0x20000000     0x3e90
 .bss.tvmgen_kws_global_workspace
                0x20000000     0x3e80 fw.elf.d/7-kws_lib0.o
 .bss.state     0x20003e80       0x10 fw.elf.d/9-error_codes.o
 .data.x        0x20003e90        0x4 fw.elf.d/6-model_glue.o
 .debug_info    0x00000000      0x999 fw.elf.d/8-kws_lib1.o
)";

TEST(LinkerMap, ReadsShortAndLongSectionLinesAfterTheHeading) {
  std::vector<MapSection> s;
  std::string error;
  ASSERT_TRUE(ParseLinkerMap(kMap, &s, &error)) << error;
  ASSERT_EQ(s.size(), 12u);  // not the discarded .text.unused, no fill, no symbols
  EXPECT_EQ(s[0].name, ".text.ember_cm_timer_init");
  EXPECT_EQ(s[0].size, 0x18u);
  EXPECT_EQ(s[0].object, "fw.elf.d/2-platform.o");
  EXPECT_EQ(s[3].name, ".text");
  EXPECT_EQ(s[3].object, "/usr/lib/libc_nano.a(lib_a-memcpy.o)");
  EXPECT_EQ(s[6].name, ".rodata.str1.1");
  EXPECT_EQ(s[6].size, 9u);  // the size after relaxing
  EXPECT_EQ(s[9].name, ".bss.state");
  EXPECT_EQ(s[9].size, 0x10u);
}

TEST(LinkerMap, RejectsTextWithoutTheHeading) {
  std::vector<MapSection> s;
  std::string error;
  EXPECT_FALSE(ParseLinkerMap("Memory Configuration\n .text 0x0 0x4 a.o\n", &s, &error));
  EXPECT_NE(error.find("Linker script and memory map"), std::string::npos);
}

TEST(LinkerMap, SplitsTheModelsObjectsIntoCodeWeightsAndRam) {
  std::vector<MapSection> s;
  std::string error;
  ASSERT_TRUE(ParseLinkerMap(kMap, &s, &error)) << error;
  const ModelFootprint f =
      MeasureModel(s, {"kws_lib0", "kws_lib1", "error_codes"}, "tvmgen_kws", {"tvmgen_kws_profile_names"});
  // code: run 0x24 + conv 0x200 + profile names 0x34 + str 9 + kTable 0x40;
  // the platform, libc and glue objects do not count.
  EXPECT_EQ(f.code_bytes, 0x24u + 0x200u + 0x34u + 9u + 0x40u);
  EXPECT_EQ(f.weights_bytes, 0x300u);
  EXPECT_EQ(f.bss_bytes, 0x3e80u + 0x10u);
  EXPECT_EQ(f.data_bytes, 0u);  // .data.x belongs to the glue
}

}  // namespace
}  // namespace ember::bench
