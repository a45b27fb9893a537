// Where `jobq submit` gets the payload: the argument itself, @FILE, or stdin (- or @-).
#pragma once

#include <istream>
#include <optional>
#include <string>

#include "jobq/error.h"

namespace jobq::cli {

// Returns the payload as JSON text, checked to parse; no argument means `null`. Errors name the
// `payload` argument and say what was wrong (unreadable file, invalid JSON and where).
Result<std::string> read_payload(const std::optional<std::string>& argument, std::istream& stdin);

// Reads a whole file; the error names `field` and the file.
Result<std::string> read_file(const std::string& path, const std::string& field);

}  // namespace jobq::cli
