#include "map_file.h"

#include <algorithm>
#include <sstream>

namespace ember::bench {
namespace {

std::vector<std::string> Tokens(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> t;
  for (std::string w; in >> w;) t.push_back(w);
  return t;
}

bool IsHex(const std::string& s) {
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
  return std::all_of(s.begin() + 2, s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool StartsWith(const std::string& s, const std::string& head) { return s.rfind(head, 0) == 0; }

}  // namespace

bool ParseLinkerMap(const std::string& text, std::vector<MapSection>* out, std::string* error) {
  std::istringstream in(text);
  std::string line;
  bool started = false;
  std::string pending;  // a section name whose numbers are on the next line
  out->clear();
  while (std::getline(in, line)) {
    if (!started) {
      started = StartsWith(line, "Linker script and memory map");
      continue;
    }
    // Input sections are indented by one space; output sections and
    // assignments start in column 0, symbols and continuations further in.
    const std::vector<std::string> t = Tokens(line);
    const bool input_section = line.size() > 1 && line[0] == ' ' && line[1] == '.';
    if (input_section && t.size() == 1) {
      pending = t[0];
      continue;
    }
    if (input_section && t.size() == 4 && IsHex(t[1]) && IsHex(t[2])) {
      out->push_back({t[0], std::stoull(t[2], nullptr, 16), t[3]});
    } else if (!pending.empty() && !input_section && t.size() == 3 && IsHex(t[0]) && IsHex(t[1])) {
      out->push_back({pending, std::stoull(t[1], nullptr, 16), t[2]});
    }
    pending.clear();
  }
  if (!started) {
    *error = "no 'Linker script and memory map' heading (not a GNU ld map file?)";
    return false;
  }
  return true;
}

ModelFootprint MeasureModel(const std::vector<MapSection>& sections,
                            const std::vector<std::string>& object_stems, const std::string& const_prefix,
                            const std::vector<std::string>& not_weights) {
  ModelFootprint f;
  const std::string weights_head = ".rodata." + const_prefix + "_";
  for (const MapSection& s : sections) {
    const bool ours = std::any_of(object_stems.begin(), object_stems.end(),
                                  [&](const std::string& stem) { return EndsWith(s.object, "-" + stem + ".o"); });
    if (!ours) continue;
    if (StartsWith(s.name, ".text")) {
      f.code_bytes += s.size;
    } else if (StartsWith(s.name, ".rodata")) {
      const bool excluded = std::any_of(not_weights.begin(), not_weights.end(),
                                        [&](const std::string& n) { return s.name == ".rodata." + n; });
      (StartsWith(s.name, weights_head) && !excluded ? f.weights_bytes : f.code_bytes) += s.size;
    } else if (StartsWith(s.name, ".data")) {
      f.data_bytes += s.size;
    } else if (StartsWith(s.name, ".bss") || s.name == "COMMON") {
      f.bss_bytes += s.size;
    }
  }
  return f;
}

}  // namespace ember::bench
