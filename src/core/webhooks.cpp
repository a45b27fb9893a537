#include "jobq/webhooks.h"

namespace jobq {

std::string_view to_string(WebhookEvent event) {
  switch (event) {
    case WebhookEvent::completed:
      return "job.completed";
    case WebhookEvent::failed:
      return "job.failed";
    case WebhookEvent::cancelled:
      return "job.cancelled";
  }
  return "job.completed";
}

std::optional<WebhookEvent> webhook_event_from_string(std::string_view text) {
  for (WebhookEvent e : {WebhookEvent::completed, WebhookEvent::failed, WebhookEvent::cancelled})
    if (to_string(e) == text) return e;
  return std::nullopt;
}

std::optional<WebhookEvent> webhook_event_of(JobStatus status) {
  switch (status) {
    case JobStatus::completed:
      return WebhookEvent::completed;
    case JobStatus::failed:
      return WebhookEvent::failed;
    case JobStatus::cancelled:
      return WebhookEvent::cancelled;
    default:
      return std::nullopt;
  }
}

std::string_view to_string(DeliveryStatus status) {
  return status == DeliveryStatus::dead ? "dead" : "pending";
}

std::optional<DeliveryStatus> delivery_status_from_string(std::string_view text) {
  if (text == "pending") return DeliveryStatus::pending;
  if (text == "dead") return DeliveryStatus::dead;
  return std::nullopt;
}

}  // namespace jobq
