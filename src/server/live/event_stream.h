// What one watcher (a WebSocket or an SSE connection) has yet to receive: messages in event
// order, with progress coalesced per job so that a chatty worker cannot flood the watcher.
// Fed by the StreamHub's thread, drained by the connection; thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "jobq/clock.h"
#include "jobq/events.h"

namespace jobq::server {

using Message = std::shared_ptr<const std::string>;

// {"event":"<name>","job":{...}}
Message event_message(std::string_view event, const Job& job);

struct StreamFilter {
  std::string job_id;                              // one job's stream; empty: every job
  std::vector<std::string> queues, types, events;  // empty: any
  bool matches(const Event& e) const;
};

class EventStream {
 public:
  struct Options {
    std::int64_t progress_interval_ms = 100;  // at most ~10 progress messages a second per job
    std::size_t max_pending = 10'000;         // beyond this the watcher is too slow and is dropped
  };
  EventStream(const Clock& clock, StreamFilter filter, Options options);

  const StreamFilter& filter() const { return filter_; }
  // Called (from any thread) when push() made something ready; the connection then take()s.
  void on_ready(std::function<void()> notify);

  void push(EventType type, const Job& job, const Message& message);
  enum class End { none, done, shutdown, overflow };
  // Ends the stream after what is queued: the job is over (done), or the server stops.
  void finish(End why = End::shutdown);

  struct Taken {
    std::vector<Message> messages;
    // done: the job reached its end; shutdown: finish() was called; overflow: the watcher fell
    // too far behind. Close after sending `messages`.
    End end = End::none;
    std::optional<std::int64_t> due_in_ms;  // when a held progress message is due
  };
  Taken take();

  // A single job's stream starts with its snapshot: events that arrive before this is called are
  // kept aside, and those the snapshot already shows are dropped.
  void start_after(Job snapshot);

 private:
  struct Held {
    Message message;
    Millis due;
  };
  void notify();
  void accept(EventType type, const Job& job, const Message& message);  // mutex_ held
  bool shown_by_snapshot(const Job& job) const;
  void hold_or_send_progress(const std::string& job_id, const Message& message);
  void enqueue(const Message& message);  // ends the stream when the watcher is too far behind

  const Clock& clock_;
  StreamFilter filter_;
  Options options_;
  std::mutex mutex_;
  std::function<void()> notify_;
  std::deque<Message> ready_;
  std::map<std::string, Held> held_;             // job id -> newest progress not yet due
  std::map<std::string, Millis> progress_sent_;  // job id -> when its last progress went out
  std::optional<Job> snapshot_;
  struct Early {
    EventType type;
    Job job;
    Message message;
  };
  std::vector<Early> early_;  // a job stream's events that came before its snapshot was read
  End end_ = End::none;
};

}  // namespace jobq::server
