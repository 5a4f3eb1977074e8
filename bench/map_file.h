// Reading GNU ld map files (-Wl,-Map) of firmware built by
// runtime/platform/cortex-m/build.sh, and splitting the bytes of the model's
// objects into code, weights and RAM.
#ifndef EMBER_BENCH_MAP_FILE_H_
#define EMBER_BENCH_MAP_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ember::bench {

// One input section the linker placed: `.text.tvmgen_kws_run`, 0x40 bytes,
// from `kws.elf.d/7-kws_lib0.o`.
struct MapSection {
  std::string name;
  uint64_t size = 0;
  std::string object;
};

// Every input section listed under "Linker script and memory map" that has an
// address, a size and an object (sections the linker discarded are listed
// before that heading and are skipped, as are *fill* padding, symbols and
// LOAD lines). A long section name stands alone on its line and its address,
// size and object follow on the next; both layouts are read. Returns false
// and sets `error` when the heading is missing.
bool ParseLinkerMap(const std::string& text, std::vector<MapSection>* out, std::string* error);

// The footprint of the model inside one firmware image.
struct ModelFootprint {
  uint64_t code_bytes = 0;     // .text + .rodata that is not weights (flash)
  uint64_t weights_bytes = 0;  // the constant pool's arrays (flash)
  uint64_t data_bytes = 0;     // .data (RAM, with a copy in flash)
  uint64_t bss_bytes = 0;      // .bss: the arena and any other state (RAM)
};

// Sums the sections of the model's objects: an object counts when its file
// name ends in "-<stem>.o" for one of `object_stems` (build.sh names objects
// "<k>-<source stem>.o"; the stems are the generated sources and the runtime
// sources of the MLF). A `.rodata.<const_prefix>...` section is weights
// (the constant pool names every array "<prefix>_<hint>" and GCC's
// -fdata-sections puts each in its own section), except the names listed in
// `not_weights` (e.g. the profile names table); other .rodata is code.
ModelFootprint MeasureModel(const std::vector<MapSection>& sections,
                            const std::vector<std::string>& object_stems, const std::string& const_prefix,
                            const std::vector<std::string>& not_weights);

}  // namespace ember::bench

#endif  // EMBER_BENCH_MAP_FILE_H_
