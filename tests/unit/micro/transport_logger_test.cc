// TransportLogger: microTVM's exact log formats. Every expected string is
// written out by hand from the format rules (python/tvm/micro/transport.py
// as described in the fact sheet, §5.8), space by space.
#include "micro/transport/transport_logger.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "micro/transport/test_transports.h"

namespace ember::micro {
namespace {

// A transport whose writes always time out or fail, to log the error forms.
class FailingWrites : public InProcessTransport {
 public:
  bool closed_error = false;
  void Write(std::string_view, std::optional<double>) override {
    if (closed_error) throw TransportClosedError();
    throw IoTimeoutError();
  }
};

struct Captured {
  std::vector<std::string> lines;
  LogSink sink() {
    return [this](const std::string& m) { lines.push_back(m); };
  }
};

std::string Spaces(size_t n) { return std::string(n, ' '); }

TEST(TransportLoggerTest, OpenAndClose) {
  InProcessTransport child;
  Captured log;
  TransportLogger logger("micro-rpc", child, log.sink());
  logger.Open();
  logger.Close();
  EXPECT_EQ(log.lines, (std::vector<std::string>{"micro-rpc: opening transport", "micro-rpc: closing transport"}));
}

TEST(TransportLoggerTest, TimeoutStrings) {
  EXPECT_EQ(TransportLogger::TimeoutString(9.99), " 9.99s");
  EXPECT_EQ(TransportLogger::TimeoutString(10.0), "10.00s");
  EXPECT_EQ(TransportLogger::TimeoutString(0.0), " 0.00s");
  EXPECT_EQ(TransportLogger::TimeoutString(std::nullopt), " None ");
}

TEST(TransportLoggerTest, ReadOneRowIsInline) {
  InProcessTransport child;
  child.Open();
  child.Deliver("\x13\xcd");
  Captured log;
  TransportLogger logger("micro-rpc", child, log.sink());
  EXPECT_EQ(logger.Read(2, 9.99), "\x13\xcd");
  // "13 cd" padded to 47, two spaces, then ".." (neither byte is printable).
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0], "micro-rpc: read { 9.99s}    2 B -> [  2 B]: 13 cd" + Spaces(42 + 2) + "..");
}

TEST(TransportLoggerTest, WriteOneRowIsInlineWithEightSpaces) {
  InProcessTransport child;
  child.Open();
  Captured log;
  TransportLogger logger("micro-rpc", child, log.sink());
  logger.Write("\xff\xfd", 10.0);
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0], "micro-rpc: write {10.00s}        <- [  2 B]: ff fd" + Spaces(44) + "..");
}

TEST(TransportLoggerTest, SpaceIsNotPrintableButPunctuationIs) {
  InProcessTransport child;
  child.Open();
  Captured log;
  TransportLogger logger("t", child, log.sink());
  logger.Write("a b~", std::nullopt);
  // "61 20 62 7e" is 11 characters: 36 spaces of padding.
  EXPECT_EQ(log.lines.at(0), "t: write { None }        <- [  4 B]: 61 20 62 7e" + Spaces(36 + 2) + "a.b~");
}

TEST(TransportLoggerTest, MultiRowDumpStartsOnANewLine) {
  InProcessTransport child;
  child.Open();
  child.Deliver("ABCDEFGHIJKLMNOPq");
  Captured log;
  TransportLogger logger("micro-rpc", child, log.sink());
  EXPECT_EQ(logger.Read(128, 1.5), "ABCDEFGHIJKLMNOPq");
  const std::string row0 = "0000  41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP";
  const std::string row1 = "0010  71" + Spaces(45) + "  q";
  EXPECT_EQ(log.lines.at(0), "micro-rpc: read { 1.50s}  128 B -> [ 17 B]:\n" + row0 + "\n" + row1);
}

TEST(TransportLoggerTest, ExactlySixteenBytesIsOneRow) {
  EXPECT_EQ(TransportLogger::HexDump("0123456789abcdef"),
            "30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  0123456789abcdef");
  EXPECT_EQ(TransportLogger::HexDump(""), "");
}

TEST(TransportLoggerTest, EmptyWrite) {
  InProcessTransport child;
  child.Open();
  Captured log;
  TransportLogger logger("x", child, log.sink());
  logger.Write("", 1.0);
  EXPECT_EQ(log.lines.at(0), "x: write { 1.00s}        <- [  0 B]: ");
}

TEST(TransportLoggerTest, ReadTimeoutIsLoggedAndRethrown) {
  InProcessTransport child;  // nothing delivered: reads time out
  child.Open();
  Captured log;
  TransportLogger logger("micro-rpc", child, log.sink());
  EXPECT_THROW(logger.Read(16, 0.5), IoTimeoutError);
  EXPECT_EQ(log.lines.at(0), "micro-rpc: read { 0.50s}   16 B -> [IoTimeoutError  0.50s]");
}

TEST(TransportLoggerTest, WriteTimeoutHasSevenSpaces) {
  FailingWrites child;
  Captured log;
  TransportLogger logger("micro-rpc", child, log.sink());
  EXPECT_THROW(logger.Write("abc", std::nullopt), IoTimeoutError);
  EXPECT_EQ(log.lines.at(0), "micro-rpc: write { None }       <- [  3 B]: [IoTimeoutError  None ]");
}

TEST(TransportLoggerTest, OtherErrorsNameTheirClass) {
  InProcessTransport child;  // never opened: closed
  FailingWrites writer;
  writer.closed_error = true;
  Captured log;
  TransportLogger reader_log("x", child, log.sink());
  TransportLogger writer_log("y", writer, log.sink());
  EXPECT_THROW(reader_log.Read(1, 1.0), TransportClosedError);
  EXPECT_THROW(writer_log.Write("z", 2.0), TransportClosedError);
  EXPECT_EQ(log.lines.at(0), "x: read { 1.00s}    1 B -> [err: TransportClosedError]");
  EXPECT_EQ(log.lines.at(1), "y: write { 2.00s}       <- [  1 B]: [err: TransportClosedError]");
}

TEST(TransportLoggerTest, OwnsAndDescribesItsChild) {
  auto child = std::make_unique<InProcessTransport>(nullptr, TransportTimeouts{1, 2, 3});
  TransportLogger logger("x", std::move(child), nullptr);  // no sink: logs nothing
  EXPECT_EQ(logger.Describe(), "in-process device");
  EXPECT_EQ(logger.timeouts().session_start_timeout_sec, 2);
  logger.Open();
  EXPECT_THROW(logger.Read(1, 0), IoTimeoutError);
}

}  // namespace
}  // namespace ember::micro
