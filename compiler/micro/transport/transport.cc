#include "micro/transport/transport.h"

#include <cstdio>

namespace ember::micro {

std::string FormatSeconds(std::optional<double> seconds) {
  if (!seconds) return "None";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%gs", *seconds);
  return buf;
}

}  // namespace ember::micro
