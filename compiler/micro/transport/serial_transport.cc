#include "micro/transport/serial_transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "micro/transport/fd_stream.h"

namespace ember::micro {
namespace {

// termios speed constant of a baud rate; B0 when the system has none.
speed_t SpeedOf(int baud) {
  static const std::pair<int, speed_t> kRates[] = {
      {1200, B1200},       {2400, B2400},       {4800, B4800},       {9600, B9600},       {19200, B19200},
      {38400, B38400},     {57600, B57600},     {115200, B115200},   {230400, B230400},   {460800, B460800},
      {500000, B500000},   {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
      {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000}, {3000000, B3000000}, {4000000, B4000000},
  };
  for (const auto& [rate, speed] : kRates) {
    if (rate == baud) return speed;
  }
  return B0;
}

}  // namespace

SerialTransport::SerialTransport(std::string path, int baud, TransportTimeouts timeouts)
    : FdTransport(timeouts, /*socket=*/false), path_(std::move(path)), baud_(baud) {}

SerialTransport::~SerialTransport() { Close(); }

void SerialTransport::Open() {
  if (fd_ >= 0) return;
  const speed_t speed = SpeedOf(baud_);
  if (speed == B0) {
    throw TransportError(Describe() + ": unsupported baud rate " + std::to_string(baud_) +
                         "; use a standard rate such as 9600, 115200 or 921600");
  }
  const int fd = open(path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    throw TransportError(Describe() + ": cannot open: " + std::strerror(errno) +
                         "; check the path and that you may use the device (e.g. the dialout group)");
  }
  termios tio{};
  if (tcgetattr(fd, &tio) != 0) {
    const int e = errno;
    close(fd);
    throw TransportError(Describe() + ": not a terminal (" + std::strerror(e) + "); give a tty or pty path");
  }
  saved_ = tio;
  cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | CRTSCTS);
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0 || tcsetattr(fd, TCSANOW, &tio) != 0) {
    const int e = errno;
    close(fd);
    throw TransportError(Describe() + ": cannot configure the line: " + std::strerror(e));
  }
  tcflush(fd, TCIOFLUSH);  // bytes from before we opened belong to nobody
  fd_ = fd;
}

void SerialTransport::Close() {
  if (fd_ < 0) return;
  tcsetattr(fd_, TCSANOW, &saved_);
  close(fd_);
  fd_ = -1;
}


std::string SerialTransport::Describe() const {
  return "serial " + path_ + " at " + std::to_string(baud_) + " baud";
}

}  // namespace ember::micro
