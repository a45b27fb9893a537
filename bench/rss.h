// The resident set size of this process, as the kernel reports it in /proc/self/status (VmRSS).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include <malloc.h>

namespace bench {

inline std::int64_t rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // "VmRSS: 123 kB"
  }
  return -1;
}

// Hands memory freed by earlier work back to the kernel, so that a baseline taken right after is
// not padded with free heap the next measurement would silently reuse.
inline void release_free_heap() {
  malloc_trim(0);
}

}  // namespace bench
