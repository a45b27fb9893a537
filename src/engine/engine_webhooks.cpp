// Webhooks' outbox: the deliveries a job's end adds, and how a send is settled (retried with
// backoff, or dead-lettered).
#include <algorithm>

#include "core/backoff.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "engine/engine_impl.h"
#include "store/delivery_rules.h"
#include "wire/job_json.h"

namespace jobq {

namespace {

bool hook_matches(const WebhookHook& hook, const Job& job, WebhookEvent event) {
  if (!hook.queue.empty() && hook.queue != job.queue) return false;
  if (!hook.type.empty() && hook.type != job.type) return false;
  return hook.events.empty() ||
         std::find(hook.events.begin(), hook.events.end(), event) != hook.events.end();
}

// What a receiver gets: the event and the job as it ended (without its lease token).
std::string delivery_body(const std::string& id, WebhookEvent event, const Job& job, Millis now) {
  std::string body = "{\"id\":\"" + id + "\",\"event\":\"" + std::string(to_string(event)) +
                     "\",\"created_at\":\"" + format_time(now) + "\",\"job\":";
  body += job_json_text(job);
  body += '}';
  return body;
}

void add_job_deliveries(const WebhookOptions& options, const Job& job, Millis now,
                        std::vector<Delivery>& out) {
  auto event = webhook_event_of(job.status);
  if (!event) return;
  std::vector<std::string> urls;
  if (!job.callback_url.empty()) urls.push_back(job.callback_url);
  for (const WebhookHook& hook : options.hooks)
    if (hook_matches(hook, job, *event) &&
        std::find(urls.begin(), urls.end(), hook.url) == urls.end())
      urls.push_back(hook.url);
  for (std::string& url : urls) {
    Delivery d;
    d.id = new_job_id(now);
    d.job_id = job.id;
    d.url = std::move(url);
    d.event = std::string(to_string(*event));
    d.body = delivery_body(d.id, *event, job, now);
    d.next_at = now;
    d.created_at = now;
    d.updated_at = now;
    out.push_back(std::move(d));
  }
}

// A job that still owes its webhooks this long after its end was not paid by the write that ended
// it (its process died in between), rather than being paid right now.
constexpr Millis kOwedGraceMs = 60'000;

}  // namespace

Result<Finished> Engine::Impl::add_webhooks(WriteGroup& group, Result<Finished> finished,
                                            Millis now) {
  if (!finished || !options.webhooks.enabled) return finished;
  std::vector<Delivery> deliveries;
  std::vector<std::string> ended;
  auto report = [&](const Job& job) {
    if (!is_terminal(job.status)) return;
    ended.push_back(job.id);
    add_job_deliveries(options.webhooks, job, now, deliveries);
  };
  report(finished->job);
  for (const Job& dependent : finished->dependents) report(dependent);
  // With hooks, every end may owe (Store::owed_webhooks), matched or not: it is paid here.
  if (deliveries.empty() && options.webhooks.hooks.empty()) return finished;
  if (Status s = group.add_deliveries(std::move(deliveries), ended); !s.ok()) return s;
  return finished;
}

Result<std::size_t> Engine::Impl::repay_webhooks(Millis now) {
  auto owed = store.owed_webhooks(now - kOwedGraceMs, 1000);
  if (!owed) return owed.error();
  for (const std::string& id : *owed) {
    Status s = store.write([&](WriteGroup& g) -> Status {
      auto job = g.current(id);
      if (!job) return job.error();
      std::vector<Delivery> deliveries;
      // Gone, or retried since: nothing to report.
      if (*job && options.webhooks.enabled)
        add_job_deliveries(options.webhooks, **job, now, deliveries);
      return g.add_deliveries(std::move(deliveries), {id});
    });
    if (!s.ok()) return s;
  }
  return owed->size();
}

Result<std::vector<Delivery>> Engine::claim_deliveries(std::size_t limit) {
  Impl& d = *impl_;
  Millis now = d.clock.now();
  return d.store.write(
      [&](WriteGroup& g) { return g.claim_deliveries(now, d.options.webhooks.hold_ms, limit); });
}

Status Engine::settle_delivery(const Delivery& claimed, const DeliveryAttempt& attempt) {
  Impl& d = *impl_;
  std::optional<Delivery> next;
  if (!attempt.delivered) {
    Millis now = d.clock.now();
    next = claimed;
    next->token.clear();
    next->updated_at = now;
    next->last_status = attempt.http_status;
    next->last_error = attempt.error;
    if (attempt.retryable && claimed.attempts < d.options.webhooks.max_attempts) {
      next->next_at = now + d.backoff_delay(d.options.webhooks.backoff, claimed.attempts);
    } else {
      next->status = DeliveryStatus::dead;
      next->next_at = 0;
    }
  }
  return d.store.write(
      [&](WriteGroup& g) { return g.settle_delivery(claimed.id, claimed.token, next); });
}

Result<std::optional<Millis>> Engine::next_delivery_at() {
  return impl_->store.next_delivery_at();
}

Result<DeliveryCounts> Engine::count_deliveries() {
  return impl_->store.count_deliveries();
}

Result<DeliveryPage> Engine::list_deliveries(const DeliveryFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000)
    return Error::invalid("limit", "must be between 1 and 1000");
  return impl_->store.list_deliveries(filter);
}

Result<Delivery> Engine::get_delivery(const std::string& id) {
  auto found = impl_->store.get_delivery(id);
  if (!found) return found.error();
  if (!*found) return delivery_not_found(id);
  return std::move(**found);
}

Result<Delivery> Engine::retry_delivery(const std::string& id) {
  Impl& d = *impl_;
  Millis now = d.clock.now();
  return d.store.write([&](WriteGroup& g) { return g.redeliver(id, now); });
}

Result<Delivery> Engine::remove_delivery(const std::string& id) {
  return impl_->store.write([&](WriteGroup& g) { return g.remove_delivery(id); });
}

}  // namespace jobq
