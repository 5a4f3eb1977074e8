#include "micro/transport/test_transports.h"

#include <algorithm>

namespace ember::micro {

std::string InProcessTransport::Read(int64_t n, std::optional<double> /*timeout_sec*/) {
  if (!open_) throw TransportClosedError();
  if (to_host_.empty()) throw IoTimeoutError();
  const size_t take = std::min(to_host_.size(), static_cast<size_t>(std::max<int64_t>(n, 1)));
  std::string out(to_host_.begin(), to_host_.begin() + static_cast<std::ptrdiff_t>(take));
  to_host_.erase(to_host_.begin(), to_host_.begin() + static_cast<std::ptrdiff_t>(take));
  return out;
}

void InProcessTransport::Write(std::string_view data, std::optional<double> /*timeout_sec*/) {
  if (!open_) throw TransportClosedError();
  if (device_) device_(data);
}

double FaultyTransport::Uniform(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

std::string FaultyTransport::Damage(std::string_view data, uint64_t& state) {
  std::string out;
  out.reserve(data.size() + 8);
  for (char c : data) {
    if (Uniform(state) < options_.drop) {
      ++counts_.dropped;
      continue;
    }
    if (Uniform(state) < options_.corrupt) {
      // Flip 1..255: never the identity, so every counted corruption is real.
      c = static_cast<char>(static_cast<uint8_t>(c) ^ static_cast<uint8_t>(1 + Uniform(state) * 255));
      ++counts_.corrupted;
    }
    out += c;
    if (Uniform(state) < options_.duplicate) {
      out += c;
      ++counts_.duplicated;
    }
  }
  return out;
}

std::string FaultyTransport::Read(int64_t n, std::optional<double> timeout_sec) {
  while (pending_.empty()) {
    std::string got = child_.Read(n, timeout_sec);
    pending_ = (enabled_ && options_.on_read) ? Damage(got, read_state_) : std::move(got);
  }
  const size_t take = std::min(pending_.size(), static_cast<size_t>(std::max<int64_t>(n, 1)));
  std::string out = pending_.substr(0, take);
  pending_.erase(0, take);
  return out;
}

void FaultyTransport::Write(std::string_view data, std::optional<double> timeout_sec) {
  if (!enabled_ || !options_.on_write) return child_.Write(data, timeout_sec);
  const std::string damaged = Damage(data, write_state_);
  if (!damaged.empty()) child_.Write(damaged, timeout_sec);
}

}  // namespace ember::micro
