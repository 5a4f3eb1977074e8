/* The ember platform hooks (ember/platform.h) for a POSIX process. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ember/platform.h"

void ember_platform_abort(int32_t code) {
  fprintf(stderr, "ember host device: abort, error 0x%lx\n", (unsigned long)code);
  exit(4);
}

void ember_platform_log(const char* msg, size_t len) {
  fwrite(msg, 1, len, stderr);
}

/* Microseconds of the monotonic clock, wrapping modulo 2^32. */
uint32_t ember_platform_ticks(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

uint32_t ember_platform_ticks_per_second(void) { return 1000000u; }
