#include "package/stack_usage.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace ember::package {
namespace {

// The quoted value after `key: "` in a line of the VCG text gcc writes, with
// its escapes kept (a label's line breaks are the two characters `\n`).
bool Quoted(const std::string& line, const std::string& key, std::string* value) {
  const std::string open = key + ": \"";
  const size_t at = line.find(open);
  if (at == std::string::npos) return false;
  value->clear();
  for (size_t i = at + open.size(); i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) {
      value->push_back(line[i]);
      value->push_back(line[++i]);
    } else if (line[i] == '"') {
      return true;
    } else {
      value->push_back(line[i]);
    }
  }
  return false;
}

// "name\nfile:line:col\n96 bytes (static)": the lines of a label.
std::vector<std::string> LabelLines(const std::string& label) {
  std::vector<std::string> lines(1);
  for (size_t i = 0; i < label.size(); ++i) {
    if (label[i] == '\\' && i + 1 < label.size() && label[i + 1] == 'n') {
      lines.emplace_back();
      ++i;
    } else {
      lines.back().push_back(label[i]);
    }
  }
  return lines;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// Bytes of a register list "{r4, r5, r6, lr}", "{d8-d15}", "{s16-s31}":
// 4 per core or single-precision register, 8 per double.
int64_t RegisterListBytes(const std::string& operands) {
  const size_t open = operands.find('{'), close = operands.find('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return 0;
  std::istringstream in(operands.substr(open + 1, close - open - 1));
  int64_t bytes = 0;
  for (std::string item; std::getline(in, item, ',');) {
    item = Trim(item);
    if (item.empty()) continue;
    const int64_t unit = item[0] == 'd' ? 8 : 4;
    const size_t dash = item.find('-');
    int64_t count = 1;
    if (dash != std::string::npos && dash + 1 < item.size()) {
      const long first = std::strtol(item.c_str() + 1, nullptr, 10);
      const long last = std::strtol(item.c_str() + dash + 2, nullptr, 10);
      if (last >= first) count = last - first + 1;
    }
    bytes += unit * count;
  }
  return bytes;
}

// The immediate of "#52" or "#-8" at the end of operands; 0 when none.
int64_t TrailingImmediate(const std::string& operands) {
  const size_t hash = operands.rfind('#');
  if (hash == std::string::npos) return 0;
  return std::strtoll(operands.c_str() + hash + 1, nullptr, 0);
}

// An instruction of the disassembly.
struct Insn {
  uint64_t address = 0;
  std::string op;        // the mnemonic without width suffix or condition: "push", "b", "pop"
  bool conditional = false;  // a condition code in the mnemonic ("bne", "popeq")
  std::string operands;  // without the trailing comment
};

// "b.w" -> {"b", false}, "bne.n" -> {"b", true}, "popeq" -> {"pop", true}.
Insn SplitMnemonic(const std::string& mnemonic) {
  static const char* kOps[] = {"push", "pop", "vpush", "vpop", "stmdb", "ldmia", "ldm", "vstmdb", "vldmia", "sub",
                               "subw", "add", "addw", "str", "strd", "vstr", "ldr", "ldrd", "vldr", "bl", "blx",
                               "bx", "b", "mov", "cbz", "cbnz", "tbb", "tbh"};
  static const char* kConds[] = {"eq", "ne", "cs", "cc", "hs", "lo", "mi", "pl", "vs",
                                 "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"};
  Insn i;
  std::string m = mnemonic.substr(0, mnemonic.find('.'));
  i.op = m;
  for (const char* op : kOps) {
    const std::string o(op);
    if (m == o) return i;
    if (m.size() == o.size() + 2 && m.compare(0, o.size(), o) == 0)
      for (const char* c : kConds)
        if (m.compare(o.size(), 2, c) == 0) {
          i.op = o;
          i.conditional = true;
          return i;
        }
  }
  return i;
}

// The change of depth an instruction makes: bytes pushed (> 0) or popped
// (< 0). *sized_at_run_time for `sub sp, sp, rN`.
int64_t StackDelta(const Insn& i, bool* sized_at_run_time) {
  const std::string& o = i.operands;
  const bool writeback_sp = o.rfind("sp!", 0) == 0;
  if (i.op == "push" || i.op == "vpush" || ((i.op == "stmdb" || i.op == "vstmdb") && writeback_sp))
    return RegisterListBytes(o);
  if (i.op == "pop" || i.op == "vpop" || ((i.op == "ldmia" || i.op == "ldm" || i.op == "vldmia") && writeback_sp))
    return -RegisterListBytes(o);
  // str r4, [sp, #-4]!   ldr r4, [sp], #4
  if ((i.op == "str" || i.op == "strd" || i.op == "vstr") && o.find("[sp, #-") != std::string::npos && o.back() == '!')
    return -TrailingImmediate(o.substr(0, o.size() - 2));
  if ((i.op == "ldr" || i.op == "ldrd" || i.op == "vldr") && o.find("[sp], #") != std::string::npos)
    return -TrailingImmediate(o);
  const bool sp_dest = o.rfind("sp,", 0) == 0;
  if ((i.op == "sub" || i.op == "subw") && sp_dest) {
    if (o.find('#') == std::string::npos) *sized_at_run_time = true;
    return TrailingImmediate(o);
  }
  if ((i.op == "add" || i.op == "addw") && sp_dest && o.find('#') != std::string::npos) return -TrailingImmediate(o);
  return 0;
}

// The address and symbol of a branch target "9fce <__clzsi2+0xe>".
bool BranchTarget(const std::string& operands, uint64_t* address, std::string* symbol) {
  const size_t open = operands.find('<'), close = operands.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  // The address just before '<' ("r0, d5e8 <...>" for cbz and cbnz).
  const std::string before = Trim(operands.substr(0, open));
  const size_t start = before.find_last_of(" ,");
  *address = std::strtoull(before.c_str() + (start == std::string::npos ? 0 : start + 1), nullptr, 16) & ~uint64_t{1};
  const std::string sym = operands.substr(open + 1, close - open - 1);
  *symbol = sym.substr(0, sym.find('+'));
  return true;
}

// Follows one function's stack depth through its branches. Fills the
// function's code fields from its instructions; `next` is the function
// whose code follows in the program (for code that runs off its end).
struct CodeFigure {
  bool unbounded = false;
  std::string why;
  int64_t depth = 0;
  std::vector<std::pair<std::string, int64_t>> calls;
};

CodeFigure FollowDepth(const std::string& name, const std::vector<Insn>& code, const std::string& next) {
  CodeFigure r;
  std::map<uint64_t, size_t> index;
  for (size_t k = 0; k < code.size(); ++k) index[code[k].address] = k;
  // Depth at entry of each instruction (-1: not reached yet).
  // An instruction reached again and again at a greater depth is in a loop
  // that grows the stack.
  constexpr int kMaxRaises = 1000;
  std::vector<int64_t> in(code.size(), -1);
  std::vector<int> raises(code.size(), 0);
  std::vector<size_t> work;
  auto reach = [&](size_t k, int64_t depth) {
    if (k >= code.size() || depth <= in[k]) return;
    in[k] = depth;
    if (++raises[k] > kMaxRaises && !r.unbounded) {
      r.unbounded = true;
      r.why = name + " grows its stack in a loop";
    }
    work.push_back(k);
  };
  std::map<std::string, int64_t> calls;
  auto call = [&](const std::string& callee, int64_t depth) {
    int64_t& at = calls[callee];
    at = std::max(at, depth);
  };
  int64_t dispatch = -1;  // the greatest depth at a jump through a register
  if (!code.empty()) reach(0, 0);
  for (;;) {
    if (work.empty() && dispatch >= 0 && !r.unbounded)
      for (size_t t = 0; t < code.size(); ++t)
        if (in[t] < 0) reach(t, dispatch);
    if (work.empty() || r.unbounded) break;
    const size_t k = work.back();
    work.pop_back();
    const Insn& i = code[k];
    const int64_t d = in[k];
    bool run_time = false;
    const int64_t after = std::max<int64_t>(0, d + StackDelta(i, &run_time));
    r.depth = std::max(r.depth, after);
    if (run_time) {
      r.unbounded = true;
      r.why = name + " sizes its stack frame at run time";
      break;
    }
    bool falls = true;
    uint64_t target = 0;
    std::string sym;
    const bool to_pc = i.operands.rfind("pc", 0) == 0 || (i.operands.find("pc}") != std::string::npos);
    if (i.op == "bl" || i.op == "blx") {
      if (!BranchTarget(i.operands, &target, &sym)) {
        r.unbounded = true;
        r.why = name + " calls through a function pointer";
        break;
      }
      if (sym == name && target != code.front().address) {
        // A far jump within the function (armv6-m's `b` reaches 2 KB; gcc
        // jumps farther with `bl`, lr saved in the prologue); a `bl` to the
        // function's own start is a recursive call.
        auto t = index.lower_bound(target);
        if (t != index.end()) reach(t->second, after);
        falls = i.conditional;
      } else {
        call(sym, d);
      }
    } else if (i.op == "b" || i.op == "cbz" || i.op == "cbnz") {
      if (BranchTarget(i.operands, &target, &sym)) {
        // Within the function: the instruction at the target (or the next
        // one kept, past padding).
        auto t = index.lower_bound(target);
        if (sym == name && t != index.end()) {
          reach(t->second, after);
        } else {
          call(sym, after);  // a tail call into another function
        }
      }
      falls = i.conditional || i.op != "b";
    } else if (i.op == "bx") {
      if (i.operands != "lr") {
        r.unbounded = true;
        r.why = name + " jumps through a register";
        break;
      }
      falls = i.conditional;
    } else if (i.op == "tbb" || i.op == "tbh") {
      // A table of forward branches: every instruction after it may be next.
      for (size_t t = k + 1; t < code.size(); ++t) reach(t, after);
      falls = false;
    } else if ((i.op == "pop" || i.op == "ldmia" || i.op == "ldm") && i.operands.find("pc}") != std::string::npos) {
      falls = i.conditional;  // a return
    } else if ((i.op == "ldr" || i.op == "mov" || i.op == "add") && to_pc) {
      if ((i.op == "ldr" && i.operands.find("[sp]") != std::string::npos) || (i.op == "mov" && i.operands == "pc, lr")) {
        falls = i.conditional;  // ldr pc, [sp], #4 or mov pc, lr: a return
      } else {
        // A switch through a table of addresses (armv6-m: ldr rN, [table];
        // mov pc, rN): its cases follow it; any other instruction no path
        // reaches is taken as a case too (below).
        for (size_t t = k + 1; t < code.size(); ++t) reach(t, after);
        dispatch = std::max(dispatch, after);
        falls = false;
      }
    }
    if (falls) {
      if (k + 1 < code.size()) {
        reach(k + 1, i.conditional ? std::max(d, after) : after);
      } else if (!next.empty()) {
        call(next, after);  // runs off its end into the next function
      }
    }
  }
  for (const auto& [callee, at] : calls) r.calls.emplace_back(callee, at);
  return r;
}

}  // namespace

StackGraph::Function& StackGraph::Get(const std::string& key) {
  Function& f = functions_[key];
  if (f.name.empty()) {
    const size_t colon = key.rfind(':');
    f.name = colon == std::string::npos ? key : key.substr(colon + 1);
  }
  return f;
}

Status StackGraph::AddCallGraphInfo(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  bool graph = false;
  int line_no = 0;
  const char* kHint = "the file is not gcc's -fcallgraph-info=su output; recompile with arm-none-eabi-gcc 10 or later";
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    const std::string where = file + ":" + std::to_string(line_no);
    if (line.rfind("graph: {", 0) == 0) {
      graph = true;
      continue;
    }
    if (line.rfind("node: {", 0) == 0) {
      std::string title, label;
      if (!Quoted(line, "title", &title) || !Quoted(line, "label", &label))
        return MakeDiag("E0611", ExitCode::kFailure, where + ": a node without a title or label", kHint);
      if (title == "__indirect_call") continue;
      const std::vector<std::string> lines = LabelLines(label);
      Function& f = Get(title);
      // "96 bytes (static)", "8 bytes (dynamic)", "24 bytes (dynamic,bounded)".
      const std::string& last = lines.back();
      if (lines.size() < 3 || last.find(" bytes (") == std::string::npos) continue;  // declared here, defined elsewhere
      // The name is the title's (after "file:"): "ember_conv_1a2b.constprop.0"
      // as the linked program's symbol, where the label says "...constprop".
      f.gcc_known = true;
      f.gcc_frame = std::strtoll(last.c_str(), nullptr, 10);
      f.gcc_dynamic = last.find("(dynamic)") != std::string::npos;
      continue;
    }
    if (line.rfind("edge: {", 0) == 0) {
      std::string from, to;
      if (!Quoted(line, "sourcename", &from) || !Quoted(line, "targetname", &to))
        return MakeDiag("E0611", ExitCode::kFailure, where + ": an edge without its two ends", kHint);
      if (to == "__indirect_call") {
        Get(from).gcc_indirect = true;
      } else {
        Get(from).gcc_calls.insert(to);
        Get(to);
      }
    }
  }
  if (!graph) return MakeDiag("E0611", ExitCode::kFailure, file + ": no call graph in it", kHint);
  return Status();
}

void StackGraph::AddDisassembly(const std::string& text, const std::string& symbols) {
  linked_ = true;
  std::vector<std::pair<std::string, std::vector<Insn>>> order;  // functions in address order
  std::vector<uint64_t> addresses;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    // "0000e1c0 <memcpy>:" starts a function.
    if (!line.empty() && line[0] != ' ' && line.size() > 3 && line.compare(line.size() - 2, 2, ">:") == 0) {
      const size_t open = line.find(" <");
      if (open == std::string::npos) continue;
      order.emplace_back(line.substr(open + 2, line.size() - open - 4), std::vector<Insn>{});
      addresses.push_back(std::strtoull(line.c_str(), nullptr, 16) & ~uint64_t{1});
      continue;
    }
    // "    e1c0:\tmov\tip, r0"
    const size_t colon_tab = line.find(":\t");
    if (order.empty() || line.empty() || line[0] != ' ' || colon_tab == std::string::npos) continue;
    const std::string rest = line.substr(colon_tab + 2);
    const size_t tab = rest.find('\t');
    const std::string mnemonic = Trim(rest.substr(0, tab));
    // Data in the code (a literal pool: .word) and padding.
    if (mnemonic.empty() || mnemonic[0] == '.' || mnemonic == "nop" || mnemonic == "nop.w") continue;
    Insn i = SplitMnemonic(mnemonic);
    i.address = std::strtoull(line.c_str(), nullptr, 16);
    i.operands = tab == std::string::npos ? "" : Trim(rest.substr(tab + 1));
    if (const size_t comment = i.operands.find('@'); comment != std::string::npos)
      i.operands = Trim(i.operands.substr(0, comment));
    order.back().second.push_back(std::move(i));
  }
  // The other names of each address ("00009de8 T __aeabi_idiv" beside
  // objdump's <__divsi3>; static functions the compiler folded into one).
  std::map<uint64_t, std::set<std::string>> aliases;
  std::istringstream nm(symbols);
  for (std::string line; std::getline(nm, line);) {
    std::istringstream row(line);
    std::string address, type, name;
    if (!(row >> address >> type >> name) || type.size() != 1) continue;
    symbols_.insert(name);
    if (std::string("tTwW").find(type[0]) != std::string::npos)
      aliases[std::strtoull(address.c_str(), nullptr, 16) & ~uint64_t{1}].insert(name);
  }
  for (size_t k = 0; k < order.size(); ++k) {
    const auto& [label, code] = order[k];
    const CodeFigure fig = FollowDepth(label, code, k + 1 < order.size() ? order[k + 1].first : "");
    std::set<std::string> names = aliases[addresses[k]];
    names.insert(label);
    // A name defined twice (static functions of two files) takes both
    // functions' figures, which bound either.
    for (const std::string& name : names) {
      Function& f = Get(name);
      f.has_code = true;
      f.code_unbounded = f.code_unbounded || fig.unbounded;
      if (f.code_why.empty()) f.code_why = fig.why;
      f.code_depth = std::max(f.code_depth, fig.depth);
      for (const auto& [callee, at] : fig.calls) f.code_calls.push_back({callee, at});
    }
  }
}

int64_t StackGraph::GccDepth(const Function& f, const std::map<std::string, int64_t>& memo) {
  int64_t deepest = 0;
  for (const std::string& c : f.gcc_calls) deepest = std::max(deepest, memo.at(c));
  return f.gcc_frame + deepest;
}

const StackGraph::Function* StackGraph::CodeOf(const std::string& key) const {
  auto it = functions_.find(key);
  if (it == functions_.end()) return nullptr;
  if (it->second.has_code) return &it->second;
  auto plain = functions_.find(it->second.name);
  return plain != functions_.end() && plain->second.has_code ? &plain->second : nullptr;
}

bool StackGraph::Depth(const std::string& key, std::map<std::string, int64_t>* memo, std::set<std::string>* on_path,
                       std::string* why) const {
  if (memo->count(key)) return true;
  auto it = functions_.find(key);
  const Function* code = CodeOf(key);
  const std::string name = it == functions_.end() ? key : it->second.name;
  if (it == functions_.end() || (!it->second.gcc_known && code == nullptr)) {
    // gcc lists a library call when it first emits it (e.g. __aeabi_uidiv)
    // and keeps the symbol after optimizing the call away: a global name
    // that is not in the linked program is called by nothing.
    if (linked_ && key.find(':') == std::string::npos && !symbols_.count(key)) {
      (*memo)[key] = 0;
      return true;
    }
    *why = "no stack figure for " + name + (linked_ ? " (neither from the compiler nor from the linked program)"
                                                    : " (the program was not linked)");
    return false;
  }
  const Function& f = it->second;
  if (f.gcc_known && f.gcc_dynamic) {
    *why = name + " sizes its stack frame at run time";
    return false;
  }
  if (f.gcc_known && f.gcc_indirect) {
    *why = name + " calls through a function pointer";
    return false;
  }
  if (code != nullptr && code->code_unbounded) {
    *why = code->code_why;
    return false;
  }
  if (!on_path->insert(key).second) {
    *why = "recursion through " + name;
    return false;
  }
  int64_t depth = 0;
  if (f.gcc_known) {
    for (const std::string& c : f.gcc_calls)
      if (!Depth(c, memo, on_path, why)) return false;
    depth = GccDepth(f, *memo);
  }
  if (code != nullptr) {
    depth = std::max(depth, code->code_depth);
    for (const Call& c : code->code_calls) {
      if (!Depth(c.callee, memo, on_path, why)) return false;
      depth = std::max(depth, c.at + memo->at(c.callee));
    }
  }
  on_path->erase(key);
  (*memo)[key] = depth;
  return true;
}

StackBound StackGraph::WorstCase(const std::string& root) const {
  StackBound b;
  std::map<std::string, int64_t> memo;
  std::set<std::string> on_path;
  if (!Depth(root, &memo, &on_path, &b.why_not)) return b;
  b.bounded = true;
  b.bytes = memo.at(root);
  // A function's figure is from the instructions where the compiler has
  // none or a smaller one.
  auto from_code = [&](const std::string& key) {
    const Function& f = functions_.at(key);
    return !f.gcc_known || memo.at(key) > GccDepth(f, memo);
  };
  // The path: from each function, the callee that gives its depth.
  for (std::string key = root;;) {
    const Function& f = functions_.at(key);
    const Function* code = CodeOf(key);
    const int64_t depth = memo.at(key);
    std::string next;
    int64_t own = depth;
    if (!from_code(key)) {
      for (const std::string& c : f.gcc_calls)
        if (f.gcc_frame + memo.at(c) == depth && next.empty()) next = c;
      own = f.gcc_frame;
    } else if (code != nullptr) {
      for (const Call& c : code->code_calls)
        if (c.at + memo.at(c.callee) == depth && next.empty()) {
          next = c.callee;
          own = c.at;
        }
    }
    b.path.push_back({f.name, own, from_code(key)});
    if (next.empty() || b.path.size() > functions_.size()) break;
    key = next;
  }
  // The functions whose figure the instructions gave: those the compiler
  // has no figure for (under any key), and those where the instructions go
  // deeper than the compiler's frame and calls.
  std::map<std::string, int64_t> gcc_by_name;  // the compiler's depth of each name it knows
  for (const auto& [key, depth] : memo) {
    (void)depth;
    const Function& f = functions_.at(key);
    if (f.gcc_known) gcc_by_name[f.name] = std::max(gcc_by_name[f.name], GccDepth(f, memo));
  }
  std::set<std::string> listed;
  for (const auto& [key, depth] : memo) {
    const Function& f = functions_.at(key);
    if (!f.gcc_known && !f.has_code) continue;  // called by nothing (not in the program)
    auto g = gcc_by_name.find(f.name);
    if (g == gcc_by_name.end() || depth > g->second) listed.insert(f.name);
  }
  b.from_disassembly.assign(listed.begin(), listed.end());
  return b;
}

}  // namespace ember::package
