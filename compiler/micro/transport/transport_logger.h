// A Transport that logs every call of the transport it wraps, in microTVM's
// TransportLogger formats (byte for byte, so that logs compare across the
// two tools):
//   <name>: opening transport                      <name>: closing transport
//   <name>: read {<to>} <n:4d> B -> [<len:3d> B]: <hex>
//   <name>: write {<to>}        <- [<len:3d> B]: <hex>
//   <name>: read {<to>} <n:4d> B -> [IoTimeoutError <to>]
//   <name>: write {<to>}       <- [<len:3d> B]: [IoTimeoutError <to>]
//   <name>: read {<to>} <n:4d> B -> [err: <ErrorClass>]
//   <name>: write {<to>}       <- [<len:3d> B]: [err: <ErrorClass>]
// <to> is the timeout as printf("%5.2fs") or " None ". <hex> is the data
// in 16-byte rows "%04x  <hex bytes, padded to 47>  <ascii>" (digits,
// letters and punctuation shown, others as '.'); a single row drops its
// "0000  " offset and stays on the line, several rows start on a new line
// ("...B]:\n0000  ..."), empty data is empty. Errors are logged, then
// rethrown unchanged.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "micro/transport/transport.h"

namespace ember::micro {

// Receives one log message (no trailing newline; multi-row dumps contain
// newlines).
using LogSink = std::function<void(const std::string&)>;

// A sink writing each message as a line to stderr.
LogSink StderrLogSink();

class TransportLogger : public Transport {
 public:
  // Wraps `child` without owning it (it must outlive the logger).
  TransportLogger(std::string name, Transport& child, LogSink sink = StderrLogSink());
  // Wraps and owns `child`.
  TransportLogger(std::string name, std::unique_ptr<Transport> child, LogSink sink = StderrLogSink());

  void Open() override;
  void Close() override;
  TransportTimeouts timeouts() const override { return child_->timeouts(); }
  std::string Read(int64_t n, std::optional<double> timeout_sec) override;
  void Write(std::string_view data, std::optional<double> timeout_sec) override;
  std::string Describe() const override { return child_->Describe(); }

  Transport& child() { return *child_; }

  // The pieces of the format, for tests and for other logs.
  static std::string TimeoutString(std::optional<double> timeout_sec);  // "%5.2fs" or " None "
  static std::string HexDump(std::string_view data);                   // "" / inline row / "\n"-joined rows

 private:
  void Log(const std::string& message) const {
    if (sink_) sink_(message);
  }

  std::string name_;
  std::unique_ptr<Transport> owned_;
  Transport* child_;
  LogSink sink_;
};

// The class name logged for the exception being handled ("IoTimeoutError",
// "TransportClosedError", "TransportError", ...; "Exception" if unknown).
// Call only inside a catch block.
std::string CurrentErrorClassName();

}  // namespace ember::micro
