// One webhook POST, synchronous: the caller's thread does the whole exchange (a pool thread,
// once the engine calls it). What it does, in order:
//   1. parses the URL: http:// or https://; a user name or password in it is refused;
//   2. resolves the host and asks the AddressPolicy about EVERY address it got: if any is
//      refused, so is the delivery, naming the address (a name that resolves both to a public
//      and to a private address is not called);
//   3. connects to one of those checked addresses, not to the name again, so a DNS answer that
//      changes between the check and the connect (rebinding) cannot get past the check;
//   4. for https://, makes a TLS handshake that checks the peer's certificate against the
//      trusted roots (the system's, or ca_file) and the URL's host; then
//      sends the body with Content-Type: application/json, User-Agent: jobq-webhooks,
//      X-Jobq-Signature (signature.h), X-Jobq-Event and X-Jobq-Delivery, and Connection: close;
//   5. reads the status and at most max_response_bytes of the body (the header is limited to
//      16 KiB apart from that), then closes.
// Redirects (3xx) are NOT followed: the outcome is a failure, "redirects are not followed",
// not retried. Following one would need the same checks for its target; a receiver should
// answer at the URL it was given.
// `timeout` bounds connect, write and read together, and the resolution too as far as the
// system's resolver lets itself be abandoned (getaddrinfo cannot be interrupted: a hung
// resolution ends when the resolver gives up, with a timeout outcome).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "webhooks/address_policy.h"

namespace jobq::webhooks {

struct DeliveryRequest {
  std::string url;               // http://host[:port][/path][?query]
  std::string body;              // JSON text
  std::string event;             // X-Jobq-Event, as "job.completed"
  std::string delivery_id;       // X-Jobq-Delivery: the same on every retry of one delivery
  std::string secret;            // signs the body (X-Jobq-Signature)
  std::int64_t timestamp_s = 0;  // the signature's time, unix seconds
  std::chrono::milliseconds timeout{10'000};
  std::size_t max_response_bytes = 64 * 1024;
  AddressPolicy policy;  // which addresses may be called
  std::string ca_file;   // PEM roots trusted for https://; empty: the system's
};

struct DeliveryOutcome {
  bool delivered = false;  // the receiver answered 2xx
  int http_status = 0;     // 0 when no answer came
  std::string error;       // for people; empty when delivered
  // Whether trying again may succeed: network errors, timeouts, 5xx and 429 yes; other 4xx,
  // redirects, refused URLs and addresses no.
  bool retryable = false;
  std::string response_body;        // up to max_response_bytes
  bool response_truncated = false;  // the body went on past max_response_bytes
};

DeliveryOutcome deliver(const DeliveryRequest& request);

}  // namespace jobq::webhooks
