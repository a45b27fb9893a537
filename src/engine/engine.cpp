// The engine's frame: construction, the write every change goes through, and events.
#include "jobq/engine.h"

#include <random>

#include "core/backoff.h"
#include "engine/engine_impl.h"
#include "wire/strict_json.h"

namespace jobq {

namespace {

EventType event_for(const Job& job) {
  switch (job.status) {
    case JobStatus::completed:
      return EventType::completed;
    case JobStatus::failed:
      return EventType::failed;
    case JobStatus::cancelled:
      return EventType::cancelled;
    case JobStatus::running:
      return job.cancel_requested ? EventType::cancel_requested : EventType::progress;
    case JobStatus::scheduled:
      return EventType::retrying;
    default:
      return EventType::queued;
  }
}

}  // namespace

Status check_json(const std::string& text, const char* field) {
  if (text.empty()) return {};
  auto parsed = parse_json(text, field);
  return parsed ? Status{} : parsed.error();
}

Engine::Engine(Store& store, const Clock& clock, EventBus& bus, EngineOptions options)
    : impl_(std::make_unique<Impl>(*this, store, clock, bus, options)) {
  if (EventChannel* channel = store.shared_events())
    impl_->relay = std::make_unique<EventRelay>(*this, bus, *channel);
  if (auto limits = store.limits()) impl_->note_limits(*limits);
  store.set_user_caps(impl_->options.tier_max_running);
  if (impl_->options.webhooks.enabled && !impl_->options.webhooks.hooks.empty())
    store.note_webhooks();
}

Engine::~Engine() {
  impl_->relay.reset();  // no other node's event reaches an engine going away
  impl_->drain();
}

const EngineOptions& Engine::options() const {
  return impl_->options;
}

const Clock& Engine::clock() const {
  return impl_->clock;
}

Engine::Impl::Impl(Engine& engine, Store& s, const Clock& c, EventBus& b, EngineOptions o)
    : store(s),
      clock(c),
      bus(b),
      options(o),
      rng_state_(o.jitter_seed ? o.jitter_seed : std::random_device{}()) {
  waiters = std::make_unique<LeaseWaiters>(
      [this](const LeaseRequest& r) { return store.has_ready(r, clock.now()); },
      [&engine](const LeaseRequest& r, LeaseCallback done) {
        engine.lease_now_async(r, std::move(done));
      });
}

void Engine::Impl::drain() {
  {
    std::unique_lock lock(writes_mutex_);
    writes_done_.wait(lock, [this] { return writes_ == 0; });
  }
  waiters->release_all();
}

void Engine::Impl::write_counted(Store::WriteWork work, Store::WriteDone done) {
  {
    std::lock_guard lock(writes_mutex_);
    ++writes_;
  }
  store.write_async(std::move(work), [this, done = std::move(done)](const Status& s) {
    done(s);
    std::lock_guard lock(writes_mutex_);
    if (--writes_ == 0) writes_done_.notify_all();
  });
}

void Engine::Impl::publish(EventType type, Job job) {
  if (!bus.has_subscribers()) return;
  job.lease_token.clear();
  bus.publish({type, std::make_shared<const Job>(std::move(job))});
}

void Engine::Impl::publish_all(EventType type, std::vector<Job>& jobs) {
  for (Job& job : jobs) publish(type, job);
}

void Engine::Impl::publish_finished(const Job& job, std::vector<Job>& dependents,
                                    std::optional<EventType> type) {
  publish(type.value_or(event_for(job)), job);
  for (Job& d : dependents) publish(event_for(d), d);
  std::vector<Job> ready;
  if (job.status == JobStatus::queued) ready.push_back(job);  // retried at once
  for (const Job& d : dependents)
    if (d.status == JobStatus::queued) ready.push_back(d);
  if (!ready.empty()) waiters->offer(ready);
  if (is_limited(job)) wake_waiters();  // a running job that stopped may free its cap
}

std::int64_t Engine::Impl::backoff_delay(const Backoff& backoff, int failures) {
  std::lock_guard lock(rng_mutex_);
  return backoff_delay_ms(backoff, failures, next_random(rng_state_));
}

}  // namespace jobq
