/* Driver of the Arm CMSDK APB UART (the UARTs of the MPS2/MPS3 boards),
 * polled, no interrupts: the byte transport of host-driven sessions.
 *
 * Registers (offsets from the base): DATA 0x00, STATE 0x04 (bit 0 TX
 * buffer full, bit 1 RX buffer full), CTRL 0x08 (bit 0 TX enable, bit 1 RX
 * enable), INTSTATUS 0x0C, BAUDDIV 0x10 (clock / baud rate, at least 16). */
#ifndef EMBER_CM_UART_CMSDK_H_
#define EMBER_CM_UART_CMSDK_H_

#include <stddef.h>
#include <stdint.h>

/* Enables transmitter and receiver of the UART at `base` at `baud` given
 * its input clock `clock_hz`. */
void ember_cm_uart_init(uint32_t base, uint32_t clock_hz, uint32_t baud);

/* Sends one byte, waiting while the transmit buffer is full. */
void ember_cm_uart_putc(uint32_t base, uint8_t byte);

/* Sends `len` bytes. */
void ember_cm_uart_write(uint32_t base, const uint8_t* data, size_t len);

/* Returns the received byte (0..255), or -1 when none is waiting. */
int32_t ember_cm_uart_getc(uint32_t base);

/* Moves the bytes waiting in the UART, at most `cap`, to `buf` without
 * waiting; returns how many (0 when none is waiting). */
size_t ember_cm_uart_read(uint32_t base, uint8_t* buf, size_t cap);

#endif /* EMBER_CM_UART_CMSDK_H_ */
