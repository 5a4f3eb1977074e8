/* Weak default platform hooks (platform.h): enough to link and run a model
 * on any target. A board port replaces any of them by defining a function
 * with the same name; the linker prefers the port's (strong) definition. */
#include "ember/platform.h"

#include "ember/error_codes.h"

EMBER_WEAK EMBER_NORETURN void ember_platform_abort(int32_t code) {
  volatile int32_t last_error = code; /* visible to a debugger */
  (void)last_error;
  for (;;) {
  }
}

EMBER_WEAK void ember_platform_log(const char* msg, size_t len) {
  (void)msg;
  (void)len;
}

EMBER_WEAK uint32_t ember_platform_ticks(void) { return 0u; }

EMBER_WEAK uint32_t ember_platform_ticks_begin(void) { return ember_platform_ticks(); }

EMBER_WEAK uint32_t ember_platform_ticks_per_second(void) { return 0u; }

EMBER_WEAK int32_t ember_platform_reset(void) { return kEmberErrorRpcUnsupported; }
