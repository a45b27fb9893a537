#include "client/outcome_line.h"

#include <algorithm>

namespace jobq {

namespace {

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

void OutcomeLine::send(Outcome& mine) {
  std::condition_variable turn;
  std::unique_lock lock(mutex_);
  line_.push_back({&mine, &turn});
  turn.wait(lock, [&] {
    return mine.answered || (line_.front().outcome == &mine && calls_out_ < max_calls_out_);
  });
  if (mine.answered) return;
  std::size_t n = std::min(line_.size(), kMaxGroup);
  std::vector<Waiting> group(line_.begin(), line_.begin() + std::ptrdiff_t(n));
  line_.erase(line_.begin(), line_.begin() + std::ptrdiff_t(n));
  ++calls_out_;
  sending_ += n;
  // The slot now at the front may send beside this call, if another may be out.
  if (!line_.empty() && calls_out_ < max_calls_out_) line_.front().turn->notify_one();
  lock.unlock();

  std::vector<Outcome*> outcomes;
  for (const Waiting& w : group) outcomes.push_back(w.outcome);
  auto handoff = send_group(outcomes);
  std::size_t next = 0;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    outcomes[i]->status = std::move(handoff.outcomes.at(i));
    if (outcomes[i]->wants_job && next < handoff.jobs.size())
      outcomes[i]->jobs.push_back(std::move(handoff.jobs[next++]));
  }
  for (; next < handoff.jobs.size(); ++next) mine.jobs.push_back(std::move(handoff.jobs[next]));

  lock.lock();
  for (Outcome* o : outcomes) o->answered = true;
  --calls_out_;
  sending_ -= n;
  // The others answered here, and the slot at the front, which may send the next group now.
  for (const Waiting& w : group)
    if (w.outcome != &mine) w.turn->notify_one();
  if (!line_.empty()) line_.front().turn->notify_one();
}

JobSource::Handoff OutcomeLine::send_group(const std::vector<Outcome*>& group) {
  std::vector<AckItem> items;
  int wanted = 0;
  for (const Outcome* o : group) {
    items.push_back(o->item);
    wanted += o->wants_job ? 1 : 0;
  }
  auto handoff = send_(items, wanted);
  if (!refused_whole(handoff)) return handoff;
  JobSource::Handoff each;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto alone = send_({items[i]}, group[i]->wants_job ? 1 : 0);
    each.outcomes.push_back(std::move(alone.outcomes.at(0)));
    for (Job& j : alone.jobs) each.jobs.push_back(std::move(j));
  }
  return each;
}

std::size_t OutcomeLine::waiting() const {
  std::lock_guard lock(mutex_);
  return line_.size() + sending_;
}

}  // namespace jobq
