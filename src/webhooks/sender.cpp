#include "webhooks/sender.h"

#include <algorithm>

namespace jobq::webhooks {

Sender::Sender(Engine& engine, EventBus& bus, SenderOptions options, ErrorLog log,
               SendFunction send)
    : engine_(engine),
      bus_(bus),
      options_(std::move(options)),
      log_(std::move(log)),
      send_(std::move(send)) {}

Sender::~Sender() {
  stop();
}

void Sender::start() {
  // Only an end that may have added a delivery wakes a sender: the rest would cost a read each.
  bool hooks = !engine_.options().webhooks.hooks.empty();
  subscription_ = bus_.subscribe([this, hooks](const Event& e) {
    if ((e.type == EventType::completed || e.type == EventType::failed ||
         e.type == EventType::cancelled) &&
        (hooks || !e.job->callback_url.empty()))
      wake();
  });
  for (int i = 0; i < std::max(1, options_.threads); ++i) threads_.emplace_back([this] { run(); });
}

void Sender::stop() {
  if (subscription_) bus_.unsubscribe(std::exchange(subscription_, 0));
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void Sender::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_one();  // one sender claims a batch; it looks again at once if it got any
}

Result<std::size_t> Sender::send_due() {
  auto claimed = engine_.claim_deliveries(options_.batch);
  if (!claimed) return claimed.error();
  for (const Delivery& d : *claimed) {
    DeliveryRequest request;
    request.url = d.url;
    request.body = d.body;
    request.event = d.event;
    request.delivery_id = d.id;
    request.secret = options_.secret;
    request.timestamp_s = engine_.clock().now() / 1000;
    request.timeout = options_.timeout;
    request.max_response_bytes = options_.max_response_bytes;
    request.policy = options_.policy;
    request.ca_file = options_.ca_file;
    settle(d, send_(request));
  }
  return claimed->size();
}

void Sender::settle(const Delivery& delivery, const DeliveryOutcome& outcome) {
  DeliveryAttempt attempt{outcome.delivered, outcome.retryable, outcome.http_status, outcome.error};
  Status s = engine_.settle_delivery(delivery, attempt);
  // A conflict: the claim ran out during the send and another sender has it (at least once).
  if (!s.ok() && s.code() != ErrorCode::conflict)
    log_("webhook delivery " + delivery.id + ": settling failed: " + s.to_string());
  else if (!outcome.delivered)
    log_("webhook delivery " + delivery.id + " to " + delivery.url + " (attempt " +
         std::to_string(delivery.attempts) + "): " + outcome.error);
}

void Sender::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;
    }
    // Claims are writes: made only when a delivery is due, so an idle sender costs a read a
    // second.
    auto wait = options_.idle_poll;
    auto next = engine_.next_delivery_at();
    if (!next) {
      log_("webhook sender: " + next.error().to_string());
    } else if (next->has_value()) {
      Millis in = **next - engine_.clock().now();
      if (in <= 0) {
        auto sent = send_due();
        if (!sent) log_("webhook sender: " + sent.error().to_string());
        if (sent && *sent > 0) continue;  // more may be due at once
      } else {
        wait = std::min(wait, std::chrono::milliseconds(in));
      }
    }
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
  }
}

}  // namespace jobq::webhooks
