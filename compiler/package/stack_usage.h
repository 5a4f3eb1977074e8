// Worst-case stack depth of a model's generated code on a Cortex-M core.
//
// The generated code has no recursion, no function pointers and no
// variable-length arrays, so the deepest stack it can reach is the longest
// path through its call graph, each function weighing its frame. The figures
// come from the compiler itself: arm-none-eabi-gcc's `-fcallgraph-info=su`
// writes, per translation unit, every function with its frame size (the
// `-fstack-usage` figure: locals, spills and saved registers) and every call
// it makes. The program linked from the model's objects (newlib-nano, from
// the entry point) is disassembled too, and each function's depth followed
// through its branches: functions outside the generated code (the C
// library's memcpy, libgcc's helpers) get their figure there, and where the
// instructions go deeper than the compiler says (inline assembly that pushes
// registers, a naked function), the deeper figure counts.
//
// What cannot be bounded is said, never guessed: recursion, an indirect
// call, a frame that grows at run time, a callee with no figure.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/status.h"

namespace ember::package {

struct StackFrame {
  std::string function;  // as the compiler names it (e.g. ember_conv_1a2b.constprop)
  int64_t bytes = 0;     // its own frame
  bool from_disassembly = false;  // the figure comes from the instructions, not the compiler
};

struct StackBound {
  bool bounded = false;
  int64_t bytes = 0;             // the deepest path's frames, summed (bounded only)
  std::vector<StackFrame> path;  // that path, the root first (bounded only)
  std::string why_not;           // what prevents a bound (not bounded only)
  // The functions on any path from the root whose figure comes from the
  // instructions (library functions; code with inline assembly that pushes),
  // sorted.
  std::vector<std::string> from_disassembly;
};

class StackGraph {
 public:
  // Adds one `-fcallgraph-info=su` file (`file` names it in errors). Fails
  // (E0611) on text that is not one.
  Status AddCallGraphInfo(const std::string& text, const std::string& file);
  // Adds `arm-none-eabi-objdump -d --no-show-raw-insn` output of the linked
  // program, and its `arm-none-eabi-nm` output (`symbols`: objdump names an
  // address once, nm gives every name of it). Each function's stack depth is
  // followed through its branches, instruction by instruction: this is the
  // figure of the functions the compiler did not see (the C library's), and
  // it also counts what the compiler's figure leaves out (registers that
  // inline assembly pushes, naked functions).
  void AddDisassembly(const std::string& text, const std::string& symbols);

  StackBound WorstCase(const std::string& root) const;

 private:
  struct Call {
    std::string callee;  // a key
    int64_t at = 0;      // the caller's depth at the call
  };
  struct Function {
    std::string name;  // display name
    // From the compiler (gcc_known): its frame and the functions it calls.
    bool gcc_known = false, gcc_dynamic = false, gcc_indirect = false;
    int64_t gcc_frame = 0;
    std::set<std::string> gcc_calls;
    // From the instructions (has_code): the deepest point of its own
    // stack and each call with the depth at that call.
    bool has_code = false, code_unbounded = false;
    std::string code_why;
    int64_t code_depth = 0;
    std::vector<Call> code_calls;
  };
  Function& Get(const std::string& key);
  // The compiler's depth of `f`: its frame and its deepest callee, whose
  // depths `memo` holds.
  static int64_t GccDepth(const Function& f, const std::map<std::string, int64_t>& memo);
  // The instructions of key's function: its own, or for a static function
  // ("file.c:name") the linked program's function of that name.
  const Function* CodeOf(const std::string& key) const;
  // Depth-first walk; fills the memo of depths. Returns false (and sets *why)
  // when the depth is not bounded.
  bool Depth(const std::string& key, std::map<std::string, int64_t>* memo, std::set<std::string>* on_path,
             std::string* why) const;

  std::map<std::string, Function> functions_;  // by key: gcc's title (file:name for static functions)
  bool linked_ = false;                        // AddDisassembly was called
  std::set<std::string> symbols_;              // every symbol of the linked program
};

}  // namespace ember::package
