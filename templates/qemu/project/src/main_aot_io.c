/* Firmware of the qemu template's device: an emulated MPS2/MPS3 board whose
 * UART 0 is the transport. project_type aot_io (ember/aot_io.h): it receives
 * the bytes of every input, runs the model and sends the bytes of every
 * output, for as long as it runs.
 *
 * Receiving: the CMSDK UART holds one received byte, and QEMU hands it the
 * next only after the firmware has read it, so nothing is lost while the
 * model runs; the loop below drains the UART as fast as it can and feeds
 * whole chunks to the protocol. Nothing but protocol bytes goes out on
 * UART 0: the port's log and fault reports use semihosting, which the
 * template's server sends to its log. A model that fails ends the emulation
 * with exit status 3 (the host sees the transport close). */
#include <stdint.h>

#include "ember/aot_io.h"
#include "platform.h"
#include "uart_cmsdk.h"

#define EMBER_QEMU_UART EMBER_CM_UART0_BASE
#define EMBER_QEMU_BAUD 115200u

static size_t write_uart(void* ctx, const uint8_t* data, size_t n) {
  (void)ctx;
  ember_cm_uart_write(EMBER_QEMU_UART, data, n);
  return n;
}

int main(void) {
  static struct ember_aot_io io;
  static uint8_t buf[256];
  ember_cm_uart_init(EMBER_QEMU_UART, EMBER_CM_UART_CLOCK_HZ, EMBER_QEMU_BAUD);
  ember_aot_io_init(&io, &ember_model, write_uart, NULL);
  for (;;) {
    const size_t n = ember_cm_uart_read(EMBER_QEMU_UART, buf, sizeof buf);
    int32_t rc;
    if (n == 0u) continue;
    rc = ember_aot_io_feed(&io, buf, n);
    if (rc != 0) {
      const uint8_t code[4] = {(uint8_t)((uint32_t)rc >> 24), (uint8_t)((uint32_t)rc >> 16),
                               (uint8_t)((uint32_t)rc >> 8), (uint8_t)rc};
      ember_cm_print("ember qemu device: model '");
      ember_cm_print(ember_model.name);
      ember_cm_print("' failed with error 0x");
      ember_cm_print_hex(code, sizeof code);
      ember_cm_print("\n");
      return 3;
    }
  }
}
