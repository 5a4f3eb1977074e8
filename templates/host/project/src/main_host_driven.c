/* Firmware of the host template's device, project_type host_driven: the
 * ember RPC server (docs/rpc.md) on standard input and output, so the host
 * can run the model, call its operators, time them and read any tensor.
 * Exit status: 0 at the end of input, 2 on a read error. A RESET request
 * is answered, then the program re-executes itself (a fresh device), which
 * announces itself with the session layer's TerminateSession. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "ember/error_codes.h"
#include "ember/platform.h"
#include "ember/rpc_server.h"

#ifndef EMBER_HOST_POOL_BYTES
#define EMBER_HOST_POOL_BYTES (4u << 20) /* the ALLOC pool: 4 MiB */
#endif

static uint8_t pool[EMBER_HOST_POOL_BYTES] __attribute__((aligned(64)));
static struct ember_rpc_server server;
static char self_path[4096];
static volatile int reset_requested;

static size_t write_stdout(void* ctx, const uint8_t* data, size_t n) {
  size_t done = 0;
  (void)ctx;
  while (done < n) {
    ssize_t w = write(STDOUT_FILENO, data + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    done += (size_t)w;
  }
  return done;
}

/* The reset happens in main() once the RESET reply has left. */
int32_t ember_platform_reset(void) {
  if (self_path[0] == '\0') return kEmberErrorRpcUnsupported; /* nothing to re-execute */
  reset_requested = 1;
  return kEmberErrorNoError;
}

static void reset_now(void) {
  char* argv[2];
  argv[0] = self_path;
  argv[1] = NULL;
  execv(self_path, argv);
  perror("ember host device: reset (execv)");
  _exit(2);
}

int main(int argc, char** argv) {
  uint8_t buf[512];
  uint8_t nonce = (uint8_t)(time(NULL) ^ getpid());
  ssize_t len = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  if (len > 0) {
    self_path[len] = '\0';
  } else if (argc > 0) {
    snprintf(self_path, sizeof self_path, "%s", argv[0]);
  }
  ember_rpc_server_init(&server, &ember_model, "host", pool, sizeof pool, write_stdout, NULL, nonce ? nonce : 1);
  for (;;) {
    ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
    if (got == 0) return 0;
    if (got < 0) {
      if (errno == EINTR) continue;
      perror("ember host device: read");
      return 2;
    }
    /* Framing errors are recovered from by the next packet start. */
    (void)ember_rpc_server_feed(&server, buf, (size_t)got);
    if (reset_requested) reset_now();
  }
}
