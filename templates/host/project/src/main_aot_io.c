/* Firmware of the host template's device: a process whose standard input and
 * output are the transport. project_type aot_io (ember/aot_io.h): it reads
 * the bytes of every input, runs the model and writes the bytes of every
 * output, until its input ends. Exit status: 0 at the end of input, 2 on a
 * read error, 3 when the model or a write fails. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "ember/aot_io.h"

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

int main(void) {
  static struct ember_aot_io io;
  uint8_t buf[512];
  ember_aot_io_init(&io, &ember_model, write_stdout, NULL);
  for (;;) {
    int32_t rc;
    ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
    if (got == 0) return 0;
    if (got < 0) {
      if (errno == EINTR) continue;
      perror("ember host device: read");
      return 2;
    }
    rc = ember_aot_io_feed(&io, buf, (size_t)got);
    if (rc != 0) {
      fprintf(stderr, "ember host device: model '%s' failed with error 0x%lx\n", ember_model.name,
              (unsigned long)rc);
      return 3;
    }
  }
}
