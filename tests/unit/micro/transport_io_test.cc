// The OS transports: TCP on loopback (a server thread), a pty pair
// (posix_openpt) for SerialTransport, and `cat` as a subprocess echo.
// Every test joins its threads and reaps its children.
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "micro/transport/serial_transport.h"
#include "micro/transport/subprocess_transport.h"
#include "micro/transport/tcp_transport.h"

namespace ember::micro {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Reads exactly `n` bytes through a Transport (which may return fewer).
std::string ReadExactly(Transport& t, size_t n, double timeout) {
  std::string out;
  while (out.size() < n) out += t.Read(static_cast<int64_t>(n - out.size()), timeout);
  return out;
}

// A listening socket on 127.0.0.1 with an ephemeral port.
struct Listener {
  int fd = -1;
  uint16_t port = 0;
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 1) != 0) return;
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() {
    if (fd >= 0) close(fd);
  }
};

TEST(TcpTransportTest, EchoesThroughALoopbackServer) {
  Listener server;
  ASSERT_NE(server.port, 0);
  // The server echoes everything until the client closes.
  std::thread echo([&] {
    const int c = accept(server.fd, nullptr, nullptr);
    char buf[256];
    ssize_t n;
    while ((n = read(c, buf, sizeof buf)) > 0) (void)!write(c, buf, static_cast<size_t>(n));
    close(c);
  });
  TcpTransport t("127.0.0.1", server.port, TransportTimeouts{0.5, 2, 5});
  EXPECT_EQ(t.Describe(), "tcp 127.0.0.1:" + std::to_string(server.port));
  EXPECT_EQ(t.timeouts().session_established_timeout_sec, 5);
  t.Open();
  const std::string msg(1000, '\xff');
  t.Write(msg, 2.0);
  EXPECT_EQ(ReadExactly(t, msg.size(), 2.0), msg);
  // Nothing more is coming: a short timeout expires, a zero one tries once.
  const auto t0 = Clock::now();
  EXPECT_THROW(t.Read(10, 0.1), IoTimeoutError);
  EXPECT_GE(SecondsSince(t0), 0.09);
  EXPECT_THROW(t.Read(10, 0.0), IoTimeoutError);
  t.Close();
  echo.join();
  EXPECT_THROW(t.Read(1, 0.1), TransportClosedError);
}

TEST(TcpTransportTest, PeerCloseIsTransportClosed) {
  Listener server;
  std::thread once([&] {
    const int c = accept(server.fd, nullptr, nullptr);
    (void)!write(c, "x", 1);
    close(c);
  });
  TcpTransport t("localhost", server.port);
  t.Open();
  once.join();
  EXPECT_EQ(t.Read(4, 1.0), "x");
  EXPECT_THROW(t.Read(4, 1.0), TransportClosedError);
}

TEST(TcpTransportTest, RefusedConnectionNamesTheAddress) {
  uint16_t port;
  {
    Listener gone;  // bound then closed: nobody listens there any more
    port = gone.port;
  }
  TcpTransport t("127.0.0.1", port, {}, 2.0);
  try {
    t.Open();
    FAIL() << "connected to a closed port";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("tcp 127.0.0.1:" + std::to_string(port) + ": cannot connect"),
              std::string::npos)
        << e.what();
  }
}

// A pty pair: the master plays the device, the slave path is the "serial port".
struct Pty {
  int master = -1;
  std::string slave;
  Pty() {
    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return;
    slave = ptsname(master);
  }
  ~Pty() {
    if (master >= 0) close(master);
  }
};

TEST(SerialTransportTest, RawModeOverAPty) {
  Pty pty;
  ASSERT_FALSE(pty.slave.empty());
  SerialTransport t(pty.slave, 115200, TransportTimeouts{1, 2, 3});
  EXPECT_EQ(t.Describe(), "serial " + pty.slave + " at 115200 baud");
  t.Open();
  // Raw mode: CR, LF, ^C, ^D and 0xff pass untouched, nothing is echoed back.
  const std::string bytes("a\r\nb\x03\x04\xff\x00z", 9);
  t.Write(bytes, 1.0);
  std::string at_master(9, '\0');
  size_t got = 0;
  while (got < at_master.size()) {
    const ssize_t n = read(pty.master, at_master.data() + got, at_master.size() - got);
    ASSERT_GT(n, 0);
    got += static_cast<size_t>(n);
  }
  EXPECT_EQ(at_master, bytes);
  ASSERT_EQ(write(pty.master, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  EXPECT_EQ(ReadExactly(t, bytes.size(), 1.0), bytes);
  EXPECT_THROW(t.Read(1, 0.05), IoTimeoutError);  // and no echo of what we wrote
  pollfd p{pty.master, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 50), 0) << "the line echoed the device's bytes back";
  t.Close();
}

TEST(SerialTransportTest, BadBaudAndBadPathAreClearErrors) {
  Pty pty;
  SerialTransport odd(pty.slave, 12345);
  try {
    odd.Open();
    FAIL();
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported baud rate 12345"), std::string::npos) << e.what();
  }
  SerialTransport missing("/nonexistent/tty", 9600);
  try {
    missing.Open();
    FAIL();
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("serial /nonexistent/tty at 9600 baud: cannot open"), std::string::npos)
        << e.what();
  }
  SerialTransport not_tty("/dev/null", 9600);
  EXPECT_THROW(not_tty.Open(), TransportError);
}

bool ProcessExists(int pid) { return kill(pid, 0) == 0 || errno != ESRCH; }

TEST(SubprocessTransportTest, CatEchoesAndIsReaped) {
  SubprocessTransport t({"cat"}, TransportTimeouts{0, 1, 2});
  EXPECT_EQ(t.Describe(), "subprocess 'cat'");
  t.Open();
  const int pid = t.pid();
  ASSERT_GT(pid, 0);
  std::string big(100000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  // Write in pieces and read back as we go (a pipe holds only ~64 KiB).
  std::string back;
  for (size_t off = 0; off < big.size(); off += 4096) {
    t.Write(std::string_view(big).substr(off, 4096), 2.0);
    back += ReadExactly(t, std::min<size_t>(4096, big.size() - off), 2.0);
  }
  EXPECT_EQ(back, big);
  EXPECT_THROW(t.Read(1, 0.05), IoTimeoutError);
  t.Close();
  EXPECT_EQ(t.pid(), -1);
  EXPECT_FALSE(ProcessExists(pid)) << "cat (pid " << pid << ") outlived Close()";
  EXPECT_THROW(t.Read(1, 0.05), TransportClosedError);
  EXPECT_THROW(t.Write("x", 0.05), TransportClosedError);
}

TEST(SubprocessTransportTest, ExitedChildIsTransportClosed) {
  SubprocessTransport t({"sh", "-c", "printf hi"});
  t.Open();
  EXPECT_EQ(ReadExactly(t, 2, 2.0), "hi");
  EXPECT_THROW(t.Read(1, 2.0), TransportClosedError);
}

TEST(SubprocessTransportTest, MissingProgramNamesIt) {
  SubprocessTransport t({"/nonexistent/ember-device"});
  try {
    t.Open();
    FAIL();
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("subprocess '/nonexistent/ember-device'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ember::micro
