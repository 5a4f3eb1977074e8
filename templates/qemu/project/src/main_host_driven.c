/* Firmware of the qemu template's device, project_type host_driven: the
 * ember RPC server (docs/rpc.md) on UART 0, so that the host can run the
 * model, call its operators one by one, time them with the board's timer
 * and read any tensor (ember run, ember profile, ember validate, the graph
 * and debug executors).
 *
 * The server is push-based: this loop drains the UART and feeds what came
 * to it; replies leave through write_uart before ember_rpc_server_feed
 * returns. A RESET request is answered first, then the core resets through
 * the System Control Block (AIRCR.SYSRESETREQ): QEMU restarts the board
 * with the firmware image, which announces itself with the session layer's
 * TerminateSession. Nothing but protocol bytes goes out on UART 0; the log
 * uses semihosting. */
#include <stdint.h>

#include "ember/error_codes.h"
#include "ember/platform.h"
#include "ember/rpc_server.h"
#include "platform.h"
#include "uart_cmsdk.h"

#define EMBER_QEMU_UART EMBER_CM_UART0_BASE
#define EMBER_QEMU_BAUD 115200u

#ifndef EMBER_QEMU_BOARD
#define EMBER_QEMU_BOARD "qemu"
#endif

/* The ALLOC pool for the host's tensors; the default fits every board's
 * RAM next to the model's arena (override with compile_definitions). */
#ifndef EMBER_QEMU_POOL_BYTES
#define EMBER_QEMU_POOL_BYTES (256u * 1024u)
#endif

#define SCB_AIRCR (*(volatile uint32_t*)(uintptr_t)0xE000ED0Cu)
#define SCB_AIRCR_VECTKEY 0x05FA0000u
#define SCB_AIRCR_SYSRESETREQ 0x4u

static uint8_t pool[EMBER_QEMU_POOL_BYTES] __attribute__((aligned(16)));
static struct ember_rpc_server server;
static volatile int reset_requested;

static size_t write_uart(void* ctx, const uint8_t* data, size_t n) {
  (void)ctx;
  ember_cm_uart_write(EMBER_QEMU_UART, data, n);
  return n;
}

/* The reset happens in main() once the RESET reply has left. */
int32_t ember_platform_reset(void) {
  reset_requested = 1;
  return kEmberErrorNoError;
}

static void reset_now(void) {
  __asm__ volatile("dsb" ::: "memory");
  SCB_AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ;
  __asm__ volatile("dsb" ::: "memory");
  for (;;) {
  }
}

int main(void) {
  static uint8_t buf[256];
  const uint8_t nonce = (uint8_t)(ember_platform_ticks() | 1u);
  ember_cm_uart_init(EMBER_QEMU_UART, EMBER_CM_UART_CLOCK_HZ, EMBER_QEMU_BAUD);
  ember_rpc_server_init(&server, &ember_model, EMBER_QEMU_BOARD, pool, sizeof pool, write_uart, NULL, nonce);
  for (;;) {
    const size_t n = ember_cm_uart_read(EMBER_QEMU_UART, buf, sizeof buf);
    if (n == 0u) continue;
    /* Corrupted or oversized packets are dropped (no reply); the next
     * packet start resynchronizes. */
    (void)ember_rpc_server_feed(&server, buf, n);
    if (reset_requested) reset_now();
  }
}
