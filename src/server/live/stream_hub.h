// Fans events out to every open stream. It holds one subscription to the bus and does its work
// on a thread of its own, so a thousand watchers cost the publishing engine one queue push, and
// each event is turned into JSON once however many watch it.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "jobq/error.h"
#include "server/live/event_stream.h"

namespace jobq::server {

class StreamHub {
 public:
  StreamHub(EventBus& bus, const Clock& clock, std::size_t max_streams = 10'000,
            EventStream::Options options = {});
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // A new stream, fed from now on; an error when max_streams are open.
  Result<std::shared_ptr<EventStream>> open(StreamFilter filter);
  void close(const std::shared_ptr<EventStream>& stream);
  // Finishes every stream (shutdown); later opens are refused.
  void finish_all();
  std::size_t size();

 private:
  void on_event(const Event& e);
  void run();

  EventBus& bus_;
  const Clock& clock_;
  std::size_t max_streams_;
  EventStream::Options options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Event> events_;
  bool stopping_ = false;
  bool finished_ = false;
  std::vector<std::shared_ptr<EventStream>> all_;  // streams of every job
  std::unordered_multimap<std::string, std::shared_ptr<EventStream>> by_job_;
  std::size_t count_ = 0;
  EventBus::SubscriptionId subscription_;
  std::thread thread_;
};

}  // namespace jobq::server
