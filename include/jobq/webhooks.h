// Webhooks: a POST to a URL when a job ends (docs/engine.md "Webhooks"). The engine puts each one
// into a durable outbox in the same write as the job's end, so a delivery is as durable as the
// end it reports; a sender (src/webhooks/sender.h) claims deliveries, sends them and settles them
// through the engine, which owns the retries and the dead-lettering.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jobq/clock.h"
#include "jobq/job.h"

namespace jobq {

// The events a webhook is called on: a job's terminal states.
enum class WebhookEvent { completed, failed, cancelled };
std::string_view to_string(WebhookEvent event);  // "job.completed", "job.failed", "job.cancelled"
std::optional<WebhookEvent> webhook_event_from_string(std::string_view text);
// The event a job in this status ends with; none for a status that is not terminal.
std::optional<WebhookEvent> webhook_event_of(JobStatus status);

// A webhook configured for the jobs of a queue, of a type, or of both (an empty name: any).
struct WebhookHook {
  std::string url;
  std::string queue, type;
  std::vector<WebhookEvent> events;  // empty: every event
  bool operator==(const WebhookHook&) const = default;
};

struct WebhookOptions {
  // Off: no delivery is made and a job's callback_url is refused (a server needs a secret to
  // sign webhooks with before it sends any).
  bool enabled = false;
  std::vector<WebhookHook> hooks;
  int max_attempts = 10;  // sends of one delivery before it is dead-lettered
  Backoff backoff{1000, 2.0, 3'600'000, 0.1};
  // A claimed delivery whose sender neither settles it nor gives it back within this time (the
  // sender's process died) is claimed again. Longer than a send's timeout.
  std::int64_t hold_ms = 60'000;
  // Dead-lettered deliveries are dropped this long after their last attempt.
  std::int64_t dead_retention_ms = 7 * 86'400'000LL;
};

// What a server tells of its WebhookOptions (GET /api/v1/webhooks): enough to see whether and
// where it calls webhooks, and how long a failing delivery lasts.
struct WebhookSettings {
  bool enabled = false;
  std::vector<WebhookHook> hooks;
  int max_attempts = 0;
  std::int64_t dead_retention_ms = 0;
  bool operator==(const WebhookSettings&) const = default;
};

enum class DeliveryStatus { pending, dead };
std::string_view to_string(DeliveryStatus status);
std::optional<DeliveryStatus> delivery_status_from_string(std::string_view text);

// One webhook call to make, in the outbox until it is delivered (then it is removed) or dead.
struct Delivery {
  std::string id;  // UUIDv7; sent as X-Jobq-Delivery, the same on every attempt
  std::string job_id;
  std::string url;
  std::string event;  // "job.completed"
  std::string body;   // the JSON text POSTed: the event and the job as it ended
  DeliveryStatus status = DeliveryStatus::pending;
  int attempts = 0;    // sends started
  Millis next_at = 0;  // pending: not before this; claimed: when the claim runs out. dead: 0
  Millis created_at = 0;
  Millis updated_at = 0;
  int last_status = 0;  // the HTTP status of the last answer; 0: no answer
  std::string last_error;
  std::string token;  // the current claim's; empty when unclaimed
  bool operator==(const Delivery&) const = default;
};

struct DeliveryFilter {
  std::optional<DeliveryStatus> status;
  std::string job_id;  // empty: any
  std::size_t limit = 50;
  std::string cursor;  // the last id of the previous page
};

// Newest first; next_cursor empty on the last page.
struct DeliveryPage {
  std::vector<Delivery> deliveries;
  std::string next_cursor;
};

// How many deliveries the outbox holds, for /metrics.
struct DeliveryCounts {
  std::int64_t pending = 0;
  std::int64_t dead = 0;
};

// What one send came to, for Engine::settle_delivery.
struct DeliveryAttempt {
  bool delivered = false;
  bool retryable = false;  // a failure that another attempt may get past
  int http_status = 0;
  std::string error;
};

}  // namespace jobq
