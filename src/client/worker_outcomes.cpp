// The senders: the slots' outcomes sent together by threads of the worker's own, each call
// also leasing the jobs that refill the worker (over HTTP, one POST /ack), so a slot never waits
// for an answer. And the leaser: a long poll for jobs while the worker has room and nothing is
// being sent (a worker starting, or idle).
#include <algorithm>
#include <iterator>

#include "client/worker_runtime.h"

namespace jobq {

namespace {

constexpr std::size_t kMaxGroup = 100;  // outcomes in one call; /ack takes up to 1,000
constexpr int kMaxLease = 100;          // jobs asked for in one call
constexpr int kTries = 3;               // calls an outcome gets while the source is unavailable
constexpr int kPrefetchRounds = 4;      // the default prefetch, in slots (Celery's multiplier)

// A call refused as a whole for what one outcome carries (a result that is not JSON, a body too
// large): each is sent again on its own, so that only that one is refused.
bool refused_whole(const JobSource::Handoff& h) {
  if (h.outcomes.size() < 2) return false;
  for (const Status& s : h.outcomes) {
    if (s.ok()) return false;
  }
  ErrorCode code = h.outcomes.front().code();
  return code == ErrorCode::invalid_argument || code == ErrorCode::payload_too_large;
}

}  // namespace

int Worker::Impl::ask_for_room() {
  if (state != WorkerState::running) return 0;
  int prefetch = options.prefetch < 0 ? kPrefetchRounds * target : options.prefetch;
  int held = int(active.size() + ahead.size()) + asked;
  int room = std::clamp(target + prefetch - held, 0, kMaxLease);
  asked += room;
  return room;
}

void Worker::Impl::take_jobs(std::vector<Job> jobs, int was_asked) {
  std::vector<Job> back;
  std::size_t added = 0;
  {
    std::lock_guard lock(mutex);
    asked -= was_asked;
    auto now = steady::now();
    for (Job& job : jobs) {
      ++counters.leased;
      if (state != WorkerState::running) {
        back.push_back(std::move(job));
        continue;
      }
      ahead.push_back({std::move(job), now, now + options.heartbeat_interval});
      ++added;
    }
  }
  // An idle slot per job, if there are any (a busy one takes its next after its job); woken
  // once the lock is free, so that they do not wake only to wait for it.
  for (std::size_t i = 0; i < added; ++i) work.notify_one();
  for (const Job& job : back) give_back(job);
}

void Worker::Impl::outcome_queued() {
  // A sender with a call out takes this one when the call returns; a free one is woken.
  if (outcomes.size() == 1 && calls_out < kSenders) sender_wake.notify_one();
}

void Worker::Impl::send_outcomes() {
  std::unique_lock lock(mutex);
  while (true) {
    sender_wake.wait(lock, [&] {
      return !outcomes.empty() || (state == WorkerState::stopping && slots_alive == 0);
    });
    if (outcomes.empty()) break;
    std::size_t n = std::min(outcomes.size(), kMaxGroup);
    std::vector<Outcome> group(std::make_move_iterator(outcomes.begin()),
                               std::make_move_iterator(outcomes.begin() + std::ptrdiff_t(n)));
    outcomes.erase(outcomes.begin(), outcomes.begin() + std::ptrdiff_t(n));
    int wanted = ask_for_room();
    ++calls_out;
    lock.unlock();
    JobSource::Handoff answer = send_group(group, wanted);
    take_jobs(std::move(answer.jobs), wanted);
    bool unavailable = std::any_of(answer.outcomes.begin(), answer.outcomes.end(),
                                   [](auto& s) { return s.code() == ErrorCode::unavailable; });
    settle(group, answer.outcomes);
    lock.lock();
    --calls_out;
    if (outcomes.empty()) leaser_wake.notify_one();
    // A server restarting: the outcomes queued again wait a moment before their next try.
    if (unavailable) sender_wake.wait_for(lock, options.retry_delay, [] { return false; });
  }
  --senders_alive;
  changed.notify_all();
}

JobSource::Handoff Worker::Impl::send_group(const std::vector<Outcome>& group, int wanted) {
  JobSource::Handoff answer;
  answer.outcomes.resize(group.size());
  std::vector<AckItem> items;
  std::vector<std::size_t> together;  // group index of each item
  for (std::size_t i = 0; i < group.size(); ++i) {
    const AckItem& item = group[i].item;
    // A failure with no message would read as a completion in an /ack entry: it goes alone.
    if (!group[i].completes && item.error.empty()) {
      auto r = source.fail(item.id, item.lease_token, item.error, item.traceback, item.retryable);
      answer.outcomes[i] = r ? Status{} : Status(r.error());
      continue;
    }
    items.push_back(item);
    together.push_back(i);
  }
  if (items.empty()) return answer;
  LeaseRequest next = lease_request();
  next.max_jobs = wanted;
  JobSource::Handoff sent = source.finish_and_lease(items, next);
  answer.jobs = std::move(sent.jobs);
  if (refused_whole(sent)) {
    LeaseRequest none = lease_request();
    none.max_jobs = 0;
    for (std::size_t k = 0; k < items.size(); ++k)
      sent.outcomes[k] = source.finish_and_lease({items[k]}, none).outcomes.at(0);
  }
  for (std::size_t k = 0; k < together.size(); ++k)
    answer.outcomes[together[k]] =
        k < sent.outcomes.size()
            ? std::move(sent.outcomes[k])
            : Status(Error(ErrorCode::internal, "the source gave no answer for this outcome"));
  return answer;
}

void Worker::Impl::settle(std::vector<Outcome>& group, std::vector<Status>& answers) {
  auto what_of = [](const Outcome& o) {
    return (o.completes ? "complete job " : "fail job ") + o.item.id;
  };
  std::vector<Outcome> again;
  int completed = 0, failed = 0, lost = 0;
  for (std::size_t i = 0; i < group.size(); ++i) {
    Outcome& o = group[i];
    const Status& s = answers[i];
    if (s.ok()) {
      ++(o.completes ? completed : failed);
      continue;
    }
    if (s.code() == ErrorCode::unavailable && ++o.tries < kTries) {
      report(s, what_of(o) + " (will try again)");
      again.push_back(std::move(o));
      continue;
    }
    if (o.completes &&
        (s.code() == ErrorCode::invalid_argument || s.code() == ErrorCode::payload_too_large)) {
      // A result the source refuses (not JSON, too large) fails the attempt instead of leaving
      // the job running until its lease ends.
      report(s, what_of(o));
      o.item = AckItem{o.item.id, o.item.lease_token, "null",
                       "the handler's result was refused: " + s.message()};
      o.completes = false;
      o.tries = 0;
      again.push_back(std::move(o));
      continue;
    }
    if (!lease_gone(s)) report(s, what_of(o));
    ++lost;
  }
  std::lock_guard lock(mutex);
  counters.completed += completed;
  counters.failed += failed;
  counters.lost += lost;
  outcomes.insert(outcomes.begin(), std::make_move_iterator(again.begin()),
                  std::make_move_iterator(again.end()));
}

void Worker::Impl::lease_ahead() {
  std::unique_lock lock(mutex);
  while (true) {
    int room = 0;
    leaser_wake.wait(lock, [&] {
      if (state == WorkerState::stopping) return true;
      if (calls_out > 0 || !outcomes.empty()) return false;  // the senders' calls lease
      room = ask_for_room();
      return room > 0;
    });
    if (state == WorkerState::stopping) break;
    lock.unlock();
    LeaseRequest request = lease_request();
    request.max_jobs = room;
    auto leased = source.lease(request, options.lease_wait);
    if (!leased) {
      take_jobs({}, room);
      report(leased.error(), "lease");
      lock.lock();
      leaser_wake.wait_for(lock, options.retry_delay,
                           [&] { return state == WorkerState::stopping; });
      continue;
    }
    take_jobs(std::move(*leased), room);
    lock.lock();
  }
  // Stopping: the jobs leased ahead go back unstarted (take_jobs gives back any that come later).
  std::deque<Ahead> unstarted;
  unstarted.swap(ahead);
  lock.unlock();
  for (const Ahead& a : unstarted) give_back(a.job);
  lock.lock();
  leaser_alive = false;
  changed.notify_all();
}

}  // namespace jobq
