// A device on a serial line: a tty (/dev/ttyACM0, /dev/ttyUSB0), or a pty
// such as QEMU's `-serial pty` prints. Open() puts the line in raw mode
// (termios: no echo, no line editing, no CR/LF translation, no flow
// control, 8 data bits, no parity, 1 stop bit) at the given baud rate;
// Close() restores the settings it found and closes. The destructor closes.
#pragma once

#include <termios.h>

#include <string>

#include "micro/transport/fd_stream.h"

namespace ember::micro {

class SerialTransport : public FdTransport {
 public:
  // baud: one of the POSIX/Linux rates 1200 ... 4000000.
  explicit SerialTransport(std::string path, int baud = 115200, TransportTimeouts timeouts = {});
  ~SerialTransport() override;

  // TransportError naming the path: cannot open, not a terminal, or a baud
  // rate the system does not have. A second Open() is a no-op.
  void Open() override;
  void Close() override;
  std::string Describe() const override;

 private:
  std::string path_;
  int baud_;
  termios saved_{};
};

}  // namespace ember::micro
