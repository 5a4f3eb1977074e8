#include "micro/transport/transport_logger.h"

#include <cctype>
#include <cstdio>
#include <exception>
#include <iostream>
#include <utility>

namespace ember::micro {
namespace {

std::string Printf(const char* format, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

// One row of the hex dump: "%04x  " + hex bytes padded to 47 + "  " + ascii.
std::string HexRow(size_t offset, std::string_view chunk) {
  std::string hex, ascii;
  for (unsigned char c : chunk) {
    if (!hex.empty()) hex += ' ';
    hex += Printf("%02x", c);
    // Python's string.digits + ascii_letters + punctuation: graphic ASCII.
    ascii += (c < 0x80 && std::isgraph(c)) ? static_cast<char>(c) : '.';
  }
  hex.resize(47, ' ');
  return Printf("%04zx  ", offset) + hex + "  " + ascii;
}

// What follows "B]:": " <inline row>", or "\n<rows>" for a multi-row dump.
std::string DumpAfterColon(std::string_view data) {
  const std::string dump = TransportLogger::HexDump(data);
  return (!dump.empty() && dump[0] == '\n') ? dump : " " + dump;
}

}  // namespace

LogSink StderrLogSink() {
  return [](const std::string& message) { std::cerr << message << '\n'; };
}

TransportLogger::TransportLogger(std::string name, Transport& child, LogSink sink)
    : name_(std::move(name)), child_(&child), sink_(std::move(sink)) {}

TransportLogger::TransportLogger(std::string name, std::unique_ptr<Transport> child, LogSink sink)
    : name_(std::move(name)), owned_(std::move(child)), child_(owned_.get()), sink_(std::move(sink)) {}

std::string TransportLogger::TimeoutString(std::optional<double> timeout_sec) {
  return timeout_sec ? Printf("%5.2fs", *timeout_sec) : std::string(" None ");
}

std::string TransportLogger::HexDump(std::string_view data) {
  if (data.empty()) return "";
  std::string out;
  for (size_t offset = 0; offset < data.size(); offset += 16) {
    if (offset > 0) out += '\n';
    out += HexRow(offset, data.substr(offset, 16));
  }
  return data.size() <= 16 ? out.substr(6) : "\n" + out;
}

void TransportLogger::Open() {
  Log(name_ + ": opening transport");
  child_->Open();
}

void TransportLogger::Close() {
  Log(name_ + ": closing transport");
  child_->Close();
}

std::string TransportLogger::Read(int64_t n, std::optional<double> timeout_sec) {
  const std::string to = TimeoutString(timeout_sec);
  const std::string head = name_ + ": read {" + to + "} " + Printf("%4lld", static_cast<long long>(n)) + " B -> [";
  std::string data;
  try {
    data = child_->Read(n, timeout_sec);
  } catch (const IoTimeoutError&) {
    Log(head + "IoTimeoutError " + to + "]");
    throw;
  } catch (...) {
    Log(head + "err: " + CurrentErrorClassName() + "]");
    throw;
  }
  Log(head + Printf("%3zu B]:", data.size()) + DumpAfterColon(data));
  return data;
}

void TransportLogger::Write(std::string_view data, std::optional<double> timeout_sec) {
  const std::string to = TimeoutString(timeout_sec);
  const std::string size = Printf("[%3zu B]: ", data.size());
  try {
    child_->Write(data, timeout_sec);
  } catch (const IoTimeoutError&) {
    Log(name_ + ": write {" + to + "}       <- " + size + "[IoTimeoutError " + to + "]");
    throw;
  } catch (...) {
    Log(name_ + ": write {" + to + "}       <- " + size + "[err: " + CurrentErrorClassName() + "]");
    throw;
  }
  Log(name_ + ": write {" + to + "}        <- " + Printf("[%3zu B]:", data.size()) + DumpAfterColon(data));
}

std::string CurrentErrorClassName() {
  try {
    throw;
  } catch (const IoTimeoutError&) {
    return "IoTimeoutError";
  } catch (const TransportClosedError&) {
    return "TransportClosedError";
  } catch (const UnsupportedTvmVersionError&) {
    return "UnsupportedTVMVersionError";
  } catch (const ServerError&) {
    return "ServerError";
  } catch (const JsonRpcError&) {
    return "JSONRPCError";
  } catch (const TransportError&) {
    return "TransportError";
  } catch (const std::invalid_argument&) {
    return "ValueError";
  } catch (...) {
    return "Exception";
  }
}

}  // namespace ember::micro
