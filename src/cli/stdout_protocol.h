// What a `jobq worker` child may say on stdout: `progress <0-100> [message]`, `stage <name>`, and
// JSON lines, the last of which is the job's result. Any other line is just output.
#pragma once

#include <string>
#include <string_view>

namespace jobq::cli {

struct StdoutLine {
  enum class Kind { progress, stage, json, text, malformed };
  Kind kind = Kind::text;
  double progress = 0;  // progress
  std::string text;     // progress: the message; stage: the name; json: the line;
                        // malformed: what is wrong
};

StdoutLine parse_stdout_line(std::string_view line);

}  // namespace jobq::cli
