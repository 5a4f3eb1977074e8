/* The ember platform hooks (ember/platform.h) for the example on a POSIX
 * host: the log is the program's standard output, the timer is the
 * monotonic clock in microseconds, abort ends the program. On a board, use
 * its port's hooks instead (or none: the runtime's weak defaults drop the
 * log and have no timer). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ember/platform.h"

void ember_platform_log(const char* msg, size_t len) {
  fwrite(msg, 1, len, stdout);
  if (len > 0 && msg[len - 1] == '\n') fflush(stdout);
}

void ember_platform_abort(int32_t code) {
  fflush(stdout);
  fprintf(stderr, "ember: abort with error 0x%08lx\n", (unsigned long)(uint32_t)code);
  exit(4);
}

uint32_t ember_platform_ticks(void) {
  struct timespec now;
  if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return 0u;
  return (uint32_t)((uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u);
}

uint32_t ember_platform_ticks_per_second(void) { return 1000000u; }
