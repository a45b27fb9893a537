#include "server/live/stream_hub.h"

#include <algorithm>

namespace jobq::server {

StreamHub::StreamHub(EventBus& bus, const Clock& clock, std::size_t max_streams,
                     EventStream::Options options)
    : bus_(bus),
      clock_(clock),
      max_streams_(max_streams),
      options_(options),
      subscription_(bus.subscribe([this](const Event& e) { on_event(e); })),
      thread_([this] { run(); }) {}

StreamHub::~StreamHub() {
  bus_.unsubscribe(subscription_);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void StreamHub::on_event(const Event& e) {
  {
    std::lock_guard lock(mutex_);
    if (count_ == 0) return;
    events_.push_back(e);
  }
  wake_.notify_one();
}

Result<std::shared_ptr<EventStream>> StreamHub::open(StreamFilter filter) {
  std::lock_guard lock(mutex_);
  if (finished_) return Error::unavailable("the server is shutting down");
  if (count_ >= max_streams_)
    return Error::unavailable("too many watchers: " + std::to_string(max_streams_) +
                              " streams are open");
  auto stream = std::make_shared<EventStream>(clock_, std::move(filter), options_);
  if (stream->filter().job_id.empty())
    all_.push_back(stream);
  else
    by_job_.emplace(stream->filter().job_id, stream);
  ++count_;
  return stream;
}

void StreamHub::close(const std::shared_ptr<EventStream>& stream) {
  std::lock_guard lock(mutex_);
  const std::string& id = stream->filter().job_id;
  if (id.empty()) {
    auto it = std::find(all_.begin(), all_.end(), stream);
    if (it == all_.end()) return;
    all_.erase(it);
  } else {
    auto [first, last] = by_job_.equal_range(id);
    auto it = std::find_if(first, last, [&](const auto& item) { return item.second == stream; });
    if (it == last) return;
    by_job_.erase(it);
  }
  --count_;
}

void StreamHub::finish_all() {
  std::vector<std::shared_ptr<EventStream>> streams;
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
    streams = all_;
    for (const auto& [id, s] : by_job_) streams.push_back(s);
  }
  for (const auto& s : streams) s->finish();
}

std::size_t StreamHub::size() {
  std::lock_guard lock(mutex_);
  return count_;
}

void StreamHub::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !events_.empty(); });
    if (stopping_) return;
    Event e = std::move(events_.front());
    events_.pop_front();
    std::vector<std::shared_ptr<EventStream>> targets;
    auto [first, last] = by_job_.equal_range(e.job->id);
    for (auto it = first; it != last; ++it) targets.push_back(it->second);
    for (const auto& s : all_)
      if (s->filter().matches(e)) targets.push_back(s);
    lock.unlock();
    if (!targets.empty()) {
      Message message = event_message(to_string(e.type), *e.job);
      for (const auto& s : targets) s->push(e.type, *e.job, message);
    }
    lock.lock();
  }
}

}  // namespace jobq::server
