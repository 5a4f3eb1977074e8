#include "micro/transport/subprocess_transport.h"

#include <utility>

namespace ember::micro {

SubprocessTransport::SubprocessTransport(std::vector<std::string> argv, TransportTimeouts timeouts,
                                         std::filesystem::path cwd)
    : argv_(std::move(argv)), timeouts_(timeouts), cwd_(std::move(cwd)) {}

SubprocessTransport::~SubprocessTransport() { Close(); }

void SubprocessTransport::Open() {
  if (child_) return;
  if (argv_.empty()) throw TransportError("subprocess transport: no command given; pass the program and its arguments");
  try {
    child_ = ChildProcess::Start(argv_, cwd_);
  } catch (const ServerError& e) {
    throw TransportError(Describe() + ": " + e.message());
  }
}

void SubprocessTransport::Close() {
  if (!child_) return;
  child_->Stop();
  child_.reset();
}

std::string SubprocessTransport::Read(int64_t n, std::optional<double> timeout_sec) {
  if (!child_) throw TransportClosedError();
  return child_->Read(n, timeout_sec);
}

void SubprocessTransport::Write(std::string_view data, std::optional<double> timeout_sec) {
  if (!child_) throw TransportClosedError();
  child_->Write(data, timeout_sec);
}

std::string SubprocessTransport::Describe() const {
  std::string cmd;
  for (const auto& a : argv_) cmd += (cmd.empty() ? "" : " ") + a;
  return "subprocess '" + cmd + "'";
}

int SubprocessTransport::pid() const { return child_ ? static_cast<int>(child_->pid()) : -1; }

}  // namespace ember::micro
