/* The aot_io device protocol (ember/aot_io.h). */
#include "ember/aot_io.h"

#include <string.h>

#include "ember/error_codes.h"

void ember_aot_io_init(struct ember_aot_io* io, const struct ember_model_io* model,
                       ember_aot_io_write_fn write, void* write_ctx) {
  io->model = model;
  io->write = write;
  io->write_ctx = write_ctx;
  io->input = 0;
  io->offset = 0;
  io->runs = 0;
  model->prepare();
}

/* Runs the model on the complete inputs and sends the outputs. */
static int32_t run_and_reply(struct ember_aot_io* io) {
  const struct ember_model_io* m = io->model;
  size_t i;
  int32_t rc = m->run();
  if (rc != 0) return rc;
  for (i = 0; i < m->num_outputs; ++i) {
    const struct ember_io_tensor* t = &m->outputs[i];
    if (io->write(io->write_ctx, t->data, t->size) != t->size) return kEmberErrorWriteStreamShortWrite;
  }
  ++io->runs;
  return 0;
}

int32_t ember_aot_io_feed(struct ember_aot_io* io, const uint8_t* data, size_t n) {
  const struct ember_model_io* m = io->model;
  while (n > 0) {
    const struct ember_io_tensor* t = &m->inputs[io->input];
    size_t take = t->size - io->offset;
    if (take > n) take = n;
    memcpy(t->data + io->offset, data, take);
    io->offset += take;
    data += take;
    n -= take;
    if (io->offset < t->size) break;
    io->offset = 0;
    if (++io->input < m->num_inputs) continue;
    io->input = 0;
    {
      int32_t rc = run_and_reply(io);
      /* The next set's inputs may live in the arena the run just used. */
      m->prepare();
      if (rc != 0) return rc;
    }
  }
  return 0;
}
