// jobqd's log: spdlog to stderr, as text or as JSON lines.
#pragma once

#include <string>

namespace jobq {

// format: "text" or "json"; level: trace, debug, info, warn, error or off.
void setup_logging(const std::string& format, const std::string& level);

}  // namespace jobq
