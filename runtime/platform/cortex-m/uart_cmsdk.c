/* CMSDK APB UART, polled (register map in uart_cmsdk.h). */
#include "uart_cmsdk.h"

#define UART_REG(base, off) (*(volatile uint32_t*)(uintptr_t)((base) + (off)))
#define UART_DATA 0x00u
#define UART_STATE 0x04u
#define UART_CTRL 0x08u
#define UART_BAUDDIV 0x10u
#define STATE_TX_FULL 0x1u
#define STATE_RX_FULL 0x2u
#define CTRL_TX_EN 0x1u
#define CTRL_RX_EN 0x2u

void ember_cm_uart_init(uint32_t base, uint32_t clock_hz, uint32_t baud) {
  uint32_t div = baud > 0u ? clock_hz / baud : 16u;
  if (div < 16u) div = 16u; /* the smallest divider the UART accepts */
  UART_REG(base, UART_CTRL) = 0u;
  UART_REG(base, UART_BAUDDIV) = div;
  UART_REG(base, UART_CTRL) = CTRL_TX_EN | CTRL_RX_EN;
}

void ember_cm_uart_putc(uint32_t base, uint8_t byte) {
  while ((UART_REG(base, UART_STATE) & STATE_TX_FULL) != 0u) {
  }
  UART_REG(base, UART_DATA) = byte;
}

void ember_cm_uart_write(uint32_t base, const uint8_t* data, size_t len) {
  size_t i;
  for (i = 0; i < len; ++i) ember_cm_uart_putc(base, data[i]);
}

int32_t ember_cm_uart_getc(uint32_t base) {
  if ((UART_REG(base, UART_STATE) & STATE_RX_FULL) == 0u) return -1;
  return (int32_t)(UART_REG(base, UART_DATA) & 0xFFu);
}

size_t ember_cm_uart_read(uint32_t base, uint8_t* buf, size_t cap) {
  size_t n = 0;
  while (n < cap) {
    const int32_t c = ember_cm_uart_getc(base);
    if (c < 0) break;
    buf[n++] = (uint8_t)c;
  }
  return n;
}
