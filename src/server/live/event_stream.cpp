#include "server/live/event_stream.h"

#include <algorithm>
#include <boost/json.hpp>

#include "wire/job_json.h"
#include "wire/json_text.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

bool listed(const std::vector<std::string>& list, std::string_view item) {
  return list.empty() || std::find(list.begin(), list.end(), item) != list.end();
}

bool ends_stream(EventType t) {
  return t == EventType::completed || t == EventType::failed || t == EventType::cancelled ||
         t == EventType::purged;
}

}  // namespace

Message event_message(std::string_view event, const Job& job) {
  std::string text;
  JsonText out(text);
  out.begin_object().key("event").string(event).key("job");
  write_job(out, job);
  out.end_object();
  return std::make_shared<const std::string>(std::move(text));
}

bool StreamFilter::matches(const Event& e) const {
  if (!job_id.empty()) return e.job->id == job_id;
  return listed(queues, e.job->queue) && listed(types, e.job->type) &&
         listed(events, to_string(e.type));
}

EventStream::EventStream(const Clock& clock, StreamFilter filter, Options options)
    : clock_(clock), filter_(std::move(filter)), options_(options) {}

void EventStream::on_ready(std::function<void()> notify) {
  std::lock_guard lock(mutex_);
  notify_ = std::move(notify);
}

void EventStream::notify() {
  std::function<void()> n;
  {
    std::lock_guard lock(mutex_);
    n = notify_;
  }
  if (n) n();
}

void EventStream::push(EventType type, const Job& job, const Message& message) {
  {
    std::lock_guard lock(mutex_);
    if (!filter_.job_id.empty() && !snapshot_) {
      // Until the snapshot is read, nobody can tell whether this event is older than it.
      early_.push_back({type, job, message});
      return;
    }
    accept(type, job, message);
  }
  // Also when a progress message was only held: the writer learns when it is due.
  notify();
}

void EventStream::accept(EventType type, const Job& job, const Message& message) {
  if (end_ != End::none || shown_by_snapshot(job)) return;
  if (type == EventType::progress) {
    hold_or_send_progress(job.id, message);
  } else {
    // Any other event carries the job's latest state: a held progress message is stale.
    held_.erase(job.id);
    if (is_terminal(job.status) || type == EventType::purged) progress_sent_.erase(job.id);
    enqueue(message);
    if (!filter_.job_id.empty() && ends_stream(type) && end_ == End::none) end_ = End::done;
  }
}

bool EventStream::shown_by_snapshot(const Job& job) const {
  if (!snapshot_) return false;
  if (job.updated_at != snapshot_->updated_at) return job.updated_at < snapshot_->updated_at;
  // The same millisecond: shown already if it is the state the snapshot showed. Compared field by
  // field, since a job read back from a store need not equal, byte for byte, the one it wrote.
  const Job& s = *snapshot_;
  return job.status == s.status && job.attempt == s.attempt && job.progress == s.progress &&
         job.progress_message == s.progress_message && job.stage == s.stage &&
         job.cancel_requested == s.cancel_requested && job.priority == s.priority &&
         job.run_at == s.run_at && job.worker_id == s.worker_id;
}

void EventStream::hold_or_send_progress(const std::string& job_id, const Message& message) {
  Millis now = clock_.now();
  auto sent = progress_sent_.find(job_id);
  if (sent != progress_sent_.end() && now - sent->second < options_.progress_interval_ms) {
    // Hold the newest; it goes out when the interval is over.
    held_[job_id] = {message, sent->second + options_.progress_interval_ms};
    return;
  }
  progress_sent_[job_id] = now;
  held_.erase(job_id);
  enqueue(message);
}

void EventStream::enqueue(const Message& message) {
  if (ready_.size() >= options_.max_pending) {
    end_ = End::overflow;
    ready_.clear();
    held_.clear();
    return;
  }
  ready_.push_back(message);
}

void EventStream::finish(End why) {
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, held] : held_) ready_.push_back(held.message);
    held_.clear();
    if (end_ == End::none) end_ = why;
  }
  notify();
}

void EventStream::start_after(Job snapshot) {
  {
    std::lock_guard lock(mutex_);
    snapshot_ = std::move(snapshot);
    for (const Early& e : early_) accept(e.type, e.job, e.message);
    early_.clear();
  }
  notify();
}

EventStream::Taken EventStream::take() {
  std::lock_guard lock(mutex_);
  Taken out;
  Millis now = clock_.now();
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->second.due <= now) {
      ready_.push_back(it->second.message);
      progress_sent_[it->first] = now;
      it = held_.erase(it);
    } else {
      std::int64_t in = it->second.due - now;
      if (!out.due_in_ms || in < *out.due_in_ms) out.due_in_ms = in;
      ++it;
    }
  }
  out.messages.assign(ready_.begin(), ready_.end());
  ready_.clear();
  out.end = end_;
  return out;
}

}  // namespace jobq::server
