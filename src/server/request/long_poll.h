// A long poll: a call that waits for an event and is answered exactly once, by whichever comes
// first of
//   - its event, which the route's source delivers through answer() (a job leased, a job
//     finished);
//   - its timer: the wait the client asked for ran out, or the server is shutting down (Timers
//     then fire every pending timer, so that no poll outlives the server);
//   - the client hanging up.
// Later arrivals find the call answered and are dropped.
//
// A new blocking route provides, and does nothing else about waiting:
//   1. `.long_poll = true` in its RouteTraits, so that the server watches the connection while
//      the handler waits and fires the call's ClientGone when the client goes.
//   2. A source that calls answer() when the event comes. Hook it before checking whether the
//      call can be answered at once, so that an event in between is not lost; an answer() before
//      wait() is fine: wait() then arms nothing and only releases.
//   3. An Ending, given to wait() with the timeout and the call's ClientGone:
//      - withdraw: unhooks the source when the timer or the hang-up comes first. It returns false
//        if the event can no longer be stopped (a job is being leased for this call); the
//        source's answer is then the one sent, so that nothing is taken for a client that is
//        told it got nothing.
//      - answer: what the client is told when the time is up or it has gone. It may answer
//        later (a store read goes to the blocking pool first: timers run on an I/O thread).
//      - release: frees what the source still holds once the call is answered, whichever way.
// Modelled on the blocking operations of Redis (src/blocked.c); written for jobq.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "server/request/call.h"
#include "server/transport/timers.h"

namespace jobq::server {

enum class PollEnd { time_up, hung_up };

template <class T>
class LongPoll : public std::enable_shared_from_this<LongPoll<T>> {
 public:
  using Answer = std::function<void(T)>;

  struct Ending {
    std::function<bool()> withdraw = [] { return true; };
    std::function<void(PollEnd, Answer)> answer;
    std::function<void()> release = [] {};
  };

  // `answer` is called exactly once, from whichever thread ends the poll.
  static std::shared_ptr<LongPoll> make(Timers& timers, Answer answer) {
    return std::shared_ptr<LongPoll>(new LongPoll(timers, std::move(answer)));
  }

  // The event. True if it answered the call; false if something answered first.
  bool answer(T value) {
    std::optional<Timers::Id> timer;
    std::function<void()> release;
    {
      std::lock_guard lock(mutex_);
      if (answered_) return false;
      answered_ = true;
      timer = timer_;
      release = ending_.release;  // a no-op before wait(), which then releases
    }
    if (timer) timers_.cancel(*timer);
    if (release) release();
    answer_(std::move(value));
    return true;
  }

  // Waits up to `timeout` for the event, and no longer than the client stays.
  void wait(std::chrono::milliseconds timeout, ClientGone& gone, Ending ending) {
    bool answered_before;
    {
      std::lock_guard lock(mutex_);
      ending_ = std::move(ending);
      answered_before = answered_;
      if (!answered_before)
        timer_ = timers_.after(timeout,
                               [self = this->shared_from_this()] { self->end(PollEnd::time_up); });
    }
    // An answer from now on releases by itself; one that came before could not.
    if (answered_before) return ending_.release();
    gone.on_gone([self = this->shared_from_this()] { self->end(PollEnd::hung_up); });
  }

 private:
  LongPoll(Timers& timers, Answer answer) : timers_(timers), answer_(std::move(answer)) {}

  // The timer or the hang-up: the first of them withdraws the source and, if it could, answers.
  void end(PollEnd why) {
    {
      std::lock_guard lock(mutex_);
      if (answered_ || ending_started_) return;
      ending_started_ = true;
    }
    if (!ending_.withdraw()) return;  // the event is on its way, and answers
    ending_.answer(why,
                   [self = this->shared_from_this()](T value) { self->answer(std::move(value)); });
  }

  Timers& timers_;
  const Answer answer_;
  std::mutex mutex_;
  // Guarded by mutex_; ending_ is written once, in wait(), before the timer and hang-up can end
  // the poll, and only read after.
  bool answered_ = false;
  bool ending_started_ = false;
  std::optional<Timers::Id> timer_;
  Ending ending_;
};

}  // namespace jobq::server
