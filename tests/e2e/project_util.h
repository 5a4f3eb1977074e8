// Helpers of the Project API template tests (tests/e2e/template_*_test.cc):
// the processes a test started (to prove none outlives it) and a transport
// round trip of the aot_io protocol.
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "micro/project/project.h"

namespace ember::test {

// Every live process below this one (children, grandchildren, ...). Zombies
// count: a child that was not reaped is a leak too.
inline std::set<int> Descendants() {
  std::vector<std::pair<int, int>> procs;  // pid, ppid
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      const int pid = std::atoi(e->d_name);
      if (pid <= 0) continue;
      std::ifstream f("/proc/" + std::string(e->d_name) + "/stat");
      std::string line;
      if (!std::getline(f, line)) continue;
      const size_t close = line.rfind(')');
      if (close == std::string::npos) continue;
      char state = 0;
      int ppid = 0;
      if (std::sscanf(line.c_str() + close + 1, " %c %d", &state, &ppid) == 2) procs.push_back({pid, ppid});
    }
    closedir(d);
  }
  std::set<int> found = {static_cast<int>(getpid())};
  for (bool grew = true; grew;) {
    grew = false;
    for (auto [pid, ppid] : procs)
      if (found.count(ppid) && found.insert(pid).second) grew = true;
  }
  found.erase(static_cast<int>(getpid()));
  return found;
}

// Waits up to `seconds` for all descendants to be gone; returns those left.
inline std::set<int> WaitNoDescendants(double seconds = 5) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::set<int> left = Descendants();
  while (!left.empty() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    left = Descendants();
  }
  return left;
}

// aot_io: sends one input set, reads exactly `output_bytes` bytes back.
inline std::string RoundTrip(micro::Transport& t, const std::string& input, size_t output_bytes,
                             double timeout_sec = 30) {
  t.Write(input, timeout_sec);
  std::string out;
  while (out.size() < output_bytes) out += t.Read(static_cast<int64_t>(output_bytes - out.size()), timeout_sec);
  return out;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace ember::test
