// The device RPC server calling a real generated conv2d: TinyConvModel's C
// (ember compile --executor graph) and the runtime's RPC server built into
// one program with the system C compiler under AddressSanitizer and UBSan,
// its ALLOC pool a global array. A CALL whose output is a 1-byte allocation
// at the end of the pool must be refused (kEmberErrorRpcArgMismatch): the
// kernel writes 256 bytes, which used to go past the pool (ASan:
// global-buffer-overflow in the generated operator, called from
// rpc_server.c). With allocations of the table's sizes the call succeeds.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "codegen/c/aot.h"
#include "frontend/tflite/import.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

// The host end is the runtime's own session code (initiator); requests are
// built by hand from docs/rpc.md. Prints "<tiny> <exact>": the status of
// the CALL with a 1-byte output at the pool's end, then with exact sizes.
const char* kDriver = R"(#include <stdio.h>
#include <string.h>
#include "ember/rpc_server.h"
#include "tvmgen_default.h"

#define POOL_BYTES 1024u
static uint8_t pool[POOL_BYTES];
struct wire { uint8_t b[8192]; size_t n; };
static struct wire to_device, to_host;
static struct ember_rpc_server server;
static ember_session_t host;
static uint8_t host_rx[4096];
static int32_t last_status = -1;
static uint32_t last_u32 = 0;
static uint16_t seq = 0;

static size_t put(void* ctx, const uint8_t* d, size_t n) {
  struct wire* w = (struct wire*)ctx;
  if (w->n + n > sizeof w->b) return 0;
  memcpy(w->b + w->n, d, n);
  w->n += n;
  return n;
}
static uint32_t le32(const uint8_t* b) {
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static void on_host(void* ctx, uint8_t type, const uint8_t* body, size_t n) {
  (void)ctx;
  if (type != EMBER_SESSION_NORMAL) return;
  last_status = n >= 8u ? (int32_t)le32(body + 4) : -2;
  last_u32 = n >= 12u ? le32(body + 8) : 0u;
  ember_session_clear_receive_buffer(&host);
}
static void pump(void) {
  while (to_device.n > 0 || to_host.n > 0) {
    struct wire w = to_device;
    to_device.n = 0;
    (void)ember_rpc_server_feed(&server, w.b, w.n);
    w = to_host;
    to_host.n = 0;
    {
      size_t at = 0, used = 0;
      while (at < w.n && ember_session_receive(&host, w.b + at, w.n - at, &used) >= 0 && used > 0) at += used;
    }
  }
}
static void put_u32(uint8_t* b, uint32_t v) {
  b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); b[2] = (uint8_t)(v >> 16); b[3] = (uint8_t)(v >> 24);
}
static int32_t request(uint8_t op, const uint8_t* body, size_t n) {
  uint8_t msg[512];
  ++seq;
  msg[0] = op; msg[1] = 0; msg[2] = (uint8_t)seq; msg[3] = (uint8_t)(seq >> 8);
  memcpy(msg + 4, body, n);
  last_status = -1;
  if (ember_session_send_message(&host, EMBER_SESSION_NORMAL, msg, n + 4u) != 0) return -3;
  pump();
  return last_status;
}
static uint32_t alloc(uint32_t nbytes) {
  uint8_t b[8];
  put_u32(b, nbytes);
  put_u32(b + 4, 1u);
  return request(EMBER_RPC_OP_ALLOC, b, 8) == 0 ? last_u32 : 0xFFFFFFFFu;
}
/* CALL of operator 0 with handles in, out and the table's dtypes. */
static int32_t call(uint32_t in, uint32_t out) {
  const struct ember_operator* op = &tvmgen_default_operators[0];
  uint8_t b[256];
  size_t len = strlen(op->name), n = 0, k;
  uint32_t h[2];
  h[0] = in; h[1] = out;
  b[n++] = (uint8_t)len; b[n++] = (uint8_t)(len >> 8);
  memcpy(b + n, op->name, len); n += len;
  b[n++] = 2;
  for (k = 0; k < 2; ++k) {
    put_u32(b + n, h[k]); n += 4;
    b[n++] = op->args[k].code; b[n++] = op->args[k].bits;
    b[n++] = (uint8_t)op->args[k].lanes; b[n++] = (uint8_t)(op->args[k].lanes >> 8);
  }
  return request(EMBER_RPC_OP_CALL, b, n);
}
int main(void) {
  static struct ember_model_io model;
  const struct ember_operator* op = &tvmgen_default_operators[0];
  uint32_t in, out;
  int32_t tiny, exact;
  model.name = "default";
  model.hash = "0000000000000000";
  model.operators = tvmgen_default_operators;
  model.num_operators = TVMGEN_DEFAULT_NUM_OPERATORS;
  if (op->num_inputs != 1u || op->num_outputs != 1u) return 4;
  ember_rpc_server_init(&server, &model, "test", pool, sizeof pool, put, &to_host, 0xAB);
  ember_session_init(&host, host_rx, sizeof host_rx, put, &to_device, on_host, NULL);
  (void)ember_session_initialize(&host, 0x3C);
  pump();
  (void)ember_session_start_session(&host);
  pump();
  if (!ember_session_is_established(&host)) return 5;
  in = alloc(op->args[0].nbytes);
  (void)alloc(POOL_BYTES - op->args[0].nbytes - 1u);
  out = alloc(1);
  if (out != POOL_BYTES - 1u) return 6;
  tiny = call(in, out);
  (void)ember_session_start_session(&host); /* a new session empties the pool */
  pump();
  in = alloc(op->args[0].nbytes);
  out = alloc(op->args[1].nbytes);
  exact = call(in, out);
  printf("%ld %ld\n", (long)tiny, (long)exact);
  return 0;
}
)";

TEST(RpcCallCheck, GeneratedConvWithATooSmallOutputIsRefusedUnderAsan) {
  auto g = frontend::tflite::ImportTflite(TinyConvModel(), "tiny.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  codegen::c::AotOptions o;
  o.graph_executor = true;
  auto m = codegen::c::GenerateAot(*g, o);
  ASSERT_TRUE(m.ok()) << m.diag().ToString();
  const std::string dir = TempDir();
  const std::string rt = std::string(EMBER_SOURCE_DIR) + "/runtime";
  std::string sources = dir + "/driver.c";
  auto write = [&](const std::string& name, const std::string& text) {
    WriteFile(dir + "/" + name, std::vector<uint8_t>(text.begin(), text.end()));
  };
  write("driver.c", kDriver);
  write(m->header_name, m->header);
  for (const auto& [name, text] : m->sources) {
    write(name, text);
    sources += " " + dir + "/" + name;
  }
  for (const char* f : {"rpc_server.c", "rpc_pool.c", "session.c", "framing.c", "error_codes.c", "platform_default.c"})
    sources += " " + rt + "/src/" + f;
  const std::string cc = "cc -std=c99 -Wall -Wextra -Werror -pedantic -g -O1 -fsanitize=address,undefined "
                         "-fno-sanitize-recover=all -I " + rt + "/include -I " + dir + " " + sources + " -o " + dir +
                         "/prog 2> " + dir + "/cc.log";
  ASSERT_EQ(std::system(cc.c_str()), 0) << [&] {
    const auto log = ReadFile(dir + "/cc.log");
    return std::string(log.begin(), log.end());
  }();
  const int rc = std::system((dir + "/prog > " + dir + "/out.txt 2> " + dir + "/err.txt").c_str());
  const auto err = ReadFile(dir + "/err.txt");
  EXPECT_EQ(rc, 0) << "the program failed; its sanitizer report:\n" << std::string(err.begin(), err.end());
  const auto out = ReadFile(dir + "/out.txt");
  EXPECT_EQ(std::string(out.begin(), out.end()), "2566 0\n");  // kEmberErrorRpcArgMismatch, then success
}

}  // namespace
}  // namespace ember::test
