// Transports for tests and simulations, with no device process:
//   InProcessTransport  a device living in this process (an RPC server fed
//                       synchronously), the link to it held in memory;
//   FaultyTransport     wraps another transport and drops, duplicates and
//                       corrupts bytes, seeded and deterministic, to test
//                       that the framing and session layers never turn
//                       damaged bytes into wrong data.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "micro/transport/transport.h"

namespace ember::micro {

class InProcessTransport : public Transport {
 public:
  // Called with the bytes of every Write, synchronously; the device answers
  // by calling Deliver() (from inside the call or later).
  using DeviceFn = std::function<void(std::string_view from_host)>;

  explicit InProcessTransport(DeviceFn device = {}, TransportTimeouts timeouts = {})
      : device_(std::move(device)), timeouts_(timeouts) {}

  void set_device(DeviceFn device) { device_ = std::move(device); }
  // Bytes from the device to the host, returned by later Reads.
  void Deliver(std::string_view to_host) { to_host_.insert(to_host_.end(), to_host.begin(), to_host.end()); }
  size_t pending() const { return to_host_.size(); }

  void Open() override { open_ = true; }
  void Close() override { open_ = false; }
  TransportTimeouts timeouts() const override { return timeouts_; }
  // Up to n delivered bytes. When none are waiting, nothing can arrive while
  // the caller waits (the device runs in the caller's thread): IoTimeoutError
  // whatever the timeout. TransportClosedError when closed.
  std::string Read(int64_t n, std::optional<double> timeout_sec) override;
  // Hands the bytes to the device; TransportClosedError when closed.
  void Write(std::string_view data, std::optional<double> timeout_sec) override;
  std::string Describe() const override { return "in-process device"; }

 private:
  DeviceFn device_;
  TransportTimeouts timeouts_;
  std::deque<char> to_host_;
  bool open_ = false;
};

// Per-byte fault probabilities (0..1) and where they apply.
struct FaultOptions {
  uint64_t seed = 1;
  double drop = 0;       // the byte is lost
  double duplicate = 0;  // the byte arrives twice
  double corrupt = 0;    // the byte arrives with some bits flipped
  bool on_read = true;   // device -> host
  bool on_write = true;  // host -> device
};

struct FaultCounts {
  uint64_t dropped = 0, duplicated = 0, corrupted = 0;
  uint64_t total() const { return dropped + duplicated + corrupted; }
};

class FaultyTransport : public Transport {
 public:
  // Wraps `child` (not owned; it must outlive this object).
  // Each direction draws from its own generator (both seeded from
  // options.seed), so the damage to a byte depends only on its position in
  // its own direction's stream, never on how reads and writes interleave
  // (which timing decides): a run is the same on an idle and a loaded host.
  FaultyTransport(Transport& child, FaultOptions options)
      : child_(child), options_(options), write_state_(options.seed), read_state_(~options.seed) {}

  // Faults apply only while enabled (the default), e.g. to let a handshake
  // through cleanly and then damage the traffic.
  void set_enabled(bool enabled) { enabled_ = enabled; }
  const FaultCounts& counts() const { return counts_; }

  void Open() override { child_.Open(); }
  void Close() override { child_.Close(); }
  TransportTimeouts timeouts() const override { return child_.timeouts(); }
  // 1..n damaged bytes; when the damage dropped everything the child gave,
  // reads the child again (its timeout then starts over).
  std::string Read(int64_t n, std::optional<double> timeout_sec) override;
  void Write(std::string_view data, std::optional<double> timeout_sec) override;
  std::string Describe() const override { return "faulty " + child_.Describe(); }

 private:
  std::string Damage(std::string_view data, uint64_t& state);
  static double Uniform(uint64_t& state);  // [0, 1), from a splitmix64 stream: the same on every platform

  Transport& child_;
  FaultOptions options_;
  uint64_t write_state_;  // host -> device
  uint64_t read_state_;   // device -> host
  bool enabled_ = true;
  FaultCounts counts_;
  std::string pending_;  // damaged bytes read but not yet returned
};

}  // namespace ember::micro
