#include "jobq/error.h"

namespace jobq {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::ok:
      return "ok";
    case ErrorCode::invalid_argument:
      return "invalid_argument";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::conflict:
      return "conflict";
    case ErrorCode::payload_too_large:
      return "payload_too_large";
    case ErrorCode::quota_exceeded:
      return "quota_exceeded";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::internal:
      return "internal";
  }
  return "internal";
}

std::string Error::to_string() const {
  std::string s = jobq::to_string(code_);
  if (!field_.empty()) s += " (" + field_ + ")";
  if (!message_.empty()) s += ": " + message_;
  return s;
}

Error Error::within(const std::string& outer) const {
  return {code_, message_, field_.empty() ? outer : outer + "." + field_};
}

}  // namespace jobq
