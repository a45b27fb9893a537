// Errors are values: every call that can fail returns a Status or a Result<T>.
// The codes map one-to-one to HTTP statuses in the server's error mapper.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace jobq {

enum class ErrorCode {
  ok,
  invalid_argument,   // bad input; `field` names the offending field
  not_found,          // unknown id
  conflict,           // stale lease token or a transition the state table forbids
  payload_too_large,  // payload over the configured cap
  quota_exceeded,     // a user's quota has no room now; retry_after_ms says when it will
  unavailable,        // the store failed; nothing was written
  internal,
};

const char* to_string(ErrorCode code);

class Error {
 public:
  Error() = default;
  Error(ErrorCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Error invalid(std::string field, std::string message) {
    return {ErrorCode::invalid_argument, std::move(message), std::move(field)};
  }
  static Error not_found(std::string message) { return {ErrorCode::not_found, std::move(message)}; }
  static Error conflict(std::string message) { return {ErrorCode::conflict, std::move(message)}; }
  static Error unavailable(std::string message) {
    return {ErrorCode::unavailable, std::move(message)};
  }
  // retry_after_ms: when the quota will have room again; 0: not for this request (it is larger
  // than the whole quota).
  static Error quota_exceeded(std::string message, std::string field, std::int64_t retry_after_ms) {
    Error e(ErrorCode::quota_exceeded, std::move(message), std::move(field));
    e.retry_after_ms_ = retry_after_ms;
    return e;
  }

  bool ok() const { return code_ == ErrorCode::ok; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }
  std::int64_t retry_after_ms() const { return retry_after_ms_; }
  std::string to_string() const;
  // The same error, about a field of `outer`: "type" within "job" is "job.type"; no field is
  // `outer` itself.
  Error within(const std::string& outer) const;

 private:
  ErrorCode code_ = ErrorCode::ok;
  std::string message_;
  std::string field_;
  std::int64_t retry_after_ms_ = 0;
};

// Status is an Error that may be ok.
using Status = Error;

// Either a value or an error. Reading the value of an error (or the error of a value) is a bug.
// E is any error type with ok(); the client's ApiError (client.h) also keeps the HTTP status.
template <class T, class E = Error>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(E error) : v_(std::move(error)) { assert(!std::get<E>(v_).ok()); }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<E>(v_); }

 private:
  std::variant<T, E> v_;
};

}  // namespace jobq
